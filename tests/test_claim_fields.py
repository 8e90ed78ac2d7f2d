"""A claim's detail fields are listed once (``Claim.DETAIL_FIELDS``): the admin,
the forms, the audit trail, the cards' JSON and reader.js all take them from there."""

import html
import json
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from archive import reader
from archive.forms import ClaimAdminForm, ClaimFieldsForm, QuoteClaimForm
from archive.models import Claim, ClaimEvent
from archive.services import annotations
from archive.text import anchoring
from tests.factories import make_claim, make_document, make_person
from tests.paths import ROOT

pytestmark = pytest.mark.django_db

FIELDS = list(Claim.DETAIL_FIELDS)
READER_JS = ROOT / "static" / "archive" / "reader.js"


@pytest.fixture
def claim():
    document = make_document("The envoy said the talks had failed. The border stays closed.")
    return make_claim(
        document,
        "the talks had failed",
        claimant=make_person(name="The Envoy"),
        kind=Claim.Kind.ACCUSATION,
        status=Claim.Status.DISPUTED,
        note="Said *twice*.",
        tags=["talks", "border"],
    )


def test_reader_page_gives_reader_js_the_servers_list(analyst, claim):
    content = analyst.get(claim.document.get_absolute_url()).content.decode()
    rendered = re.search(r'data-claim-fields="([^"]*)"', content)
    assert rendered, "the claim dialog carries no data-claim-fields"
    assert rendered.group(1).split() == FIELDS


def test_reader_js_reads_the_list_and_keeps_none_of_its_own():
    js = READER_JS.read_text(encoding="utf-8")
    assert 'getAttribute("data-claim-fields")' in js
    names = "|".join(FIELDS)
    assert not re.search(rf'\[\s*"({names})"\s*,', js), "reader.js lists a claim's fields itself"


def test_each_card_carries_every_field_as_the_form_takes_it(analyst, claim):
    content = analyst.get(claim.document.get_absolute_url()).content.decode()
    card = re.search(rf'data-claim-card="{claim.pk}"[^>]*data-claim="([^"]*)"', content)
    data = json.loads(html.unescape(card.group(1)))
    assert set(FIELDS) <= set(data)
    # And what a write sends back or checks: its version and where it is (``Claim.selector``).
    assert (data["version"], data["orphaned"]) == (claim.version, False)
    assert (
        anchoring.Selector(*(data[name] for name in ("quote", "prefix", "suffix", "start", "end")))
        == claim.selector
    )
    assert data["claimant"] == claim.claimant_id
    assert sorted(data["tags"].split(", ")) == ["border", "talks"]
    assert (data["kind"], data["status"], data["note"]) == ("accusation", "disputed", "Said *twice*.")


def test_saving_a_card_unchanged_through_the_api_changes_nothing(analyst, claim):
    data = json.loads(reader.claim_json(Claim.objects.prefetch_related("tags").get(pk=claim.pk)))
    payload = {name: data[name] for name in FIELDS} | {"version": data["version"]}
    response = analyst.post(
        reverse("archive:api_claim_update", args=[claim.pk]),
        json.dumps(payload),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    # A change to nothing writes nothing and records nothing: no event, the same version.
    assert not ClaimEvent.objects.filter(claim=claim, action=ClaimEvent.Action.EDITED).exists()
    assert response.json()["version"] == data["version"] == Claim.objects.get(pk=claim.pk).version
    assert sorted(claim.tags.names()) == ["border", "talks"]


def test_the_forms_take_the_same_fields():
    assert set(ClaimFieldsForm.base_fields) == set(FIELDS)
    assert list(QuoteClaimForm(document=None).fields) == [
        "quote",
        "prefix",
        "suffix",
        *ClaimFieldsForm.base_fields,
    ]
    assert ClaimAdminForm._meta.fields[-len(FIELDS) :] == FIELDS


def test_the_admin_claim_page_shows_the_same_fields(rf, claim):
    claim_admin = admin.site._registry[Claim]
    for obj in (None, claim):
        fieldsets = dict(claim_admin.get_fieldsets(rf.get("/"), obj))
        assert fieldsets["Claim"]["fields"] == FIELDS


def test_audit_events_record_the_span_and_every_stored_field(claim, analyst_user):
    selector = anchoring.find_quote(claim.document.text, "The border stays closed")
    created = annotations.create_claim(claim.document, selector, user=analyst_user, kind="threat")
    event = ClaimEvent.objects.get(claim=created, action=ClaimEvent.Action.CREATED)
    assert set(event.detail) == {"quote", "start", "end", *Claim.DETAIL_COLUMNS}
    assert set(Claim.DETAIL_COLUMNS) == set(FIELDS) - {"tags"}

"""Optimistic concurrency in the JSON API: writes carry the version the client
edited, a stale one is answered 409 with the claim as it is now, and a claim
can be reverted to an earlier state."""

import html
import json
import re

import pytest
from django.urls import reverse

from archive.models import Claim, ClaimEvent
from archive.services import annotations
from archive.text import anchoring
from tests.factories import make_document

TEXT = (
    "The envoy said the talks had failed. He added that the border would stay closed. "
    "Nobody expected the announcement, which came late on Friday."
)
FIELDS = {"kind": "assertion", "status": "unverified", "visibility": "published", "tags": "", "note": ""}


@pytest.fixture
def claim(db):
    document = make_document(TEXT, slug="envoy")
    start = TEXT.index("the talks had failed")
    return annotations.create_claim(
        document, anchoring.selector_for(TEXT, start, start + 20), user=None, visibility="published"
    )


def post(client, name, claim, payload, **headers):
    url = reverse(f"archive:api_claim_{name}", args=[claim.pk])
    return client.post(url, json.dumps(payload), content_type="application/json", headers=headers)


def selection(quote):
    start = TEXT.index(quote)
    selector = anchoring.selector_for(TEXT, start, start + len(quote))
    return {
        "quote": selector.quote,
        "prefix": selector.prefix,
        "suffix": selector.suffix,
        "start": start,
        "end": selector.end,
    }


def test_a_write_answers_with_the_new_version_and_its_etag(analyst, claim):
    response = post(analyst, "update", claim, {**FIELDS, "note": "Checked.", "version": 1})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["version"] == data["claim"]["version"] == 2
    assert data["claim"]["note"] == "Checked."
    assert response["ETag"] == '"2"'


def test_a_stale_update_is_409_with_the_current_claim_and_changes_nothing(analyst, analyst_user, claim):
    annotations.update_claim(claim, user=analyst_user, note="Someone else.")
    response = post(analyst, "update", claim, {**FIELDS, "note": "Mine.", "version": 1})
    assert response.status_code == 409
    data = response.json()
    assert data["error"] == "This claim was changed by someone else; reload to see the change."
    assert (data["current"]["version"], data["current"]["note"]) == (2, "Someone else.")
    assert response["ETag"] == '"2"'
    assert Claim.objects.get(pk=claim.pk).note == "Someone else."
    assert ClaimEvent.objects.filter(claim=claim).count() == 2


def test_if_match_carries_the_version_too(analyst, analyst_user, claim):
    assert post(analyst, "update", claim, {**FIELDS, "note": "A."}, if_match='"1"').status_code == 200
    response = post(analyst, "update", claim, {**FIELDS, "note": "B."}, if_match='"1"')
    assert response.status_code == 409
    assert post(analyst, "update", claim, {**FIELDS, "note": "B."}, if_match='W/"2"').status_code == 200


def test_a_note_edit_from_a_stale_page_cannot_undo_an_acknowledged_move(analyst, claim):
    moved = post(analyst, "move", claim, {**selection("Nobody expected"), "version": 1})
    assert moved.status_code == 200 and moved.json()["version"] == 2
    stale = post(analyst, "update", claim, {**FIELDS, "note": "Late.", "version": 1})
    assert stale.status_code == 409
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.quote, stored.note, stored.version) == ("Nobody expected", "", 2)


def test_a_stale_move_or_delete_is_409(analyst, analyst_user, claim):
    annotations.update_claim(claim, user=analyst_user, note="Someone else.")
    assert post(analyst, "move", claim, {**selection("Nobody expected"), "version": 1}).status_code == 409
    assert post(analyst, "delete", claim, {"version": 1}).status_code == 409
    stored = Claim.objects.get(pk=claim.pk)
    assert stored.quote == "the talks had failed"


def test_a_malformed_version_is_refused(analyst, claim):
    # The body's version is checked by the endpoint's strict schema, which names the field.
    response = post(analyst, "update", claim, {**FIELDS, "version": "latest"})
    assert response.status_code == 400
    assert "whole number" in response.json()["errors"]["version"][0]
    for version in ["2", 1.0, True, 0]:
        assert post(analyst, "update", claim, {**FIELDS, "version": version}).status_code == 400
    header = post(analyst, "update", claim, FIELDS, if_match='"latest"')
    assert header.status_code == 400
    assert "whole number" in header.json()["errors"]["__all__"][0]
    assert Claim.objects.get(pk=claim.pk).version == 1


def test_the_card_json_carries_the_version_it_was_rendered_at(analyst, analyst_user, claim):
    annotations.update_claim(claim, user=analyst_user, note="Again.")
    page = analyst.get(claim.document.get_absolute_url()).content.decode()
    card = re.search(r'data-claim="([^"]+)"', page).group(1)
    assert json.loads(html.unescape(card))["version"] == 2


def test_the_state_endpoint_shows_the_stored_claim(analyst, outsider, claim):
    response = analyst.get(reverse("archive:api_claim_state", args=[claim.pk]))
    assert response.status_code == 200
    assert response.json()["claim"]["version"] == 1 and response["ETag"] == '"1"'
    assert outsider.get(reverse("archive:api_claim_state", args=[claim.pk])).status_code == 403


# --- revert ------------------------------------------------------------------------------


def test_revert_restores_an_earlier_state_and_records_it(analyst, analyst_user, claim):
    created = claim.events.get()
    annotations.update_claim(claim, user=analyst_user, note="Wrong.", status="refuted", tags=["x"])
    response = post(analyst, "revert", claim, {"event": created.pk, "version": 2})
    assert response.status_code == 200, response.content
    assert (response.json()["claim"]["note"], response.json()["claim"]["status"]) == ("", "unverified")
    assert response.json()["claim"]["tags"] == ""
    event = claim.events.get(action="reverted")
    assert (event.user, event.claim_version, event.detail["to_event"]) == (analyst_user, 3, created.pk)


def test_revert_refusals(analyst, reader, analyst_user, claim):
    created = claim.events.get()
    annotations.update_claim(claim, user=analyst_user, note="Wrong.")
    assert post(analyst, "revert", claim, {"event": created.pk, "version": 1}).status_code == 409
    unknown = post(analyst, "revert", claim, {"event": 999999, "version": 2})
    assert unknown.status_code == 400 and "history" in unknown.json()["errors"]["event"][0]
    assert post(reader, "revert", claim, {"event": created.pk, "version": 2}).status_code == 403
    # The quoted sentence was removed by a correction: the old state cannot be placed.
    annotations.correct_text(
        claim.document,
        TEXT.replace("The envoy said the talks had failed. ", ""),
        user=analyst_user,
        reason="Cut",
    )
    version = Claim.objects.get(pk=claim.pk).version
    gone = post(analyst, "revert", claim, {"event": created.pk, "version": version})
    assert gone.status_code == 400
    assert "no longer fits the current text" in gone.json()["errors"]["event"][0]
    assert not ClaimEvent.objects.filter(action="reverted").exists()

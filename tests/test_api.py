"""The reader's JSON endpoints: analysts write claims, everyone else is refused,
and a refused request leaves the database exactly as it was."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.models import Claim, ClaimEvent
from tests.conftest import PASSWORD
from tests.factories import claim_at, claim_payload, make_claim, make_document, make_person, post_json

TEXT = (
    "The envoy said the talks had failed. He added that the border would stay closed. "
    "Nobody expected the announcement, which came late on Friday."
)


@pytest.fixture
def document(db):
    return make_document(TEXT, title="Envoy remarks", slug="envoy-remarks")


SELECTOR_FIELDS = ("quote", "prefix", "suffix", "start", "end")


def selector_only(text, quote):
    """What the move endpoint takes (and the reader sends): the span alone."""
    return {key: value for key, value in selector_payload(text, quote).items() if key in SELECTOR_FIELDS}


def selector_payload(text, quote, **extra):
    return claim_payload(text, quote, **extra)


def create_url(document):
    return reverse("archive:api_claim_create", args=[document.slug])


def mark_for(html, claim_id):
    return re.search(rf'<mark[^>]*\bdata-key="{claim_id}"', html)


# --- creating -------------------------------------------------------------


def test_analyst_creates_claim_with_exact_selectors_tags_and_audit_event(
    analyst, analyst_user, document, khamenei
):
    quote = "the border would stay closed"
    payload = selector_payload(TEXT, quote, claimant=khamenei.pk, kind="threat", tags="border, Syria")

    response = post_json(analyst, create_url(document), payload)

    assert response.status_code == 201, response.content
    data = response.json()
    claim = Claim.objects.get(pk=data["id"])
    start = TEXT.index(quote)
    assert (claim.quote, claim.start, claim.end) == (quote, start, start + len(quote))
    assert claim.prefix == TEXT[start - 32 : start]
    assert claim.suffix == TEXT[start + len(quote) : start + len(quote) + 32]
    assert claim.claimant == khamenei
    assert claim.kind == "threat"
    assert claim.created_by == analyst_user
    assert sorted(claim.tags.names()) == ["Syria", "border"]
    assert claim.anchored_version == document.versions.get(number=1)
    event = ClaimEvent.objects.get(claim_pk=claim.pk)
    assert event.action == ClaimEvent.Action.CREATED
    assert event.user == analyst_user
    assert event.detail["quote"] == quote
    assert data["url"] == claim.get_absolute_url()
    assert mark_for(data["html"]["text"], claim.pk)
    assert f'data-claim-card="{claim.pk}"' in data["html"]["claims"]
    assert "Claims (1)" in data["html"]["claims"]


def test_created_claims_quote_with_markup_is_escaped_in_returned_html(analyst, db):
    text = "He wrote <script>alert(1)</script> and then &\"' on the wall."
    document = make_document(text)
    quote = "<script>alert(1)</script> and then &\"'"

    response = post_json(analyst, create_url(document), selector_payload(text, quote))

    assert response.status_code == 201, response.content
    html = response.json()["html"]
    for fragment in (html["text"], html["claims"]):
        assert "<script>" not in fragment
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in fragment
    assert "and then &amp;&quot;&#x27;" in html["text"]
    assert Claim.objects.get().quote == quote


# --- refusals ---------------------------------------------------------------


def assert_refused(response, message_part):
    assert response.status_code == 400, response.content
    messages = [m for field in response.json()["errors"].values() for m in field]
    assert any(message_part in m for m in messages), messages
    assert not Claim.objects.exists()
    assert not ClaimEvent.objects.exists()


def test_quote_that_differs_from_text_at_offsets_is_refused(analyst, document):
    payload = selector_payload(TEXT, "the talks had failed")
    payload["quote"] = "the talks had FAILED"
    assert_refused(post_json(analyst, create_url(document), payload), "not the quote “the talks had FAILED”")


def test_offsets_outside_text_are_refused(analyst, document):
    payload = selector_payload(TEXT, "Friday.")
    payload.update(start=len(TEXT) + 3, end=len(TEXT) + 10)
    assert_refused(
        post_json(analyst, create_url(document), payload),
        f"lies outside the text, which has {len(TEXT)} characters",
    )


def test_selection_from_a_stale_page_is_refused_by_its_prefix(analyst, document):
    payload = selector_payload(TEXT, "the border would stay closed")
    payload["prefix"] = "An older version said that "
    assert_refused(post_json(analyst, create_url(document), payload), "does not match the prefix")


def test_selection_from_a_stale_page_is_refused_by_its_suffix(analyst, document):
    payload = selector_payload(TEXT, "the border would stay closed")
    payload["suffix"] = " forever, he said"
    response = post_json(analyst, create_url(document), payload)
    assert_refused(response, "does not match the suffix")
    assert "Reload the page" in response.json()["errors"]["selector"][0]


def test_non_integer_offsets_are_refused(analyst, document):
    payload = selector_payload(TEXT, "Friday")
    payload["start"] = "twelve"
    assert_refused(post_json(analyst, create_url(document), payload), "must be whole numbers")


def test_invalid_json_is_refused(analyst, document):
    assert_refused(post_json(analyst, create_url(document), "{not json"), "not valid JSON")


def test_json_that_is_not_an_object_is_refused(analyst, document):
    assert_refused(post_json(analyst, create_url(document), "[1, 2, 3]"), "must be a JSON object")


def test_body_over_64_kib_is_refused(analyst, document):
    payload = selector_payload(TEXT, "Friday", note="x" * (64 * 1024))
    assert_refused(post_json(analyst, create_url(document), payload), "larger than 65536 bytes")


def test_unknown_kind_is_refused(analyst, document):
    payload = selector_payload(TEXT, "Friday", kind="rumour")
    response = post_json(analyst, create_url(document), payload)
    assert_refused(response, "Select a valid choice. rumour is not one of the available choices.")
    assert "kind" in response.json()["errors"]


def test_unknown_claimant_is_refused(analyst, document):
    payload = selector_payload(TEXT, "Friday", claimant=987654)
    response = post_json(analyst, create_url(document), payload)
    assert_refused(response, "Select a valid choice")
    assert "claimant" in response.json()["errors"]


def test_tag_longer_than_100_characters_is_refused(analyst, document):
    payload = selector_payload(TEXT, "Friday", tags="short, " + "t" * 101)
    response = post_json(analyst, create_url(document), payload)
    assert_refused(response, "is longer than 100 characters")
    assert "tags" in response.json()["errors"]


# --- who may write --------------------------------------------------------------


def test_anonymous_post_gets_json_403_not_a_login_redirect(outsider, document):
    response = post_json(outsider, create_url(document), selector_payload(TEXT, "Friday"))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "Sign in" in response.json()["error"]
    assert not Claim.objects.exists()


def test_signed_in_reader_without_group_is_refused(reader, document):
    response = post_json(reader, create_url(document), selector_payload(TEXT, "Friday"))
    assert response.status_code == 403
    assert "Analysts" in response.json()["error"]
    assert not Claim.objects.exists()


def test_forged_post_without_csrf_token_is_refused(analyst_user, document):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst_user)
    response = post_json(client, create_url(document), selector_payload(TEXT, "Friday"))
    assert response.status_code == 403
    assert not Claim.objects.exists()
    assert not ClaimEvent.objects.exists()


def test_write_endpoints_refuse_get(analyst, document):
    claim = make_claim(document, "Friday")
    for url in (
        create_url(document),
        reverse("archive:api_claim_update", args=[claim.pk]),
        reverse("archive:api_claim_move", args=[claim.pk]),
        reverse("archive:api_claim_delete", args=[claim.pk]),
    ):
        assert analyst.get(url).status_code == 405, url
    assert Claim.objects.filter(pk=claim.pk).exists()


# --- update, move, delete ------------------------------------------------------


def test_update_records_edited_event_with_changed_fields(analyst, analyst_user, document, khamenei):
    claim = make_claim(document, "the talks had failed", tags=["old"])
    payload = {
        "claimant": khamenei.pk,
        "kind": "admission",
        "status": "disputed",
        "tags": "talks, new",
        "note": "Said twice.",
        "visibility": "published",
    }

    response = post_json(analyst, reverse("archive:api_claim_update", args=[claim.pk]), payload)

    assert response.status_code == 200, response.content
    claim.refresh_from_db()
    assert (claim.kind, claim.status, claim.claimant, claim.note) == (
        "admission",
        "disputed",
        khamenei,
        "Said twice.",
    )
    assert sorted(claim.tags.names()) == ["new", "talks"]
    event = ClaimEvent.objects.get(claim=claim, action=ClaimEvent.Action.EDITED)
    assert event.user == analyst_user
    assert event.detail["changed"] == {
        "claimant": [None, khamenei.pk],
        "kind": ["assertion", "admission"],
        "status": ["unverified", "disputed"],
        "note": ["", "Said twice."],
        "tags": [["old"], ["new", "talks"]],
    }
    assert "Admission" in response.json()["html"]["claims"]


def test_update_with_invalid_field_changes_nothing(analyst, document):
    claim = make_claim(document, "the talks had failed", tags=["old"])
    response = post_json(
        analyst,
        reverse("archive:api_claim_update", args=[claim.pk]),
        {"kind": "rumour", "status": "unverified", "visibility": "published", "tags": "new"},
    )
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.kind == "assertion"
    assert list(claim.tags.names()) == ["old"]
    assert not ClaimEvent.objects.exists()


def test_move_records_old_and_new_span(analyst, analyst_user, document):
    claim = make_claim(document, "the talks had failed")
    new_quote = "Nobody expected the announcement"
    payload = selector_only(TEXT, new_quote)

    response = post_json(analyst, reverse("archive:api_claim_move", args=[claim.pk]), payload)

    assert response.status_code == 200, response.content
    claim.refresh_from_db()
    new_start = TEXT.index(new_quote)
    assert (claim.quote, claim.start, claim.end) == (new_quote, new_start, new_start + len(new_quote))
    event = ClaimEvent.objects.get(claim=claim, action=ClaimEvent.Action.MOVED)
    old_start = TEXT.index("the talks had failed")
    assert event.user == analyst_user
    assert event.detail["old"] == {"quote": "the talks had failed", "start": old_start, "end": old_start + 20}
    assert event.detail["new"] == {"quote": new_quote, "start": new_start, "end": new_start + len(new_quote)}
    assert mark_for(response.json()["html"]["text"], claim.pk)


def test_move_to_a_stale_selection_leaves_claim_in_place(analyst, document):
    claim = make_claim(document, "the talks had failed")
    payload = selector_only(TEXT, "Nobody expected")
    payload["start"] += 1
    response = post_json(analyst, reverse("archive:api_claim_move", args=[claim.pk]), payload)
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.quote == "the talks had failed"
    assert not ClaimEvent.objects.exists()


def test_delete_removes_claim_but_keeps_its_audit_event(analyst, analyst_user, document):
    claim = make_claim(document, "the talks had failed")
    pk = claim.pk

    response = post_json(analyst, reverse("archive:api_claim_delete", args=[pk]), {})

    assert response.status_code == 200
    assert not Claim.objects.filter(pk=pk).exists()
    event = ClaimEvent.objects.get(claim_pk=pk)
    assert event.action == ClaimEvent.Action.DELETED
    assert event.claim is None
    assert event.user == analyst_user
    assert event.detail["quote"] == "the talks had failed"
    assert not mark_for(response.json()["html"]["text"], pk)


def test_reader_cannot_delete(reader, document):
    claim = make_claim(document, "the talks had failed")
    response = post_json(reader, reverse("archive:api_claim_delete", args=[claim.pk]), {})
    assert response.status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()


# --- search helpers ---------------------------------------------------------------


def test_people_search_finds_a_person_by_alias(analyst, khamenei):
    make_person(name="Bashar al-Assad", slug="bashar-al-assad", aliases="Assad")
    response = analyst.get(reverse("archive:api_people"), {"q": "Imam Khamenei"})
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": khamenei.pk,
            "name": "Ali Khamenei",
            "role": "Supreme Leader",
            "matched_alias": "Imam Khamenei",
        }
    ]


def test_tag_suggestions_match_part_of_a_tag(analyst, document):
    make_claim(document, "the talks had failed", tags=["syria-war", "Iraq", "Syria"])
    response = analyst.get(reverse("archive:api_tags"), {"q": "syr"})
    assert response.status_code == 200
    assert response.json()["results"] == ["Syria", "syria-war"]


@pytest.mark.parametrize("name", ["archive:api_people", "archive:api_tags"])
def test_search_helpers_refuse_anonymous_users(outsider, name):
    response = outsider.get(reverse(name), {"q": "Kha"})
    assert response.status_code == 403
    assert "error" in response.json()


# --- cost -------------------------------------------------------------------------


def _document_with_claims(how_many):
    sentence = "Sentence number {n} of the long report says something worth noting. "
    text = "".join(sentence.format(n=n) for n in range(400))
    document = make_document(text, raw_text=f"Capture with {how_many} claims\n{text}")
    person = make_person()
    claims = []
    for n in range(how_many):
        start = text.index(f"Sentence number {n} ")
        claims.append(claim_at(document, start, start + len(f"Sentence number {n}"), claimant=person))
    Claim.objects.bulk_create(claims)
    for claim in Claim.objects.filter(document=document)[:3]:
        claim.tags.add("counted")
    payload = selector_payload(
        text, "says something worth noting", claimant=person.pk, tags=f"fresh-{how_many}"
    )
    return document, payload


def test_creating_a_claim_costs_the_same_queries_with_3_or_300_claims(analyst, django_assert_num_queries):
    few_document, few_payload = _document_with_claims(3)
    many_document, many_payload = _document_with_claims(300)
    with CaptureQueriesContext(connection) as measured:
        response = post_json(analyst, create_url(few_document), few_payload)
    assert response.status_code == 201, response.content
    assert response.json()["html"]["claims"].count("data-claim-card=") == 4

    with django_assert_num_queries(len(measured.captured_queries)):
        response = post_json(analyst, create_url(many_document), many_payload)

    assert response.status_code == 201, response.content
    assert response.json()["html"]["claims"].count("data-claim-card=") == 301
    assert response.json()["html"]["text"].count("<mark") >= 301


def test_analyst_with_group_added_later_may_write(document):
    user = User.objects.create_user("late", password=PASSWORD)
    client = Client()
    client.force_login(user)
    assert post_json(client, create_url(document), selector_payload(TEXT, "Friday")).status_code == 403
    user.groups.add(Group.objects.get(name="Analysts"))
    client.force_login(User.objects.get(pk=user.pk))
    assert post_json(client, create_url(document), selector_payload(TEXT, "Friday")).status_code == 201

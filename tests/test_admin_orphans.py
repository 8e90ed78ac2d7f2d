"""Orphaned claims in the admin: finding them, seeing where they used to be,
and re-placing them by selecting their passage in the corrected text."""

import pytest
from django.urls import reverse

from archive.models import Claim, ClaimEvent
from archive.services import annotations
from archive.text import anchoring
from tests.factories import admin_claim_post, make_claim, make_document

pytestmark = pytest.mark.django_db

ORIGINAL = (
    "The ambassador opened the ceremony. He said the martyr's path will never be abandoned. "
    "Guests laid flowers at the memorial."
)
CORRECTED = (
    "The ambassador opened the ceremony. He said the resistance would continue in the region. "
    "Guests laid flowers at the memorial."
)


def change_url(claim):
    return f"/admin/archive/claim/{claim.pk}/change/"


@pytest.fixture
def orphan(analyst_user):
    document = make_document(ORIGINAL, title="Anniversary remarks")
    claim = make_claim(document, "the martyr's path will never be abandoned")
    kept = make_claim(document, "Guests laid flowers")
    annotations.correct_text(document, CORRECTED, user=analyst_user, reason="Checked against the audio")
    claim.refresh_from_db()
    kept.refresh_from_db()
    assert claim.orphaned and not kept.orphaned
    return claim


def detail_post(claim, **overrides):
    data = {
        "claimant": "",
        "kind": claim.kind,
        "status": claim.status,
        "note": claim.note,
        "tags": "",
        "visibility": claim.visibility,
        "new_quote": "",
        "new_prefix": "",
        "new_suffix": "",
        "new_start": "",
        "new_end": "",
        "links_out-TOTAL_FORMS": "0",
        "links_out-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def selection_of(text, passage):
    start = text.index(passage)
    selector = anchoring.selector_for(text, start, start + len(passage))
    return {
        "new_quote": selector.quote,
        "new_prefix": selector.prefix,
        "new_suffix": selector.suffix,
        "new_start": str(selector.start),
        "new_end": str(selector.end),
    }


def listed(response):
    return {claim.quote for claim in response.context["cl"].result_list}


def test_anchoring_filter_lists_only_orphaned_claims(analyst, orphan):
    response = analyst.get("/admin/archive/claim/", {"anchoring": "orphaned"})
    assert listed(response) == {"the martyr's path will never be abandoned"}
    response = analyst.get("/admin/archive/claim/", {"anchoring": "anchored"})
    assert listed(response) == {"Guests laid flowers"}


def test_changelist_flags_orphaned_claims_with_the_reason(analyst, orphan):
    content = analyst.get("/admin/archive/claim/").content.decode()
    assert content.count("⚠ orphaned") == 1
    assert orphan.anchor_note and orphan.anchor_note in content.replace("&#x27;", "'")


def test_orphaned_claim_page_shows_the_old_passage_its_version_and_the_current_text(analyst, orphan):
    content = analyst.get(change_url(orphan)).content.decode()
    version = orphan.anchored_version
    assert version.number == 1
    assert f'href="{reverse("archive:document_version", args=[orphan.document.slug, 1])}"' in content
    assert "<mark>the martyr&#x27;s path will never be abandoned</mark>" in content
    assert 'data-admin-select="replace"' in content
    assert "the resistance would continue in the region" in content
    assert "Re-place claim here" in content
    for name in ("new_quote", "new_prefix", "new_suffix", "new_start", "new_end"):
        assert f'type="hidden" name="{name}"' in content
    # The old selectors point into version 1; they are shown, never edited.
    assert 'name="quote"' not in content


def test_re_placing_an_orphaned_claim_by_selection_anchors_it_there(analyst, analyst_user, orphan):
    old = (orphan.quote, orphan.start, orphan.end)
    passage = "the resistance would continue in the region"
    response = analyst.post(change_url(orphan), detail_post(orphan, **selection_of(CORRECTED, passage)))
    assert response.status_code == 302
    orphan.refresh_from_db()
    assert not orphan.orphaned
    assert CORRECTED[orphan.start : orphan.end] == orphan.quote == passage
    assert orphan.prefix == CORRECTED[max(0, orphan.start - 32) : orphan.start]
    assert orphan.anchored_version.number == 2
    event = ClaimEvent.objects.get(claim=orphan, action=ClaimEvent.Action.MOVED)
    assert event.user == analyst_user
    assert event.detail["was_orphaned"] is True
    assert (event.detail["old"]["quote"], event.detail["old"]["start"], event.detail["old"]["end"]) == old


def test_re_placing_and_changing_the_status_in_one_save_does_both(analyst, orphan):
    data = detail_post(orphan, status=Claim.Status.DISPUTED, **selection_of(CORRECTED, "the resistance"))
    assert analyst.post(change_url(orphan), data).status_code == 302
    orphan.refresh_from_db()
    assert (orphan.quote, orphan.status, orphan.orphaned) == ("the resistance", Claim.Status.DISPUTED, False)


def assert_untouched(claim, before):
    claim.refresh_from_db()
    assert snapshot(claim) == before
    assert not ClaimEvent.objects.filter(claim=claim, action=ClaimEvent.Action.MOVED).exists()


def snapshot(claim):
    return (claim.orphaned, claim.quote, claim.prefix, claim.suffix, claim.start, claim.end, claim.status)


@pytest.mark.parametrize(
    "tamper, message",
    [
        (
            lambda s: {**s, "new_start": str(int(s["new_start"]) + 4)},
            "The span 48–58 covers 10 characters but the quote has 14.",
        ),
        (lambda s: {**s, "new_quote": "the Resistance"}, "not the quote “the Resistance”."),
        (
            lambda s: {**s, "new_prefix": "He claimed "},
            "The text before the quote does not match the prefix.",
        ),
        (lambda s: {**s, "new_end": "end"}, "Start and end must be whole numbers (character offsets)."),
        (lambda s: {**s, "new_end": "9999"}, "lies outside the text, which has 125 characters."),
    ],
)
def test_a_selector_that_does_not_fit_the_text_is_refused_and_nothing_changes(
    analyst, orphan, tamper, message
):
    before = snapshot(orphan)
    selection = tamper(selection_of(CORRECTED, "the resistance"))
    data = detail_post(orphan, status=Claim.Status.DISPUTED, **selection)
    response = analyst.post(change_url(orphan), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "The claim was not re-placed:" in content
    assert message in content.replace("&#x27;", "'")
    assert_untouched(orphan, before)


def test_saving_an_orphaned_claims_details_keeps_it_orphaned(analyst, orphan):
    old = (orphan.quote, orphan.start, orphan.end, orphan.anchored_version_id)
    response = analyst.post(change_url(orphan), detail_post(orphan, status=Claim.Status.REFUTED))
    assert response.status_code == 302
    orphan.refresh_from_db()
    assert orphan.orphaned and orphan.status == Claim.Status.REFUTED
    assert (orphan.quote, orphan.start, orphan.end, orphan.anchored_version_id) == old


def test_a_new_claim_cannot_be_placed_through_the_re_place_fields(analyst):
    document = make_document("Alpha beta gamma.")
    data = admin_claim_post(document, "beta", **selection_of(document.text, "gamma"))
    response = analyst.post("/admin/archive/claim/add/", data)
    assert response.status_code == 200
    assert "Only a saved claim can be re-placed by selecting its passage." in response.content.decode()
    assert not Claim.objects.exists()


def test_document_page_flags_its_orphaned_claims(analyst, orphan):
    content = analyst.get(f"/admin/archive/document/{orphan.document.pk}/change/").content.decode()
    assert content.count("⚠ orphaned") == 1

"""Writes to claims and texts through ``archive.services.annotations``: selectors are
checked, every change leaves an audit event, and a refused write changes nothing."""

import pytest
from django.core.exceptions import ValidationError

from archive.models import Claim, ClaimEvent, DocumentVersion
from archive.services import annotations
from archive.text import anchoring
from tests.factories import make_claim, make_document, make_person

TEXT = "First the minister spoke. Then the general spoke at length. Finally the minister spoke again."


@pytest.fixture
def document(db):
    return make_document(TEXT)


def selector_at(quote, occurrence=0):
    start = anchoring.occurrences(TEXT, quote)[occurrence]
    return anchoring.selector_for(TEXT, start, start + len(quote))


def test_checked_selector_accepts_browser_offsets_as_strings_and_stores_full_context(document):
    start = TEXT.index("the general spoke")
    selector = annotations.checked_selector(
        document,
        quote="the general spoke",
        prefix="Then ",
        suffix=" at",
        start=str(start),
        end=str(start + 17),
    )
    assert selector == anchoring.selector_for(TEXT, start, start + 17)
    assert selector.prefix == TEXT[:start]


@pytest.mark.parametrize(
    ("quote", "start", "end", "message"),
    [
        ("", 0, 5, "The quote is empty."),
        ("First", None, 5, "must be whole numbers"),
        ("First", 0, 500, "lies outside the text"),
        ("First", 1, 6, "not the quote “First”"),
        ("First the", 0, 5, "covers 5 characters but the quote has 9"),
    ],
)
def test_checked_selector_explains_each_refusal(document, quote, start, end, message):
    with pytest.raises(annotations.SelectorError, match=message):
        annotations.checked_selector(document, quote=quote, prefix="", suffix="", start=start, end=end)


def test_repeated_quote_is_told_apart_by_its_prefix(document):
    second = TEXT.index("the minister spoke again")
    selector = annotations.checked_selector(
        document, quote="the minister spoke", prefix="Finally ", suffix="", start=second, end=second + 18
    )
    assert selector.start == second
    with pytest.raises(annotations.SelectorError, match="prefix"):
        annotations.checked_selector(
            document, quote="the minister spoke", prefix="First ", suffix="", start=second, end=second + 18
        )


def test_create_claim_records_version_and_created_event(document, analyst_user):
    person = make_person()
    claim = annotations.create_claim(
        document,
        selector_at("the general spoke"),
        user=analyst_user,
        tags=["army"],
        claimant=person,
        kind="threat",
    )
    assert claim.anchored_version.number == 1
    assert list(claim.tags.names()) == ["army"]
    event = claim.events.get()
    assert (event.action, event.user, event.document_id) == ("created", analyst_user, document.pk)
    assert event.detail["claimant"] == person.pk


def test_create_claim_with_invalid_kind_stores_nothing(document, analyst_user):
    with pytest.raises(ValidationError):
        annotations.create_claim(document, selector_at("the general spoke"), user=analyst_user, kind="rumour")
    assert not Claim.objects.exists()
    assert not ClaimEvent.objects.exists()


def test_update_claim_lists_only_changed_fields(document, analyst_user):
    claim = make_claim(document, "the general spoke")
    annotations.update_claim(claim, user=analyst_user, status="disputed", kind="assertion")
    assert claim.events.get().detail == {"changed": {"status": ["unverified", "disputed"]}}


def test_moving_an_orphaned_claim_re_places_it_and_says_so(document, analyst_user):
    claim = make_claim(document, "the general spoke", orphaned=True, anchor_note="lost")
    annotations.move_claim(claim, selector_at("the minister spoke", 1), user=analyst_user)
    claim.refresh_from_db()
    assert not claim.orphaned
    assert claim.anchor_note == "Re-placed by hand"
    assert claim.start == TEXT.index("the minister spoke again")
    assert claim.events.get().detail["was_orphaned"] is True


def test_delete_claim_keeps_event_with_claim_pk(document, analyst_user):
    claim = make_claim(document, "the general spoke")
    pk = claim.pk
    annotations.delete_claim(claim, user=analyst_user)
    event = ClaimEvent.objects.get()
    assert (event.claim_id, event.claim_pk, event.action) == (None, pk, "deleted")


def test_correct_text_numbers_versions_and_records_reason_and_user(document, analyst_user):
    make_claim(document, "the general spoke")
    version, preview = annotations.correct_text(
        document, TEXT.replace("First", "At first"), user=analyst_user, reason="Missing words"
    )
    assert (version.number, version.reason, version.created_by) == (2, "Missing words", analyst_user)
    second, _ = annotations.correct_text(
        document, TEXT.replace("First", "Early on"), user=analyst_user, reason="Better wording"
    )
    assert second.number == 3
    assert list(document.versions.values_list("number", flat=True)) == [1, 2, 3]
    document.refresh_from_db()
    assert document.text == TEXT.replace("First", "Early on")
    assert preview.moved == 1


@pytest.mark.parametrize(
    ("new_text", "reason", "field"),
    [
        (TEXT + " More.", "   ", "reason"),
        ("  \n ", "Blank it", "text"),
        (TEXT, "No change", "text"),
    ],
)
def test_correct_text_refuses_and_changes_nothing(document, analyst_user, new_text, reason, field):
    claim = make_claim(document, "the general spoke")
    with pytest.raises(ValidationError) as raised:
        annotations.correct_text(document, new_text, user=analyst_user, reason=reason)
    assert field in raised.value.message_dict
    document.refresh_from_db()
    assert document.text == TEXT
    assert DocumentVersion.objects.filter(document=document).count() == 1
    assert not ClaimEvent.objects.filter(claim=claim).exists()


def test_correction_orphans_claim_and_points_it_at_previous_version(document, analyst_user):
    claim = make_claim(document, "Then the general spoke at length.")
    annotations.correct_text(
        document, TEXT.replace(" Then the general spoke at length.", ""), user=analyst_user, reason="Not said"
    )
    claim.refresh_from_db()
    assert claim.orphaned
    assert claim.anchored_version.number == 1
    assert claim.anchored_version.text[claim.start : claim.end] == claim.quote
    assert claim.anchor_note.startswith("orphaned:")
    event = claim.events.get()
    assert (event.action, event.detail["version"]) == ("orphaned", 2)


def test_orphaned_claims_are_left_alone_by_later_corrections(document, analyst_user):
    claim = make_claim(document, "Then the general spoke at length.")
    annotations.correct_text(
        document, TEXT.replace(" Then the general spoke at length.", ""), user=analyst_user, reason="Not said"
    )
    annotations.correct_text(document, "Completely different.", user=analyst_user, reason="Replace")
    claim.refresh_from_db()
    assert claim.orphaned
    assert claim.anchored_version.number == 1
    assert claim.events.count() == 1


def test_claim_page_shows_analysts_who_changed_the_claim_and_when_but_not_readers(
    analyst, analyst_user, reader
):
    from tests.factories import make_claim, make_document

    document = make_document("Alpha beta gamma delta.")
    claim = make_claim(document, "beta")
    annotations.update_claim(claim, user=analyst_user, status="disputed")
    page = analyst.get(claim.get_absolute_url()).content.decode()
    assert "History" in page and "edited by ana" in page
    assert "edited by ana" not in reader.get(claim.get_absolute_url()).content.decode()

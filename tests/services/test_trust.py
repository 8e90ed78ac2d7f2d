"""Trust in the record: versions refuse stale writers, writes touch only what
changes, every change (tags, links, deletions reaching into claims, tag
renames) leaves an event that agrees with the row, events are append-only,
and a claim can be reverted to any earlier state."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from archive.models import AppendOnlyError, Claim, ClaimEvent, ClaimLink, Document, Person
from archive.services import annotations
from archive.text import anchoring
from tests.factories import make_document, make_person

TEXT = "First the minister spoke. Then the general spoke at length. Finally the minister spoke again."
OTHER = "A report said the general spoke for an hour. It was cold."


@pytest.fixture
def document(db):
    return make_document(TEXT)


def at(text, quote):
    start = text.index(quote)
    return anchoring.selector_for(text, start, start + len(quote))


def created(document, quote, user=None, **fields):
    return annotations.create_claim(document, at(document.text, quote), user=user, **fields)


def stored(claim):
    return Claim.objects.get(pk=claim.pk)


def assert_events_agree_with_row(claim):
    """The newest state event holds the row's state and version; versions count up from 1."""
    row = stored(claim)
    events = list(
        ClaimEvent.objects.filter(claim_pk=claim.pk, action__in=ClaimEvent.STATE_ACTIONS).order_by("pk")
    )
    assert [e.claim_version for e in events] == list(range(1, len(events) + 1))
    assert events[-1].claim_version == row.version
    assert events[-1].state == annotations.claim_state(row)


# --- versions ------------------------------------------------------------------------


def test_every_service_write_increments_the_version_and_its_event_agrees(document, analyst_user):
    claim = created(document, "the general spoke", analyst_user, tags=["army"])
    assert claim.version == 1
    annotations.update_claim(claim, user=analyst_user, status="disputed")
    assert claim.version == stored(claim).version == 2
    annotations.move_claim(claim, at(TEXT, "the minister spoke again"), user=analyst_user)
    assert claim.version == stored(claim).version == 3
    annotations.update_claim(claim, user=analyst_user, tags=["army", "navy"])
    assert stored(claim).version == 4
    assert_events_agree_with_row(claim)


def test_a_writer_holding_an_older_version_is_refused_and_changes_nothing(document, analyst_user):
    claim = created(document, "the general spoke")
    stale = stored(claim)
    annotations.update_claim(claim, user=analyst_user, note="First note.")
    with pytest.raises(annotations.Conflict) as raised:
        annotations.update_claim(stale, user=analyst_user, note="Second note.")
    assert raised.value.current.note == "First note."
    assert raised.value.message == "This claim was changed by someone else; reload to see the change."
    with pytest.raises(annotations.Conflict):
        annotations.update_claim(stored(claim), user=analyst_user, note="Third.", expected_version=1)
    assert stored(claim).note == "First note."
    assert ClaimEvent.objects.filter(claim=claim).count() == 2


def test_a_note_edit_that_did_not_see_a_move_cannot_undo_it(document, analyst_user):
    claim = created(document, "the general spoke")
    editor_copy = stored(claim)
    annotations.move_claim(stored(claim), at(TEXT, "Finally the minister"), user=analyst_user)
    with pytest.raises(annotations.Conflict):
        annotations.update_claim(editor_copy, user=analyst_user, note="Edited on a stale page.")
    row = stored(claim)
    assert (row.quote, row.note) == ("Finally the minister", "")


def test_an_update_writes_only_the_fields_that_change(document, analyst_user):
    claim = created(document, "the general spoke")
    with CaptureQueriesContext(connection) as queries:
        annotations.update_claim(stored(claim), user=analyst_user, note="Only the note.")
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "archive_claim"')]
    assert len(updates) == 1
    assert '"note"' in updates[0] and '"version"' in updates[0]
    for column in ('"quote"', '"start"', '"kind"', '"status"', '"claimant_id"', '"visibility"'):
        assert column not in updates[0]
    assert 'WHERE ("archive_claim"."id" = ' in updates[0] and '"archive_claim"."version" = ' in updates[0]


def test_deleting_with_a_stale_version_is_refused(document, analyst_user):
    claim = created(document, "the general spoke")
    annotations.update_claim(stored(claim), user=analyst_user, note="Changed.")
    with pytest.raises(annotations.Conflict):
        annotations.delete_claim(claim, user=analyst_user)
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_a_correction_with_a_stale_document_version_is_refused(document, analyst_user):
    claim = created(document, "the general spoke")
    annotations.correct_text(document, TEXT.replace("First", "At first"), user=analyst_user, reason="Typo")
    with pytest.raises(annotations.Conflict, match="corrected by someone else"):
        annotations.correct_text(
            document, TEXT.replace("Finally", "Lastly"), user=analyst_user, reason="Other", expected_version=1
        )
    document.refresh_from_db()
    assert (document.version, document.text) == (2, TEXT.replace("First", "At first"))
    # The correction re-anchored the claim: a write, so its version moved too, and its event agrees.
    assert stored(claim).version == 2
    assert_events_agree_with_row(claim)


# --- the audit trail is complete ------------------------------------------------------------


def test_a_tag_only_change_is_recorded(document, analyst_user):
    claim = created(document, "the general spoke", tags=["army"])
    annotations.update_claim(claim, user=analyst_user, tags=["army", "syria"])
    event = claim.events.get(action="edited")
    assert event.detail["changed"] == {"tags": [["army"], ["army", "syria"]]}
    assert event.state["tags"] == ["army", "syria"]


def test_an_update_that_changes_nothing_writes_and_records_nothing(document, analyst_user):
    claim = created(document, "the general spoke", tags=["army"])
    annotations.update_claim(claim, user=analyst_user, tags=["army"], kind="assertion")
    assert stored(claim).version == 1
    assert list(claim.events.values_list("action", flat=True)) == ["created"]


def test_linking_and_unlinking_record_events_on_both_claims(document, analyst_user):
    left = created(document, "the general spoke")
    report = make_document(OTHER)
    right = created(report, "the general spoke for an hour")
    link = annotations.link_claims(right, left, "reports", user=analyst_user, note="Same event.")
    for claim in (left, right):
        event = claim.events.get(action="linked")
        assert event.detail == {
            "link": link.pk,
            "from": right.pk,
            "relation": "reports",
            "to": left.pk,
            "note": "Same event.",
        }
        assert event.user == analyst_user
    annotations.unlink_claims(link, user=analyst_user)
    assert not ClaimLink.objects.exists()
    assert (
        left.events.filter(action="unlinked").count() == right.events.filter(action="unlinked").count() == 1
    )


def test_deleting_a_claim_records_the_unlink_on_the_claim_at_the_other_end(document, analyst_user):
    left = created(document, "the general spoke")
    right = created(make_document(OTHER), "the general spoke for an hour")
    annotations.link_claims(right, left, "reports", user=analyst_user)
    annotations.delete_claim(left, user=analyst_user)
    assert right.events.get(action="unlinked").detail["reason"] == f"claim {left.pk} was deleted"


def test_deleting_a_person_records_the_cleared_claimant_on_each_claim(document, analyst_user):
    person = make_person(name="The General")
    claim = created(document, "the general spoke", claimant=person)
    pk = person.pk
    annotations.delete_person(person, user=analyst_user)
    assert not Person.objects.filter(pk=pk).exists()
    event = claim.events.get(action="edited")
    assert event.detail["changed"] == {"claimant": [pk, None]}
    assert "The General" in event.detail["reason"]
    assert stored(claim).claimant is None
    assert_events_agree_with_row(claim)


def test_deleting_a_document_keeps_each_claims_history_with_id_quote_and_title(document, analyst_user):
    claim = created(document, "the general spoke", analyst_user)
    other = created(make_document(OTHER), "the general spoke for an hour")
    annotations.link_claims(other, claim, "reports", user=analyst_user)
    title, pk = document.title, claim.pk
    annotations.delete_document(document, user=analyst_user)
    assert not Document.objects.filter(pk=document.pk).exists()
    events = ClaimEvent.objects.filter(claim_pk=pk).order_by("pk")
    assert [e.action for e in events] == ["created", "linked", "deleted"]
    deleted = events.last()
    assert (deleted.claim_id, deleted.document_id, deleted.document_title) == (None, None, title)
    assert deleted.detail["quote"] == "the general spoke"
    assert title in deleted.detail["reason"]
    assert other.events.filter(action="unlinked").exists()


def test_renaming_a_tag_is_recorded_on_every_claim_carrying_it(document, analyst_user):
    claim = created(document, "the general spoke", tags=["army", "syria"])
    untouched = created(document, "the minister spoke again", tags=["navy"])
    annotations.change_tag(Tag.objects.get(name="army"), user=analyst_user, name="armed forces")
    assert sorted(stored(claim).tags.names()) == ["armed forces", "syria"]
    event = claim.events.get(action="edited")
    assert event.detail["changed"] == {"tags": [["army", "syria"], ["armed forces", "syria"]]}
    assert_events_agree_with_row(claim)
    assert not untouched.events.filter(action="edited").exists()


def test_deleting_a_tag_is_recorded_on_every_claim_carrying_it(document, analyst_user):
    claim = created(document, "the general spoke", tags=["army", "syria"])
    annotations.delete_tag(Tag.objects.get(name="army"), user=analyst_user)
    assert claim.events.get(action="edited").detail["changed"] == {"tags": [["army", "syria"], ["syria"]]}
    assert_events_agree_with_row(claim)


# --- append-only ----------------------------------------------------------------------------


def test_events_cannot_be_changed_or_deleted(document):
    claim = created(document, "the general spoke")
    event = claim.events.get()
    event.detail = {"forged": True}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ClaimEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        ClaimEvent.objects.update(action="deleted")
    assert ClaimEvent.objects.get().detail["quote"] == "the general spoke"


# --- revert ---------------------------------------------------------------------------------


def test_revert_restores_fields_tags_and_selector_and_is_itself_an_event(document, analyst_user):
    person = make_person()
    claim = created(document, "the general spoke", claimant=person, tags=["army"], note="Original.")
    first = claim.events.get()
    annotations.update_claim(
        claim, user=analyst_user, claimant=None, status="refuted", tags=["x"], note="Bad."
    )
    annotations.move_claim(claim, at(TEXT, "Finally the minister"), user=analyst_user)

    annotations.revert_claim(claim, first, user=analyst_user, expected_version=3)

    row = stored(claim)
    assert (row.quote, row.start, row.claimant, row.status, row.note) == (
        "the general spoke",
        TEXT.index("the general spoke"),
        person,
        "unverified",
        "Original.",
    )
    assert list(row.tags.names()) == ["army"]
    event = claim.events.get(action="reverted")
    assert (event.detail["to_event"], event.claim_version, event.user) == (first.pk, 4, analyst_user)
    assert event.detail["changed"]["quote"] == ["Finally the minister", "the general spoke"]
    assert_events_agree_with_row(claim)


def test_revert_refuses_a_stale_version(document, analyst_user):
    claim = created(document, "the general spoke")
    first = claim.events.get()
    annotations.update_claim(claim, user=analyst_user, note="Changed.")
    with pytest.raises(annotations.Conflict):
        annotations.revert_claim(claim, first, user=analyst_user, expected_version=1)
    assert stored(claim).note == "Changed."


def test_revert_after_a_correction_re_anchors_the_old_quote(document, analyst_user):
    claim = created(document, "the general spoke")
    first = claim.events.get()
    annotations.move_claim(claim, at(TEXT, "Finally the minister"), user=analyst_user)
    corrected = "Foreword. " + TEXT
    annotations.correct_text(document, corrected, user=analyst_user, reason="Add foreword")
    annotations.revert_claim(stored(claim), first, user=analyst_user)
    row = stored(claim)
    assert row.start == corrected.index("the general spoke")
    assert corrected[row.start : row.end] == row.quote == "the general spoke"
    assert row.anchored_version.number == 2


def test_revert_refuses_when_the_old_quote_no_longer_fits_the_text(document, analyst_user):
    claim = created(document, "Then the general spoke at length.")
    first = claim.events.get()
    annotations.move_claim(claim, at(TEXT, "Finally the minister"), user=analyst_user)
    annotations.correct_text(
        document, TEXT.replace(" Then the general spoke at length.", ""), user=analyst_user, reason="Not said"
    )
    with pytest.raises(annotations.RevertError, match="no longer fits the current text"):
        annotations.revert_claim(stored(claim), first, user=analyst_user)
    assert stored(claim).quote == "Finally the minister"
    assert not claim.events.filter(action="reverted").exists()


def test_revert_refuses_an_event_of_another_claim(document, analyst_user):
    claim = created(document, "the general spoke")
    other = created(document, "Finally the minister")
    with pytest.raises(annotations.RevertError, match="another claim"):
        annotations.revert_claim(claim, other.events.get(), user=analyst_user)

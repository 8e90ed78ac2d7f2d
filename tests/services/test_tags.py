"""Merging tags through ``archive.services.tags``: everything tagged moves to
the tag kept, the others go, their slugs redirect, claims record the change."""

import pytest
from django.core.exceptions import ValidationError
from taggit.models import Tag, TaggedItem

from archive.models import Claim, ClaimEvent, TagRedirect
from archive.services import annotations
from archive.services.tags import merge_tags
from tests.factories import make_claim, make_document

TEXT = "Hezbollah said the ceasefire would hold. The army disagreed."


@pytest.fixture
def tagged(db):
    document = make_document(TEXT, tags=["hezbollah", "Lebanon"])
    other = make_document(TEXT + " Again.", slug="other", tags=["Hizbullah"])
    both = make_claim(document, "Hezbollah said", tags=["Hezbollah", "Hizbullah"])
    merged_only = make_claim(document, "the ceasefire would hold", tags=["hezbollah"])
    untouched = make_claim(document, "The army disagreed.", tags=["Lebanon"])
    return document, other, both, merged_only, untouched


def names(obj):
    return sorted(obj.tags.names())


def test_merge_moves_everything_to_the_kept_tag_and_deletes_the_others(tagged, analyst_user):
    document, other, both, merged_only, untouched = tagged
    kept = Tag.objects.get(name="Hezbollah")

    result = merge_tags(
        Tag.objects.filter(name__in=["Hezbollah", "hezbollah", "Hizbullah"]), kept, user=analyst_user
    )

    assert result.into == kept
    assert result.merged == ["Hizbullah", "hezbollah"]
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Hezbollah", "Lebanon"]
    assert names(document) == ["Hezbollah", "Lebanon"]
    assert names(other) == ["Hezbollah"]
    assert names(both) == ["Hezbollah"]
    assert names(merged_only) == ["Hezbollah"]
    assert names(untouched) == ["Lebanon"]
    assert not TaggedItem.objects.filter(tag__name__in=["hezbollah", "Hizbullah"]).exists()
    assert result.claims == 2
    assert result.objects == 4


def test_merged_tags_slugs_redirect_to_the_kept_tag(tagged, analyst_user):
    kept = Tag.objects.get(name="Hezbollah")
    merged = list(Tag.objects.filter(name__in=["hezbollah", "Hizbullah"]))

    merge_tags(merged, kept, user=analyst_user)

    assert {r.slug: (r.name, r.tag, r.merged_by) for r in TagRedirect.objects.all()} == {
        tag.slug: (tag.name, kept, analyst_user) for tag in merged
    }


def test_each_claim_whose_tags_changed_records_an_event(tagged, analyst_user):
    # Like a rename or a deletion of a tag: an "edited" event with the claim's new
    # state and version, the change and why.
    _document, _other, both, merged_only, untouched = tagged
    kept = Tag.objects.get(name="Hezbollah")
    reason = "tags “Hizbullah”, “hezbollah” merged into “Hezbollah”"

    merge_tags(Tag.objects.filter(name__in=["hezbollah", "Hizbullah"]), kept, user=analyst_user)

    events = {e.claim_id: e for e in ClaimEvent.objects.filter(action=ClaimEvent.Action.EDITED)}
    assert set(events) == {both.pk, merged_only.pk}
    assert events[both.pk].detail == {
        "changed": {"tags": [["Hezbollah", "Hizbullah"], ["Hezbollah"]]},
        "reason": reason,
        "merged": ["Hizbullah", "hezbollah"],
        "into": "Hezbollah",
    }
    assert events[merged_only.pk].detail["changed"] == {"tags": [["hezbollah"], ["Hezbollah"]]}
    assert events[both.pk].user == analyst_user
    assert events[both.pk].document_id == both.document_id
    assert events[both.pk].document_title == both.document.title
    for claim in (both, merged_only):
        row = Claim.objects.get(pk=claim.pk)
        assert row.version == claim.version + 1
        assert events[claim.pk].claim_version == row.version
        assert events[claim.pk].state == annotations.claim_state(row)
        assert events[claim.pk].revertible
    assert Claim.objects.get(pk=untouched.pk).version == untouched.version
    assert not ClaimEvent.objects.filter(claim=untouched).exists()


def test_a_claim_can_be_reverted_to_its_tags_before_the_merge(tagged, analyst_user):
    # The merged tag is gone; reverting brings back a tag of that name (a new tag).
    _document, _other, both, _merged_only, _untouched = tagged
    annotations.update_claim(both, user=analyst_user, note="Before the merge.")
    before = both.events.get(action=ClaimEvent.Action.EDITED)
    kept = Tag.objects.get(name="Hezbollah")
    merge_tags(Tag.objects.filter(name__in=["hezbollah", "Hizbullah"]), kept, user=analyst_user)

    annotations.revert_claim(Claim.objects.get(pk=both.pk), before, user=analyst_user)

    assert names(Claim.objects.get(pk=both.pk)) == ["Hezbollah", "Hizbullah"]


def test_a_tag_merged_twice_still_redirects_to_where_it_ended(tagged, analyst_user):
    hezbollah, hizbullah = Tag.objects.get(name="hezbollah"), Tag.objects.get(name="Hizbullah")
    merge_tags([hezbollah, hizbullah], hizbullah, user=analyst_user)
    kept = Tag.objects.get(name="Hezbollah")

    merge_tags([hizbullah, kept], kept, user=analyst_user)

    assert {r.slug: r.tag for r in TagRedirect.objects.all()} == {
        hezbollah.slug: kept,
        hizbullah.slug: kept,
    }


def test_merging_back_into_a_slug_that_redirected_makes_it_live_again(tagged, analyst_user):
    hezbollah, kept = Tag.objects.get(name="hezbollah"), Tag.objects.get(name="Hezbollah")
    merge_tags([hezbollah, kept], kept, user=analyst_user)
    revived = Tag.objects.create(name="hezbollah (revived)", slug=hezbollah.slug)

    merge_tags([kept, revived], revived, user=analyst_user)

    assert not TagRedirect.objects.filter(slug=revived.slug).exists()
    assert TagRedirect.objects.get(slug=kept.slug).tag == revived


def test_merging_a_tag_into_itself_alone_is_refused(tagged, analyst_user):
    kept = Tag.objects.get(name="Hezbollah")
    with pytest.raises(ValidationError, match="at least one tag besides"):
        merge_tags([kept], kept, user=analyst_user)
    assert Tag.objects.filter(pk=kept.pk).exists()

"""Merging tags: one write, with the redirects and audit events it owes.

Analysts end up with “Hezbollah”, “hezbollah” and “Hizbullah”. Merging moves
every document and claim tagged with the others to the tag kept, deletes the
others (now empty), and remembers their slugs (``TagRedirect``) so their
pages, bookmarked or linked, redirect permanently to the tag kept. Each claim
whose tags changed gets a “tags changed” event; documents have no audit
trail of their own.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from taggit.models import Tag, TaggedItem

from archive.models import Claim, ClaimEvent, TagRedirect


@dataclass(frozen=True)
class MergeResult:
    into: Tag
    merged: list[str]  # names of the tags merged away
    claims: int  # claims whose tags changed
    objects: int  # tagged documents and claims moved to the tag kept


def _claim_tag_names(claim_ids):
    names = {claim_id: [] for claim_id in claim_ids}
    items = TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Claim), object_id__in=claim_ids
    ).select_related("tag")
    for item in items:
        names[item.object_id].append(item.tag.name)
    return {claim_id: sorted(tag_names) for claim_id, tag_names in names.items()}


@transaction.atomic
def merge_tags(tags, into, *, user) -> MergeResult:
    """Merge ``tags`` into ``into`` (which may be one of them).

    Raises ValidationError when there is nothing to merge.
    """
    into = Tag.objects.select_for_update().get(pk=into.pk)
    others = list(Tag.objects.select_for_update().filter(pk__in=[t.pk for t in tags]).exclude(pk=into.pk))
    if not others:
        raise ValidationError("Choose at least one tag besides the one kept.")

    moving = TaggedItem.objects.filter(tag__in=others)
    claim_type = ContentType.objects.get_for_model(Claim)
    claim_ids = sorted(set(moving.filter(content_type=claim_type).values_list("object_id", flat=True)))
    before = _claim_tag_names(claim_ids)

    already = set(TaggedItem.objects.filter(tag=into).values_list("content_type_id", "object_id"))
    duplicate, repoint, objects = [], [], set()
    for pk, content_type_id, object_id in moving.order_by("pk").values_list(
        "pk", "content_type_id", "object_id"
    ):
        objects.add((content_type_id, object_id))
        if (content_type_id, object_id) in already:
            duplicate.append(pk)  # it has the tag kept already (or another merged one gave it)
        else:
            repoint.append(pk)
            already.add((content_type_id, object_id))
    TaggedItem.objects.filter(pk__in=duplicate).delete()
    TaggedItem.objects.filter(pk__in=repoint).update(tag=into)

    # Old pages of the merged tags, and of tags merged into them before, now
    # lead to the tag kept; the tag kept's own slug is live again.
    TagRedirect.objects.filter(tag__in=others).update(tag=into)
    TagRedirect.objects.filter(slug=into.slug).delete()
    TagRedirect.objects.bulk_create(
        [TagRedirect(slug=tag.slug, name=tag.name, tag=into, merged_by=user) for tag in others]
    )
    merged = sorted(tag.name for tag in others)
    Tag.objects.filter(pk__in=[tag.pk for tag in others]).delete()

    after = _claim_tag_names(claim_ids)
    events = [
        ClaimEvent(
            claim=claim,
            claim_pk=claim.pk,
            document_id=claim.document_id,
            action=ClaimEvent.Action.TAGS_CHANGED,
            user=user,
            detail={"tags": [before[claim.pk], after[claim.pk]], "merged": merged, "into": into.name},
        )
        for claim in Claim.objects.filter(pk__in=claim_ids).only("pk", "document_id")
    ]
    ClaimEvent.objects.bulk_create(events)
    return MergeResult(into=into, merged=merged, claims=len(events), objects=len(objects))

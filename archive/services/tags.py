"""Merging tags: one write, with the redirects and audit events it owes.

Analysts end up with “Hezbollah”, “hezbollah” and “Hizbullah”. Merging moves
every document and claim tagged with the others to the tag kept, deletes the
others (now empty), and remembers their slugs (``TagRedirect``) so their
pages, bookmarked or linked, redirect permanently to the tag kept.

Like a rename or a deletion of a tag (``annotations.change_tag`` and
``annotations.delete_tag``), a merge changes the tags of every claim carrying
a merged tag: each such claim is locked, its version incremented, and an
“edited” event records its new state and why
(``annotations.retag_claims``). Documents have no audit trail of their own.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from taggit.models import Tag, TaggedItem

from archive.models import Claim, TagRedirect
from archive.services import annotations


@dataclass(frozen=True)
class MergeResult:
    into: Tag
    merged: list[str]  # names of the tags merged away
    claims: int  # claims whose tags changed
    objects: int  # tagged documents and claims moved to the tag kept


def _quoted(names):
    return ", ".join(f"“{name}”" for name in names)


@transaction.atomic
def merge_tags(tags, into, *, user) -> MergeResult:
    """Merge ``tags`` into ``into`` (which may be one of them).

    Raises ValidationError when there is nothing to merge.
    """
    # Tags first, then claims by ascending pk (``annotations``' lock order). The tags
    # merged away are locked FOR UPDATE: no one can tag anything with them until
    # they are gone, so the claims locked below are all the claims carrying them.
    # The tag kept is only locked against other writers of its row (as in a rename).
    into = Tag.objects.select_for_update(no_key=True).get(pk=into.pk)
    others = list(
        Tag.objects.select_for_update().filter(pk__in=[t.pk for t in tags]).exclude(pk=into.pk).order_by("pk")
    )
    if not others:
        raise ValidationError("Choose at least one tag besides the one kept.")
    merged = sorted(tag.name for tag in others)
    merged_names = set(merged)

    # Every claim carrying a merged tag records its new tags (and gets a new version).
    claims = annotations.retag_claims(
        Claim.objects.filter(pk__in=Claim.objects.filter(tags__in=others).values("pk")),
        lambda names: [into.name if name in merged_names else name for name in names],
        user=user,
        reason=f"tags {_quoted(merged)} merged into “{into.name}”",
        merged=merged,
        into=into.name,
    )

    moving = TaggedItem.objects.filter(tag__in=others)
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
    Tag.objects.filter(pk__in=[tag.pk for tag in others]).delete()
    return MergeResult(into=into, merged=merged, claims=len(claims), objects=len(objects))

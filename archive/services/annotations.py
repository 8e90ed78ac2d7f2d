"""Writes to claims and to reading texts, each with its audit trail.

Views, the admin and management commands call these functions instead of
saving models directly, so every path checks selectors the same way and
records who did what and when. Nothing here knows about requests.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from archive.models import Claim, ClaimEvent, Document, DocumentVersion
from archive.text import anchoring
from archive.validators import validate_tag_names


class SelectorError(ValueError):
    """A selector that does not fit the document's current text."""


def checked_selector(document, *, quote, prefix, suffix, start, end):
    """Return a Selector for ``document.text`` or raise SelectorError saying why not.

    Prefix and suffix sent by a browser are checked too: a selection made on a
    stale page (the text was corrected meanwhile) must not be saved silently.
    """
    try:
        start, end = int(start), int(end)
    except (TypeError, ValueError):
        raise SelectorError("Start and end must be whole numbers (character offsets).") from None
    selector = anchoring.Selector(quote or "", prefix or "", suffix or "", start, end)
    problem = anchoring.check_selector(document.text, selector)
    if problem:
        raise SelectorError(
            problem + " Reload the page: the text may have been corrected since it was opened."
        )
    # Store our own context so every claim carries the same amount of it.
    return anchoring.selector_for(document.text, start, end)


def ensure_first_version(document, user=None):
    """The version holding the current text, creating version 1 if none exists yet."""
    latest = document.versions.order_by("-number").first()
    if latest is None:
        latest = DocumentVersion.objects.create(
            document=document,
            number=1,
            text=document.text,
            reason="Text as first cleaned from the capture",
            created_by=user,
        )
    return latest


def _snapshot(claim):
    return {
        "quote": claim.quote,
        "start": claim.start,
        "end": claim.end,
        "claimant": claim.claimant_id,
        "kind": claim.kind,
        "status": claim.status,
        "visibility": claim.visibility,
        "note": claim.note,
    }


def _check_tags(tags):
    """Refuse tag names that could not be stored or shown, before anything is written."""
    try:
        validate_tag_names(list(tags))
    except ValidationError as error:
        raise ValidationError({"tags": error.messages}) from None


def _event(claim, action, user, **detail):
    return ClaimEvent(
        claim=claim, claim_pk=claim.pk, document_id=claim.document_id, action=action, user=user, detail=detail
    )


@transaction.atomic
def create_claim(document, selector, *, user, tags=(), **fields):
    _check_tags(tags)
    claim = Claim(
        document=document,
        created_by=user,
        anchored_version=ensure_first_version(document, user),
        **fields,
    )
    claim.set_selector(selector)
    claim.full_clean(exclude=["anchored_version", "created_by"])
    claim.save()
    if tags:
        claim.tags.set(list(tags))
    _event(claim, ClaimEvent.Action.CREATED, user, **_snapshot(claim)).save()
    return claim


@transaction.atomic
def update_claim(claim, *, user, tags=None, **fields):
    if tags is not None:
        _check_tags(tags)
    before = _snapshot(claim)
    for name, value in fields.items():
        setattr(claim, name, value)
    claim.full_clean(exclude=["anchored_version", "created_by"])
    claim.save()
    if tags is not None:
        claim.tags.set(list(tags))
    after = _snapshot(claim)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    _event(claim, ClaimEvent.Action.EDITED, user, changed=changed).save()
    return claim


@transaction.atomic
def move_claim(claim, selector, *, user):
    """Give a claim a new span (the analyst selected the right text)."""
    old = {"quote": claim.quote, "start": claim.start, "end": claim.end}
    was_orphaned = claim.orphaned
    claim.set_selector(selector)
    claim.orphaned = False
    claim.anchor_note = "Re-placed by hand" if was_orphaned else ""
    claim.anchored_version = ensure_first_version(claim.document, user)
    claim.full_clean(exclude=["anchored_version", "created_by"])
    claim.save()
    _event(
        claim,
        ClaimEvent.Action.MOVED,
        user,
        old=old,
        new={"quote": claim.quote, "start": claim.start, "end": claim.end},
        was_orphaned=was_orphaned,
    ).save()
    return claim


@transaction.atomic
def delete_claim(claim, *, user):
    _event(claim, ClaimEvent.Action.DELETED, user, **_snapshot(claim)).save()
    claim.delete()


@dataclass(frozen=True)
class CorrectionPreview:
    kept: int
    moved: int
    changed: int
    orphaned: int
    results: list

    @property
    def total(self):
        return self.kept + self.moved + self.changed + self.orphaned


def preview_correction(document, new_text):
    """What a correction would do to the document's anchored claims, without saving."""
    claims = list(document.claims.filter(orphaned=False).order_by("pk"))
    selectors = [anchoring.Selector(c.quote, c.prefix, c.suffix, c.start, c.end) for c in claims]
    results = anchoring.reanchor_all(selectors, document.text, new_text) if claims else []
    counts = {outcome: 0 for outcome in anchoring.Outcome}
    for result in results:
        counts[result.outcome] += 1
    return CorrectionPreview(
        kept=counts[anchoring.Outcome.KEPT],
        moved=counts[anchoring.Outcome.MOVED],
        changed=counts[anchoring.Outcome.CHANGED],
        orphaned=counts[anchoring.Outcome.ORPHANED],
        results=list(zip(claims, results, strict=True)),
    )


@transaction.atomic
def correct_text(document, new_text, *, user, reason):
    """Save ``new_text`` as the next version and re-anchor every claim to it.

    Claims that cannot be placed with confidence are orphaned: kept, flagged,
    and left pointing into the version they were anchored in.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Say why the text is being corrected."})
    if not new_text.strip():
        raise ValidationError({"text": "The reading text cannot be empty."})
    document = Document.objects.select_for_update().get(pk=document.pk)
    if new_text == document.text:
        raise ValidationError({"text": "The corrected text is identical to the current text."})
    previous = ensure_first_version(document, user)
    preview = preview_correction(document, new_text)
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion.objects.create(
        document=document, number=number, text=new_text, reason=reason.strip(), created_by=user
    )
    document.text = new_text
    document.save(update_fields=["text", "updated_at"])

    changed_claims, events = [], []
    for claim, result in preview.results:
        old = {"quote": claim.quote, "start": claim.start, "end": claim.end}
        if result.outcome is anchoring.Outcome.ORPHANED:
            claim.orphaned = True
            claim.anchored_version = previous
            claim.anchor_note = result.reason[:300]
            action = ClaimEvent.Action.ORPHANED
        else:
            claim.set_selector(result.selector)
            claim.anchored_version = version
            claim.anchor_note = "" if result.outcome is anchoring.Outcome.KEPT else result.reason[:300]
            action = ClaimEvent.Action.REANCHORED
        changed_claims.append(claim)
        events.append(
            _event(
                claim,
                action,
                user,
                outcome=result.outcome.value,
                score=round(result.score, 3),
                reason=result.reason,
                old=old,
                version=number,
            )
        )
    Claim.objects.bulk_update(
        changed_claims,
        ["quote", "prefix", "suffix", "start", "end", "orphaned", "anchored_version", "anchor_note"],
        batch_size=500,
    )
    ClaimEvent.objects.bulk_create(events, batch_size=500)
    return version, preview

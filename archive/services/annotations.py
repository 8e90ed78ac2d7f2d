"""Writes to claims, claim links and reading texts, each with its audit trail.

Views, the API, the admin and management commands call these functions
instead of saving models directly, so every path checks selectors the same
way and records who did what and when. Nothing here knows about requests.

Concurrency. Claims and documents carry a ``version``. A writer passes the
version it read (``expected_version``; by default the version of the instance
it holds); the service locks the row, re-reads it, refuses with
:class:`Conflict` when the version moved on, writes only the fields that
change and increments the version with a conditional UPDATE
(``filter(pk=…, version=expected).update(…, version=F("version") + 1)``) in
the same transaction as the audit event. A note edit can therefore never undo
a move it did not see, and an event always describes the row it sits beside.

Locks are taken in one order: the document (writes that depend on its text:
create, move, revert, correct), then claims by ascending pk.

Events. Every event that changes a claim records ``claim_version`` (the
version it produced) and ``state`` (the claim's whole state after it: the
selectors, fields and tags, see :func:`claim_state`), so a claim can be
reverted to any earlier state and its row can be checked against its history.
Link events record the link on both claims without changing either.

Search. A write that changes what the full-text index holds (a claim's quote,
note or visibility, a document's text) reindexes it in the same transaction,
while it holds the row's lock (``archive.search.index_claim`` /
``index_document``). Deleted claims and documents leave the index through the
index rows' foreign keys; claimants and tags are not indexed.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from archive import search
from archive.echoes import index as echo_index
from archive.models import Claim, ClaimEvent, ClaimLink, Document, DocumentVersion, Person
from archive.text import anchoring
from archive.validators import validate_tag_names

CLAIM_CONFLICT = "This claim was changed by someone else; reload to see the change."
CLAIM_GONE = "This claim was deleted by someone else; reload to see the change."
TEXT_CONFLICT = (
    "This text was corrected by someone else since you opened the form; reload to see the change "
    "(your correction was not saved)."
)


class SelectorError(ValueError):
    """A selector that does not fit the document's current text."""


class Conflict(Exception):
    """The row changed since the writer read it: its version is not the one expected.

    ``current`` is the row as stored now (a Claim or Document), or None when it is gone.
    """

    def __init__(self, message, current=None):
        super().__init__(message)
        self.message = message
        self.current = current


class RevertError(ValueError):
    """A claim cannot be put back into the state an event recorded."""


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
        latest = DocumentVersion.create_first(document, user)
    return latest


# --- state and events ----------------------------------------------------------------

# What a claim's state records from its row, as (state key, model attribute): where it
# is (``Claim.PLACEMENT_FIELDS`` without the anchoring note, which only explains the
# placement) and its details (``Claim.DETAIL_COLUMNS``; the tags are added from their table).
STATE_PLACEMENT = tuple(name for name in Claim.PLACEMENT_FIELDS if name != "anchor_note")
ROW_STATE = tuple(
    (name, Claim._meta.get_field(name).attname) for name in (*STATE_PLACEMENT, *Claim.DETAIL_COLUMNS)
)


def claim_state(claim, tags=None):
    """Everything a claim says, as plain JSON values: selectors, fields and tag names (sorted)."""
    state = {key: getattr(claim, attname) for key, attname in ROW_STATE}
    state["tags"] = sorted(claim.tags.names() if tags is None else tags)
    return state


def _span(claim):
    return {"quote": claim.quote, "start": claim.start, "end": claim.end}


def _snapshot(claim):
    """A claim as its audit events record it: its span and details (the claimant by its key; no tags)."""
    details = {name: getattr(claim, Claim._meta.get_field(name).attname) for name in Claim.DETAIL_COLUMNS}
    return {**_span(claim), **details}


def _check_tags(tags):
    """Refuse tag names that could not be stored or shown, before anything is written."""
    try:
        validate_tag_names(list(tags))
    except ValidationError as error:
        raise ValidationError({"tags": error.messages}) from None


def _changes(before, after):
    return {key: [before[key], after[key]] for key in after if before.get(key) != after[key]}


def _event(claim, action, user, *, state=None, claim_version=None, **detail):
    return ClaimEvent(
        claim=claim,
        claim_pk=claim.pk,
        document_id=claim.document_id,
        document_title=claim.document.title,
        action=action,
        user=user,
        detail=detail,
        claim_version=claim.version if claim_version is None else claim_version,
        state=state,
    )


# --- locking and conditional writes ----------------------------------------------------


# Row locks are FOR NO KEY UPDATE (PostgreSQL): they serialize writers of the row but
# let other transactions insert rows that refer to it (events, links), so a writer
# holding a claim never waits on one holding its document just to record its event.


def _lock_document(document):
    return Document.objects.select_for_update(no_key=True).get(pk=getattr(document, "pk", document))


def _lock_claim(claim, expected_version=None):
    """The stored claim, locked for this transaction; Conflict unless it is at the expected version.

    Without ``expected_version`` the caller's instance is taken as what it read.
    """
    fresh = (
        Claim.objects.select_for_update(of=("self",), no_key=True)
        .select_related("document")
        .filter(pk=claim.pk)
        .first()
    )
    if fresh is None:
        raise Conflict(CLAIM_GONE, None)
    expected = claim.version if expected_version is None else int(expected_version)
    if fresh.version != expected:
        raise Conflict(CLAIM_CONFLICT, fresh)
    return fresh


def _lock_claims(queryset):
    """Claims locked in ascending pk order (the one order every multi-claim writer uses)."""
    return list(
        queryset.select_for_update(of=("self",), no_key=True)
        .select_related("document")
        .prefetch_related("tags")
        .order_by("pk")
    )


def _write(claim, names):
    """Store ``names`` of ``claim`` and increment its version, if it is still at ``claim.version``."""
    now = timezone.now()
    values = {
        Claim._meta.get_field(name).attname: getattr(claim, Claim._meta.get_field(name).attname)
        for name in names
    }
    updated = Claim.objects.filter(pk=claim.pk, version=claim.version).update(
        **values, updated_at=now, version=F("version") + 1
    )
    if updated != 1:
        raise Conflict(CLAIM_CONFLICT, Claim.objects.filter(pk=claim.pk).first())
    claim.version += 1
    claim.updated_at = now


def _adopt(target, stored, state=None):
    """Make the caller's instance show the row as stored (fields and tags).

    ``state`` is the state this write recorded; it is kept as ``recorded_state``
    so that a response describes exactly this write, even if another one follows
    before the response is built.
    """
    target.recorded_state = state
    if target is stored:
        return
    for field in stored._meta.concrete_fields:
        setattr(target, field.attname, getattr(stored, field.attname))
    target._state.adding = False
    target._state.db = stored._state.db
    getattr(target, "_prefetched_objects_cache", {}).pop("tags", None)


def _row_names(changed):
    """Model field names of the row-stored keys in ``changed``."""
    names = dict(ROW_STATE)
    return [key for key in changed if key in names]


# --- claims ----------------------------------------------------------------------------

CLEAN_EXCLUDE = ["anchored_version", "created_by"]


@transaction.atomic
def create_claim(document, selector, *, user, tags=(), provenance=None, **fields):
    """Create a claim on ``selector`` in ``document``.

    ``provenance`` (a dict) is added to the CREATED event's detail: where an
    imported claim came from (``annotation_import``); its ``reason`` shows in the history.
    """
    _check_tags(tags)
    # The document is locked and re-read: the selector is checked against the text as it is now.
    document = _lock_document(document)
    claim = Claim(
        document=document,
        created_by=user,
        anchored_version=ensure_first_version(document, user),
        **fields,
    )
    claim.set_selector(selector)
    claim.full_clean(exclude=CLEAN_EXCLUDE)
    claim.save()
    if tags:
        # Sorted: concurrent writers creating the same new tags take their locks in one order.
        claim.tags.set(sorted(set(tags)))
    state = claim_state(claim)
    _event(
        claim, ClaimEvent.Action.CREATED, user, state=state, **_snapshot(claim), **(provenance or {})
    ).save()
    search.index_claim(claim)
    claim.recorded_state = state
    return claim


@transaction.atomic
def update_claim(claim, *, user, tags=None, expected_version=None, reason="", **fields):
    """Change a claim's fields and (when ``tags`` is given) its tags.

    Only what changes is written; a change to nothing writes nothing and records nothing.
    """
    if tags is not None:
        _check_tags(tags)
    fresh = _lock_claim(claim, expected_version)
    before = claim_state(fresh)
    for name, value in fields.items():
        setattr(fresh, name, value)
    fresh.full_clean(exclude=CLEAN_EXCLUDE)
    wanted_tags = before["tags"] if tags is None else sorted(set(tags))
    changed = _changes(before, claim_state(fresh, tags=wanted_tags))
    if not changed:
        _adopt(claim, fresh)
        return claim
    _write(fresh, _row_names(changed))
    if "tags" in changed:
        fresh.tags.set(wanted_tags)
    after = claim_state(fresh)
    detail = {"changed": _changes(before, after)}
    if reason:
        detail["reason"] = reason
    _event(fresh, ClaimEvent.Action.EDITED, user, state=after, **detail).save()
    if search.CLAIM_FIELDS.intersection(changed):
        search.index_claim(fresh)
    _adopt(claim, fresh, after)
    return claim


@transaction.atomic
def move_claim(claim, selector, *, user, expected_version=None, document=None):
    """Give a claim a new span (the analyst selected the right text), optionally in another document."""
    target_document = _lock_document(document if document is not None else claim.document_id)
    fresh = _lock_claim(claim, expected_version)
    old = _span(fresh)
    new_place = target_document.pk != fresh.document_id
    if new_place:
        old["document"] = fresh.document_id
    was_orphaned = fresh.orphaned
    if not (was_orphaned or new_place) and fresh.selector == selector:
        _adopt(claim, fresh)
        return claim
    fresh.document = target_document
    fresh.set_selector(selector)
    fresh.orphaned = False
    fresh.anchor_note = "Re-placed by hand" if was_orphaned else ""
    fresh.anchored_version = ensure_first_version(target_document, user)
    fresh.full_clean(exclude=CLEAN_EXCLUDE)
    _write(fresh, [*Claim.PLACEMENT_FIELDS] + (["document"] if new_place else []))
    new = _span(fresh)
    if new_place:
        new["document"] = fresh.document_id
    after = claim_state(fresh)
    _event(
        fresh,
        ClaimEvent.Action.MOVED,
        user,
        state=after,
        old=old,
        new=new,
        was_orphaned=was_orphaned,
    ).save()
    search.index_claim(fresh)  # its quote (and perhaps its document) changed
    _adopt(claim, fresh, after)
    return claim


def _unlinked_events(claim, user, reason):
    """UNLINKED events on the claims at the other end of ``claim``'s links (which go with it)."""
    links = ClaimLink.objects.filter(Q(from_claim=claim) | Q(to_claim=claim)).select_related(
        "from_claim__document", "to_claim__document"
    )
    events = []
    for link in links:
        other = link.to_claim if link.from_claim_id == claim.pk else link.from_claim
        events.append(_event(other, ClaimEvent.Action.UNLINKED, user, reason=reason, **_link_detail(link)))
    return events


def _deleted_events(claim, user, **detail):
    state = claim_state(claim, tags=[tag.name for tag in claim.tags.all()])
    return [
        _event(
            claim,
            ClaimEvent.Action.DELETED,
            user,
            state=state,
            claim_version=claim.version + 1,
            **_snapshot(claim),
            **detail,
        )
    ]


@transaction.atomic
def delete_claim(claim, *, user, expected_version=None):
    fresh = _lock_claim(claim, expected_version)
    events = _deleted_events(fresh, user)
    events += _unlinked_events(fresh, user, f"claim {fresh.pk} was deleted")
    ClaimEvent.objects.bulk_create(events)
    fresh.delete()  # its search entry goes with it (foreign key, CASCADE)


def _place_state(document, state):
    """A selector in ``document``'s current text for the quote ``state`` recorded, or RevertError."""
    selector = anchoring.Selector(
        state["quote"], state["prefix"], state["suffix"], state["start"], state["end"]
    )
    if not state["orphaned"] and not anchoring.check_selector(document.text, selector):
        return anchoring.selector_for(document.text, selector.start, selector.end)
    # The text was corrected since (or the state was orphaned): follow the passage from the
    # version it was anchored in to the current text, and accept only a confident, unchanged quote.
    old_text = (
        DocumentVersion.objects.filter(pk=state.get("anchored_version"), document=document)
        .values_list("text", flat=True)
        .first()
    )
    result = anchoring.reanchor(selector, document.text, old_text=old_text)
    if result.outcome in (anchoring.Outcome.KEPT, anchoring.Outcome.MOVED):
        return result.selector
    raise RevertError(
        f"The quote of that state, “{anchoring.excerpt(state['quote'], 80)}”, no longer fits the current "
        f"text ({result.reason}). Nothing was changed; re-place the claim by hand if needed."
    )


@transaction.atomic
def revert_claim(claim, event, *, user, expected_version=None):
    """Put a claim back into the state ``event`` recorded: fields, tags and selector.

    When the text was corrected since, the quote is re-anchored; if it no longer
    fits, RevertError says so and nothing changes. The revert is itself an event.
    """
    document = _lock_document(claim.document_id)
    fresh = _lock_claim(claim, expected_version)
    fresh.document = document
    if event.claim_id != fresh.pk:
        raise RevertError("That event belongs to another claim.")
    if not event.revertible:
        raise RevertError(
            "That event recorded no state to return to (it is older than full snapshots or is not a change "
            "of the claim)."
        )
    target = event.state
    if target["claimant"] is not None and not Person.objects.filter(pk=target["claimant"]).exists():
        raise RevertError("The claimant of that state has since been deleted; nothing was changed.")
    selector = _place_state(document, target)
    before = claim_state(fresh)
    for name in Claim.DETAIL_COLUMNS:
        setattr(fresh, Claim._meta.get_field(name).attname, target[name])
    fresh.set_selector(selector)
    fresh.orphaned = False
    fresh.anchored_version = ensure_first_version(document, user)
    wanted_tags = sorted(target["tags"])
    changed = _changes(before, claim_state(fresh, tags=wanted_tags))
    if not changed:
        raise RevertError("The claim is already in that state; nothing was changed.")
    if before["orphaned"]:
        fresh.anchor_note = "Re-placed by a revert"
    fresh.full_clean(exclude=CLEAN_EXCLUDE)
    _write(fresh, _row_names(changed) + ["anchor_note"])
    if "tags" in changed:
        fresh.tags.set(wanted_tags)
    after = claim_state(fresh)
    _event(
        fresh,
        ClaimEvent.Action.REVERTED,
        user,
        state=after,
        to_event=event.pk,
        to_version=event.claim_version,
        changed=_changes(before, after),
    ).save()
    if search.CLAIM_FIELDS.intersection(changed):
        search.index_claim(fresh)
    _adopt(claim, fresh, after)
    return claim


# --- links -----------------------------------------------------------------------------


def _link_detail(link):
    return {
        "link": link.pk,
        "from": link.from_claim_id,
        "relation": link.relation,
        "to": link.to_claim_id,
    }


def _lock_ends(*claim_pks):
    locked = {c.pk: c for c in _lock_claims(Claim.objects.filter(pk__in=set(claim_pks)))}
    for pk in claim_pks:
        if pk not in locked:
            raise ValidationError(f"Claim {pk} no longer exists; reload the page.")
    return locked


def _link_events(link, action, user, claims, **detail):
    return [
        _event(claims[pk], action, user, **_link_detail(link), **detail)
        for pk in dict.fromkeys([link.from_claim_id, link.to_claim_id])
    ]


@transaction.atomic
def link_claims(from_claim, to_claim, relation, *, user, note=""):
    """Link two claims in different documents (“``from_claim`` *relation* ``to_claim``”)."""
    claims = _lock_ends(from_claim.pk, to_claim.pk)
    link = ClaimLink(
        from_claim=claims[from_claim.pk],
        to_claim=claims[to_claim.pk],
        relation=relation,
        note=note,
        created_by=user,
    )
    link.full_clean()
    link.save()
    ClaimEvent.objects.bulk_create(_link_events(link, ClaimEvent.Action.LINKED, user, claims, note=note))
    return link


@transaction.atomic
def update_link(link, *, user, **fields):
    """Change a link's ends, relation or note; the claims at its old and new ends record it."""
    stored = ClaimLink.objects.get(pk=link.pk)
    before = {
        "from": stored.from_claim_id,
        "relation": stored.relation,
        "to": stored.to_claim_id,
        "note": stored.note,
    }
    for name, value in fields.items():
        setattr(stored, name, value)
    after = {
        "from": stored.from_claim_id,
        "relation": stored.relation,
        "to": stored.to_claim_id,
        "note": stored.note,
    }
    changed = _changes(before, after)
    if not changed:
        return stored
    claims = _lock_ends(before["from"], before["to"], after["from"], after["to"])
    stored.from_claim, stored.to_claim = claims[after["from"]], claims[after["to"]]
    stored.full_clean()
    stored.save()
    ends = dict.fromkeys([before["from"], before["to"], after["from"], after["to"]])
    ClaimEvent.objects.bulk_create(
        _event(claims[pk], ClaimEvent.Action.LINK_CHANGED, user, **_link_detail(stored), changed=changed)
        for pk in ends
    )
    return stored


@transaction.atomic
def unlink_claims(link, *, user):
    stored = ClaimLink.objects.filter(pk=link.pk).first()
    if stored is None:
        return
    claims = _lock_ends(stored.from_claim_id, stored.to_claim_id)
    ClaimEvent.objects.bulk_create(_link_events(stored, ClaimEvent.Action.UNLINKED, user, claims))
    stored.delete()


# --- deletions and renames that reach into claims --------------------------------------


@transaction.atomic
def delete_person(person, *, user):
    """Delete a person; each claim they were the claimant of records that it lost its claimant."""
    reason = f"claimant “{person.name}” was deleted"
    events = []
    for claim in _lock_claims(Claim.objects.filter(claimant=person)):
        before = claim_state(claim, tags=[tag.name for tag in claim.tags.all()])
        claim.claimant = None
        _write(claim, ["claimant"])
        after = {**before, "claimant": None}
        events.append(
            _event(
                claim,
                ClaimEvent.Action.EDITED,
                user,
                state=after,
                changed=_changes(before, after),
                reason=reason,
            )
        )
    ClaimEvent.objects.bulk_create(events)
    person.delete()


@transaction.atomic
def delete_document(document, *, user):
    """Delete a document with its claims, recording each claim's deletion first.

    The events stay (their claim and document keys are cleared), keeping the
    claim's id, its last state and the document's title.
    """
    document = _lock_document(document)
    reason = f"the document “{document.title}” was deleted"
    events = []
    for claim in _lock_claims(document.claims.all()):
        claim.document = document
        events += _deleted_events(claim, user, reason=reason)
        events += _unlinked_events(claim, user, reason)
    ClaimEvent.objects.bulk_create(events)
    document.delete()  # its search entries and its claims' go with it (foreign keys, CASCADE)


def _claims_tagged(tag):
    return Claim.objects.filter(tags=tag)


def retag_claims(claims, retag, *, user, reason, **detail):
    """Record on each of ``claims`` (a queryset) a change of its tags made by a tag-wide write.

    A rename, deletion or merge of tags changes the tags of every claim carrying
    them without going through :func:`update_claim`. The caller holds the
    tags' rows locked and makes the change itself, in the same transaction;
    this locks the claims (in pk order), increments each one's version and
    records an EDITED event whose state has ``retag(tag names)`` (a list of
    names) as its tags, with ``reason`` and ``detail``. Returns the claims.
    """
    claims = _lock_claims(claims)
    events = []
    for claim in claims:
        before = claim_state(claim, tags=[t.name for t in claim.tags.all()])
        _write(claim, [])
        after = {**before, "tags": sorted(set(retag(before["tags"])))}
        events.append(
            _event(
                claim,
                ClaimEvent.Action.EDITED,
                user,
                state=after,
                changed=_changes(before, after),
                reason=reason,
                **detail,
            )
        )
    ClaimEvent.objects.bulk_create(events)
    return claims


@transaction.atomic
def change_tag(tag, *, user, name, slug=None):
    """Rename a tag; every claim carrying it records the change of its tags."""
    from taggit.models import Tag

    validate_tag_names([name])
    stored = Tag.objects.select_for_update(no_key=True).get(pk=tag.pk)
    old_name = stored.name
    if name != old_name:
        retag_claims(
            _claims_tagged(stored),
            lambda names: [name if t == old_name else t for t in names],
            user=user,
            reason=f"tag “{old_name}” renamed to “{name}”",
        )
    stored.name = name
    if slug:
        stored.slug = slug
    stored.save()
    tag.name, tag.slug = stored.name, stored.slug
    return stored


@transaction.atomic
def delete_tag(tag, *, user):
    """Delete a tag; every claim carrying it records the change of its tags."""
    retag_claims(
        _claims_tagged(tag),
        lambda names: [t for t in names if t != tag.name],
        user=user,
        reason=f"tag “{tag.name}” was deleted",
    )
    tag.delete()


# --- reading texts ---------------------------------------------------------------------


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


def preview_correction(document, new_text, claims=None):
    """What a correction would do to the document's anchored claims, without saving."""
    if claims is None:
        claims = list(document.claims.filter(orphaned=False).order_by("pk"))
    selectors = [claim.selector for claim in claims]
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
def correct_text(document, new_text, *, user, reason, expected_version=None):
    """Save ``new_text`` as the next version and re-anchor every claim to it.

    Claims that cannot be placed with confidence are orphaned: kept, flagged,
    and left pointing into the version they were anchored in. With
    ``expected_version`` (the document version the corrector saw) a text
    corrected meanwhile is refused with Conflict.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Say why the text is being corrected."})
    if not new_text.strip():
        raise ValidationError({"text": "The reading text cannot be empty."})
    document = _lock_document(document)
    if expected_version is not None and document.version != int(expected_version):
        raise Conflict(TEXT_CONFLICT, document)
    if new_text == document.text:
        raise ValidationError({"text": "The corrected text is identical to the current text."})
    previous = ensure_first_version(document, user)
    claims = _lock_claims(document.claims.filter(orphaned=False))
    preview = preview_correction(document, new_text, claims=claims)
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion.objects.create(
        document=document, number=number, text=new_text, reason=reason.strip(), created_by=user
    )
    now = timezone.now()
    updated = Document.objects.filter(pk=document.pk, version=document.version).update(
        text=new_text, version=F("version") + 1, updated_at=now
    )
    if updated != 1:
        raise Conflict(TEXT_CONFLICT, Document.objects.filter(pk=document.pk).first())
    document.text, document.version, document.updated_at = new_text, document.version + 1, now

    changed_claims, events = [], []
    for claim, result in preview.results:
        claim.document = document
        old = _span(claim)
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
        # The claims are locked: their versions cannot move before this transaction ends.
        claim.version += 1
        claim.updated_at = now
        changed_claims.append(claim)
        events.append(
            _event(
                claim,
                action,
                user,
                state=claim_state(claim, tags=[tag.name for tag in claim.tags.all()]),
                outcome=result.outcome.value,
                score=round(result.score, 3),
                reason=result.reason,
                old=old,
                new=_span(claim),
                version=number,
            )
        )
    Claim.objects.bulk_update(
        changed_claims, [*Claim.PLACEMENT_FIELDS, "version", "updated_at"], batch_size=500
    )
    ClaimEvent.objects.bulk_create(events, batch_size=500)
    search.index_document(document)  # the text and the re-anchored claims' quotes
    echo_index.index_document(document)  # the old text's passages give way to the new one's
    return version, preview

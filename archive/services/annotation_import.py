"""Importing annotations made in other tools (W3C Web Annotations, Hypothesis) as claims.

``import_annotations`` reads a file's bytes and returns a :class:`Summary`
listing every annotation with what became of it: **placed** (a claim where
its quote is), **orphaned** (a claim kept but not highlighted: the document
is known but the quote is not in its text), **unknown document** (nothing
written), **skipped** (already imported, a page note without a quote, a
reply, a link between annotations) or **refused** (it breaks the format:
the summary says where, and nothing at all is written). It runs in two
steps: every annotation is checked and planned (read-only), then, unless it
is a dry run or something was refused, the claims are created in one
transaction through ``annotations.create_claim``, which records each one's
audit event.

Documents. An annotation's target (W3C ``target.source``/``id`` and
``scope``; Hypothesis ``target[].source`` and ``uri``) is matched, in that
order, as:

- an address of this archive's own reading page, ``/documents/<slug>/``, or
  of one of its versions (a bare path, or on one of ``hosts``: the site's
  ALLOWED_HOSTS, the upload request's host, ``--archive-host``); a slug the
  document had before works too;
- a document's ``original_url`` or ``archived_url``, compared after
  normalising both (``url_key``): http and https are the same, the host's
  case, a leading ``www.`` and a default port do not count, nor a trailing
  slash, percent-encoding of the path, the fragment (``#…``) or tracking
  parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``, ``mc_eid``);
  other query parameters do count, in their order.

Several documents with the same address: the one whose text holds the quote.

Placing (``archive.text.placement``): the quote and its context decide. A
TextPositionSelector counts characters of the text its tool saw; it is
trusted only for a W3C annotation whose target is this archive's reading
page (what Margins exports; a version's page may hold an older text), since
Hypothesis counts the whole web page's characters. RangeSelector and other selectors are ignored.

Notes and tags. A Hypothesis ``text`` is Markdown, as notes are, and is kept
as written. A W3C ``TextualBody`` with purpose ``tagging`` gives a tag; any
other TextualBody (``commenting``, ``describing``, none …) and ``bodyValue``
give the note, paragraphs joined; an HTML body (``format: text/html``) is
turned into the notes' Markdown subset (``archive.text.html_notes``), other
formats are kept as written. Notes are rendered sanitized, so markup in them
is shown as text. The Margins extension's ``kind``, ``status`` and
``claimant`` are kept when present (a claimant not found in the archive
leaves the claim unattributed, and the summary says so).

Provenance and idempotence. Each imported annotation leaves an
:class:`ImportedAnnotation` row (its id, format, author, target address and
the annotation as the file held it) and its claim's CREATED event says
where it came from. A second import of the same id skips it, even if its
claim has since been deleted. A W3C id that is a claim address of this
archive whose claim still exists is skipped too (this archive's own export).

Orphans. An annotation whose document is found but whose quote is not placed
with confidence becomes an orphaned claim, as a text correction leaves one:
kept with its quote, flagged (``anchor_note`` starts with
``Claim.NOT_PLACED_ON_IMPORT`` and says why), listed apart on the reading
page, and re-placed by an analyst with the reader's "Re-place". Orphans stay
drafts even when the import publishes.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http.request import validate_host
from django.urls import Resolver404, resolve
from pydantic import ValidationError as SchemaError

from archive.models import Claim, Document, DocumentSlug, ImportedAnnotation, Person, Visibility
from archive.services import annotations
from archive.services.annotation_shapes import (
    FORMATS,
    HYPOTHESIS,
    MODELS,
    W3C,
    FileRefused,
    PositionSelector,
    QuoteSelector,
    describe,
    json_type,
    local_name,
    read,
    text_fault,
)
from archive.text import anchoring, html_notes, placement
from archive.validators import tag_name_problem

__all__ = ["FileRefused", "ImportFailed", "Summary", "import_annotations", "url_key"]

# The longest quote an imported annotation may have (the claim-by-quote form's limit).
MAX_QUOTE = 20_000
PLACED, ORPHANED, UNKNOWN, SKIPPED, REFUSED = "placed", "orphaned", "unknown document", "skipped", "refused"
OUTCOMES = (PLACED, ORPHANED, UNKNOWN, SKIPPED, REFUSED)
# Tracking parameters that do not change which page an address names.
_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid)$", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Lookups per query (SQLite allows 999 variables in older builds).
_BATCH = 500


class ImportFailed(Exception):
    """The import could not be written (a concurrent writer); nothing was written."""


@dataclass
class Entry:
    """One annotation of the file and what became of it."""

    index: int  # 1-based, in the file's order
    external_id: str
    outcome: str
    message: str
    document: Document | None = None
    claim_id: int | None = None
    quote: str = ""

    @property
    def label(self):
        return f"annotation {self.index}" + (f" (id {self.external_id})" if self.external_id else "")


@dataclass
class Summary:
    name: str
    format: str
    container: str
    dry_run: bool
    entries: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: bool = False

    def of(self, outcome):
        return [entry for entry in self.entries if entry.outcome == outcome]

    @property
    def counts(self):
        return {outcome: len(self.of(outcome)) for outcome in OUTCOMES}

    @property
    def refused(self):
        return bool(self.of(REFUSED))

    def line(self):
        """The summary in one line, e.g. ``Imported: placed 11, kept 2 orphaned; unknown document 1, …``."""
        counts = self.counts
        rest = f"unknown document {counts[UNKNOWN]}, skipped {counts[SKIPPED]}, refused {counts[REFUSED]}"
        if self.refused:
            return (
                f"Refused: nothing was imported, as {counts[REFUSED]} annotation(s) were refused "
                f"(the others: would place {counts[PLACED]}, keep {counts[ORPHANED]} orphaned; {rest})."
            )
        if self.dry_run:
            return (
                f"Dry run: would place {counts[PLACED]}, keep {counts[ORPHANED]} orphaned; {rest}; "
                "nothing was saved."
            )
        return f"Imported: placed {counts[PLACED]}, kept {counts[ORPHANED]} orphaned; {rest}."


# --- what an annotation says, in one shape for both formats ------------------------------


@dataclass
class _Target:
    addresses: list[str]
    quote: QuoteSelector | None = None
    position: PositionSelector | None = None


@dataclass
class _Incoming:
    index: int
    external_id: str
    format: str
    raw: dict
    targets: list[_Target]
    note: str = ""
    tags: list[str] = field(default_factory=list)
    user: str = ""
    created: str = ""
    kind: str | None = None
    status: str | None = None
    claimant: list[str] = field(default_factory=list)  # its address and/or name
    skip: str = ""  # why this annotation is not a passage
    tag_places: list = field(default_factory=list)  # (where the file has it, tag name)


def _selectors(selectors):
    quote = next((s for s in selectors if isinstance(s, QuoteSelector)), None)
    position = next((s for s in selectors if isinstance(s, PositionSelector)), None)
    return quote, position


def _creator(value):
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = next(
            (value[key] for key in ("name", "nickname", "id") if isinstance(value.get(key), str)), None
        )
    return value[:300] if isinstance(value, str) else ""


def _w3c(index, raw, model):
    targets = []
    for target in model.target:
        if isinstance(target, str):
            targets.append(_Target([target]))
        else:
            targets.append(_Target([target.address, *target.scope], *_selectors(target.selector)))
    notes, tags = [], []
    in_array = isinstance(raw.get("body"), list)
    for number, body in enumerate(model.body):
        if isinstance(body, str) or not hasattr(body, "value"):
            continue  # an address or a body that is not text: nothing is fetched
        if "tagging" in {local_name(purpose) for purpose in body.purpose}:
            tags.append((f"body[{number}].value" if in_array else "body.value", body.value.strip()))
        elif (body.format or "").split(";")[0].strip().lower() == "text/html":
            notes.append(html_notes.html_to_note(body.value))
        else:
            notes.append(body.value.strip())
    if model.bodyValue:
        notes.append(model.bodyValue.strip())
    motivations = {local_name(motivation) for motivation in model.motivation}
    skip = ""
    if "linking" in motivations:
        skip = "a link between annotations (motivation “linking”); links are not imported"
    elif "replying" in motivations:
        skip = "a reply to another annotation (motivation “replying”), not a passage"
    return _Incoming(
        index,
        model.id,
        W3C,
        raw,
        targets,
        note="\n\n".join(note for note in notes if note),
        user=_creator(model.creator),
        created=model.created or "",
        kind=model.kind,
        status=model.status,
        claimant=model.claimant,
        skip=skip,
        tag_places=tags,
    )


def _hypothesis(index, raw, model):
    targets = []
    for target in model.target:
        addresses = [address for address in (target.source, model.uri) if address]
        targets.append(_Target(list(dict.fromkeys(addresses)), *_selectors(target.selector)))
    if not targets:
        targets.append(_Target([model.uri]))
    return _Incoming(
        index,
        model.id,
        HYPOTHESIS,
        raw,
        targets,
        note=model.text.strip(),
        user=(model.user or "")[:300],
        created=model.created or "",
        skip="a reply to another annotation, not a passage" if model.references else "",
        tag_places=[(f"tags[{number}]", tag.strip()) for number, tag in enumerate(model.tags)],
    )


def _choice(value, choices, where):
    """``value`` without a ``margins:`` prefix if it is one of ``choices``, else a refusal."""
    if value is None:
        return None, ""
    plain = value.removeprefix("margins:")
    if plain not in choices:
        return None, f"{where}: “{value}” is not one of {', '.join(choices)}"
    return plain, ""


def _check(index, raw, format, seen):
    """``(_Incoming, "")``, or ``(None, "path: what is wrong")`` for a refused annotation."""
    if not isinstance(raw, dict):
        return None, f"must be an object, not {json_type(raw)}"
    problem = text_fault(raw)
    if problem:
        return None, problem
    model = MODELS[format]
    try:
        parsed = model.model_validate(raw)
    except SchemaError as error:
        return None, describe(error, raw)
    if parsed.id in seen:
        return None, f"id: “{parsed.id}” is also the id of annotation {seen[parsed.id]}"
    incoming = _w3c(index, raw, parsed) if format == W3C else _hypothesis(index, raw, parsed)
    for where, tag in incoming.tag_places:
        problem = tag_name_problem(tag)
        if problem:
            return None, f"{where}: {problem}"
    incoming.tags = [tag for _where, tag in incoming.tag_places]
    for name, choices in (("kind", Claim.Kind.values), ("status", Claim.Status.values)):
        key = f"margins:{name}" if f"margins:{name}" in raw else name
        value, problem = _choice(getattr(incoming, name), choices, key)
        if problem:
            return None, problem
        setattr(incoming, name, value)
    for number, target in enumerate(incoming.targets):
        if target.quote is not None and len(target.quote.exact) > MAX_QUOTE:
            where = (
                "target" if format == W3C and not isinstance(raw.get("target"), list) else f"target[{number}]"
            )
            return (
                None,
                f"{where}: the quote is {len(target.quote.exact):,} characters long; at most {MAX_QUOTE:,}",
            )
    seen[parsed.id] = index
    return incoming, ""


# --- finding the document ------------------------------------------------------------------


def url_key(address):
    """``address`` normalised for comparison (see the module's docstring), or None if not http(s)."""
    try:
        parts = urlsplit(address.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # kept as written: compared as written on both sides
    if port is not None and port not in _DEFAULT_PORTS.values():
        host += f":{port}"
    path = unquote(parts.path).rstrip("/")
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING.match(key)
    ]
    return host + path + (f"?{urlencode(query)}" if query else "")


@dataclass
class _Found:
    documents: list  # Document instances (text loaded)
    how: str  # "archive" (this archive's reading page), "original URL", "archived URL"
    address: str


class _Finder:
    """Documents by address, each address looked up once per import."""

    def __init__(self, hosts):
        self.hosts = [host for host in hosts if host]
        self.by_slug = {}
        self._keys = None
        self._documents = {}

    def archive_match(self, address):
        """The resolver match of ``address`` if it is an address of this archive, else None."""
        try:
            parts = urlsplit(address.strip())
        except ValueError:  # e.g. "https://[::1": not an address at all
            return None
        if parts.scheme or parts.netloc:
            if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
                return None
            if not validate_host(parts.hostname.lower(), self.hosts):
                return None
        elif not parts.path.startswith("/"):
            return None
        path = unquote(parts.path)
        for candidate in (path, path + "/") if not path.endswith("/") else (path,):
            try:
                return resolve(candidate)
            except Resolver404:
                continue
        return None

    def own_claim(self, address):
        """The pk of the claim of this archive that ``address`` names, if that claim exists."""
        match = self.archive_match(address)
        if match is None or match.view_name not in ("archive:claim_detail", "archive:claim_short"):
            return None
        pk = match.kwargs.get("pk")
        return pk if Claim.objects.filter(pk=pk).exists() else None

    def _document(self, pk):
        if pk not in self._documents:
            self._documents[pk] = Document.objects.filter(pk=pk).first()
        return self._documents[pk]

    def _url_keys(self):
        """Every document's normalised original and archived URLs: one read per import."""
        if self._keys is None:
            self._keys = {}
            rows = (
                Document.objects.exclude(original_url="", archived_url="")
                .values_list("pk", "original_url", "archived_url")
                .order_by("pk")
                .iterator(chunk_size=2000)
            )
            for pk, original, archived in rows:
                for url, how in ((original, "original URL"), (archived, "archived URL")):
                    key = url_key(url) if url else None
                    if key:
                        self._keys.setdefault(key, {}).setdefault(pk, how)
        return self._keys

    def find(self, address):
        """A :class:`_Found` for ``address``, or None."""
        match = self.archive_match(address)
        if match is not None and match.view_name in ("archive:document_detail", "archive:document_version"):
            slug = match.kwargs["slug"]
            if slug not in self.by_slug:
                pk = Document.objects.filter(slug=slug).values_list("pk", flat=True).first()
                if pk is None:
                    pk = DocumentSlug.objects.filter(slug=slug).values_list("document", flat=True).first()
                self.by_slug[slug] = pk
            if self.by_slug[slug] is None:
                return None
            # A version's page (where an orphan was anchored) names the document, but its
            # offsets count characters of that version, not of the current text.
            how = "archive" if match.view_name == "archive:document_detail" else "archive version"
            return _Found([self._document(self.by_slug[slug])], how, address)
        key = url_key(address)
        found = self._url_keys().get(key) if key else None
        if not found:
            return None
        how = " and ".join(sorted(set(found.values())))
        return _Found([self._document(pk) for pk in sorted(found)], how, address)


# --- deciding what each annotation becomes -----------------------------------------------


@dataclass
class _Plan:
    incoming: _Incoming
    entry: Entry
    document: Document | None = None
    selector: anchoring.Selector | None = None
    address: str = ""
    claimant: Person | None = None
    anchor_note: str = ""


def _resolve_claimant(reference, finder):
    """The person ``reference`` (this archive's person address, or a name or alias) names, or None."""
    match = finder.archive_match(reference) if "/" in reference else None
    if match is not None and match.view_name == "archive:person_detail":
        return Person.objects.filter(slug=match.kwargs["slug"]).first()
    wanted = " ".join(reference.split()).casefold()
    for person in Person.objects.filter(Q(name__iexact=wanted) | Q(aliases__icontains=wanted))[:20]:
        if person.name.casefold() == wanted or wanted in (alias.casefold() for alias in person.alias_list):
            return person
    return None


def _orphan_selector(quote, target, trusted):
    """The orphan's selectors: its quote and context (cut to what a claim holds), at its position
    when that position counts characters of the reading text and spans the quote, else at 0."""
    start, end = 0, len(quote.exact)
    position = target.position
    if trusted and position is not None and position.end - position.start == len(quote.exact):
        start, end = position.start, position.end
    return anchoring.Selector(quote.exact, quote.prefix[-200:], quote.suffix[:200], start, end)


def _plan(incoming, finder, already, entry):
    """Fill ``entry`` (and the returned plan) with what ``incoming`` becomes."""
    plan = _Plan(incoming, entry)
    if incoming.external_id in already:
        claim_id = already[incoming.external_id]
        entry.outcome = SKIPPED
        entry.claim_id = claim_id
        entry.message = "already imported" + (
            f" (claim {claim_id})" if claim_id else " (its claim has since been deleted)"
        )
        return plan
    if incoming.format == W3C:
        own = finder.own_claim(incoming.external_id)
        if own is not None:
            entry.outcome, entry.claim_id = SKIPPED, own
            entry.message = f"already in this archive as claim {own} (its id is that claim's address)"
            return plan
    if incoming.skip:
        entry.outcome, entry.message = SKIPPED, incoming.skip
        return plan

    located = []  # (target, found)
    for target in incoming.targets:
        found = next(filter(None, (finder.find(address) for address in target.addresses)), None)
        if found is not None:
            located.append((target, found))
    if not located:
        tried = sorted({address for target in incoming.targets for address in target.addresses})
        entry.outcome = UNKNOWN
        entry.message = "no document of this archive has the address " + " or ".join(
            f"“{anchoring.excerpt(address, 120)}”" for address in tried
        )
        return plan
    named = {found.documents[0].pk: found.documents[0] for _target, found in located}
    if len(named) > 1:
        entry.outcome = SKIPPED
        slugs = ", ".join(document.slug for document in named.values())
        entry.message = f"its targets name different documents ({slugs}); a claim has one place"
        return plan
    with_text = [(target, found) for target, found in located if target.quote or target.position]
    if not with_text:
        entry.outcome, entry.document = SKIPPED, located[0][1].documents[0]
        entry.message = "no quote: a note on the whole document (page note), not on a passage"
        return plan
    target, found = with_text[0]
    trusted = incoming.format == W3C and found.how == "archive"
    if target.quote is None and not trusted:
        entry.outcome, entry.document = SKIPPED, found.documents[0]
        entry.message = (
            "no quote, only a TextPositionSelector, which counts characters of the page its tool "
            "showed, not of this archive's reading text"
        )
        return plan
    quote = target.quote or QuoteSelector.model_construct(exact="", prefix="", suffix="")
    position = (target.position.start, target.position.end) if trusted and target.position else None
    results = [
        (document, placement.place(document.text, quote.exact, quote.prefix, quote.suffix, position))
        for document in found.documents
    ]
    placed = [(document, result) for document, result in results if result.placed]
    plan.address = found.address
    via = {"archive": "its address", "archive version": "the address of one of its versions"}.get(
        found.how, f"its {found.how}"
    )
    if len(placed) == 1:
        document, result = placed[0]
        plan.document, plan.selector = document, result.selector
        entry.outcome, entry.document, entry.quote = PLACED, document, result.selector.quote
        entry.message = f"placed in “{document.title}” (found by {via}): {result.reason}"
    elif len(placed) > 1:
        entry.outcome = SKIPPED
        entry.message = (
            f"{len(found.documents)} documents have the address “{found.address}” and the quote is in "
            f"{len(placed)} of them ({', '.join(document.slug for document, _r in placed)}); "
            "import it by the archive address of the one it belongs to"
        )
    elif len(found.documents) > 1:
        entry.outcome = SKIPPED
        entry.message = (
            f"{len(found.documents)} documents have the address “{found.address}” and none holds the quote"
        )
    elif not quote.exact:
        entry.outcome, entry.document = SKIPPED, found.documents[0]
        entry.message = f"no quote, and its position cannot be placed: {results[0][1].reason}"
    else:
        document, result = results[0]
        plan.document = document
        plan.selector = _orphan_selector(quote, target, trusted)
        entry.outcome, entry.document, entry.quote = ORPHANED, document, quote.exact
        # Re-anchoring's words ("orphaned: nothing in the new text resembles…") said for an import.
        reason = result.reason.replace("(orphaned: ", "(").replace("the new text", "the text")
        entry.message = f"kept orphaned in “{document.title}” (found by {via}): the quote {reason}"
        plan.anchor_note = f"{Claim.NOT_PLACED_ON_IMPORT} from {FORMATS[incoming.format]}: the quote {reason}"
    if entry.outcome in (PLACED, ORPHANED) and incoming.claimant:
        plan.claimant = next(
            filter(None, (_resolve_claimant(ref, finder) for ref in incoming.claimant)), None
        )
        if plan.claimant is None:
            entry.message += (
                f"; claimant “{incoming.claimant[-1]}” is not a person of this archive, left unattributed"
            )
    return plan


def _already_imported(ids):
    found = {}
    ids = list(ids)
    for start in range(0, len(ids), _BATCH):
        rows = ImportedAnnotation.objects.filter(external_id__in=ids[start : start + _BATCH])
        found.update(rows.values_list("external_id", "claim_id"))
    return found


# --- writing -------------------------------------------------------------------------------


def _write(plan, *, user, publish, name):
    incoming, entry = plan.incoming, plan.entry
    orphaned = entry.outcome == ORPHANED
    fields = {
        "note": incoming.note,
        "visibility": Visibility.PUBLISHED if publish and not orphaned else Visibility.DRAFT,
        "claimant": plan.claimant,
    }
    if incoming.kind:
        fields["kind"] = incoming.kind
    if incoming.status:
        fields["status"] = incoming.status
    if orphaned:
        fields.update(orphaned=True, anchor_note=plan.anchor_note[:300])
    format_name = FORMATS[incoming.format]
    reason = f"imported from {format_name} annotation {incoming.external_id}"
    if incoming.user:
        reason += f" by {incoming.user}"
    provenance = {
        "reason": reason,
        "imported": {
            "format": incoming.format,
            "id": incoming.external_id,
            "user": incoming.user,
            "target": plan.address,
            "created": incoming.created,
            "file": name,
        },
    }
    claim = annotations.create_claim(
        plan.document, plan.selector, user=user, tags=incoming.tags, provenance=provenance, **fields
    )
    ImportedAnnotation.objects.create(
        external_id=incoming.external_id,
        source_format=incoming.format,
        claim=claim,
        document=plan.document,
        outcome=ImportedAnnotation.Outcome.ORPHANED if orphaned else ImportedAnnotation.Outcome.PLACED,
        external_user=incoming.user,
        target_url=plan.address,
        file_name=name[:300],
        imported_by=user,
        raw=incoming.raw,
    )
    entry.claim_id = claim.pk


def import_annotations(
    data: bytes,
    *,
    name,
    hosts,
    format="auto",
    user=None,
    publish=False,
    dry_run=False,
    progress=None,
    limit=None,
):
    """Import the annotations in ``data`` (the bytes of the file called ``name``); return a :class:`Summary`.

    ``hosts`` are the host names whose ``/documents/<slug>/`` addresses are this
    archive's (ALLOWED_HOSTS patterns). ``user`` is recorded as the claims'
    creator. Raises FileRefused when the file cannot be read as annotations,
    ImportFailed when a concurrent writer got in the way; in both cases, as when
    an annotation is refused, nothing is written. ``progress(done, total)`` is
    called as claims are written. With ``limit``, a file of more annotations is
    refused (the upload page bounds the work of one request).
    """
    contents = read(data, format)
    if limit is not None and len(contents.annotations) > limit:
        raise FileRefused(
            f"holds {len(contents.annotations):,} annotations; at most {limit:,} are imported here at once "
            "(split the file, or use manage.py import_annotations)"
        )
    summary = Summary(name, contents.format, contents.container, dry_run, notes=list(contents.notes))
    seen, checked = {}, []
    for index, raw in enumerate(contents.annotations, 1):
        incoming, problem = _check(index, raw, contents.format, seen)
        if incoming is None:
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            label = (
                anchoring.excerpt(raw_id, 120) if isinstance(raw_id, str) and not text_fault(raw_id) else ""
            )
            summary.entries.append(Entry(index, label, REFUSED, problem))
        else:
            checked.append(incoming)
            summary.entries.append(Entry(index, incoming.external_id, "", ""))
    finder = _Finder(hosts)
    already = _already_imported(incoming.external_id for incoming in checked)
    entries = {entry.index: entry for entry in summary.entries}
    plans = [_plan(incoming, finder, already, entries[incoming.index]) for incoming in checked]
    if summary.refused or dry_run:
        return summary
    writes = [plan for plan in plans if plan.entry.outcome in (PLACED, ORPHANED)]
    try:
        with transaction.atomic():
            for done, plan in enumerate(writes, 1):
                _write(plan, user=user, publish=publish, name=name)
                if progress is not None:
                    progress(done, len(writes))
    except IntegrityError:
        raise ImportFailed(
            "another import of some of these annotations ran at the same time; nothing was imported. "
            "Run it again: what the other import wrote is skipped."
        ) from None
    except ValidationError as error:
        # The document's text was corrected between the check and the write.
        raise ImportFailed(
            f"a document's text changed while importing ({'; '.join(error.messages)}); nothing was imported. "
            "Run it again."
        ) from None
    summary.written = True
    return summary

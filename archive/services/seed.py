"""Loading the seed corpus described by ``fixtures/seed.toml``.

The manifest gives sources, people, the provenance of each capture (the raw
text is read from the capture file and pinned by its SHA-256, never copied
into the manifest), document relations, claims and claim links.

Claims give only their quote (and, when a quote occurs more than once, a
prefix or suffix): both selectors are computed by ``anchoring.find_quote``
against the cleaned reading text, so an offset is never typed by hand.

Loading is idempotent. Documents are matched by the SHA-256 of their raw
text, claims by document and span, sources and people by slug, relations by
document, kind and target, links by their two claims and relation. What
already exists is left as it is, since analysts may have edited it since.
Everything happens in one transaction: a single bad entry saves nothing.
"""

import datetime
import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import pydantic
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from archive.models import Claim, Document, DocumentRelation, Person, Source, Visibility, sha256_hex
from archive.services import annotations, imports
from archive.services.shapes import Strict, StrippedList, fault, not_blank, one_of, says
from archive.text import anchoring, capture

SEED_PATH = Path(settings.BASE_DIR) / "fixtures" / "seed.toml"

REQUIRED = "“{field}” is required and must be a non-empty string"
Required = Annotated[str, says(REQUIRED), not_blank(REQUIRED)]
Strings = Annotated[StrippedList, says("“{field}” must be a list of non-empty strings")]
Tables = Annotated[list[dict], says("“{field}” must be a list of tables ([[{field}]])")]
Setting = Annotated[str, says("“{field}” must be a string")]
Date = Annotated[
    datetime.date | Annotated[str, pydantic.AfterValidator(datetime.date.fromisoformat)],
    says("“{field}” must be a date such as 2025-01-01, not {value}"),
]
PrefixOrSuffix = Annotated[str, says("“prefix” and “suffix” must be strings")]
CHOICE = "{field} “{value}” is not one of {choices}"


class SeedFile(Strict):
    """The sections, in the order they are loaded."""

    sources: Tables = []
    people: Tables = []
    capture: Annotated[dict, says("“{field}” must be a table ([capture])")] = {}
    documents: Tables = []
    relations: Tables = []
    claims: Tables = []
    claim_links: Tables = []


class CaptureSettings(Strict):
    directory: Setting = "captures"
    captured_by: Setting = ""
    capture_method: Annotated[Setting, one_of(Document.CaptureMethod.values, CHOICE)] = (
        Document.CaptureMethod.FILE_IMPORT
    )
    provenance_note: Setting = ""


def _entry_model(name, unchecked, **checked):
    """One kind of entry: its ``checked`` fields, then the ``unchecked`` ones, left to
    the Django model they fill (full_clean) or to ``imports.manifest_fields``."""
    return pydantic.create_model(name, __base__=Strict, **checked, **dict.fromkeys(unchecked, (Any, None)))


SourceEntry = _entry_model(
    "SourceEntry", ("name", "kind", "homepage", "country", "notes"), slug=(Required, ...)
)
PersonEntry = _entry_model("PersonEntry", ("name", "role"), slug=(Required, ...), aliases=(Strings, []))
# A capture's provenance is what ``imports.manifest_fields`` reads, but who
# captured it and when come from [capture].
DocumentEntry = _entry_model(
    "DocumentEntry",
    (name for name in imports.FIELDS if name not in ("captured_at", "captured_by")),
    key=(Required, ...),
    file=(Required, ...),
    sha256=(Required, ...),
)
RelationEntry = _entry_model(
    "RelationEntry",
    ("kind", "external_title", "external_url", "external_date_precision", "note"),
    document=(Required, ...),
    target=(Required, None),
    external_date=(Date, None),
)
ClaimEntry = _entry_model(
    "ClaimEntry",
    ("note",),
    key=(Required, ...),
    document=(Required, ...),
    quote=(Required, ...),
    prefix=(PrefixOrSuffix, ""),
    suffix=(PrefixOrSuffix, ""),
    claimant=(Required, None),
    tags=(Strings, []),
    kind=(Annotated[Any, one_of(Claim.Kind.values, CHOICE)], None),
    status=(Annotated[Any, one_of(Claim.Status.values, CHOICE)], None),
    visibility=(Annotated[Any, one_of(Visibility.values, CHOICE)], None),
)
ClaimLinkEntry = _entry_model(
    "ClaimLinkEntry",
    ("note",),
    **{"from": (Required, ...), "to": (Required, ...), "relation": (Required, ...)},
)


class SeedError(ValueError):
    """The seed manifest, or a capture it names, cannot be loaded as written."""


@dataclass
class Tally:
    total: int = 0
    new: int = 0

    def count(self, created):
        self.total += 1
        self.new += int(created)


@dataclass
class SeedResult:
    dry_run: bool = False
    sources: Tally = field(default_factory=Tally)
    people: Tally = field(default_factory=Tally)
    documents: Tally = field(default_factory=Tally)
    relations: Tally = field(default_factory=Tally)
    claims: Tally = field(default_factory=Tally)
    links: Tally = field(default_factory=Tally)
    links_skipped: bool = False
    # Claims (and their links) left alone because an analyst corrected the
    # document's text since it was loaded and the quote no longer occurs.
    claims_left_alone: list = field(default_factory=list)

    def summary(self):
        def part(tally, noun):
            return f"{tally.total} {noun} ({tally.new} new)"

        links = "links skipped (no ClaimLink model)" if self.links_skipped else part(self.links, "links")
        line = (
            f"Seed: {part(self.documents, 'documents')}, {part(self.claims, 'claims')}, {links}; "
            f"{part(self.sources, 'sources')}, {part(self.people, 'people')}, "
            f"{part(self.relations, 'relations')}"
        )
        if self.claims_left_alone:
            line += (
                f"; {len(self.claims_left_alone)} claim(s) left alone because their document's text "
                f"was corrected since it was loaded: {', '.join(self.claims_left_alone)}"
            )
        if self.dry_run:
            line += ". Dry run: nothing was saved."
        return line


def _claim_link_model():
    """The ClaimLink model, or None on a schema that does not have it yet."""
    if not apps.is_installed("archive"):
        return None
    from archive import models

    return getattr(models, "ClaimLink", None)


def _full_clean(instance, where, **kwargs):
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        raise SeedError(f"{where}: {imports.describe(error)}") from None


def _checked(model, values, where, noun="field"):
    """``values`` checked by ``model``; a fault raises SeedError at ``where``."""
    try:
        return model.model_validate(values)
    except pydantic.ValidationError as error:
        _, _, message = fault(error, model.model_fields, required=REQUIRED, noun=noun, alphabetical=True)
        raise SeedError(f"{where}: {message}.") from None


def _entries(manifest, section, model, path, place):
    """Check all the section's entries with ``model``, then yield each (as written,
    but for what the check tidies) and ``place(number, entry)``, which names it.

    An entry at fault is named by ``place(number, entry, field)``; but unknown
    fields are refused first, and by section, since the fields are the section's.
    """
    entries = manifest[section]
    try:
        checked = pydantic.TypeAdapter(list[model]).validate_python(entries)
    except pydantic.ValidationError as error:
        (index,), field, message = fault(error, model.model_fields, required=REQUIRED, alphabetical=True)
        where = (
            f"{path}, {section} entry {index + 1}"
            if field is None
            else place(index + 1, entries[index], field)
        )
        raise SeedError(f"{where}: {message}.") from None
    for number, entry in enumerate(checked, 1):
        entry = entry.model_dump(exclude_unset=True)
        yield entry, place(number, entry)


def read_manifest(path):
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SeedError(f"{path}: cannot be read: {error.strerror}.") from None
    except UnicodeDecodeError as error:
        raise SeedError(f"{path}: not valid UTF-8 at byte offset {error.start}.") from None
    try:
        manifest = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SeedError(f"{path}: not valid TOML: {error}.") from None
    return _checked(SeedFile, manifest, path, noun="section").model_dump()


def load_seed(path=SEED_PATH, *, dry_run=False):
    """Load the seed manifest at ``path``; return a :class:`SeedResult`.

    Raises SeedError, naming the entry at fault, and saves nothing when any
    entry cannot be loaded. With ``dry_run`` everything is checked against the
    database inside a transaction that is then rolled back.
    """
    path = Path(path)
    manifest = read_manifest(path)
    result = SeedResult(dry_run=dry_run)
    with transaction.atomic():
        _load_sources(manifest, path, result)
        _load_people(manifest, path, result)
        documents = _load_documents(manifest, path, result)
        _load_relations(manifest, path, documents, result)
        claims = _load_claims(manifest, path, documents, result)
        _load_links(manifest, path, claims, result)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _load_sources(manifest, path, result):
    def place(number, entry, field=None):
        return f"{path}, source {entry.get('slug') or number}"

    for entry, where in _entries(manifest, "sources", SourceEntry, path, place):
        created = not Source.objects.filter(slug=entry["slug"]).exists()
        if created:
            source = Source(**entry)
            _full_clean(source, where)
            source.save()
        result.sources.count(created)


def _load_people(manifest, path, result):
    def place(number, entry, field=None):
        return f"{path}, person {entry.get('slug') or number}"

    for entry, where in _entries(manifest, "people", PersonEntry, path, place):
        created = not Person.objects.filter(slug=entry["slug"]).exists()
        if created:
            person = Person(**{**entry, "aliases": "\n".join(entry.get("aliases", []))})
            _full_clean(person, where)
            person.save()
        result.people.count(created)


def _capture_settings(manifest, path):
    table = _checked(CaptureSettings, manifest["capture"], f"{path}, [capture]")
    # An absolute directory is used as it is (pathlib ignores the base then).
    return path.parent / table.directory, table.capture_method, table.captured_by, table.provenance_note


def _read_capture(directory, entry, where):
    capture_path = directory / entry["file"]
    try:
        data = capture_path.read_bytes()
    except OSError as error:
        raise SeedError(f"{where}: cannot read the capture {capture_path}: {error.strerror}.") from None
    expected = entry["sha256"].lower()
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise SeedError(
            f"{where}: the capture {capture_path} has SHA-256 {actual}, but the seed expects {expected}. "
            "A capture never changes: restore the original file."
        )
    try:
        return capture.decode_capture(data, str(capture_path), settings.MARGINS_MAX_CAPTURE_BYTES)
    except capture.CaptureError as error:
        raise SeedError(f"{where}: {error}") from None


def _load_documents(manifest, path, result):
    directory, method, captured_by, provenance_note = _capture_settings(manifest, path)
    documents = {}

    def place(number, entry, field=None):
        if field == "key":
            return f"{path}, document {number}"
        where = f"{path}, document “{entry['key']}”"
        if entry["key"] in documents:
            raise SeedError(f"{where}: the key “{entry['key']}” is used by an earlier document.")
        return where

    for entry, where in _entries(manifest, "documents", DocumentEntry, path, place):
        raw_text = _read_capture(directory, entry, where)
        provenance = {name: value for name, value in entry.items() if name not in ("key", "sha256")}
        provenance.setdefault("visibility", Visibility.PUBLISHED)
        try:
            # Checked on every run, so a mistake in the manifest shows even
            # when the document was loaded before.
            fields = imports.manifest_fields(provenance, where=where)
        except capture.CaptureError as error:
            raise SeedError(str(error)) from None
        document = Document.objects.filter(raw_sha256=sha256_hex(raw_text)).first()
        created = document is None
        if created:
            notes = "\n\n".join(filter(None, (fields.get("provenance_notes", ""), provenance_note)))
            fields.update(provenance_notes=notes, captured_by=captured_by)
            try:
                document, _cleaned = imports.create_document(
                    raw_text, fields=fields, capture_method=method, name=entry["file"]
                )
            except capture.CaptureError as error:
                raise SeedError(f"{where}: {error}") from None
        documents[entry["key"]] = document
        result.documents.count(created)
    return documents


def _load_relations(manifest, path, documents, result):
    def place(number, entry, field=None):
        return f"{path}, relation {number}"

    for values, where in _entries(manifest, "relations", RelationEntry, path, place):
        values["document"] = _document(documents, values["document"], where)
        if "target" in values:
            values["target"] = _document(documents, values["target"], where)
        existing = DocumentRelation.objects.filter(
            document=values["document"],
            kind=values.get("kind", ""),
            target=values.get("target"),
            external_title=values.get("external_title", ""),
        )
        created = not existing.exists()
        if created:
            relation = DocumentRelation(**values)
            _full_clean(relation, where)
            relation.save()
        result.relations.count(created)


def _document(documents, key, where):
    try:
        return documents[key]
    except KeyError:
        raise SeedError(f"{where}: no document has the key “{key}”.") from None


def _load_claims(manifest, path, documents, result):
    claims = {}

    def place(number, entry, field=None):
        """Where a claim is: in its document, once its key and document are known good."""
        if field == "key":
            return f"{path}, claim {number}"
        where = f"{path}, claim “{entry['key']}”"
        if entry["key"] in claims:
            raise SeedError(f"{where}: the key is used by an earlier claim.")
        if field == "document":
            return where
        document = _document(documents, entry["document"], where)
        return f"{where} in document “{entry['document']}” ({document.title})"

    for entry, where in _entries(manifest, "claims", ClaimEntry, path, place):
        key, quote = entry["key"], entry["quote"]
        document = documents[entry["document"]]
        corrected = document.versions.filter(number__gt=1).exists()
        try:
            selector = anchoring.find_quote(
                document.text, quote, entry.get("prefix", ""), entry.get("suffix", "")
            )
        except (anchoring.QuoteNotFound, anchoring.QuoteAmbiguous) as error:
            if not corrected:
                raise SeedError(f"{where}: {error}") from None
            selector = None

        fields = {name: entry[name] for name in ("kind", "status", "visibility", "note") if name in entry}
        fields.setdefault("visibility", Visibility.PUBLISHED)
        if "claimant" in entry:
            fields["claimant"] = Person.objects.filter(slug=entry["claimant"]).first()
            if fields["claimant"] is None:
                raise SeedError(
                    f"{where}: no person has the slug “{entry['claimant']}”; add it under [[people]]."
                )

        if corrected:
            # After a correction the claim may have moved, changed or been
            # orphaned: recognise it by its original quote wherever it is now.
            claim = (
                Claim.objects.filter(document=document, events__action="created", events__detail__quote=quote)
                .order_by("pk")
                .first()
            )
            if claim is None and selector is None:
                result.claims_left_alone.append(key)
                continue
        else:
            claim = None
        if claim is None:
            claim = Claim.objects.filter(document=document, start=selector.start, end=selector.end).first()
        created = claim is None
        if created:
            try:
                claim = annotations.create_claim(
                    document, selector, user=None, tags=entry.get("tags", []), **fields
                )
            except ValidationError as error:
                raise SeedError(f"{where}: {imports.describe(error)}") from None
        claims[key] = claim
        result.claims.count(created)
    return claims


def _load_links(manifest, path, claims, result):
    def place(number, entry, field=None):
        where = f"{path}, claim link {number}"
        if field in ("from", "to"):
            return where
        return f"{where} ({entry['from']} {entry.get('relation', '?')} {entry['to']})"

    entries = list(_entries(manifest, "claim_links", ClaimLinkEntry, path, place))
    ClaimLink = _claim_link_model()
    if ClaimLink is None:
        result.links_skipped = True
        return
    for number, (entry, where) in enumerate(entries, 1):
        ends = {}
        for end in ("from", "to"):
            key = entry[end]
            if key in result.claims_left_alone:
                break
            if key not in claims:
                named = place(number, entry, end)
                raise SeedError(f"{named}: “{end}” names the claim “{key}”, which the seed does not define.")
            ends[end] = claims[key]
        if len(ends) < 2:
            continue
        relation = entry["relation"]
        choices = [value for value, _label in ClaimLink._meta.get_field("relation").choices]
        if relation not in choices:
            raise SeedError(f"{where}: relation “{relation}” is not one of {', '.join(choices)}.")
        existing = ClaimLink.objects.filter(from_claim=ends["from"], to_claim=ends["to"], relation=relation)
        created = not existing.exists()
        if created:
            try:
                annotations.link_claims(
                    ends["from"], ends["to"], relation, user=None, note=entry.get("note", "")
                )
            except ValidationError as error:
                raise SeedError(f"{where}: {imports.describe(error)}") from None
        result.links.count(created)

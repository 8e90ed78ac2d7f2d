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

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from archive.models import Claim, Document, DocumentRelation, Person, Source, Visibility, sha256_hex
from archive.services import annotations, imports
from archive.text import anchoring, capture

SEED_PATH = Path(settings.BASE_DIR) / "fixtures" / "seed.toml"

SECTIONS = {"capture", "sources", "people", "documents", "relations", "claims", "claim_links"}
CAPTURE_KEYS = {"directory", "captured_by", "capture_method", "provenance_note"}
SOURCE_KEYS = {"slug", "name", "kind", "homepage", "country", "notes"}
PERSON_KEYS = {"slug", "name", "role", "aliases"}
# Everything ``imports.manifest_fields`` understands, plus the manifest's own key and checksum.
DOCUMENT_KEYS = {"key", "file", "sha256", *imports.FIELDS} - {"captured_at", "captured_by"}
RELATION_KEYS = {
    "document",
    "kind",
    "target",
    "external_title",
    "external_url",
    "external_date",
    "external_date_precision",
    "note",
}
CLAIM_KEYS = {
    "key",
    "document",
    "quote",
    "prefix",
    "suffix",
    "claimant",
    "kind",
    "status",
    "tags",
    "visibility",
    "note",
}
LINK_KEYS = {"from", "to", "relation", "note"}


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


def _entries(manifest, section, allowed, path):
    entries = manifest.get(section, [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise SeedError(f"{path}: “{section}” must be a list of tables ([[{section}]]).")
    for number, entry in enumerate(entries, 1):
        unknown = sorted(set(entry) - allowed)
        if unknown:
            raise SeedError(
                f"{path}, {section} entry {number}: unknown field “{unknown[0]}”; "
                f"the fields are {', '.join(sorted(allowed))}."
            )
    return entries


def _require(entry, key, where):
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SeedError(f"{where}: “{key}” is required and must be a non-empty string.")
    return value


def _string_list(entry, key, where):
    value = entry.get(key, [])
    if not (isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)):
        raise SeedError(f"{where}: “{key}” must be a list of non-empty strings.")
    return [item.strip() for item in value]


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
    unknown = sorted(set(manifest) - SECTIONS)
    if unknown:
        raise SeedError(
            f"{path}: unknown section “{unknown[0]}”; the sections are {', '.join(sorted(SECTIONS))}."
        )
    return manifest


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
    for number, entry in enumerate(_entries(manifest, "sources", SOURCE_KEYS, path), 1):
        where = f"{path}, source {entry.get('slug') or number}"
        slug = _require(entry, "slug", where)
        created = not Source.objects.filter(slug=slug).exists()
        if created:
            source = Source(**entry)
            _full_clean(source, where)
            source.save()
        result.sources.count(created)


def _load_people(manifest, path, result):
    for number, entry in enumerate(_entries(manifest, "people", PERSON_KEYS, path), 1):
        where = f"{path}, person {entry.get('slug') or number}"
        slug = _require(entry, "slug", where)
        created = not Person.objects.filter(slug=slug).exists()
        if created:
            person = Person(**{**entry, "aliases": "\n".join(_string_list(entry, "aliases", where))})
            _full_clean(person, where)
            person.save()
        result.people.count(created)


def _capture_settings(manifest, path):
    capture = manifest.get("capture", {})
    if not isinstance(capture, dict):
        raise SeedError(f"{path}: “capture” must be a table ([capture]).")
    unknown = sorted(set(capture) - CAPTURE_KEYS)
    if unknown:
        raise SeedError(
            f"{path}, [capture]: unknown field “{unknown[0]}”; "
            f"the fields are {', '.join(sorted(CAPTURE_KEYS))}."
        )
    for key, value in capture.items():
        if not isinstance(value, str):
            raise SeedError(f"{path}, [capture]: “{key}” must be a string.")
    method = capture.get("capture_method", Document.CaptureMethod.FILE_IMPORT)
    if method not in Document.CaptureMethod.values:
        raise SeedError(
            f"{path}, [capture]: capture_method “{method}” is not one of "
            f"{', '.join(Document.CaptureMethod.values)}."
        )
    # An absolute directory is used as it is (pathlib ignores the base then).
    directory = path.parent / capture.get("directory", "captures")
    return directory, method, capture.get("captured_by", ""), capture.get("provenance_note", "")


def _read_capture(directory, entry, where):
    file = _require(entry, "file", where)
    capture_path = directory / file
    try:
        data = capture_path.read_bytes()
    except OSError as error:
        raise SeedError(f"{where}: cannot read the capture {capture_path}: {error.strerror}.") from None
    expected = _require(entry, "sha256", where).lower()
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
    for number, entry in enumerate(_entries(manifest, "documents", DOCUMENT_KEYS, path), 1):
        key = _require(entry, "key", f"{path}, document {number}")
        where = f"{path}, document “{key}”"
        if key in documents:
            raise SeedError(f"{where}: the key “{key}” is used by an earlier document.")
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
        documents[key] = document
        result.documents.count(created)
    return documents


def _parse_date(value, where):
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise SeedError(f"{where}: “external_date” must be a date such as 2025-01-01, not {value!r}.")


def _load_relations(manifest, path, documents, result):
    for number, entry in enumerate(_entries(manifest, "relations", RELATION_KEYS, path), 1):
        where = f"{path}, relation {number}"
        values = dict(entry)
        values["document"] = _document(documents, _require(entry, "document", where), where)
        if "target" in entry:
            values["target"] = _document(documents, _require(entry, "target", where), where)
        if "external_date" in entry:
            values["external_date"] = _parse_date(entry["external_date"], where)
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
    for number, entry in enumerate(_entries(manifest, "claims", CLAIM_KEYS, path), 1):
        key = _require(entry, "key", f"{path}, claim {number}")
        if key in claims:
            raise SeedError(f"{path}, claim “{key}”: the key is used by an earlier claim.")
        document_key = _require(entry, "document", f"{path}, claim “{key}”")
        document = _document(documents, document_key, f"{path}, claim “{key}”")
        where = f"{path}, claim “{key}” in document “{document_key}” ({document.title})"
        quote = _require(entry, "quote", where)
        prefix, suffix = entry.get("prefix", ""), entry.get("suffix", "")
        if not (isinstance(prefix, str) and isinstance(suffix, str)):
            raise SeedError(f"{where}: “prefix” and “suffix” must be strings.")
        corrected = document.versions.filter(number__gt=1).exists()
        try:
            selector = anchoring.find_quote(document.text, quote, prefix, suffix)
        except (anchoring.QuoteNotFound, anchoring.QuoteAmbiguous) as error:
            if not corrected:
                raise SeedError(f"{where}: {error}") from None
            selector = None

        fields = {name: entry[name] for name in ("kind", "status", "visibility", "note") if name in entry}
        fields.setdefault("visibility", Visibility.PUBLISHED)
        for name, choices in (
            ("kind", Claim.Kind.values),
            ("status", Claim.Status.values),
            ("visibility", Visibility.values),
        ):
            if name in fields and fields[name] not in choices:
                raise SeedError(f"{where}: {name} “{fields[name]}” is not one of {', '.join(choices)}.")
        if "claimant" in entry:
            slug = _require(entry, "claimant", where)
            fields["claimant"] = Person.objects.filter(slug=slug).first()
            if fields["claimant"] is None:
                raise SeedError(f"{where}: no person has the slug “{slug}”; add it under [[people]].")
        tags = _string_list(entry, "tags", where)

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
                claim = annotations.create_claim(document, selector, user=None, tags=tags, **fields)
            except ValidationError as error:
                raise SeedError(f"{where}: {imports.describe(error)}") from None
        claims[key] = claim
        result.claims.count(created)
    return claims


def _load_links(manifest, path, claims, result):
    entries = _entries(manifest, "claim_links", LINK_KEYS, path)
    ClaimLink = _claim_link_model()
    if ClaimLink is None:
        result.links_skipped = True
        return
    for number, entry in enumerate(entries, 1):
        where = f"{path}, claim link {number}"
        ends = {}
        for end in ("from", "to"):
            key = _require(entry, end, where)
            if key in result.claims_left_alone:
                break
            if key not in claims:
                raise SeedError(f"{where}: “{end}” names the claim “{key}”, which the seed does not define.")
            ends[end] = claims[key]
        if len(ends) < 2:
            continue
        where = f"{where} ({entry['from']} {entry.get('relation', '?')} {entry['to']})"
        relation = _require(entry, "relation", where)
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

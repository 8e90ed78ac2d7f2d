"""Turning a capture (the bytes of a saved web page's text) into a Document.

Decoding and cleaning are pure and live in ``archive.text.capture``;
``create_document`` checks for an earlier copy of the same capture, cleans,
  validates and saves. The importer and the admin forms both go through it.

``load_manifest`` and ``manifest_fields`` read the provenance of a batch of
captures from a JSON or TOML file.
"""

import datetime
import json
import re
import tomllib
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import pydantic
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from archive import search
from archive.echoes import index as echo_index
from archive.models import Document, DocumentSlug, Source, Visibility, sha256_hex
from archive.services.shapes import (
    DuplicateKey,
    Strict,
    StrippedList,
    fault,
    no_duplicate_keys,
    not_blank,
    one_of,
    says,
)
from archive.text.capture import CaptureError, ManifestError, clean, default_title
from archive.validators import tag_name_problem

# --- Documents -------------------------------------------------------------------

FIELDS = (
    "title",
    "slug",
    "kind",
    "language",
    "byline",
    "source",
    "original_url",
    "archived_url",
    "published_at",
    "published_precision",
    "published_time_zone_stated",
    "captured_at",
    "captured_by",
    "provenance_notes",
    "tags",
    "visibility",
)


# Room left after the root for "-N".
SLUG_SUFFIX_ROOM = 10
# How many times a slug taken by another importer between its allocation and the save is allocated again.
SLUG_ATTEMPTS = 5


def unique_slug(base):
    """A slug made from ``base`` that no document has, nor had: ``syria``, else ``syria-2``, ``syria-3``, …

    ``base`` keeps its script (``سوریه``, ``сирия``), as tags, people and
    sources do; a title with no letter or digit gives ``capture``.
    One query, however many documents share the root. Taken are the slugs of
    documents and the old slugs documents keep so that old links redirect
    (``DocumentSlug``): a new document never takes those. The smallest free
    ``-N`` is chosen, so the number left by a deleted document is used again:
    its address was a 404 once it was deleted (its old slugs went with it),
    and counting on from the highest would not protect it either when it was
    the highest. Only "-" and a number after the root make a sibling:
    ``syria-abc`` and ``syria-2-x`` do not hold ``syria-N`` back.
    """
    max_length = Document._meta.get_field("slug").max_length
    root = slugify(base, allow_unicode=True)[: max_length - SLUG_SUFFIX_ROOM].strip("-") or "capture"
    taken = set(
        _root_and_numbered(Document.objects, root).union(_root_and_numbered(DocumentSlug.objects, root))
    )
    if root not in taken:
        return root
    n = 2
    while f"{root}-{n}" in taken:
        n += 1
    return f"{root}-{n}"


def _root_and_numbered(manager, root):
    """The slugs of ``manager`` equal to ``root`` or (at least) starting with ``root-`` and a digit.

    Python keeps only the exact ``root-N`` it asks about; the database narrows
    the rows with its slug index: on SQLite (binary collation) a range of that
    index, elsewhere a prefix (PostgreSQL's pattern index) and a regular expression.
    """
    numbered = Q(slug__startswith=f"{root}-")
    if connection.vendor == "sqlite":
        numbered &= Q(slug__gte=f"{root}-0", slug__lt=f"{root}-:")  # ":" follows "9"
    else:
        numbered &= Q(slug__regex=f"^{re.escape(root)}-[0-9]+$")
    return manager.filter(Q(slug=root) | numbered).order_by().values_list("slug", flat=True)


def describe(error, prefix=""):
    """A ValidationError as one line: ``field “x”: message; …``, each part after ``prefix``."""
    by_field = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    parts = []
    for field, messages in by_field.items():
        label = "" if field == NON_FIELD_ERRORS else f"field “{field}”: "
        parts.extend(f"{prefix}{label}{message}" for message in messages)
    return "; ".join(parts)


def create_document(
    raw_text: str, *, fields: dict, capture_method: str, created_by=None, dry_run=False, name=None
):
    """Clean ``raw_text``, validate and (unless ``dry_run``) save it as a Document.

    ``fields`` holds provenance (any of ``FIELDS``; ``source`` is a Source or
    None). Without a title the first line of the reading text is used; without
    a slug one is made from the title. Returns ``(document, cleaned)``; raises
    CaptureError, naming ``name``, when the capture is refused.
    """
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise CaptureError(f"unknown field(s): {', '.join(sorted(unknown))}", name)
    digest = sha256_hex(raw_text)
    existing = Document.objects.filter(raw_sha256=digest).first()
    if existing is not None:
        raise CaptureError(_duplicate_message(existing, digest), name)

    cleaned = clean(raw_text)
    if not cleaned.text:
        raise CaptureError("nothing is left once the boilerplate lines are removed", name)

    values = dict(fields)
    tags = list(values.pop("tags", None) or [])
    for tag in tags:
        if problem := tag_name_problem(tag):
            raise CaptureError(f"field “tags”: {problem}", name)
    if not values.get("title"):
        values["title"] = default_title(cleaned.text)
    if values.get("slug"):
        if Document.objects.filter(slug=values["slug"]).exists():
            raise CaptureError(
                f"field “slug”: a document with the slug “{values['slug']}” already exists", name
            )
    else:
        values["slug"] = unique_slug(values["title"])
    values = {key: value for key, value in values.items() if value is not None or key == "source"}

    document = Document(
        raw_text=raw_text,
        raw_sha256=digest,
        text=cleaned.text,
        cleaning_report=[asdict(removed) for removed in cleaned.removed],
        capture_method=capture_method,
        created_by=created_by,
        **values,
    )
    try:
        # Both unique fields were checked above (the capture's SHA-256, the
        # slug given or allocated); the database's constraints have the last
        # word, below.
        document.full_clean(validate_unique=False)
    except ValidationError as error:
        raise CaptureError(describe(error), name) from None

    if not dry_run:
        _save_new(document, tags, digest, allocated_slug=not fields.get("slug"), name=name)
    return document, cleaned


def _save_new(document, tags, digest, *, allocated_slug, name):
    """Save ``document`` with its tags and index rows, in a savepoint.

    Another importer may archive the same capture, or take the slug, between
    the checks and the save (on PostgreSQL; SQLite's writers queue up): the
    same capture is refused as a duplicate; an allocated slug is allocated
    again, up to ``SLUG_ATTEMPTS`` times; a slug given in the fields is refused.
    """
    for attempt in range(1, SLUG_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                document.save()
                document.tags.set(tags)
                search.index_document(document)
                # Its passages for echoes; their embedding and the scan for echoes are queued.
                echo_index.index_document(document)
            return
        except IntegrityError:
            document.pk, document._state.adding = None, True
            existing = Document.objects.filter(raw_sha256=digest).first()
            if existing is not None:
                raise CaptureError(_duplicate_message(existing, digest), name) from None
            taken = (
                Document.objects.filter(slug=document.slug).exists()
                or DocumentSlug.objects.filter(slug=document.slug).exists()
            )
            if not taken:
                raise  # not a race for the capture or the slug: a bug, not the user's doing
            if not allocated_slug or attempt == SLUG_ATTEMPTS:
                raise CaptureError(f"the slug “{document.slug}” was just taken; try again", name) from None
            document.slug = unique_slug(document.title)


def _duplicate_message(existing, digest):
    return (
        f"this capture is already archived as “{existing.title}” ({existing.get_absolute_url()}), "
        f"SHA-256 {digest}"
    )


# --- Manifests -------------------------------------------------------------------

# The zone is read off published_at (an explicit offset states it), never set apart from it.
MANIFEST_FIELDS = ("file", *(f for f in FIELDS if f != "published_time_zone_stated"))

# Every manifest field is a string (``_Text``); these are more, or other.
_Text = Annotated[str, says("must be a string, not {type}")]
_When = Annotated[
    str | datetime.datetime | datetime.date, says("must be an ISO 8601 date or date-time, not {type}")
]
_MANIFEST_TYPES = {
    "title": Annotated[_Text, not_blank("is required")],
    "tags": Annotated[StrippedList, says("must be a list of non-empty strings")],
    "kind": Annotated[_Text, one_of(Document.Kind.values)],
    "published_precision": Annotated[_Text, one_of(Document.DatePrecision.values)],
    "visibility": Annotated[_Text, one_of(Visibility.values)],
    "published_at": _When,
    "captured_at": _When,
}
# One capture's entry; only its title is required.
ManifestEntry = pydantic.create_model(
    "ManifestEntry",
    __base__=Strict,
    **{
        name: (_MANIFEST_TYPES.get(name, _Text), ... if name == "title" else None) for name in MANIFEST_FIELDS
    },
)
# From finest to coarsest.
_PRECISIONS = ["time", "day", "month", "year"]


def load_manifest(path) -> dict[str, dict]:
    """Read a manifest: ``{file as written: entry}``, in the manifest's order.

    Raises ManifestError when the manifest cannot be used at all. The entries'
    fields are not checked here (see ``manifest_fields``), so one bad entry
    refuses only its own file.
    """
    path = Path(path)
    name = str(path)
    if path.suffix.lower() not in (".json", ".toml"):
        raise ManifestError(
            f"a manifest must be a .json or .toml file, not “{path.suffix or path.name}”", name
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ManifestError(f"cannot be read: {error.strerror}", name) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ManifestError(f"not valid UTF-8 at byte offset {error.start}", name) from None

    if path.suffix.lower() == ".json":
        try:
            document = json.loads(text, object_pairs_hook=no_duplicate_keys)
        except json.JSONDecodeError as error:
            raise ManifestError(
                f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}", name
            ) from None
        except DuplicateKey as error:
            raise ManifestError(
                f"not usable JSON: the key “{error.args[0]}” appears twice in one object", name
            ) from None
    else:
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ManifestError(f"not valid TOML: {error}", name) from None

    if not isinstance(document, dict) or set(document) != {"captures"}:
        raise ManifestError(
            "the manifest must hold exactly one thing, a list of tables named “captures”", name
        )
    captures = document["captures"]
    if not isinstance(captures, list):
        raise ManifestError("“captures” must be a list of tables", name)
    entries = {}
    for number, entry in enumerate(captures, 1):
        if not isinstance(entry, dict):
            raise ManifestError(f"entry {number} is not a table", name)
        file = entry.get("file")
        if not isinstance(file, str) or not file.strip():
            raise ManifestError(f"entry {number} has no “file” (the capture's path or file name)", name)
        if file in entries:
            raise ManifestError(f"entry {number} lists “{file}” again", name)
        entries[file] = entry
    return entries


class ManifestIndex:
    """A manifest's entries by resolved path and by bare file name, resolved once.

    Importing a folder looks up every capture in the manifest: resolving every
    entry again for each capture made a batch cost the square of its size.
    """

    def __init__(self, manifest: dict[str, dict], manifest_path):
        self.manifest_path = manifest_path
        self.folder = Path(manifest_path).resolve().parent
        self.by_path, self.by_name = {}, {}
        for number, (file, entry) in enumerate(manifest.items(), 1):
            self.by_path.setdefault((self.folder / file).resolve(), (number, file, entry))
            if "/" not in file:
                self.by_name.setdefault(file, (number, entry))

    def find(self, capture_path):
        """``(entry number, entry)`` describing ``capture_path``, or None (see ``find_manifest_entry``)."""
        target = Path(capture_path).resolve()
        found = self.by_path.get(target)
        if found is not None:
            number, file, entry = found
            if not target.is_relative_to(self.folder):
                raise CaptureError(
                    f"{self.manifest_path}, entry {number} ({file}), field “file”: resolves to {target}, "
                    f"outside the manifest's folder {self.folder}; a manifest may only name files "
                    "in its own folder or below it"
                )
            return number, entry
        return self.by_name.get(target.name)


def find_manifest_entry(manifest: dict[str, dict], manifest_path, capture_path):
    """``(entry number, entry)`` describing ``capture_path``, or None.

    An entry's ``file`` is a path relative to the manifest, or a bare file name
    that matches the capture's name wherever the capture is. A path must stay
    inside the manifest's folder once ``..`` and symbolic links are resolved:
    the entry that points outside is refused (CaptureError), so a manifest
    cannot make the importer read ``../../etc/passwd``. To look up many
    captures, build one ``ManifestIndex`` and ask it.
    """
    return ManifestIndex(manifest, manifest_path).find(capture_path)


def manifest_fields(entry: dict, *, where: str) -> dict:
    """Check one manifest entry and turn it into ``create_document`` fields.

    ``where`` names the entry in messages, e.g. ``manifest.toml, entry 3``.
    """
    try:
        fields = ManifestEntry.model_validate(entry).model_dump(exclude_unset=True)
    except pydantic.ValidationError as error:
        _, field, message = fault(error, MANIFEST_FIELDS, required="is required")
        raise CaptureError(
            f"{where}: {message}" if field is None else f"{where}, field “{field}”: {message}"
        ) from None

    def fail(field, message):
        raise CaptureError(f"{where}, field “{field}”: {message}")

    fields.pop("file", None)
    slug = fields.pop("source", "")
    fields["source"] = None
    if slug:
        fields["source"] = Source.objects.filter(slug=slug).first()
        if fields["source"] is None:
            fail("source", f"no source has the slug “{slug}”; add it first, or leave “source” out if unknown")

    if "published_at" in fields:
        when, implied = _parse_when(fields["published_at"], lambda message: fail("published_at", message))
        precision = fields.setdefault("published_precision", implied)
        if precision == "unknown":
            fail("published_precision", "is “unknown”, but published_at gives a date; say how precise it is")
        if _PRECISIONS.index(precision) < _PRECISIONS.index(implied):
            fail(
                "published_precision",
                f"is “{precision}”, finer than published_at “{entry['published_at']}” says",
            )
        fields["published_at"] = when
        # Only an explicit offset ("+04:00", "Z") states the zone; a bare time
        # is kept as printed and shown as “time zone not stated”.
        fields["published_time_zone_stated"] = precision == "time" and _has_offset(entry["published_at"])
    elif fields.get("published_precision", "unknown") != "unknown":
        fail("published_at", f"is missing, but published_precision is “{fields['published_precision']}”")

    if "captured_at" in fields:
        fields["captured_at"], _ = _parse_when(
            fields["captured_at"], lambda message: fail("captured_at", message)
        )
    for tag in fields.get("tags", []):
        if problem := tag_name_problem(tag):
            fail("tags", problem)

    # The model's own validators (URLs, language tag, lengths, slug shape).
    probe = Document(
        **{key: value for key, value in fields.items() if key != "tags"},
        capture_method=Document.CaptureMethod.FILE_IMPORT,
    )
    try:
        probe.full_clean(
            exclude=["slug", "raw_text", "raw_sha256", "text", "cleaning_report"]
            if not fields.get("slug")
            else ["raw_text", "raw_sha256", "text", "cleaning_report"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        raise CaptureError(describe(error, f"{where}, ")) from None
    return fields


_YEAR = re.compile(r"\d{4}")
_MONTH = re.compile(r"\d{4}-\d{2}")


def _has_offset(value):
    if isinstance(value, datetime.datetime):
        return value.tzinfo is not None
    if isinstance(value, str) and "T" in value:
        try:
            return datetime.datetime.fromisoformat(value.strip()).tzinfo is not None
        except ValueError:
            return False
    return False


def _parse_when(value, fail):
    """``(aware datetime, precision it implies)`` from a manifest date value.

    Accepts ISO 8601 strings ("2025", "2025-01", "2025-01-04",
    "2025-01-04T13:21:00+04:00") and TOML's own dates. A time without an
    offset is taken to be in the site's time zone.
    """
    if isinstance(value, datetime.datetime):
        parsed, precision = value, "time"
    elif isinstance(value, datetime.date):
        parsed, precision = datetime.datetime.combine(value, datetime.time()), "day"
    else:
        text = value.strip()
        try:
            if _YEAR.fullmatch(text):
                parsed, precision = datetime.datetime(int(text), 1, 1), "year"
            elif _MONTH.fullmatch(text):
                parsed, precision = datetime.datetime(int(text[:4]), int(text[5:]), 1), "month"
            elif len(text) == 10:
                day = datetime.date.fromisoformat(text)
                parsed, precision = datetime.datetime.combine(day, datetime.time()), "day"
            else:
                parsed, precision = datetime.datetime.fromisoformat(text), "time"
        except ValueError:
            fail(
                f"“{value}” is not an ISO 8601 date or date-time "
                "(e.g. 2025-01-04 or 2025-01-04T13:21:00+04:00)"
            )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed, precision

"""Backup and restore: the whole archive in one zip file, and back again.

``export_archive`` writes, in one consistent snapshot of the database:

- one JSON Lines member per table (``TABLES``, in the order a restore needs
  them): one row a line, by primary key, every column as stored, foreign keys
  as the ids they hold; content types and permissions by natural key, as a
  fresh database numbers them otherwise;
- ``captures/<id>.txt``: each document's raw text, byte for byte (UTF-8). Its
  SHA-256 is checked against the document's ``raw_sha256`` as it is written:
  a capture changed behind the application's back is refused, not carried;
- ``manifest.json``, last: every other member's path, size and SHA-256
  (``archive.text.backup_format``).

Rows are read a chunk at a time (``iterator(chunk_size=…)``) and each member
is streamed into the zip through its hash, so memory does not grow with the
archive's content (only with its number of members, whose names the zip's
central directory holds).

``import_archive`` reads a file twice. First it verifies it without writing
anything: the zip's entries (names, declared sizes: no path traversal, no zip
bomb), the manifest, then every member streamed through SHA-256 against the
manifest. Then, into an empty database and in one transaction, it restores
every row with its primary key and its stored timestamps, checking each line
(strict types, every reference), each capture against its document's
``raw_sha256`` and each version's text against its ``text_sha256``; resets the
PostgreSQL sequences past the restored ids; and rebuilds the search index.
Any refusal names the member (and line) and leaves the database as it was.

Restoring writes rows as they were, so it does not go through
``annotations``: it records no audit event (the archive's own events are
restored with it) and takes the sanctioned paths that never call ``save()``:
``bulk_create``, as the services add audit events, and, for tables with
``auto_now`` stamps, ``save_base(raw=True)``, as Django's ``loaddata`` does.
The audit trail's guards refuse changes and deletions of events, never
inserts, so neither path loosens them.

``canonical_dump`` is what "identical content" means for the round-trip tests.
"""

import contextlib
import datetime
import json
import os
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

import django
import pydantic
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.models import F
from django.utils import timezone
from pydantic import Field, StringConstraints
from taggit.models import Tag, TaggedItem

from archive import search
from archive.echoes import index as passage_index
from archive.echoes.models import EchoCandidate, EchoRejection, Passage
from archive.models import (
    Claim,
    ClaimEvent,
    ClaimLink,
    Document,
    DocumentRelation,
    DocumentSlug,
    DocumentVersion,
    ImportedAnnotation,
    Person,
    Source,
    TagRedirect,
    sha256_hex,
)
from archive.search.models import SearchEntry
from archive.services.shapes import Strict
from archive.text import backup_format as fmt
from archive.text.backup_format import BackupFileError, Limits

__all__ = [
    "BackupError",
    "BackupFileError",
    "DUMPDATA_EXCLUDE",
    "NOT_BACKED_UP",
    "TABLES",
    "Limits",
    "canonical_dump",
    "export_archive",
    "import_archive",
]

# What a backup leaves out, and why (docs/interop.md says the same).
NOT_BACKED_UP = {
    "contenttypes.contenttype": "made by migrate; rows refer to content types by natural key",
    "auth.permission": "made by migrate; groups and users refer to permissions by natural key",
    "sessions": "sign-in sessions: short-lived, and a restored one would sign someone in",
    "axes": "sign-in throttling (failed attempts, lockouts): short-lived",
    "admin.logentry": "the admin's change history (the claims' audit trail is backed up)",
    "archive.searchentry": "the search index: derived, rebuilt after a restore",
    "archive.searchtext": "the search index's FTS5 table (SQLite): derived, rebuilt after a restore",
    "archive.passage": "the passage index of echoes: derived from the texts, cut again after a restore "
    "(its embeddings are computed again by the worker)",
    "archive.passageterm": "the passage index's word counts: derived, counted again after a restore",
    "archive.echoscan": "which texts the worker has looked through for echoes: looked through again",
    "django_tasks_database": "the worker's queue: work left undone is found again by the worker's catch-up",
}
# ``manage.py dumpdata --natural-foreign --exclude …`` for a dump that ``loaddata`` takes back.
DUMPDATA_EXCLUDE = (
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "archive.searchentry",
    "archive.searchtext",
    "archive.passage",
    "archive.passageterm",
    "archive.echoscan",
    "django_tasks_database",
)

MAX_INT = 2**31 - 1
MAX_BIGINT = 2**63 - 1
TEXT_MEDIATYPE = "text/plain; charset=utf-8"
ROWS_MEDIATYPE = "application/jsonl; charset=utf-8"


class BackupError(Exception):
    """A backup that cannot be written (the command's refusal, with nothing written)."""


# --- Tables -----------------------------------------------------------------------------


def _iso(value):
    """Dates and times in ISO 8601, microseconds and offset kept."""
    return value.isoformat() if value is not None else None


def _annotation(column):
    """The strict pydantic type of a column's value in a backup line."""
    if isinstance(column, models.ForeignKey) or isinstance(column, models.AutoField):
        kind = Annotated[int, Field(ge=1, le=MAX_BIGINT)]
    elif isinstance(column, models.BooleanField):
        kind = bool
    elif isinstance(column, models.DateTimeField):
        kind = pydantic.AwareDatetime
    elif isinstance(column, models.DateField):
        kind = datetime.date
    elif isinstance(column, models.JSONField):
        kind = pydantic.JsonValue
    elif isinstance(column, models.FloatField):
        kind = float
    elif isinstance(column, models.PositiveBigIntegerField):
        kind = Annotated[int, Field(ge=0, le=MAX_BIGINT)]
    elif isinstance(column, models.PositiveIntegerField | models.PositiveSmallIntegerField):
        kind = Annotated[int, Field(ge=0, le=MAX_INT)]
    elif isinstance(column, models.BigIntegerField):
        kind = Annotated[int, Field(ge=-MAX_BIGINT - 1, le=MAX_BIGINT)]
    elif isinstance(column, models.IntegerField):
        kind = Annotated[int, Field(ge=-MAX_INT - 1, le=MAX_INT)]
    elif isinstance(column, models.CharField | models.TextField):
        if column.choices:
            kind = Literal[tuple(value for value, _label in column.flatchoices)]
        else:
            kind = Annotated[str, StringConstraints(max_length=column.max_length)]
    else:
        raise TypeError(
            f"{column.model._meta.label}.{column.name}: no backup type for {type(column).__name__}"
        )
    return kind | None if column.null else kind


Permissions = list[Annotated[list[str], Field(min_length=3, max_length=3)]]


class Table:
    """One table's member: every concrete column of ``model``, by field name, as stored."""

    batch = 500
    extra_fields = {}

    def __init__(self, name, model, *, omit=()):
        self.name = name
        self.model = model
        self.member = fmt.table_member(name)
        self.columns = [column for column in model._meta.concrete_fields if column.name not in omit]
        self.references = [column for column in self.columns if isinstance(column, models.ForeignKey)]
        # ``bulk_create`` stamps auto_now fields with the time of the restore; a raw
        # save (loaddata's path) writes the values as given.
        self.raw_save = any(getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False)
                            for column in self.columns)  # fmt: skip
        self._schemas = {}

    def __repr__(self):
        return f"<Table {self.member}>"

    # Export
    def queryset(self):
        return self.model._base_manager.order_by("pk")

    def rows(self, export):
        """Each row as a dict of its columns' stored values (read as plain values, not models)."""
        names = [column.name for column in self.columns]
        dates = [column.name for column in self.columns if isinstance(column, models.DateField)]
        values = self.queryset().values_list(*(column.attname for column in self.columns))
        for row in values.iterator(chunk_size=export.chunk_size):
            row = dict(zip(names, row, strict=True))
            for name in dates:
                row[name] = _iso(row[name])
            yield row

    # Import
    def schema(self, restore):
        key = restore.password_hashes
        if key not in self._schemas:
            fields = {column.name: (_annotation(column), ...) for column in self.columns}
            fields.update(self.more_fields(restore))
            self._schemas[key] = pydantic.create_model(f"{self.model.__name__}Row", __base__=Strict, **fields)
        return self._schemas[key]

    def more_fields(self, restore):
        return dict(self.extra_fields)

    def build(self, values, restore, number):
        return self.model(**{column.attname: values[column.name] for column in self.columns})

    def after_insert(self, batch, restore):
        """Rows of other tables that hang on this one's (many-to-many)."""


class DocumentTable(Table):
    """Documents without their raw text, which is the capture member ``capture`` names."""

    batch = 50
    extra_fields = {"capture": (str, ...)}

    def __init__(self):
        super().__init__("documents", Document, omit=("raw_text",))

    def rows(self, export):
        for row in super().rows(export):
            row["capture"] = fmt.capture_member(row["id"])
            yield row

    def build(self, values, restore, number):
        document = super().build(values, restore, number)
        expected = fmt.capture_member(document.pk)
        if values["capture"] != expected:
            raise BackupFileError(
                f"“capture” is {values['capture']!r}; document {document.pk}'s is {expected}"
            )
        document.raw_text = restore.capture(document)
        return document


class VersionTable(Table):
    def build(self, values, restore, number):
        version = super().build(values, restore, number)
        if sha256_hex(version.text) != version.text_sha256:
            raise BackupFileError("“text_sha256” is not the SHA-256 of its “text”")
        return version


class UserTable(Table):
    """Users with their groups (by name) and permissions (by natural key); password
    hashes only when asked for, otherwise restored users get unusable passwords."""

    batch = 200

    def __init__(self):
        super().__init__("users", User, omit=("password",))

    def rows(self, export):
        users = self.queryset().prefetch_related("groups", "user_permissions__content_type")
        for user in users.iterator(chunk_size=export.chunk_size):
            row = {column.name: column.value_from_object(user) for column in self.columns}
            row["last_login"], row["date_joined"] = _iso(user.last_login), _iso(user.date_joined)
            if export.password_hashes:
                row["password"] = user.password
            row["groups"] = sorted(group.name for group in user.groups.all())
            row["user_permissions"] = sorted(list(p.natural_key()) for p in user.user_permissions.all())
            yield row

    def more_fields(self, restore):
        fields = {"groups": (list[str], ...), "user_permissions": (Permissions, ...)}
        if restore.password_hashes:
            fields["password"] = (Annotated[str, StringConstraints(max_length=128)], ...)
        return fields

    def build(self, values, restore, number):
        user = super().build(values, restore, number)
        user.password = values["password"] if restore.password_hashes else make_password(None)
        user.restored_groups = [restore.group_id(name) for name in values["groups"]]
        user.restored_permissions = [restore.permission_id(key) for key in values["user_permissions"]]
        return user

    def after_insert(self, batch, restore):
        groups = User.groups.through
        permissions = User.user_permissions.through
        groups.objects.bulk_create(
            [groups(user_id=user.pk, group_id=pk) for _n, user in batch for pk in user.restored_groups]
        )
        permissions.objects.bulk_create(
            [
                permissions(user_id=user.pk, permission_id=pk)
                for _n, user in batch
                for pk in user.restored_permissions
            ]
        )


class GroupTable(Table):
    """Groups by name with their permissions by natural key. Their ids are not
    kept: a fresh database already has the Analysts group its migrations made."""

    def __init__(self):
        super().__init__("groups", Group)
        self.columns = [Group._meta.get_field("name")]
        self.references = []

    def rows(self, export):
        groups = self.queryset().prefetch_related("permissions__content_type")
        for group in groups.iterator(chunk_size=export.chunk_size):
            permissions = sorted(list(p.natural_key()) for p in group.permissions.all())
            yield {"name": group.name, "permissions": permissions}

    def more_fields(self, restore):
        return {"permissions": (Permissions, ...)}

    def build(self, values, restore, number):
        group = Group(name=values["name"])
        group.restored_permissions = [restore.permission_id(key) for key in values["permissions"]]
        return group


class TaggedItemTable(Table):
    """Taggings, with their content type by natural key (``["archive", "claim"]``)."""

    TAGGED = (("archive", "document"), ("archive", "claim"))

    def __init__(self):
        super().__init__("tagged_items", TaggedItem, omit=("content_type",))

    def rows(self, export):
        values = self.queryset().values_list("id", "tag_id", "content_type_id", "object_id")
        for pk, tag, content_type, object_id in values.iterator(chunk_size=export.chunk_size):
            content_type = export.content_type(content_type)
            yield {"id": pk, "tag": tag, "content_type": content_type, "object_id": object_id}

    def more_fields(self, restore):
        return {"content_type": (Annotated[list[str], Field(min_length=2, max_length=2)], ...)}

    def build(self, values, restore, number):
        item = super().build(values, restore, number)
        key = tuple(values["content_type"])
        if key not in self.TAGGED:
            raise BackupFileError(f"“content_type” is {list(key)}; only documents and claims are tagged")
        item.content_type_id = restore.content_type_id(key)
        item.tagged_model = apps.get_model(*key)
        return item


# The order a restore needs: every table after those its rows refer to.
TABLES = (
    GroupTable(),
    UserTable(),
    Table("sources", Source),
    Table("people", Person),
    Table("tags", Tag),
    DocumentTable(),
    VersionTable("document_versions", DocumentVersion),
    Table("document_relations", DocumentRelation),
    Table("document_slugs", DocumentSlug),
    Table("claims", Claim),
    Table("claim_links", ClaimLink),
    Table("claim_events", ClaimEvent),
    TaggedItemTable(),
    Table("tag_redirects", TagRedirect),
    Table("imported_annotations", ImportedAnnotation),
    Table("echo_candidates", EchoCandidate),
    Table("echo_rejections", EchoRejection),
)
_MEMBER_OF = {table.model: table.member for table in TABLES}


# --- Export -----------------------------------------------------------------------------


@dataclass
class ExportResult:
    path: str
    rows: dict = field(default_factory=dict)
    captures: int = 0
    members: int = 0
    bytes: int = 0  # of the zip file
    content_bytes: int = 0  # of its members, uncompressed
    seconds: float = 0.0
    dry_run: bool = False
    password_hashes: bool = False


class _CountingSink:
    """Where a dry run's zip goes: its bytes are counted, never kept."""

    def __init__(self):
        self.bytes = 0

    def write(self, data):
        self.bytes += len(data)
        return len(data)

    def flush(self):
        pass


@contextlib.contextmanager
def _snapshot():
    """One consistent view of every table for the whole export.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction. SQLite: a deferred
    transaction, whose first read fixes its view of the WAL; the site's
    IMMEDIATE mode would take the write lock and make every editor wait for
    the export. Inside a caller's transaction (the tests), that one is used.
    """
    if connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        mode = connection.transaction_mode
        connection.transaction_mode = "DEFERRED"
        try:
            with transaction.atomic():
                connection.transaction_mode = mode
                yield
        finally:
            connection.transaction_mode = mode
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


class _Export:
    def __init__(self, zf, spool, *, password_hashes, chunk_size, progress, stamp):
        self.zf = zf
        self.spool = spool
        self.password_hashes = password_hashes
        self.chunk_size = chunk_size
        self.progress = progress
        self.stamp = stamp
        self.result_rows = {}
        self.captures = 0
        self.members = 0
        self.content_bytes = 0
        self._content_types = {}

    def content_type(self, pk):
        if pk not in self._content_types:
            self._content_types[pk] = list(ContentType.objects.get_for_id(pk).natural_key())
        return self._content_types[pk]

    def _info(self, name):
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def _record(self, name, digest, mediatype, **extra):
        resource = {"name": name, "path": name, "bytes": digest.bytes, "hash": digest.hash}
        resource.update(mediatype=mediatype, **extra)
        self.spool.write(json.dumps(resource, ensure_ascii=False) + "\n")
        self.members += 1
        self.content_bytes += digest.bytes

    def table(self, table):
        count = 0
        # force_zip64: the size is not known before the member is written.
        with self.zf.open(self._info(table.member), "w", force_zip64=True) as raw:
            out = fmt.HashingWriter(raw)
            pieces = []
            for row in table.rows(self):
                pieces.append(fmt.json_line(row))
                count += 1
                if len(pieces) >= self.chunk_size:
                    out.write(b"".join(pieces))
                    pieces = []
                    self.progress(table.member, count)
            out.write(b"".join(pieces))
        self._record(table.name, out.digest, ROWS_MEDIATYPE, path=table.member, rows=count)
        self.result_rows[table.name] = count
        self.progress(table.member, count)

    def captures_of_documents(self):
        documents = Document.objects.order_by("pk").only("pk", "slug", "raw_text", "raw_sha256")
        for document in documents.iterator(chunk_size=self.chunk_size):
            data = document.raw_text.encode("utf-8")
            digest = fmt.Digest()
            digest.update(data)
            if digest.hex != document.raw_sha256:
                raise BackupError(
                    f"Document {document.pk} (“{document.slug}”): its raw text no longer hashes to the "
                    "SHA-256 recorded when it was captured (raw_sha256), so it was changed outside Margins. "
                    "A backup would carry the damage: restore that capture from an earlier backup first."
                )
            name = fmt.capture_member(document.pk)
            self.zf.writestr(self._info(name), data)
            self._record(f"capture-{document.pk}", digest, TEXT_MEDIATYPE, path=name, document=document.pk)
            self.captures += 1
            if self.captures % self.chunk_size == 0:
                self.progress("captures", self.captures)
        self.progress("captures", self.captures)

    def manifest(self, head):
        self.spool.seek(0)
        resources = (json.loads(line) for line in self.spool)
        with self.zf.open(self._info(fmt.MANIFEST), "w", force_zip64=True) as raw:
            for piece in fmt.manifest_pieces(head, resources):
                raw.write(piece.encode("utf-8"))


def export_archive(
    path, *, password_hashes=False, dry_run=False, chunk_size=200, progress=None
) -> ExportResult:
    """Write the whole archive to the zip file ``path`` (see the module's docstring).

    The file appears only once complete (it is written beside ``path`` and
    renamed); an existing ``path`` is refused. With ``dry_run`` everything is
    read, hashed and compressed, and nothing is written. ``progress(what, n)``
    is called as rows and captures are written. Raises BackupError.
    """
    started = time.monotonic()
    target = Path(path)
    if not dry_run:
        if target.exists():
            raise BackupError(f"{target} already exists: give a new file name (nothing was written).")
        if not target.parent.is_dir():
            raise BackupError(f"{target.parent} is not a directory (nothing was written).")
    report = progress or (lambda what, done: None)
    now = timezone.now()
    stamp = now.timetuple()[:6]
    result = ExportResult(path=str(target), dry_run=dry_run, password_hashes=password_hashes)
    head = {
        "profile": fmt.PROFILE,
        "version": fmt.VERSION,
        "created": now.isoformat(),
        "software": f"Margins (Django {django.get_version()})",
        "database": connection.vendor,
        "password_hashes": password_hashes,
        "tables": [table.name for table in TABLES],
        "captures": "captures/<id>.txt is document <id>'s raw text, byte for byte (UTF-8); "
        "its SHA-256 equals the document's raw_sha256, checked as it was written",
    }

    def write(stream):
        with (
            tempfile.TemporaryFile("w+", encoding="utf-8") as spool,
            zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf,
            _snapshot(),
        ):
            export = _Export(
                zf,
                spool,
                password_hashes=password_hashes,
                chunk_size=chunk_size,
                progress=report,
                stamp=stamp,
            )
            for table in TABLES:
                export.table(table)
                if table.model is Document:
                    export.captures_of_documents()
            export.manifest(head)
        result.rows = export.result_rows
        result.captures = export.captures
        result.members = export.members
        result.content_bytes = export.content_bytes

    if dry_run:
        sink = _CountingSink()
        write(sink)
        result.bytes = sink.bytes
    else:
        handle = tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=f".{target.name}.", suffix=".partial", delete=False
        )
        complete = False
        try:
            with handle:
                write(handle)
            os.replace(handle.name, target)
            complete = True
        finally:
            if not complete:
                Path(handle.name).unlink(missing_ok=True)
        result.bytes = target.stat().st_size
    result.seconds = time.monotonic() - started
    return result


# --- Import -----------------------------------------------------------------------------


class Resource(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    path: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    bytes: Annotated[int, Field(ge=0)]
    hash: Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")]
    mediatype: Annotated[str, StringConstraints(max_length=200)]
    rows: Annotated[int, Field(ge=0)] | None = None
    document: Annotated[int, Field(ge=1, le=MAX_BIGINT)] | None = None


class Listed(NamedTuple):
    """What the manifest says of a member."""

    bytes: int
    hash: str


class Manifest(Strict):
    profile: Literal["margins-backup"]
    version: Literal[1]
    created: pydantic.AwareDatetime
    software: Annotated[str, StringConstraints(max_length=500)]
    database: Annotated[str, StringConstraints(max_length=100)]
    password_hashes: bool
    tables: list[str]
    captures: str
    resources: list[Any]


def _fault(error):
    """The first fault of a pydantic ValidationError, in one line."""
    first = error.errors()[0]
    kind, location, message = first["type"], first["loc"], first["msg"]
    if kind == "json_invalid":
        return f"not valid JSON ({message.removeprefix('Invalid JSON: ')})"
    if not location:
        return "not a JSON object"
    name = "“" + ".".join(str(part) for part in location) + "”"
    if kind == "extra_forbidden":
        return f"unknown field {name}"
    if kind == "missing":
        return f"{name} is missing"
    return f"{name}: {message}"


@dataclass
class ImportResult:
    path: str
    rows: dict = field(default_factory=dict)
    captures: int = 0
    members: int = 0
    bytes: int = 0
    search_entries: int = 0
    passages: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    password_hashes: bool = False


class _Restore:
    def __init__(self, zf, manifest, resources, limits, progress):
        self.zf = zf
        self.manifest = manifest
        self.resources = resources
        self.limits = limits
        self.progress = progress
        self.password_hashes = manifest.password_hashes
        self.captures_read = 0
        self._groups = None
        self._permissions = None
        self._content_types = None

    # Lookups by natural key, read once.
    def group_id(self, name):
        if self._groups is None:
            self._groups = dict(Group.objects.values_list("name", "pk"))
        if name not in self._groups:
            raise BackupFileError(f"group “{name}” is not in groups.jsonl")
        return self._groups[name]

    def permission_id(self, key):
        if self._permissions is None:
            self._permissions = {
                (codename, app_label, model): pk
                for codename, app_label, model, pk in Permission.objects.values_list(
                    "codename", "content_type__app_label", "content_type__model", "pk"
                )
            }
        if tuple(key) not in self._permissions:
            codename, app_label, model = key
            raise BackupFileError(
                f"permission “{codename}” of {app_label}.{model} does not exist in this database "
                "(run migrate, or restore with the Margins version that made the backup)"
            )
        return self._permissions[tuple(key)]

    def content_type_id(self, key):
        if self._content_types is None:
            self._content_types = {
                (app_label, model): pk
                for app_label, model, pk in ContentType.objects.values_list("app_label", "model", "pk")
            }
        return self._content_types[key]

    def capture(self, document):
        """Document ``document``'s raw text from its capture member, which must hash to its raw_sha256."""
        name = fmt.capture_member(document.pk)
        resource = self.resources.get(name)
        if resource is None:
            raise BackupFileError(f"its capture {name} is not in the backup")
        with self.zf.open(name) as stream:
            data = stream.read(resource.bytes + 1)
        digest = fmt.Digest()
        digest.update(data)
        if digest.hash != resource.hash:
            # Verified a moment ago: the file changed while it was being restored.
            raise BackupFileError("SHA-256 does not match the manifest", name)
        if digest.hex != document.raw_sha256:
            raise BackupFileError(
                f"SHA-256 does not match document {document.pk}'s raw_sha256 in documents.jsonl", name
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BackupFileError(f"is not UTF-8 (byte {error.start}: {error.reason})", name) from None
        self.captures_read += 1
        return text

    def table(self, table):
        schema = table.schema(self)
        batch = []
        last = 0
        count = 0
        names = set()
        with self.zf.open(table.member) as stream:
            for number, line in fmt.read_lines(stream, member=table.member, limit=self.limits.line_bytes):
                try:
                    values = dict(schema.model_validate_json(line))
                except pydantic.ValidationError as error:
                    raise BackupFileError(_fault(error), table.member, number) from None
                if table.model is Group:
                    if values["name"] in names:
                        raise BackupFileError(f"group “{values['name']}” comes twice", table.member, number)
                    names.add(values["name"])
                elif values["id"] <= last:
                    raise BackupFileError(
                        f"id {values['id']} comes after id {last}: rows are in order of id, each once",
                        table.member,
                        number,
                    )
                else:
                    last = values["id"]
                try:
                    obj = table.build(values, self, number)
                except BackupFileError as error:
                    if error.member is None:
                        raise BackupFileError(error.reason, table.member, number) from None
                    raise
                batch.append((number, obj))
                if len(batch) >= table.batch:
                    count += self._write(table, batch)
                    batch = []
                    self.progress(table.member, count)
            count += self._write(table, batch)
        self.progress(table.member, count)
        return count

    def _check_references(self, table, batch):
        for column in table.references:
            wanted = {}
            for number, obj in batch:
                value = getattr(obj, column.attname)
                if value is not None:
                    wanted.setdefault(value, number)
            self._check_exist(table, column.related_model, wanted, f"“{column.name}”")
        if table.model is TaggedItem:
            by_model = {}
            for number, item in batch:
                by_model.setdefault(item.tagged_model, {}).setdefault(item.object_id, number)
            for model, wanted in by_model.items():
                self._check_exist(table, model, wanted, "“object_id”")

    def _check_exist(self, table, model, wanted, what):
        if not wanted:
            return
        found = set(model._base_manager.filter(pk__in=list(wanted)).values_list("pk", flat=True))
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            pk = min(missing, key=wanted.get)
            where = _MEMBER_OF.get(model, model._meta.label)
            raise BackupFileError(f"{what} is {pk}, which is not in {where}", table.member, wanted[pk])

    def _write(self, table, batch):
        if not batch:
            return 0
        self._check_references(table, batch)
        if table.model is Group:
            for _number, group in batch:
                stored, _created = Group.objects.get_or_create(name=group.name)
                stored.permissions.set(group.restored_permissions)
                self._groups = None
            return len(batch)
        if table.raw_save:
            for number, obj in batch:
                try:
                    obj.save_base(raw=True, force_insert=True)
                except DatabaseError as error:
                    raise BackupFileError(
                        f"the database refused the row: {error}", table.member, number
                    ) from None
        else:
            try:
                table.model._base_manager.bulk_create([obj for _number, obj in batch])
            except DatabaseError as error:
                lines = f"lines {batch[0][0]}–{batch[-1][0]}"
                raise BackupFileError(f"the database refused a row: {error}", table.member, lines) from None
        table.after_insert(batch, self)
        return len(batch)


def _open(path):
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BackupFileError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise BackupFileError(f"{path} is a directory, not a backup file") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        raise BackupFileError(f"{path} is not a readable zip file ({error})") from None


def _read_manifest(zf, entries, limits):
    info = entries.get(fmt.MANIFEST)
    if info is None:
        raise BackupFileError("missing: every backup has one, written last", fmt.MANIFEST)
    if info.file_size > limits.manifest_bytes:
        raise BackupFileError(
            f"declares {info.file_size:,} bytes, over {limits.manifest_bytes:,}", fmt.MANIFEST
        )
    try:
        with zf.open(info) as stream:
            data = stream.read(limits.manifest_bytes + 1)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise BackupFileError(f"cannot be read ({error})", fmt.MANIFEST) from None
    try:
        manifest = Manifest.model_validate_json(data)
    except pydantic.ValidationError as error:
        raise BackupFileError(_fault(error), fmt.MANIFEST) from None
    resources = {}
    for index, raw in enumerate(manifest.resources, start=1):
        where = f"{fmt.MANIFEST} resource {index}"
        try:
            resource = Resource.model_validate(raw)
        except pydantic.ValidationError as error:
            raise BackupFileError(_fault(error), where) from None
        problem = fmt.name_problem(resource.path)
        if problem or resource.path == fmt.MANIFEST:
            raise BackupFileError(
                f"path {fmt.shown(resource.path)}: {problem or 'the manifest lists itself'}", where
            )
        if resource.path in resources:
            raise BackupFileError(f"{resource.path} is listed twice", where)
        document = fmt.capture_id(resource.path)
        if document is not None and resource.document != document:
            raise BackupFileError(
                f"{resource.path} is document {document}'s capture, not {resource.document}", where
            )
        resources[resource.path] = Listed(resource.bytes, resource.hash)
    # Only the index is kept: a manifest lists every capture, and its parsed form is large.
    manifest.resources.clear()
    return manifest, resources


def _cross_check(entries, resources):
    for table in TABLES:
        if table.member not in resources:
            raise BackupFileError(
                "missing from the manifest: a backup has one member per table", table.member
            )
    tables = {table.member for table in TABLES}
    for path in resources:
        if path not in entries:
            raise BackupFileError("listed in the manifest but not in the zip", path)
        if path.endswith(".jsonl") and path not in tables:
            raise BackupFileError("not a table this version of Margins restores", path)
    for name, info in entries.items():
        if name == fmt.MANIFEST:
            continue
        if name not in resources:
            raise BackupFileError("in the zip but not in the manifest", name)
        if info.file_size != resources[name].bytes:
            raise BackupFileError(
                f"the zip declares {info.file_size:,} bytes; the manifest says {resources[name].bytes:,}",
                name,
            )


def _verify_members(zf, entries, resources, progress):
    done = 0
    for name, info in entries.items():
        if name == fmt.MANIFEST:
            continue
        resource = resources[name]
        try:
            with zf.open(info) as stream:
                fmt.verify_stream(stream, member=name, size=resource.bytes, hash=resource.hash)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
            # A damaged member: a bad CRC, a truncated or corrupt deflate stream.
            raise BackupFileError(f"cannot be read ({error})", name) from None
        done += 1
        if done % 1000 == 0:
            progress("verified", done)
    progress("verified", done)


def occupied():
    """``{table: rows}`` of the tables a restore writes that already hold rows (groups aside)."""
    counts = {}
    for table in TABLES:
        if table.model is Group:
            continue
        rows = table.model._base_manager.count()
        if rows:
            counts[table.name] = rows
    return counts


def import_archive(path, *, dry_run=False, limits=None, progress=None) -> ImportResult:
    """Restore the backup ``path`` into this (empty) database; see the module's docstring.

    Raises BackupFileError, naming the member and line at fault, with nothing
    written. With ``dry_run`` everything is restored and then rolled back.
    """
    started = time.monotonic()
    limits = limits or Limits()
    report = progress or (lambda what, done: None)
    with _open(path) as zf:
        entries = fmt.check_entries(zf.infolist(), limits)
        manifest, resources = _read_manifest(zf, entries, limits)
        _cross_check(entries, resources)
        _verify_members(zf, entries, resources, report)

        counts = occupied()
        if counts:
            held = ", ".join(f"{rows:,} {name.replace('_', ' ')}" for name, rows in counts.items())
            raise BackupFileError(
                f"the database is not empty ({held}): a backup is restored into a new, migrated "
                "database. Nothing was written."
            )
        captures = sum(1 for name in resources if fmt.capture_id(name) is not None)
        result = ImportResult(
            path=str(path),
            dry_run=dry_run,
            members=len(entries),
            bytes=sum(resource.bytes for resource in resources.values()),
            password_hashes=manifest.password_hashes,
        )
        with transaction.atomic():
            restore = _Restore(zf, manifest, resources, limits, report)
            for table in TABLES:
                result.rows[table.name] = restore.table(table)
            if restore.captures_read != captures:
                # Each document read its own capture; any other capture belongs to no row.
                orphan = next(
                    name
                    for name in resources
                    if fmt.capture_id(name) is not None
                    and not Document.objects.filter(pk=fmt.capture_id(name)).exists()
                )
                raise BackupFileError("belongs to no document in documents.jsonl", orphan)
            result.captures = restore.captures_read
            _reset_sequences()
            rebuilt = search.rebuild(progress=lambda done, total: report("search index", done))
            result.search_entries = rebuilt.entries
            result.passages = passage_index.rebuild(progress=lambda done: report("passage index", done))
            if dry_run:
                transaction.set_rollback(True)
    result.seconds = time.monotonic() - started
    return result


def _reset_sequences():
    """Past the restored ids, so the next row gets a new one (PostgreSQL; SQLite needs nothing)."""
    restored = [table.model for table in TABLES]
    statements = connection.ops.sequence_reset_sql(no_style(), restored)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


# --- What "identical" means ----------------------------------------------------------------


def _json_default(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} in a canonical dump")


def _dumped_models():
    for model in sorted(apps.get_models(), key=lambda model: model._meta.label_lower):
        label = model._meta.label_lower
        if label in NOT_BACKED_UP or model._meta.app_label in NOT_BACKED_UP:
            continue
        yield model


def canonical_dump(*, passwords=False):
    """Every row a restore must reproduce, one JSON line each, in a fixed order.

    Built with Django's own serializer (not the backup's code): every model of
    every installed app but those in ``NOT_BACKED_UP``, rows by primary key,
    foreign keys to content types, permissions, users and tags by natural key,
    many-to-many lists sorted, keys sorted, times to the microsecond. Groups go
    by name (a backup does not keep their ids). User password hashes are left
    out unless ``passwords`` (a backup carries them only when asked). The search
    index is compared by what it holds (its ids, engine configuration and
    PostgreSQL vectors left out), so a rebuilt index must match the original.
    """
    for model in _dumped_models():
        natural_primary = model is Group
        many_to_many = [each.name for each in model._meta.many_to_many if each.serialize]
        objects = model._base_manager.order_by("name" if natural_primary else "pk")
        rows = serializers.serialize(
            "python",
            objects.iterator(chunk_size=500),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=natural_primary,
        )
        for row in rows:
            fields = row["fields"]
            if model is User and not passwords:
                fields.pop("password")
            for name in many_to_many:
                fields[name] = sorted(fields[name], key=json.dumps)
            yield json.dumps(row, sort_keys=True, ensure_ascii=False, default=_json_default)
    # The passage index is compared by what it holds (no ids, no embeddings: the worker computes them).
    passages = Passage.objects.order_by("document_id", "start", "end").values(
        "document", "version", "start", "end", "sentences", "text", "terms"
    )
    for passage in passages.iterator(chunk_size=500):
        yield json.dumps({"model": "archive.passage", "fields": passage}, sort_keys=True, ensure_ascii=False)
    entries = SearchEntry.objects.order_by("document_id", F("claim_id").asc(nulls_first=True)).values(
        "document", "claim", "language", "visibility", "title", "byline", "body"
    )
    for entry in entries.iterator(chunk_size=500):
        yield json.dumps(
            {"model": "archive.searchentry", "fields": entry}, sort_keys=True, ensure_ascii=False
        )

"""The backup file's container, without Django: which members a backup may
hold, hashing members as they are written or read, the limits that refuse a
zip bomb before anything is decompressed, and JSON Lines read one bounded
line at a time.

A backup (``archive.services.backup``) is one zip file::

    <table>.jsonl        one JSON object per line, one line per row, by primary key
    captures/<id>.txt    document <id>'s raw capture, byte for byte (UTF-8)
    manifest.json        written last: every other member's path, size and SHA-256

The manifest follows the idea of WACZ's ``datapackage.json``: a ``profile``,
a ``version``, when and by what it was ``created``, and ``resources``, each
``{"name", "path", "bytes", "hash": "sha256:<hex>"}``.
"""

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass

PROFILE = "margins-backup"
VERSION = 1
MANIFEST = "manifest.json"
HASH_PREFIX = "sha256:"

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

_TABLE_MEMBER = re.compile(r"[a-z][a-z_]{0,62}\.jsonl")
# Ids as the archive's URLs bound them: at most 18 digits, no leading zero.
_CAPTURE_MEMBER = re.compile(r"captures/([1-9][0-9]{0,17})\.txt")
_DRIVE = re.compile(r"[A-Za-z]:")


class BackupFileError(Exception):
    """A backup refused: ``member`` (and ``line``) say where, ``reason`` what."""

    def __init__(self, reason, member=None, line=None):
        self.reason = reason
        self.member = member
        self.line = line
        super().__init__(str(self))

    def __str__(self):
        where = self.member or ""
        if self.line is not None:
            where = f"{where} line {self.line}" if isinstance(self.line, int) else f"{where} {self.line}"
        return f"{where}: {self.reason}" if where else self.reason


def table_member(table):
    return f"{table}.jsonl"


def capture_member(pk):
    return f"captures/{pk}.txt"


def capture_id(name):
    """The document id of a ``captures/<id>.txt`` member name, or None."""
    match = _CAPTURE_MEMBER.fullmatch(name)
    return int(match[1]) if match else None


def shown(name):
    """A member name as a message may quote it: control characters and odd spaces escaped."""
    return name if name.isprintable() else ascii(name)


def name_problem(name):
    """Why ``name`` cannot be a member of a backup, or None when it can."""
    if not name:
        return "a member without a name"
    parts = name.split("/")
    if name.startswith("/") or "\\" in name or _DRIVE.match(name) or ".." in parts or "." in parts:
        return "an unsafe path (absolute, or climbing out with “..”): refused before anything is read"
    if not name.isprintable():
        return "a member name with control characters"
    if name == MANIFEST or _TABLE_MEMBER.fullmatch(name) or _CAPTURE_MEMBER.fullmatch(name):
        return None
    return "not a member a backup has (manifest.json, <table>.jsonl, captures/<id>.txt)"


@dataclass(frozen=True)
class Limits:
    """What a backup may declare before a byte of it is decompressed.

    ``zipfile`` never inflates a member past the size its entry declares (and
    then fails its CRC check), so refusing large declarations refuses a zip bomb.
    """

    member_bytes: int = 8 * GIB
    total_bytes: int = 64 * GIB
    # Text deflates 3 to 10 times; a member over ``ratio_floor`` that claims to
    # inflate more than ``ratio`` times is refused as a bomb.
    ratio: int = 200
    ratio_floor: int = MIB
    manifest_bytes: int = 256 * MIB
    line_bytes: int = 256 * MIB


def check_entries(infos, limits):
    """Refuse a zip whose entries a backup never has, or that declare too much.

    Returns ``{name: ZipInfo}``. Nothing is decompressed here.
    """
    entries = {}
    total = 0
    for info in infos:
        name = info.filename
        problem = name_problem(name)
        if problem:
            raise BackupFileError(problem, shown(name))
        if name in entries:
            raise BackupFileError("appears twice in the zip", name)
        if info.flag_bits & 0x1:
            raise BackupFileError("is encrypted; a backup is not", name)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BackupFileError("uses a compression method other than stored or deflated", name)
        if info.file_size > limits.member_bytes:
            raise BackupFileError(
                f"declares {info.file_size:,} bytes, over the limit of {limits.member_bytes:,}", name
            )
        if info.file_size >= limits.ratio_floor and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            raise BackupFileError(
                f"would inflate {info.compress_size:,} bytes to {info.file_size:,} "
                f"(more than {limits.ratio} times): refused as a zip bomb",
                name,
            )
        total += info.file_size
        if total > limits.total_bytes:
            raise BackupFileError(
                f"the members declare more than {limits.total_bytes:,} bytes in all: refused as a zip bomb"
            )
        entries[name] = info
    return entries


class Digest:
    """The size and SHA-256 of the bytes passed to ``update``."""

    def __init__(self):
        self._sha256 = hashlib.sha256()
        self.bytes = 0

    def update(self, data):
        self._sha256.update(data)
        self.bytes += len(data)

    @property
    def hex(self):
        return self._sha256.hexdigest()

    @property
    def hash(self):
        return HASH_PREFIX + self.hex


class HashingWriter:
    """Writes to ``stream`` and keeps the ``digest`` of everything written."""

    def __init__(self, stream):
        self.stream = stream
        self.digest = Digest()

    def write(self, data):
        self.digest.update(data)
        return self.stream.write(data)


def verify_stream(stream, *, member, size, hash, chunk=MIB):
    """Read ``stream`` to its end, refusing it unless it is ``size`` bytes hashing to ``hash``.

    Reads at most one chunk past ``size``: a member longer than the manifest says is
    refused without being read to its end.
    """
    digest = Digest()
    while True:
        data = stream.read(chunk)
        if not data:
            break
        digest.update(data)
        if digest.bytes > size:
            raise BackupFileError(f"is longer than the {size:,} bytes the manifest says", member)
    if digest.bytes != size:
        raise BackupFileError(f"is {digest.bytes:,} bytes; the manifest says {size:,}", member)
    if digest.hash != hash:
        raise BackupFileError("SHA-256 does not match the manifest", member)
    return digest


def read_lines(stream, *, member, limit):
    """``(number, bytes)`` for each line of a JSON Lines member, without its newline.

    A line longer than ``limit`` bytes, an empty line, or a last line without
    its newline (the member was cut short) is refused.
    """
    number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        if not line.endswith(b"\n"):
            if len(line) > limit:
                raise BackupFileError(f"is longer than {limit:,} bytes", member, number)
            raise BackupFileError("does not end with a newline: the member is cut short", member, number)
        if line == b"\n":
            raise BackupFileError("is empty; every line holds one row", member, number)
        yield number, line[:-1]


def json_line(row):
    """One row as a JSON Lines line: UTF-8, no spaces, keys sorted at every depth.

    Sorted because PostgreSQL's jsonb keeps no key order and SQLite keeps the
    order written: so a backup of a restored archive is the same bytes on either."""
    return (json.dumps(row, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n").encode("utf-8")


def manifest_pieces(head, resources):
    """``manifest.json``'s text in pieces: ``head``'s keys, then ``"resources"``,
    one resource per line, so a manifest of a million members is never held whole."""
    yield "{\n"
    for key, value in head.items():
        yield f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n"
    yield '"resources": ['
    for index, resource in enumerate(resources):
        yield ("\n" if index == 0 else ",\n") + json.dumps(resource, ensure_ascii=False)
    yield "\n]\n}\n"

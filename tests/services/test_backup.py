"""Backup and restore (``archive.services.backup``): a restore gives back the
same archive (ids, timestamps, raw bytes, audit trail, users), on either
database and across them; a damaged or altered file is refused, naming the
member, with nothing written; and the export's memory does not grow with
the archive."""

import hashlib
import io
import json
import re
import tracemalloc
import warnings
import zipfile

import pytest
from django.contrib.auth.models import Group, User
from django.core.management.color import no_style
from django.db import connection, transaction
from taggit.models import Tag

from archive.models import AppendOnlyError, Claim, ClaimEvent, Document, DocumentSlug
from archive.search.models import SearchEntry
from archive.services import annotations
from archive.services.backup import (
    NOT_BACKED_UP,
    TABLES,
    BackupError,
    BackupFileError,
    Limits,
    canonical_dump,
    export_archive,
    import_archive,
    occupied,
)
from archive.services.seed import load_seed
from archive.text import anchoring
from tests.backends import canonical_dump_of, manage
from tests.conftest import PASSWORD, sign_in
from tests.factories import PERSIAN_CAPTURE, make_document, make_varied_archive


def empty_the_archive():
    """Delete every row a restore writes and start their ids from 1 again, as in a
    new database (inside the test's transaction)."""
    models = [table.model for table in TABLES if table.model is not Group] + [SearchEntry]
    tables = [model._meta.db_table for model in models] + [
        User.groups.through._meta.db_table,
        User.user_permissions.through._meta.db_table,
    ]
    with connection.cursor() as cursor:
        # DELETE, not TRUNCATE: PostgreSQL refuses TRUNCATE with the test's deferred checks pending.
        for table in reversed(tables):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
    restart_ids(tables)
    assert occupied() == {}


def restart_ids(tables=None):
    """Start the ids of the tables a restore writes from 1 again, as in a new database
    (sequences outlive the rollback of the transaction that used them)."""
    tables = tables or [table.model._meta.db_table for table in TABLES]
    sequences = [each for each in connection.introspection.sequence_list() if each["table"] in tables]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_by_name_sql(no_style(), sequences):
            cursor.execute(statement)


@pytest.fixture(scope="module")
def backup_file(django_db_setup, django_db_blocker, tmp_path_factory):
    """A backup of the varied archive (``factories.make_varied_archive``), made once:
    the archive is built and backed up in a transaction that is then rolled back."""
    path = tmp_path_factory.mktemp("backup") / "margins.zip"
    with django_db_blocker.unblock(), transaction.atomic():
        load_seed()
        analyst = User.objects.create_user("ana", "ana@example.org", PASSWORD, is_staff=True)
        analyst.groups.add(Group.objects.get(name="Analysts"))
        make_varied_archive(analyst, User.objects.create_user("rea", "rea@example.org", PASSWORD))
        export_archive(path)
        transaction.set_rollback(True)
    return path


@pytest.fixture
def backup(backup_file, db):
    """The backup file, and an empty database to restore it into."""
    assert occupied() == {}
    restart_ids()
    return backup_file


def members(path):
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def rewritten(path, change, *, rehash=False):
    """A copy of the backup ``path`` with ``change(members)`` applied to its members
    (a dict, in order); with ``rehash`` the manifest is updated to match, so that
    only what the restore itself checks can catch the change."""
    contents = members(path)
    change(contents)
    if rehash:
        manifest = json.loads(contents["manifest.json"])
        for resource in manifest["resources"]:
            data = contents.get(resource["path"])
            if data is not None:
                resource["bytes"] = len(data)
                resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
        contents["manifest.json"] = json.dumps(manifest).encode()
    target = path.with_name("altered.zip")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name, which one case wants
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in contents.items():
                zf.writestr(name, data)
    return target


def edit_line(member, number, edit):
    """A change replacing line ``number`` of ``member`` by ``edit(line)`` (a str)."""

    def change(contents):
        lines = contents[member].decode().splitlines(keepends=True)
        lines[number - 1] = edit(lines[number - 1].rstrip("\n")) + "\n"
        contents[member] = "".join(lines).encode()

    return change


def edit_row(member, number, **fields):
    return edit_line(
        member, number, lambda line: json.dumps({**json.loads(line), **fields}, ensure_ascii=False)
    )


# --- a restore gives back the same archive ----------------------------------------------------


def test_a_restore_into_an_empty_database_gives_back_identical_content(varied_archive, tmp_path):
    before = list(canonical_dump())
    path = tmp_path / "margins.zip"
    exported = export_archive(path)
    empty_the_archive()

    restored = import_archive(path)

    assert list(canonical_dump()) == before
    assert restored.rows == exported.rows
    assert restored.captures == exported.captures == Document.objects.count()
    assert restored.search_entries == SearchEntry.objects.count() > 0


def test_a_restored_archive_keeps_its_addresses_raw_bytes_and_history(backup, outsider):
    import_archive(backup)

    persian = Document.objects.get(slug="رهبر-انقلاب-سوریه")
    raw = outsider.get(f"/documents/{persian.slug}/raw/")
    assert raw.content == PERSIAN_CAPTURE.encode("utf-8")  # Windows line ends, ZWNJ, RLM, diacritics
    assert persian.raw_text_intact()
    claim = Claim.objects.get(document=persian, claimant__slug="علی-خامنه-ای")
    page = outsider.get(f"/claims/{claim.pk}/")
    assert page.status_code == 200
    assert "سرزمین‌های اشغالی را آزاد خواهند کرد" in page.content.decode()
    # The old slug of the renamed document still leads to it.
    old = DocumentSlug.objects.get(slug="iran-faces-setbacks-in-syria-us-presence-in-iraq")
    assert outsider.get(f"/documents/{old.slug}/")["Location"] == f"/documents/{old.document.slug}/"
    # Search finds the Persian capture again (the index was rebuilt).
    assert "رهبر انقلاب" in outsider.get("/", {"q": "سوریه"}).content.decode()
    assert list(claim.events.order_by("pk").values_list("action", flat=True)) == [
        "created",
        "edited",
        "edited",
        "reverted",
        "linked",
        "unlinked",
    ]


def test_restored_audit_events_stay_append_only(backup):
    import_archive(backup)

    event = ClaimEvent.objects.order_by("pk").first()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ClaimEvent.objects.filter(pk=event.pk).update(action="edited")


def test_rows_written_after_a_restore_get_new_ids(backup):
    import_archive(backup)
    highest = Claim.objects.order_by("-pk").values_list("pk", flat=True).first()
    document = Document.objects.get(slug="رهبر-انقلاب-سوریه")

    claim = annotations.create_claim(
        document, anchoring.selector_for(document.text, 0, 5), user=User.objects.get(username="ana")
    )

    assert claim.pk > highest
    assert claim.events.get().pk > ClaimEvent.objects.exclude(claim=claim).order_by("-pk").first().pk


def test_without_password_hashes_restored_users_keep_their_groups_but_must_set_a_password(backup):
    import_archive(backup)

    analyst = User.objects.get(username="ana")
    assert not analyst.has_usable_password()
    assert sign_in(username="ana", password=PASSWORD) is None
    assert list(analyst.groups.values_list("name", flat=True)) == ["Analysts"]
    assert analyst.is_staff
    reader = User.objects.get(username="rea")
    assert (reader.first_name, reader.is_active) == ("نرگس", False)
    assert list(reader.user_permissions.values_list("codename", flat=True)) == ["view_claimevent"]


def test_with_password_hashes_restored_users_sign_in_as_before(varied_archive, tmp_path):
    before = list(canonical_dump(passwords=True))
    path = tmp_path / "with-hashes.zip"
    export_archive(path, password_hashes=True)
    empty_the_archive()

    import_archive(path)

    assert list(canonical_dump(passwords=True)) == before
    assert sign_in(username="ana", password=PASSWORD) == User.objects.get(username="ana")


def test_the_manifest_gives_every_member_its_size_and_sha256_and_comes_last(varied_archive, tmp_path):
    path = tmp_path / "margins.zip"
    export_archive(path)

    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read("manifest.json"))
        contents = {name: zf.read(name) for name in names}
    assert names[-1] == "manifest.json"
    assert (manifest["profile"], manifest["version"], manifest["password_hashes"]) == (
        "margins-backup",
        1,
        False,
    )
    listed = {resource["path"]: resource for resource in manifest["resources"]}
    assert set(listed) == set(names) - {"manifest.json"}
    for name, resource in listed.items():
        assert resource["bytes"] == len(contents[name])
        assert resource["hash"] == "sha256:" + hashlib.sha256(contents[name]).hexdigest()
    for document in Document.objects.all():
        capture = listed[f"captures/{document.pk}.txt"]
        assert capture["hash"] == "sha256:" + document.raw_sha256
        assert contents[capture["path"]] == document.raw_text.encode("utf-8")
    assert listed["claims.jsonl"]["rows"] == Claim.objects.count()
    assert b"password" not in contents["users.jsonl"]


def test_every_table_is_backed_up_or_left_out_for_a_stated_reason():
    from django.apps import apps

    carried = {table.model._meta.label_lower for table in TABLES}
    for model in apps.get_models():
        label = model._meta.label_lower
        assert label in carried or label in NOT_BACKED_UP or model._meta.app_label in NOT_BACKED_UP, (
            f"{label} is neither backed up (backup.TABLES) nor listed in backup.NOT_BACKED_UP"
        )


# --- refusals: nothing written ------------------------------------------------------------------


def test_a_database_that_is_not_empty_is_refused(varied_archive, tmp_path):
    path = tmp_path / "margins.zip"
    export_archive(path)
    documents = Document.objects.count()

    with pytest.raises(BackupFileError, match=r"the database is not empty \(2 users, .*documents"):
        import_archive(path)

    assert Document.objects.count() == documents


def test_a_dry_run_restore_checks_everything_and_writes_nothing(backup):
    result = import_archive(backup, dry_run=True)

    assert result.rows["claims"] > 0 and result.search_entries > 0
    assert occupied() == {}


def test_a_dry_run_export_writes_no_file(varied_archive, tmp_path):
    result = export_archive(tmp_path / "margins.zip", dry_run=True)

    assert result.bytes > 0 and result.rows["documents"] == Document.objects.count()
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_never_overwritten(varied_archive, tmp_path):
    path = tmp_path / "margins.zip"
    path.write_bytes(b"yesterday's backup")

    with pytest.raises(BackupError, match="already exists"):
        export_archive(path)

    assert path.read_bytes() == b"yesterday's backup"


def test_a_capture_changed_behind_the_archive_is_not_exported(varied_archive, tmp_path):
    persian = varied_archive["persian"]
    Document.objects.filter(pk=persian.pk).update(raw_text=PERSIAN_CAPTURE.replace("فارس", "مهر"))

    with pytest.raises(BackupError, match=f"Document {persian.pk} .*raw_sha256"):
        export_archive(tmp_path / "margins.zip")

    assert list(tmp_path.iterdir()) == []  # not even a partial file


def persian_capture(contents):
    document = Document.objects.get(raw_sha256=hashlib.sha256(PERSIAN_CAPTURE.encode()).hexdigest())
    return f"captures/{document.pk}.txt"


def flip_capture_byte(contents):
    name = next(name for name in contents if name.startswith("captures/"))
    data = bytearray(contents[name])
    data[0] ^= 0x01
    contents[name] = bytes(data)


def first_capture(contents):
    return next(name for name in contents if name.startswith("captures/"))


REFUSALS = [
    # (case, change, rehash, message: a regular expression matched from the start)
    ("member missing", lambda c: c.pop("claims.jsonl"), False, r"claims\.jsonl: listed in the manifest but not in the zip"),
    ("manifest missing", lambda c: c.pop("manifest.json"), False, r"manifest\.json: missing"),
    ("extra member", lambda c: c.update({"captures/999999.txt": b"x"}), False, r"captures/999999\.txt: in the zip but not in the manifest"),
    ("bytes changed", flip_capture_byte, False, r"captures/\d+\.txt: SHA-256 does not match the manifest"),
    ("bytes added", lambda c: c.update({"tags.jsonl": c["tags.jsonl"] + b"\n"}), False, r"tags\.jsonl: the zip declares [\d,]+ bytes; the manifest says [\d,]+"),
    ("capture unlike its document", flip_capture_byte, True, r"captures/\d+\.txt: SHA-256 does not match document \d+'s raw_sha256"),
    ("malformed JSON", edit_line("claims.jsonl", 3, lambda line: line[:-1]), True, r"claims\.jsonl line 3: not valid JSON \("),
    ("wrong type", edit_row("claims.jsonl", 3, start="12"), True, r"claims\.jsonl line 3: “start”: Input should be a valid integer"),
    ("naive time", edit_row("claim_events.jsonl", 2, at="2025-01-01T10:00:00"), True, r"claim_events\.jsonl line 2: “at”: Input should have timezone info"),
    ("unknown choice", edit_row("claims.jsonl", 1, status="true"), True, r"claims\.jsonl line 1: “status”: Input should be 'unverified', 'corroborated'"),
    ("unknown field", edit_row("people.jsonl", 1, photo="x.jpg"), True, r"people\.jsonl line 1: unknown field “photo”"),
    ("missing field", edit_line("sources.jsonl", 2, lambda line: json.dumps({k: v for k, v in json.loads(line).items() if k != "slug"})), True, r"sources\.jsonl line 2: “slug” is missing"),
    ("dangling reference", edit_row("claims.jsonl", 1, document=424242), True, r"claims\.jsonl line 1: “document” is 424242, which is not in documents\.jsonl"),
    ("ids out of order", edit_row("tags.jsonl", 2, id=1), True, r"tags\.jsonl line 2: id 1 comes after id \d+: rows are in order of id, each once"),
    ("version hash", edit_row("document_versions.jsonl", 1, text_sha256="0" * 64), True, r"document_versions\.jsonl line 1: “text_sha256” is not the SHA-256 of its “text”"),
    ("unknown permission", edit_row("groups.jsonl", 1, permissions=[["launch_rockets", "archive", "claim"]]), True, r"groups\.jsonl line 1: permission “launch_rockets” of archive\.claim does not exist"),
    ("unknown group", edit_row("users.jsonl", 1, groups=["Editors"]), True, r"users\.jsonl line 1: group “Editors” is not in groups\.jsonl"),
    ("password hash smuggled in", edit_row("users.jsonl", 1, password="md5$x$y"), True, r"users\.jsonl line 1: unknown field “password”"),
    ("lone surrogate", edit_line("people.jsonl", 1, lambda line: line.replace('"name":"', '"name":"\\ud800', 1)), True, r"people\.jsonl line 1: not valid JSON"),
    ("empty line", lambda c: c.update({"tags.jsonl": b"\n" + c["tags.jsonl"]}), True, r"tags\.jsonl line 1: is empty"),
    ("cut short", lambda c: c.update({"tags.jsonl": c["tags.jsonl"][:-1]}), True, r"tags\.jsonl line \d+: does not end with a newline"),
    ("path traversal", lambda c: c.update({"../../etc/cron.d/margins": b"x"}), False, r"\.\./\.\./etc/cron\.d/margins: an unsafe path"),
    ("absolute path", lambda c: c.update({"/etc/passwd": b"x"}), False, r"/etc/passwd: an unsafe path"),
    ("foreign member", lambda c: c.update({"notes/readme.md": b"x"}), False, r"notes/readme\.md: not a member a backup has"),
    ("zip bomb", lambda c: c.update({first_capture(c): b"a" * (4 * 1024 * 1024)}), True, r"captures/\d+\.txt: would inflate \d[\d,]* bytes to 4,194,304 .*zip bomb"),
    ("not a backup", lambda c: c.update({"manifest.json": c["manifest.json"].replace(b"margins-backup", b"wacz")}), False, r"manifest\.json: “profile”: Input should be 'margins-backup'"),
    ("newer version", lambda c: c.update({"manifest.json": c["manifest.json"].replace(b'"version": 1', b'"version": 2')}), False, r"manifest\.json: “version”: Input should be 1"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "rehash", "message"), [case[1:] for case in REFUSALS], ids=[case[0] for case in REFUSALS]
)
def test_a_damaged_or_altered_backup_is_refused_naming_the_member_and_nothing_is_written(
    backup, change, rehash, message
):
    altered = rewritten(backup, change, rehash=rehash)

    with pytest.raises(BackupFileError) as refused:
        import_archive(altered)

    assert refused.match("^" + message), str(refused.value)
    assert occupied() == {}
    assert not Tag.objects.exists() and not SearchEntry.objects.exists()


def test_an_orphan_capture_listed_in_the_manifest_is_refused(backup):
    def add_orphan(contents):
        contents["captures/999999.txt"] = b"nobody's"
        manifest = json.loads(contents["manifest.json"])
        manifest["resources"].append(
            {"name": "capture-999999", "path": "captures/999999.txt", "bytes": 8,
             "hash": "sha256:" + hashlib.sha256(b"nobody's").hexdigest(),
             "mediatype": "text/plain; charset=utf-8", "document": 999999}
        )  # fmt: skip
        contents["manifest.json"] = json.dumps(manifest).encode()

    with pytest.raises(BackupFileError, match=r"^captures/999999\.txt: belongs to no document"):
        import_archive(rewritten(backup, add_orphan))

    assert occupied() == {}


def test_a_duplicated_member_is_refused(backup):
    contents = members(backup)
    items = [*contents.items(), ("tags.jsonl", contents["tags.jsonl"])]
    target = backup.with_name("twice.zip")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(target, "w") as zf:
            for name, data in items:
                zf.writestr(name, data)

    with pytest.raises(BackupFileError, match=r"^tags\.jsonl: appears twice in the zip"):
        import_archive(target)


def test_a_file_that_is_not_a_zip_or_is_cut_short_is_refused(backup, tmp_path):
    text = tmp_path / "notes.zip"
    text.write_text("not a backup")
    cut = tmp_path / "cut.zip"
    cut.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])

    for path in (text, cut, tmp_path / "missing.zip"):
        with pytest.raises(
            BackupFileError, match=rf"^{re.escape(str(path))} (is not a readable zip file|does not exist)"
        ):
            import_archive(path)
    assert occupied() == {}


def test_corrupt_compressed_data_is_refused_naming_the_member(backup, tmp_path):
    data = bytearray(backup.read_bytes())
    with zipfile.ZipFile(backup) as zf:
        info = zf.getinfo("documents.jsonl")
    # The member's compressed bytes start after its local header (30 bytes, its name, its extra field).
    name_length = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_length = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    for offset in range(start + 100, start + 110):
        data[offset] ^= 0xFF
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))

    with pytest.raises(BackupFileError, match=r"^documents\.jsonl: (cannot be read|SHA-256 does not match)"):
        import_archive(damaged)
    assert occupied() == {}


def test_limits_refuse_a_backup_declaring_more_than_they_allow(backup):
    with pytest.raises(BackupFileError, match=r"the members declare more than 1,000 bytes in all"):
        import_archive(backup, limits=Limits(total_bytes=1000))
    with pytest.raises(BackupFileError, match=r"^groups\.jsonl line 1: is longer than 100 bytes"):
        import_archive(backup, limits=Limits(line_bytes=100))
    assert occupied() == {}


# --- constant memory ----------------------------------------------------------------------------


def _export_peak(tmp_path, name):
    tracemalloc.start()
    try:
        result = export_archive(tmp_path / name, chunk_size=2)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def test_export_memory_does_not_grow_with_the_archive(db, tmp_path):
    """Four times the content, the same peak: rows are read two at a time and
    members streamed, so only the zip's directory of names grows."""

    def add(n, start):
        for i in range(start, start + n):
            # 200 KB of ASCII per capture, different in each (raw, reading text and version: 600 KB a document).
            text = f"Capture {i}. " + "".join(f"Sentence {i}-{j} of a long capture. " for j in range(6000))
            make_document(text[:200_000], slug=f"long-{i}")

    add(4, 0)
    small, small_peak = _export_peak(tmp_path, "small.zip")
    add(12, 4)
    large, large_peak = _export_peak(tmp_path, "large.zip")

    assert large.content_bytes > 3.5 * small.content_bytes
    assert large_peak < small_peak + 512 * 1024, (small_peak, large_peak)
    assert large_peak < large.content_bytes / 4, (large_peak, large.content_bytes)


# --- across databases and processes -----------------------------------------------------------


def data_members(path):
    """Every member but the manifest, and the manifest's resources: what must not depend on the database."""
    contents = members(path)
    manifest = json.loads(contents.pop("manifest.json"))
    return contents, manifest["resources"]


def test_backup_round_trip_sqlite_postgresql_sqlite_gives_identical_content(
    varied_archive, tmp_path, new_database
):
    """From the test database to the other kind and back, each through
    manage.py in its own process: the canonical dumps are identical, and the
    backups of the restored archives are the same bytes."""
    here = connection.vendor
    there = "postgresql" if here == "sqlite" else "sqlite"
    other, back = new_database(there), new_database(here)
    original = list(canonical_dump())
    first, second, third = (tmp_path / f"{n}.zip" for n in ("first", "second", "third"))
    export_archive(first)

    manage(other, "import_archive", first)
    manage(other, "export_archive", second)
    manage(back, "import_archive", second)
    manage(back, "export_archive", third)

    assert canonical_dump_of(other, tmp_path / "other.dump") == original
    assert canonical_dump_of(back, tmp_path / "back.dump") == original
    assert data_members(second) == data_members(first)
    assert data_members(third) == data_members(first)


def test_the_commands_report_what_they_did_and_refuse_with_the_member(varied_archive, tmp_path, new_database):
    path = tmp_path / "margins.zip"
    target = new_database(connection.vendor)
    from django.core.management import call_command

    out = io.StringIO()
    call_command("export_archive", str(path), stdout=out)
    assert "Backed up 1 group, 2 users" in out.getvalue()
    assert "without password hashes" in out.getvalue()

    restored = manage(target, "import_archive", path)
    assert "Restored 1 group, 2 users" in restored
    assert "search index rebuilt" in restored
    assert "restored users must set a new password" in restored

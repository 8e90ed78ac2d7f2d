"""``manage.py import_capture``: what an operator sees, and what is stored."""

import hashlib
import json
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from archive.models import Document
from archive.services.imports import load_manifest
from tests.factories import make_document, make_source
from tests.paths import CAPTURES, ROOT

SEEDS = sorted(CAPTURES.glob("*.txt"))

pytestmark = pytest.mark.django_db


def run(*args):
    """Run the command; return (exit status, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_capture", *[str(arg) for arg in args], stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def write(path, data):
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_every_seed_is_stored_byte_for_byte(tmp_path):
    status, out, err = run(*SEEDS)
    assert status == 0, err
    assert out.splitlines()[-1] == "Imported 5, refused 0."
    assert Document.objects.count() == 5
    for path in SEEDS:
        data = path.read_bytes()
        document = Document.objects.get(raw_sha256=hashlib.sha256(data).hexdigest())
        assert document.raw_text.encode("utf-8") == data
        assert document.capture_method == "file_import"


def test_without_a_manifest_title_comes_from_the_first_line_and_the_rest_is_unknown():
    status, out, _ = run(SEEDS[0])
    assert status == 0
    document = Document.objects.get()
    assert (
        document.title
        == "Iran’s Khamenei urges Syrian youth to resist foreign occupation Report by US think tank"
    )
    assert out.splitlines()[0] == (f"imported {SEEDS[0]} as {document.slug} (removed 35 boilerplate lines)")
    assert (document.kind, document.published_precision, document.published_at) == ("other", "unknown", None)
    assert document.visibility == "draft"
    assert document.source is None
    assert document.captured_by
    assert {"line": 55, "text": "Views: 367", "reason": "view counter"} in document.cleaning_report


def test_verbose_output_lists_each_removed_line():
    status, out, _ = run(SEEDS[2], "-v", "2")
    assert status == 0
    assert "  line 4: 'Reading time: 3 minutes' (reading time)" in out.splitlines()


def test_long_first_line_is_cut_to_fit_the_title(tmp_path):
    path = write(tmp_path / "long.txt", "word " * 200 + "\n\nBody.")
    assert run(path)[0] == 0
    assert len(Document.objects.get().title) == 500


def test_manifest_provenance_is_stored(tmp_path):
    source = make_source(slug="caliber", name="Caliber.az")
    shutil.copy(SEEDS[0], tmp_path / "000.txt")
    write(
        tmp_path / "manifest.toml",
        """
[[captures]]
file = "000.txt"
title = "Iran’s Khamenei urges Syrian youth to resist foreign occupation"
slug = "caliber-khamenei-syrian-youth"
kind = "news"
language = "en"
byline = "Tamilla Hasanova"
source = "caliber"
original_url = "https://caliber.az/en/post/example"
published_at = 2025-01-04T13:21:00+04:00
published_precision = "time"
captured_at = "2025-01-05T09:00:00Z"
captured_by = "ana"
provenance_notes = "Saved from the live page."
tags = ["iran", "syria"]
visibility = "published"
""",
    )
    status, out, err = run(tmp_path / "000.txt", "--manifest", tmp_path / "manifest.toml")
    assert status == 0, err
    document = Document.objects.get()
    assert document.slug == "caliber-khamenei-syrian-youth"
    assert (document.kind, document.byline, document.source, document.visibility) == (
        "news",
        "Tamilla Hasanova",
        source,
        "published",
    )
    assert document.published_at.isoformat() == "2025-01-04T09:21:00+00:00"
    assert document.published_display == "4 January 2025, 09:21 UTC"
    assert document.captured_by == "ana"
    assert sorted(document.tags.names()) == ["iran", "syria"]


def test_manifest_alone_imports_every_file_it_lists(tmp_path):
    for path in SEEDS[:2]:
        shutil.copy(path, tmp_path / path.name)
    write(
        tmp_path / "m.json",
        json.dumps(
            {
                "captures": [
                    {"file": SEEDS[0].name, "title": "Zero"},
                    {"file": SEEDS[1].name, "title": "One", "kind": "transcript"},
                ]
            }
        ),
    )
    status, out, _ = run("--manifest", tmp_path / "m.json")
    assert status == 0
    assert sorted(Document.objects.values_list("title", flat=True)) == ["One", "Zero"]


def test_manifest_matches_a_bare_file_name_wherever_the_file_is(tmp_path):
    write(tmp_path / "m.json", json.dumps({"captures": [{"file": SEEDS[3].name, "title": "Envoy"}]}))
    assert run(SEEDS[3], "--manifest", tmp_path / "m.json")[0] == 0
    assert Document.objects.get().title == "Envoy"


def test_dry_run_saves_nothing_and_says_so(tmp_path):
    bad = write(tmp_path / "empty.txt", b"")
    status, out, err = run(*SEEDS, bad, "--dry-run")
    assert status == 1
    assert f"would import {SEEDS[1]} as " in out
    assert out.splitlines()[-1] == "Dry run: would import 5, refused 1; nothing was saved."
    assert f"refused {bad}: file is empty" in err
    assert Document.objects.count() == 0


def test_dry_run_notices_the_same_capture_given_twice(tmp_path):
    copy = shutil.copy(SEEDS[2], tmp_path / "copy.txt")
    status, out, err = run(SEEDS[2], copy, "--dry-run")
    assert status == 1
    assert f"refused {copy}: has the same bytes as {SEEDS[2]}, listed earlier in this run" in err
    assert Document.objects.count() == 0


# --- Running again -------------------------------------------------------------


def test_capture_already_archived_is_skipped_naming_the_document():
    data = SEEDS[4].read_bytes()
    make_document(data.decode("utf-8"), title="Khamenei meets Assad", slug="khamenei-assad")
    status, out, err = run(SEEDS[4])
    assert status == 0, err
    assert out.splitlines() == [
        f"skipped {SEEDS[4]} (already archived as “Khamenei meets Assad”, /documents/khamenei-assad/)",
        "Imported 0, skipped 1, refused 0.",
    ]
    assert err == ""
    assert Document.objects.count() == 1


def test_importing_the_same_file_twice_skips_the_second():
    assert run(SEEDS[2])[0] == 0
    status, out, err = run(SEEDS[2])
    assert status == 0, err
    assert f"skipped {SEEDS[2]} (already archived as “Iran Faces Setbacks in Syria" in out
    assert Document.objects.count() == 1


def test_running_again_after_a_crash_imports_the_rest_and_skips_what_is_archived(tmp_path):
    assert run(*SEEDS[:2])[0] == 0
    status, out, err = run(*SEEDS)
    assert status == 0, err
    assert out.splitlines()[-1] == "Imported 3, skipped 2, refused 0."
    assert [line.split(" ", 1)[0] for line in out.splitlines()[:-1]] == ["skipped"] * 2 + ["imported"] * 3
    assert Document.objects.count() == 5

    # A dry run says what it would skip; skips alone are no failure.
    status, out, _ = run(*SEEDS, "--dry-run")
    assert status == 0
    assert out.splitlines()[-1] == "Dry run: would import 0, would skip 5, refused 0; nothing was saved."
    assert f"would skip {SEEDS[0]} (already archived as " in out


def test_running_a_manifest_again_skips_what_is_archived_and_still_refuses_the_bad(tmp_path):
    for path in SEEDS[:2]:
        shutil.copy(path, tmp_path / path.name)
    empty = write(tmp_path / "empty.txt", b"")
    manifest = write(
        tmp_path / "m.json",
        json.dumps(
            {
                "captures": [
                    {"file": SEEDS[0].name, "title": "Zero"},
                    {"file": SEEDS[1].name, "title": "One"},
                    {"file": empty.name, "title": "Empty"},
                ]
            }
        ),
    )
    assert run("--manifest", manifest)[0] == 1
    status, out, err = run("--manifest", manifest)
    assert status == 1
    assert out.splitlines()[-1] == "Imported 0, skipped 2, refused 1."
    assert f"refused {empty}: file is empty" in err
    assert err.endswith("1 of 3 file(s) refused; see the messages above.")
    assert Document.objects.count() == 2


def test_the_same_capture_twice_in_one_run_is_refused_not_skipped(tmp_path):
    copy = shutil.copy(SEEDS[2], tmp_path / "copy.txt")
    status, out, err = run(SEEDS[2], copy)
    assert status == 1
    assert f"refused {copy}: has the same bytes as {SEEDS[2]}, listed earlier in this run" in err
    assert out.splitlines()[-1] == "Imported 1, refused 1."


# --- Refusals -----------------------------------------------------------------


def assert_refused(args, message, *, stored_before=0):
    status, out, err = run(*args)
    assert status == 1
    assert message in err.splitlines()
    assert out.splitlines()[-1].endswith("refused 1.")
    assert Document.objects.count() == stored_before


def test_undecodable_file_is_refused_with_its_byte_offset(tmp_path):
    path = write(tmp_path / "latin1.txt", "Caf\u00e9 au lait".encode("latin-1"))
    assert_refused([path], f"refused {path}: not valid UTF-8 at byte offset 3 (byte 0xe9)")


def test_empty_file_is_refused(tmp_path):
    path = write(tmp_path / "empty.txt", b"")
    assert_refused([path], f"refused {path}: file is empty")


def test_whitespace_only_file_is_refused(tmp_path):
    path = write(tmp_path / "blank.txt", "\n \n\t\n")
    assert_refused([path], f"refused {path}: contains only whitespace")


def test_missing_file_is_refused(tmp_path):
    path = tmp_path / "nowhere.txt"
    assert_refused([path], f"refused {path}: cannot be read: No such file or directory")


@override_settings(MARGINS_MAX_CAPTURE_BYTES=1000)
def test_oversized_file_is_refused(tmp_path):
    assert_refused(
        [SEEDS[0]],
        f"refused {SEEDS[0]}: 3,678 bytes is over the 1,000-byte limit (MARGINS_MAX_CAPTURE_BYTES)",
    )


def test_slug_given_in_manifest_that_is_taken_is_refused(tmp_path):
    make_document(slug="taken")
    manifest = write(
        tmp_path / "m.json",
        json.dumps({"captures": [{"file": SEEDS[2].name, "title": "T", "slug": "taken"}]}),
    )
    assert_refused(
        [SEEDS[2], "--manifest", manifest],
        f"refused {SEEDS[2]}: field “slug”: a document with the slug “taken” already exists",
        stored_before=1,
    )


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            {"kind": "speech"},
            "field “kind”: “speech” is not one of transcript, news, analysis, readout, statement, other",
        ),
        (
            {"published_at": "January 9, 2025"},
            "field “published_at”: “January 9, 2025” is not an ISO 8601 "
            "date or date-time (e.g. 2025-01-04 or 2025-01-04T13:21:00+04:00)",
        ),
        (
            {"published_at": "2025-01-09", "published_precision": "unknown"},
            "field “published_precision”: is “unknown”, but published_at gives a date; say how precise it is",
        ),
        (
            {"published_precision": "month"},
            "field “published_at”: is missing, but published_precision is “month”",
        ),
        (
            {"source": "tasnim"},
            "field “source”: no source has the slug “tasnim”; add it first, or leave “source” out if unknown",
        ),
        (
            {"language": "en_US"},
            "field “language”: “en_US” is not a BCP 47 language tag (examples: en, fa, ar-SY, zh-Hant).",
        ),
        ({"archived_url": "web.archive.org"}, "field “archived_url”: Enter a valid URL."),
    ],
)
def test_bad_manifest_field_refuses_that_file_naming_entry_and_field(tmp_path, field, message):
    manifest = write(
        tmp_path / "m.json", json.dumps({"captures": [{"file": SEEDS[2].name, "title": "Esbati", **field}]})
    )
    assert_refused(
        [SEEDS[2], "--manifest", manifest],
        f"refused {SEEDS[2]}: {manifest}, entry 1 ({SEEDS[2].name}), {message}",
    )


def test_unknown_manifest_key_is_refused(tmp_path):
    manifest = write(
        tmp_path / "m.toml", f'[[captures]]\nfile = "{SEEDS[2].name}"\ntitle = "E"\nauthor = "X"\n'
    )
    status, _, err = run(SEEDS[2], "--manifest", manifest)
    assert status == 1
    assert (
        f"refused {SEEDS[2]}: {manifest}, entry 1 ({SEEDS[2].name}): unknown field “author”; the fields "
        "are file, title, slug" in err
    )
    assert Document.objects.count() == 0


def outside_message(manifest, number, file, resolved):
    return (
        f"{manifest}, entry {number} ({file}), field “file”: resolves to {resolved}, outside the "
        f"manifest's folder {manifest.parent.resolve()}; a manifest may only name files in its own "
        "folder or below it"
    )


def test_manifest_may_not_name_a_file_outside_its_folder(tmp_path):
    batch = tmp_path / "a" / "b" / "batch"
    batch.mkdir(parents=True)
    secret = write(tmp_path / "secret.txt", "Not a capture.\nA private note.\n")
    shutil.copy(SEEDS[0], batch / SEEDS[0].name)
    escape = "../../../secret.txt"
    manifest = write(
        batch / "m.toml",
        f'[[captures]]\nfile = "{SEEDS[0].name}"\ntitle = "Zero"\n\n'
        f'[[captures]]\nfile = "{escape}"\ntitle = "Escape"\n',
    )
    status, out, err = run("--manifest", manifest)
    assert status == 1
    assert f"refused {batch / escape}: {outside_message(manifest, 2, escape, secret.resolve())}" in err
    assert out.splitlines()[-1] == "Imported 1, refused 1."
    assert list(Document.objects.values_list("title", flat=True)) == ["Zero"]

    # Naming the file on the command line does not make the entry acceptable.
    status, _, err = run(secret, "--manifest", manifest)
    assert status == 1
    assert outside_message(manifest, 2, escape, secret.resolve()) in err


@pytest.mark.parametrize("kind", ["absolute", "symlink", "missing"])
def test_manifest_paths_are_confined_after_resolving(tmp_path, kind):
    batch = tmp_path / "batch"
    batch.mkdir()
    outside = tmp_path / "outside.txt"
    if kind != "missing":
        write(outside, "Outside the batch.\n")
    if kind == "absolute":
        file = str(outside)
    elif kind == "symlink":
        file = "link.txt"
        (batch / file).symlink_to(outside)
    else:
        # Refused for where it points, before any attempt to read it.
        file = "../outside.txt"
    manifest = write(batch / "m.json", json.dumps({"captures": [{"file": file, "title": "Out"}]}))
    status, _, err = run("--manifest", manifest)
    assert status == 1
    assert outside_message(manifest, 1, file, outside.resolve()) in err
    assert "cannot be read" not in err
    assert Document.objects.count() == 0


def test_manifest_may_name_files_in_folders_below_it(tmp_path):
    (tmp_path / "2025" / "01").mkdir(parents=True)
    shutil.copy(SEEDS[1], tmp_path / "2025" / "01" / "one.txt")
    manifest = write(
        tmp_path / "m.json", json.dumps({"captures": [{"file": "2025/01/./one.txt", "title": "One"}]})
    )
    assert run("--manifest", manifest)[0] == 0
    assert Document.objects.get().title == "One"


def test_file_missing_from_the_manifest_is_refused(tmp_path):
    manifest = write(
        tmp_path / "m.json", json.dumps({"captures": [{"file": SEEDS[0].name, "title": "Zero"}]})
    )
    status, out, err = run(SEEDS[0], SEEDS[1], "--manifest", manifest)
    assert status == 1
    assert f"refused {SEEDS[1]}: not listed in the manifest {manifest}" in err
    assert out.splitlines()[-1] == "Imported 1, refused 1."
    assert list(Document.objects.values_list("title", flat=True)) == ["Zero"]


def test_one_bad_manifest_entry_refuses_only_its_file(tmp_path):
    manifest = write(
        tmp_path / "m.json",
        json.dumps(
            {
                "captures": [
                    {"file": SEEDS[0].name, "title": "Zero", "kind": "speech"},
                    {"file": SEEDS[1].name, "title": "One", "kind": "transcript"},
                ]
            }
        ),
    )
    status, out, err = run(SEEDS[0], SEEDS[1], "--manifest", manifest)
    assert status == 1
    assert "field “kind”: “speech” is not one of" in err
    assert out.splitlines()[-1] == "Imported 1, refused 1."
    assert list(Document.objects.values_list("title", flat=True)) == ["One"]


def test_unparseable_manifest_aborts_before_importing_anything(tmp_path):
    manifest = write(
        tmp_path / "m.json", '{"captures": [\n  {"file": "a.txt", "title": "A"}\n  {"file": "b"}]}'
    )
    status, out, err = run(*SEEDS, "--manifest", manifest)
    assert status == 2
    assert err == (f"{manifest}: not valid JSON: Expecting ',' delimiter at line 3, column 3")
    assert out == ""
    assert Document.objects.count() == 0


def test_unparseable_toml_manifest_reports_line_and_column(tmp_path):
    manifest = write(tmp_path / "m.toml", '[[captures]]\nfile = "a.txt"\ntitle = "A\n')
    status, _, err = run(SEEDS[0], "--manifest", manifest)
    assert status == 2
    assert err.startswith(f"{manifest}: not valid TOML: ")
    assert "line 3" in err
    assert Document.objects.count() == 0


def test_good_files_are_imported_and_bad_ones_reported(tmp_path):
    empty = write(tmp_path / "empty.txt", b"")
    binary = write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n")
    status, out, err = run(SEEDS[0], empty, SEEDS[1], binary, SEEDS[2])
    assert status == 1
    assert out.splitlines()[-1] == "Imported 3, refused 2."
    assert f"refused {empty}: file is empty" in err
    assert f"refused {binary}: not valid UTF-8 at byte offset 0 (byte 0x89)" in err
    assert err.endswith("2 of 5 file(s) refused; see the messages above.")
    assert Document.objects.count() == 3


def test_a_capture_with_old_mac_line_endings_imports_as_several_lines(tmp_path):
    path = write(tmp_path / "mac.txt", b"Headline\r\rFirst paragraph.\rSecond paragraph.\r")
    status, _, err = run(path)
    assert status == 0, err
    document = Document.objects.get()
    assert document.raw_text.encode("utf-8") == path.read_bytes()  # stored as received
    assert "\r" not in document.text
    lines = document.text.split("\n")
    assert "First paragraph." in lines and "Second paragraph." in lines
    assert document.title == "Headline"


def test_no_files_and_no_manifest_is_a_usage_error():
    status, _, err = run()
    assert status == 2
    assert "Name at least one capture file, or give --manifest." in err


@pytest.mark.parametrize("language", ["toml", "json"])
def test_manifest_examples_in_the_docs_import(tmp_path, language):
    make_source(slug="caliber-az")
    docs = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    example = docs.split(f"```{language}\n", 1)[1].split("```", 1)[0]
    manifest = write(tmp_path / f"manifest.{language}", example)
    for path in SEEDS:
        shutil.copy(path, tmp_path / path.name)
    status, out, err = run("--manifest", manifest)
    assert status == 0, err
    assert Document.objects.count() == len(load_manifest(manifest))

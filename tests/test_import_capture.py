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


def test_capture_already_archived_is_refused_naming_the_document():
    data = SEEDS[4].read_bytes()
    make_document(data.decode("utf-8"), title="Khamenei meets Assad", slug="khamenei-assad")
    assert_refused(
        [SEEDS[4]],
        f"refused {SEEDS[4]}: this capture is already archived as “Khamenei meets Assad” "
        f"(/documents/khamenei-assad/), SHA-256 {hashlib.sha256(data).hexdigest()}",
        stored_before=1,
    )


def test_importing_the_same_file_twice_refuses_the_second():
    assert run(SEEDS[2])[0] == 0
    status, _, err = run(SEEDS[2])
    assert status == 1
    assert "this capture is already archived as “Iran Faces Setbacks in Syria" in err
    assert Document.objects.count() == 1


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

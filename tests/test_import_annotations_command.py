"""``manage.py import_annotations``: what an operator sees, and what is stored."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from archive.models import Claim, ClaimEvent, ImportedAnnotation
from archive.services.annotation_shapes import MAX_FILE_BYTES
from tests.conftest import EXPORT_HOST
from tests.paths import HYPOTHESIS_EXPORT

pytestmark = pytest.mark.django_db


def run(*args):
    """Run the command; return (exit status, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_annotations", *[str(arg) for arg in args], stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def stored():
    return Claim.objects.count(), ClaimEvent.objects.count(), ImportedAnnotation.objects.count()


def write(path, value):
    path.write_text(
        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False), encoding="utf-8"
    )
    return path


def test_importing_the_hypothesis_export_reports_each_annotation_and_a_summary(annotated_seed):
    before = Claim.objects.count()
    status, out, err = run(HYPOTHESIS_EXPORT, "--archive-host", EXPORT_HOST)
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == f"{HYPOTHESIS_EXPORT}: 17 annotation(s), a Hypothesis export in Hypothesis"
    assert lines[-1] == ("Imported: placed 11, kept 2 orphaned; unknown document 1, skipped 3, refused 0.")
    assert Claim.objects.count() == before + 13
    first = json.loads(HYPOTHESIS_EXPORT.read_text(encoding="utf-8"))["annotations"][0]
    claim = ImportedAnnotation.objects.get(external_id=first["id"]).claim
    assert (
        f"{HYPOTHESIS_EXPORT}: annotation 1 (id {first['id']}): placed → claim {claim.pk}: placed in" in out
    )
    assert "annotation 16" in out and "unknown document: no document of this archive has the address" in out


def test_running_it_again_skips_everything_it_imported(annotated_seed):
    run(HYPOTHESIS_EXPORT, "--archive-host", EXPORT_HOST)
    before = stored()
    status, out, _ = run(HYPOTHESIS_EXPORT, "--archive-host", EXPORT_HOST)
    assert status == 0
    assert stored() == before
    assert (
        out.splitlines()[-1]
        == "Imported: placed 0, kept 0 orphaned; unknown document 1, skipped 16, refused 0."
    )


def test_a_dry_run_saves_nothing_and_says_so(annotated_seed):
    before = stored()
    status, out, _ = run(HYPOTHESIS_EXPORT, "--archive-host", EXPORT_HOST, "--dry-run")
    assert status == 0
    assert stored() == before
    assert out.splitlines()[-1] == (
        "Dry run: would place 11, keep 2 orphaned; unknown document 1, skipped 3, refused 0; "
        "nothing was saved."
    )


def test_user_and_publish_are_recorded(annotated_seed, analyst_user):
    status, _, err = run(HYPOTHESIS_EXPORT, "--archive-host", EXPORT_HOST, "--user", "ana", "--publish")
    assert status == 0, err
    imported = ImportedAnnotation.objects.select_related("claim").filter(outcome="placed")
    assert {row.claim.created_by for row in imported} == {analyst_user}
    assert {row.claim.visibility for row in imported} == {"published"}
    assert {row.imported_by for row in imported} == {analyst_user}


def test_an_unknown_user_is_refused_before_anything_is_read(annotated_seed):
    status, _, err = run(HYPOTHESIS_EXPORT, "--user", "nobody")
    assert status == 2
    assert "--user: no active user is called “nobody”." in err


def test_a_refused_annotation_names_file_index_id_and_field_and_nothing_is_written(annotated_seed, tmp_path):
    file = json.loads(HYPOTHESIS_EXPORT.read_text(encoding="utf-8"))
    file["annotations"][2]["target"][0]["selector"][1]["start"] = "1957"
    bad = write(tmp_path / "bad.json", file)
    before = stored()
    status, out, err = run(bad, "--archive-host", EXPORT_HOST)
    assert status == 1
    assert stored() == before
    identifier = file["annotations"][2]["id"]
    assert (
        f"{bad}: annotation 3 (id {identifier}): target[0].selector[1].start: must be an integer, not a string"
        in err
    )
    assert "Refused: nothing was imported, as 1 annotation(s) were refused" in out
    assert f"{bad}: 1 of 17 annotation(s) refused; see the messages above. Nothing was imported." in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "{not json",
            "is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2",
        ),
        (
            '"just a string"',
            "is neither W3C Web Annotations nor a Hypothesis export (the top level is a string)",
        ),
        (
            '{"export_date": "2025-01-01", "annotations": "none"}',
            "annotations: must be an array, not a string",
        ),
    ],
)
def test_a_file_that_cannot_be_read_as_annotations_exits_with_status_2(db, tmp_path, content, message):
    path = write(tmp_path / "file.json", content)
    status, _, err = run(path)
    assert status == 2
    assert f"{path}: {message}" in err


def test_an_oversized_file_is_refused_without_being_read(db, tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written
    status, _, err = run(path)
    assert status == 2
    assert (
        f"{path}: is 20,971,521 bytes; the largest file imported is 20,971,520 bytes (20 MB): split it" in err
    )


def test_a_missing_file_is_named(db, tmp_path):
    status, _, err = run(tmp_path / "absent.json")
    assert status == 2
    assert "absent.json: cannot be read: No such file or directory" in err


def test_persian_quotes_and_markup_in_notes_go_through_as_text(db, tmp_path):
    from tests.factories import make_document

    document = make_document(
        "رهبر گفت: «جوانان سوریه مقاومت خواهند کرد.» و رفت.", slug="farsi", language="fa"
    )
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "urn:uuid:3b0e7c1a-farsi",
        "type": "Annotation",
        "body": [
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": "<b>مهم</b> <script>alert(1)</script>",
                "format": "text/html",
            },
            {"type": "TextualBody", "purpose": "tagging", "value": "مقاومت"},
        ],
        "target": {
            "source": "/documents/farsi/",
            "selector": {"type": "TextQuoteSelector", "exact": "جوانان سوریه مقاومت خواهند کرد"},
        },
    }
    status, out, err = run(write(tmp_path / "fa.json", annotation), "--format", "w3c")
    assert status == 0, err
    claim = document.claims.get()
    assert claim.quote == "جوانان سوریه مقاومت خواهند کرد"
    assert claim.note == "**مهم**"
    assert claim.tags.names()[0] == "مقاومت"

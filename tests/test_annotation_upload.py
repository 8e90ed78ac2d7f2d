"""The analysts' upload page for annotations from other tools (``/imports/annotations/``)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from archive import views
from archive.models import Claim, ClaimEvent, ImportedAnnotation
from archive.services import annotation_shapes
from tests.conftest import EXPORT_HOST
from tests.paths import HYPOTHESIS_EXPORT

pytestmark = pytest.mark.django_db

URL = reverse("archive:annotation_import")


@pytest.fixture
def on_export_host(settings):
    """The site as deployed where the export was made: its host is one of ALLOWED_HOSTS."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, EXPORT_HOST]


def upload(client, data=None, name="seed_export.json", **fields):
    data = HYPOTHESIS_EXPORT.read_bytes() if data is None else data
    return client.post(URL, {"file": SimpleUploadedFile(name, data, "application/json"), **fields})


def stored():
    return Claim.objects.count(), ClaimEvent.objects.count(), ImportedAnnotation.objects.count()


def test_analysts_see_the_page_linked_from_the_site_header(analyst):
    page = analyst.get(reverse("archive:document_list")).content.decode()
    assert f'<a href="{URL}">Import annotations</a>' in page
    form = analyst.get(URL).content.decode()
    assert 'enctype="multipart/form-data"' in form and "csrfmiddlewaretoken" in form


def test_readers_and_visitors_neither_see_the_link_nor_reach_the_page(reader, outsider):
    for client in (reader, outsider):
        assert "Import annotations" not in client.get(reverse("archive:document_list")).content.decode()
        assert client.get(URL).status_code == 403
        assert upload(client).status_code == 403


def test_a_preview_shows_what_would_happen_and_saves_nothing(analyst, annotated_seed, on_export_host):
    before = stored()
    response = upload(analyst, preview="1")
    assert response.status_code == 200
    assert stored() == before
    page = response.content.decode()
    assert "Preview (nothing saved): “seed_export.json”" in page
    assert (
        "Dry run: would place 11, keep 2 orphaned; unknown document 1, skipped 3, refused 0; "
        "nothing was saved." in page
    )
    assert (
        "no document of this archive has the address “https://news.example.com/2025/01/05/iran-khamenei-syria-youth”"
        in page
    )


def test_importing_creates_the_claims_and_links_each_one(
    analyst, analyst_user, annotated_seed, on_export_host
):
    before = Claim.objects.count()
    response = upload(analyst, **{"import": "1"})
    assert response.status_code == 200
    assert Claim.objects.count() == before + 13
    page = response.content.decode()
    assert "Imported: placed 11, kept 2 orphaned; unknown document 1, skipped 3, refused 0." in page
    for row in ImportedAnnotation.objects.all():
        assert f'<a href="{row.claim.get_absolute_url()}">claim {row.claim_id}</a>' in page
        assert row.claim.created_by == analyst_user and row.claim.visibility == "draft"


def test_the_upload_takes_the_requests_own_host_as_the_archives(analyst, annotated_seed):
    data = HYPOTHESIS_EXPORT.read_text(encoding="utf-8").replace(
        f"https://{EXPORT_HOST}/", "http://testserver/"
    )
    response = upload(analyst, data.encode(), preview="1")
    assert "Dry run: would place 11," in response.content.decode()


def test_publishing_from_the_page(analyst, annotated_seed, on_export_host):
    upload(analyst, publish="on", **{"import": "1"})
    assert set(
        ImportedAnnotation.objects.filter(outcome="placed").values_list("claim__visibility", flat=True)
    ) == {"published"}


def test_a_refused_annotation_is_shown_and_nothing_is_written(analyst, annotated_seed, on_export_host):
    file = json.loads(HYPOTHESIS_EXPORT.read_text(encoding="utf-8"))
    file["annotations"][4]["text"] = 12
    before = stored()
    response = upload(analyst, json.dumps(file).encode(), **{"import": "1"})
    assert response.status_code == 400
    assert stored() == before
    page = response.content.decode()
    assert "Refused: nothing was imported" in page
    assert "text: must be an integer" not in page and "text: must be a string, not an integer" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{oops", "“seed_export.json” is not valid JSON: Expecting property name enclosed in double quotes"),
        (b"\xc3\x28", "“seed_export.json” is not valid UTF-8 (at byte offset 0)."),
        (b"[1, 2]", "“seed_export.json” is neither W3C Web Annotations nor a Hypothesis export"),
    ],
)
def test_a_file_that_is_not_annotations_is_refused_on_the_form(analyst, data, message):
    response = upload(analyst, data, **{"import": "1"})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_oversized_file_is_refused_by_the_form(analyst, monkeypatch):
    monkeypatch.setattr(annotation_shapes, "MAX_FILE_BYTES", 1000)
    response = upload(analyst, b" " * 1001, preview="1")
    assert response.status_code == 400
    assert (
        "“seed_export.json” is 1,001 bytes; the largest file imported is 1,000 bytes"
        in response.content.decode()
    )


def test_a_file_of_too_many_annotations_is_sent_to_the_command(analyst, annotated_seed, monkeypatch):
    monkeypatch.setattr(views, "UPLOAD_ANNOTATIONS", 5)
    response = upload(analyst, preview="1")
    assert response.status_code == 400
    assert "holds 17 annotations; at most 5 are imported here at once" in response.content.decode()


def test_no_file_is_a_precise_error(analyst):
    response = analyst.post(URL, {"import": "1"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_the_upload_needs_the_csrf_token(analyst_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst_user)
    assert upload(client, preview="1").status_code == 403


def test_markup_in_an_imported_note_is_shown_as_text(analyst, annotated_seed, on_export_host, outsider):
    upload(analyst, publish="on", **{"import": "1"})
    file = json.loads(HYPOTHESIS_EXPORT.read_text(encoding="utf-8"))
    claim = ImportedAnnotation.objects.get(external_id=file["annotations"][4]["id"]).claim
    page = outsider.get(claim.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
        or "&lt;script&gt;alert(&#39;x&#39;)" in page
    )


def test_an_orphaned_import_is_told_apart_from_an_orphan_of_a_correction(
    analyst, annotated_seed, on_export_host
):
    upload(analyst, **{"import": "1"})
    file = json.loads(HYPOTHESIS_EXPORT.read_text(encoding="utf-8"))
    claim = ImportedAnnotation.objects.get(external_id=file["annotations"][8]["id"]).claim
    reader_page = analyst.get(claim.document.get_absolute_url()).content.decode()
    assert (
        "1 imported claim is not highlighted because its quote was not found in the text on import"
        in reader_page
    )
    assert "because the text was corrected" not in reader_page
    assert "Not placed on import from Hypothesis: the quote does not occur in the reading text" in reader_page
    claim_page = analyst.get(claim.get_absolute_url()).content.decode()
    assert "This claim is <strong>orphaned</strong>: Not placed on import from Hypothesis" in claim_page
    assert "imported from Hypothesis annotation" in claim_page  # its history says where it came from


def test_the_page_with_its_summary_and_the_pages_of_imported_orphans_are_valid_html(
    analyst, annotated_seed, on_export_host, tmp_path
):
    from tests.checkers import VNU, require
    from tests.test_html_validity import _validate

    require(VNU, "The Nu HTML checker (vnu-jar)")
    file = json.loads(HYPOTHESIS_EXPORT.read_text(encoding="utf-8"))
    pages = {"summary": upload(analyst, **{"import": "1"}).content, "form": analyst.get(URL).content}
    orphan = ImportedAnnotation.objects.get(external_id=file["annotations"][8]["id"]).claim
    pages["reader"] = analyst.get(orphan.document.get_absolute_url()).content
    pages["claim"] = analyst.get(orphan.get_absolute_url()).content
    errors = _validate(tmp_path, pages)
    assert not errors, "\n".join(errors)

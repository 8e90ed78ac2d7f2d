"""The analysts' admin, driven through real requests: listing and filtering,
archiving captures by paste or upload, placing claims by their quote, and
refusing what would corrupt the archive."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from archive.models import Claim, ClaimEvent, Document, Visibility, sha256_hex
from archive.services import annotations
from archive.text import capture
from tests.factories import admin_claim_post, make_claim, make_document, make_person, make_source

pytestmark = pytest.mark.django_db

DOCUMENT_ADD = "/admin/archive/document/add/"
CLAIM_ADD = "/admin/archive/claim/add/"

CAPTURE = (
    "Menu\n"
    "Home\n"
    "\n"
    "Khamenei says the resistance front will grow stronger.\n"
    "He said the events in Syria were planned abroad.\n"
    "\n"
    "Share this article\n"
    "Follow us on Telegram\n"
)


def change_url(obj):
    return f"/admin/archive/{obj._meta.model_name}/{obj.pk}/change/"


def changelist(client, model, **params):
    response = client.get(f"/admin/archive/{model}/", params)
    assert response.status_code == 200
    return response


def listed(response):
    return {str(obj) for obj in response.context["cl"].result_list}


def capture_post(**overrides):
    data = {
        "title": "Speech on Syria",
        "slug": "speech-on-syria",
        "kind": Document.Kind.TRANSCRIPT,
        "language": "en",
        "byline": "",
        "tags": "syria, speeches",
        "visibility": Visibility.DRAFT,
        "source": "",
        "original_url": "https://example.org/speech",
        "archived_url": "",
        "published_at_0": "",
        "published_at_1": "",
        "published_precision": Document.DatePrecision.UNKNOWN,
        "captured_at_0": "2025-01-04",
        "captured_at_1": "10:00:00",
        "captured_by": "Ana",
        "provenance_notes": "",
        "paste": "",
    }
    data.update(overrides)
    return data


def document_change_post(document, **overrides):
    data = capture_post(
        title=document.title,
        slug=document.slug,
        kind=document.kind,
        language=document.language,
        visibility=document.visibility,
        tags="",
        original_url=document.original_url,
        captured_by=document.captured_by,
        text=document.text,
    )
    del data["paste"]
    data.update(
        {
            "claims-TOTAL_FORMS": "0",
            "claims-INITIAL_FORMS": "0",
            "claims-MIN_NUM_FORMS": "0",
            "claims-MAX_NUM_FORMS": "1000",
            "outgoing_relations-TOTAL_FORMS": "0",
            "outgoing_relations-INITIAL_FORMS": "0",
            "outgoing_relations-MIN_NUM_FORMS": "0",
            "outgoing_relations-MAX_NUM_FORMS": "1000",
        }
    )
    data.update(overrides)
    return data


# --- Changelists ----------------------------------------------------------------------------


@pytest.fixture
def corpus():
    tasnim, irna = make_source(name="Tasnim"), make_source(name="IRNA")
    speech = make_document(
        "The leader spoke about Syria.",
        title="Leader's speech",
        source=tasnim,
        kind=Document.Kind.TRANSCRIPT,
        tags=["syria"],
        byline="Staff writer",
    )
    readout = make_document(
        "The two presidents met in Tehran.",
        title="Meeting readout",
        source=irna,
        kind=Document.Kind.READOUT,
        language="fa",
        tags=["diplomacy"],
    )
    draft = make_document(
        "An unpublished note on Hezbollah.",
        title="Draft analysis",
        kind=Document.Kind.ANALYSIS,
        visibility=Visibility.DRAFT,
        tags=["syria", "lebanon"],
    )
    return {"tasnim": tasnim, "irna": irna, "speech": speech, "readout": readout, "draft": draft}


def test_document_changelist_shows_columns_for_an_analyst(analyst, corpus):
    make_claim(corpus["speech"], "spoke about Syria")
    response = changelist(analyst, "document")
    assert listed(response) == {"Leader's speech", "Meeting readout", "Draft analysis"}
    speech = next(d for d in response.context["cl"].result_list if d.title == "Leader's speech")
    assert speech.claim_count == 1
    assert "✓ matches" in response.content.decode()


@pytest.mark.parametrize(
    "params, expected",
    [
        (lambda c: {"source__id__exact": c["tasnim"].pk}, {"Leader's speech"}),
        (lambda c: {"kind__exact": "readout"}, {"Meeting readout"}),
        (lambda c: {"language__exact": "fa"}, {"Meeting readout"}),
        (lambda c: {"tag": "syria"}, {"Leader's speech", "Draft analysis"}),
        (lambda c: {"visibility__exact": "draft"}, {"Draft analysis"}),
        (lambda c: {"q": "Hezbollah"}, {"Draft analysis"}),
        (lambda c: {"q": "Staff writer"}, {"Leader's speech"}),
        (lambda c: {"q": "readout"}, {"Meeting readout"}),
    ],
)
def test_document_changelist_filters_and_search(analyst, corpus, params, expected):
    assert listed(changelist(analyst, "document", **params(corpus))) == expected


def test_document_tag_filter_offers_only_document_tags(analyst, corpus):
    claim = make_claim(corpus["speech"], "spoke", tags=["claim-only"])
    assert claim.tags.count() == 1
    response = changelist(analyst, "document")
    specs = response.context["cl"].filter_specs
    tag_filter = next(f for f in specs if getattr(f, "parameter_name", "") == "tag")
    assert [slug for slug, _ in tag_filter.lookup_choices] == ["diplomacy", "lebanon", "syria"]


@pytest.fixture
def claims(corpus):
    leader, aide = make_person(name="The Leader"), make_person(name="An Aide")
    return {
        "plot": make_claim(
            corpus["speech"],
            "spoke",
            claimant=leader,
            kind=Claim.Kind.ACCUSATION,
            tags=["plots"],
            note="A foreign plot",
        ),
        "met": make_claim(
            corpus["readout"], "met in Tehran", claimant=aide, status=Claim.Status.CORROBORATED
        ),
        "note": make_claim(corpus["draft"], "Hezbollah", visibility=Visibility.DRAFT),
        "leader": leader,
    }


@pytest.mark.parametrize(
    "params, expected",
    [
        (lambda c, d: {"claimant__id__exact": c["leader"].pk}, {"spoke"}),
        (lambda c, d: {"kind__exact": "accusation"}, {"spoke"}),
        (lambda c, d: {"status__exact": "corroborated"}, {"met in Tehran"}),
        (lambda c, d: {"tag": "plots"}, {"spoke"}),
        (lambda c, d: {"document__id__exact": d["draft"].pk}, {"Hezbollah"}),
        (lambda c, d: {"visibility__exact": "draft"}, {"Hezbollah"}),
        (lambda c, d: {"q": "foreign plot"}, {"spoke"}),
        (lambda c, d: {"q": "Meeting readout"}, {"met in Tehran"}),
        (lambda c, d: {"q": "An Aide"}, {"met in Tehran"}),
        (lambda c, d: {}, {"spoke", "met in Tehran", "Hezbollah"}),
    ],
)
def test_claim_changelist_filters_and_search(analyst, corpus, claims, params, expected):
    assert listed(changelist(analyst, "claim", **params(claims, corpus))) == expected


# --- Archiving a capture ---------------------------------------------------------------------


def test_pasted_capture_is_archived_exactly_with_its_cleaning(analyst, analyst_user):
    response = analyst.post(DOCUMENT_ADD, capture_post(paste=CAPTURE), follow=True)
    assert response.status_code == 200
    document = Document.objects.get()
    assert document.raw_text == CAPTURE
    assert document.raw_sha256 == sha256_hex(CAPTURE)
    assert document.text == capture.clean(CAPTURE).text
    assert document.text.startswith("Khamenei says")
    assert "Share this article" not in document.text
    assert document.capture_method == Document.CaptureMethod.ADMIN_PASTE
    assert document.created_by == analyst_user
    assert sorted(document.tags.names()) == ["speeches", "syria"]
    removed = len(capture.clean(CAPTURE).removed)
    assert f"The cleaner removed {removed} boilerplate lines" in response.content.decode()


def test_pasted_capture_keeps_its_newlines_not_the_browsers_crlf(analyst):
    analyst.post(DOCUMENT_ADD, capture_post(paste=CAPTURE.replace("\n", "\r\n")))
    assert Document.objects.get().raw_text == CAPTURE


def test_uploaded_capture_is_archived_byte_for_byte(analyst):
    data = "\ufeffТекст\r\nسلام — “quoted”\n".encode()
    upload = SimpleUploadedFile("capture.txt", data, content_type="text/plain")
    analyst.post(DOCUMENT_ADD, capture_post(upload=upload))
    document = Document.objects.get()
    assert document.raw_text.encode("utf-8") == data
    assert document.capture_method == Document.CaptureMethod.UPLOAD
    assert document.raw_sha256 == sha256_hex(data.decode("utf-8"))


def refused(client, data, message):
    before = Document.objects.count()
    response = client.post(DOCUMENT_ADD, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Document.objects.count() == before
    return response


def test_neither_paste_nor_upload_is_refused(analyst):
    refused(analyst, capture_post(), "Paste the capture or upload a file.")


def test_both_paste_and_upload_is_refused(analyst):
    upload = SimpleUploadedFile("capture.txt", b"Some text")
    refused(
        analyst,
        capture_post(paste="Some text", upload=upload),
        "Paste the capture or upload a file, not both.",
    )


def test_empty_upload_is_refused(analyst):
    refused(analyst, capture_post(upload=SimpleUploadedFile("empty.txt", b"")), "empty.txt: file is empty")


def test_whitespace_paste_is_refused(analyst):
    refused(analyst, capture_post(paste="  \n\n "), "contains only whitespace")


def test_invalid_utf8_is_refused_with_its_byte_offset(analyst):
    upload = SimpleUploadedFile("latin1.txt", "Café".encode("latin-1"))
    refused(analyst, capture_post(upload=upload), "latin1.txt: not valid UTF-8 at byte offset 3")


@override_settings(MARGINS_MAX_CAPTURE_BYTES=20)
def test_oversized_upload_is_refused(analyst):
    upload = SimpleUploadedFile("big.txt", b"x" * 2000)
    refused(analyst, capture_post(upload=upload), "big.txt: 2,000 bytes is over the 20-byte limit")


@override_settings(MARGINS_MAX_CAPTURE_BYTES=20)
def test_oversized_paste_is_refused(analyst):
    refused(analyst, capture_post(paste="é" * 11), "pasted text: 22 bytes is over the 20-byte limit")


def test_duplicate_capture_is_refused_naming_the_archived_document(analyst):
    make_document(CAPTURE, title="The first copy")
    refused(analyst, capture_post(paste=CAPTURE), "already archived as “The first copy”")


def test_capture_that_is_all_boilerplate_is_refused(analyst):
    refused(analyst, capture_post(paste="Menu\nShare this article\n"), "nothing is left")


def test_bad_provenance_is_refused_and_nothing_stored(analyst):
    refused(analyst, capture_post(paste=CAPTURE, published_precision="day"), "Give the published date")


def test_add_form_offers_paste_and_upload_but_no_raw_text(analyst):
    content = analyst.get(DOCUMENT_ADD).content.decode()
    assert 'name="paste"' in content and 'name="upload"' in content
    assert 'name="raw_text"' not in content and 'name="text"' not in content


# --- Editing a document ------------------------------------------------------------------------


def test_change_page_shows_raw_text_read_only(analyst):
    document = make_document("Raw <b>capture</b> text.")
    content = analyst.get(change_url(document)).content.decode()
    assert (
        '<pre class="raw-capture" tabindex="0" role="region" aria-label="Raw text as captured">'
        "Raw &lt;b&gt;capture&lt;/b&gt; text.</pre>"
    ) in content
    assert 'name="raw_text"' not in content


def test_reading_text_is_read_only_in_the_admin(analyst):
    document = make_document("Alpha beta gamma. Delta epsilon.")
    make_claim(document, "beta")
    response = analyst.post(change_url(document), document_change_post(document, text="Alpha BETA gamma."))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.text == "Alpha beta gamma. Delta epsilon."
    assert document.versions.count() == 1
    content = analyst.get(change_url(document)).content.decode()
    assert 'name="text"' not in content


def test_change_page_shows_the_text_in_a_selection_panel_and_links_to_the_correction_page(analyst):
    document = make_document("Alpha <beta> gamma.")
    content = analyst.get(change_url(document)).content.decode()
    assert 'data-admin-select="inline"' in content
    assert "Alpha &lt;beta&gt; gamma." in content
    assert "New claim from selection" in content
    assert f'href="{reverse("archive:document_correct", args=[document.slug])}"' in content
    assert "Correct the reading text…" in content
    assert "archive/admin-select.js" in content


def test_other_fields_stay_editable_while_claims_anchor(analyst):
    document = make_document("Alpha beta gamma.")
    make_claim(document, "beta")
    response = analyst.post(change_url(document), document_change_post(document, title="Renamed"))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title == "Renamed"
    assert document.text == "Alpha beta gamma."


def test_change_page_lists_the_text_versions(analyst, analyst_user):
    document = make_document("Alpha beta gamma.")
    annotations.correct_text(document, "Alpha beta, gamma.", user=analyst_user, reason="Missing comma")
    content = analyst.get(change_url(document)).content.decode()
    for number in (1, 2):
        assert f'href="{reverse("archive:document_version", args=[document.slug, number])}"' in content
    assert "Missing comma" in content and "Text as first cleaned from the capture" in content
    assert f"<td>{analyst_user.get_username()}</td>" in content


def test_version_times_are_valid_html_datetimes(analyst):
    """HTML allows at most three digits of a second's fraction: the times carry whole seconds."""
    document = make_document("Alpha beta gamma.")
    content = analyst.get(change_url(document)).content.decode()
    times = re.findall(r'<table class="versions">.*?</table>', content, re.S)[0]
    assert re.findall(r'<time datetime="([^"]*)"', times)
    for value in re.findall(r'<time datetime="([^"]*)"', times):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", value), value


def test_hash_column_reports_a_tampered_raw_text(analyst):
    document = make_document("Original capture.", title="Tampered")
    assert "✓ matches" in changelist(analyst, "document").content.decode()
    Document.objects.filter(pk=document.pk).update(raw_text="Altered capture.")
    content = changelist(analyst, "document").content.decode()
    assert "✗ MISMATCH" in content and "✓ matches" not in content


# --- Claims placed by quote ----------------------------------------------------------------------


TWICE = "The enemy will fail. We said it before: the enemy will fail."


def test_claim_added_by_quote_gets_both_selectors(analyst, analyst_user):
    document = make_document("Khamenei said the resistance will grow stronger every day.")
    response = analyst.post(CLAIM_ADD, admin_claim_post(document, "the resistance will grow"))
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert document.text[claim.start : claim.end] == claim.quote == "the resistance will grow"
    assert claim.prefix == "Khamenei said " and claim.suffix == " stronger every day."
    assert claim.created_by == analyst_user
    assert ClaimEvent.objects.get().action == ClaimEvent.Action.CREATED


def test_claim_quote_not_in_the_text_is_refused(analyst):
    document = make_document("Khamenei said the resistance will grow stronger.")
    response = analyst.post(CLAIM_ADD, admin_claim_post(document, "the resistance will shrink"))
    assert response.status_code == 200
    assert "does not occur in the document" in response.content.decode()
    assert not Claim.objects.exists()


def test_ambiguous_quote_is_refused_asking_for_context(analyst):
    document = make_document(TWICE)
    response = analyst.post(CLAIM_ADD, admin_claim_post(document, "enemy will fail"))
    content = response.content.decode()
    assert "occurs 2 times" in content and "prefix" in content and "suffix" in content
    assert not Claim.objects.exists()


def test_ambiguous_quote_resolved_by_a_prefix_is_saved(analyst):
    document = make_document(TWICE)
    analyst.post(CLAIM_ADD, admin_claim_post(document, "enemy will fail", prefix="before: the "))
    claim = Claim.objects.get()
    assert claim.start == TWICE.rindex("enemy will fail")
    assert document.text[claim.start : claim.end] == "enemy will fail"


def test_editing_a_claim_without_touching_the_quote_keeps_its_span(analyst):
    document = make_document(TWICE)
    claim = make_claim(document, "enemy will fail", prefix="before: the ")
    data = admin_claim_post(
        document, claim.quote, prefix=claim.prefix, suffix=claim.suffix, status=Claim.Status.DISPUTED
    )
    assert analyst.post(change_url(claim), data).status_code == 302
    claim.refresh_from_db()
    assert (claim.start, claim.status) == (TWICE.rindex("enemy will fail"), Claim.Status.DISPUTED)
    assert ClaimEvent.objects.filter(claim=claim, action=ClaimEvent.Action.EDITED).exists()


def test_changing_a_claims_quote_moves_it(analyst):
    document = make_document(TWICE)
    claim = make_claim(document, "The enemy")
    assert analyst.post(change_url(claim), admin_claim_post(document, "We said it")).status_code == 302
    claim.refresh_from_db()
    assert document.text[claim.start : claim.end] == "We said it"
    assert ClaimEvent.objects.filter(claim=claim, action=ClaimEvent.Action.MOVED).exists()


def test_deleting_a_claim_in_the_admin_leaves_an_audit_event(analyst):
    claim = make_claim(make_document("Alpha beta."), "beta")
    response = analyst.post(f"/admin/archive/claim/{claim.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Claim.objects.exists()
    assert ClaimEvent.objects.get(claim_pk=claim.pk).action == ClaimEvent.Action.DELETED


def test_claim_added_inline_on_the_document_is_anchored(analyst):
    document = make_document(TWICE)
    data = document_change_post(
        document,
        **{
            "claims-TOTAL_FORMS": "1",
            "claims-0-quote": "enemy will fail",
            "claims-0-prefix": "The ",
            "claims-0-suffix": "",
            "claims-0-claimant": "",
            "claims-0-kind": Claim.Kind.PREDICTION,
            "claims-0-status": Claim.Status.UNVERIFIED,
            "claims-0-visibility": Visibility.DRAFT,
        },
    )
    response = analyst.post(change_url(document), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    claim = Claim.objects.get()
    assert (claim.start, claim.kind) == (4, Claim.Kind.PREDICTION)


def test_ambiguous_inline_claim_is_refused(analyst):
    document = make_document(TWICE)
    data = document_change_post(
        document,
        **{
            "claims-TOTAL_FORMS": "1",
            "claims-0-quote": "enemy will fail",
            "claims-0-kind": Claim.Kind.PREDICTION,
            "claims-0-status": Claim.Status.UNVERIFIED,
            "claims-0-visibility": Visibility.DRAFT,
        },
    )
    response = analyst.post(change_url(document), data)
    assert response.status_code == 200
    assert "occurs 2 times" in response.content.decode()
    assert not Claim.objects.exists()


def test_analysts_can_say_whether_the_source_states_the_time_zone_on_add_and_change(analyst):
    document = make_document("Alpha beta gamma.")
    assert 'name="published_time_zone_stated"' in analyst.get("/admin/archive/document/add/").content.decode()
    assert 'name="published_time_zone_stated"' in analyst.get(change_url(document)).content.decode()


# --- Changelist queries ----------------------------------------------------------------------------


def test_every_foreign_key_column_is_fetched_with_its_row():
    """A foreign key in ``list_display`` without ``list_select_related`` costs one query per row."""
    from django.contrib import admin
    from django.db import models

    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "archive":
            continue
        columns = {
            name
            for name in model_admin.list_display
            if isinstance(name, str)
            and name in {field.name for field in model._meta.get_fields()}
            and isinstance(model._meta.get_field(name), models.ForeignKey)
        }
        if columns and model_admin.list_select_related is not True:
            missing = columns - set(model_admin.list_select_related or ())
            assert not missing, f"{type(model_admin).__name__} lists {missing} without list_select_related"

"""Reading texts have "\\n" line endings whatever the capture used, so that a
selection's offsets (counted over the page's text, which has no "\\r") match
the server's; and the page's text ends where the document's does."""

import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse

from archive.models import ClaimEvent, Document, sha256_hex
from archive.services import annotations
from archive.services.imports import create_document
from archive.text.rendering import render_highlighted
from tests.factories import claim_at, make_document
from tests.test_api import post_json, selector_payload

CAPTURE = (
    "Share this article\n"
    "Envoy says talks failed\n"
    "\n"
    "The envoy said the talks had failed.\n"
    "He added that the border would stay closed.\n"
    "\n"
    "Nobody expected the announcement, which came late on Friday."
)
READING = CAPTURE.split("\n", 1)[1]  # the share widget goes


def imported(raw):
    document, _cleaned = create_document(
        raw, fields={"slug": "envoy"}, capture_method=Document.CaptureMethod.FILE_IMPORT
    )
    return document


@pytest.mark.parametrize("ending", ["\r\n", "\r"], ids=["CRLF", "CR"])
def test_a_crlf_or_cr_capture_gets_a_reading_text_with_newlines_and_keeps_its_raw_bytes(db, ending):
    raw = CAPTURE.replace("\n", ending)

    document = imported(raw)

    assert document.text == READING
    assert document.raw_text == raw
    assert document.raw_sha256 == sha256_hex(raw)
    assert document.raw_text_intact()


def test_a_selection_across_a_line_break_in_a_crlf_capture_is_saved(analyst, db):
    document = imported(CAPTURE.replace("\n", "\r\n"))
    quote = "had failed.\nHe added"  # what the browser's page text reads

    response = post_json(
        analyst,
        reverse("archive:api_claim_create", args=[document.slug]),
        selector_payload(document.text, quote),
    )

    assert response.status_code == 201, response.content
    assert document.claims.get().quote == quote


def reader_text_html(response):
    html = response.content.decode()
    match = re.search(r'data-fragment="text">(.*?)</div>', html, re.DOTALL)
    assert match, "the reading text is not on the page"
    return match.group(1)


def test_the_pages_text_ends_where_the_documents_does(analyst, db):
    # A newline after the text made the page's suffix for a selection at the
    # very end differ from the server's, and the selection was refused.
    document = make_document("The envoy said the talks had failed. Nobody expected it.")
    last = "Nobody expected it."

    page = analyst.get(document.get_absolute_url())
    created = post_json(
        analyst,
        reverse("archive:api_claim_create", args=[document.slug]),
        selector_payload(document.text, last),
    )

    assert reader_text_html(page) == render_highlighted(document.text, [])
    assert created.status_code == 201, created.content
    assert created.json()["html"]["text"].endswith("Nobody expected it.</mark>")


migration = importlib.import_module("archive.migrations.0007_reading_text_line_endings")


def test_migration_normalises_existing_texts_and_reanchors_their_claims(db):
    lf = "Envoy says talks failed\n\nThe envoy said the talks had failed.\nHe added that the border would stay closed."
    crlf = lf.replace("\n", "\r\n")
    document = make_document(crlf, slug="crlf")
    untouched = make_document(lf, slug="lf")
    raw_sha = document.raw_sha256
    document_version = document.version
    before = claim_at(document, crlf.index("the border"), crlf.index(" would"))
    before.save()
    before.tags.add("border")
    across = claim_at(document, crlf.index("failed."), crlf.index(" added"))
    across.save()
    other = claim_at(untouched, lf.index("the border"), lf.index(" would"))
    other.save()

    migration.normalise_line_endings(apps, None)

    document.refresh_from_db()
    assert document.text == lf
    assert document.raw_text == crlf and document.raw_sha256 == raw_sha
    version = document.versions.get(number=2)
    assert version.text == lf
    assert "Line endings" in version.reason
    assert version.text_sha256 == sha256_hex(lf)
    before.refresh_from_db()
    across.refresh_from_db()
    assert (before.quote, before.start) == ("the border", lf.index("the border"))
    assert across.quote == "failed.\nHe"
    assert not before.orphaned and before.anchored_version == version
    assert document.version == document_version + 1
    events = ClaimEvent.objects.filter(claim_pk__in=[before.pk, across.pk], action="reanchored")
    assert events.count() == 2
    assert {e.detail["outcome"] for e in events} == {"moved", "changed"}
    # Each event agrees with its claim's row: the version it produced and the whole state.
    for claim in (before, across):
        event = events.get(claim_pk=claim.pk)
        assert claim.version == 2
        assert event.claim_version == claim.version
        assert event.state == annotations.claim_state(claim)
        assert event.document_title == document.title
        assert event.detail["new"] == {"quote": claim.quote, "start": claim.start, "end": claim.end}
    assert events.get(claim_pk=before.pk).state["tags"] == ["border"]
    untouched.refresh_from_db()
    other.refresh_from_db()
    assert untouched.text == lf and untouched.versions.count() == 1
    assert other.start == lf.index("the border") and other.version == 1
    assert not ClaimEvent.objects.filter(claim_pk=other.pk).exists()

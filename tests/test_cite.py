"""The "Cite" section of document and claim pages and the citation downloads."""

import datetime
import json
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from archive.interop import citations
from archive.models import Claim, Document, Visibility
from tests.factories import make_claim, make_document, make_person, make_source
from tests.interop.csl_schema import csl_errors

pytestmark = pytest.mark.django_db

FORMATS = {"csl": "csl.json", "bib": "bib", "ris": "ris"}
MEDIA_TYPES = {
    "csl": "application/vnd.citationstyles.csl+json; charset=utf-8",
    "bib": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
}
TEXT = "The leader spoke at length. The occupied territories will be liberated by the youth. He ended there."
QUOTE = "The occupied territories will be liberated by the youth."


@pytest.fixture
def speech(db):
    source = make_source(name="Khamenei.ir", slug="khamenei-ir", kind="official")
    document = make_document(
        TEXT,
        title="Speech on Syria & the region",
        slug="speech-on-syria",
        kind=Document.Kind.TRANSCRIPT,
        source=source,
        published_at=datetime.datetime(2024, 12, 11, 9, 30, tzinfo=datetime.UTC),
        published_precision="day",
        captured_at=datetime.datetime(2025, 1, 4, 12, 0, tzinfo=datetime.UTC),
        original_url="https://english.khamenei.ir/news/11288",
        archived_url="https://web.archive.org/web/2024/https://english.khamenei.ir/news/11288",
    )
    claimant = make_person(name="Ali Khamenei", slug="ali-khamenei")
    claim = make_claim(document, QUOTE, claimant=claimant)
    return document, claim


def cite_url(item, fmt):
    if isinstance(item, Claim):
        return reverse(f"archive:claim_cite_{fmt}", args=[item.pk])
    return reverse(f"archive:document_cite_{fmt}", args=[item.slug])


def shown_citations(response):
    """The text of each format's text area on a page, by its id (line ends as HTML reads them)."""
    html = response.content.decode()
    return {
        match.group(1): unescape(match.group(2)).replace("\r\n", "\n")
        for match in re.finditer(r'<textarea id="cite-(\w+)"[^>]*>(.*?)</textarea>', html, re.S)
    }


def test_document_page_shows_each_format_whole_with_a_plain_download_link(outsider, speech):
    document, _claim = speech
    response = outsider.get(document.get_absolute_url())
    html = response.content.decode()
    shown = shown_citations(response)
    assert set(shown) == {"csl", "bib", "ris"}
    (item,) = json.loads(shown["csl"])
    assert item["title"] == "Speech on Syria & the region"
    assert item["URL"] == "https://english.khamenei.ir/news/11288"
    assert shown["bib"].startswith("@online{speech-on-syria-2024,\n")
    # The text area shows RIS with the line ends HTML keeps (the download has CRLF).
    assert shown["ris"].splitlines()[0] == "TY  - GEN"
    for fmt, extension in FORMATS.items():
        assert f'href="{cite_url(document, fmt)}"' in html
        assert f"Download speech-on-syria-2024.{extension}" in html
    # Copy buttons wait for the script; without it the page offers the text and the links.
    assert html.count('<button type="button" data-copy=') == 3
    assert all(button.endswith(" hidden>") for button in re.findall(r"<button[^>]*data-copy[^>]*>", html))
    assert "archive/cite.js" in html


def test_claim_page_cites_the_passage_with_its_quote_and_claimant(outsider, speech):
    _document, claim = speech
    shown = shown_citations(outsider.get(claim.get_absolute_url()))
    (item,) = json.loads(shown["csl"])
    assert item["id"] == f"speech-on-syria-2024-claim{claim.pk}"
    assert item["archive_location"] == f"http://testserver/claims/{claim.pk}/"
    assert item["note"].startswith(
        f"Quote (claimant: Ali Khamenei): “{QUOTE}”\nPassage: http://testserver/documents/"
    )
    assert f"Quote (claimant: Ali Khamenei): “{QUOTE}”" in shown["ris"]
    assert "Quote (claimant: Ali Khamenei)" in shown["bib"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("what", ["document", "claim"])
def test_a_download_has_its_media_type_utf8_and_is_an_attachment(outsider, speech, fmt, what):
    item = speech[0] if what == "document" else speech[1]
    response = outsider.get(cite_url(item, fmt))
    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPES[fmt]
    key = "speech-on-syria-2024" + (f"-claim{item.pk}" if what == "claim" else "")
    assert response["Content-Disposition"] == f'attachment; filename="{key}.{FORMATS[fmt]}"'
    body = response.content.decode("utf-8")
    assert key in body
    if fmt == "ris":
        assert body.endswith("ER  - \r\n") and "\n" not in body.replace("\r\n", "")


def test_the_download_is_what_the_page_shows(outsider, speech):
    document, _claim = speech
    shown = shown_citations(outsider.get(document.get_absolute_url()))
    for fmt in FORMATS:
        downloaded = outsider.get(cite_url(document, fmt)).content.decode()
        assert downloaded.replace("\r\n", "\n") == shown[fmt]


@pytest.mark.parametrize("fmt", FORMATS)
def test_drafts_have_no_citation_for_readers_but_analysts_get_one(outsider, reader, analyst, fmt):
    draft = make_document(TEXT + " (draft)", slug="draft-speech", visibility=Visibility.DRAFT)
    in_draft = make_claim(draft, QUOTE)
    published = make_document(TEXT + " (published)", slug="published-speech")
    draft_claim = make_claim(published, QUOTE, visibility=Visibility.DRAFT)
    for item in (draft, in_draft, draft_claim):
        assert outsider.get(cite_url(item, fmt)).status_code == 404
        assert reader.get(cite_url(item, fmt)).status_code == 404
        assert analyst.get(cite_url(item, fmt)).status_code == 200
    assert "draft-speech" not in outsider.get(published.get_absolute_url()).content.decode()


def test_citations_of_every_kind_and_date_precision_are_valid_csl_data(outsider):
    source = make_source(name="Institute for the Study of War", slug="isw", kind="think_tank")
    dated = datetime.datetime(2024, 2, 29, 23, 59, tzinfo=datetime.UTC)
    checked = 0
    for kind in Document.Kind.values:
        for precision in Document.DatePrecision.values:
            document = make_document(
                f"{TEXT} ({kind}, {precision})",
                slug=f"{kind}-{precision}",
                kind=kind,
                source=source if precision in ("day", "year") else None,
                byline="Nicholas Carl" if precision == "month" else "",
                published_at=None if precision == "unknown" else dated,
                published_precision=precision,
                original_url="https://www.understandingwar.org/backgrounder/iran-update"
                if precision != "time"
                else "",
            )
            claim = make_claim(document, QUOTE)
            for item in (document, claim):
                data = json.loads(outsider.get(cite_url(item, "csl")).content)
                assert csl_errors(data) == [], (kind, precision, data)
                checked += 1
            (item,) = data
            assert (
                item["type"]
                == citations.csl_item(
                    citations.Work(
                        number=1,
                        slug="x",
                        title="x",
                        kind=kind,
                        source_kind="think_tank" if document.source else "",
                    )
                )["type"]
            )
            expected = {"time": [2024, 2, 29], "day": [2024, 2, 29], "month": [2024, 2], "year": [2024]}.get(
                precision
            )
            assert item.get("issued") == ({"date-parts": [expected]} if expected else None)
    assert checked == 2 * len(Document.Kind.values) * len(Document.DatePrecision.values)


def test_every_seed_document_and_claim_has_valid_csl_data(outsider, seeded):
    items = [*Document.objects.published(), *Claim.objects.published()]
    assert len(items) > 10
    for item in items:
        response = outsider.get(cite_url(item, "csl"))
        assert csl_errors(json.loads(response.content)) == [], item


def test_the_passage_link_in_a_claim_citation_opens_its_document_at_the_passage(outsider, speech):
    document, claim = speech
    (item,) = json.loads(outsider.get(cite_url(claim, "csl")).content)
    passage = re.search(r"^Passage: (\S+)$", item["note"], re.M).group(1)
    parts = urlsplit(passage)
    assert parts.path == document.get_absolute_url()
    assert parts.fragment.startswith("passage:~:text=")
    html = outsider.get(f"{parts.path}?{parts.query}").content.decode()
    assert "A colleague linked you to a passage" in html
    marked = re.search(r'<mark id="passage"[^>]*>(.*?)</mark>', html, re.S).group(1)
    assert marked.endswith(QUOTE)


def test_an_orphaned_claim_is_cited_without_a_passage_link(outsider, speech):
    document, claim = speech
    Claim.objects.filter(pk=claim.pk).update(orphaned=True)
    (item,) = json.loads(outsider.get(cite_url(claim, "csl")).content)
    assert "Passage:" not in item["note"]
    assert f"Claim in Margins: http://testserver/claims/{claim.pk}/" in item["note"]


def test_a_persian_document_is_cited_in_persian_under_an_ascii_key(outsider):
    document = make_document(
        "رهبر انقلاب گفت سرزمین‌های اشغالی سوریه آزاد خواهد شد.",
        title="بیانات رهبر انقلاب درباره سوریه",
        slug="بیانات-سوریه",
        byline="دفتر حفظ و نشر آثار",
        language="fa",
        kind=Document.Kind.TRANSCRIPT,
    )
    response = outsider.get(cite_url(document, "bib"))
    key = f"document.{document.pk}-nd"
    assert response["Content-Disposition"] == f'attachment; filename="{key}.bib"'
    body = response.content.decode("utf-8")
    assert body.startswith(f"@online{{{key},\n")
    assert "  title = {{بیانات رهبر انقلاب درباره سوریه}},\n" in body
    assert "  author = {{دفتر حفظ و نشر آثار}},\n" in body
    assert "  langid = {persian},\n" in body
    (item,) = json.loads(outsider.get(cite_url(document, "csl")).content)
    assert (
        item["URL"]
        == "http://testserver/documents/%D8%A8%DB%8C%D8%A7%D9%86%D8%A7%D8%AA-%D8%B3%D9%88%D8%B1%DB%8C%D9%87/"
    )
    assert csl_errors([item]) == []


def test_an_old_slug_redirects_to_the_citation_at_the_new_one(outsider, speech):
    document, _claim = speech
    document.slug = "speech-on-syria-2024"
    document.save()
    response = outsider.get("/documents/speech-on-syria/cite.ris")
    assert response.status_code == 301
    assert response["Location"] == "/documents/speech-on-syria-2024/cite.ris"


def test_citation_downloads_refuse_writes(outsider, speech):
    assert outsider.post(cite_url(speech[0], "bib")).status_code == 405

"""sitemap.xml and robots.txt (archive.sitemaps): published pages only, paged
sections, constant queries per page, and crawlers kept out of the private parts."""

import urllib.robotparser
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive import sitemaps
from archive.models import Visibility
from tests.factories import make_claim, make_document, make_person, make_source

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
TEXT = "The envoy said the talks had failed. He added that the border would stay closed."


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def locations(root):
    return [element.text for element in root.iterfind(".//sm:loc", NS)]


def section(client, name, page=None):
    url = reverse("archive:sitemap_section", args=[name]) + (f"?p={page}" if page else "")
    return locations(read(client, url))


@pytest.fixture
def world(db):
    person = make_person(name="Hossein Akbari", slug="hossein-akbari")
    # A person, a source and tags with only draft material: no page to list.
    quiet = make_person(name="Only drafts", slug="only-drafts")
    source = make_source(name="IRNA", slug="irna")
    hidden_source = make_source(name="Draft outlet", slug="draft-outlet")
    published = make_document(TEXT, slug="envoy-talks", source=source, tags=["syria"])
    claim = make_claim(published, "the talks had failed", claimant=person, tags=["claimed-only"])
    draft_claim = make_claim(
        published, "He added", claimant=quiet, visibility=Visibility.DRAFT, tags=["hidden"]
    )
    draft = make_document(
        TEXT + " (draft)",
        slug="draft-readout",
        source=hidden_source,
        visibility=Visibility.DRAFT,
        tags=["secret"],
    )
    in_draft = make_claim(draft, "the talks had failed", claimant=quiet, tags=["secret-claim"])
    persian = make_document("متن خبر.", slug="خبر-سوریه")
    persian.tags.add("سوریه")
    return {
        "person": person,
        "source": source,
        "published": published,
        "claim": claim,
        "draft_claim": draft_claim,
        "draft": draft,
        "in_draft": in_draft,
        "persian": persian,
    }


def test_the_index_lists_every_section_with_absolute_addresses_and_lastmod(outsider, world):
    root = read(outsider, reverse("archive:sitemap_index"))
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    entries = {
        element.findtext("sm:loc", namespaces=NS): element.findtext("sm:lastmod", namespaces=NS)
        for element in root.iterfind("sm:sitemap", NS)
    }
    assert set(entries) == {f"http://testserver/sitemap-{name}.xml" for name in sitemaps.SECTIONS}
    latest = max(world["published"].updated_at, world["persian"].updated_at)
    assert entries["http://testserver/sitemap-documents.xml"] == latest.isoformat()
    assert entries["http://testserver/sitemap-claims.xml"] == world["claim"].updated_at.isoformat()


def test_each_section_lists_only_what_visitors_can_open(outsider, world):
    def absolute(*items):
        return {f"http://testserver{item.get_absolute_url()}" for item in items}

    assert set(section(outsider, "documents")) == absolute(world["published"], world["persian"])
    assert set(section(outsider, "claims")) == absolute(world["claim"])
    assert set(section(outsider, "people")) == absolute(world["person"])
    assert set(section(outsider, "sources")) == absolute(world["source"])
    assert set(section(outsider, "tags")) == {
        "http://testserver/tags/syria/",
        "http://testserver/tags/claimed-only/",
        "http://testserver/tags/%D8%B3%D9%88%D8%B1%DB%8C%D9%87/",
    }
    # Every listed page really is there for an anonymous visitor.
    for name in sitemaps.SECTIONS:
        for location in section(outsider, name):
            assert outsider.get(location.removeprefix("http://testserver")).status_code == 200, location


def test_documents_and_claims_carry_their_lastmod(outsider, world):
    root = read(outsider, reverse("archive:sitemap_section", args=["claims"]))
    assert root.findtext("sm:url/sm:lastmod", namespaces=NS) == f"{world['claim'].updated_at:%Y-%m-%d}"


def test_sections_are_paged_so_no_page_grows_with_the_archive(outsider, world, monkeypatch):
    monkeypatch.setattr(sitemaps.ArchiveSitemap, "limit", 2)
    for n in range(3):
        make_document(f"{TEXT} More {n}.", slug=f"more-{n}")
    index = locations(read(outsider, reverse("archive:sitemap_index")))
    documents = [url for url in index if "sitemap-documents" in url]
    assert documents == [
        "http://testserver/sitemap-documents.xml",
        "http://testserver/sitemap-documents.xml?p=2",
        "http://testserver/sitemap-documents.xml?p=3",
    ]
    pages = [section(outsider, "documents", page) for page in (1, 2, 3)]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert len({url for page in pages for url in page}) == 5
    for page in ("4", "0", "x", "99999999999999999999"):
        assert (
            outsider.get(reverse("archive:sitemap_section", args=["documents"]) + f"?p={page}").status_code
            == 404
        )
    assert outsider.get(reverse("archive:sitemap_section", args=["drafts"])).status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_sitemap_pages_answer_in_the_same_queries_at_any_archive_size(outsider, world):
    urls = [reverse("archive:sitemap_index")] + [
        reverse("archive:sitemap_section", args=[name]) for name in sitemaps.SECTIONS
    ]
    for url in urls:
        outsider.get(url)  # content types, read once per process
    small = [_queries(outsider, url) for url in urls]
    for n in range(30):
        document = make_document(
            f"{TEXT} Grown {n}.", slug=f"grown-{n}", source=make_source(), tags=[f"t{n}"]
        )
        make_claim(document, "the talks had failed", claimant=make_person(), tags=[f"c{n}"])
    # The index: a count per section and the newest change of documents and of claims;
    # a section's page: its count and its rows.
    assert [_queries(outsider, url) for url in urls] == small == [7, 2, 2, 2, 2, 2]


def test_robots_txt_keeps_crawlers_out_of_private_parts_and_names_the_sitemap(outsider, world):
    response = outsider.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml\n" in text
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(text.splitlines())
    assert robots.site_maps() == ["http://testserver/sitemap.xml"]
    for private in ("/admin/", "/admin/archive/claim/", "/api/tags/", "/accounts/login/", "/imports/"):
        assert not robots.can_fetch("AnyBot", f"http://testserver{private}"), private
    for public in (
        "/",
        world["published"].get_absolute_url(),
        world["claim"].get_absolute_url(),
        reverse("archive:tag_detail", args=["syria"]),
        reverse("archive:feed_documents"),
        reverse("archive:document_cite_bib", args=["envoy-talks"]),
        "/sitemap.xml",
    ):
        assert robots.can_fetch("AnyBot", f"http://testserver{public}"), public


def test_sitemaps_and_robots_refuse_writes(outsider):
    for url in ("/robots.txt", "/sitemap.xml", "/sitemap-documents.xml"):
        assert outsider.post(url).status_code == 405


def test_a_kept_sitemap_is_served_again_with_its_headers(outsider, world, kept):
    url = reverse("archive:sitemap_section", args=["documents"])
    first = outsider.get(url)
    with CaptureQueriesContext(connection) as captured:
        again = outsider.get(url)
    assert len(captured.captured_queries) == 1  # the archive's stamp: the page was kept
    assert again.content == first.content
    assert again["X-Robots-Tag"] == first["X-Robots-Tag"] == "noindex, noodp, noarchive"
    assert again["Last-Modified"] == first["Last-Modified"]

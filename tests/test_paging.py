"""Listing pages stay bounded: keyset links, capped counts, bounded suggestions,
and the same number of queries whatever the archive's size (``archive.paging``)."""

import datetime
import gzip
import re
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from archive import paging
from archive.forms import SUGGESTIONS, DocumentFilterForm
from archive.models import Claim, Document, Visibility
from tests.factories import make_claim, make_document, make_person, make_source

UTC = datetime.UTC


def html(response):
    return response.content.decode()


def titles(response):
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', html(response))


def link(response, rel):
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', html(response))
    return found and found.group(1).replace("&amp;", "&")


def day(n):
    return datetime.datetime(2024, 1, 1, tzinfo=UTC) + datetime.timedelta(days=n)


@pytest.fixture
def shelf(db):
    """Eleven documents whose orders have ties and unknown dates, so that every key column matters."""
    documents = []
    for n in range(11):
        published = None if n % 4 == 0 else day(n // 3)
        documents.append(
            make_document(
                title=f"Item {n:02d}",
                published_at=published,
                published_precision="unknown" if published is None else "day",
                captured_at=day(n % 3),
            )
        )
    make_document(title="Hidden draft", visibility=Visibility.DRAFT)
    return documents


def expected(sort):
    ordering = DocumentFilterForm.SORTS[sort]
    return list(Document.objects.published().order_by(*ordering).values_list("title", flat=True))


@pytest.mark.parametrize("sort", list(DocumentFilterForm.SORTS))
def test_next_and_previous_links_walk_every_document_once_in_order(outsider, shelf, settings, sort):
    settings.MARGINS_PAGE_SIZE = 3
    pages = [outsider.get("/", {"sort": sort})]
    while link(pages[-1], "next"):
        pages.append(outsider.get("/" + link(pages[-1], "next")))
    assert [title for page in pages for title in titles(page)] == expected(sort)
    assert [f"Page {n} of 4" in html(page) for n, page in enumerate(pages, 1)] == [True] * 4
    back = [pages[-1]]
    while link(back[-1], "prev"):
        back.append(outsider.get("/" + link(back[-1], "prev")))
    assert [titles(page) for page in back] == [titles(page) for page in reversed(pages)]


def test_a_page_reached_by_number_matches_the_one_reached_by_links(outsider, shelf, settings):
    settings.MARGINS_PAGE_SIZE = 3
    second = outsider.get("/" + link(outsider.get("/"), "next"))
    assert titles(outsider.get("/", {"page": "2"})) == titles(second)


@pytest.mark.parametrize(
    "cursor",
    [
        "x",
        "1~2",
        "~~~",
        "20240101T000000.000000Z~nonsense~1",
        "20240101T000000.000000Z~20240101T000000.000000Z~" + "9" * 40,
        "~20240101T000000.000000Z~-1",
        "٢٠٢٤~٢~٣",
        "a" * 5000,
    ],
)
def test_a_damaged_page_link_shows_the_first_page_and_says_so(outsider, shelf, settings, cursor):
    settings.MARGINS_PAGE_SIZE = 3
    for direction in ("after", "before"):
        response = outsider.get("/", {direction: cursor})
        assert response.status_code == 200
        assert "This page link is damaged; showing the first page." in html(response)
        assert titles(response) == expected("-published")[:3]


def test_a_link_past_the_last_document_starts_again_with_a_notice(outsider, shelf, settings):
    settings.MARGINS_PAGE_SIZE = 3
    last = outsider.get("/", {"page": "4"})
    beyond = link(outsider.get("/", {"page": "3"}), "next")
    Document.objects.filter(title__in=titles(last)).delete()
    response = outsider.get("/" + beyond)
    assert "The page this link pointed at is empty now; showing the first page." in html(response)
    assert titles(response) == expected("-published")[:3]


def test_page_numbers_past_the_limit_are_refused_with_a_notice(outsider, shelf):
    response = outsider.get("/", {"page": str(paging.MAX_PAGE_NUMBER + 1)})
    assert response.status_code == 200
    assert "Pages past 1,000 cannot be opened by number; use “Next” or narrow the filters" in html(response)
    assert outsider.get("/", {"page": "0"}).status_code == 200
    assert "There is no page “9”; showing page 1 of 1." in html(outsider.get("/", {"page": "9"}))


def test_counts_stop_at_the_cap_and_the_page_says_so(outsider, shelf, monkeypatch, settings):
    settings.MARGINS_PAGE_SIZE = 3
    monkeypatch.setattr(paging, "COUNT_CAP", 4)
    page = html(outsider.get("/"))
    assert "More than 4 documents." in page
    assert "Counting stops at 4; narrow the filters for an exact count." in page
    # No "of N" when N is not known.
    assert "Page 1</span>" in page
    monkeypatch.setattr(paging, "COUNT_CAP", 11)
    page = html(outsider.get("/"))
    assert "11 documents." in page and "Counting stops" not in page and "Page 1 of 4" in page


def test_counting_is_bounded_by_the_cap(db, shelf):
    with CaptureQueriesContext(connection) as queries:
        total = paging.count(Document.objects.published(), cap=5)
    assert total == paging.Total(5, True)
    assert len(queries) == 1 and "LIMIT 6" in queries[0]["sql"]


# --- Filters: typed, with bounded suggestions ---------------------------------------


def test_filter_suggestions_are_bounded_and_never_name_drafts(outsider, db):
    for n in range(SUGGESTIONS + 10):
        make_document(title=f"Tagged {n}", tags=[f"topic {n:03d}"])
    make_document(title="Secret", visibility=Visibility.DRAFT, tags=["aaa-hidden"])
    page = html(outsider.get("/"))
    options = re.search(r'<datalist id="tag-suggestions">(.*?)</datalist>', page).group(1)
    assert options.count("<option") == SUGGESTIONS
    assert "aaa-hidden" not in page
    # A tag past the suggestions is still typed in and found.
    assert titles(outsider.get("/", {"tag": "topic 059"})) == ["Tagged 59"]


def test_the_list_page_does_not_grow_with_sources_tags_or_people(outsider, db):
    make_document(title="Only one")
    small = len(outsider.get("/").content)
    person = make_person(name="First")
    for n in range(80):
        source = make_source(name=f"Outlet ({n:03d})")
        document = make_document(title=f"Doc {n}", source=source, tags=[f"t{n:03d}"])
        make_claim(document, "sky", claimant=person if n % 2 else make_person(name=f"P {n:03d}"))
    Document.objects.exclude(title="Only one").update(visibility=Visibility.DRAFT)
    assert len(outsider.get("/").content) == small
    assert "Outlet (" not in html(outsider.get("/"))


# --- Query counts at two sizes ----------------------------------------------------------


def queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context), response


def grow(n, *, source, person, tag):
    for i in range(n):
        document = make_document(title=f"Grown {i}", source=source, tags=[tag])
        for word in ("sky", "blue", "water", "wet"):
            make_claim(document, word, claimant=person, tags=[tag])


@pytest.mark.parametrize("client_name", ["outsider", "analyst"])
def test_listing_pages_run_the_same_queries_at_two_sizes(request, db, settings, client_name):
    client = request.getfixturevalue(client_name)
    settings.MARGINS_PAGE_SIZE = 3
    source, person = make_source(name="Wire", slug="wire"), make_person(name="Voice", slug="voice")
    grow(4, source=source, person=person, tag="grain")
    claim = Claim.objects.order_by("pk").first()
    # Pages that run past one page once the archive has grown, and pages that do not
    # (the year and kind filters match none of these documents; a claim page is one claim).
    paged = ["/", "/sources/wire/", "/people/voice/", "/tags/grain/", "/?tag=grain", "/?claimant=voice"]
    paged += ["/?q=sky", "/?q=sky&sort=-captured"]
    single = ["/?year=2024", "/?kind=news&language=en", f"/claims/{claim.pk}/"]
    small = {url: queries(client, url)[0] for url in paged + single}
    deep_small = queries(client, "/" + link(client.get("/"), "next"))[0]
    grow(12, source=source, person=person, tag="grain")
    for url in paged + single:
        count, response = queries(client, url)
        assert count == small[url], url
        assert bool(link(response, "next")) == (url in paged), url
    assert queries(client, "/" + link(client.get("/"), "next"))[0] == deep_small


def test_person_and_tag_pages_show_five_claims_per_document_and_link_to_the_rest(outsider, db):
    person = make_person(name="Voice", slug="voice")
    words = " ".join(f"w{n}" for n in range(12))
    document = make_document(words, title="Long speech")
    for n in range(12):
        make_claim(document, f"w{n}", prefix="" if n == 0 else f"w{n - 1} ", claimant=person, tags=["grain"])
    for url in ("/people/voice/", "/tags/grain/"):
        page = html(outsider.get(url))
        assert page.count('class="card claim-card') == 5
        assert re.search(r"7 more claims (by this person|with this tag) in this document", page)
    assert "(12)" in html(outsider.get("/people/voice/"))


def test_the_tag_page_lists_documents_tagged_themselves_or_through_their_claims(outsider, db):
    tag = Tag.objects.create(name="grain", slug="grain")
    on_document = make_document(title="Tagged itself", tags=[tag])
    through_claim = make_document(title="Tagged in a claim")
    make_claim(through_claim, "sky", tags=[tag])
    draft_claim = make_document(title="Only a draft claim")
    make_claim(draft_claim, "sky", tags=[tag], visibility=Visibility.DRAFT)
    page = html(outsider.get("/tags/grain/"))
    assert "Tagged itself" in page and "Tagged in a claim" in page
    assert "Only a draft claim" not in page
    assert page.count("the document itself is tagged") == 1
    assert on_document.pk and through_claim.pk


# --- Listings kept for anonymous visitors ----------------------------------------------


@pytest.mark.parametrize("url", ["/", "/sources/wire/", "/people/voice/", "/tags/grain/"])
def test_listings_are_kept_for_visitors_and_show_a_new_document_at_once(kept, outsider, analyst, db, url):
    source, person = make_source(name="Wire", slug="wire"), make_person(name="Voice", slug="voice")
    grow(1, source=source, person=person, tag="grain")
    first = outsider.get(url)
    with CaptureQueriesContext(connection) as context:
        again = outsider.get(url)
    assert len(context) == 1 and again.content == first.content  # the archive stamp only
    document = make_document(title="Fresh capture", source=source, tags=["grain"])
    make_claim(document, "sky", claimant=person)
    assert "Fresh capture" in html(outsider.get(url))
    # Analysts never get the visitors' page (it leaves out drafts), nor visitors theirs.
    make_document(title="Draft capture", source=source, visibility=Visibility.DRAFT)
    assert "Draft capture" in html(analyst.get("/"))
    assert "Draft capture" not in html(outsider.get("/"))


def test_a_kept_page_is_sent_compressed_once_and_decompresses_to_the_same_page(kept, outsider, shelf):
    plain = outsider.get("/")
    compressed = outsider.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert "Accept-Encoding" in compressed["Vary"] and "Cookie" in compressed["Vary"]
    assert compressed["ETag"] == "W/" + plain["ETag"]
    assert "Content-Security-Policy" in compressed
    # Sent again, byte for byte: compressed when kept, not per request.
    assert outsider.get("/", HTTP_ACCEPT_ENCODING="gzip").content == compressed.content
    assert outsider.get("/", HTTP_IF_NONE_MATCH=compressed["ETag"]).status_code == 304


HOSTILE = [
    "خبرگزاری فارس",
    "Москва",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "a\x00b",
    "a\ud800b",
    "٢٠٢٤~٢~٣",
]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("name", ["after", "before", "page", "source", "tag", "claimant", "language", "year"])
def test_hostile_or_foreign_listing_parameters_never_give_a_5xx_nor_come_back_as_markup(
    outsider, shelf, name, value
):
    for url in ("/", "/people/voice/", "/tags/grain/", "/sources/wire/"):
        # Encoded as a browser would send it; a lone surrogate as the bytes UTF-8 forbids.
        query = quote(value.encode("utf-8", "surrogatepass"), safe="")
        response = outsider.get(f"{url}?{name}={query}")
        assert response.status_code < 500, (url, name, value)
        assert "<script>alert(1)" not in response.content.decode(errors="replace")
        assert "<img src=x" not in response.content.decode(errors="replace")


def test_a_persian_tag_or_claimant_typed_by_name_filters_the_list(outsider, db):
    person = make_person(name="علی خامنه‌ای", slug="علی-خامنه‌ای")
    document = make_document(title="Речь", tags=["مقاومت"])
    make_claim(document, "sky", claimant=person)
    make_document(title="Other")
    assert titles(outsider.get("/", {"tag": "مقاومت"})) == ["Речь"]
    assert titles(outsider.get("/", {"claimant": "علی خامنه‌ای"})) == ["Речь"]

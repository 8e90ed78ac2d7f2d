import datetime
import re
from html.parser import HTMLParser

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag, TaggedItem

from archive.models import Claim, Document, DocumentRelation, Visibility, sha256_hex
from tests.factories import make_claim, make_document, make_person, make_source

UTC = datetime.UTC
TEXT = 'The Leader said: "Syria will be liberated by its youth." He added <b>nothing</b> & left.'


@pytest.fixture
def world(db):
    """A published document with a published and a draft claim, and a draft
    document whose own claim is published: only the first claim is public."""
    source = make_source(name="Leader's Office", slug="leader-office", kind="official", country="Iran")
    person = make_person(
        name="Ali Khamenei", slug="ali-khamenei", role="Supreme Leader", aliases="Ayatollah Khamenei"
    )
    published = make_document(
        TEXT,
        title="Speech on Syria",
        slug="speech-on-syria",
        kind=Document.Kind.TRANSCRIPT,
        source=source,
        byline="Office staff",
        language="en",
        published_at=datetime.datetime(2024, 12, 11, 9, 30, tzinfo=UTC),
        published_precision=Document.DatePrecision.DAY,
        original_url="https://example.org/speech",
        archived_url="https://archive.example.org/speech",
        captured_by="Ana",
        provenance_notes="Transcript from the embassy site.",
        cleaning_report=[{"line": 1, "text": "Home | News | Contact"}],
        tags=["syria"],
    )
    public_claim = make_claim(
        published,
        "Syria will be liberated by its youth.",
        claimant=person,
        kind="prediction",
        tags=["syria"],
        note="Repeated in **later** speeches.",
    )
    draft_claim = make_claim(
        published,
        "He added <b>nothing</b>",
        claimant=person,
        kind="admission",
        visibility=Visibility.DRAFT,
        tags=["syria"],
    )
    draft_doc = make_document(
        "A secret draft text about Syria and its youth.",
        title="Unpublished readout",
        slug="unpublished-readout",
        kind=Document.Kind.READOUT,
        source=source,
        visibility=Visibility.DRAFT,
        tags=["syria"],
    )
    claim_in_draft = make_claim(draft_doc, "secret draft text", claimant=person, tags=["syria"])
    return {
        "source": source,
        "person": person,
        "published": published,
        "public_claim": public_claim,
        "draft_claim": draft_claim,
        "draft_doc": draft_doc,
        "claim_in_draft": claim_in_draft,
    }


def html(response):
    return response.content.decode()


def public_urls(world):
    return [
        reverse("archive:document_list"),
        reverse("archive:document_detail", args=["speech-on-syria"]),
        reverse("archive:claim_detail", args=[world["public_claim"].pk]),
        reverse("archive:tag_detail", args=["syria"]),
        reverse("archive:person_detail", args=["ali-khamenei"]),
        reverse("archive:source_detail", args=["leader-office"]),
    ]


class _Balance(HTMLParser):
    VOID = {"meta", "link", "input", "br", "img", "hr"}

    def __init__(self):
        super().__init__()
        self.stack, self.h1 = [], 0

    def handle_starttag(self, tag, attrs):
        self.h1 += tag == "h1"
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack.pop() == tag


# --- Every page renders -------------------------------------------------------


def test_every_public_page_renders_for_anonymous_visitors_with_one_h1_and_balanced_tags(outsider, world):
    for url in [*public_urls(world), reverse("archive:compare"), reverse("login")]:
        response = outsider.get(url)
        assert response.status_code == 200, url
        checker = _Balance()
        checker.feed(html(response))
        assert checker.stack == [] and checker.h1 == 1, url
        assert "<title>" in html(response) and 'id="main"' in html(response)


def test_pages_send_a_csp_without_unsafe_inline_and_no_inline_styles(outsider, world):
    for url in public_urls(world):
        response = outsider.get(url)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "unsafe-inline" not in policy
        page = html(response)
        # Scripts only from files (src=…, same origin); no inline script, style element or attribute.
        # A JSON-LD data block (the claim page's ClaimReview) is never run, so script-src does not
        # govern it; it is the only <script> with content allowed.
        executable = r"<script(?![^>]*\bsrc=\"/static/)(?! type=\"application/ld\+json\">)"
        assert not re.search(executable + r"|<style|style=|\son[a-z]+=", page), url


def test_header_offers_sign_in_to_visitors_and_a_post_sign_out_to_signed_in_users(outsider, reader, world):
    assert "Sign in" in html(outsider.get("/"))
    page = html(reader.get("/"))
    assert "Signed in as rea" in page
    assert re.search(r'<form method="post" action="/accounts/logout/">', page)


def test_sign_in_page_logs_a_reader_in(outsider, reader_user):
    from tests.conftest import PASSWORD

    response = outsider.post(reverse("login"), {"username": "rea", "password": PASSWORD})
    assert response.status_code == 302
    assert "Signed in as rea" in html(outsider.get("/"))


def test_sign_in_with_a_wrong_password_says_so(outsider, reader_user):
    response = outsider.post(reverse("login"), {"username": "rea", "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct username and password" in html(response)


# --- Drafts -------------------------------------------------------------------


@pytest.mark.parametrize("client_name", ["outsider", "reader"])
def test_drafts_are_invisible_to_visitors_and_plain_readers_everywhere(request, client_name, world):
    client = request.getfixturevalue(client_name)
    for url in public_urls(world):
        page = html(client.get(url))
        assert "Unpublished readout" not in page, url
        assert "secret draft text" not in page, url
        assert "Admission claim" not in page, url
        assert ">Draft<" not in page, url
    for url in [
        reverse("archive:document_detail", args=["unpublished-readout"]),
        reverse("archive:document_raw", args=["unpublished-readout"]),
        reverse("archive:claim_detail", args=[world["draft_claim"].pk]),
        reverse("archive:claim_detail", args=[world["claim_in_draft"].pk]),
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("client_name", ["outsider", "reader"])
def test_claim_counts_and_lists_leave_out_draft_claims(request, client_name, world):
    client = request.getfixturevalue(client_name)
    assert '<span class="claim-count">1 claim</span>' in html(client.get("/"))
    reader_page = html(client.get(world["published"].get_absolute_url()))
    assert f'id="claim-{world["public_claim"].pk}"' in reader_page
    assert f'claim-{world["draft_claim"].pk}"' not in reader_page
    assert "Claims (1)" in reader_page
    assert "Claims by Ali Khamenei (1)" in html(
        client.get(reverse("archive:person_detail", args=["ali-khamenei"]))
    )


def test_analysts_see_drafts_badged_as_drafts(analyst, world):
    listing = html(analyst.get("/"))
    assert "Unpublished readout" in listing and ">Draft<" in listing
    assert '<span class="claim-count">2 claims</span>' in listing
    reader_page = html(analyst.get(world["published"].get_absolute_url()))
    assert f'id="claim-{world["draft_claim"].pk}"' in reader_page and ">Draft<" in reader_page
    assert analyst.get(world["draft_doc"].get_absolute_url()).status_code == 200
    assert analyst.get(world["claim_in_draft"].get_absolute_url()).status_code == 200
    assert "Claims by Ali Khamenei (3)" in html(
        analyst.get(reverse("archive:person_detail", args=["ali-khamenei"]))
    )
    assert "Unpublished readout" in html(analyst.get(reverse("archive:tag_detail", args=["syria"])))
    assert "Unpublished readout" in html(
        analyst.get(reverse("archive:source_detail", args=["leader-office"]))
    )


# --- Document list ------------------------------------------------------------


@pytest.fixture
def shelf(world):
    other_source = make_source(name="Caliber", slug="caliber", kind="news")
    other_person = make_person(name="Behrouz Esbati", slug="behrouz-esbati")
    esbati = make_document(
        "Esbati admitted that we were defeated in Syria.",
        title="Esbati admits defeat",
        slug="esbati-admits-defeat",
        kind=Document.Kind.NEWS,
        source=other_source,
        language="fa",
        published_at=datetime.datetime(2025, 1, 1, tzinfo=UTC),
        published_precision=Document.DatePrecision.MONTH,
        byline="Staff reporter",
        tags=["defeat"],
    )
    make_claim(esbati, "we were defeated", claimant=other_person, kind="admission")
    undated = make_document(
        "An undated note.",
        title="Undated note",
        slug="undated-note",
        kind=Document.Kind.STATEMENT,
        captured_at=datetime.datetime(2020, 1, 1, tzinfo=UTC),
    )
    return {**world, "esbati": esbati, "undated": undated}


def titles(response):
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', html(response))


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, ["Esbati admits defeat", "Speech on Syria", "Undated note"]),
        ({"source": "caliber"}, ["Esbati admits defeat"]),
        ({"kind": "transcript"}, ["Speech on Syria"]),
        ({"tag": "defeat"}, ["Esbati admits defeat"]),
        ({"claimant": "ali-khamenei"}, ["Speech on Syria"]),
        ({"claimant": "behrouz-esbati"}, ["Esbati admits defeat"]),
        ({"language": "fa"}, ["Esbati admits defeat"]),
        ({"year": "2024"}, ["Speech on Syria"]),
        ({"q": "LIBERATED"}, ["Speech on Syria"]),
        ({"q": "staff reporter"}, ["Esbati admits defeat"]),
        ({"q": "undated"}, ["Undated note"]),
        ({"sort": "published"}, ["Speech on Syria", "Esbati admits defeat", "Undated note"]),
        ({"sort": "captured"}, ["Undated note", "Speech on Syria", "Esbati admits defeat"]),
        ({"source": "caliber", "kind": "transcript"}, []),
    ],
)
def test_document_list_filters_and_sorts(outsider, shelf, query, expected):
    response = outsider.get("/", query)
    assert response.status_code == 200
    assert titles(response) == expected


def test_document_list_shows_dates_at_their_precision_and_unknown_dates_as_such(outsider, shelf):
    page = html(outsider.get("/"))
    assert '<time datetime="2024-12-11">11 December 2024</time>' in page
    assert '<time datetime="2025-01">January 2025</time>' in page
    assert "date unknown" in page
    assert "Publisher unknown" in page


def test_filter_options_never_name_drafts_or_their_only_claimants(outsider, shelf):
    make_source(name="Hidden Outlet", slug="hidden-outlet")
    hidden_tag_doc = make_document(
        "x y z", slug="hidden", title="Hidden", visibility=Visibility.DRAFT, tags=["hush"]
    )
    assert hidden_tag_doc.pk
    page = html(outsider.get("/"))
    assert 'value="caliber"' in page and 'value="hidden-outlet"' not in page
    assert 'value="hush"' not in page


def test_filters_that_match_nothing_say_so_and_offer_to_clear(outsider, shelf):
    page = html(outsider.get("/", {"q": "no such words"}))
    assert "No documents match these filters." in page
    assert 'href="/">Clear filters</a>' in page


@pytest.mark.parametrize(
    "query, message",
    [
        ({"sort": "raw_text"}, "Select a valid choice. raw_text is not one of the available choices."),
        ({"year": "abc"}, "Enter a whole number."),
        ({"source": "nowhere"}, "No published document comes from “nowhere”."),
        ({"kind": "rumour"}, "Select a valid choice. rumour is not one of the available choices."),
        # A person whose only claims are drafts is answered exactly like nobody.
        ({"claimant": "unpublished-person"}, "No published claim is by “unpublished-person”."),
        ({"tag": "hush"}, "No published document is tagged “hush”."),
    ],
)
def test_invalid_filters_are_reported_and_ignored(outsider, shelf, query, message):
    response = outsider.get("/", {**query, "language": "fa"})
    assert response.status_code == 400
    assert message in html(response)
    # The valid filter still applies; the invalid one is ignored.
    assert titles(response) == ["Esbati admits defeat"]


def test_a_malformed_language_code_is_reported_and_the_other_filters_still_apply(outsider, shelf):
    response = outsider.get("/", {"language": "f a", "kind": "transcript"})
    assert response.status_code == 400
    assert "Enter a language code such as “fa”, “ar”, “ru” or “en”." in html(response)
    assert titles(response) == ["Speech on Syria"]


def test_filters_take_a_name_as_well_as_a_slug(outsider, shelf):
    assert titles(outsider.get("/", {"claimant": "ali khamenei"})) == ["Speech on Syria"]
    assert titles(outsider.get("/", {"source": "Caliber"})) == ["Esbati admits defeat"]


def test_invalid_page_numbers_fall_back_with_a_notice(outsider, shelf):
    response = outsider.get("/", {"page": "999"})
    assert response.status_code == 200
    assert "There is no page “999”; showing page 1 of 1." in html(response)
    assert outsider.get("/", {"page": "abc"}).status_code == 200


def next_link(response):
    found = re.search(r'<a rel="next" href="([^"]+)"', html(response))
    return found and found.group(1).replace("&amp;", "&")


def test_pagination_keeps_the_filters(outsider, world, settings):
    settings.MARGINS_PAGE_SIZE = 2
    for n in range(5):
        make_document(f"Kind of news {n}", title=f"News {n}", kind=Document.Kind.NEWS, language="ar")
    first = outsider.get("/", {"kind": "news", "language": "ar", "q": ""})
    assert "Page 1 of 3" in html(first)
    link = next_link(first)
    assert link.startswith("?kind=news&language=ar&after=") and link.endswith("&page=2")
    second = outsider.get("/" + link)
    assert len(titles(second)) == 2 and "Page 2 of 3" in html(second)
    assert "Speech on Syria" not in titles(second)
    assert not set(titles(first)) & set(titles(second))
    # A numbered page is the same page.
    assert titles(outsider.get("/?kind=news&language=ar&page=2")) == titles(second)


# --- Reader ---------------------------------------------------------------------


def test_reader_shows_provenance_highlights_and_claim_list(outsider, world):
    document, claim = world["published"], world["public_claim"]
    page = html(outsider.get(document.get_absolute_url()))
    assert "<dt>Source</dt>" in page and "Leader&#x27;s Office" in page
    assert "https://archive.example.org/speech" in page and "Transcript from the embassy site." in page
    assert document.raw_sha256 in page and "matches the stored capture" in page
    assert "line 1: Home | News | Contact" in page
    assert 'class="doc-text" id="doc-text" lang="en"' in page
    assert (
        f'<mark id="claim-{claim.pk}" data-key="{claim.pk}" '
        'class="hl kind-prediction status-unverified hl-start hl-end" data-note="1">'
        '<span class="sr-only" data-offset-ignore>Prediction claim by Ali Khamenei: </span>'
        "Syria will be liberated by its youth.</mark>"
    ) in page
    # The document's own markup is text, never HTML.
    assert "&lt;b&gt;nothing&lt;/b&gt; &amp; left." in page
    assert f'href="{document.get_absolute_url()}#claim-{claim.pk}"' in page
    assert "Repeated in <strong>later</strong> speeches." in page
    assert 'class="legend"' in page and "Prediction</mark>" in page


def test_reader_flags_a_capture_whose_raw_text_no_longer_matches_its_hash(outsider, world):
    Document.objects.filter(pk=world["published"].pk).update(raw_sha256="0" * 64)
    page = html(outsider.get(world["published"].get_absolute_url()))
    assert "does NOT match the stored capture" in page


def test_reader_lists_relations_without_revealing_drafts(outsider, analyst, world):
    published, draft = world["published"], world["draft_doc"]
    citing = make_document("It cites the speech.", title="Commentary", slug="commentary")
    DocumentRelation.objects.create(document=citing, kind="cites", target=published)
    DocumentRelation.objects.create(
        document=published,
        kind="reports_on",
        external_title="ISW assessment",
        external_url="https://isw.example/a",
        external_date=datetime.date(2024, 12, 1),
        external_date_precision="month",
    )
    DocumentRelation.objects.create(document=published, kind="cites", target=draft)
    DocumentRelation.objects.create(document=draft, kind="cites", target=published)
    page = html(outsider.get(published.get_absolute_url()))
    assert "ISW assessment" in page and '<time datetime="2024-12">December 2024</time>' in page
    assert "Cited by" in page and "Commentary" in page
    assert "Unpublished readout" not in page
    assert "Unpublished readout" in html(analyst.get(published.get_absolute_url()))


def test_claims_whose_place_was_lost_are_listed_but_not_highlighted(outsider, world):
    Claim.objects.filter(pk=world["public_claim"].pk).update(start=0, end=5)
    page = html(outsider.get(world["published"].get_absolute_url()))
    assert "<mark id=" not in page
    assert "1 claim is not highlighted" in page


def test_raw_text_is_served_as_plain_utf8_exactly_as_stored(outsider, world):
    raw = "Raw capture — with \u0627\u0644\u0633\u0644\u0627\u0645 and <html>\r\n"
    document = make_document("clean", raw_text=raw, slug="raw-one")
    response = outsider.get(reverse("archive:document_raw", args=[document.slug]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == raw.encode("utf-8")


# --- Claim, tag, person and source pages -----------------------------------------


def test_claim_page_shows_the_quote_in_context_and_links_into_the_document(outsider, world):
    claim = world["public_claim"]
    page = html(outsider.get(claim.get_absolute_url()))
    assert (
        "The Leader said: &quot;"
        '<mark class="hl kind-prediction hl-start hl-end">Syria will be liberated by its youth.</mark>'
        "&quot; He added"
    ) in page
    assert f'href="/documents/speech-on-syria/#claim-{claim.pk}">Open in document</a>' in page
    assert "Ali Khamenei</a>, Supreme Leader" in page and "Unverified" in page
    assert "<strong>later</strong>" in page


def test_tag_page_lists_visible_documents_and_claims_and_404s_for_unknown_tags(outsider, world):
    page = html(outsider.get(reverse("archive:tag_detail", args=["syria"])))
    assert "Speech on Syria" in page and "Syria will be liberated" in page
    assert outsider.get(reverse("archive:tag_detail", args=["nope"])).status_code == 404
    assert Tag.objects.filter(slug="syria").exists()


def test_person_page_shows_role_aliases_and_claims_with_their_documents(outsider, world):
    page = html(outsider.get(reverse("archive:person_detail", args=["ali-khamenei"])))
    assert "Supreme Leader" in page and "Ayatollah Khamenei" in page
    assert "Speech on Syria" in page and '<time datetime="2024-12-11">' in page
    assert outsider.get(reverse("archive:person_detail", args=["nobody"])).status_code == 404


def test_source_page_shows_details_and_visible_documents(outsider, world):
    page = html(outsider.get(reverse("archive:source_detail", args=["leader-office"])))
    assert "Official website" in page and "Iran" in page
    assert "Documents (1)" in page and "Speech on Syria" in page
    assert outsider.get(reverse("archive:source_detail", args=["nowhere"])).status_code == 404


# --- Compare --------------------------------------------------------------------


@pytest.fixture
def five(world):
    return [world["published"].slug] + [
        make_document(f"Text number {n}.", slug=f"text-{n}").slug for n in range(4)
    ]


@pytest.mark.parametrize("count", [2, 3, 4])
def test_compare_shows_two_to_four_documents_in_columns(outsider, five, count):
    response = outsider.get(reverse("archive:compare"), {"d": five[:count]})
    assert response.status_code == 200
    page = html(response)
    assert f"compare-grid columns-{count}" in page
    assert page.count('class="compare-column"') == count
    assert "Syria will be liberated" in page and "<mark id=" in page


def test_compare_drops_duplicate_documents(outsider, five):
    response = outsider.get(reverse("archive:compare"), {"d": [five[0], five[1], five[0]]})
    assert html(response).count('class="compare-column"') == 2


@pytest.mark.parametrize("count", [1, 5])
def test_compare_with_too_few_or_too_many_documents_explains_the_rule(outsider, five, count):
    response = outsider.get(reverse("archive:compare"), {"d": five[:count]})
    assert response.status_code == 400
    assert f"You chose {count} document" in html(response)
    assert "Choose at least 2 and at most 4 different documents" in html(response)
    assert '<input type="text" name="d"' in html(response)


@pytest.mark.parametrize("client_name", ["outsider", "reader"])
def test_compare_treats_unknown_and_draft_documents_alike(request, client_name, world, five):
    client = request.getfixturevalue(client_name)
    for missing in ["no-such-doc", "unpublished-readout"]:
        response = client.get(reverse("archive:compare"), {"d": [five[0], missing]})
        assert response.status_code == 404
        assert f"There is no document at “{missing}”" in html(response)
        assert "secret draft" not in html(response)


def test_compare_with_a_draft_works_for_analysts(analyst, world):
    response = analyst.get(reverse("archive:compare"), {"d": ["speech-on-syria", "unpublished-readout"]})
    assert response.status_code == 200 and ">Draft<" in html(response)


def test_reader_offers_compare_with_this_document_preselected(outsider, world, five):
    page = html(outsider.get(world["published"].get_absolute_url()))
    assert '<input type="hidden" name="d" value="speech-on-syria">' in page
    # A bounded list (related documents, then the same source's): never a draft.
    assert '<datalist id="compare-with-choices">' in page and 'value="unpublished-readout"' not in page


# --- Query counts do not grow with data ---------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _bulk_documents(n, prefix, source, tags):
    documents = Document.objects.bulk_create(
        Document(
            title=f"{prefix} {i}",
            slug=f"{prefix}-{i}",
            text=f"{prefix} text {i} about youth.",
            raw_text=f"{prefix} raw {i}",
            raw_sha256=sha256_hex(f"{prefix} raw {i}"),
            source=source,
            capture_method="file_import",
            visibility="published",
            published_at=datetime.datetime(2024, 1, 1 + i % 28, tzinfo=UTC),
            published_precision="day",
        )
        for i in range(n)
    )
    if connection.features.can_return_rows_from_bulk_insert is False:
        documents = list(Document.objects.filter(slug__startswith=f"{prefix}-"))
    _bulk_tag(documents, tags)
    return documents


def _bulk_tag(objects, tags):
    content_type = ContentType.objects.get_for_model(objects[0])
    TaggedItem.objects.bulk_create(
        TaggedItem(tag=tag, content_type=content_type, object_id=obj.pk) for obj in objects for tag in tags
    )


def _bulk_claims(document, n, person, tags):
    text = document.text
    span = len(text) - 12
    claims = Claim.objects.bulk_create(
        Claim(
            document=document,
            quote=text[i % span : i % span + 12],
            start=i % span,
            end=i % span + 12,
            claimant=person,
            kind="assertion",
            visibility="published",
            note="*n*",
        )
        for i in range(n)
    )
    _bulk_tag(list(Claim.objects.filter(document=document)), tags)
    return claims


@pytest.fixture
def tags(db):
    return [Tag.objects.create(name=f"topic {i}", slug=f"topic-{i}") for i in range(3)]


def test_document_list_query_count_does_not_grow_with_documents(
    outsider, world, tags, settings, django_assert_num_queries
):
    settings.MARGINS_PAGE_SIZE = 500
    baseline = _count(outsider, "/")
    for document in _bulk_documents(200, "bulk", world["source"], tags)[:50]:
        make_claim(document, "youth")
    assert "bulk 199" in html(outsider.get("/"))
    with django_assert_num_queries(baseline):
        outsider.get("/")


def test_reader_query_count_does_not_grow_with_claims(outsider, world, tags, django_assert_num_queries):
    long_text = " ".join(f"word{i}" for i in range(400))
    small = make_document(long_text, slug="long-a")
    make_claim(small, "word1 ")
    big = make_document(long_text + " ", slug="long-b")
    _bulk_claims(big, 300, world["person"], tags)
    baseline = _count(outsider, small.get_absolute_url())
    with django_assert_num_queries(baseline):
        response = outsider.get(big.get_absolute_url())
    assert "Claims (300)" in html(response)


def test_compare_query_count_does_not_grow_with_documents_or_claims(
    outsider, world, tags, django_assert_num_queries
):
    documents = _bulk_documents(4, "cmp", world["source"], tags)
    baseline = _count(outsider, f"/compare/?d={documents[0].slug}&d={documents[1].slug}")
    for document in documents:
        _bulk_claims(document, 20, world["person"], tags)
    with django_assert_num_queries(baseline):
        response = outsider.get("/compare/?" + "&".join(f"d={d.slug}" for d in documents))
    assert html(response).count('class="compare-column"') == 4


def test_person_page_query_count_does_not_grow_with_claims(outsider, world, tags, django_assert_num_queries):
    url = reverse("archive:person_detail", args=["ali-khamenei"])
    baseline = _count(outsider, url)
    for document in _bulk_documents(10, "pp", world["source"], tags):
        _bulk_claims(document, 10, world["person"], tags)
    with django_assert_num_queries(baseline):
        response = outsider.get(url)
    assert "Claims by Ali Khamenei (101)" in html(response)
    # Five claims per document at most, with the rest a link away.
    assert html(response).count('class="card claim-card') == 1 + 10 * 5
    assert html(response).count("5 more claims by this person in this document") == 10

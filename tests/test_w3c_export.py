"""The W3C Web Annotation export over HTTP: claims and links as annotations, their
collections and pages, the Protocol's headers, drafts kept from readers, and the
ClaimReview on claim pages. Every document fetched is checked against our
schemas of the model's MUSTs (tests/schemas/w3c/) with format checking on."""

import json
import re
from types import SimpleNamespace
from urllib.parse import quote, unquote

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from archive.models import Claim, ClaimLink, Document, Person, Visibility
from tests.factories import claim_at, make_claim, make_claim_at, make_document, make_person
from tests.w3c_schemas import assert_valid

pytestmark = pytest.mark.django_db

PROFILE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
PERSIAN_TEXT = (
    "رهبر انقلاب گفت: سرزمین‌های اشغال‌شده‌ی سوریه به دست جوانان غیور سوری آزاد خواهد شد. "
    "او افزود که این کار بی‌تردید انجام خواهد شد."
)
PERSIAN_QUOTE = "سرزمین‌های اشغال‌شده‌ی سوریه به دست جوانان غیور سوری آزاد خواهد شد"
ARABIC_TEXT = "قال المرشد إن الأراضي المحتلة في سوريا ستحرر على أيدي الشباب السوري الشجاع، بحسب التقرير."
ARABIC_QUOTE = "الأراضي المحتلة في سوريا ستحرر على أيدي الشباب السوري الشجاع"
SCRIPT_NOTE = 'Dubious: <script>alert("x")</script> see **Tasnim** <img src=x onerror=alert(1)>'


@pytest.fixture
def world(analyst_user):
    analyst_user.first_name, analyst_user.last_name = "Ana", "Lyst"
    analyst_user.save()
    persian = make_document(
        PERSIAN_TEXT,
        title="سخنرانی درباره‌ی سوریه",
        slug="سخنرانی-سوریه",
        language="fa",
        original_url="https://farsi.khamenei.ir/speech-content?id=۵۸۸۷۹",
        archived_url="https://web.archive.org/web/2024/https://farsi.khamenei.ir/speech-content",
    )
    arabic = make_document(ARABIC_TEXT, title="تقرير", slug="تقرير-سوريا", language="ar")
    draft_document = make_document(
        "A draft readout says the envoy left early.", slug="draft-readout", visibility=Visibility.DRAFT
    )
    claimant = make_person(name="علی خامنه‌ای", slug="علی-خامنهای")
    said = make_claim(
        persian,
        PERSIAN_QUOTE,
        claimant=claimant,
        tags=["سوریه", "syria"],
        note=SCRIPT_NOTE,
        status=Claim.Status.DISPUTED,
        created_by=analyst_user,
    )
    reported = make_claim(arabic, ARABIC_QUOTE, claimant=claimant, status=Claim.Status.CORROBORATED)
    draft_claim = make_claim(persian, "بی‌تردید انجام خواهد شد", visibility=Visibility.DRAFT)
    in_draft_document = make_claim(draft_document, "the envoy left early")
    link = ClaimLink.objects.create(
        from_claim=reported, to_claim=said, relation="reports", note="Same words a day later."
    )
    draft_link = ClaimLink.objects.create(from_claim=reported, to_claim=draft_claim, relation="repeats")
    return SimpleNamespace(
        persian=persian,
        arabic=arabic,
        draft_document=draft_document,
        said=said,
        reported=reported,
        draft_claim=draft_claim,
        in_draft_document=in_draft_document,
        link=link,
        draft_link=draft_link,
        published_claims=[said, reported],
        hidden_claims=[draft_claim, in_draft_document],
    )


def absolute(path):
    return "http://testserver" + path


def jsonld(client, url, **headers):
    response = client.get(url, HTTP_ACCEPT=PROFILE, **headers)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    assert response["Content-Type"] == PROFILE
    return response.json()


def annotation_url(claim):
    return reverse("archive:claim_annotation", args=[claim.pk])


def link_url(link):
    return reverse("archive:link_annotation", args=[link.pk])


def collection_url(document=None):
    if document is None:
        return reverse("archive:annotation_collection")
    return reverse("archive:document_annotations", args=[document.slug])


def walk(client, url, **headers):
    """Every item of the collection at ``url``, following ``next`` from its first page; every
    document met is validated, and each page is checked to be where its ``id`` says."""
    collection = jsonld(client, url, **headers)
    assert_valid("annotation-collection", collection)
    items, page = [], collection.get("first")
    while page is not None:
        if isinstance(page, str):
            fetched = jsonld(client, page.removeprefix("http://testserver"))
            assert_valid("annotation-page", fetched)
            assert fetched["id"] == page
            page = fetched
        assert page["startIndex"] == len(items)
        items.extend(page["items"])
        page = page.get("next")
    return collection, items


def ids(items):
    return [item if isinstance(item, str) else item["id"] for item in items]


# --- Annotations ---------------------------------------------------------------------------


def test_every_claim_and_link_of_the_seed_exports_as_a_valid_annotation(seeded, outsider):
    for claim in Claim.objects.published():
        data = jsonld(outsider, annotation_url(claim))
        assert_valid("annotation", data)
        assert data["id"] == absolute(claim.get_absolute_url())
        assert data["target"]["selector"][0]["exact"] == claim.quote
    for link in ClaimLink.objects.published():
        data = jsonld(outsider, link_url(link))
        assert_valid("annotation", data)
        assert data["margins:relation"] == link.relation


def test_every_collection_of_the_seed_and_every_page_of_it_is_valid(seeded, outsider, settings):
    settings.MARGINS_ANNOTATION_PAGE_SIZE = 5  # several pages each
    _, items = walk(outsider, collection_url())
    assert len(items) == Claim.objects.published().count()
    for document in Document.objects.published():
        _, items = walk(outsider, collection_url(document))
        assert len(items) == Claim.objects.published().filter(document=document).count()
    _, items = walk(outsider, reverse("archive:link_collection"))
    assert len(items) == ClaimLink.objects.published().count()
    _, items = walk(outsider, collection_url() + "?iris=1")
    assert all(isinstance(item, str) for item in items)


def test_a_persian_claim_comes_out_with_its_text_places_and_claimant(world, outsider):
    data = jsonld(outsider, annotation_url(world.said))
    assert_valid("annotation", data)
    target = data["target"]
    quote, position = target["selector"]
    assert quote["exact"] == PERSIAN_QUOTE
    assert PERSIAN_TEXT[position["start"] : position["end"]] == PERSIAN_QUOTE
    assert (quote["prefix"], quote["suffix"]) == (world.said.prefix, world.said.suffix)
    assert unquote(target["source"]["id"]) == absolute(f"/documents/{world.persian.slug}/")
    assert target["source"]["language"] == "fa"
    assert unquote(target["scope"]) == world.persian.original_url
    assert target["source"]["margins:archivedUrl"] == world.persian.archived_url
    assert data["margins:claimant"]["name"] == "علی خامنه‌ای"
    assert (data["margins:kind"], data["margins:status"]) == ("assertion", "disputed")
    assert data["creator"] == {"type": "Person", "name": "Ana Lyst"}
    assert "ana@example.org" not in json.dumps(data)
    assert {body["value"] for body in data["body"] if body["purpose"] == "tagging"} == {"سوریه", "syria"}


def test_a_note_with_html_and_script_comes_out_as_the_sanitized_html_the_page_shows(world, outsider):
    note = next(
        body
        for body in jsonld(outsider, annotation_url(world.said))["body"]
        if body["purpose"] == "commenting"
    )
    assert note["format"] == "text/html"
    assert "<strong>Tasnim</strong>" in note["value"]
    assert not re.search(r"<(script|img)\b", note["value"])
    page = outsider.get(world.said.get_absolute_url()).content.decode()
    assert note["value"] in page


def test_a_link_exports_both_passages_and_its_relation(world, outsider):
    data = jsonld(outsider, link_url(world.link))
    assert_valid("annotation", data)
    assert data["motivation"] == "linking"
    assert data["target"]["selector"][0]["exact"] == ARABIC_QUOTE
    linked, note = data["body"]
    assert linked["selector"][0]["exact"] == PERSIAN_QUOTE
    assert note["value"] == "Same words a day later."
    assert data["margins:relation"] == "reports"
    assert data["margins:fromClaim"] == absolute(world.reported.get_absolute_url())
    assert data["margins:toClaim"] == absolute(world.said.get_absolute_url())


# --- Content negotiation -------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept",
    [
        PROFILE,
        "application/ld+json",
        "application/ld+json;q=0.9, text/html;q=0.1",
        'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
    ],
)
def test_the_claim_address_gives_the_annotation_to_a_client_asking_for_json_ld(world, outsider, accept):
    response = outsider.get(world.said.get_absolute_url(), HTTP_ACCEPT=accept)
    assert response["Content-Type"] == PROFILE
    assert response.json()["id"] == absolute(world.said.get_absolute_url())
    assert "Accept" in response["Vary"]
    assert response["Link"] == (
        '<http://www.w3.org/ns/ldp#Resource>; rel="type", <http://www.w3.org/ns/oa#Annotation>; rel="type"'
    )


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "*/*",
        "text/html",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "application/ld+json;q=0.2, text/html",
        "application/ld+json;q=0",
    ],
)
def test_the_claim_address_stays_the_page_for_browsers_and_clients_without_a_preference(
    world, outsider, accept
):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = outsider.get(world.said.get_absolute_url(), **headers)
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>" in response.content.decode()
    assert "Accept" in response["Vary"]


def test_the_jsonld_address_gives_the_annotation_whatever_the_accept_header(world, outsider):
    for accept in ("text/html", "*/*", PROFILE):
        response = outsider.get(annotation_url(world.said), HTTP_ACCEPT=accept)
        assert response["Content-Type"] == PROFILE


def test_the_claim_page_and_the_document_page_advertise_their_json_ld(world, outsider):
    page = outsider.get(world.said.get_absolute_url()).content.decode()
    assert f'<link rel="alternate" type="application/ld+json" href="{annotation_url(world.said)}"' in page
    reader = outsider.get(world.persian.get_absolute_url()).content.decode()
    assert (
        f'<link rel="alternate" type="application/ld+json" href="{collection_url(world.persian)}"' in reader
    )


# --- The Protocol's methods and headers ----------------------------------------------------


def exported_urls(world):
    return [
        annotation_url(world.said),
        link_url(world.link),
        collection_url(),
        collection_url(world.persian),
        reverse("archive:link_collection"),
        collection_url() + "?page=1",
        reverse("archive:margins_context"),
    ]


def test_head_gives_the_headers_of_get_without_the_body(world, outsider):
    for url in [*exported_urls(world), world.said.get_absolute_url()]:
        got = outsider.get(url, HTTP_ACCEPT=PROFILE)
        head = outsider.head(url, HTTP_ACCEPT=PROFILE)
        assert head.status_code == 200 and head.content == b"", url
        assert head["Content-Length"] == str(len(got.content)), url
        for header in ("ETag", "Content-Type", "Allow"):
            assert head[header] == got[header], (url, header)


def test_options_lists_the_methods_and_answers_a_cors_preflight(world, outsider):
    for url in [*exported_urls(world), world.said.get_absolute_url()]:
        response = outsider.options(
            url, HTTP_ORIGIN="https://hypothes.is", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
        )
        assert response.status_code == 200, url
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "GET" in response["Access-Control-Allow-Methods"]
        assert "Prefer" in response["Access-Control-Allow-Headers"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_refused_with_405_and_the_allowed_methods(world, analyst, method):
    before = Claim.objects.count(), ClaimLink.objects.count()
    for url in exported_urls(world):
        response = getattr(analyst, method)(url, "{}", content_type=PROFILE)
        assert response.status_code == 405, (method, url)
        assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert (Claim.objects.count(), ClaimLink.objects.count()) == before


def test_an_unchanged_annotation_or_collection_is_answered_304_to_its_etag(world, outsider):
    for url in exported_urls(world):
        etag = outsider.get(url)["ETag"]
        assert outsider.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304, url
    etag = outsider.get(annotation_url(world.said))["ETag"]
    Claim.objects.filter(pk=world.said.pk).update(status=Claim.Status.REFUTED)
    assert outsider.get(annotation_url(world.said), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_annotations_say_they_are_ldp_resources_and_collections_basic_containers(world, outsider):
    annotation = outsider.get(annotation_url(world.said))
    assert '<http://www.w3.org/ns/ldp#Resource>; rel="type"' in annotation["Link"]
    assert annotation["Vary"].startswith("Accept")
    for url in (collection_url(), collection_url(world.persian), reverse("archive:link_collection")):
        response = outsider.get(url)
        assert response["Link"] == (
            '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", '
            '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
        )
        assert {"Accept", "Prefer"} <= {part.strip() for part in response["Vary"].split(",")}
        assert response["Content-Location"] == absolute(url)
        assert response["Access-Control-Allow-Origin"] == "*"


def test_a_collection_answers_the_prefer_header_for_a_minimal_container_or_iris(world, outsider):
    minimal = 'return=representation;include="http://www.w3.org/ns/ldp#PreferMinimalContainer"'
    response = outsider.get(collection_url(), HTTP_PREFER=minimal)
    data = response.json()
    assert_valid("annotation-collection", data)
    assert data["first"] == absolute(collection_url() + "?page=1")
    assert response["Preference-Applied"] == "return=representation"
    iris = 'return=representation;include="http://www.w3.org/ns/oa#PreferContainedIRIs"'
    response = outsider.get(collection_url(), HTTP_PREFER=iris)
    data = response.json()
    assert_valid("annotation-collection", data)
    assert data["id"] == response["Content-Location"] == absolute(collection_url() + "?iris=1")
    assert data["first"]["items"] == [absolute(claim.get_absolute_url()) for claim in world.published_claims]
    assert outsider.get(collection_url() + "?iris=1").json() == data


def test_the_margins_context_defines_every_margins_term_the_exports_use(world, outsider):
    response = outsider.get(reverse("archive:margins_context"))
    assert response["Content-Type"] == "application/ld+json"
    assert "max-age=86400" in response["Cache-Control"]
    defined = set(response.json()["@context"])
    used = set()
    for url in exported_urls(world)[:-1]:
        used |= set(re.findall(r'"(margins:\w+)"', outsider.get(url).content.decode()))
    assert used and used <= defined


# --- Drafts --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "reader"])
def test_drafts_are_absent_from_every_export_for_readers(request, world, who):
    client = request.getfixturevalue(who)
    for claim in world.hidden_claims:
        assert client.get(annotation_url(claim)).status_code == 404
        assert client.get(claim.get_absolute_url(), HTTP_ACCEPT=PROFILE).status_code == 404
    assert client.get(link_url(world.draft_link)).status_code == 404
    assert client.get(collection_url(world.draft_document)).status_code == 404
    collection, items = walk(client, collection_url())
    assert ids(items) == [absolute(claim.get_absolute_url()) for claim in world.published_claims]
    assert collection["total"] == 2
    collection, items = walk(client, collection_url(world.persian))
    assert ids(items) == [absolute(world.said.get_absolute_url())] and collection["total"] == 1
    collection, items = walk(client, reverse("archive:link_collection"))
    assert ids(items) == [absolute(link_url(world.link))] and collection["total"] == 1
    everything = "".join(client.get(url).content.decode() for url in exported_urls(world))
    for hidden in ("بی‌تردید انجام خواهد شد", "the envoy left early", "draft-readout"):
        assert hidden not in everything


def test_analysts_see_drafts_in_every_export_marked_as_drafts(world, analyst):
    data = jsonld(analyst, annotation_url(world.draft_claim))
    assert_valid("annotation", data)
    assert data["margins:visibility"] == "draft"
    assert jsonld(analyst, link_url(world.draft_link))["margins:relation"] == "repeats"
    collection, items = walk(analyst, collection_url())
    assert collection["total"] == 4
    assert set(ids(items)) == {absolute(claim.get_absolute_url()) for claim in Claim.objects.all()}
    _, items = walk(analyst, collection_url(world.draft_document))
    assert ids(items) == [absolute(world.in_draft_document.get_absolute_url())]
    assert walk(analyst, reverse("archive:link_collection"))[0]["total"] == 2


# --- Paging --------------------------------------------------------------------------------


@pytest.fixture
def many(db, settings):
    """Two documents, 11 published claims in the first (in reading order) and 3 in the second,
    with a draft between them; pages of 3."""
    settings.MARGINS_ANNOTATION_PAGE_SIZE = 3
    words = " ".join(f"word{n}" for n in range(40))
    first = make_document(words, slug="first")
    second = make_document(words + " (second copy)", slug="second")
    spans = [match.span() for match in re.finditer(r"\S+", words)]
    # Made out of reading order, so the archive's order (by id) and a document's (by place) differ.
    claims = [make_claim_at(first, *spans[n]) for n in (30, 2, 17, 5, 11, 26, 8, 20, 14, 23, 35)]
    make_claim_at(first, *spans[33], visibility=Visibility.DRAFT)
    claims += [make_claim_at(second, *spans[n]) for n in (1, 2, 3)]
    return SimpleNamespace(first=first, second=second, claims=claims)


def test_following_next_walks_the_whole_collection_once_in_order(many, outsider):
    collection, items = walk(outsider, collection_url())
    assert ids(items) == [
        absolute(claim.get_absolute_url()) for claim in sorted(many.claims, key=lambda c: c.pk)
    ]
    assert collection["total"] == 14
    assert collection["last"] == absolute(collection_url() + "?page=5")
    in_document = sorted((c for c in many.claims if c.document_id == many.first.pk), key=lambda c: c.start)
    collection, items = walk(outsider, collection_url(many.first))
    assert ids(items) == [absolute(claim.get_absolute_url()) for claim in in_document]
    assert collection["total"] == 11


@pytest.mark.parametrize("document", [None, "first"])
def test_following_prev_from_the_last_page_walks_it_back_once(many, outsider, document):
    url = collection_url(getattr(many, document) if document else None)
    collection, forward = walk(outsider, url)
    page = jsonld(outsider, collection["last"].removeprefix("http://testserver"))
    backward = []
    while True:
        assert_valid("annotation-page", page)
        assert page["startIndex"] == len(forward) - len(backward) - len(page["items"])
        backward = page["items"] + backward
        if "prev" not in page:
            break
        page = jsonld(outsider, page["prev"].removeprefix("http://testserver"))
    assert ids(backward) == ids(forward)
    assert page["id"] == absolute(url + "?page=1")


def test_pages_of_iris_walk_the_same_claims(many, outsider):
    _, described = walk(outsider, collection_url())
    _, iris = walk(outsider, collection_url() + "?iris=1")
    assert all(isinstance(item, str) for item in iris) and iris == ids(described)


def test_the_last_page_has_no_next_and_the_first_no_prev(many, outsider):
    collection = jsonld(outsider, collection_url())
    assert "prev" not in collection["first"]
    last = jsonld(outsider, collection["last"].removeprefix("http://testserver"))
    assert "next" not in last and len(last["items"]) == 14 - 4 * 3


@pytest.mark.parametrize(
    "query, status",
    [
        ("?page=0", 400),
        ("?page=-1", 400),
        ("?page=abc", 400),
        ("?page=۲", 400),
        ("?page=9999999999", 400),
        ("?page=2&after=garbage", 400),
        ("?page=2&after=1&before=9", 400),
        ("?after=3", 400),
        ("?iris=yes", 400),
        ("?page=6", 404),
        ("?page=2&after=999999", 404),
        ("?page=3&before=1", 404),
    ],
)
def test_a_page_address_that_names_no_page_is_refused_with_a_reason(many, outsider, query, status):
    response = outsider.get(collection_url() + query)
    assert response.status_code == status
    if status == 400:
        assert response.json()["error"]


def test_an_empty_collection_has_a_total_of_zero_and_no_pages(db, outsider):
    collection = jsonld(outsider, collection_url())
    assert_valid("annotation-collection", collection)
    assert collection["total"] == 0 and "first" not in collection
    assert outsider.get(collection_url() + "?page=1").status_code == 404


def test_a_document_collection_under_an_old_slug_redirects_to_the_new_one(world, outsider):
    world.arabic.slug = "report-syria"
    world.arabic.save()
    response = outsider.get(reverse("archive:document_annotations", args=["تقرير-سوريا"]) + "?page=1")
    assert response.status_code == 301
    assert response["Location"] == collection_url(Document.objects.get(pk=world.arabic.pk)) + "?page=1"


def test_kept_collections_keep_their_protocol_headers_and_prefer_is_never_served_from_the_kept_copy(
    world, outsider, kept
):
    first = outsider.get(collection_url())
    again = outsider.get(collection_url())
    assert again.content == first.content
    for header in ("Link", "Allow", "Content-Location", "ETag"):
        assert again[header] == first[header]
    minimal = 'return=representation;include="http://www.w3.org/ns/ldp#PreferMinimalContainer"'
    assert isinstance(outsider.get(collection_url(), HTTP_PREFER=minimal).json()["first"], str)


# --- Bounded work --------------------------------------------------------------------------


def build(label, documents, claims_per_document, user):
    """``documents`` documents of ``claims_per_document`` claims each, tagged, with claimants."""
    person = Person.objects.create(name=f"Speaker {label}", slug=f"speaker-{label}")
    made = []
    for d in range(documents):
        text = " ".join(f"{label}{d}w{n}" for n in range(claims_per_document + 1))
        document = Document.objects.create(
            title=f"{label} {d}",
            slug=f"{label}-{d}",
            raw_text=text,
            text=text,
            capture_method="file_import",
            visibility=Visibility.PUBLISHED,
            language="fa",
            original_url=f"https://example.org/{label}/{d}",
        )
        words = list(re.finditer(r"\S+", text))[:claims_per_document]
        made.append(
            Claim.objects.bulk_create(
                [
                    claim_at(
                        document, word.start(), word.end(), claimant=person, created_by=user, note="**n**"
                    )
                    for word in words
                ]
            )
        )
    for claims in made:
        for claim in claims[:3]:
            claim.tags.add(f"{label}-tag", "سوریه")
    return made


@pytest.fixture
def small_and_large(analyst_user):
    return build("small", 2, 2, analyst_user), build("large", 6, 60, analyst_user)


def queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context)


# Counting (capped), the page's ordering columns, the page's claims with their documents,
# claimants, creators and versions, their tags; a document's collection first reads the document.
ARCHIVE_PAGE_QUERIES = 4
DOCUMENT_PAGE_QUERIES = 5


def test_a_collection_page_costs_the_same_queries_with_4_claims_or_360(
    small_and_large, outsider, django_assert_num_queries
):
    small, large = small_and_large
    assert queries(outsider, collection_url()) == ARCHIVE_PAGE_QUERIES  # the small archive alone
    large_claims = [claim for claims in large for claim in claims]
    for url in (collection_url(), collection_url() + "?page=2&after=" + str(large_claims[150].pk)):
        with django_assert_num_queries(ARCHIVE_PAGE_QUERIES):
            data = outsider.get(url).json()
        assert len((data.get("first") or data)["items"]) == 100
    small_document = Document.objects.get(slug="small-0")
    with django_assert_num_queries(DOCUMENT_PAGE_QUERIES):
        assert outsider.get(collection_url(small_document)).json()["total"] == 2
    large_document = Document.objects.get(slug="large-0")
    with django_assert_num_queries(DOCUMENT_PAGE_QUERIES):
        assert outsider.get(collection_url(large_document)).json()["total"] == 60


def test_a_page_of_iris_reads_no_claim_rows(small_and_large, outsider, django_assert_num_queries):
    with django_assert_num_queries(2):
        data = outsider.get(collection_url() + "?iris=1&page=2&after=1").json()
    assert len(data["items"]) == 100


def test_the_link_collection_costs_the_same_queries_with_1_link_or_200(
    small_and_large, outsider, django_assert_num_queries
):
    small, large = small_and_large
    ClaimLink.objects.create(from_claim=small[0][0], to_claim=small[1][0], relation="reports")
    expected = queries(outsider, reverse("archive:link_collection"))
    ClaimLink.objects.bulk_create(
        ClaimLink(from_claim=large[0][n], to_claim=large[1 + n % 5][n], relation="repeats") for n in range(60)
    )
    ClaimLink.objects.bulk_create(
        ClaimLink(from_claim=large[2][n], to_claim=large[3][(n + 1) % 60], relation="reports")
        for n in range(60)
    )
    with django_assert_num_queries(expected):
        assert outsider.get(reverse("archive:link_collection")).json()["total"] == 121


# --- ClaimReview ---------------------------------------------------------------------------


def claim_review(page):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) <= 1
    return json.loads(blocks[0]) if blocks else None


def test_the_claim_page_carries_a_claim_review_with_the_claimant_the_document_and_a_rating(world, outsider):
    review = claim_review(outsider.get(world.said.get_absolute_url()).content.decode())
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == PERSIAN_QUOTE
    assert review["url"] == absolute(world.said.get_absolute_url())
    claim = review["itemReviewed"]
    assert claim["author"]["name"] == "علی خامنه‌ای"
    assert unquote(claim["appearance"]["url"]) == world.persian.original_url
    assert "datePublished" not in claim["appearance"]  # the document's date is unknown
    assert (
        review["reviewRating"]["ratingValue"] == 2 and review["reviewRating"]["alternateName"] == "Disputed"
    )
    assert review["author"]["@type"] == "Organization"


def test_a_claim_review_gives_the_documents_date_only_as_precisely_as_it_is_known(world, outsider):
    import datetime

    Document.objects.filter(pk=world.arabic.pk).update(
        published_at=datetime.datetime(2024, 12, 1, tzinfo=datetime.UTC), published_precision="month"
    )
    review = claim_review(outsider.get(world.reported.get_absolute_url()).content.decode())
    assert review["itemReviewed"]["appearance"]["datePublished"] == "2024-12"
    assert review["reviewRating"]["ratingValue"] == 4


def test_a_draft_claim_shown_to_an_analyst_has_no_claim_review(world, analyst):
    for claim in world.hidden_claims:
        page = analyst.get(claim.get_absolute_url()).content.decode()
        assert claim_review(page) is None
        assert "Draft" in page


def test_a_quote_that_closes_the_script_element_stays_inside_the_data_block(db, outsider):
    text = 'He wrote "</script><script>alert(1)</script> & <!--" in the margin.'
    document = make_document(text)
    quote = '"</script><script>alert(1)</script> & <!--"'
    claim = make_claim(document, quote)
    response = outsider.get(claim.get_absolute_url())
    assert claim_review(response.content.decode())["claimReviewed"] == quote
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_exported_creators_never_include_an_email_address(world, outsider):
    User.objects.filter(pk=world.said.created_by_id).update(first_name="", last_name="")
    data = jsonld(outsider, annotation_url(world.said))
    assert data["creator"] == {"type": "Person", "name": "ana"}


# --- Hostile input -------------------------------------------------------------------------


@examples(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    query=st.lists(
        st.tuples(
            st.sampled_from(["page", "after", "before", "iris"]),
            st.one_of(
                st.sampled_from(["1", "2", "0", "-1", "۲", "9" * 30, "1~2", "~", "", "\u202e", "<b>", "1e3"]),
                st.text(max_size=12),
                st.integers(min_value=-(10**20), max_value=10**20).map(str),
            ),
        ),
        max_size=4,
    ),
    prefer=st.one_of(st.just(""), st.text(max_size=60), st.just('return=representation;include="x y z"')),
    accept=st.sampled_from(
        ["", PROFILE, "application/ld+json;q=x", "*/*;;;", "text/html;q=0.5, application/*"]
    ),
    where=st.sampled_from(["archive", "document", "links", "claim"]),
)
def test_no_page_address_prefer_or_accept_header_answers_5xx(many, outsider, query, prefer, accept, where):
    url = {
        "archive": collection_url(),
        "document": collection_url(many.first),
        "links": reverse("archive:link_collection"),
        "claim": many.claims[0].get_absolute_url(),
    }[where]
    text = "&".join(f"{key}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}" for key, value in query)
    headers = {"HTTP_PREFER": prefer} if prefer else {}
    if accept:
        headers["HTTP_ACCEPT"] = accept
    response = outsider.get(f"{url}?{text}", **headers)
    assert response.status_code in (200, 400, 404), (url, text, response.status_code)

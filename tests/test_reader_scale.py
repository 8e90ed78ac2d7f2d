"""The reader and compare pages at scale (issue 9): their size and queries do not grow with the
archive, the document choosers are bounded, the page kept for anonymous visitors is never
stale after a write and answers a repeat request with 304, and the type-ahead endpoint."""

import json
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive import caching, comparison
from archive.models import Claim, ClaimLink, Document, Person, Visibility
from archive.services import annotations
from archive.text import anchoring
from bench.corpus import build_compare_corpus
from tests.factories import make_claim, make_document, make_source

pytestmark = pytest.mark.django_db

SUGGEST = "/api/documents/suggest/"


def build_archive(prefix, extra):
    """A document of 3 claims with a linked report, plus ``extra`` unrelated documents with claims."""
    source = make_source(name=f"{prefix} source", slug=f"{prefix}-source")
    main = make_document(
        f"The {prefix} minister said the talks will resume. He added that sanctions will stay. Nobody agreed.",
        title=f"{prefix} main text",
        slug=f"{prefix}-main",
        source=source,
    )
    claims = [
        make_claim(main, "the talks will resume"),
        make_claim(main, "sanctions will stay"),
        make_claim(main, "Nobody agreed"),
    ]
    report = make_document(
        f"A {prefix} report: the talks will resume soon, officials said.",
        title=f"{prefix} report",
        slug=f"{prefix}-report",
    )
    reported = make_claim(report, "the talks will resume soon")
    ClaimLink.objects.create(from_claim=reported, to_claim=claims[0], relation="reports")
    third = make_document(
        f"A third {prefix} text on the talks.", title=f"{prefix} third", slug=f"{prefix}-third"
    )
    for n in range(extra):
        other = make_document(
            f"Unrelated {prefix} text {n} about the weather. It rained.",
            title=f"Unrelated {prefix} number {n}",
            slug=f"{prefix}-unrelated-{n}",
        )
        make_claim(other, "It rained")
    return main, report, third


def get(client, url, status=200, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.content.decode()[:1000]
    return response


def queries_and_html(client, url):
    client.get(url)  # session, content types and permission caches
    with CaptureQueriesContext(connection) as context:
        response = get(client, url)
    return len(context), response.content.decode()


def without_archive_words(page, *words):
    for word in words:
        page = page.replace(word, "")
    return page


@pytest.mark.parametrize("who", ["outsider", "analyst"])
def test_reader_and_compare_cost_the_same_queries_and_bytes_with_3_or_30_other_documents(request, who):
    client = request.getfixturevalue(who)
    small = build_archive("small", 3)
    large = build_archive("large", 30)
    figures = {}
    for name, (main, report, third) in (("small", small), ("large", large)):
        reader_queries, reader_html = queries_and_html(client, main.get_absolute_url())
        compare = f"/compare/?d={main.slug}&d={report.slug}&d={third.slug}"
        compare_queries, compare_html = queries_and_html(client, compare)
        figures[name] = (
            reader_queries,
            compare_queries,
            # The prefix is the only difference between the two archives' own pages.
            len(reader_html.replace(name, "")),
            len(compare_html.replace(name, "")),
        )
        assert "Unrelated" not in compare_html
    assert figures["small"][:2] == figures["large"][:2]
    # Pages differ by at most the ids (a digit or two each), never by a document's worth.
    assert abs(figures["small"][2] - figures["large"][2]) < 200
    assert abs(figures["small"][3] - figures["large"][3]) < 200


def test_the_reader_lists_at_most_the_bound_of_other_documents(outsider):
    source = make_source(name="Wire", slug="wire")
    main = make_document("The main text.", title="Main text", slug="main", source=source)
    related = make_document("It cites the main text.", title="Citing text", slug="citing")
    main.incoming_relations.create(document=related, kind="cites")
    for n in range(comparison.NEARBY_LIMIT + 15):
        make_document(f"Wire story {n}.", title=f"Wire story {n}", slug=f"wire-{n}", source=source)
    page = get(outsider, main.get_absolute_url()).content.decode()
    datalist = re.search(r'<datalist id="compare-with-choices">(.*?)</datalist>', page, re.S).group(1)
    options = re.findall(r'<option value="([^"]+)">', datalist)
    assert len(options) == comparison.NEARBY_LIMIT
    assert options[0] == "citing"  # related first, then the same source, newest first
    assert len(re.findall(r"Wire story \d+", page)) == comparison.NEARBY_LIMIT - 1
    assert "<select" not in page.split('class="compare-with"', 1)[1].split("</form>", 1)[0]


def test_the_compare_chooser_is_bounded_and_accepts_a_typed_title(outsider):
    for n in range(comparison.NEARBY_LIMIT + 10):
        make_document(f"Story {n}.", title=f"Story number {n}", slug=f"story-{n}")
    speech = make_document("A speech on the economy.", title="Speech on the économie", slug="speech")
    page = get(outsider, "/compare/").content.decode()
    assert len(re.findall(r"<option value=", page)) == comparison.NEARBY_LIMIT
    # A title (any case; SQLite folds the case of ASCII letters only) is resolved and the
    # address made canonical.
    response = get(outsider, "/compare/?d=SPEECH ON THE économie&d=story-3&tag=", status=302)
    assert response.url == "/compare/?d=speech&d=story-3&tag="
    assert get(outsider, response.url).content.decode().count('class="compare-column"') == 2
    assert speech.pk


def test_the_compare_page_names_the_input_that_matched_nothing_or_several(outsider):
    make_document("One.", title="Budget report 2024", slug="budget-2024")
    make_document("Two.", title="Budget report 2025", slug="budget-2025")
    make_document("Secret.", title="Secret memo", slug="memo", visibility=Visibility.DRAFT)
    page = get(outsider, "/compare/?d=budget-2024&d=Secret memo", status=404).content.decode()
    assert "There is no document at “Secret memo”" in page
    page = get(outsider, "/compare/?d=budget-2024&d=Budget report", status=400).content.decode()
    assert "“Budget report” fits 2 titles: choose one." in page
    assert 'aria-invalid="true"' in page
    links = re.findall(r'<a href="(/compare/\?[^"]+)">Budget report 202\d</a>', page)
    assert {link.replace("&amp;", "&") for link in links} == {
        "/compare/?d=budget-2024&d=budget-2024",
        "/compare/?d=budget-2024&d=budget-2025",
    }


# --- the page kept for anonymous visitors -----------------------------------------------


@pytest.fixture
def annotated(analyst_user):
    document = make_document(
        "The ceasefire will hold until spring. Talks resume next week.", title="Ceasefire", slug="ceasefire"
    )
    claim = make_claim(document, "The ceasefire will hold until spring", note="First note.")
    return document, claim, analyst_user


def test_a_repeat_visit_is_served_from_the_kept_page_in_one_query(kept, outsider, annotated):
    document, _claim, _user = annotated
    first = get(outsider, document.get_absolute_url())
    with CaptureQueriesContext(connection) as context:
        again = get(outsider, document.get_absolute_url())
    assert len(context) == 1  # the archive stamp
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert "Cookie" in again["Vary"]
    assert "Content-Security-Policy" in again


def test_a_repeat_request_with_if_none_match_gets_304(kept, outsider, annotated):
    document, _claim, _user = annotated
    etag = get(outsider, document.get_absolute_url())["ETag"]
    response = get(outsider, document.get_absolute_url(), status=304, **{"If-None-Match": etag})
    assert response.content == b""
    assert response["ETag"] == etag
    # Also when the page was not kept (the caches emptied meanwhile): the content's ETag.
    cache.clear()
    caching.recent.clear()
    get(outsider, document.get_absolute_url(), status=304, **{"If-None-Match": etag})


@pytest.mark.parametrize("change", ["edit", "correct", "delete", "rename claimant", "unpublish"])
def test_a_write_shows_at_once_and_changes_the_etag(kept, outsider, annotated, change, admin_client_super):
    document, claim, user = annotated
    before = get(outsider, document.get_absolute_url())
    assert "First note." in before.content.decode()
    if change == "edit":
        annotations.update_claim(claim, user=user, note="Second note.")
        expected, gone = "Second note.", "First note."
    elif change == "correct":
        annotations.correct_text(
            document,
            document.text.replace("Talks resume next week.", "Talks resumed on Monday."),
            user=user,
            reason="typo",
        )
        expected, gone = "Talks resumed on Monday.", "Talks resume next week."
    elif change == "delete":
        annotations.delete_claim(claim, user=user)
        expected, gone = "No claims have been highlighted", "First note."
    elif change == "rename claimant":
        # A rename in the admin touches no claim: the admin's change log moves the stamp.
        person = Person.objects.create(name="Old Name", slug="old-name")
        annotations.update_claim(claim, user=user, claimant=person)
        before = get(outsider, document.get_absolute_url())
        assert "Old Name" in before.content.decode()
        response = admin_client_super.post(
            f"/admin/archive/person/{person.pk}/change/",
            {"name": "New Name", "slug": "old-name", "role": "", "aliases": ""},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        expected, gone = "New Name", "Old Name"
    else:  # unpublished in the admin: the page is gone for visitors at once
        response = admin_client_super.get(f"/admin/archive/document/{document.pk}/change/")
        assert response.status_code == 200
        Document.objects.filter(pk=document.pk).update(visibility=Visibility.DRAFT)
        LogEntry.objects.log_actions(user.pk, [document], CHANGE, change_message="Unpublished.")
        get(outsider, document.get_absolute_url(), status=404)
        return
    after = get(outsider, document.get_absolute_url(), **{"If-None-Match": before["ETag"]})
    assert after["ETag"] != before["ETag"]
    assert expected in after.content.decode()
    assert gone not in after.content.decode()


def test_analysts_and_visitors_never_share_a_page(kept, outsider, analyst, annotated):
    document, claim, user = annotated
    draft = make_claim(document, "Talks resume next week", visibility=Visibility.DRAFT, note="Draft note.")
    public = get(outsider, document.get_absolute_url())
    private = get(analyst, document.get_absolute_url(), **{"If-None-Match": public["ETag"]})
    assert "Draft note." in private.content.decode()
    assert private["ETag"] != public["ETag"]
    assert "Draft note." not in get(outsider, document.get_absolute_url()).content.decode()
    assert draft.pk and claim.pk


def test_the_compare_page_is_kept_too_and_refreshed_by_a_link(kept, outsider, annotated):
    document, claim, user = annotated
    other = make_document("The ceasefire will hold, he said.", title="Report", slug="report")
    echo = make_claim(other, "The ceasefire will hold")
    url = f"/compare/?d={document.slug}&d={other.slug}"
    assert "Linked claims (0)" in get(outsider, url).content.decode()
    annotations.link_claims(echo, claim, "reports", user=user)
    assert "Linked claims (1)" in get(outsider, url).content.decode()


# --- the type-ahead endpoint -------------------------------------------------------------


def suggest(client, status=200, **params):
    response = client.get(SUGGEST, params)
    assert response.status_code == status, response.content.decode()[:500]
    return response.json()


def test_suggestions_are_bounded_and_match_title_slug_or_words(outsider):
    for n in range(comparison.SUGGEST_LIMIT + 10):
        make_document(f"Talks text {n}.", title=f"Talks in Geneva, day {n}", slug=f"geneva-{n}")
    make_document("Text.", title="Another matter", slug="another-matter")
    results = suggest(outsider, q="talks in gen")["results"]
    assert len(results) == comparison.SUGGEST_LIMIT
    assert all(set(item) == {"slug", "title"} for item in results)
    assert suggest(outsider, q="another-matter")["results"] == [
        {"slug": "another-matter", "title": "Another matter"}
    ]
    assert {item["slug"] for item in suggest(outsider, q="gene")["results"]} <= {
        f"geneva-{n}" for n in range(40)
    }
    assert suggest(outsider, q="")["results"] == []


def test_suggestions_hide_drafts_from_visitors_only(outsider, analyst):
    make_document("Secret.", title="Secret briefing", slug="secret", visibility=Visibility.DRAFT)
    assert suggest(outsider, q="secret")["results"] == []
    assert suggest(analyst, q="secret")["results"] == [{"slug": "secret", "title": "Secret briefing"}]


@pytest.mark.parametrize(
    "typed, title",
    [
        ("سوریه", "بیانات درباره سوریه"),
        ("сергей", "Сергей Лавров о переговорах"),
        ("émeute", "L'émeute de Paris"),
    ],
)
def test_suggestions_find_unicode_titles(outsider, typed, title):
    document = make_document("Text.", title=title, slug=f"u-{len(title)}")
    assert {"slug": document.slug, "title": title} in suggest(outsider, q=typed)["results"]


@pytest.mark.parametrize(
    "params",
    [
        {"q": '"'},
        {"q": "*"},
        {"q": "- -"},
        {"q": "NEAR(a b) OR c:d ^e"},
        {"q": "' OR 1=1 --"},
        {"q": "\u200b\u200d"},
        {"q": "x" * 200},
    ],
)
def test_hostile_suggestion_input_is_answered_cleanly(outsider, params):
    make_document("Text.", title="A title", slug="a-title")
    assert isinstance(suggest(outsider, **params)["results"], list)


@pytest.mark.parametrize(
    "query, field",
    [("q=" + "x" * 201, "q"), ("q=a&q=b", "q"), ("q=a&page=2", "page")],
)
def test_bad_suggestion_requests_are_400_with_a_message(outsider, query, field):
    response = outsider.get(f"{SUGGEST}?{query}")
    assert response.status_code == 400
    assert field in json.loads(response.content)["errors"]


def test_suggestions_for_a_nul_are_refused_at_the_door(outsider):
    assert outsider.get(SUGGEST, {"q": "a\x00b"}).status_code == 400


def test_anchoring_is_unchanged_by_the_compact_highlights():
    # The compare page's compact marks still wrap exactly the claim's quote.
    from archive.reader import compact_highlight
    from archive.text.rendering import render_highlighted

    document = make_document("Alpha beta gamma.", slug="alpha")
    claim = Claim(document=document, pk=7, kind="assertion", status="unverified", visibility="published")
    selector = anchoring.selector_for(document.text, 6, 10)
    claim.start, claim.end, claim.quote = selector.start, selector.end, selector.quote
    html = render_highlighted(document.text, [compact_highlight(claim, (3,))], compact=True)
    assert html == 'Alpha <mark id="claim-7" data-pairs="3">beta</mark> gamma.'


# --- the compare page's weight (issue 9: 4 documents x 500 claims under 300 KB) ----------

COMPARE_BYTES = 300_000


def build_4x500():
    """``bench/render.py``'s comparison: 4 documents of 500 one-sentence claims, 500 links."""
    # Six-digit claim and link numbers, as in an archive of a few hundred thousand claims: the
    # weight must not depend on which ids a test database happens to hand out.
    return [document for document, _claims in build_compare_corpus(4, 500, 500, first_id=100_000)]


@pytest.mark.parametrize("who", ["outsider", "analyst"])
def test_the_compare_page_of_4_documents_of_500_claims_is_under_300_kb(request, who):
    client = request.getfixturevalue(who)
    documents = build_4x500()
    page = get(client, "/compare/?" + "&".join(f"d={document.slug}" for document in documents)).content
    assert len(page) < COMPARE_BYTES, f"{len(page):,} bytes"
    # Nothing was left out to get there: every claim highlighted, every pair listed and
    # focusable, the texts whole; the analyst's link form.
    text = page.decode()
    assert len(re.findall(r'<mark id="claim-\d+"', text)) == 4 * 500
    assert len(re.findall(r'<tr id="pair-\d+"', text)) == 500
    assert len(re.findall(r'<button name="pair" value="\d+">', text)) == 500
    columns = text.split('id="compare-grid"', 1)[1].split('class="pair-table"', 1)[0]
    assert columns.count(" and its region.") == 4 * 500
    assert ('id="link-form"' in text) == (who == "analyst")

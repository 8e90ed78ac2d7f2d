"""Atom feeds (archive.feeds), read with a real feed parser: published material
only, for everyone; bounded; constant queries; Persian tags; merged tags move."""

import datetime
import html
import re

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag

from archive import feeds
from archive.models import Document, TagRedirect, Visibility
from tests.factories import make_claim, make_document, make_person, make_source

pytestmark = pytest.mark.django_db

SAYS = "The envoy said the talks had failed. He added that the border would stay closed."


def parse(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


@pytest.fixture
def world(db):
    """Published, draft and mixed material around one person, source and tag."""
    envoy = make_person(name="Hossein Akbari", slug="hossein-akbari")
    source = make_source(name="IRNA", slug="irna", kind="state_media")
    published = make_document(
        SAYS,
        title="Envoy: talks failed & border closed",
        slug="envoy-talks",
        kind=Document.Kind.NEWS,
        byline="IRNA staff",
        source=source,
        language="en",
        tags=["syria"],
        published_at=datetime.datetime(2024, 12, 11, tzinfo=datetime.UTC),
        published_precision="day",
    )
    claim = make_claim(
        published,
        "the talks had failed",
        claimant=envoy,
        tags=["syria"],
        note="**Checked** against the [readout](https://example.org/readout). <script>alert(1)</script>",
    )
    draft_claim = make_claim(
        published, "the border would stay closed", claimant=envoy, visibility=Visibility.DRAFT
    )
    draft = make_document(
        SAYS + " (draft)",
        title="Draft readout",
        slug="draft-readout",
        source=source,
        visibility=Visibility.DRAFT,
    )
    in_draft = make_claim(draft, "the talks had failed", claimant=envoy, tags=["syria"])
    return {
        "person": envoy,
        "source": source,
        "document": published,
        "claim": claim,
        "draft_claim": draft_claim,
        "draft": draft,
        "in_draft": in_draft,
    }


FEEDS = {
    "documents": lambda world: reverse("archive:feed_documents"),
    "claims": lambda world: reverse("archive:feed_claims"),
    "tag": lambda world: reverse("archive:tag_feed", args=["syria"]),
    "person": lambda world: reverse("archive:person_feed", args=[world["person"].slug]),
    "source": lambda world: reverse("archive:source_feed", args=[world["source"].slug]),
}


@pytest.mark.parametrize("feed", FEEDS)
@pytest.mark.parametrize("client_name", ["outsider", "analyst"])
def test_every_feed_parses_and_holds_no_draft_whoever_asks(request, world, feed, client_name):
    client = request.getfixturevalue(client_name)
    parsed = parse(client.get(FEEDS[feed](world)))
    links = {entry.link for entry in parsed.entries}
    assert parsed.entries
    for draft in (world["draft"], world["in_draft"], world["draft_claim"]):
        assert f"http://testserver{draft.get_absolute_url()}" not in links
    assert "Draft readout" not in str(parsed)
    assert parsed.feed.id == f"http://testserver{FEEDS[feed](world)}"
    assert {link.rel for link in parsed.feed.links} == {"alternate", "self"}


def test_a_document_entry_says_what_the_document_is(outsider, world):
    document = world["document"]
    (entry,) = parse(outsider.get(reverse("archive:feed_documents"))).entries
    assert entry.title == "Envoy: talks failed & border closed"
    assert entry.link == f"http://testserver{document.get_absolute_url()}"
    assert entry.id == f"tag:testserver,{document.created_at:%Y-%m-%d}:documents/{document.pk}"
    assert entry.author == "IRNA staff"
    assert entry.summary == "News report from IRNA, 11 December 2024, by IRNA staff."
    assert [tag.term for tag in entry.tags] == ["syria"]
    assert entry.title_detail.language == "en"
    assert entry.published_parsed and entry.updated_parsed


def test_a_claim_entry_has_its_quote_as_summary_and_its_sanitized_note_as_content(outsider, world):
    claim = world["claim"]
    (entry,) = parse(outsider.get(reverse("archive:feed_claims"))).entries
    assert entry.title == "Assertion claim by Hossein Akbari: “the talks had failed”"
    assert entry.link == f"http://testserver/claims/{claim.pk}/"
    assert entry.id == f"tag:testserver,{claim.created_at:%Y-%m-%d}:claims/{claim.pk}"
    assert entry.author == "Hossein Akbari"
    assert (
        html.unescape(entry.summary)
        == "“the talks had failed” — in “Envoy: talks failed & border closed” (IRNA)"
    )
    (content,) = entry.content
    assert content.type == "text/html"
    assert "<strong>Checked</strong>" in content.value
    assert 'href="https://example.org/readout"' in content.value
    assert "<script" not in content.value


def test_markup_in_a_quote_reaches_the_reader_as_text(outsider):
    document = make_document("He wrote <b>bold</b> & <script>x</script> in the text.", slug="markup")
    make_claim(document, "<b>bold</b> & <script>x</script>")
    (entry,) = parse(outsider.get(reverse("archive:feed_claims"))).entries
    assert "<b>" not in entry.summary and "<script" not in entry.summary
    assert html.unescape(entry.summary).startswith("“<b>bold</b> & <script>x</script>”")


def test_control_characters_in_a_title_do_not_break_the_feed(outsider):
    # (No NUL: PostgreSQL cannot store one, and the input middleware refuses it.)
    make_document("Text one.", title="Bad\x0btitle\x1b with \x07 controls", slug="bad-title")
    (entry,) = parse(outsider.get(reverse("archive:feed_documents"))).entries
    assert entry.title == "Badtitle with controls"


def test_a_feed_holds_the_newest_fifty_newest_first(outsider):
    created = [make_document(f"Text {n}.", slug=f"doc-{n}") for n in range(feeds.FEED_SIZE + 5)]
    entries = parse(outsider.get(reverse("archive:feed_documents"))).entries
    assert len(entries) == feeds.FEED_SIZE
    assert [entry.link for entry in entries] == [
        f"http://testserver{document.get_absolute_url()}"
        for document in reversed(created[-feeds.FEED_SIZE :])
    ]


def test_persian_tag_feed_is_found_by_its_persian_address(outsider):
    document = make_document("متن خبر درباره سوریه.", title="خبر سوریه", slug="خبر-سوریه", language="fa")
    document.tags.add("سوریه")
    tag = Tag.objects.get(name="سوریه")
    url = reverse("archive:tag_feed", args=[tag.slug])
    assert url == "/tags/%D8%B3%D9%88%D8%B1%DB%8C%D9%87/feed.atom"
    parsed = parse(outsider.get(url))
    assert parsed.feed.title == "Margins: tagged “سوریه”"
    (entry,) = parsed.entries
    assert entry.title == "خبر سوریه"
    assert entry.title_detail.language == "fa"


def test_a_merged_tag_feed_moves_to_the_tag_it_was_merged_into(outsider, world):
    TagRedirect.objects.create(slug="suriya", name="Suriya", tag=Tag.objects.get(slug="syria"))
    response = outsider.get(reverse("archive:tag_feed", args=["suriya"]))
    assert response.status_code == 301
    assert response["Location"] == reverse("archive:tag_feed", args=["syria"])


def test_feeds_with_nothing_published_do_not_exist(outsider, world):
    quiet = make_person(name="Only drafts", slug="only-drafts")
    make_claim(world["draft"], "He added", claimant=quiet)
    hidden = make_source(name="Draft outlet", slug="draft-outlet")
    make_document(
        "Nothing yet.", slug="draft-only", source=hidden, visibility=Visibility.DRAFT, tags=["secret"]
    )
    for url in (
        reverse("archive:person_feed", args=["only-drafts"]),
        reverse("archive:source_feed", args=["draft-outlet"]),
        reverse("archive:tag_feed", args=["secret"]),
        reverse("archive:person_feed", args=["nobody"]),
        reverse("archive:source_feed", args=["nowhere"]),
        reverse("archive:tag_feed", args=["no-such-tag"]),
    ):
        assert outsider.get(url).status_code == 404, url
        # As their pages are.
        assert outsider.get(url.removesuffix("feed.atom")).status_code == 404, url


def test_feeds_refuse_writes(outsider, world):
    assert outsider.post(reverse("archive:feed_documents")).status_code == 405


FEED_LINK = re.compile(r'<link rel="alternate" type="application/atom\+xml" href="([^"]+)"')


def alternates(client, url):
    return set(FEED_LINK.findall(client.get(url).content.decode()))


def test_pages_name_their_feeds_for_feed_readers(outsider, world):
    every = {reverse("archive:feed_documents"), reverse("archive:feed_claims")}
    assert alternates(outsider, reverse("archive:document_list")) == every
    assert alternates(outsider, world["document"].get_absolute_url()) == every
    assert alternates(outsider, reverse("archive:tag_detail", args=["syria"])) == every | {
        FEEDS["tag"](world)
    }
    assert alternates(outsider, world["person"].get_absolute_url()) == every | {FEEDS["person"](world)}
    assert alternates(outsider, world["source"].get_absolute_url()) == every | {FEEDS["source"](world)}


def _grow(world, n):
    """``n`` more published documents from the world's source, each with a claim by its
    person, both tagged, so that every feed has more entries than before."""
    for index in range(n):
        document = make_document(
            f"{SAYS} Number {index}.",
            slug=f"grown-{n}-{index}",
            source=world["source"],
            tags=["syria", f"t{index}"],
        )
        make_claim(document, "the talks had failed", claimant=world["person"], tags=["syria", f"c{index}"])


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        parse(client.get(url))
    return len(captured.captured_queries)


# Per feed: its object (tag, person, source), its entries with what they show, their tags.
PINNED = {"documents": 2, "claims": 2, "tag": 5, "person": 3, "source": 3}


@pytest.mark.parametrize("feed", FEEDS)
def test_a_feed_answers_in_the_same_few_queries_at_any_archive_size(outsider, world, feed):
    url = FEEDS[feed](world)
    parse(outsider.get(url))  # content types and the like, read once per process
    small = _queries(outsider, url)
    _grow(world, feeds.FEED_SIZE + 10)
    assert _queries(outsider, url) == small == PINNED[feed]


def test_a_kept_feed_is_served_again_with_its_last_modified(outsider, world, kept):
    url = reverse("archive:feed_claims")
    first = outsider.get(url)
    with CaptureQueriesContext(connection) as captured:
        again = outsider.get(url)
    assert len(captured.captured_queries) == 1  # the archive's stamp: the feed was kept
    assert again.content == first.content
    assert again["Last-Modified"] == first["Last-Modified"]
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == "application/atom+xml; charset=utf-8"
    Document.objects.filter(pk=world["draft"].pk).update(visibility=Visibility.PUBLISHED)
    make_claim(world["draft"], "He added", claimant=world["person"])
    assert len(parse(outsider.get(url)).entries) == 3

"""Passage links (``/documents/<slug>/?passage=…``), share previews and claim
short links: what a colleague sees when opening a link, without JavaScript."""

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from archive.models import Visibility
from archive.services import annotations
from tests.factories import make_claim, make_document, make_source

TEXT = (
    "The ambassador opened the ceremony. He said the assassination was a violation of international law. "
    "Then he thanked the guests. He said the assassination was a crime. The evening ended with prayers."
)


@pytest.fixture
def document(db):
    source = make_source(name="Embassy Bulletin", slug="embassy-bulletin")
    return make_document(TEXT, title="Anniversary remarks", slug="anniversary-remarks", source=source)


def passage_url(document, quote, **params):
    return f"{document.get_absolute_url()}?{urlencode({'passage': quote, **params})}"


def passage_mark(html):
    """The text inside ``<mark id="passage">`` (its nested marks and labels removed)."""
    match = re.search(r'<mark id="passage"[^>]*>(.*?)</mark>(?!</mark>)', html, re.S)
    if match is None:
        return None
    inner = re.sub(r'<span class="sr-only" data-offset-ignore>.*?</span>', "", match.group(1))
    return re.sub(r"<[^>]+>", "", inner)


def test_passage_link_highlights_exactly_that_passage_for_anonymous_readers(outsider, document):
    quote = "a violation of international law"
    response = outsider.get(passage_url(document, quote, pre="assassination was ", at=TEXT.index(quote)))
    assert response.status_code == 200
    html = response.content.decode()
    assert passage_mark(html) == quote
    assert html.count('id="passage"') == 1
    assert re.search(
        r'class="notice passage-notice" role="status">A colleague linked you to a passage\. '
        r'<a href="#passage">Go to the highlighted passage</a>',
        html,
    )


def test_passage_context_picks_the_right_one_of_two_repeats(outsider, document):
    quote = "He said the assassination was"
    second = TEXT.index(quote, TEXT.index(quote) + 1)
    page = outsider.get(passage_url(document, quote, pre="the guests. ", suf=" a crime")).content.decode()
    html = page[page.index('id="doc-text"') :]
    marked_at = html.index('<mark id="passage"')
    assert html[:marked_at].count("He said the assassination was") == 1
    assert passage_mark(html) == quote
    assert "Then he thanked the guests. " in html[:marked_at]
    assert second > 0


def test_passage_is_found_after_the_text_was_reworded_slightly(outsider, analyst_user, document):
    old_quote = "He said the assassination was a violation of international law."
    at = TEXT.index(old_quote)
    annotations.correct_text(
        document,
        TEXT.replace("was a violation of", "was a clear violation of"),
        user=analyst_user,
        reason="Typo",
    )
    html = outsider.get(passage_url(document, old_quote, pre="opened the ceremony. ", at=at)).content.decode()
    assert passage_mark(html) == "He said the assassination was a clear violation of international law."
    assert (
        "The text has changed since the link was made; the passage was found again, reworded a little."
        in html
    )
    assert "score" not in html and "runner-up" not in html


def test_missing_passage_is_reported_with_its_quote(outsider, document):
    quote = "Sanctions will be lifted next week"
    response = outsider.get(passage_url(document, quote))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "The linked passage is no longer in this text" in html
    assert f"<blockquote>{quote}</blockquote>" in html
    assert 'id="passage"' not in html


def test_passage_quote_in_the_url_is_escaped(outsider, document):
    html = outsider.get(passage_url(document, '<script>alert("x")</script>')).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_over_long_passage_gets_a_message_not_an_error(outsider, document):
    response = outsider.get(passage_url(document, "x" * 600))
    assert response.status_code == 200
    html = response.content.decode()
    assert "longer than 500 characters" in html
    assert 'role="alert"' in html
    shown = re.search(r'class="notice passage-missing".*?<blockquote>(x*)</blockquote>', html, re.S).group(1)
    assert len(shown) == 500


@pytest.mark.parametrize("at", ["abc", "-5", "999999999999999999999", ""])
def test_passage_with_a_nonsense_position_hint_is_still_found(outsider, document, at):
    quote = "Then he thanked the guests."
    response = outsider.get(passage_url(document, quote, at=at))
    assert response.status_code == 200
    assert passage_mark(response.content.decode()) == quote


def test_passage_inside_a_claim_is_highlighted_along_with_the_claim(outsider, document):
    claim = make_claim(document, "He said the assassination was a violation of international law.")
    html = outsider.get(passage_url(document, "violation of international law")).content.decode()
    assert f'id="claim-{claim.pk}"' in html
    assert passage_mark(html) == "violation of international law"


def test_passage_link_page_carries_share_preview_meta(outsider, document):
    quote = "a violation of international law"
    html = outsider.get(passage_url(document, quote)).content.decode()
    assert '<meta property="og:title" content="Anniversary remarks — Embassy Bulletin">' in html
    assert f'<meta property="og:description" content="“{quote}”">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert f'<meta name="twitter:description" content="“{quote}”">' in html
    og_url = re.search(r'<meta property="og:url" content="([^"]+)">', html).group(1)
    assert og_url.startswith("http://testserver/documents/anniversary-remarks/?passage=")


def test_plain_document_page_has_no_passage_preview(outsider, document):
    html = outsider.get(document.get_absolute_url()).content.decode()
    assert "og:description" not in html
    assert 'id="passage"' not in html


def test_claim_page_carries_share_preview_meta_with_the_quote(outsider, document):
    claim = make_claim(document, "He said the assassination was a crime.")
    html = outsider.get(claim.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Anniversary remarks — Embassy Bulletin">' in html
    assert '<meta property="og:description" content="“He said the assassination was a crime.”">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert f'href="/c/{claim.pk}">http://testserver/c/{claim.pk}</a>' in html


def test_share_meta_escapes_quotes_in_the_claim(outsider, db):
    document = make_document('He shouted "death" & <left>.')
    claim = make_claim(document, '"death" & <left>')
    html = outsider.get(claim.get_absolute_url()).content.decode()
    # The quote opens with its own quotation mark, so none is added around it.
    assert 'content="&quot;death&quot; &amp; &lt;left&gt;"' in html


def test_short_link_redirects_to_the_claim_page(outsider, document):
    claim = make_claim(document, "Then he thanked the guests.")
    response = outsider.get(f"/c/{claim.pk}")
    assert response.status_code == 302
    assert response["Location"] == reverse("archive:claim_detail", args=[claim.pk])


def test_short_link_of_a_draft_claim_is_404_for_anonymous_but_works_for_analysts(outsider, analyst, document):
    claim = make_claim(document, "Then he thanked the guests.", visibility=Visibility.DRAFT)
    assert outsider.get(f"/c/{claim.pk}").status_code == 404
    assert outsider.get(claim.get_absolute_url()).status_code == 404
    assert analyst.get(f"/c/{claim.pk}")["Location"] == claim.get_absolute_url()


def test_short_link_of_a_claim_in_a_draft_document_is_404_for_anonymous(outsider, db):
    document = make_document(visibility=Visibility.DRAFT)
    claim = make_claim(document, "the sky is blue")
    assert outsider.get(f"/c/{claim.pk}").status_code == 404


def test_short_link_of_an_unknown_claim_is_404(outsider, db):
    assert outsider.get("/c/424242").status_code == 404


# --- the link to a passage, built by the server ----------------------------------------


def link_for(client, document, start, end):
    url = reverse("archive:api_passage_link", args=[document.slug])
    return client.get(url, {"start": start, "end": end})


def test_the_link_to_a_repeated_passage_opens_at_that_occurrence(outsider, document):
    quote = "He said the assassination was"
    second = TEXT.rindex(quote)
    response = link_for(outsider, document, second, second + len(quote))
    assert response.status_code == 200
    link = response.json()["url"]
    directive = link.split("#passage:~:text=", 1)[1]
    # The words that follow tell this occurrence from the first one.
    assert directive == "He%20said%20the%20assassination%20was,-a%20crime."
    html = outsider.get(link.split("#", 1)[0]).content.decode()
    assert passage_mark(html) == quote
    assert html.index('<mark id="passage"') > html.index("Then he thanked the guests.")


def test_a_draft_documents_passage_has_no_link_for_readers(outsider, analyst):
    draft = make_document(TEXT, slug="draft-remarks", visibility=Visibility.DRAFT)
    assert link_for(outsider, draft, 0, 10).status_code == 404
    assert link_for(analyst, draft, 0, 10).status_code == 200


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("9", "3", "ends (3) where or before it starts (9)"),
        ("0", "99999", "after the end of the text"),
        ("x", "4", "whole number"),
        ("35", "36", "only spaces"),
    ],
)
def test_a_link_to_a_span_that_is_no_passage_is_refused_with_the_reason(
    outsider, document, start, end, message
):
    response = link_for(outsider, document, start, end)
    assert response.status_code == 400
    assert message in str(response.json()["errors"])

"""The reading page as served: the text before what is about it, provenance in one line,
the versions and their differences linked, claims described in words, plain notices; and
the claim page with who, what kind and how far checked at the top."""

import datetime
import re

import pytest

from archive.models import Claim, Document
from archive.services import annotations
from archive.text import anchoring
from tests.factories import make_claim, make_document, make_person

TEXT = (
    "The minister opened the session.\n\n"
    "“The prominent feature of Syria is resistance,” he said, and the hall applauded.\n\n"
    "He warned that the border would be closed within a week.\n"
)


@pytest.fixture
def document(db):
    document = make_document(
        TEXT,
        title="Session remarks",
        slug="session-remarks",
        language="fa",
        published_at=datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC),
        published_precision=Document.DatePrecision.MONTH,
    )
    assert document.versions.filter(number=1).exists()
    return document


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_article_text_comes_before_provenance_compare_and_legend(outsider, document):
    html = page(outsider, document.get_absolute_url())
    text_at = html.index('id="doc-text"')
    for later in ('class="provenance"', 'class="compare-with"', 'class="legend"', 'class="versions"'):
        assert html.index(later) > text_at, later


def test_provenance_is_one_summary_line_with_the_full_panel_a_click_away(outsider, document):
    html = page(outsider, document.get_absolute_url())
    summary = re.search(r'<p class="meta reader-summary">(.*?)</p>', html, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", summary)
    assert "published March 2024" in text and "(to the month)" in text
    assert "captured " in text and "in Persian" in text
    assert 'href="#provenance-heading"' in summary
    panel = html[html.index('class="provenance-panel"') - 20 :]
    assert panel.startswith("<details") or "<details" in panel[:40]
    assert "Raw text SHA-256" in panel


def test_the_reader_links_each_version_and_its_differences_for_everyone(outsider, analyst_user, document):
    annotations.correct_text(document, TEXT.replace("a week", "two weeks"), user=analyst_user, reason="Typo")
    visitor = page(outsider, document.get_absolute_url())
    assert 'href="/documents/session-remarks/versions/1/">Version 1</a>' in visitor
    assert 'href="/documents/session-remarks/versions/2/">Version 2</a> (current)' in visitor
    assert "2 versions</a>" in visitor
    # What a correction changed is public, as the versions are.
    assert 'href="/documents/session-remarks/versions/1/diff/2/"' in visitor
    assert "changes from version 1" in visitor
    assert outsider.get("/documents/session-remarks/versions/1/diff/2/").status_code == 200


def test_each_margin_note_names_its_claimant_kind_and_status_for_the_highlight_card(outsider, document):
    speaker = make_person(name="Bashar Jaafari", slug="bashar-jaafari")
    claim = make_claim(
        document, "the border would be closed within a week", kind=Claim.Kind.THREAT, claimant=speaker
    )
    html = page(outsider, document.get_absolute_url())
    card = re.search(rf'<article [^>]*id="card-claim-{claim.pk}"[^>]*>', html).group(0)
    assert 'data-kind-label="Threat"' in card
    assert 'data-claimant="Bashar Jaafari"' in card
    assert 'data-status-label="Unverified"' in card
    assert "j</kbd> next claim" in html
    assert 'src="/static/archive/margin-notes.js"' in html and 'type="module"' in html


def test_an_orphaned_claim_is_explained_in_plain_words_with_the_figures_for_analysts_only(
    outsider, analyst, analyst_user, document
):
    claim = make_claim(document, "He warned that the border would be closed within a week.")
    annotations.correct_text(
        document,
        TEXT.replace("He warned that the border would be closed within a week.\n", ""),
        user=analyst_user,
        reason="Not in the speech",
    )
    claim.refresh_from_db()
    assert claim.orphaned and claim.anchor_note.startswith("orphaned:")
    visitor = page(outsider, document.get_absolute_url())
    assert "We could not find this passage in the text as it is now" in visitor
    assert claim.anchor_note not in visitor
    mine = page(analyst, document.get_absolute_url())
    assert "For analysts: " + claim.anchor_note in mine


@pytest.mark.parametrize(
    ("reason", "plain"),
    [
        (
            "orphaned: best match 0.62 is below the 0.75 minimum",
            "the closest passage differs too much to be sure",
        ),
        ("orphaned: two candidates score 0.91 and 0.90 — too close to choose", "two places that look alike"),
        ("quote reworded; matched with score 0.88 (runner-up 0.10)", "reworded a little"),
        ("Re-placed by hand", "Re-placed by hand"),
    ],
)
def test_reasons_in_plain_words_carry_no_scores(reason, plain):
    sentence = anchoring.plain_reason(reason)
    assert plain in sentence
    assert not re.search(r"\d\.\d\d|minimum|runner-up|score", sentence)


def test_every_orphaning_reason_the_anchoring_writes_has_plain_words():
    text = "Alpha beta gamma delta. Epsilon zeta eta theta. Alpha beta gamma delta."
    selector = anchoring.find_quote(text, "Epsilon zeta eta theta.")
    gone = anchoring.reanchor(selector, "Something else entirely, nothing alike.", old_text=text)
    assert gone.outcome is anchoring.Outcome.ORPHANED
    assert anchoring.plain_reason(gone.reason).startswith("We could not find this passage")


def test_the_claim_page_puts_claimant_kind_and_status_at_the_top_and_does_not_repeat_its_summary(
    analyst, document, db
):
    speaker = make_person(name="Bashar Jaafari", slug="bashar-jaafari")
    claim = make_claim(
        document, "the border would be closed within a week", kind=Claim.Kind.THREAT, claimant=speaker
    )
    html = page(analyst, claim.get_absolute_url())
    facts = html.index('class="claim-facts"')
    assert facts < html.index('id="context-heading"')
    facts_html = html[facts : html.index("</dl>", facts)]
    assert "Bashar Jaafari" in facts_html and ">Threat<" in facts_html and ">Unverified<" in facts_html
    assert "<dt>Claimant</dt>" not in html[html.index('id="details-heading"') :]


def test_a_suggested_passage_that_is_itself_a_quotation_gets_one_pair_of_quote_marks(db):
    from django.template import Context, Template

    rendered = Template("{% load archive_tags %}{{ text|quoted:400 }}|{{ plain|quoted }}").render(
        Context({"text": "“The prominent feature of Syria is resistance,” he said", "plain": "He said"})
    )
    assert rendered == "“The prominent feature of Syria is resistance,” he said|“He said”"
    assert "““" not in rendered

"""Bounded work per request: word diffs of texts too long to diff within a
request are refused with a reason on the page; a small correction of a long
text still diffs; passage links with over-long parameters are answered."""

import re
from urllib.parse import urlencode

import pytest

from archive.services import annotations
from archive.text import diff
from tests.factories import make_document

pytestmark = pytest.mark.django_db


def lines(prefix, count):
    return "\n".join(f"{prefix} line {n} reports what the envoy said about Syria." for n in range(count))


def test_comparing_texts_over_the_size_limit_says_so_instead_of_diffing(outsider, monkeypatch):
    calls = []
    monkeypatch.setattr(diff, "_opcodes", lambda *a, **k: calls.append(a) or [])
    big = lines("First", 6_000)
    assert len(big) > diff.MAX_TEXT_CHARS
    make_document(big, slug="big")
    make_document(big.replace("First", "Second"), slug="big-2")
    response = outsider.get("/compare/", {"d": ["big", "big-2"], "mode": "diff"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Word-level differences are shown for texts of up to 300,000 characters" in page
    assert 'class="diff-cols"' not in page
    assert 'href="/documents/big/"' in page and 'href="/documents/big-2/"' in page
    assert calls == []


def test_comparing_texts_that_differ_over_too_much_says_so(outsider):
    make_document(lines("Alpha", 700), slug="alpha")
    make_document(lines("Beta", 700), slug="beta")
    page = outsider.get("/compare/", {"d": ["alpha", "beta"], "mode": "diff"}).content.decode()
    assert re.search(r"The texts differ over [\d,]+ characters", page)
    assert 'class="diff-cols"' not in page


def test_a_small_correction_of_a_long_text_still_diffs(outsider, analyst_user):
    text = lines("Transcript", 3_000)
    assert len(text) > diff.MAX_CHANGED_CHARS
    document = make_document(text, slug="long-transcript")
    annotations.correct_text(
        document,
        text.replace("line 1500 reports", "line 1500 clearly reports"),
        user=analyst_user,
        reason="Typo",
    )
    response = outsider.get("/documents/long-transcript/versions/1/diff/2/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="diff-cols"' in page
    assert "inserted: </span>clearly" in page
    assert "0 words only on the left" in page and "1 only on the right" in page


def test_the_diff_of_two_seed_sized_texts_is_shown(outsider):
    make_document(lines("Gamma", 300), slug="gamma")
    make_document(lines("Gamma", 300).replace("line 7 ", "line seven "), slug="gamma-2")
    page = outsider.get("/compare/", {"d": ["gamma", "gamma-2"], "mode": "diff"}).content.decode()
    assert 'class="diff-cols"' in page


@pytest.mark.parametrize(
    "params",
    [
        {"passage": "envoy said", "pre": "x" * 5000, "suf": "y" * 5000},
        {"passage": "y" * 499, "at": "9" * 40},
        {"passage": "the " * 125},
        {"passage": "line", "at": "-3"},
    ],
)
def test_passage_links_with_extreme_parameters_are_answered(outsider, params):
    document = make_document(lines("Delta", 200), slug="delta")
    response = outsider.get(f"{document.get_absolute_url()}?{urlencode(params)}")
    assert response.status_code == 200

"""Passage links' text directives (``#:~:text=``) name exactly one place.

The directives are checked by a matcher written here from the WICG Text
Fragments specification ("find a range from a text directive"), separately from
the builder's own: a regular expression per directive, case-insensitive, whole
words where the specification asks for a word boundary, spaces skipped between
the prefix and the passage and between the passage and the suffix, the end of a
``start,end`` range being the first occurrence of ``end`` after which the suffix
fits. Every range it finds is listed (a browser highlights the first).
"""

import re
import tomllib
from pathlib import Path

import pytest

from archive.text import anchoring, fragments
from archive.text.capture import clean

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _bounded(term, *, start, end):
    pattern = re.escape(term)
    if start and re.match(r"\w", term):
        pattern = r"(?<!\w)" + pattern
    if end and re.search(r"\w$", term):
        pattern += r"(?!\w)"
    return pattern


def spec_ranges(text, value):
    """Every range of ``text`` the directive ``value`` matches, in document order."""
    directive = fragments.parse(value)
    lone = not directive.end
    body = "(?P<start>" + _bounded(directive.start, start=not directive.prefix, end=lone) + ")"
    if directive.end:
        body += r".*?" + _bounded(directive.end, start=True, end=True)
    pattern = "(?P<range>" + body + ")"
    if directive.prefix:
        pattern = _bounded(directive.prefix, start=True, end=False) + r"\s*" + pattern
    if directive.suffix:
        pattern += r"\s*" + _bounded(directive.suffix, start=False, end=True)
    found = []
    for match in re.finditer("(?=" + pattern + ")", text, flags=re.IGNORECASE | re.DOTALL):
        span = match.span("range")
        if span not in found:
            found.append(span)
    return found


def seed_claims():
    """(document key, text, start, end) for every claim of the seed corpus."""
    manifest = tomllib.loads((FIXTURES / "seed.toml").read_text(encoding="utf-8"))
    texts = {}
    for entry in manifest["documents"]:
        raw = (FIXTURES / "captures" / entry["file"]).read_text(encoding="utf-8")
        texts[entry["key"]] = clean(raw).text
    claims = []
    for claim in manifest["claims"]:
        text = texts[claim["document"]]
        selector = anchoring.find_quote(
            text, claim["quote"], claim.get("prefix", ""), claim.get("suffix", "")
        )
        claims.append(pytest.param(text, selector.start, selector.end, id=claim["key"]))
    return claims


def covers(found, text, start, end):
    stripped = text[start:end]
    inner_start = start + len(stripped) - len(stripped.lstrip())
    inner_end = end - (len(stripped) - len(stripped.rstrip()))
    return found[0] <= inner_start and inner_end <= found[1]


@pytest.mark.parametrize(("text", "start", "end"), seed_claims())
def test_every_seed_claims_link_matches_that_claim_and_nothing_else(text, start, end):
    value = fragments.build(text, start, end).value
    found = spec_ranges(text, value)
    assert len(found) == 1, (value, found)
    assert covers(found[0], text, start, end), (value, found, text[start:end])


def test_the_seed_has_claims_to_check():
    assert len(seed_claims()) >= 30


def repeated_phrases():
    """Each occurrence of words that appear several times in a seed text."""
    cases = []
    for number, phrase in (("000", "Soleimani"), ("001", "the enemy"), ("003", "Iran")):
        (path,) = (FIXTURES / "captures").glob(f"{number}_*.txt")
        text = clean(path.read_text(encoding="utf-8")).text
        places = [m.start() for m in re.finditer(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text)]
        assert len(places) >= 2, (number, phrase)
        cases += [
            pytest.param(text, at, at + len(phrase), id=f"{number}-{phrase}-{i}")
            for i, at in enumerate(places)
        ]
    return cases


@pytest.mark.parametrize(("text", "start", "end"), repeated_phrases())
def test_a_repeated_phrase_gets_context_that_picks_its_own_occurrence(text, start, end):
    value = fragments.build(text, start, end).value
    found = spec_ranges(text, value)
    # "Soleimani’s" is one word to a browser: the link covers it whole.
    assert len(found) == 1 and covers(found[0], text, start, end), (value, found)


def test_a_phrase_said_twice_is_told_apart_by_the_words_around_it():
    text = "They said it was a crime. Later the minister said it was a crime against the people."
    second = text.rindex("it was a crime")
    directive = fragments.build(text, second, second + len("it was a crime"))
    assert (directive.prefix, directive.start, directive.suffix) == ("", "it was a crime", "against")
    assert spec_ranges(text, directive.value) == [(second, second + len("it was a crime"))]


def test_case_does_not_tell_two_occurrences_apart():
    text = "Crime is crime. The crime stands."
    at = text.rindex("crime")
    value = fragments.build(text, at, at + 5).value
    assert spec_ranges(text, value) == [(at, at + 5)]
    assert value != "crime"


def test_a_selection_that_starts_or_ends_mid_word_links_the_whole_words():
    text = "The assassination was planned."
    directive = fragments.build(text, text.index("ssassin"), text.index("ssassin") + 7)
    assert directive.start == "assassination"


def test_a_passage_across_a_line_break_is_named_by_its_first_and_last_line():
    text = "First line ends here.\nSecond line starts and goes on.\nThird."
    start, end = text.index("ends"), text.index("goes") + 4
    directive = fragments.build(text, start, end)
    assert "\n" not in directive.start + directive.end
    assert (directive.start, directive.end) == ("ends here.", "line starts and goes")
    assert spec_ranges(text, directive.value) == [(start, end)]


def test_a_long_passage_is_named_by_its_first_and_last_words():
    text = (
        "If someone within the country speaks in a way that corresponds to discouraging the hearts "
        "of the people in their analysis or statements, it is a crime and it needs to be pursued."
    )
    directive = fragments.build(text, 0, len(text))
    assert (directive.start, directive.end) == ("If someone within the", "needs to be pursued.")


def test_directive_syntax_characters_are_percent_encoded():
    text = "They say US-Israeli plot, A & B ok."
    start = text.index("US")
    value = fragments.build(text, start, text.index(" ok")).value
    assert value == "US%2DIsraeli%20plot%2C%20A%20%26%20B"
    assert fragments.parse(value).start == "US-Israeli plot, A & B"


def test_a_malformed_directive_is_refused():
    with pytest.raises(ValueError, match="is not a text fragment"):
        fragments.parse("a,b,c")


def test_an_empty_or_outside_span_is_refused():
    with pytest.raises(ValueError, match="outside the text"):
        fragments.build("abc", 2, 9)
    with pytest.raises(ValueError, match="only spaces"):
        fragments.build("a   b", 1, 4)

"""Suggested counterparts: sentence splitting and ranking the passages of
another document that may say what a claim says."""

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.text import similarity
from archive.text.capture import clean
from archive.text.similarity import Index, Span, sentences, suggest
from tests.paths import CAPTURES


def reading_text(number):
    (path,) = CAPTURES.glob(f"{number}_*.txt")
    return clean(path.read_text(encoding="utf-8")).text


TRANSCRIPT = reading_text("001")
REPORT = reading_text("002")
ENVOY = reading_text("003")
READOUT = reading_text("004")


def sentence_texts(text):
    return [text[s.start : s.end] for s in sentences(text)]


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_every_sentence_is_an_exact_stripped_slice_of_the_seed_text(number):
    text = reading_text(number)
    spans = sentences(text)
    assert len(spans) > 10
    for span in spans:
        sentence = text[span.start : span.end]
        assert sentence == sentence.strip() and len(sentence.split()) >= 3
    assert all(a.end <= b.start for a, b in pairwise(spans))


def test_abbreviations_do_not_end_sentences():
    report = sentence_texts(REPORT)
    assert (
        "Khamenei condemned the U.S. forces' presence, calling it “illegal” and contrary to Iraq's interests."
        in report
    )
    assert any(
        s.startswith("He highlighted the significant role that Mr. Raisi played")
        for s in sentence_texts(READOUT)
    )
    assert sentence_texts("Gen. Qaani met Dr. Smith and John F. Kennedy Jr. in Tehran today.") == [
        "Gen. Qaani met Dr. Smith and John F. Kennedy Jr. in Tehran today."
    ]


def test_sentences_split_at_quotes_questions_and_line_breaks():
    text = (
        "“We were defeated,” he said. “It was hard.” Why are you here? Nobody knows why.\n"
        "A new line starts here"
    )
    assert sentence_texts(text) == [
        "“We were defeated,” he said.",
        "“It was hard.”",
        "Why are you here?",
        "Nobody knows why.",
        "A new line starts here",
    ]


def test_acronym_at_a_sentence_end_still_splits_before_a_new_sentence():
    assert sentence_texts("The strike was ordered by the U.S. The response came within days.") == [
        "The strike was ordered by the U.S.",
        "The response came within days.",
    ]


def test_short_fragments_and_list_markers_are_left_out():
    text = "Key takeaways:\n\n  • Khamenei’s speech sought to defend Iran’s sacrifices.\nViews: 367"
    assert sentence_texts(text) == ["Khamenei’s speech sought to defend Iran’s sacrifices."]


def test_expulsion_quote_finds_the_speech_sentence_it_echoes():
    quote = "the expulsion of American forces from the region can be revenge for General Soleimani’s blood."
    best = suggest(quote, TRANSCRIPT)[0]
    assert "the US will be expelled from the region by the Resistance Front" in best.text


def test_envoy_on_the_syrian_army_finds_khamenei_on_its_weakness():
    quote = (
        "If the local army shows weakness, the Basij cannot do anything. "
        "Unfortunately, this is what happened [in Syria]."
    )
    best = suggest(quote, ENVOY)[0]
    assert best.text.startswith("“The success of the Syrian Army is the essence of the victories")


def test_suggestions_are_ranked_and_scored_between_zero_and_one():
    found = suggest("Syrian youth will rise up against the occupiers", TRANSCRIPT, limit=5)
    assert len(found) == 5
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    assert all(0 < s.score <= 1 for s in found)
    assert all(a.end <= b.start or b.end <= a.start for a in found for b in found if a is not b)


def test_excluded_spans_are_not_suggested_again():
    quote = "the expulsion of American forces from the region can be revenge for General Soleimani’s blood."
    first = suggest(quote, TRANSCRIPT)[0]
    again = suggest(quote, TRANSCRIPT, exclude=[(first.start, first.end)])
    assert again and all(s.end <= first.start or first.end <= s.start for s in again)
    assert suggest(quote, TRANSCRIPT, exclude=[Span(first.start, first.end)]) == again


@pytest.mark.parametrize("quote", ["", "   \n\t "])
def test_empty_quote_suggests_nothing(quote):
    assert suggest(quote, TRANSCRIPT) == []


def test_quote_without_content_words_suggests_nothing():
    assert suggest("the of and", TRANSCRIPT) == []


def test_same_input_gives_the_same_order_every_time():
    quote = "This is what the Resistance is."  # three equal sentences in the transcript
    index = Index(TRANSCRIPT)
    first = index.suggest(quote, limit=5)
    assert [s.start for s in first[:3]] == sorted(s.start for s in first[:3])
    assert index.suggest(quote, limit=5) == first == suggest(quote, TRANSCRIPT, limit=5)


def test_limit_bounds_the_number_of_suggestions():
    assert len(suggest("Syria", TRANSCRIPT, limit=2)) == 2
    assert suggest("Syria", TRANSCRIPT, limit=0) == []


words = st.sampled_from(
    ["Iran", "U.S.", "Mr.", "Syria", "youth", "said", "the", "army", "é", "2024", "“war”", "—"]
)
prose = st.lists(
    st.one_of(words, st.sampled_from([" ", " ", ". ", "? ", "\n", "\n\n", ".\n"])), max_size=60
).map("".join)


@given(prose, st.lists(words, min_size=1, max_size=6).map(" ".join))
def test_every_suggestion_is_the_text_at_its_offsets(text, quote):
    for found in suggest(quote, text, limit=10):
        assert found.text == text[found.start : found.end]
        assert 0 <= found.score <= 1


@given(st.text(max_size=200))
def test_sentences_are_slices_of_any_text(text):
    for span in sentences(text):
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == text[span.start : span.end].strip()


@pytest.mark.parametrize(
    "family",
    [
        ("revenge", "avenge", "avenged", "vengeance", "retaliation"),
        ("power", "powers", "powerful"),
        ("strength", "strong", "stronger", "strengthen"),
        ("weaken", "weak", "weakness", "weakened"),
        ("kill", "killed", "killing", "assassination"),
        ("expel", "expelled", "expulsion"),
        ("youth", "young", "youths"),
    ],
)
def test_every_word_of_a_family_meets_its_base_word(family):
    assert len({tuple(similarity.analyze(word)) for word in family}) == 1, {
        word: similarity.analyze(word) for word in family
    }


def test_a_family_member_finds_the_sentence_with_its_base_word():
    text = "The weather was mild all week. They promised revenge for the attack on the convoy."
    [best, *_] = suggest("they will avenge the convoy", text)
    assert text[best.start : best.end].startswith("They promised revenge")

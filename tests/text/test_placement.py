"""Placing a quote from another tool in a reading text (``archive.text.placement``)."""

from hypothesis import given
from hypothesis import strategies as st

from archive.text import anchoring
from archive.text.placement import place

TEXT = (
    "The youth of Syria will rise. We said it then.\n\n"
    "The youth of Syria will rise, and the occupiers will leave. Nobody doubts that."
)
SECOND = TEXT.index("The youth of Syria will rise", 10)


def test_a_quote_found_once_is_placed_whatever_its_context_says():
    placed = place(TEXT, "the occupiers will leave", "text from another page ", "")
    assert TEXT[placed.selector.start : placed.selector.end] == "the occupiers will leave"
    assert "its context differs" in placed.reason


def test_the_context_picks_one_of_several_occurrences():
    placed = place(TEXT, "The youth of Syria will rise", "then.\n\n", ", and")
    assert placed.selector.start == SECOND


def test_context_whose_spacing_differs_still_picks_the_occurrence_by_its_score():
    placed = place(TEXT, "The youth of Syria will rise", "We said it then. ", ", and the occupiers")
    assert placed.selector.start == SECOND
    assert "found by its context" in placed.reason


def test_a_repeated_quote_without_context_is_not_placed():
    placed = place(TEXT, "The youth of Syria will rise")
    assert not placed.placed
    assert "occurs 2 times and its context does not say which one" in placed.reason


def test_a_trusted_position_places_a_repeated_quote_there():
    placed = place(TEXT, "The youth of Syria will rise", position=(SECOND, SECOND + 28))
    assert placed.selector.start == SECOND
    assert placed.reason == f"found at its position {SECOND}–{SECOND + 28}"


def test_a_position_that_no_longer_holds_the_quote_gives_way_to_the_context():
    placed = place(TEXT, "Nobody doubts that", "will leave. ", "", position=(0, 18))
    assert TEXT[placed.selector.start : placed.selector.end] == "Nobody doubts that"


def test_a_position_alone_is_placed_only_inside_the_text():
    assert place(TEXT, "", position=(0, 9)).selector.quote == "The youth"
    assert not place(TEXT, "", position=(0, 9_000)).placed
    assert not place(TEXT, "").placed


def test_typographic_quotation_marks_and_spacing_are_not_differences():
    text = "He said: “We were defeated, very badly.”\n\nThen he left."
    placed = place(text, '"We were defeated, very badly." Then he left.')
    assert placed.selector.quote == "“We were defeated, very badly.”\n\nThen he left."
    assert "different quotation marks or spaces" in placed.reason


def test_a_reworded_passage_is_never_taken_for_the_quote():
    text = "The assassination of the commander has added fresh impetus to the resistance against them."
    placed = place(text, "The killing of the commander has given new impetus to the resistance against them.")
    assert not placed.placed
    assert "the closest passage is reworded" in placed.reason


def test_persian_and_arabic_quotes_are_placed_whichever_normal_form_either_side_is_in():
    persian = "رهبر گفت: «جوانان سوریه مقاومت خواهند کرد.» و رفت."
    placed = place(persian, "جوانان سوریه مقاومت خواهند کرد", "«", ".»")
    assert persian[placed.selector.start : placed.selector.end] == "جوانان سوریه مقاومت خواهند کرد"
    # Alef with madda stored decomposed (U+0627 U+0653); the quote has it composed (U+0622).
    arabic = "قالَ السفيرُ: \u0627\u0653ن الأوان لرحيل القوات. وانتهى."
    placed = place(arabic, "\u0622ن الأوان لرحيل القوات")
    assert placed.selector.quote == "\u0627\u0653ن الأوان لرحيل القوات"


def test_a_long_quote_is_placed_exactly_or_not_at_all():
    sentence = "word " * 150
    text = f"Start. {sentence}End. {sentence}Stop."
    assert not place(text, sentence).placed
    placed = place(text, sentence, "End. ")
    assert placed.selector.start == text.index(sentence, 10)
    assert not place(text, "missing " * 100).placed


@given(
    st.text(alphabet="ab .\n", min_size=1, max_size=80),
    st.integers(min_value=0, max_value=79),
    st.integers(min_value=1, max_value=12),
    st.booleans(),
)
def test_a_quote_is_placed_on_its_own_text_or_not_at_all(text, start, length, with_context):
    start = min(start, len(text) - 1)
    end = min(len(text), start + length)
    span = anchoring.selector_for(text, start, end)
    prefix, suffix = (span.prefix, span.suffix) if with_context else ("", "")
    placed = place(text, span.quote, prefix, suffix)
    if placed.placed:
        found = placed.selector
        assert " ".join(anchoring.fold(found.quote).split()) == " ".join(anchoring.fold(span.quote).split())
    if with_context and len(anchoring.occurrences(text, prefix + span.quote + suffix)) == 1:
        assert placed.placed and placed.selector.start == start

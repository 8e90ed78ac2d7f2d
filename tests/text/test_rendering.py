from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.text.rendering import Highlight, context_window, render_highlighted


class _Reader(HTMLParser):
    """Collects the text a reader's script would count, and checks nesting."""

    VOID = {"br", "img", "input", "meta", "link", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.ignored_depth = 0
        self.text = []
        self.ids = []
        self.marks = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.VOID:
            return
        ignored = self.ignored_depth > 0 or "data-offset-ignore" in attrs
        self.stack.append((tag, ignored))
        if ignored:
            self.ignored_depth += 1
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "mark":
            self.marks.append(attrs)

    def handle_endtag(self, tag):
        assert self.stack, f"</{tag}> closes nothing"
        opened, ignored = self.stack.pop()
        assert opened == tag, f"</{tag}> closes <{opened}>"
        if ignored:
            self.ignored_depth -= 1

    def handle_data(self, data):
        if not self.ignored_depth:
            self.text.append(data)


def read(html):
    reader = _Reader()
    reader.feed(html)
    reader.close()
    assert reader.stack == [], f"unclosed tags: {reader.stack}"
    return reader


def test_text_without_highlights_is_only_escaped():
    assert render_highlighted("a < b & \"c\" 'd'", []) == "a &lt; b &amp; &quot;c&quot; &#x27;d&#x27;"


def test_single_highlight_carries_anchor_label_key_and_classes():
    html = render_highlighted(
        "We will win.",
        [
            Highlight(
                "7", 3, 11, classes="kind-prediction", label="Prediction claim by Ali", anchor_id="claim-7"
            )
        ],
    )
    assert html == (
        'We <mark id="claim-7" data-key="7" class="hl kind-prediction hl-start hl-end">'
        '<span class="sr-only" data-offset-ignore>Prediction claim by Ali: </span>will win</mark>.'
    )


def test_overlapping_highlights_are_split_into_well_formed_pieces():
    html = render_highlighted(
        "abcdef", [Highlight("1", 0, 4, anchor_id="a"), Highlight("2", 2, 6, anchor_id="b")]
    )
    assert html == (
        '<mark id="a" data-key="1" class="hl hl-start">ab</mark>'
        '<mark data-key="1" class="hl hl-end"><mark id="b" data-key="2" class="hl hl-start">cd</mark></mark>'
        '<mark data-key="2" class="hl hl-end">ef</mark>'
    )
    assert "".join(read(html).text) == "abcdef"


def test_nested_highlight_sits_inside_the_longer_one_whatever_the_input_order():
    inner, outer = Highlight("in", 2, 4), Highlight("out", 0, 6)
    html = render_highlighted("abcdef", [inner, outer])
    assert html == render_highlighted("abcdef", [outer, inner])
    assert html == (
        '<mark data-key="out" class="hl hl-start">ab</mark>'
        '<mark data-key="out" class="hl"><mark data-key="in" class="hl hl-start hl-end">cd</mark></mark>'
        '<mark data-key="out" class="hl hl-end">ef</mark>'
    )


def test_highlights_starting_together_nest_longer_outside():
    html = render_highlighted("abcd", [Highlight("short", 0, 2), Highlight("long", 0, 4)])
    assert html.startswith('<mark data-key="long" class="hl hl-start"><mark data-key="short"')


def test_adjacent_highlights_stay_separate():
    html = render_highlighted("abcd", [Highlight("1", 0, 2), Highlight("2", 2, 4)])
    assert html == (
        '<mark data-key="1" class="hl hl-start hl-end">ab</mark>'
        '<mark data-key="2" class="hl hl-start hl-end">cd</mark>'
    )


def test_markup_inside_a_quoted_passage_is_shown_as_text():
    text = 'He said <script>alert("x")</script> & left.'
    html = render_highlighted(text, [Highlight("1", 8, 37, label='Claim by "O\'Brien" <b>')])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;" in html
    assert "Claim by &quot;O&#x27;Brien&quot; &lt;b&gt;: " in html
    assert "".join(read(html).text) == text


def test_extra_attributes_are_escaped_on_every_piece():
    html = render_highlighted("abc", [Highlight("1", 0, 3, attrs=(("data-url", '/c/1?a="b"'),))])
    assert 'data-url="/c/1?a=&quot;b&quot;"' in html


def test_unsafe_attribute_name_is_refused():
    with pytest.raises(ValueError, match="attribute name"):
        render_highlighted("abc", [Highlight("1", 0, 3, attrs=(("onclick x", "1"),))])


@pytest.mark.parametrize("start, end", [(-1, 2), (2, 2), (3, 2), (0, 4), (4, 5)])
def test_empty_or_out_of_range_highlight_is_refused(start, end):
    with pytest.raises(ValueError, match=f"spans {start}–{end}"):
        render_highlighted("abc", [Highlight("bad", start, end)])


@st.composite
def texts_with_highlights(draw):
    text = draw(st.text(alphabet=st.sampled_from("ab <>&\"'\n\u00e9\u0627"), min_size=1, max_size=40))
    spans = draw(
        st.lists(
            st.tuples(st.integers(0, len(text) - 1), st.integers(1, len(text))).filter(lambda s: s[0] < s[1]),
            max_size=8,
        )
    )
    highlights = [
        Highlight(str(i), start, end, label=f"Claim {i}" if i % 2 else "", anchor_id=f"claim-{i}")
        for i, (start, end) in enumerate(spans)
    ]
    return text, highlights


@settings(max_examples=300, deadline=None)
@given(texts_with_highlights())
def test_rendered_text_content_equals_the_text_exactly(case):
    text, highlights = case
    reader = read(render_highlighted(text, highlights))
    assert "".join(reader.text) == text


@settings(max_examples=300, deadline=None)
@given(texts_with_highlights())
def test_each_highlight_has_one_anchor_and_one_start_and_end(case):
    text, highlights = case
    reader = read(render_highlighted(text, highlights))
    assert sorted(reader.ids) == sorted(h.anchor_id for h in highlights)
    for highlight in highlights:
        pieces = [m for m in reader.marks if m["data-key"] == highlight.key]
        assert sum("hl-start" in m["class"].split() for m in pieces) == 1
        assert sum("hl-end" in m["class"].split() for m in pieces) == 1


# --- compact marks (the compare page) ------------------------------------------------


def test_compact_marks_name_a_highlight_by_its_anchor_and_key_only_its_continuations():
    html = render_highlighted(
        "abcdef",
        [
            Highlight("1", 0, 4, classes="kind-threat", anchor_id="claim-1", attrs=(("data-pairs", "2"),)),
            Highlight("2", 2, 6, anchor_id="claim-2", label="never shown"),
        ],
        compact=True,
    )
    assert html == (
        '<mark id="claim-1" class="kind-threat" data-pairs="2">ab</mark>'
        '<mark data-key="1" class="kind-threat"><mark id="claim-2">cd</mark></mark>'
        '<mark data-key="2">ef</mark>'
    )
    assert "".join(read(html).text) == "abcdef"


def test_a_compact_highlight_without_an_anchor_keys_its_first_piece():
    assert render_highlighted("ab", [Highlight("x", 0, 1)], compact=True) == '<mark data-key="x">a</mark>b'


@settings(max_examples=300, deadline=None)
@given(texts_with_highlights())
def test_compact_marks_keep_the_text_and_name_every_piece_once(case):
    text, highlights = case
    reader = read(render_highlighted(text, highlights, compact=True))
    assert "".join(reader.text) == text
    assert sorted(reader.ids) == sorted(h.anchor_id for h in highlights)
    for highlight in highlights:
        # Exactly one piece, the first, carries the anchor; every other piece the key.
        named = [m for m in reader.marks if m.get("id") == highlight.anchor_id]
        keyed = [m for m in reader.marks if m.get("data-key") == highlight.key]
        assert len(named) == 1 and "data-key" not in named[0]
        assert all("id" not in m for m in keyed)
    assert all(("id" in m) != ("data-key" in m) for m in reader.marks)


def test_context_window_keeps_short_context_whole():
    assert context_window("The sky is blue today.", 4, 15, chars=240) == ("The ", "sky is blue", " today.")


def test_context_window_trims_long_context_to_whole_words_with_ellipsis():
    text = "one two three four QUOTE five six seven eight"
    before, quote, after = context_window(text, 19, 24, chars=10)
    assert quote == "QUOTE"
    assert before == "…four "
    assert after == " five six…"


def test_context_window_refuses_a_span_outside_the_text():
    with pytest.raises(ValueError, match="outside the text"):
        context_window("abc", 2, 9)

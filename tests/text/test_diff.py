"""Word-level diff for diff mode: what changed between two versions is
marked, and nothing else; the document's text is always escaped."""

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.text import diff
from archive.text.diff import DiffStats, diff_stats, render_side_by_side, word_diff
from tests.paths import CAPTURES

READOUT = (CAPTURES / "004_f7d7b7c36e574be3.txt").read_text(encoding="utf-8")


def pieces(text, ops, tags, side):
    return "".join(
        text[getattr(op, f"{side}_start") : getattr(op, f"{side}_end")] for op in ops if op.tag in tags
    )


def test_identical_texts_show_no_insertions_or_deletions():
    left, right = render_side_by_side(READOUT, READOUT)
    assert "<ins>" not in right and "<del>" not in left
    stats = diff_stats(READOUT, READOUT)
    assert (stats.inserted_words, stats.deleted_words) == (0, 0) and stats.unchanged_words > 500


def test_removed_update_notice_is_one_deletion():
    updated = READOUT.replace("\n\nThis item is being updated.", "")
    ops = word_diff(READOUT, updated)
    deletions = [op for op in ops if op.tag == "delete"]
    assert [READOUT[op.a_start : op.a_end].strip() for op in deletions] == ["This item is being updated."]
    assert not [op for op in ops if op.tag == "insert"]
    left, right = render_side_by_side(READOUT, updated)
    assert left.count("<del>") == 1 and "This item is being updated.</del>" in left
    assert "<ins>" not in right
    assert diff_stats(READOUT, updated).deleted_words == 5


def test_changed_word_is_deleted_on_the_left_and_inserted_on_the_right():
    left, right = render_side_by_side("Iran would continue its efforts.", "Iran would end its efforts.")
    assert (
        left == 'Iran would <del><span class="sr-only" data-offset-ignore>deleted: </span>'
        "continue</del> its efforts."
    )
    assert (
        right
        == 'Iran would <ins><span class="sr-only" data-offset-ignore>inserted: </span>end</ins> its efforts.'
    )
    assert diff_stats("Iran would continue its efforts.", "Iran would end its efforts.") == DiffStats(1, 1, 4)


def test_markup_in_either_text_is_escaped_not_run():
    old = "Plain text & a “quote”."
    new = "Plain <script>alert('x')</script> text & a \"quote\"."
    left, right = render_side_by_side(old, new)
    assert "<script>" not in right and "&lt;script&gt;" in right
    assert "alert(&#x27;x&#x27;)" in right and "&quot;</ins>quote" in right
    assert "&amp;" in left and "&amp;" in right


def test_empty_texts():
    assert word_diff("", "") == []
    assert render_side_by_side("", "Added.") == (
        "",
        '<ins><span class="sr-only" data-offset-ignore>inserted: </span>Added.</ins>',
    )
    assert diff_stats("Gone now.", "") == DiffStats(0, 2, 0)


def test_operations_are_in_text_order_and_touch_end_to_end():
    a = READOUT
    b = READOUT.replace("Thursday", "Friday").replace("positive and bright", "bright") + "\nAdded line."
    ops = word_diff(a, b)
    for before, after in pairwise(ops):
        assert before.a_end == after.a_start and before.b_end == after.b_start
    assert ops[0].a_start == 0 and ops[-1].a_end == len(a) and ops[-1].b_end == len(b)


prose = st.lists(
    st.sampled_from(
        ["Iran", "Syria", "the", "US", " ", "  ", "\n", ".", ",", "“", "”", "<b>", "&", "Assad’s", "é"]
    ),
    max_size=40,
).map("".join)


@given(prose, prose)
def test_pieces_rebuild_both_texts(a, b):
    ops = word_diff(a, b)
    assert pieces(a, ops, ("equal", "delete"), "a") == a
    assert pieces(b, ops, ("equal", "insert"), "b") == b
    for op in ops:
        if op.tag == "equal":
            assert a[op.a_start : op.a_end] == b[op.b_start : op.b_end]


@given(st.text(max_size=60), st.text(max_size=60))
def test_pieces_rebuild_any_unicode_texts(a, b):
    ops = word_diff(a, b)
    assert pieces(a, ops, ("equal", "delete"), "a") == a
    assert pieces(b, ops, ("equal", "insert"), "b") == b


TRANSCRIPT = (CAPTURES / "001_a6239043b7f44526.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t.replace("Syria", "Syria’s", 5).replace(
            "\n\nMay God’s greetings", " Amen.\n\nMay God’s greetings"
        ),
        lambda t: " ".join(t.split()),  # the same words re-wrapped onto one line
    ],
    ids=["scattered edits", "rewrapped"],
)
def test_long_texts_are_diffed_exactly(edit):
    changed = edit(TRANSCRIPT)
    ops = word_diff(TRANSCRIPT, changed)
    assert pieces(TRANSCRIPT, ops, ("equal", "delete"), "a") == TRANSCRIPT
    assert pieces(changed, ops, ("equal", "insert"), "b") == changed
    stats = diff_stats(TRANSCRIPT, changed, ops)
    assert stats.unchanged_words > 4000 and stats.deleted_words <= 6


# --- Bounded work ------------------------------------------------------------------------

lines = st.lists(
    st.sampled_from(["Iran", "Syria", " ", "\n", "\n\n", ".", "’", "-", "ab", "x"]), max_size=30
).map("".join)


@given(lines, lines, lines, st.booleans(), st.sampled_from([1, 90_000, diff.REANCHOR_MATCHER_LIMIT]))
def test_setting_aside_the_unchanged_ends_gives_the_diff_of_the_whole_texts(head, middle, tail, split, limit):
    a = head + middle + tail
    b = head + middle[::-1] + "Assad" + tail
    assert diff.opcodes(a, b, split_replace=split, matcher_limit=limit) == diff._opcodes(
        a, b, split_replace=split, matcher_limit=limit
    )


def test_a_small_edit_in_a_long_text_aligns_only_the_changed_lines():
    long = "\n".join(f"Line {n} of the transcript says something about Syria." for n in range(40_000))
    edited = long.replace("Line 20000 of", "Line 20000, corrected, of")
    head, tail = diff.unchanged_ends(long, edited)
    assert long[:head].endswith("\n") and long[head:].startswith("Line 20000 of")
    assert len(long) - head - tail == len("Line 20000 of the transcript says something about Syria.\n")
    ops = word_diff(long, edited, bounded=False)
    assert [op.tag for op in ops] == ["equal", "insert", "equal"]


def test_a_bounded_diff_refuses_texts_over_the_limits_with_a_reason():
    with pytest.raises(diff.DiffTooLarge, match="up to 300,000 characters; this one has 300,001"):
        word_diff("x" * 300_001, "y", bounded=True)
    a = " ".join(f"w{n}" for n in range(10_000))
    b = " ".join(f"v{n}" for n in range(10_000))
    with pytest.raises(diff.DiffTooLarge, match="differ over"):
        word_diff(a, b, bounded=True)
    long = "\n".join(f"Line {n}." for n in range(25_000))
    assert len(word_diff(long, long.replace("Line 7.", "Line 7!"), bounded=True)) == 4

"""Word-level differences between two texts, for diff mode.

``word_diff`` compares two versions of a document (or two captures of one
story) word by word; ``render_side_by_side`` turns that into the two HTML
columns of the side-by-side view; ``diff_stats`` counts the words that
changed. Pure: no models, no requests. Offsets are code points.
"""

import difflib
import re
from dataclasses import dataclass
from itertools import pairwise

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from rapidfuzz.distance import Indel

__all__ = [
    "DiffStats",
    "DiffTooLarge",
    "REANCHOR_MATCHER_LIMIT",
    "Op",
    "check_size",
    "diff_stats",
    "opcodes",
    "render_side_by_side",
    "tokens",
    "unchanged_ends",
    "word_diff",
]


@dataclass(frozen=True)
class Op:
    """``a[a_start:a_end]`` became ``b[b_start:b_end]``.

    ``tag`` is "equal", "delete" (only ``a`` has text) or "insert" (only ``b``
    has text). A replacement is a delete followed by an insert.
    """

    tag: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int


@dataclass(frozen=True)
class DiffStats:
    inserted_words: int
    deleted_words: int
    unchanged_words: int


# Words (with inner apostrophes and hyphens: "Iran’s", "US-Israeli"), single
# punctuation marks, each line break, and runs of other whitespace. Line breaks
# stand alone so that removing a paragraph removes its own breaks, not a
# longer whitespace token that then reads as changed. Together the tokens
# cover every character.
_TOKEN = re.compile(r"\w+(?:['’\-]\w+)*|\n|[^\S\n]+|[^\w\s]")
_IS_WORD = re.compile(r"\w")


def tokens(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of every token of ``text``, in order, covering all of it."""
    return [m.span() for m in _TOKEN.finditer(text)]


# Above this many token comparisons (len(a) * len(b)) a block is aligned by
# rapidfuzz's bit-parallel LCS instead of SequenceMatcher, whose matching is
# nicer to read but quadratic, and worse on unrelated text full of repeated
# tokens (spaces, "the"): 1,000 × 1,000 tokens of two different articles take
# it 130 ms, 2,000 × 2,000 seconds. At 300 × 300 it stays under 10 ms: the
# limit for what a page draws.
_SEQUENCE_MATCHER_LIMIT = 90_000
# Re-anchoring follows claims through the diff of a correction, and the LCS's
# scattered matches of common words between two unrelated paragraphs (a
# paragraph moved) are alignments it would trust: it keeps SequenceMatcher up
# to 2,000 × 2,000 tokens (bench/reanchor.py: 0 wrong placements with this
# limit, 5 with the page's).
REANCHOR_MATCHER_LIMIT = 4_000_000


def _lines(words, lo, hi):
    """Token indexes in [lo, hi) where a line starts, and hi."""
    starts = [lo] + [i + 1 for i in range(lo, hi) if words[i] == "\n"]
    if starts[-1] != hi:
        starts.append(hi)
    return starts


def _token_opcodes(
    a_words,
    b_words,
    a_lo,
    a_hi,
    b_lo,
    b_hi,
    *,
    by_lines=True,
    split_replace=True,
    matcher_limit=_SEQUENCE_MATCHER_LIMIT,
):
    """Opcodes (tag, i1, i2, j1, j2) over token indexes; "replace" split in two unless asked not to."""
    # A correction usually touches a few words of a long text: matching the
    # untouched head and tail directly keeps the matcher's work small.
    head = 0
    limit = min(a_hi - a_lo, b_hi - b_lo)
    while head < limit and a_words[a_lo + head] == b_words[b_lo + head]:
        head += 1
    tail = 0
    while tail < limit - head and a_words[a_hi - 1 - tail] == b_words[b_hi - 1 - tail]:
        tail += 1
    opcodes = []
    if head:
        opcodes.append(("equal", a_lo, a_lo + head, b_lo, b_lo + head))
    a_lo, a_hi, b_lo, b_hi = a_lo + head, a_hi - tail, b_lo + head, b_hi - tail

    if by_lines and (a_hi - a_lo) * (b_hi - b_lo) > matcher_limit:
        # Align whole lines first, then words inside the lines that differ.
        a_lines, b_lines = _lines(a_words, a_lo, a_hi), _lines(b_words, b_lo, b_hi)
        a_keys = ["".join(a_words[i:j]) for i, j in pairwise(a_lines)]
        b_keys = ["".join(b_words[i:j]) for i, j in pairwise(b_lines)]
        matcher = difflib.SequenceMatcher(None, a_keys, b_keys, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                opcodes.append(("equal", a_lines[i1], a_lines[i2], b_lines[j1], b_lines[j2]))
            else:
                opcodes += _token_opcodes(
                    a_words,
                    b_words,
                    a_lines[i1],
                    a_lines[i2],
                    b_lines[j1],
                    b_lines[j2],
                    by_lines=False,
                    split_replace=split_replace,
                    matcher_limit=matcher_limit,
                )
    elif a_lo < a_hi or b_lo < b_hi:
        a_part, b_part = a_words[a_lo:a_hi], b_words[b_lo:b_hi]
        if len(a_part) * len(b_part) > matcher_limit:
            raw = [
                (op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end)
                for op in Indel.opcodes(a_part, b_part)
            ]
        else:
            # autojunk off: in prose, frequent words such as "the" are exactly what must align.
            raw = difflib.SequenceMatcher(None, a_part, b_part, autojunk=False).get_opcodes()
        for tag, i1, i2, j1, j2 in raw:
            i1, i2, j1, j2 = i1 + a_lo, i2 + a_lo, j1 + b_lo, j2 + b_lo
            if tag == "replace" and split_replace:
                opcodes += [("delete", i1, i2, j1, j1), ("insert", i2, i2, j1, j2)]
            else:
                opcodes.append((tag, i1, i2, j1, j2))
    if tail:
        opcodes.append(("equal", a_hi, a_hi + tail, b_hi, b_hi + tail))
    return opcodes


class DiffTooLarge(ValueError):
    """The texts are too long to diff word by word within a request's budget; the message says why."""


# A diff page draws both texts whole, and the word alignment of the part that
# differs grows with the product of its lengths: both are bounded so that a
# diff answers in well under 100 ms. The seed's longest text is about 25,000
# characters; a typo fixed in a 300,000-character transcript still diffs.
MAX_TEXT_CHARS = 300_000
MAX_CHANGED_CHARS = 30_000
_BLOCK = 4096


def _common_prefix(a, b):
    """Length of the longest common prefix, compared a block at a time."""
    limit, n = min(len(a), len(b)), 0
    while n < limit and a[n : n + _BLOCK] == b[n : n + _BLOCK]:
        n += _BLOCK
    n = min(n, limit)
    while n < limit and a[n] == b[n]:
        n += 1
    return n


def _common_suffix(a, b, limit):
    """Length of the longest common suffix, at most ``limit``."""
    n = 0
    while n + _BLOCK <= limit and a[len(a) - n - _BLOCK : len(a) - n] == b[len(b) - n - _BLOCK : len(b) - n]:
        n += _BLOCK
    while n < limit and a[len(a) - n - 1] == b[len(b) - n - 1]:
        n += 1
    return n


def unchanged_ends(a: str, b: str) -> tuple[int, int]:
    """``(head, tail)``: how many characters both texts share at their start and
    at their end, each cut just after a line break they share. A token never
    spans a line break, so both texts tokenize in these stretches exactly as
    they do whole, and only the middle needs aligning."""
    head = _common_prefix(a, b)
    head = a.rfind("\n", 0, head) + 1
    tail = _common_suffix(a, b, min(len(a), len(b)) - head)
    cut = a.find("\n", len(a) - tail) if tail else -1
    tail = 0 if cut == -1 else len(a) - (cut + 1)
    return head, tail


def check_size(a: str, b: str) -> None:
    """Raise DiffTooLarge when ``a`` and ``b`` are too long to diff and draw within a request."""
    longest = max(len(a), len(b))
    if longest > MAX_TEXT_CHARS:
        raise DiffTooLarge(
            f"Word-level differences are shown for texts of up to {MAX_TEXT_CHARS:,} characters; "
            f"this one has {longest:,}."
        )
    head, tail = unchanged_ends(a, b)
    changed = max(len(a), len(b)) - head - tail
    if changed > MAX_CHANGED_CHARS:
        raise DiffTooLarge(
            f"The texts differ over {changed:,} characters; word-level differences are shown when "
            f"they differ over at most {MAX_CHANGED_CHARS:,}."
        )


def opcodes(
    a: str, b: str, *, split_replace: bool = True, matcher_limit: int = _SEQUENCE_MATCHER_LIMIT
) -> list[tuple[str, int, int, int, int]]:
    """The word-level edit from ``a`` to ``b`` as ``(tag, a_start, a_end, b_start, b_end)``
    in code points, tiling both texts. The one word diff of the project: diff
    views show it, and re-anchoring maps old offsets through it.

    Tags are "equal", "delete", "insert" and, unless ``split_replace``,
    "replace" (re-anchoring maps a position inside a replaced run to the same
    distance into its replacement). ``matcher_limit`` is the largest block
    (tokens × tokens) aligned by SequenceMatcher rather than the LCS.
    """
    if a == b:
        return [("equal", 0, len(a), 0, len(b))] if a else []
    # Only the part between the unchanged ends is tokenized and aligned: a
    # typo fixed in a long text costs what the changed lines cost.
    head, tail = unchanged_ends(a, b)
    middle = _opcodes(
        a[head : len(a) - tail],
        b[head : len(b) - tail],
        split_replace=split_replace,
        matcher_limit=matcher_limit,
    )
    result = [("equal", 0, head, 0, head)] if head else []
    for tag, a1, a2, b1, b2 in middle:
        result.append((tag, a1 + head, a2 + head, b1 + head, b2 + head))
    if tail:
        result.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    merged = []
    for op in result:
        if merged and merged[-1][0] == op[0]:
            last = merged.pop()
            op = (op[0], last[1], op[2], last[3], op[4])
        merged.append(op)
    return merged


def _opcodes(a, b, *, split_replace, matcher_limit=_SEQUENCE_MATCHER_LIMIT):
    if a == b:
        return [("equal", 0, len(a), 0, len(b))] if a else []
    a_spans, b_spans = tokens(a), tokens(b)
    a_words = [a[s:e] for s, e in a_spans]
    b_words = [b[s:e] for s, e in b_spans]
    token_ops = _token_opcodes(
        a_words,
        b_words,
        0,
        len(a_words),
        0,
        len(b_words),
        split_replace=split_replace,
        matcher_limit=matcher_limit,
    )

    def a_offset(i):
        return a_spans[i][0] if i < len(a_spans) else len(a)

    def b_offset(j):
        return b_spans[j][0] if j < len(b_spans) else len(b)

    result = []
    for tag, i1, i2, j1, j2 in token_ops:
        op = (tag, a_offset(i1), a_offset(i2), b_offset(j1), b_offset(j2))
        if result and result[-1][0] == tag:  # the head or tail joins an equal run
            last = result.pop()
            op = (tag, last[1], op[2], last[3], op[4])
        result.append(op)
    return result


def word_diff(a: str, b: str, *, bounded: bool = False) -> list[Op]:
    """The edit from ``a`` to ``b`` as a list of operations in text order.

    Consecutive operations tile both texts: joining the "equal" and "delete"
    pieces of ``a`` gives ``a``, and the "equal" and "insert" pieces of ``b``
    give ``b``. With ``bounded`` (a page drawing the diff), texts over the
    size limits raise DiffTooLarge instead of being diffed.
    """
    if bounded:
        check_size(a, b)
    return [Op(*op) for op in opcodes(a, b)]


def _count_words(text):
    return sum(1 for s, e in tokens(text) if _IS_WORD.match(text, s))


def diff_stats(a: str, b: str, ops=None) -> DiffStats:
    """How many words ``b`` added, ``a`` lost, and both share."""
    ops = word_diff(a, b) if ops is None else ops
    inserted = sum(_count_words(b[op.b_start : op.b_end]) for op in ops if op.tag == "insert")
    deleted = sum(_count_words(a[op.a_start : op.a_end]) for op in ops if op.tag == "delete")
    unchanged = sum(_count_words(a[op.a_start : op.a_end]) for op in ops if op.tag == "equal")
    return DiffStats(inserted, deleted, unchanged)


# Screen readers announce the change; sighted readers see the styling.
# ``data-offset-ignore`` tells code that maps the page's text back to
# document offsets to skip these words, which are not in the document.
_DELETED = '<del><span class="sr-only" data-offset-ignore>deleted: </span>{}</del>'
_INSERTED = '<ins><span class="sr-only" data-offset-ignore>inserted: </span>{}</ins>'


def render_side_by_side(a: str, b: str, ops=None) -> tuple[SafeString, SafeString]:
    """HTML for the left (``a``, deletions marked) and right (``b``, insertions
    marked) columns. All document text is escaped. Pass ``ops`` from
    ``word_diff`` to share one diff with ``diff_stats``."""
    ops = word_diff(a, b) if ops is None else ops
    left, right = [], []
    for op in ops:
        old, new = escape(a[op.a_start : op.a_end]), escape(b[op.b_start : op.b_end])
        if op.tag == "equal":
            left.append(old)
            right.append(new)
        elif op.tag == "delete":
            left.append(_DELETED.format(old))
        else:
            right.append(_INSERTED.format(new))
    # Safe: every piece of document text above went through escape().
    return mark_safe("".join(left)), mark_safe("".join(right))

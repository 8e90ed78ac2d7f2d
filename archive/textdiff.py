"""Word-level differences between two texts, for diff mode.

``word_diff`` compares two versions of a document (or two captures of one
story) word by word; ``render_side_by_side`` turns that into the two HTML
columns of the side-by-side view; ``diff_stats`` counts the words that
changed. Pure: no models, no requests. Offsets are code points.
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["DiffStats", "Op", "diff_stats", "render_side_by_side", "tokens", "word_diff"]


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


def word_diff(a: str, b: str) -> list[Op]:
    """The edit from ``a`` to ``b`` as a list of operations in text order.

    Consecutive operations tile both texts: joining the "equal" and "delete"
    pieces of ``a`` gives ``a``, and the "equal" and "insert" pieces of ``b``
    give ``b``.
    """
    if a == b:
        return [Op("equal", 0, len(a), 0, len(b))] if a else []
    a_spans, b_spans = tokens(a), tokens(b)
    a_words = [a[s:e] for s, e in a_spans]
    b_words = [b[s:e] for s, e in b_spans]

    # A correction usually touches a few words of a long text: matching the
    # untouched head and tail directly keeps SequenceMatcher's work small.
    head = 0
    limit = min(len(a_words), len(b_words))
    while head < limit and a_words[head] == b_words[head]:
        head += 1
    tail = 0
    while tail < limit - head and a_words[-1 - tail] == b_words[-1 - tail]:
        tail += 1

    # Token-index opcodes over the whole token lists.
    opcodes = []
    if head:
        opcodes.append(("equal", 0, head, 0, head))
    # autojunk off: in prose, frequent words such as "the" are exactly what must align.
    matcher = difflib.SequenceMatcher(
        None, a_words[head : len(a_words) - tail], b_words[head : len(b_words) - tail], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if tag == "replace":
            opcodes += [("delete", i1, i2, j1, j1), ("insert", i2, i2, j1, j2)]
        else:
            opcodes.append((tag, i1, i2, j1, j2))
    if tail:
        opcodes.append(("equal", len(a_words) - tail, len(a_words), len(b_words) - tail, len(b_words)))

    def a_offset(i):
        return a_spans[i][0] if i < len(a_spans) else len(a)

    def b_offset(j):
        return b_spans[j][0] if j < len(b_spans) else len(b)

    ops = []
    for tag, i1, i2, j1, j2 in opcodes:
        op = Op(tag, a_offset(i1), a_offset(i2), b_offset(j1), b_offset(j2))
        if ops and ops[-1].tag == tag:  # the head or tail joins an equal run
            last = ops.pop()
            op = Op(tag, last.a_start, op.a_end, last.b_start, op.b_end)
        ops.append(op)
    return ops


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

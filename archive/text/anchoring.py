"""Selectors for passages of a document's reading text, and finding them again.

A passage is described twice, as the W3C Web Annotation model does: by its
exact quote with some context before and after (TextQuoteSelector) and by
character offsets into the text (TextPositionSelector). Offsets are Python
string indices (Unicode code points). This module knows nothing of Django.
"""

import bisect
import math
import os
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from archive.text import diff

CONTEXT_LENGTH = 32


@dataclass(frozen=True)
class Selector:
    quote: str
    prefix: str
    suffix: str
    start: int
    end: int


class QuoteNotFound(ValueError):
    pass


class QuoteAmbiguous(ValueError):
    def __init__(self, message, positions):
        super().__init__(message)
        self.positions = positions


def excerpt(text, limit):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def selector_for(text, start, end, context=CONTEXT_LENGTH):
    if not (0 <= start < end <= len(text)):
        raise ValueError(f"Span {start}–{end} is outside the text (length {len(text)}) or empty.")
    return Selector(
        quote=text[start:end],
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
        start=start,
        end=end,
    )


def check_selector(text, selector):
    """Return a sentence describing why ``selector`` does not fit ``text``, or ``""``."""
    start, end = selector.start, selector.end
    if not selector.quote:
        return "The quote is empty."
    if not (0 <= start < end <= len(text)):
        return f"The span {start}–{end} lies outside the text, which has {len(text)} characters."
    if end - start != len(selector.quote):
        return (
            f"The span {start}–{end} covers {end - start} characters but the quote has {len(selector.quote)}."
        )
    if text[start:end] != selector.quote:
        return (
            f"The text at {start}–{end} reads “{excerpt(text[start:end], 60)}”, "
            f"not the quote “{excerpt(selector.quote, 60)}”."
        )
    if selector.prefix and not text[:start].endswith(selector.prefix):
        return "The text before the quote does not match the prefix."
    if selector.suffix and not text[end:].startswith(selector.suffix):
        return "The text after the quote does not match the suffix."
    return ""


def occurrences(text, needle, limit=None):
    """Start offsets of every (possibly overlapping) occurrence of ``needle``,
    or of the first ``limit`` of them."""
    found = []
    position = text.find(needle)
    while position != -1 and (limit is None or len(found) < limit):
        found.append(position)
        position = text.find(needle, position + 1)
    return found


def fits_context(text, start, end, prefix, suffix):
    """Whether ``text`` reads ``prefix`` just before ``start`` and ``suffix`` just after ``end``.

    Compared in place: slicing ``text[:start]`` would copy the text for each
    occurrence, megabytes at a time.
    """
    if prefix and not (start >= len(prefix) and text.startswith(prefix, start - len(prefix), start)):
        return False
    return not suffix or text.startswith(suffix, end)


# ---------------------------------------------------------------------------
# The form texts are matched in
# ---------------------------------------------------------------------------
#
# Quotes are matched against the text in NFC with "\n" line endings, so a
# capture in NFD ("Tu" + U+0308 + "rkiye") or with CRLF line endings matches a
# quote stored or typed in the other form. Offsets found there are mapped back
# to the text as stored, and a span never separates a letter from its
# combining marks or "\r" from "\n". For re-anchoring, typographic variants
# are also folded one character for one (curly quotation marks to straight,
# no-break and other spaces to a space, dashes to a hyphen), so a re-clean
# that straightens apostrophes is not mistaken for a rewording.

_LINE_BREAK = re.compile(r"\r\n?")

_FOLD = {
    **dict.fromkeys("‘’‚‛′ʼ", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys(
        "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t",
        " ",
    ),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
}
# No variant folds to another variant, so replacing them one after another is
# translating. It is also far faster on a long text: str.translate looks each
# character up (300 ms for a 2 MB text that is not pure ASCII), where a replace of a
# variant the text holds is one fast scan (a shared passage reads the whole
# document's text folded).
assert not set(_FOLD.values()) & set(_FOLD)


def fold(text: str) -> str:
    """``text`` with typographic variants made plain, one character for one."""
    if text.isascii():
        return text.replace("\t", " ")
    for variant, plain in _FOLD.items():
        if variant in text:
            text = text.replace(variant, plain)
    return text


def _normal(text):
    """NFC with "\\n" line endings."""
    return unicodedata.normalize("NFC", _LINE_BREAK.sub("\n", text))


def _matchable(text):
    return fold(_normal(text))


def _mark_ranges():
    """A regex character class body for the combining marks of the BMP."""
    marks = [c for c in range(0x300, 0x10000) if unicodedata.category(chr(c))[0] == "M"]
    runs = [[marks[0], marks[0]]]
    for code in marks[1:]:
        if code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "".join(f"\\u{a:04x}-\\u{b:04x}" if b > a else f"\\u{a:04x}" for a, b in runs)


# A word is letters, digits, underscores and the combining marks between them
# (Arabic vowel signs, Devanagari matras are not \w in Python's re).
_WORD_CLASS = r"\w" + _mark_ranges()
_WORD_RUN = re.compile(f"[{_WORD_CLASS}]+")
_WORDISH = re.compile(f"[{_WORD_CLASS}]+|[^{_WORD_CLASS}\\s]")
_WORD_CHAR = re.compile(f"[{_WORD_CLASS}]")


def _is_word_char(character):
    return _WORD_CHAR.match(character) is not None


@cache
def _composing_starters():
    """Characters of combining class 0 that NFC may still join to the one
    before them (Hangul vowels and finals, some Indic vowel signs)."""
    found = {chr(c) for c in [*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)]}
    for code in range(0x10000):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            second = chr(int(parts[1], 16))
            if not unicodedata.combining(second):
                found.add(second)
    return frozenset(found)


def _clusters(text, compose):
    """(start, end) of each piece that normalises on its own: "\\r\\n", or a
    character with the marks NFC may join to it."""
    composing = _composing_starters() if compose else frozenset()
    combining = unicodedata.combining
    length, i = len(text), 0
    while i < length:
        j = i + 1
        if text[i] == "\r":
            if j < length and text[j] == "\n":
                j += 1
        elif compose:
            while j < length and (combining(text[j]) or text[j] in composing):
                j += 1
        yield i, j
        i = j


class NormalForm:
    """A text in NFC with "\\n" line endings (``text``), and offsets between it
    and the text as stored (``original``)."""

    def __init__(self, original: str):
        self.original = original
        self._original_bounds = self._normal_bounds = None
        if "\r" not in original and unicodedata.is_normalized("NFC", original):
            self.text = original
            return
        expected = _normal(original)
        for compose in (True, False):
            pieces, original_bounds, normal_bounds = [], [0], [0]
            for i, j in _clusters(original, compose):
                piece = original[i:j]
                if piece[0] == "\r":
                    piece = "\n"
                elif compose and not piece.isascii():
                    piece = unicodedata.normalize("NFC", piece)
                pieces.append(piece)
                original_bounds.append(j)
                normal_bounds.append(normal_bounds[-1] + len(piece))
            text = "".join(pieces)
            # Piece by piece is NFC of the whole for all but exotic sequences;
            # should one differ, only the line endings are normalised.
            if text == expected:
                break
        self.text = text
        self._original_bounds, self._normal_bounds = original_bounds, normal_bounds

    @staticmethod
    def _convert(position, source, target, end):
        index = bisect.bisect_right(source, position) - 1
        if index < 0:
            return 0
        if source[index] == position or index + 1 == len(source):
            return target[index]
        # Inside a piece: a start moves to its beginning, an end to its end.
        return target[index + 1] if end else target[index]

    def to_normal(self, position: int, *, end: bool = False) -> int:
        if self._original_bounds is None:
            return min(position, len(self.text))
        return self._convert(position, self._original_bounds, self._normal_bounds, end)

    def to_original(self, position: int, *, end: bool = False) -> int:
        if self._original_bounds is None:
            return min(position, len(self.original))
        return self._convert(position, self._normal_bounds, self._original_bounds, end)


def find_quote(text, quote, prefix="", suffix=""):
    """Locate ``quote`` in ``text``, narrowed by optional prefix/suffix context.

    Returns a :class:`Selector` when the quote occurs exactly once (after the
    context is applied). Never guesses: raises :class:`QuoteNotFound` or
    :class:`QuoteAmbiguous` with a message an analyst can act on.
    """
    if not quote:
        raise QuoteNotFound("The quote is empty.")
    # Compared in normal form, so an NFD or CRLF text matches an NFC quote;
    # offsets and the returned quote are the stored text's.
    form = NormalForm(text)
    normal_text = form.text
    normal_quote, prefix, suffix = _normal(quote), _normal(prefix), _normal(suffix)
    positions = occurrences(normal_text, normal_quote)
    if not positions:
        raise QuoteNotFound(
            f"“{excerpt(quote, 60)}” does not occur in the document's text. Check spelling, "
            "quotation marks and spaces: the quote must be copied exactly."
        )
    narrowed = [p for p in positions if fits_context(normal_text, p, p + len(normal_quote), prefix, suffix)]
    if not narrowed:
        raise QuoteNotFound(
            f"“{excerpt(quote, 60)}” occurs {len(positions)} time(s), but never with the given "
            "prefix and suffix."
        )
    if len(narrowed) > 1:
        raise QuoteAmbiguous(
            f"“{excerpt(quote, 60)}” occurs {len(narrowed)} times. Add a few words of the text just "
            "before it (prefix) or after it (suffix) so it matches only once.",
            [form.to_original(p) for p in narrowed],
        )
    start = narrowed[0]
    return selector_for(text, form.to_original(start), form.to_original(start + len(normal_quote), end=True))


# ---------------------------------------------------------------------------
# Re-anchoring claims after the reading text is corrected
# ---------------------------------------------------------------------------
#
# The rule that matters: never silently re-attach a claim to a look-alike
# passage. A candidate must clear MIN_SCORE *and* beat the runner-up by MARGIN,
# otherwise the claim is orphaned (kept, flagged, never deleted). The
# thresholds and the figures behind them are in docs/anchoring.md.

MIN_SCORE = 0.75
MARGIN = 0.1
# A "changed" quote must keep most of its text: a claim is about those words,
# and a heavily reworded sentence is no longer what the analyst highlighted.
MIN_QUOTE_SIMILARITY = 0.7
# The quote counts this many times its length against the context's length
# when weighing evidence, so long quotes rest mostly on themselves and short
# ones ("This is what the Resistance is.") mostly on their surroundings.
QUOTE_WEIGHT = 3
POSITION_WEIGHT = 0.1
# Two unrelated 32-character stretches of English prose score about 0.38 on
# Indel similarity (0.53 at the 99th percentile); rescaling from 0.4 makes
# chance resemblance count for (almost) nothing.
CONTEXT_CHANCE = 0.4
# Where the diff puts a quote, one side of its context still this similar
# (rescaled), over at least this many characters, vouches for it even when the
# other side was rewritten, if the quote is long enough not to recur by chance
# (a replaced paragraph may well start with the same "In") and occurs once in
# the old text and once in the new.
CONTEXT_INTACT = 0.8
VOUCHING_CONTEXT = 16
VOUCHING_QUOTE = 12
NEARNESS_SCALE = 200
MAX_EXACT_CANDIDATES = 200
FUZZY_CANDIDATES = 6
FUZZY_CUTOFF = 55
# Whole-text fuzzy search looks only where enough of the quote's words occur
# in the right order and spacing (see _voted_spans); a word more frequent than
# this does not vote when rarer ones can.
FREQUENT_WORD = 40
VOTE_SHARE = 0.3


class Outcome(StrEnum):
    KEPT = "kept"
    MOVED = "moved"
    CHANGED = "changed"
    ORPHANED = "orphaned"


@dataclass(frozen=True)
class Reanchored:
    outcome: Outcome
    selector: Selector | None
    score: float
    runner_up: float
    reason: str


class PositionMap:
    """Old-text offsets to new-text offsets, from one diff of the two texts.

    The diff is the project's one word diff (``archive.text.diff.opcodes``):
    deterministic, unlike a diff with a time limit, and fast for the usual
    correction, a few small edits in a long text.
    """

    aligned = True

    def __init__(self, old_text, new_text):
        self.old_length = len(old_text)
        self.new_length = len(new_text)
        segments = diff.opcodes(
            old_text, new_text, split_replace=False, matcher_limit=diff.REANCHOR_MATCHER_LIMIT
        )
        # Segments with an empty old side (pure insertions) never contain an
        # old offset; the rest partition the old text, so bisect finds them.
        self.segments = [s for s in segments if s[2] > s[1]]
        self._starts = [s[1] for s in self.segments]
        self._ends = [s[2] for s in self.segments]
        self._unchanged = [s for s in segments if s[0] == "equal"]
        self._unchanged_starts = [s[3] for s in self._unchanged]

    def map(self, position, *, after_insertions):
        """Map an old offset. A quote's start should land after text inserted
        right before it (``after_insertions=True``); its end before text
        inserted right after it."""
        if after_insertions:
            if position >= self.old_length:
                return self.new_length
            index = bisect.bisect_right(self._starts, position) - 1
        else:
            if position <= 0:
                return 0
            index = bisect.bisect_left(self._ends, position)
            if index >= len(self.segments):
                return self.new_length
        tag, o1, _o2, n1, n2 = self.segments[index]
        if tag == "equal":
            return n1 + position - o1
        return n1 + min(position - o1, n2 - n1)

    def map_span(self, start, end):
        return self.map(start, after_insertions=True), self.map(end, after_insertions=False)

    def kept(self, start, end):
        """Whether the diff keeps old ``text[start:end]`` unchanged, at most
        one insertion breaking it in two (a paragraph inserted before a quote
        leaves the quote's old prefix intact, only further away)."""
        if start >= end:
            return False
        index = bisect.bisect_right(self._starts, start) - 1
        pieces = 0
        while index < len(self.segments) and self.segments[index][1] < end:
            if self.segments[index][0] != "equal":
                return False
            pieces += 1
            index += 1
        return 0 < pieces <= 2

    def unchanged_from(self, start, end):
        """The old span a new span was copied from unchanged, or None when
        the diff says it was inserted or edited."""
        index = bisect.bisect_right(self._unchanged_starts, start) - 1
        if index < 0:
            return None
        _tag, o1, _o2, n1, n2 = self._unchanged[index]
        if end > n2:
            return None
        return o1 + start - n1, o1 + end - n1


class _Identity:
    """Stands in for a PositionMap when the old text is unknown: the old
    offsets are only a hint, never a reason to prefer one look-alike."""

    aligned = False

    def map_span(self, start, end):
        return start, end

    def kept(self, start, end):
        return False

    def unchanged_from(self, start, end):
        return None


class _Correction:
    """The two texts of one correction, prepared once for all its claims: in
    normal form, folded, and the diff between them."""

    def __init__(self, old_text, new_text):
        self.new = NormalForm(new_text)
        self.text = fold(self.new.text)
        if old_text is None:
            self.old = self.old_text = None
            self.position_map = _Identity()
        else:
            self.old = NormalForm(old_text)
            self.old_text = fold(self.old.text)
            self.position_map = PositionMap(self.old_text, self.text)


# The correction page previews a correction and then saves it: the same two
# texts, so the diff (and the results, below) are kept for a few corrections.
_correction = lru_cache(maxsize=4)(_Correction)


def _context_similarity(old, new, *, from_end):
    """How much ``new`` resembles the old context, 0 (chance) to 1."""
    if not old:
        return 1.0
    if from_end:
        new = new[-len(old) :] if new else ""
    else:
        new = new[: len(old)]
    raw = Indel.normalized_similarity(old, new)
    return max(0.0, (raw - CONTEXT_CHANCE) / (1 - CONTEXT_CHANCE))


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    score: float
    quote_similarity: float
    near_hint: bool


def _score(text, quote, prefix, suffix, start, end, hint, kept=(False, False)):
    """(score, quote similarity) of the span; ``kept`` says which sides of the
    old context the diff shows unchanged (only text inserted between)."""
    span = text[start:end]
    quote_similarity = 1.0 if span == quote else Indel.normalized_similarity(quote, span)
    prefix_similarity = (
        1.0
        if kept[0]
        else _context_similarity(prefix, text[max(0, start - len(prefix)) : start], from_end=True)
    )
    suffix_similarity = (
        1.0 if kept[1] else _context_similarity(suffix, text[end : end + len(suffix)], from_end=False)
    )
    quote_weight = QUOTE_WEIGHT * len(quote)
    content = (
        quote_weight * quote_similarity + len(prefix) * prefix_similarity + len(suffix) * suffix_similarity
    ) / (quote_weight + len(prefix) + len(suffix))
    if hint is None:
        return content, quote_similarity
    nearness = 1 / (1 + abs(start - hint) / NEARNESS_SCALE)
    return (1 - POSITION_WEIGHT) * content + POSITION_WEIGHT * nearness, quote_similarity


def _once(text, needle):
    first = text.find(needle)
    return first != -1 and text.find(needle, first + 1) == -1


def _vouched(text, quote, prefix, suffix, start, end, old_text=None):
    """Whether one intact side of the context vouches for the quote the diff
    put at ``start``: the quote is there exactly and long enough, the old
    context on one side is still next to it (long enough to mean something,
    or reaching the edge of the text in both versions), and that context with
    the quote occurs once in each text. The quote alone may occur again once
    quote styles are folded (a short quote of punctuation and one word)."""
    if len(quote) < VOUCHING_QUOTE or text[start:end] != quote:
        return False
    before = text[max(0, start - len(prefix)) : start]
    after = text[end : end + len(suffix)]

    def unique(new_needle, old_needle):
        return _once(text, new_needle) and (old_text is None or _once(old_text, old_needle))

    prefix_vouches = (len(prefix) < CONTEXT_LENGTH and start == len(prefix) and before == prefix) or (
        len(prefix) >= VOUCHING_CONTEXT
        and _context_similarity(prefix, before, from_end=True) >= CONTEXT_INTACT
    )
    suffix_vouches = (
        len(suffix) < CONTEXT_LENGTH and end + len(suffix) == len(text) and after == suffix
    ) or (
        len(suffix) >= VOUCHING_CONTEXT
        and _context_similarity(suffix, after, from_end=False) >= CONTEXT_INTACT
    )
    return (prefix_vouches and unique(before + quote, prefix + quote)) or (
        suffix_vouches and unique(quote + after, quote + suffix)
    )


def _cuts(quote, prefix, suffix):
    """Whether the quote itself starts and ends inside a word (the analyst
    selected part of a word): only then may a new span do so."""
    return (
        bool(prefix) and _is_word_char(prefix[-1]) and _is_word_char(quote[0]),
        bool(suffix) and _is_word_char(quote[-1]) and _is_word_char(suffix[0]),
    )


def _whole_words(text, start, end, cuts=(False, False)):
    """Widen a span that starts or ends inside a word to the whole word (an
    edit can glue letters to a quote: "Hezbolah" fixed to "Hezbollah")."""
    cut_start, cut_end = cuts
    if not cut_start:
        while 0 < start < len(text) and _is_word_char(text[start - 1]) and _is_word_char(text[start]):
            start -= 1
    if not cut_end:
        while 0 < end < len(text) and _is_word_char(text[end - 1]) and _is_word_char(text[end]):
            end += 1
    return start, end


def _word_starts_and_ends(text, low, high):
    starts, ends = [], []
    for match in _WORDISH.finditer(text, low, high):
        s, e = match.span()
        # A token cut by the window edge is not a real word boundary.
        if s > low or s == 0 or not _is_word_char(text[s - 1]):
            starts.append(s)
        if e < high or e == len(text) or not _is_word_char(text[e]):
            ends.append(e)
    return starts, ends


def _snap(text, quote, start, end):
    """Move a rough span to the word boundaries that best reproduce the quote."""
    radius = max(16, len(quote) // 3)
    low, high = max(0, start - radius), min(len(text), end + radius)
    starts, ends = _word_starts_and_ends(text, low, high)
    if not starts or not ends:
        return start, end

    def similarity(s, e):
        return Indel.normalized_similarity(quote, text[s:e])

    best_start = min(starts, key=lambda s: (abs(s - start), s))
    best_end = min(ends, key=lambda e: (abs(e - end), e))
    for _round in range(2):
        options = [s for s in starts if s < best_end]
        if options:
            best_start = max(options, key=lambda s: (similarity(s, best_end), -abs(s - start), -s))
        options = [e for e in ends if e > best_start]
        if options:
            best_end = max(options, key=lambda e: (similarity(best_start, e), -abs(e - end), -e))
    if best_start >= best_end:
        return start, end
    return best_start, best_end


def _fuzzy_spans(text, quote, low=0, high=None):
    """Rough spans in ``text[low:high]`` that resemble ``quote``, best first."""
    high = len(text) if high is None else high
    length = max(len(quote), 1)
    window = 2 * length
    found = []
    position = low
    while True:
        stop = min(high, position + window)
        alignment = fuzz.partial_ratio_alignment(quote, text[position:stop], score_cutoff=FUZZY_CUTOFF)
        if alignment is not None and alignment.dest_end > alignment.dest_start:
            found.append((alignment.score, position + alignment.dest_start, position + alignment.dest_end))
        if stop >= high:
            break
        position += length
    return _best_apart(found)


def _best_apart(found):
    found.sort(key=lambda item: (-item[0], item[1]))
    spans = []
    for _score_value, s, e in found:
        if all(e <= s2 or s >= e2 for s2, e2 in spans):
            spans.append((s, e))
        if len(spans) == FUZZY_CANDIDATES:
            break
    return spans


@lru_cache(maxsize=8)
def _word_positions(text):
    """Where each word (lower case) of a folded text starts."""
    positions = {}
    for match in _WORD_RUN.finditer(text):
        positions.setdefault(match.group().lower(), []).append(match.start())
    return positions


def _voted_spans(text, quote, hint):
    """Rough spans anywhere in ``text`` that resemble ``quote``, best first.

    Scanning the whole text with a fuzzy matcher costs tens of milliseconds a
    claim; instead the quote's words vote for the offset where the quote
    would start (word position minus its offset in the quote), and only the
    offsets with enough votes are aligned. A passage that keeps most of the
    quote's text (the only kind that can be accepted) keeps some of its words.
    """
    positions = _word_positions(text)
    words = [(m.group().lower(), m.start()) for m in _WORD_RUN.finditer(quote)]
    present = [(word, offset) for word, offset in words if word in positions]
    if len(words) < 2 or not present:
        return []  # a single word's occurrences are the exact candidates already
    rare = [(word, offset) for word, offset in present if len(positions[word]) <= FREQUENT_WORD]
    voters = rare or present
    bucket = max(16, len(quote) // 2)
    votes = {}
    for number, (word, offset) in enumerate(voters):
        for position in positions[word]:
            votes.setdefault((position - offset) // bucket, set()).add(number)
    needed = max(1, math.ceil(VOTE_SHARE * len(voters)))
    ranked = []
    for key, voted in votes.items():
        together = len(voted | votes.get(key + 1, set()))
        if together >= needed:
            distance = 0 if hint is None else abs(key * bucket - hint)
            ranked.append((-together, distance, key))
    ranked.sort()
    slack = len(quote) // 4 + 8
    found = []
    for _votes, _distance, key in ranked[: 2 * FUZZY_CANDIDATES]:
        low = max(0, key * bucket - slack)
        high = min(len(text), (key + 2) * bucket + len(quote) + slack)
        alignment = fuzz.partial_ratio_alignment(quote, text[low:high], score_cutoff=FUZZY_CUTOFF)
        if alignment is not None and alignment.dest_end > alignment.dest_start:
            found.append((alignment.score, low + alignment.dest_start, low + alignment.dest_end))
    return _best_apart(found)


def _likeliest(text, starts, quote, prefix, suffix, hint):
    """The MAX_EXACT_CANDIDATES occurrences most likely to be the claim's:
    those with the most context matching right next to them, then the nearest."""

    def agreement(start):
        before = text[max(0, start - 16) : start]
        after = text[start + len(quote) : start + len(quote) + 16]
        same_before = len(os.path.commonprefix([before[::-1], prefix[::-1][:16]]))
        same_after = len(os.path.commonprefix([after, suffix[:16]]))
        return -(same_before + same_after), (0 if hint is None else abs(start - hint)), start

    return sorted(starts, key=agreement)[:MAX_EXACT_CANDIDATES]


def _overlaps(a_start, a_end, b_start, b_end):
    return a_start < b_end and b_start < a_end


def _match(
    text,
    quote,
    prefix,
    suffix,
    hint,
    mapped,
    *,
    trust_mapped,
    cuts=(False, False),
    elsewhere=None,
    exact=None,
    rough=None,
):
    """Score every plausible span for the quote and pick one, or explain why not.

    ``text``, ``quote`` and the context are in folded normal form.
    ``elsewhere(start, end)`` says whether the diff shows a span to be another
    passage of the old text, unchanged: a repeated sentence's other copy,
    which stays that copy's. ``exact`` are the quote's occurrences when the
    caller has them already; ``rough`` are approximate spans to consider
    besides them (by default the whole text's word index is consulted, see
    ``_voted_spans``). Returns (winner or None, best score, runner-up score,
    note).
    """
    if exact is None:
        exact = occurrences(text, quote)
    if len(exact) > MAX_EXACT_CANDIDATES:
        exact = _likeliest(text, exact, quote, prefix, suffix, hint)
    spans = {}
    for start in exact:
        spans[_whole_words(text, start, start + len(quote), cuts)] = True
    rough = _voted_spans(text, quote, hint) if rough is None else list(rough)
    if mapped is not None:
        low = max(0, min(mapped) - len(quote))
        high = min(len(text), max(mapped) + len(quote))
        rough.extend(_fuzzy_spans(text, quote, low, high)[:2])
    for start, end in rough:
        spans[_whole_words(text, *_snap(text, quote, start, end), cuts)] = True
    if elsewhere is not None:
        spans = [span for span in spans if not elsewhere(*span)]

    candidates = []
    for start, end in spans:
        score, quote_similarity = _score(text, quote, prefix, suffix, start, end, hint)
        near_hint = (
            trust_mapped
            and mapped is not None
            and (_overlaps(start, end, *mapped) if mapped[0] < mapped[1] else start <= mapped[0] <= end)
        )
        candidates.append(_Candidate(start, end, round(score, 4), quote_similarity, near_hint))
    candidates.sort(key=lambda c: (-c.score, -c.quote_similarity, c.start, c.end))
    distinct = []
    for candidate in candidates:
        if all(not _overlaps(candidate.start, candidate.end, d.start, d.end) for d in distinct):
            distinct.append(candidate)

    if not distinct:
        return None, 0.0, 0.0, "orphaned: nothing in the new text resembles the quote"
    best = distinct[0]
    runner_up = distinct[1].score if len(distinct) > 1 else 0.0
    if best.score < MIN_SCORE:
        return (
            None,
            best.score,
            runner_up,
            f"orphaned: best match {best.score:.2f} is below the {MIN_SCORE:.2f} minimum",
        )
    if best.quote_similarity < MIN_QUOTE_SIMILARITY:
        return (
            None,
            best.score,
            runner_up,
            (
                f"orphaned: the closest passage keeps only {best.quote_similarity:.0%} of the quote's text "
                f"(at least {MIN_QUOTE_SIMILARITY:.0%} is required)"
            ),
        )
    contenders = [c for c in distinct if c.score >= MIN_SCORE and best.score - c.score < MARGIN]
    if len(contenders) == 1:
        return best, best.score, runner_up, ""
    # Look-alikes scoring the same: the diff's alignment is the only honest
    # tie-breaker. Without it, refuse to choose.
    pointed = [c for c in contenders if c.near_hint and c.quote_similarity >= MIN_QUOTE_SIMILARITY]
    if len(pointed) == 1:
        chosen = pointed[0]
        others = max(c.score for c in distinct if c is not chosen)
        return chosen, chosen.score, others, " (chosen over a look-alike because the edit aligns with it)"
    return (
        None,
        best.score,
        runner_up,
        (
            f"orphaned: two candidates score {contenders[0].score:.2f} and {contenders[1].score:.2f} "
            "— too close to choose"
        ),
    )


def _in_original(form, start, end):
    """A span of ``form.text`` as a span of the text as stored."""
    return form.to_original(start), form.to_original(end, end=True)


def _followed(selector, correction, start, end, score, *, widened):
    """The result for a quote found where the edit put it (no search)."""
    new_start, new_end = _in_original(correction.new, start, end)
    new_selector = selector_for(correction.new.original, new_start, new_end)
    if new_selector.quote != selector.quote:
        if widened:
            why = (
                "an edit joined letters to the quote, so it now covers whole words: "
                f"“{excerpt(new_selector.quote, 60)}”"
            )
        else:
            why = (
                "only the form of its characters changed "
                "(quotation marks, spaces, Unicode form or line endings)"
            )
        return Reanchored(
            Outcome.CHANGED,
            new_selector,
            score,
            0.0,
            f"quote followed the edit to {new_start}–{new_end}; {why}",
        )
    if (new_start, new_end) == (selector.start, selector.end):
        return Reanchored(Outcome.KEPT, new_selector, score, 0.0, "quote unchanged and in the same place")
    return Reanchored(
        Outcome.MOVED,
        new_selector,
        score,
        0.0,
        f"quote moved with the edit from {selector.start}–{selector.end} to {new_start}–{new_end}",
    )


def _reanchor(selector, correction):
    if not selector.quote:
        raise ValueError("The selector's quote is empty; there is nothing to re-anchor.")
    text = correction.text
    quote, prefix, suffix = (_matchable(part) for part in (selector.quote, selector.prefix, selector.suffix))
    cuts = _cuts(quote, prefix, suffix)
    # Without the old text the old offsets are read as offsets into the new one.
    source = correction.old or correction.new
    old_start = source.to_normal(max(0, selector.start))
    old_end = source.to_normal(max(0, selector.end), end=True)
    mapped_start, mapped_end = correction.position_map.map_span(old_start, old_end)

    # 1. Follow the edit. An edit right at one end of the quote can be aligned
    # either side of the boundary (deleting "ab" from "abab" is ambiguous), so
    # the quote may sit flush against either mapped end rather than between
    # both. The diff aligns any two texts somehow (unrelated texts share
    # "the"), so the quote's surroundings must agree as well.
    flush = next(
        (
            (a, b)
            for a, b in (
                (mapped_start, mapped_end),
                (mapped_start, mapped_start + len(quote)),
                (mapped_end - len(quote), mapped_end),
            )
            if 0 <= a < b <= len(text) and text[a:b] == quote
        ),
        None,
    )
    if flush is not None:
        start, end = _whole_words(text, *flush, cuts)
        position_map = correction.position_map
        kept = (
            start == mapped_start and position_map.kept(old_start - len(prefix), old_start),
            end == mapped_end and position_map.kept(old_end, old_end + len(suffix)),
        )
        score, quote_similarity = _score(text, quote, prefix, suffix, start, end, start, kept)
        if (
            (start, end) == flush
            and score < MIN_SCORE
            and _vouched(text, quote, prefix, suffix, start, end, correction.old_text)
        ):
            score = MIN_SCORE
        if score >= MIN_SCORE and quote_similarity >= MIN_QUOTE_SIMILARITY:
            return _followed(selector, correction, start, end, round(score, 4), widened=(start, end) != flush)

    # 2. Search the new text.
    mapped = (max(0, min(mapped_start, len(text))), max(0, min(mapped_end, len(text))))

    def elsewhere(start, end):
        old = correction.position_map.unchanged_from(start, end)
        return old is not None and not _overlaps(*old, old_start, max(old_end, old_start + 1))

    winner, score, runner_up, note = _match(
        text,
        quote,
        prefix,
        suffix,
        mapped[0],
        mapped,
        trust_mapped=correction.position_map.aligned,
        cuts=cuts,
        elsewhere=elsewhere,
    )
    if winner is None:
        return Reanchored(Outcome.ORPHANED, None, score, runner_up, note)
    new_start, new_end = _in_original(correction.new, winner.start, winner.end)
    new_selector = selector_for(correction.new.original, new_start, new_end)
    figures = f"score {winner.score:.2f} (runner-up {runner_up:.2f})"
    if new_selector.quote != selector.quote:
        return Reanchored(
            Outcome.CHANGED,
            new_selector,
            winner.score,
            runner_up,
            f"quote reworded; matched with {figures}{note}",
        )
    if (new_start, new_end) == (selector.start, selector.end):
        outcome, verb = Outcome.KEPT, "found in the same place"
    else:
        outcome, verb = Outcome.MOVED, f"found at {new_start}–{new_end}"
    return Reanchored(
        outcome, new_selector, winner.score, runner_up, f"quote {verb}; matched with {figures}{note}"
    )


def reanchor(selector: Selector, new_text: str, *, old_text: str | None = None) -> Reanchored:
    """Find ``selector``'s passage in ``new_text``.

    With ``old_text`` (the text the selector was made on) the edit between
    the two is used to follow the passage; without it the old offsets are
    only a hint. Raises ValueError for a selector without a quote.
    """
    return _reanchor(selector, _correction(old_text, new_text))


@lru_cache(maxsize=8)
def _reanchor_all(selectors, old_text, new_text):
    correction = _correction(old_text, new_text)
    return tuple(_reanchor(selector, correction) for selector in selectors)


def reanchor_all(selectors: Sequence[Selector], old_text: str, new_text: str) -> list[Reanchored]:
    """Re-anchor many selectors made on ``old_text``, diffing the texts once.

    The results of the last few corrections are remembered: the correction
    page asks for the same ones when it previews and when it saves.
    """
    return list(_reanchor_all(tuple(selectors), old_text, new_text))


def clear_caches() -> None:
    """Forget the remembered corrections and texts (benchmarks time a cold start)."""
    _reanchor_all.cache_clear()
    _correction.cache_clear()
    _word_positions.cache_clear()
    with _passage_texts_lock:
        _passage_texts.clear()


def preview_counts(selectors: Sequence[Selector], old_text: str, new_text: str) -> dict[Outcome, int]:
    """How many selectors a correction would keep, move, change or orphan."""
    counts = dict.fromkeys(Outcome, 0)
    for result in reanchor_all(selectors, old_text, new_text):
        counts[result.outcome] += 1
    return counts


# Shared passages come from anyone's address bar, so the work spent finding
# one is bounded whatever the text's length: the quote and its context are
# capped, exact occurrences are counted only up to a limit, and the
# approximate search looks only where the passage's rarer words occur, in a
# bounded number of windows. A passage that cannot be placed that way is
# reported as not found rather than searched for through megabytes.
PASSAGE_MAX_CHARS = 500
PASSAGE_CONTEXT_MAX_CHARS = 64
PASSAGE_ANCHOR_WORDS = 8  # the longest distinct words of the quote looked up
PASSAGE_RARE_WORD_LIMIT = 32  # a word found more often than this says little about where the quote is
PASSAGE_WINDOWS = 6  # places where the fuzzy search looks
_PASSAGE_WORD = re.compile(f"[{_WORD_CLASS}]{{4,}}")


def _windows(text, quote):
    """Up to PASSAGE_WINDOWS ``(low, high)`` stretches of ``text`` where the quote's rarer words
    line up as they do in the quote, most agreeing words first."""
    words = {}
    for match in _PASSAGE_WORD.finditer(quote):
        words.setdefault(match.group(), match.start())
    longest = sorted(words.items(), key=lambda item: (-len(item[0]), item[1]))[:PASSAGE_ANCHOR_WORDS]
    starts = []  # (where the quote would start, the word that says so)
    for word, offset in longest:
        found = occurrences(text, word, PASSAGE_RARE_WORD_LIMIT + 1)
        if len(found) <= PASSAGE_RARE_WORD_LIMIT:
            starts.extend((position - offset, word) for position in found)
    if not starts:
        return []
    starts.sort()
    slack = max(32, len(quote) // 4)
    clusters = []  # [first start, last start, words]
    for start, word in starts:
        if clusters and start - clusters[-1][1] <= slack:
            clusters[-1][1] = start
            clusters[-1][2].add(word)
        else:
            clusters.append([start, start, {word}])
    clusters.sort(key=lambda cluster: (-len(cluster[2]), cluster[0]))
    margin = len(quote) // 2 + slack
    return [
        (max(0, first - margin), min(len(text), last + len(quote) + margin))
        for first, last, _words in clusters[:PASSAGE_WINDOWS]
    ]


def _passage_spans(text, quote):
    """Rough spans resembling ``quote`` where its rarer words are (``_match``
    adds those near the position hint)."""
    found = []
    for low, high in _windows(text, quote):
        found.extend(_fuzzy_spans(text, quote, low, high)[:2])
    return found[:FUZZY_CANDIDATES]


# A shared link sends every visitor to the same document, so the last few long
# texts are kept in normal form and folded (about 15 ms for 2 MB), when they
# are already in normal form: the offset tables of one that is not would take
# far more memory than the text.
PASSAGE_CACHE_MIN_CHARS = 100_000
PASSAGE_CACHE_TEXTS = 4
_passage_texts = OrderedDict()
_passage_texts_lock = threading.Lock()


def _passage_text(text):
    """``(NormalForm, folded normal text)`` of a document's text."""
    long = len(text) >= PASSAGE_CACHE_MIN_CHARS
    if long:
        with _passage_texts_lock:
            prepared = _passage_texts.get(text)
            if prepared is not None:
                _passage_texts.move_to_end(text)
                return prepared
    form = NormalForm(text)
    prepared = form, fold(form.text)
    if long and form.text is text:
        with _passage_texts_lock:
            _passage_texts[text] = prepared
            while len(_passage_texts) > PASSAGE_CACHE_TEXTS:
                _passage_texts.popitem(last=False)
    return prepared


def locate_passage(
    text: str, quote: str, prefix: str = "", suffix: str = "", hint: int | None = None
) -> Reanchored:
    """Find a shared passage (``?passage=`` links) in ``text``, with bounded work.

    The quote found exactly, once once the context is applied, gives KEPT
    (MOVED when ``hint`` names another offset); a close but not identical
    passage gives CHANGED; anything doubtful gives ORPHANED with the reason.
    Quotes over PASSAGE_MAX_CHARS are refused (ORPHANED); longer context is
    cut to PASSAGE_CONTEXT_MAX_CHARS next to the quote. Quote, context and
    text are compared in normal form (NFC, "\\n" line endings) with
    typographic variants folded.
    """
    if not quote:
        return Reanchored(Outcome.ORPHANED, None, 0.0, 0.0, "orphaned: the passage's quote is empty")
    if len(quote) > PASSAGE_MAX_CHARS:
        return Reanchored(
            Outcome.ORPHANED,
            None,
            0.0,
            0.0,
            f"orphaned: the passage is longer than {PASSAGE_MAX_CHARS} characters",
        )
    prefix = prefix[-PASSAGE_CONTEXT_MAX_CHARS:]
    suffix = suffix[:PASSAGE_CONTEXT_MAX_CHARS]
    form, folded = _passage_text(text)
    matchable, prefix, suffix = (_matchable(part) for part in (quote, prefix, suffix))
    normal_hint = None if hint is None else form.to_normal(max(0, min(hint, len(text))))
    found = occurrences(folded, matchable, MAX_EXACT_CANDIDATES + 1)
    exact = [p for p in found if fits_context(folded, p, p + len(matchable), prefix, suffix)]
    if len(exact) == 1:
        winner = selector_for(text, *_in_original(form, exact[0], exact[0] + len(matchable)))
        if _normal(winner.quote) != _normal(quote):
            return Reanchored(
                Outcome.CHANGED,
                winner,
                1.0,
                0.0,
                f"passage found once, at {winner.start}–{winner.end}, "
                "with different quotation marks or spaces",
            )
        outcome = Outcome.KEPT if hint is None or hint == winner.start else Outcome.MOVED
        return Reanchored(outcome, winner, 1.0, 0.0, f"passage found once, at {winner.start}–{winner.end}")
    if len(found) > MAX_EXACT_CANDIDATES:
        return Reanchored(
            Outcome.ORPHANED,
            None,
            0.0,
            0.0,
            f"orphaned: the passage occurs more than {MAX_EXACT_CANDIDATES} times; "
            "a link to it needs more of the text",
        )
    mapped = (
        None if normal_hint is None else (normal_hint, max(0, min(normal_hint + len(matchable), len(folded))))
    )
    # With exact occurrences the choice is among them (and what lies at the
    # hint); searching the text for look-alikes is for passages reworded since.
    best, score, runner_up, note = _match(
        folded,
        matchable,
        prefix,
        suffix,
        normal_hint,
        mapped,
        trust_mapped=False,
        cuts=_cuts(matchable, prefix, suffix),
        exact=found,
        rough=[] if found else _passage_spans(folded, matchable),
    )
    if best is None:
        return Reanchored(Outcome.ORPHANED, None, score, runner_up, note)
    winner = selector_for(text, *_in_original(form, best.start, best.end))
    figures = f"score {best.score:.2f} (runner-up {runner_up:.2f})"
    if _normal(winner.quote) != _normal(quote):
        return Reanchored(
            Outcome.CHANGED, winner, best.score, runner_up, f"passage reworded; matched with {figures}"
        )
    outcome = Outcome.KEPT if hint is None or hint == winner.start else Outcome.MOVED
    return Reanchored(outcome, winner, best.score, runner_up, f"passage found with {figures}")


# Reasons (above) are written for analysts: scores, offsets, thresholds. Readers see
# these sentences instead, chosen by how the reason begins; a reason written by a
# person (an anchor note such as "Re-placed by hand") is shown as it is.
_NOT_FOUND = "We could not find this passage in the text as it is now"
_PLAIN_REASONS = (
    (
        "orphaned: nothing in the new text resembles the quote",
        _NOT_FOUND + ".",
    ),
    (
        "orphaned: best match",
        _NOT_FOUND + "; the closest passage differs too much to be sure.",
    ),
    (
        "orphaned: the closest passage keeps only",
        _NOT_FOUND + "; the closest passage keeps too few of its words to be sure.",
    ),
    (
        "orphaned: two candidates score",
        "The passage now appears in two places that look alike, and we could not tell which one was meant.",
    ),
    ("orphaned: the passage is longer than", "The passage is too long to look up."),
    (
        "orphaned: the passage occurs more than",
        "These words occur too many times in the text to tell which place was meant; "
        "a link needs a longer passage.",
    ),
    ("orphaned: the passage's quote is empty", "The link quotes no text."),
    ("orphaned:", _NOT_FOUND + "."),
    ("quote unchanged and in the same place", "The passage is unchanged."),
    (
        "quote followed the edit to",
        "The passage was found again; only how some of its characters are written changed.",
    ),
    ("quote moved with the edit", "The passage was found again where the correction moved it."),
    ("quote reworded", "The passage was found again, reworded a little by a correction."),
    ("quote found in the same place", "The passage was found again in the same place."),
    ("quote found at", "The passage was found again elsewhere in the text."),
    ("passage found once, at", "The text has changed since the link was made; the passage was found again."),
    (
        "passage reworded",
        "The text has changed since the link was made; the passage was found again, reworded a little.",
    ),
    (
        "passage found with",
        "The text has changed since the link was made; the passage was found again by its surroundings.",
    ),
)
_LOOK_ALIKE = "(chosen over a look-alike because the edit aligns with it)"


def plain_reason(reason: str) -> str:
    """A re-anchoring or passage-lookup ``reason`` in plain words for readers (no scores,
    offsets or thresholds); a reason this module did not write comes back unchanged."""
    for start, sentence in _PLAIN_REASONS:
        if reason.startswith(start):
            if _LOOK_ALIKE in reason:
                sentence += (
                    " A similar passage was passed over because the correction lines up with this one."
                )
            return sentence
    return reason

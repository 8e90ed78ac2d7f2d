"""Selectors for passages of a document's reading text, and finding them again.

A passage is described twice, as the W3C Web Annotation model does: by its
exact quote with some context before and after (TextQuoteSelector) and by
character offsets into the text (TextPositionSelector). Offsets are Python
string indices (Unicode code points). This module knows nothing of Django.
"""

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote as _percent_quote
from urllib.parse import unquote as _percent_unquote

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


def find_quote(text, quote, prefix="", suffix=""):
    """Locate ``quote`` in ``text``, narrowed by optional prefix/suffix context.

    Returns a :class:`Selector` when the quote occurs exactly once (after the
    context is applied). Never guesses: raises :class:`QuoteNotFound` or
    :class:`QuoteAmbiguous` with a message an analyst can act on.
    """
    if not quote:
        raise QuoteNotFound("The quote is empty.")
    positions = occurrences(text, quote)
    if not positions:
        raise QuoteNotFound(
            f"“{excerpt(quote, 60)}” does not occur in the document's text. Check spelling, "
            "quotation marks and spaces: the quote must be copied exactly."
        )
    narrowed = [p for p in positions if fits_context(text, p, p + len(quote), prefix, suffix)]
    if not narrowed:
        raise QuoteNotFound(
            f"“{excerpt(quote, 60)}” occurs {len(positions)} time(s), but never with the given "
            "prefix and suffix."
        )
    if len(narrowed) > 1:
        raise QuoteAmbiguous(
            f"“{excerpt(quote, 60)}” occurs {len(narrowed)} times. Add a few words of the text just "
            "before it (prefix) or after it (suffix) so it matches only once.",
            narrowed,
        )
    start = narrowed[0]
    return selector_for(text, start, start + len(quote))


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
NEARNESS_SCALE = 200
MAX_EXACT_CANDIDATES = 200
FUZZY_CANDIDATES = 6
FUZZY_CUTOFF = 55
TEXT_FRAGMENT_LONG = 80
TEXT_FRAGMENT_WORDS = 4
TEXT_FRAGMENT_CONTEXT_WORDS = 3

_WORDISH = re.compile(r"\w+|[^\w\s]")


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
        segments = diff.opcodes(old_text, new_text, split_replace=False)
        # Segments with an empty old side (pure insertions) never contain an
        # old offset; the rest partition the old text, so bisect finds them.
        self.segments = [s for s in segments if s[2] > s[1]]
        self._starts = [s[1] for s in self.segments]
        self._ends = [s[2] for s in self.segments]

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


class _Identity:
    """Stands in for a PositionMap when the old text is unknown: the old
    offsets are only a hint, never a reason to prefer one look-alike."""

    aligned = False

    def map_span(self, start, end):
        return start, end


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


def _score(text, quote, prefix, suffix, start, end, hint):
    span = text[start:end]
    quote_similarity = 1.0 if span == quote else Indel.normalized_similarity(quote, span)
    prefix_similarity = _context_similarity(prefix, text[max(0, start - len(prefix)) : start], from_end=True)
    suffix_similarity = _context_similarity(suffix, text[end : end + len(suffix)], from_end=False)
    quote_weight = QUOTE_WEIGHT * len(quote)
    content = (
        quote_weight * quote_similarity + len(prefix) * prefix_similarity + len(suffix) * suffix_similarity
    ) / (quote_weight + len(prefix) + len(suffix))
    if hint is None:
        return content, quote_similarity
    nearness = 1 / (1 + abs(start - hint) / NEARNESS_SCALE)
    return (1 - POSITION_WEIGHT) * content + POSITION_WEIGHT * nearness, quote_similarity


def _word_starts_and_ends(text, low, high):
    starts, ends = [], []
    for match in _WORDISH.finditer(text, low, high):
        s, e = match.span()
        # A token cut by the window edge is not a real word boundary.
        if s > low or s == 0 or not (text[s - 1].isalnum() or text[s - 1] == "_"):
            starts.append(s)
        if e < high or e == len(text) or not (text[e].isalnum() or text[e] == "_"):
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
    found.sort(key=lambda item: (-item[0], item[1]))
    spans = []
    for _score_value, s, e in found:
        if all(e <= s2 or s >= e2 for s2, e2 in spans):
            spans.append((s, e))
        if len(spans) == FUZZY_CANDIDATES:
            break
    return spans


def _overlaps(a_start, a_end, b_start, b_end):
    return a_start < b_end and b_start < a_end


def _match(text, quote, prefix, suffix, hint, mapped, *, trust_mapped, rough=None):
    """Score every plausible span for the quote and pick one, or explain why not.

    ``rough`` are approximate spans to consider besides the exact
    occurrences; by default the whole text is searched for them.
    Returns (winner or None, best score, runner-up score, note).
    """
    spans = {}
    for start in occurrences(text, quote, MAX_EXACT_CANDIDATES):
        spans[(start, start + len(quote))] = True
    rough = list(_fuzzy_spans(text, quote)) if rough is None else list(rough)
    if mapped is not None:
        low = max(0, min(mapped) - len(quote))
        high = min(len(text), max(mapped) + len(quote))
        rough.extend(_fuzzy_spans(text, quote, low, high)[:2])
    for start, end in rough:
        spans[_snap(text, quote, start, end)] = True

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


def _reanchor(selector, new_text, position_map):
    quote = selector.quote
    if not quote:
        raise ValueError("The selector's quote is empty; there is nothing to re-anchor.")
    mapped_start, mapped_end = position_map.map_span(selector.start, selector.end)
    # An edit right at one end of the quote can be aligned either side of
    # the boundary (deleting "ab" from "abab" is ambiguous), so the quote may
    # sit flush against either mapped end rather than between both.
    candidates = (
        (mapped_start, mapped_end),
        (mapped_start, mapped_start + len(quote)),
        (mapped_end - len(quote), mapped_end),
    )
    start, end = next(
        ((a, b) for a, b in candidates if 0 <= a < b <= len(new_text) and new_text[a:b] == quote),
        (mapped_start, mapped_end),
    )
    if 0 <= start < end <= len(new_text) and new_text[start:end] == quote:
        moved = (start, end) != (selector.start, selector.end)
        reason = (
            f"quote moved with the edit from {selector.start}–{selector.end} to {start}–{end}"
            if moved
            else "quote unchanged and in the same place"
        )
        return Reanchored(
            Outcome.MOVED if moved else Outcome.KEPT, selector_for(new_text, start, end), 1.0, 0.0, reason
        )
    mapped = (max(0, min(start, len(new_text))), max(0, min(end, len(new_text))))
    winner, score, runner_up, note = _match(
        new_text,
        quote,
        selector.prefix,
        selector.suffix,
        mapped[0],
        mapped,
        trust_mapped=position_map.aligned,
    )
    if winner is None:
        return Reanchored(Outcome.ORPHANED, None, score, runner_up, note)
    new_selector = selector_for(new_text, winner.start, winner.end)
    figures = f"score {winner.score:.2f} (runner-up {runner_up:.2f})"
    if new_selector.quote != quote:
        return Reanchored(
            Outcome.CHANGED,
            new_selector,
            winner.score,
            runner_up,
            f"quote reworded; matched with {figures}{note}",
        )
    if (winner.start, winner.end) == (selector.start, selector.end):
        outcome, verb = Outcome.KEPT, "found in the same place"
    else:
        outcome, verb = Outcome.MOVED, f"found at {winner.start}–{winner.end}"
    return Reanchored(
        outcome, new_selector, winner.score, runner_up, f"quote {verb}; matched with {figures}{note}"
    )


def reanchor(selector: Selector, new_text: str, *, old_text: str | None = None) -> Reanchored:
    """Find ``selector``'s passage in ``new_text``.

    With ``old_text`` (the text the selector was made on) the edit between
    the two is used to follow the passage; without it the old offsets are
    only a hint. Raises ValueError for a selector without a quote.
    """
    position_map = PositionMap(old_text, new_text) if old_text is not None else _Identity()
    return _reanchor(selector, new_text, position_map)


def reanchor_all(selectors: Sequence[Selector], old_text: str, new_text: str) -> list[Reanchored]:
    """Re-anchor many selectors made on ``old_text``, diffing the texts once."""
    position_map = PositionMap(old_text, new_text)
    return [_reanchor(selector, new_text, position_map) for selector in selectors]


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
_WORD = re.compile(r"\w{4,}")


def _windows(text, quote):
    """Up to PASSAGE_WINDOWS ``(low, high)`` stretches of ``text`` where the quote's rarer words
    line up as they do in the quote, most agreeing words first."""
    words = {}
    for match in _WORD.finditer(quote):
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


def _passage_spans(text, quote, mapped, *, search):
    """Rough spans resembling ``quote``: near the position hint, and (with
    ``search``) where its rarer words are."""
    found = []
    if mapped is not None:
        low = max(0, min(mapped) - len(quote))
        high = min(len(text), max(mapped) + len(quote))
        found.extend(_fuzzy_spans(text, quote, low, high)[:2])
    if search:
        for low, high in _windows(text, quote):
            found.extend(_fuzzy_spans(text, quote, low, high)[:2])
    return found[:FUZZY_CANDIDATES]


def locate_passage(
    text: str, quote: str, prefix: str = "", suffix: str = "", hint: int | None = None
) -> Reanchored:
    """Find a shared passage (``?passage=`` links) in ``text``, with bounded work.

    The quote found exactly, once once the context is applied, gives KEPT
    (MOVED when ``hint`` names another offset); a close but not identical
    passage gives CHANGED; anything doubtful gives ORPHANED with the reason.
    Quotes over PASSAGE_MAX_CHARS are refused (ORPHANED); longer context is
    cut to PASSAGE_CONTEXT_MAX_CHARS next to the quote.
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
    found = occurrences(text, quote, MAX_EXACT_CANDIDATES + 1)
    exact = [p for p in found if fits_context(text, p, p + len(quote), prefix, suffix)]
    if len(exact) == 1:
        winner = selector_for(text, exact[0], exact[0] + len(quote))
        outcome = Outcome.KEPT if hint is None or hint == exact[0] else Outcome.MOVED
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
        None if hint is None else (max(0, min(hint, len(text))), max(0, min(hint + len(quote), len(text))))
    )
    # With exact occurrences the choice is among them (and what lies at the
    # hint); searching the text for look-alikes is for passages reworded since.
    rough = _passage_spans(text, quote, mapped, search=not found)
    best, score, runner_up, note = _match(
        text,
        quote,
        prefix,
        suffix,
        None if hint is None else mapped[0],
        mapped,
        trust_mapped=False,
        rough=rough,
    )
    if best is None:
        return Reanchored(Outcome.ORPHANED, None, score, runner_up, note)
    winner = selector_for(text, best.start, best.end)
    figures = f"score {best.score:.2f} (runner-up {runner_up:.2f})"
    if winner.quote != quote:
        return Reanchored(
            Outcome.CHANGED, winner, best.score, runner_up, f"passage reworded; matched with {figures}"
        )
    outcome = Outcome.KEPT if hint is None or hint == best.start else Outcome.MOVED
    return Reanchored(outcome, winner, best.score, runner_up, f"passage found with {figures}")


def _fragment_encode(piece):
    # quote() leaves "-" alone (it is unreserved in URLs) but it is syntax in
    # a text directive, as are "," and "&".
    return _percent_quote(piece, safe="").replace("-", "%2D")


def text_fragment(selector: Selector) -> str:
    """The value of a ``#:~:text=`` directive that highlights the passage.

    Long quotes are given by their first and last words (textStart,textEnd);
    a few whole words of context on each side disambiguate repeated quotes.
    Whitespace is collapsed, as browsers match against rendered text.
    """
    quote = " ".join(selector.quote.split())
    if not quote:
        raise ValueError("The selector's quote is empty; there is no passage to link to.")
    words = quote.split(" ")
    if len(quote) > TEXT_FRAGMENT_LONG and len(words) > 2 * TEXT_FRAGMENT_WORDS:
        text_start = " ".join(words[:TEXT_FRAGMENT_WORDS])
        text_end = " ".join(words[-TEXT_FRAGMENT_WORDS:])
    else:
        text_start, text_end = quote, ""
    prefix_words = selector.prefix.split()
    # A context of full length was cut from the text and may start mid-word.
    if len(selector.prefix) >= CONTEXT_LENGTH and prefix_words and not selector.prefix[0].isspace():
        prefix_words = prefix_words[1:]
    suffix_words = selector.suffix.split()
    if len(selector.suffix) >= CONTEXT_LENGTH and suffix_words and not selector.suffix[-1].isspace():
        suffix_words = suffix_words[:-1]
    prefix = " ".join(prefix_words[-TEXT_FRAGMENT_CONTEXT_WORDS:])
    suffix = " ".join(suffix_words[:TEXT_FRAGMENT_CONTEXT_WORDS])
    parts = []
    if prefix:
        parts.append(_fragment_encode(prefix) + "-")
    parts.append(_fragment_encode(text_start))
    if text_end:
        parts.append(_fragment_encode(text_end))
    if suffix:
        parts.append("-" + _fragment_encode(suffix))
    return ",".join(parts)


def parse_text_fragment(value: str) -> tuple[str, str, str, str]:
    """Split a text directive value into (prefix, textStart, textEnd, suffix),
    decoded; absent parts are ``""``. Raises ValueError when malformed."""
    parts = value.split(",")
    prefix = suffix = ""
    if parts and parts[0].endswith("-"):
        prefix = _percent_unquote(parts.pop(0)[:-1])
    if parts and parts[-1].startswith("-"):
        suffix = _percent_unquote(parts.pop()[1:])
    if len(parts) not in (1, 2) or not all(parts) or any("-" in part for part in parts):
        raise ValueError(
            f"“{excerpt(value, 60)}” is not a text fragment: expected [prefix-,]start[,end][,-suffix]."
        )
    text_start = _percent_unquote(parts[0])
    text_end = _percent_unquote(parts[1]) if len(parts) == 2 else ""
    return prefix, text_start, text_end, suffix

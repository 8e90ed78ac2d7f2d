"""Selectors for passages of a document's reading text, and finding them again.

A passage is described twice, as the W3C Web Annotation model does: by its
exact quote with some context before and after (TextQuoteSelector) and by
character offsets into the text (TextPositionSelector). Offsets are Python
string indices (Unicode code points). This module knows nothing of Django.
"""

from dataclasses import dataclass

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
            f"The span {start}–{end} covers {end - start} characters but the quote has "
            f"{len(selector.quote)}."
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


def occurrences(text, needle):
    """Start offsets of every (possibly overlapping) occurrence of ``needle``."""
    found = []
    position = text.find(needle)
    while position != -1:
        found.append(position)
        position = text.find(needle, position + 1)
    return found


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
    narrowed = [
        p
        for p in positions
        if text[:p].endswith(prefix) and text[p + len(quote) :].startswith(suffix)
    ]
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

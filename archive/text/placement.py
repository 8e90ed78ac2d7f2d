"""Placing a quote that comes from another tool (an imported annotation) in a reading text.

An annotation made elsewhere describes its passage by a quote with some
context (TextQuoteSelector) and perhaps by offsets (TextPositionSelector).
The offsets count characters of whatever text that tool saw: for Hypothesis
the ``textContent`` of a whole web page (menus included, in UTF-16 units),
never this archive's reading text. So they are used only when the caller
says they count characters of this very text (``position``, e.g. a W3C
annotation exported by Margins whose target is the archive's own copy);
otherwise the quote and its context decide alone.

The rule is the one re-anchoring keeps (docs/anchoring.md): never attach a
quote to a look-alike passage. The quote is placed when it is found exactly
(in normal form, NFC with "\\n" line endings) once, or once with its context,
or when the project's passage search (``anchoring.locate_passage``) picks one
of several occurrences by their context with a clear margin; a passage that
differs only in quotation marks, dashes or spacing is placed too. A reworded
passage is not: there is no edit history to vouch for it, as a text
correction has, so the quote is left unplaced with the reason.
"""

import unicodedata
from dataclasses import dataclass

from archive.text import anchoring


@dataclass(frozen=True)
class Placement:
    """Where a quote goes (``selector``), or None; ``reason`` says how it was found or why not."""

    selector: anchoring.Selector | None
    reason: str

    @property
    def placed(self):
        return self.selector is not None


def _words(text):
    """``text`` as its words: normal form, typographic variants folded, any run of spaces one space."""
    return " ".join(anchoring.fold(unicodedata.normalize("NFC", text)).split())


def place(text, quote, prefix="", suffix="", position=None):
    """A :class:`Placement` of ``quote`` (with its ``prefix`` and ``suffix``) in ``text``.

    ``position`` is ``(start, end)`` only when those offsets count characters
    of ``text`` itself; then a quote found exactly there is placed there even
    if it recurs, and a position without a quote is placed as it is.
    """
    if position is not None:
        start, end = position
        in_text = 0 <= start < end <= len(text)
        if not quote:
            if in_text:
                return Placement(
                    anchoring.selector_for(text, start, end), "placed by its position alone (no quote given)"
                )
            return Placement(None, f"no quote, and its position {start}–{end} lies outside the text")
        if in_text and text[start:end] == quote:
            return Placement(anchoring.selector_for(text, start, end), f"found at its position {start}–{end}")
    if not quote:
        return Placement(None, "no quote")

    if prefix or suffix:
        try:
            found = anchoring.find_quote(text, quote, prefix, suffix)
            return Placement(found, f"found once with its context, at {found.start}–{found.end}")
        except (anchoring.QuoteNotFound, anchoring.QuoteAmbiguous):
            pass
    try:
        found = anchoring.find_quote(text, quote)
        how = "its context differs" if prefix or suffix else "no context given"
        return Placement(found, f"found once ({how}), at {found.start}–{found.end}")
    except anchoring.QuoteAmbiguous as error:
        repeated = error
    except anchoring.QuoteNotFound:
        repeated = None

    if len(quote) > anchoring.PASSAGE_MAX_CHARS:
        if repeated is not None:
            return Placement(
                None, f"occurs {len(repeated.positions)} times and its context does not say which one"
            )
        return Placement(None, "does not occur in the reading text")
    hint = position[0] if position is not None else None
    result = anchoring.locate_passage(text, quote, prefix, suffix, hint=hint)
    if result.selector is None:
        if repeated is not None:
            return Placement(
                None,
                f"occurs {len(repeated.positions)} times and its context does not say which one "
                f"({result.reason})",
            )
        return Placement(None, f"does not occur in the reading text ({result.reason})")
    if result.outcome is anchoring.Outcome.CHANGED and _words(result.selector.quote) != _words(quote):
        return Placement(
            None,
            f"does not occur in the reading text; the closest passage is reworded "
            f"(“{anchoring.excerpt(result.selector.quote, 80)}”, {result.reason})",
        )
    found = result.selector
    if unicodedata.normalize("NFC", found.quote) == unicodedata.normalize("NFC", quote):
        return Placement(found, f"found by its context, at {found.start}–{found.end} ({result.reason})")
    return Placement(found, f"found at {found.start}–{found.end} with different quotation marks or spaces")

"""The search box's syntax, the text the index holds, and safe snippets.

Pure: plain strings in, plain strings (or escaped HTML) out. The database
side (``archive.search``) turns the parsed terms into an FTS5 MATCH
expression or PostgreSQL tsqueries; nothing a user types reaches either
engine's own query syntax.

Syntax, the same on every database:

- ``word word`` — every word must occur (AND);
- ``"a phrase"`` — the words in this order (an unclosed quote runs to the end);
- ``word*`` — any word starting with ``word`` (also ``"a phra"*``);
- ``-word`` / ``-"a phrase"`` — leave out what contains it.

Everything else is text: ``OR``, ``NEAR(``, ``:``, ``^`` search for
themselves or, when they hold no letter or digit, are ignored.

``normalize`` folds what readers type differently from how texts are
written — Arabic diacritics (harakat) and tatweel are dropped; Arabic and
Persian forms of yeh and kaf, hamza forms of alef and heh-with-yeh are made
one letter; ё is е; Arabic-Indic digits are ASCII digits — by deleting or
replacing single characters only, so a position in the normalized text maps
back to the original (``snippet_html`` shows the original text).
"""

import bisect
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Snippet markers: Unicode noncharacters, which ``normalize`` removes from
# every indexed text, so a marker in an engine's output was put there by it.
MARK_START = "\ufdd0"
MARK_END = "\ufdd1"
ELLIPSIS = "\ufdd2"
# PostgreSQL's ts_headline leaves out anything that looks like an HTML tag, so
# the text it is given has "<" replaced by this look-alike (one for one).
HEADLINE_LT = "\u2039"

MAX_TERMS = 16

# Deleted: Arabic marks (harakat, Quranic annotation signs), tatweel, soft hyphen.
_DELETED = (
    "\u00ad\u0640"
    + "".join(map(chr, range(0x0610, 0x061B)))
    + "".join(map(chr, range(0x064B, 0x0660)))
    + "\u0670"
    + "".join(map(chr, range(0x06D6, 0x06DD)))
    + "".join(map(chr, range(0x06DF, 0x06E5)))
    + "\u06e7\u06e8"
    + "".join(map(chr, range(0x06EA, 0x06EE)))
)
# Replaced one for one. Control characters, noncharacters and lone surrogates
# become spaces (word breaks), so the snippet markers never occur in indexed text.
_REPLACED = {
    "\u06cc": "\u064a",  # Persian yeh → Arabic yeh
    "\u0649": "\u064a",  # alef maksura → yeh
    "\u06a9": "\u0643",  # Persian kaf (keheh) → Arabic kaf
    "\u06c0": "\u0647",  # heh with yeh above → heh
    "\u0623": "\u0627",  # alef with hamza above
    "\u0625": "\u0627",  # alef with hamza below
    "\u0622": "\u0627",  # alef with madda
    "\u0671": "\u0627",  # alef wasla
    "\u0451": "\u0435",  # ё → е
    "\u0401": "\u0415",  # Ё → Е
    **{chr(0x0660 + n): str(n) for n in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + n): str(n) for n in range(10)},  # Persian digits
    **{chr(n): " " for n in range(0x20) if chr(n) not in "\t\n\r"},
    "\x7f": " ",
    **{chr(n): " " for n in range(0xFDD0, 0xFDF0)},
    "\ufffe": " ",
    "\uffff": " ",
    **{chr(n): " " for n in range(0xD800, 0xE000)},
}
_TABLE = str.maketrans({**_REPLACED, **dict.fromkeys(_DELETED)})
_DELETED_RE = re.compile("[" + re.escape(_DELETED) + "]")


def normalize(text: str) -> str:
    """The text as the index holds it (and as a query term is looked up)."""
    return text.translate(_TABLE)


class _PositionMap:
    """Maps an index into ``normalize(original)`` back to an index into ``original``."""

    def __init__(self, original):
        deleted = [match.start() for match in _DELETED_RE.finditer(original)]
        # kept_before[j]: how many kept characters precede the j-th deleted one.
        self.kept_before = [position - j for j, position in enumerate(deleted)]
        self.original_length = len(original)
        self.length = len(original) - len(deleted)

    def start(self, n):
        """Original index of the normalized character ``n``."""
        return n + bisect.bisect_right(self.kept_before, n)

    def end(self, n):
        """Original index where a span ending before normalized ``n`` ends (keeps trailing marks)."""
        return self.original_length if n >= self.length else self.start(n)


# --- Queries ---------------------------------------------------------------


class SearchSyntaxError(ValueError):
    """A search that cannot be run; the message is meant for the reader."""


@dataclass(frozen=True)
class Term:
    text: str  # normalized; one word, or several words that must be adjacent
    prefix: bool = False
    negated: bool = False


_TOKEN = re.compile(
    r"""
    (?P<negated>-?)
    (?:
        "(?P<phrase>[^"]*)"?   # a quoted phrase; an unclosed quote runs to the end
      | (?P<word>[^\s"]+)      # or a bare word (stops at a quote)
    )
    """,
    re.VERBOSE,
)


def _words(text):
    """A term's text, normalized, its whitespace collapsed (each engine splits it into words)."""
    return " ".join(normalize(text).split())


def _has_word_character(text):
    return any(character.isalnum() for character in text)


def parse(query: str) -> list[Term]:
    """The terms of a search box query; raises SearchSyntaxError saying why it cannot be run."""
    if "\x00" in query or any("\ud800" <= character <= "\udfff" for character in query):
        raise SearchSyntaxError(
            "The search contains a character that cannot be searched for (a NUL or a lone surrogate)."
        )
    terms = []
    position = 0
    while True:
        while position < len(query) and query[position].isspace():
            position += 1
        if position >= len(query):
            break
        match = _TOKEN.match(query, position)
        if match is None:  # a lone "-" before a space
            position += 1
            continue
        position = match.end()
        raw = match.group("phrase") if match.group("phrase") is not None else match.group("word")
        prefix = False
        if match.group("word") is not None:
            stripped = raw.rstrip("*")
            prefix = stripped != raw
            raw = stripped
        elif position < len(query) and query[position] == "*":
            prefix = True
            while position < len(query) and query[position] == "*":
                position += 1
        text = _words(raw)
        if not _has_word_character(text):
            continue
        terms.append(Term(text, prefix=prefix, negated=bool(match.group("negated"))))
    if not terms:
        raise SearchSyntaxError(
            "There is nothing to search for: use words, “a phrase” in quotes, word* or -word."
        )
    if all(term.negated for term in terms):
        raise SearchSyntaxError("Give a word to look for; -word only leaves words out.")
    if len(terms) > MAX_TERMS:
        raise SearchSyntaxError(f"A search can have at most {MAX_TERMS} words and phrases.")
    return terms


def fts5_string(term: Term) -> str:
    """One term as an FTS5 string (always quoted: nothing inside is FTS5 syntax)."""
    quoted = '"' + term.text.replace('"', '""') + '"'
    return quoted + "*" if term.prefix else quoted


def fts5_match(terms: list[Term]) -> str:
    """An FTS5 MATCH expression: every positive term, none of the negated ones."""
    positive = [fts5_string(term) for term in terms if not term.negated]
    negative = [fts5_string(term) for term in terms if term.negated]
    expression = "(" + " AND ".join(positive) + ")"
    for term in negative:
        expression += " NOT " + term
    return expression


# --- Snippets --------------------------------------------------------------


def _marked_spans(fragment):
    """``(plain text, [(start, end)])`` of a fragment carrying MARK_START/MARK_END markers."""
    plain, spans, opened = [], [], None
    length = 0
    for character in fragment:
        if character == MARK_START:
            if opened is None:
                opened = length
        elif character == MARK_END:
            if opened is not None and length > opened:
                spans.append((opened, length))
            opened = None
        elif character != ELLIPSIS:
            plain.append(character)
            length += 1
    if opened is not None and length > opened:
        spans.append((opened, length))
    return "".join(plain), spans


def _html(text, spans, start, end, *, before, after):
    parts = ["…"] if before else []
    cursor = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, cursor), min(span_end, end)
        if span_start >= span_end:
            continue
        parts.append(escape(text[cursor:span_start]))
        parts.append("<mark>" + escape(text[span_start:span_end]) + "</mark>")
        cursor = span_end
    parts.append(escape(text[cursor:end]))
    if after:
        parts.append("…")
    return mark_safe("".join(parts))  # noqa: S308 — every piece of text was escaped above


def snippet_html(fragment: str, original: str = "") -> SafeString:
    """A search engine's snippet as safe HTML, with the matches in ``<mark>``.

    ``fragment`` is a piece of ``normalize(original)`` in which the engine put
    MARK_START/MARK_END around matches (and ELLIPSIS where it cut). The HTML
    shows the same piece of ``original`` — diacritics and letter forms as
    written — escaped, with ``<mark>`` added here: the engine's output is
    never trusted as HTML. When the piece cannot be found in ``original``
    (the index is older than the text), the fragment itself is shown, escaped.
    """
    plain, spans = _marked_spans(fragment)
    if not plain.strip():
        return mark_safe("")
    normalized = normalize(original) if original else ""
    at = normalized.replace("<", HEADLINE_LT).find(plain.replace("<", HEADLINE_LT)) if normalized else -1
    if at < 0:
        return _html(
            plain,
            spans,
            0,
            len(plain),
            before=fragment.startswith(ELLIPSIS),
            after=fragment.endswith(ELLIPSIS),
        )
    positions = _PositionMap(original)
    start, end = positions.start(at), positions.end(at + len(plain))
    original_spans = [(positions.start(at + s), positions.end(at + e)) for s, e in spans]
    return _html(original, original_spans, start, end, before=start > 0, after=end < len(original))

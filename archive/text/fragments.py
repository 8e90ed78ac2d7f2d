"""Text fragment directives (``#:~:text=``) that a browser resolves to one place.

A browser highlights the *first* range of the page that a directive matches
(WICG Text Fragments, "find a range from a text directive"), so a directive
that names only a repeated phrase marks the wrong occurrence. The builder here
adds words of context before (``prefix-,``) and after (``,-suffix``) until the
directive matches nothing but the passage, checking itself with the same
matching rules a browser applies: case-insensitive, each term starting or
ending at a word boundary where the specification asks for one, whitespace
skipped between the prefix and the passage and between the passage and the
suffix.

The document's reading text is shown with ``white-space: pre-wrap``, so the
browser searches the text as stored; no term spans a line break (a line break
may end the block the browser searches in), which is why a passage that
crosses one is named by its first and last line (``textStart,textEnd``).

This module knows nothing of Django.
"""

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote as _percent_quote
from urllib.parse import unquote as _percent_unquote

# A passage longer than this (in characters) is named by its first and last words.
LONG_PASSAGE = 80
EDGE_WORDS = 4
MAX_EDGE_WORDS = 10
# (words before, words after) tried in turn until the directive is unambiguous; words
# after first, since a highlight opening at the passage may put a label before it.
CONTEXTS = ((0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 1), (2, 0), (2, 2), (3, 0), (3, 3), (5, 5), (8, 8))
# Characters that join two words into one (don't, 3.5) in Unicode word segmentation.
_JOINERS = frozenset("'’.·\u2027")


@dataclass(frozen=True)
class Directive:
    prefix: str
    start: str
    end: str
    suffix: str

    @property
    def value(self):
        """The directive as it is written after ``:~:text=``."""
        parts = []
        if self.prefix:
            parts.append(encode(self.prefix) + "-")
        parts.append(encode(self.start))
        if self.end:
            parts.append(encode(self.end))
        if self.suffix:
            parts.append("-" + encode(self.suffix))
        return ",".join(parts)


def encode(piece):
    # quote() leaves "-" alone (it is unreserved in URLs) but it is syntax in a
    # text directive, as are "," and "&" (which quote(safe="") encodes).
    return _percent_quote(piece, safe="").replace("-", "%2D")


def parse(value):
    """A directive value as a ``Directive`` (decoded); raises ValueError when malformed."""
    parts = value.split(",")
    prefix = suffix = ""
    if parts and parts[0].endswith("-"):
        prefix = _percent_unquote(parts.pop(0)[:-1])
    if parts and parts[-1].startswith("-"):
        suffix = _percent_unquote(parts.pop()[1:])
    if len(parts) not in (1, 2) or not all(parts) or any("-" in part for part in parts):
        shown = value if len(value) <= 60 else value[:59] + "…"
        raise ValueError(f"“{shown}” is not a text fragment: expected [prefix-,]start[,end][,-suffix].")
    start = _percent_unquote(parts[0])
    end = _percent_unquote(parts[1]) if len(parts) == 2 else ""
    return Directive(prefix, start, end, suffix)


def _is_word_character(character):
    return unicodedata.category(character)[0] in "LNM" or character == "_"


def is_boundary(text, index):
    """Whether a word boundary lies before ``text[index]`` (an approximation of
    Unicode word segmentation good enough for alphabetic scripts)."""
    if index <= 0 or index >= len(text):
        return True
    before, after = text[index - 1], text[index]
    if _is_word_character(before) and _is_word_character(after):
        return False
    if after in _JOINERS and _is_word_character(before):
        return not (index + 1 < len(text) and _is_word_character(text[index + 1]))
    if before in _JOINERS and _is_word_character(after):
        return not (index >= 2 and _is_word_character(text[index - 2]))
    return True


def fold(text):
    """``text`` in lower case, one character for one (so offsets stay valid)."""
    return "".join(lower if len(lower := character.lower()) == 1 else character for character in text)


class Matcher:
    """Every range of ``text`` a directive matches, by the specification's rules."""

    def __init__(self, text):
        self.text = text
        self.folded = fold(text)

    def _find(self, term, position, *, start_bounded, end_bounded):
        term = fold(term)
        while True:
            found = self.folded.find(term, position)
            if found < 0:
                return -1
            if (not start_bounded or is_boundary(self.text, found)) and (
                not end_bounded or is_boundary(self.text, found + len(term))
            ):
                return found
            position = found + 1

    def _skip_space(self, position):
        while position < len(self.text) and self.text[position].isspace():
            position += 1
        return position

    def _completed(self, directive, start, start_end):
        """The range that a textStart match at ``start`` grows into, or None."""
        position = end = start_end
        while True:
            if directive.end:
                found = self._find(directive.end, position, start_bounded=True, end_bounded=True)
                if found < 0:
                    return None
                end = found + len(directive.end)
            if not directive.suffix:
                return (start, end)
            after = self._skip_space(end)
            if self.folded.startswith(fold(directive.suffix), after) and is_boundary(
                self.text, after + len(directive.suffix)
            ):
                return (start, end)
            if not directive.end:
                return None
            position = end

    def ranges(self, directive, limit=2):
        """Up to ``limit`` ranges, in document order; the first is the one a browser highlights."""
        found, position = [], 0
        lone_start = not directive.end
        while len(found) < limit:
            if directive.prefix:
                prefix_at = self._find(directive.prefix, position, start_bounded=True, end_bounded=False)
                if prefix_at < 0:
                    break
                position = prefix_at + 1
                start = self._skip_space(prefix_at + len(directive.prefix))
                if not self.folded.startswith(fold(directive.start), start):
                    continue
                if lone_start and not is_boundary(self.text, start + len(directive.start)):
                    continue
            else:
                start = self._find(directive.start, position, start_bounded=True, end_bounded=lone_start)
                if start < 0:
                    break
                position = start + 1
            completed = self._completed(directive, start, start + len(directive.start))
            if completed is not None and completed not in found:
                found.append(completed)
        return found


def _snapped(text, start, end):
    """The span trimmed of outer spaces and widened to whole words."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise ValueError("The passage is empty or only spaces; there is nothing to link to.")
    while not is_boundary(text, start):
        start -= 1
    while not is_boundary(text, end):
        end += 1
    return start, end


_TOKEN = re.compile(r"[^\s]+")


def _words_before(text, position, count):
    """Where the last ``count`` space-separated words before ``position`` on its line begin."""
    line_start = text.rfind("\n", 0, position) + 1
    tokens = [match.start() for match in _TOKEN.finditer(text, line_start, position)]
    return tokens[-count] if len(tokens) >= count else line_start


def _words_after(text, position, count):
    """Where the first ``count`` space-separated words after ``position`` on its line end."""
    line_end = text.find("\n", position)
    line_end = len(text) if line_end < 0 else line_end
    tokens = [match.end() for match in _TOKEN.finditer(text, position, line_end)]
    return tokens[count - 1] if len(tokens) >= count else line_end


def _context(text, start, end, before, after):
    prefix = suffix = ""
    if before:
        edge = start
        while edge > 0 and text[edge - 1].isspace():
            edge -= 1
        if edge > 0:
            prefix = text[_words_before(text, edge, before) : edge].strip()
    if after:
        edge = end
        while edge < len(text) and text[edge].isspace():
            edge += 1
        if edge < len(text):
            suffix = text[edge : _words_after(text, edge, after)].strip()
    return prefix, suffix


def _edges(text, start, end):
    """(textStart, textEnd) candidates for the span, shortest first; textEnd is "" for one term."""
    span = text[start:end]
    if "\n" not in span and len(span) <= LONG_PASSAGE:
        yield span, ""
        return
    first_line_end = text.find("\n", start, end)
    last_line_start = text.rfind("\n", start, end) + 1 or start
    head_limit = end if first_line_end < 0 else first_line_end
    tail_start = start if last_line_start <= start else last_line_start
    words = len(span.split())
    for count in range(EDGE_WORDS, MAX_EDGE_WORDS + 1):
        if "\n" not in span and count * 2 >= words:
            yield span, ""
            return
        head = text[start : _words_after(text, start, count)][: head_limit - start].rstrip()
        tail = text[max(tail_start, _words_before(text, end, count)) : end].lstrip()
        if head and tail:
            yield head, tail


def build(text, start, end):
    """The directive for ``text[start:end]`` that matches that passage (widened to whole
    words, spaces trimmed) and, where some context makes it so, nothing else."""
    if not (0 <= start < end <= len(text)):
        raise ValueError(f"Span {start}–{end} is outside the text (length {len(text)}) or empty.")
    start, end = _snapped(text, start, end)
    matcher = Matcher(text)
    fallback = None
    for head, tail in _edges(text, start, end):
        for before, after in CONTEXTS:
            prefix, suffix = _context(text, start, end, before, after)
            if (before and not prefix) or (after and not suffix):
                continue
            directive = Directive(prefix, head, tail, suffix)
            ranges = matcher.ranges(directive)
            if ranges == [(start, end)]:
                return directive
            if fallback is None and ranges and ranges[0] == (start, end):
                fallback = directive
    if fallback is not None:
        return fallback
    prefix, suffix = _context(text, start, end, *CONTEXTS[-1])
    head, tail = next(iter(_edges(text, start, end)))
    return Directive(prefix, head, tail, suffix)

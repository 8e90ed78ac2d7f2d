"""An HTML comment from another tool as a note in the archive's Markdown subset.

Notes are stored as Markdown and rendered through ``sanitize.render_note``,
so an imported HTML body is turned back into that subset rather than stored
as HTML: paragraphs, line breaks, *emphasis*, **strong**, `code`, links with
an http(s) or mailto address, lists and quotes keep their meaning; any other
element keeps only its text; ``script``, ``style`` and the like are dropped
with their content, as are comments. Nothing in the result can become markup
except what the Markdown subset builds, and rendering sanitizes it again.

The subset has no backslash escapes, so text is written as it reads: a
literal ``2*3*4`` in the HTML's text renders as emphasis, as it would if an
analyst had typed it.
"""

import os
import re
from html.parser import HTMLParser

# Elements whose content is not text a reader saw.
_DROPPED = frozenset(
    {"script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math", "head", "title"}
)
_BLOCKS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "aside", "main", "nav", "figure", "figcaption"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "tr", "dl", "dt", "dd", "address", "hr"}
)
_INLINE = {"em": "*", "i": "*", "strong": "**", "b": "**"}
_SAFE_HREF = re.compile(r"^(?:https?://|mailto:)\S+$", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\n\r\f]+")
_BREAK = "\x00"  # a <br>; NUL never reaches here (it is dropped from the input first)


class _Converter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = []  # the note, line by line
        self.inline = []  # pieces of the block being read
        # Open quotes and list items, outermost first: ["quote"] or ["item", marker width, list depth].
        self.stack = []
        self.lists = []  # open lists: [ordered, items so far]
        self.marker = None  # the marker of a list item whose first line is not written yet
        self.tight = False  # the next block is a list item following its sibling: no blank line
        self.dropped = 0
        self.links = []  # per open <a>: (safe href or None, index in ``inline`` where its text starts)
        self.emphasis = []  # per open em/strong: (marker, index in ``inline`` of its opening marker)
        self.code = 0

    def _prefix(self, first_line):
        parts = ["> " if entry[0] == "quote" else " " * entry[1] for entry in self.stack]
        if first_line and self.marker is not None:
            parts[-1] = self.marker
        return "".join(parts)

    def _flush(self):
        text = _SPACES.sub(" ", "".join(self.inline))
        self.inline = []
        lines = [line.strip() for line in text.split(_BREAK)]
        while lines and not lines[-1]:
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        if not lines:
            return
        if self.lines and not (self.marker is not None and self.tight):
            # A blank line inside the containers this block shares with the one before it.
            shared = os.path.commonprefix([self.lines[-1], self._prefix(False)])
            self.lines.append(shared.rstrip() if set(shared) <= {">", " "} else "")
        for number, line in enumerate(lines):
            self.lines.append(self._prefix(number == 0) + line)
        self.marker = None
        self.tight = False

    def _close_items(self, depth):
        """Close the list items (and quotes inside them) of lists deeper than or at ``depth``."""
        while self.stack and any(entry[0] == "item" and entry[2] >= depth for entry in self.stack):
            self.stack.pop()

    def handle_starttag(self, tag, attrs):
        if tag in _DROPPED:
            self.dropped += 1
        if self.dropped:
            return
        if tag == "br":
            self.inline.append(_BREAK)
        elif tag in _BLOCKS:
            self._flush()
        elif tag in ("ul", "ol"):
            self._flush()
            self.lists.append([tag == "ol", 0])
        elif tag == "li" and self.lists:
            self._flush()
            depth = len(self.lists)
            self._close_items(depth)  # an item left open by an omitted </li>
            current = self.lists[-1]
            current[1] += 1
            self.marker = f"{current[1]}. " if current[0] else "- "
            # Items follow each other, and a nested list its parent item's text, without a blank line.
            self.tight = current[1] > 1 or any(entry[0] == "item" for entry in self.stack)
            self.stack.append(["item", len(self.marker), depth])
        elif tag == "blockquote":
            self._flush()
            self.stack.append(["quote"])
        elif tag in _INLINE and not self.code:
            self.emphasis.append((_INLINE[tag], len(self.inline)))
            self.inline.append(_INLINE[tag])
        elif tag == "code":
            self.code += 1
            if self.code == 1:
                self.inline.append("`")
        elif tag == "a" and not self.code:
            href = dict(attrs).get("href") or ""
            self.links.append((href if _SAFE_HREF.match(href) else None, len(self.inline)))

    def handle_endtag(self, tag):
        if tag in _DROPPED:
            self.dropped = max(0, self.dropped - 1)
            return
        if self.dropped:
            return
        if tag in _BLOCKS:
            self._flush()
        elif tag in ("ul", "ol") and self.lists:
            self._flush()
            self._close_items(len(self.lists))
            self.lists.pop()
        elif tag == "li" and self.lists:
            self._flush()
            self._close_items(len(self.lists))
            self.tight = True
        elif tag == "blockquote":
            self._flush()
            if self.stack and self.stack[-1][0] == "quote":
                self.stack.pop()
        elif tag in _INLINE and self.emphasis and not self.code:
            marker, start = self.emphasis.pop()
            content = "".join(self.inline[start + 1 :])
            words = content.strip()
            # Markdown emphasis must hug its words: spaces go outside the markers.
            lead, trail = content[: len(content) - len(content.lstrip())], content[len(content.rstrip()) :]
            self.inline[start:] = [lead, marker, words, marker, trail] if words else [content]
        elif tag == "code" and self.code:
            self.code -= 1
            if not self.code:
                self.inline.append("`")
        elif tag == "a" and self.links and not self.code:
            href, start = self.links.pop()
            label = "".join(self.inline[start:]).strip()
            if href is None or not label:
                return
            if label == href:
                self.inline[start:] = [href]  # a bare address: rendering links it again
            else:
                self.inline[start:] = ["[", label, "](", href.replace("(", "%28").replace(")", "%29"), ")"]

    def handle_data(self, data):
        if self.dropped:
            return
        if self.code:
            self.inline.append(data.replace("`", "'"))
        else:
            self.inline.append(data)

    def close(self):
        super().close()
        self._flush()
        return "\n".join(self.lines).strip("\n")


def html_to_note(value: str) -> str:
    """``value`` (an HTML fragment) as a note in the archive's Markdown subset."""
    converter = _Converter()
    converter.feed(value.replace(_BREAK, ""))
    return converter.close()

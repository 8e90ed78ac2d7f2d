"""Turn a reading text and the spans highlighted in it into HTML.

Highlights may overlap and nest, which HTML elements cannot. So the text is
cut at every highlight boundary and each piece is wrapped in one ``<mark>`` per
highlight covering it, always nested in the same order. A highlight therefore
becomes several ``<mark>`` elements sharing its ``data-key``; its first piece
carries the anchor id and the screen-reader label.

Script on the reader computes character offsets by walking text nodes, so
every node added that is not part of the text is marked ``data-offset-ignore``.
This module knows nothing of Django requests or models.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# Extra attributes are written by our own code, but a name is never escaped,
# so anything that is not a plain attribute name is refused outright.
_ATTRIBUTE_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_RESERVED_ATTRIBUTES = {"id", "class", "data-key"}


@dataclass(frozen=True)
class Highlight:
    key: str
    start: int
    end: int
    classes: str = ""
    label: str = ""
    anchor_id: str = ""
    attrs: tuple[tuple[str, str], ...] = ()


def _check(text, highlight):
    if not (0 <= highlight.start < highlight.end <= len(text)):
        raise ValueError(
            f"Highlight {highlight.key!r} spans {highlight.start}–{highlight.end}, which is empty or "
            f"outside the text (length {len(text)})."
        )
    for name, _value in highlight.attrs:
        if not _ATTRIBUTE_NAME.match(name) or name in _RESERVED_ATTRIBUTES:
            raise ValueError(
                f"Highlight {highlight.key!r} has an attribute name that is not allowed: {name!r}."
            )


def _open_mark(highlight, first, last):
    classes = ["hl", *highlight.classes.split()]
    if first:
        classes.append("hl-start")
    if last:
        classes.append("hl-end")
    anchor = format_html(' id="{}"', highlight.anchor_id) if first and highlight.anchor_id else ""
    extra = format_html_join("", ' {}="{}"', highlight.attrs)
    label = ""
    if first and highlight.label:
        label = format_html('<span class="sr-only" data-offset-ignore>{}: </span>', highlight.label)
    return format_html(
        '<mark{} data-key="{}" class="{}"{}>{}', anchor, highlight.key, " ".join(classes), extra, label
    )


def _open_compact_mark(highlight, first):
    """A short ``<mark>`` for pages that show thousands of highlights side by side: no
    ``hl`` class (the page styles every ``<mark>`` of its texts), no start/end classes and
    no screen-reader label (the page describes its highlights once). The first piece
    carries the anchor id, which names the highlight, and the extra attributes; only the
    continuation pieces of a highlight split across elements carry ``data-key`` (the first
    one too when the highlight has no anchor id)."""
    classes = " ".join(highlight.classes.split())
    classes = f' class="{escape(classes)}"' if classes else ""
    key = f' data-key="{escape(highlight.key)}"'
    if first:
        anchor = f' id="{escape(highlight.anchor_id)}"' if highlight.anchor_id else key
        extra = "".join(f' {name}="{escape(value)}"' for name, value in highlight.attrs)
        return f"<mark{anchor}{classes}{extra}>"
    return f"<mark{key}{classes}>"


def render_highlighted(text: str, highlights: Iterable[Highlight], *, compact: bool = False) -> SafeString:
    """``text`` escaped, with every highlight wrapped in ``<mark>`` elements.

    Raises ``ValueError`` for a highlight that is empty or lies outside the text.
    """
    # Outer before inner: the earlier start first, then the longer span, so a
    # highlight that contains another always wraps it.
    ordered = sorted(highlights, key=lambda h: (h.start, -h.end, h.key))
    for highlight in ordered:
        _check(text, highlight)
    rank = {id(h): i for i, h in enumerate(ordered)}

    boundaries = sorted({0, len(text)} | {h.start for h in ordered} | {h.end for h in ordered})
    starting = {}
    for highlight in ordered:
        starting.setdefault(highlight.start, []).append(highlight)

    parts = []
    active = []
    for left, right in zip(boundaries, boundaries[1:], strict=False):
        if left in starting:
            active = sorted([*active, *starting[left]], key=lambda h: rank[id(h)])
        active = [h for h in active if h.end > left]
        piece = escape(text[left:right])
        if not active:
            parts.append(piece)
            continue
        if compact:
            parts.extend(_open_compact_mark(h, h.start == left) for h in active)
        else:
            parts.extend(_open_mark(h, h.start == left, h.end == right) for h in active)
        parts.append(piece)
        parts.append("</mark>" * len(active))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped or built with format_html


def context_window(text, start, end, chars=240):
    """The quote ``text[start:end]`` with up to ``chars`` characters either side.

    Context cut short is trimmed back to a whole word and marked with “…”.
    """
    if not (0 <= start < end <= len(text)):
        raise ValueError(f"Span {start}–{end} is empty or outside the text (length {len(text)}).")
    before = text[max(0, start - chars) : start]
    after = text[end : end + chars]
    if start - chars > 0:
        cut = before.find(" ")
        before = "…" + (before[cut + 1 :] if 0 <= cut < len(before) - 1 else before)
    if end + chars < len(text):
        cut = after.rfind(" ")
        after = (after[:cut] if cut > 0 else after) + "…"
    return before, text[start:end], after

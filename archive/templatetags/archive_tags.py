"""Template helpers of the public reading site (and of the admin's panels)."""

import functools

from django import template
from django.conf.locale import LANG_INFO
from django.utils.text import Truncator

from archive.text import anchoring, dates
from archive.text.sanitize import render_note

register = template.Library()


@register.filter
def partial_date(value, precision):
    """A date shown only as precisely as it is known."""
    return dates.display(value, precision)


@register.filter
def partial_iso(value, precision):
    return dates.iso(value, precision)


@register.filter
def cleaning_entry(entry):
    """One entry of a document's ``cleaning_report`` as ``{"line", "text", "reason"}``.

    Entries are ``{"line": n, "text": "…", "reason": "…"}``; a bare string or a
    ``[n, text]`` pair is accepted too so older reports still display
    (a bare string has no line number; neither has a reason).
    """
    if isinstance(entry, dict):
        number = entry.get("line", entry.get("lineno"))
        text = entry.get("text", entry.get("content", ""))
        reason = entry.get("reason", "")
    elif isinstance(entry, list | tuple) and len(entry) == 2:
        (number, text), reason = entry, ""
    else:
        number, text, reason = None, str(entry), ""
    return {"line": number, "text": text, "reason": reason}


@register.filter
def cleaning_line(entry):
    """One entry of a document's ``cleaning_report`` as a readable line."""
    removed = cleaning_entry(entry)
    number, text, reason = removed["line"], removed["text"], removed["reason"]
    line = f"line {number}: {text}" if number is not None else str(text)
    return f"{line} ({reason})" if reason else line


@functools.lru_cache(maxsize=4096)
def _rendered_note(markdown_text):
    return render_note(markdown_text)


@register.filter
def note(markdown_text):
    """A claim's note rendered from its Markdown subset, cleaned (the same note once per process:
    Markdown and the sanitizer cost about 2 ms a note)."""
    return _rendered_note(markdown_text or "")


@register.filter
def plain_reason(reason):
    """A re-anchoring reason or anchor note in plain words (``anchoring.plain_reason``)."""
    return anchoring.plain_reason(str(reason or ""))


@register.filter
def language_label(code):
    """A language code as its English name ("fa" → "Persian"), or the code when unknown."""
    base = str(code or "").split("-")[0].lower()
    info = LANG_INFO.get(str(code or "").lower()) or LANG_INFO.get(base)
    return info["name"] if info and "name" in info else code


_OPENING_MARKS = '“"«„‘‚‹「『'
_CLOSING_MARKS = '”"»“’›」』'


@register.filter
def quoted(text, limit=None):
    """``text`` (cut to ``limit`` characters) between quotation marks, unless it opens or
    closes with a quotation mark of its own (a passage that is itself a quotation)."""
    text = str(text)
    if limit:
        text = Truncator(text).chars(int(limit))
    if text[:1] in _OPENING_MARKS or text[-1:] in _CLOSING_MARKS:
        # The passage begins or ends with its own quotation: marks of ours would double
        # them (“““The prominent…”) or leave one unbalanced, so it is shown as it stands.
        return text
    return f"“{text}”"

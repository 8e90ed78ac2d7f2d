"""Template helpers of the public reading site."""

from django import template
from django.http import QueryDict

from archive.models import Document

register = template.Library()

Precision = Document.DatePrecision


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """``?…&page=number`` keeping the current filters, without empty ones."""
    query = QueryDict(mutable=True)
    for key, values in context["request"].GET.lists():
        kept = [value for value in values if value != ""]
        if key != "page" and kept:
            query.setlist(key, kept)
    query["page"] = number
    return "?" + query.urlencode()


@register.filter
def partial_date(value, precision):
    """A date shown only as precisely as it is known."""
    if value is None or precision == Precision.UNKNOWN:
        return "date unknown"
    if precision == Precision.YEAR:
        return value.strftime("%Y")
    if precision == Precision.MONTH:
        return value.strftime("%B %Y")
    return value.strftime("%-d %B %Y")


@register.filter
def partial_iso(value, precision):
    if value is None or precision == Precision.UNKNOWN:
        return ""
    return value.strftime({Precision.YEAR: "%Y", Precision.MONTH: "%Y-%m"}.get(precision, "%Y-%m-%d"))


@register.filter
def cleaning_line(entry):
    """One entry of a document's ``cleaning_report`` as a readable line.

    Entries are ``{"line": n, "text": "…"}``; a bare string or a
    ``[n, text]`` pair is accepted too so older reports still display.
    """
    if isinstance(entry, dict):
        number = entry.get("line", entry.get("lineno"))
        text = entry.get("text", entry.get("content", ""))
        reason = entry.get("reason", "")
    elif isinstance(entry, list | tuple) and len(entry) == 2:
        (number, text), reason = entry, ""
    else:
        number, text, reason = None, str(entry), ""
    line = f"line {number}: {text}" if number is not None else str(text)
    return f"{line} ({reason})" if reason else line


@register.filter
def note(markdown_text):
    """A claim's note rendered from its Markdown subset, cleaned."""
    # Imported here: the sanitizer is its own module and only needed for notes.
    from archive.sanitize import render_note

    return render_note(markdown_text or "")

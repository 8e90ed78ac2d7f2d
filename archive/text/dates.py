"""Dates shown only as precisely as they are known: the one formatter.

A document's published date, a relation's external date and a step of the
"who said it first" chain all go through ``display`` (words) and ``iso`` (the
``<time datetime>`` value). Precision is one of "time", "day", "month",
"year" or "unknown". A time whose zone the source did not state is never
shown as if it were UTC.
"""

import datetime

UNKNOWN = "date unknown"


def display(value, precision, *, zone_stated=True):
    """``value`` in words at ``precision``, or "date unknown"."""
    if value is None or precision == "unknown":
        return UNKNOWN
    if precision == "time" and isinstance(value, datetime.datetime):
        shown = value.strftime("%-d %B %Y, %H:%M")
        return f"{shown} {value.strftime('%Z')}" if zone_stated else f"{shown} (time zone not stated)"
    if precision == "year":
        return value.strftime("%Y")
    if precision == "month":
        return value.strftime("%B %Y")
    return value.strftime("%-d %B %Y")


def iso(value, precision, *, zone_stated=True):
    """``value`` as an ISO 8601 string at ``precision`` (no offset for an unstated zone), or ""."""
    if value is None or precision == "unknown":
        return ""
    if precision == "time" and isinstance(value, datetime.datetime):
        # Without a stated zone the time is local to an unknown place: no offset.
        return value.isoformat() if zone_stated else value.strftime("%Y-%m-%dT%H:%M")
    return value.strftime({"year": "%Y", "month": "%Y-%m"}.get(precision, "%Y-%m-%d"))

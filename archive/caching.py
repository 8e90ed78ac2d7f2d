"""Whole pages kept for anonymous visitors, and the stamp that says when they go stale.

What a visitor who is not signed in sees on the reader, the compare page and
the listings (documents, people, tags, sources: ``kept_for_visitors``) is
the same for every such visitor: it depends on the address and on the
archive, nothing else (no CSRF token, no name, no draft). So it is rendered
once and kept in Django's cache (``CACHES``; per process with the default
LocMemCache) under a key made of

- the **archive stamp**: one query reading the newest id of every table whose
  rows such a page shows or whose writes leave a trace — the audit events
  (every claim and link write through the services: create, edit, move,
  delete, revert, tag renames and merges, claimant deletions, document
  deletions), the admin's change log (every edit in the admin: documents,
  people, sources, tags, relations), document versions (text corrections),
  documents, claims, links, relations, tags, tagged items, tag redirects,
  people, sources and old slugs (imports, the seed) — plus, for the reader,
  the document's own ``version`` and ``updated_at``. Any such write changes
  the stamp, so every page is rendered afresh on the next request, in every
  worker process: the stamp is read from the database, never from the cache;
- the host and the full path (query string included: a passage link is
  another page).

A write that leaves none of these traces (a shell session, a SQL UPDATE) is
seen after ``MARGINS_PAGE_CACHE_SECONDS`` at most, when the entry expires.

Analysts and signed-in readers are never served from here, nor is a visitor
with a message waiting to be shown. A kept page carries the ETag of its
content, so a repeat request with ``If-None-Match`` is answered 304 without
rendering anything.
"""

import collections
import functools
import gzip
import hashlib
import re
import threading
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers, quote_etag
from django.utils.http import parse_etags
from taggit.models import Tag, TaggedItem

from archive.models import (
    Claim,
    ClaimEvent,
    ClaimLink,
    Document,
    DocumentRelation,
    DocumentSlug,
    DocumentVersion,
    Person,
    Source,
    TagRedirect,
)

_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Headers a kept response is served again with, besides its type and ETag (a feed's
# Last-Modified, a sitemap's X-Robots-Tag): what the view said, on a hit too.
KEPT_HEADERS = ("Last-Modified", "X-Robots-Tag")

# Tables whose newest id goes into the stamp (ids only grow: a new row is a new stamp).
STAMPED = (
    ClaimEvent,
    LogEntry,
    DocumentVersion,
    Document,
    Claim,
    ClaimLink,
    DocumentRelation,
    DocumentSlug,
    Tag,
    TaggedItem,
    TagRedirect,
    Person,
    Source,
)


def _stamp_sql():
    quote = connection.ops.quote_name
    parts = [
        f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)})"
        for model in STAMPED
    ]
    return "SELECT " + ", ".join(parts)


def _document_sql():
    quote = connection.ops.quote_name
    table = quote(Document._meta.db_table)
    return (
        f"(SELECT {quote('version')} FROM {table} WHERE {quote('slug')} = %s), "
        f"(SELECT {quote('updated_at')} FROM {table} WHERE {quote('slug')} = %s)"
    )


def stamp(document_slug=None):
    """The archive's state as a short string: it changes with every write a page could show.

    One query, on primary keys (and the unique slug) only, whatever the archive's size.
    """
    sql = _stamp_sql()
    params = []
    if document_slug is not None:
        sql += ", " + _document_sql()
        params = [document_slug, document_slug]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()[:24]


def anonymous_and_quiet(request):
    """Whether this request may get (and give) a kept page: a GET by someone not
    signed in, with no message waiting for them."""
    if request.method != "GET" or request.user.is_authenticated:
        return False
    # Counting the waiting messages loads them without marking them shown.
    return not len(messages.get_messages(request))


def _key(request, page_stamp):
    where = hashlib.sha256(f"{request.get_host()}\n{request.get_full_path()}".encode()).hexdigest()
    return f"margins:page:{page_stamp}:{where}"


def content_etag(content):
    return quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest())


def _served(request, entry):
    etag = entry["etag"]
    wanted = parse_etags(request.headers.get("If-None-Match", ""))
    if etag in wanted or "*" in wanted or f"W/{etag}" in wanted:
        response = HttpResponseNotModified()
    elif _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        # Compressed once when kept, not on every request (GZipMiddleware leaves a
        # response that has its encoding alone). These pages hold no secret, so the
        # random padding GZipMiddleware adds against BREACH has nothing to protect.
        response = HttpResponse(entry["gzip"], content_type=entry["content_type"])
        response["Content-Encoding"] = "gzip"
        etag = f"W/{etag}"  # other bytes than the identity's, as GZipMiddleware marks them
    else:
        response = HttpResponse(entry["content"], content_type=entry["content_type"])
    patch_vary_headers(response, ("Accept-Encoding",))
    response["ETag"] = etag
    for name, value in entry.get("headers", {}).items():
        response[name] = value
    return response


def anonymous_page(request, render, *, document_slug=None):
    """``render()``'s response, kept for anonymous visitors (see the module's docstring).

    ``render`` is called only on a miss, and for everyone else. Only a 200 without
    cookies is kept; anything else (a 404, a redirect, a form error) is rendered each time.
    """
    seconds = settings.MARGINS_PAGE_CACHE_SECONDS
    if not seconds or not anonymous_and_quiet(request):
        return render()
    key = _key(request, stamp(document_slug))
    entry = recent.get(key)
    if entry is None:
        entry = cache.get(key)
        if entry is not None:
            recent.set(key, entry, seconds)
    if entry is not None:
        return _served(request, entry)
    response = render()
    if response.status_code != 200 or response.cookies or response.streaming:
        return response
    if hasattr(response, "render") and callable(response.render):
        response.render()
    entry = {
        "content": response.content,
        "content_type": response["Content-Type"],
        "etag": content_etag(response.content),
        "gzip": gzip.compress(response.content, compresslevel=6, mtime=0),
        "headers": {name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
    }
    cache.set(key, entry, seconds)
    recent.set(key, entry, seconds)
    response["ETag"] = entry["etag"]
    return response


class Recent:
    """The pages this worker served last, in front of the shared cache, as they are:
    Django's caches pickle every value, which for a 500 KB page costs what serving it does."""

    def __init__(self, size):
        self.size = size
        self.entries = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                return None
            expires, entry = found
            if expires < time.monotonic():
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return entry

    def set(self, key, entry, seconds):
        with self.lock:
            self.entries[key] = (time.monotonic() + seconds, entry)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()


recent = Recent(size=50)


def kept_for_visitors(view):
    """A public view whose pages are kept for anonymous visitors (``anonymous_page``)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        return anonymous_page(request, lambda: view(request, *args, **kwargs))

    return wrapped

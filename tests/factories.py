"""Small builders for test data. They go through the models' own rules
(selectors are computed by ``anchoring``), never around them, and index what
they save for search as the services do."""

import itertools
import json

from django.utils import timezone

from archive import search
from archive.echoes import index as echo_index
from archive.models import Claim, Document, Person, Source, Visibility
from archive.text import anchoring

_counter = itertools.count(1)


def make_source(**fields):
    n = next(_counter)
    fields.setdefault("name", f"Outlet {n}")
    fields.setdefault("slug", f"outlet-{n}")
    return Source.objects.create(**fields)


def make_person(**fields):
    n = next(_counter)
    fields.setdefault("name", f"Speaker {n}")
    fields.setdefault("slug", f"speaker-{n}")
    return Person.objects.create(**fields)


def make_document(text=None, *, tags=(), **fields):
    n = next(_counter)
    text = text if text is not None else f"Document {n} says that the sky is blue. It also says water is wet."
    fields.setdefault("title", f"Document {n}")
    fields.setdefault("slug", f"document-{n}")
    fields.setdefault("raw_text", text)
    fields.setdefault("text", text)
    fields.setdefault("capture_method", Document.CaptureMethod.FILE_IMPORT)
    fields.setdefault("visibility", Visibility.PUBLISHED)
    fields.setdefault("captured_at", timezone.now())
    document = Document.objects.create(**fields)
    if tags:
        document.tags.add(*tags)
    search.index_document(document)
    echo_index.index_document(document)
    return document


def claim_at(document, start, end, **fields):
    """An unsaved claim on ``document.text[start:end]`` (for ``bulk_create``)."""
    fields.setdefault("visibility", Visibility.PUBLISHED)
    claim = Claim(document=document, **fields)
    claim.set_span(document.text, start, end)
    return claim


def _saved(claim, tags):
    claim.save()
    if tags:
        claim.tags.add(*tags)
    search.index_claim(claim)
    return claim


def make_claim(document, quote, *, prefix="", suffix="", tags=(), **fields):
    selector = anchoring.find_quote(document.text, quote, prefix, suffix)
    return _saved(claim_at(document, selector.start, selector.end, **fields), tags)


def make_claim_at(document, start, end, *, tags=(), **fields):
    return _saved(claim_at(document, start, end, **fields), tags)


def admin_claim_post(document, quote, **overrides):
    """The POST of the admin's claim add page for ``quote`` in ``document``, with no links."""
    data = {
        "document": document.pk,
        "quote": quote,
        "prefix": "",
        "suffix": "",
        "claimant": "",
        "kind": Claim.Kind.ASSERTION,
        "status": Claim.Status.UNVERIFIED,
        "note": "",
        "tags": "",
        "visibility": Visibility.DRAFT,
        # The claim-links inline (empty here).
        "links_out-TOTAL_FORMS": "0",
        "links_out-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def claim_payload(text, quote, **extra):
    """The JSON the reader sends to create a claim on ``quote`` (its first occurrence in ``text``)."""
    start = text.index(quote)
    selector = anchoring.selector_for(text, start, start + len(quote))
    payload = {
        "quote": selector.quote,
        "prefix": selector.prefix,
        "suffix": selector.suffix,
        "start": selector.start,
        "end": selector.end,
        "kind": "assertion",
        "status": "unverified",
        "visibility": "published",
        "tags": "",
        "note": "",
    }
    payload.update(extra)
    return payload


def post_json(client, url, payload):
    """POST ``payload`` as JSON (a str or bytes body is sent as it is)."""
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(url, body, content_type="application/json")

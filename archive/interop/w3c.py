"""Claims, claim links and their collections in the W3C Web Annotation Data Model (JSON-LD).

https://www.w3.org/TR/annotation-model/ — every JSON document here carries the
context ``[ANNO_CONTEXT, <the Margins context>]``: the W3C vocabulary first, then
the few terms of our own (``margins:claimant``, ``margins:kind``…, see
``margins_context`` and docs/interop.md).

- A claim is an ``Annotation`` with ``motivation: highlighting``. Its target is
  a ``SpecificResource`` whose ``source`` is the archive's copy of the document
  (the selectors count characters of the archive's reading text, not of the
  original page), with the original page as ``scope`` and, with the archived
  copy, as ``via``: where the archive's text came from. Both selectors are
  given: ``TextQuoteSelector`` (quote, prefix, suffix) and
  ``TextPositionSelector`` (start, end, in code points, as the model asks).
  An orphaned claim's selectors point into the version of the text it was
  anchored in, so its source is that version's page.
- The note is a ``TextualBody`` (``purpose: commenting``) holding the very HTML
  the site shows for it: the Markdown note through ``archive.text.sanitize``.
  Each tag is a ``TextualBody`` with ``purpose: tagging``.
- A claim link is an ``Annotation`` with ``motivation: linking``: its target is
  the passage of the claim the link starts from, its body the passage of the
  claim it points to (both as targets, selectors included), and
  ``margins:relation`` says how they relate, read as
  "target *relation* body" (a report's claim *reports* a speech's claim).
- Times are ``xsd:dateTime`` in UTC with "Z", as the model requires.

Everything that names a place on this site comes from ``urls(name, *args)``,
a callable the caller passes in that returns an absolute IRI:
``urls("claim", pk)``, ``urls("link", pk)``, ``urls("document", slug)``,
``urls("version", slug, number)``, ``urls("person", slug)``, ``urls("context")``.
"""

import dataclasses
import datetime
from collections.abc import Callable
from urllib.parse import urlencode

from django.utils.encoding import iri_to_uri

from archive.text.sanitize import render_note

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# The media type of every response, as the Web Annotation Protocol names it.
MEDIA_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'
# The Protocol's LDP types (Link: <…>; rel="type").
LDP_RESOURCE = "http://www.w3.org/ns/ldp#Resource"
OA_ANNOTATION = "http://www.w3.org/ns/oa#Annotation"
LDP_BASIC_CONTAINER = "http://www.w3.org/ns/ldp#BasicContainer"
LDP_CONSTRAINED_BY = "http://www.w3.org/ns/ldp#constrainedBy"
PROTOCOL = "http://www.w3.org/TR/annotation-protocol/"
# The Prefer header's container preferences (Web Annotation Protocol 4.2.1).
PREFER_MINIMAL = "http://www.w3.org/ns/ldp#PreferMinimalContainer"
PREFER_IRIS = "http://www.w3.org/ns/oa#PreferContainedIRIs"
PREFER_DESCRIPTIONS = "http://www.w3.org/ns/oa#PreferContainedDescriptions"

Urls = Callable[..., str]


@dataclasses.dataclass(frozen=True)
class Document:
    slug: str
    title: str
    language: str
    original_url: str = ""
    archived_url: str = ""


@dataclasses.dataclass(frozen=True)
class Passage:
    """Where a claim is: both selectors into a document's reading text."""

    document: Document
    quote: str
    prefix: str
    suffix: str
    start: int
    end: int
    # An orphaned claim's selectors point into the text of ``anchored_version``.
    orphaned: bool = False
    anchored_version: int | None = None


@dataclasses.dataclass(frozen=True)
class Person:
    slug: str
    name: str


@dataclasses.dataclass(frozen=True)
class Claim:
    pk: int
    passage: Passage
    kind: str
    status: str
    visibility: str
    note: str  # the analyst's Markdown, as stored
    tags: tuple[str, ...]
    claimant: Person | None
    creator: str  # the name shown for the user who created it; "" when unknown
    created: datetime.datetime
    modified: datetime.datetime


@dataclasses.dataclass(frozen=True)
class Link:
    pk: int
    from_claim: int
    from_passage: Passage
    to_claim: int
    to_passage: Passage
    relation: str
    note: str  # plain text, shown as it is
    creator: str
    created: datetime.datetime


@dataclasses.dataclass(frozen=True)
class Collection:
    """An ``AnnotationCollection`` as one representation: ``id`` carries ``?iris=1``
    when its pages list annotation IRIs rather than whole annotations."""

    id: str
    label: str
    total: int | None  # None when it was not counted exactly (too many to count per request)
    first: str | None  # the first page's IRI; None when the collection is empty
    last: str | None  # None when the total is not known
    extra: dict = dataclasses.field(default_factory=dict)  # further terms (``margins:…``)


@dataclasses.dataclass(frozen=True)
class Page:
    id: str
    items: list  # annotations (dicts) or their IRIs
    start_index: int
    next: str | None
    prev: str | None


def context(urls: Urls) -> list:
    return [ANNO_CONTEXT, urls("context")]


def margins_context(urls: Urls) -> dict:
    """The Margins context document: the namespace and how each of its terms is typed.

    Terms are used prefixed (``margins:kind``) so they can never collide with a
    term a later version of the W3C context adds.
    """
    iri = {"@type": "@id"}
    return {
        "@context": {
            "margins": urls("context") + "#",
            "margins:claimant": iri,
            "margins:kind": {"@id": "margins:kind"},
            "margins:status": {"@id": "margins:status"},
            "margins:visibility": {"@id": "margins:visibility"},
            "margins:orphaned": {"@type": "http://www.w3.org/2001/XMLSchema#boolean"},
            "margins:relation": {"@id": "margins:relation"},
            "margins:fromClaim": iri,
            "margins:toClaim": iri,
            "margins:originalUrl": iri,
            "margins:archivedUrl": iri,
            "margins:linkCollection": iri,
        }
    }


def timestamp(moment: datetime.datetime) -> str:
    """``xsd:dateTime`` in UTC with "Z" (the model's rule for created and modified), to the second."""
    if moment.tzinfo is None:
        raise ValueError("An annotation time needs its time zone.")
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _uri(url: str) -> str:
    """An original or archived URL as a URI: a Persian path is percent-encoded, not dropped."""
    return iri_to_uri(url)


def _source(passage: Passage, urls: Urls) -> dict:
    document = passage.document
    if passage.orphaned and passage.anchored_version is not None:
        where = urls("version", document.slug, passage.anchored_version)
    else:
        where = urls("document", document.slug)
    source = {
        "id": where,
        "type": "Text",
        "format": "text/html",
        "language": document.language,
        "dcterms:title": document.title,
    }
    via = [_uri(url) for url in (document.original_url, document.archived_url) if url]
    if via:
        source["via"] = via if len(via) > 1 else via[0]
    if document.original_url:
        source["margins:originalUrl"] = _uri(document.original_url)
    if document.archived_url:
        source["margins:archivedUrl"] = _uri(document.archived_url)
    return source


def target(passage: Passage, urls: Urls) -> dict:
    """A passage as a ``SpecificResource`` with both selectors."""
    specific = {
        "type": "SpecificResource",
        "source": _source(passage, urls),
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": passage.quote,
                "prefix": passage.prefix,
                "suffix": passage.suffix,
            },
            {"type": "TextPositionSelector", "start": passage.start, "end": passage.end},
        ],
    }
    if passage.document.original_url:
        specific["scope"] = _uri(passage.document.original_url)
    return specific


def _creator(name: str) -> dict:
    # A name only: the archive publishes no e-mail address and has no page per user.
    return {"type": "Person", "name": name}


def annotation(claim: Claim, urls: Urls, *, embedded: bool = False) -> dict:
    """A claim as a Web Annotation (``embedded``: inside a page, so without ``@context``)."""
    bodies = []
    if claim.note.strip():
        # The note's own language is not recorded (analysts write in theirs, not the
        # document's), so none is claimed; the document's is on the target's source.
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "format": "text/html",
                "value": str(render_note(claim.note)),
            }
        )
    bodies.extend({"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in claim.tags)
    data = {} if embedded else {"@context": context(urls)}
    data.update(
        {
            "id": urls("claim", claim.pk),
            "type": "Annotation",
            "motivation": "highlighting",
            "created": timestamp(claim.created),
            "modified": timestamp(claim.modified),
        }
    )
    if claim.creator:
        data["creator"] = _creator(claim.creator)
    if bodies:
        data["body"] = bodies if len(bodies) > 1 else bodies[0]
    data["target"] = target(claim.passage, urls)
    if claim.claimant is not None:
        data["margins:claimant"] = {
            "id": urls("person", claim.claimant.slug),
            "type": "Person",
            "name": claim.claimant.name,
        }
    data["margins:kind"] = claim.kind
    data["margins:status"] = claim.status
    data["margins:visibility"] = claim.visibility
    if claim.passage.orphaned:
        data["margins:orphaned"] = True
    return data


def link_annotation(link: Link, urls: Urls, *, embedded: bool = False) -> dict:
    """A claim link as a ``linking`` Web Annotation: target *relation* body."""
    linked = target(link.to_passage, urls)
    linked["purpose"] = "linking"
    bodies = [linked]
    if link.note.strip():
        bodies.append(
            {"type": "TextualBody", "purpose": "commenting", "format": "text/plain", "value": link.note}
        )
    data = {} if embedded else {"@context": context(urls)}
    data.update(
        {
            "id": urls("link", link.pk),
            "type": "Annotation",
            "motivation": "linking",
            "created": timestamp(link.created),
        }
    )
    if link.creator:
        data["creator"] = _creator(link.creator)
    data["body"] = bodies if len(bodies) > 1 else bodies[0]
    data["target"] = target(link.from_passage, urls)
    data["margins:relation"] = link.relation
    data["margins:fromClaim"] = urls("claim", link.from_claim)
    data["margins:toClaim"] = urls("claim", link.to_claim)
    return data


def page_iri(base: str, *, number: int, after: str = "", before: str = "", iris: bool = False) -> str:
    """The IRI of a page of the collection at ``base``: ``?page=3&after=…`` (``iris=1`` first when IRIs)."""
    query = {"iris": "1"} if iris else {}
    query["page"] = str(number)
    if after:
        query["after"] = after
    elif before:
        query["before"] = before
    return f"{base}?{urlencode(query)}"


def _page_body(page: Page, part_of) -> dict:
    data = {"id": page.id, "type": "AnnotationPage", "partOf": part_of, "startIndex": page.start_index}
    if page.next:
        data["next"] = page.next
    if page.prev:
        data["prev"] = page.prev
    data["items"] = page.items
    return data


def collection(coll: Collection, urls: Urls, first_page: Page | None = None) -> dict:
    """An ``AnnotationCollection``; ``first_page`` embeds the first page (else its IRI is given)."""
    data = {"@context": context(urls), "id": coll.id, "type": "AnnotationCollection", "label": coll.label}
    if coll.total is not None:
        data["total"] = coll.total
    if coll.first is not None:
        data["first"] = _page_body(first_page, coll.id) if first_page is not None else coll.first
    if coll.last is not None:
        data["last"] = coll.last
    data.update(coll.extra)
    return data


def page(pg: Page, coll: Collection, urls: Urls) -> dict:
    """An ``AnnotationPage`` on its own, naming the collection it is part of."""
    part_of = {"id": coll.id, "type": "AnnotationCollection", "label": coll.label}
    if coll.total is not None:
        part_of["total"] = coll.total
    if coll.first is not None:
        part_of["first"] = coll.first
    if coll.last is not None:
        part_of["last"] = coll.last
    return {"@context": context(urls), **_page_body(pg, part_of)}


def parse_prefer(header: str) -> set[str]:
    """The ``include`` IRIs of a ``Prefer: return=representation; include="…"`` header."""
    wanted = set()
    for preference in header.split(","):
        parts = [part.strip() for part in preference.split(";")]
        if not parts or parts[0].replace(" ", "") != "return=representation":
            continue
        for part in parts[1:]:
            name, _, value = part.partition("=")
            if name.strip() == "include":
                wanted.update(value.strip().strip('"').split())
    return wanted

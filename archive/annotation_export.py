"""The read side of the W3C Web Annotation export: what a viewer may read, as
``archive.interop.w3c`` values, in a fixed number of queries.

Three collections (``AnnotationCollection``): every claim of the archive (in
the order they were made, by id), the claims of one document (in reading
order: start, end, id) and every claim link (by id). Links are a collection
of their own rather than items mixed into the claims' pages: a link joins two
documents, so it belongs to neither document's collection, and one order per
collection keeps the paging a walk along one index. Every claim collection
names the link collection (``margins:linkCollection``).

Pages hold ``MARGINS_ANNOTATION_PAGE_SIZE`` annotations. A page is found by its
position (keyset: ``?page=4&after=<the last row of page 3>``, or ``before=`` the
first row of page 5), which an index walks straight to; the number only gives
``startIndex``. The first page is ``?page=1``; the last is ``?page=N`` by number,
offered only when the total is known exactly — it is counted up to
``paging.COUNT_CAP`` and otherwise left out, with ``last`` — so its offset is
bounded too. Drafts are left out for anyone but analysts by the querysets
(``visible_to``), totals included.
"""

import dataclasses
from collections.abc import Callable

from django.conf import settings
from django.urls import reverse

from archive import paging
from archive.interop import claimreview, w3c
from archive.models import Claim, ClaimLink, Visibility

# Never read for an export: the documents' texts (selectors carry their quotes) and old texts.
_DOCUMENT_UNREAD = ("text", "raw_text", "cleaning_report")
PAGE_NUMBER_MAX_DIGITS = 9


class BadPageRequest(ValueError):
    """A page address that is malformed (a 400 with this message)."""


class NoSuchPage(LookupError):
    """A well-formed page address that names no page of the collection (a 404)."""


def urls_for(request) -> w3c.Urls:
    """``w3c.Urls`` for this request's host: absolute IRIs of the archive's own pages."""
    names = {
        "claim": "archive:claim_detail",
        "link": "archive:link_annotation",
        "document": "archive:document_detail",
        "version": "archive:document_version",
        "person": "archive:person_detail",
        "context": "archive:margins_context",
        "collection": "archive:annotation_collection",
        "link_collection": "archive:link_collection",
        "document_collection": "archive:document_annotations",
    }

    def urls(name, *args):
        return request.build_absolute_uri(reverse(names[name], args=args))

    return urls


def creator_name(user):
    """The name an export gives a user: the full name if they gave one, else the user name."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def document_value(document):
    return w3c.Document(
        slug=document.slug,
        title=document.title,
        language=document.language,
        original_url=document.original_url,
        archived_url=document.archived_url,
    )


def passage_value(claim, document):
    version = claim.anchored_version
    return w3c.Passage(
        document=document_value(document),
        quote=claim.quote,
        prefix=claim.prefix,
        suffix=claim.suffix,
        start=claim.start,
        end=claim.end,
        orphaned=claim.orphaned,
        anchored_version=version.number if version is not None else None,
    )


def claim_value(claim):
    """A claim read by ``claims_for_export`` as a ``w3c.Claim``."""
    claimant = claim.claimant
    return w3c.Claim(
        pk=claim.pk,
        passage=passage_value(claim, claim.document),
        kind=claim.kind,
        status=claim.status,
        visibility=claim.visibility,
        note=claim.note,
        tags=tuple(sorted(tag.name for tag in claim.tags.all())),
        claimant=w3c.Person(claimant.slug, claimant.name) if claimant is not None else None,
        creator=creator_name(claim.created_by),
        created=claim.created_at,
        modified=claim.updated_at,
    )


def link_value(link):
    return w3c.Link(
        pk=link.pk,
        from_claim=link.from_claim_id,
        from_passage=passage_value(link.from_claim, link.from_claim.document),
        to_claim=link.to_claim_id,
        to_passage=passage_value(link.to_claim, link.to_claim.document),
        relation=link.relation,
        note=link.note,
        creator=creator_name(link.created_by),
        created=link.created_at,
    )


def claims_for_export(claims, *, document=None):
    """``claims`` with what an annotation shows, in two queries; ``document``: theirs, already read."""
    related = ["claimant", "created_by", "anchored_version"]
    unread = ["anchored_version__text", "created_by__password"]
    if document is None:
        related.append("document")
        unread.extend(f"document__{name}" for name in _DOCUMENT_UNREAD)
    return claims.select_related(*related).defer(*unread).prefetch_related("tags")


def links_for_export(links):
    ends = ("from_claim", "to_claim")
    return links.select_related(
        "created_by",
        *(f"{end}__document" for end in ends),
        *(f"{end}__anchored_version" for end in ends),
    ).defer(
        "created_by__password",
        *(f"{end}__document__{name}" for end in ends for name in _DOCUMENT_UNREAD),
        *(f"{end}__anchored_version__text" for end in ends),
        *(f"{end}__note" for end in ends),
    )


def claim_annotation(request, pk):
    """The claim ``pk`` as a Web Annotation, or None when the viewer may not read it."""
    claim = claims_for_export(Claim.objects.visible_to(request.user)).filter(pk=pk).first()
    return None if claim is None else w3c.annotation(claim_value(claim), urls_for(request))


def link_annotation(request, pk):
    """The claim link ``pk`` as a ``linking`` Web Annotation, or None when the viewer may not read
    both of its claims."""
    link = links_for_export(ClaimLink.objects.visible_to(request.user)).filter(pk=pk).first()
    return None if link is None else w3c.link_annotation(link_value(link), urls_for(request))


# --- Collections and their pages ----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Listing:
    """One collection: what it holds, in which order, and how an item is written."""

    queryset: object  # the visible rows; only their ordering columns are read for a page
    ordering: tuple  # order_by() field names, ending with "pk"
    fetch: Callable  # ids -> the page's annotations (embedded), in the order of ids
    item_name: str  # the ``urls`` name of an item's IRI ("claim" or "link")
    base: str  # the collection's IRI, without a query
    label: str
    extra: dict = dataclasses.field(default_factory=dict)

    @property
    def keys(self):
        return paging.keys_of(self.ordering, self.queryset.model)


@dataclasses.dataclass(frozen=True)
class Position:
    number: int
    after: list | None = None
    before: list | None = None


def archive_claims(request):
    urls = urls_for(request)

    def fetch(ids):
        claims = paging.in_order(claims_for_export(Claim.objects.filter(pk__in=ids)), ids)
        return [w3c.annotation(claim_value(claim), urls, embedded=True) for claim in claims]

    return Listing(
        queryset=Claim.objects.visible_to(request.user),
        ordering=("pk",),
        fetch=fetch,
        item_name="claim",
        base=urls("collection"),
        label="Margins: every claim in the archive",
        extra={"margins:linkCollection": urls("link_collection")},
    )


def document_claims(request, document):
    """The claims of ``document`` (already found visible to the viewer) in reading order."""
    urls = urls_for(request)

    def fetch(ids):
        claims = claims_for_export(Claim.objects.filter(pk__in=ids), document=document)
        annotations = []
        for claim in paging.in_order(claims, ids):
            claim.document = document  # read once for the whole page
            annotations.append(w3c.annotation(claim_value(claim), urls, embedded=True))
        return annotations

    return Listing(
        queryset=Claim.objects.visible_in(document, request.user),
        ordering=("start", "end", "pk"),
        fetch=fetch,
        item_name="claim",
        base=urls("document_collection", document.slug),
        label=f"Claims in “{document.title}”",
        extra={"margins:linkCollection": urls("link_collection")},
    )


def archive_links(request):
    urls = urls_for(request)

    def fetch(ids):
        links = paging.in_order(links_for_export(ClaimLink.objects.filter(pk__in=ids)), ids)
        return [w3c.link_annotation(link_value(link), urls, embedded=True) for link in links]

    return Listing(
        queryset=ClaimLink.objects.visible_to(request.user),
        ordering=("pk",),
        fetch=fetch,
        item_name="link",
        base=urls("link_collection"),
        label="Margins: every link between claims in the archive",
    )


def wants_iris(query):
    """``?iris=1``: pages list annotation IRIs instead of whole annotations."""
    value = query.get("iris", "")
    if value not in {"", "0", "1"}:
        raise BadPageRequest("“iris” is 1 (pages list annotation IRIs) or 0 (whole annotations).")
    return value == "1"


def position(query, listing):
    """The page ``query`` asks for, or None for the collection itself."""
    text = query.get("page")
    after, before = query.get("after", ""), query.get("before", "")
    if text is None:
        if after or before:
            raise BadPageRequest("A page link names its page number (“page”) with “after” or “before”.")
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > PAGE_NUMBER_MAX_DIGITS or int(text) < 1:
        raise BadPageRequest(f"There is no page “{text[:20]}”: pages are numbered from 1.")
    if after and before:
        raise BadPageRequest("A page link has “after” or “before”, not both.")
    model = listing.queryset.model
    try:
        cursors = {
            direction: paging.decode_cursor(model, listing.keys, value)
            for direction, value in (("after", after), ("before", before))
            if value
        }
    except paging.BadPosition:
        raise BadPageRequest("This page link is damaged.") from None
    return Position(int(text), cursors.get("after"), cursors.get("before"))


def _rows(queryset, keys, limit, *, condition=None, offset=0):
    """The ordering values of up to ``limit`` rows in the order of ``keys``; the id is the last."""
    if condition is not None:
        queryset = queryset.filter(condition)
    ordered = queryset.order_by(*(key.order_by() for key in keys))
    return list(ordered.values_list(*(key.field for key in keys))[offset : offset + limit])


def _num_pages(total, size):
    if total.capped:
        return None
    return max(1, -(-total.value // size))


def read_page(listing, where, total, size):
    """The ids of the page at ``where`` and its neighbours' cursors, ``(ids, next_after, prev_before)``:
    the last row's (None on the last page) and the first row's (None on the first)."""
    keys = listing.keys
    if where.after is not None or where.before is not None:
        forward = where.after is not None
        walk = keys if forward else [key.reversed() for key in keys]
        rows = _rows(
            listing.queryset,
            walk,
            size + 1,
            condition=paging.after_condition(walk, where.after if forward else where.before),
        )
        more = len(rows) > size
        rows = rows[:size]
        if not forward:
            rows.reverse()
        has_next, has_previous = (more, True) if forward else (True, more)
    else:
        pages = _num_pages(total, size)
        if where.number > 1 and (pages is None or where.number > pages):
            # Past the first page only by number when the total is known, so the offset
            # stays under the count's cap; cursors lead everywhere else.
            raise NoSuchPage
        rows = _rows(listing.queryset, keys, size + 1, offset=(where.number - 1) * size)
        has_next = len(rows) > size
        rows = rows[:size]
        has_previous = where.number > 1
    if not rows:
        raise NoSuchPage
    # The number only labels the page (startIndex); there is no page before the first.
    has_previous = has_previous and where.number > 1
    encode = lambda row: paging.encode_cursor(keys, row)  # noqa: E731
    return (
        [row[-1] for row in rows],
        encode(rows[-1]) if has_next else None,
        encode(rows[0]) if has_previous else None,
    )


def _collection(listing, total, size, iris):
    base = listing.base + ("?iris=1" if iris else "")
    empty = total.value == 0
    pages = _num_pages(total, size)
    return w3c.Collection(
        id=base,
        label=listing.label,
        total=None if total.capped else total.value,
        first=None if empty else w3c.page_iri(listing.base, number=1, iris=iris),
        last=None if empty or pages is None else w3c.page_iri(listing.base, number=pages, iris=iris),
        extra=listing.extra,
    )


def _page(request, listing, where, total, size, iris):
    urls = urls_for(request)
    ids, next_after, prev_before = read_page(listing, where, total, size)
    encode = lambda values: paging.encode_cursor(listing.keys, values)  # noqa: E731
    page_id = w3c.page_iri(
        listing.base,
        number=where.number,
        after=encode(where.after) if where.after is not None else "",
        before=encode(where.before) if where.before is not None else "",
        iris=iris,
    )
    if prev_before is None:
        prev = None
    elif where.number == 2:
        prev = w3c.page_iri(listing.base, number=1, iris=iris)
    else:
        prev = w3c.page_iri(listing.base, number=where.number - 1, before=prev_before, iris=iris)
    following = None
    if next_after is not None:
        following = w3c.page_iri(listing.base, number=where.number + 1, after=next_after, iris=iris)
    items = [urls(listing.item_name, pk) for pk in ids] if iris else listing.fetch(ids)
    return w3c.Page(id=page_id, items=items, start_index=(where.number - 1) * size, next=following, prev=prev)


def collection_document(request, listing, *, iris=False, minimal=False):
    """The collection's JSON-LD: its first page embedded unless ``minimal`` (then its IRI)."""
    size = settings.MARGINS_ANNOTATION_PAGE_SIZE
    total = paging.count(listing.queryset)
    coll = _collection(listing, total, size, iris)
    first = None
    if coll.first is not None and not minimal:
        first = _page(request, listing, Position(1), total, size, iris)
    return w3c.collection(coll, urls_for(request), first)


def page_document(request, listing, where, *, iris=False):
    """The page at ``where`` on its own (``NoSuchPage`` when there is none there)."""
    size = settings.MARGINS_ANNOTATION_PAGE_SIZE
    total = paging.count(listing.queryset)
    coll = _collection(listing, total, size, iris)
    return w3c.page(_page(request, listing, where, total, size, iris), coll, urls_for(request))


# --- ClaimReview ---------------------------------------------------------------------------


ARCHIVE_NAME = "Margins"


def claim_review(request, claim):
    """schema.org ClaimReview for a claim read with its document, source and claimant
    (``Claim.objects.for_display()``); None for a draft claim or a claim in a draft
    document, which is not a published review even when an analyst previews it."""
    document = claim.document
    if Visibility.DRAFT in (claim.visibility, document.visibility):
        return None
    absolute = request.build_absolute_uri
    claimant = claim.claimant
    review = claimreview.Review(
        url=absolute(claim.get_absolute_url()),
        quote=claim.quote,
        status=claim.status,
        status_label=claim.get_status_display(),
        created=claim.created_at,
        modified=claim.updated_at,
        document_title=document.title,
        document_url=absolute(document.get_absolute_url()),
        document_language=document.language,
        original_url=document.original_url,
        archived_url=document.archived_url,
        document_published=document.published_iso,
        publisher=document.source.name if document.source_id else "",
        claimant_name=claimant.name if claimant is not None else "",
        claimant_url=absolute(claimant.get_absolute_url()) if claimant is not None else "",
    )
    return claimreview.claim_review(
        review, archive_name=ARCHIVE_NAME, archive_url=absolute(reverse("archive:document_list"))
    )

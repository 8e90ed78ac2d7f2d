"""W3C Web Annotations over HTTP: the read parts of the Web Annotation Protocol.

- ``/claims/<pk>/``: the claim page, or, for a client whose ``Accept`` prefers
  ``application/ld+json`` (with or without the annotation profile), the claim
  as a Web Annotation; ``Vary: Accept`` either way. Without an ``Accept`` header
  it stays the page it always was (browsers and old links come first).
- ``/claims/<pk>.jsonld`` and ``/annotations/links/<pk>.jsonld``: a claim and a
  claim link as Web Annotations, whatever the ``Accept`` header says.
- ``/annotations/``, ``/annotations/links/``, ``/documents/<slug>/annotations/``:
  Annotation Containers (``AnnotationCollection`` and LDP ``BasicContainer``) and,
  with ``?page=…``, their ``AnnotationPage``s (``archive.annotation_export``).
  ``Prefer: return=representation; include="…"`` chooses, for the container,
  no embedded page (``ldp#PreferMinimalContainer``) and pages of IRIs
  (``oa#PreferContainedIRIs``, the same as ``?iris=1``) or of whole annotations
  (the default); the answer names the representation in ``Content-Location``.
- ``/ns/margins.jsonld``: the JSON-LD context of the archive's own terms.

Every answer allows GET, HEAD and OPTIONS (``Allow``), carries an ``ETag`` of its
content (``If-None-Match`` gets a 304 from ``ConditionalGetMiddleware``), the
Protocol's ``Link`` types and CORS headers: the data is public, and a request
from another site carries no session, so it can only ever read published claims.
Any other method is answered 405; these views are exempt from the CSRF check only
so that a write is told so (405) rather than refused for a missing token (403):
they change nothing, whatever they are sent.
"""

import json

from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

from archive import annotation_export as export
from archive import caching, views
from archive.interop import w3c
from archive.models import Document

ALLOWED = ("GET", "HEAD", "OPTIONS")
ANNOTATION, CONTAINER, PAGE, CONTEXT = "annotation", "container", "page", "context"
_LINKS = {
    ANNOTATION: (f'<{w3c.LDP_RESOURCE}>; rel="type"', f'<{w3c.OA_ANNOTATION}>; rel="type"'),
    CONTAINER: (
        f'<{w3c.LDP_BASIC_CONTAINER}>; rel="type"',
        f'<{w3c.PROTOCOL}>; rel="{w3c.LDP_CONSTRAINED_BY}"',
    ),
    PAGE: (),
    CONTEXT: (),
}
_VARY = {ANNOTATION: ("Accept",), CONTAINER: ("Accept", "Prefer"), PAGE: ("Accept",), CONTEXT: ()}
_EXPOSED = "ETag, Link, Allow, Content-Location, Preference-Applied, Vary"
# The media types a client may ask the claim address for to get its annotation.
_JSONLD = (w3c.MEDIA_TYPE, "application/ld+json")


def _json(data, *, content_type=w3c.MEDIA_TYPE):
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    response = HttpResponse(body, content_type=content_type)
    response["ETag"] = caching.content_etag(body)
    return response


def _bad_request(message):
    return JsonResponse({"error": message}, status=400)


def _protocol_headers(request, response, kind):
    response["Allow"] = ", ".join(ALLOWED)
    if _LINKS[kind]:
        response["Link"] = ", ".join(_LINKS[kind])
    patch_vary_headers(response, _VARY[kind])
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = _EXPOSED
    if request.method == "HEAD" and not response.streaming:
        # The headers of the GET, without its body, whichever server runs the site.
        response["Content-Length"] = str(len(response.content))
        response.content = b""
    return response


def _serve(request, kind, render, *, keep=True):
    """``render()``'s response to GET and HEAD (kept for anonymous visitors when ``keep``),
    OPTIONS answered here, any other method 405; the Protocol's headers on each."""
    if request.method == "OPTIONS":
        response = HttpResponse()
        response["Access-Control-Allow-Methods"] = ", ".join(ALLOWED)
        response["Access-Control-Allow-Headers"] = "Accept, Prefer, If-None-Match"
        response["Access-Control-Max-Age"] = "86400"
    elif request.method not in ("GET", "HEAD"):
        response = HttpResponseNotAllowed(ALLOWED)
    elif keep:
        response = caching.anonymous_page(request, render)
    else:
        response = render()
    return _protocol_headers(request, response, kind)


def wants_annotation(request):
    """Whether the client prefers JSON-LD to the HTML page. A JSON-LD type with another
    profile matches none of the offers exactly; it still gets the annotation."""
    preferred = request.get_preferred_type(["text/html", *_JSONLD])
    if preferred is None:
        return any(
            (accepted.main_type, accepted.sub_type) == ("application", "ld+json")
            for accepted in request.accepted_types  # types refused with q=0 are not among them
        )
    return preferred in _JSONLD


def _claim_annotation(request, pk):
    data = export.claim_annotation(request, pk)
    if data is None:
        raise Http404("No claim here.")
    return _json(data)


def claim(request, pk):
    """The claim's address: its page, or its Web Annotation by content negotiation."""
    if request.method == "OPTIONS":
        response = _serve(request, ANNOTATION, None)
    elif request.method in ("GET", "HEAD") and wants_annotation(request):
        # Not kept: kept pages are keyed by address alone, and this one has two representations.
        response = _serve(request, ANNOTATION, lambda: _claim_annotation(request, pk), keep=False)
    else:
        response = views.claim_detail(request, pk)
    patch_vary_headers(response, ("Accept",))
    return response


@csrf_exempt
def claim_annotation(request, pk):
    return _serve(request, ANNOTATION, lambda: _claim_annotation(request, pk))


@csrf_exempt
def link_annotation(request, link):
    def render():
        data = export.link_annotation(request, link)
        if data is None:
            raise Http404("No claim link here.")
        return _json(data)

    return _serve(request, ANNOTATION, render)


@csrf_exempt
def margins_context(request):
    def render():
        response = _json(w3c.margins_context(export.urls_for(request)), content_type="application/ld+json")
        patch_cache_control(response, public=True, max_age=86400)
        return response

    return _serve(request, CONTEXT, render, keep=False)


def _container(request, listing):
    """A collection (no ``page``) or one of its pages; ``listing()`` gives its ``Listing``, or
    a response (a redirect) when there is none at this address."""
    kind = PAGE if "page" in request.GET else CONTAINER
    try:
        iris = export.wants_iris(request.GET)
    except export.BadPageRequest as error:
        refusal = _bad_request(str(error))
        return _serve(request, kind, lambda: refusal, keep=False)
    prefer = w3c.parse_prefer(request.headers.get("Prefer", "")) if kind == CONTAINER else set()
    if "iris" not in request.GET and w3c.PREFER_IRIS in prefer and w3c.PREFER_DESCRIPTIONS not in prefer:
        iris = True
    minimal = w3c.PREFER_MINIMAL in prefer

    def render():
        found = listing()
        if not isinstance(found, export.Listing):
            return found
        try:
            where = export.position(request.GET, found)
        except export.BadPageRequest as error:
            return _bad_request(str(error))
        if where is None:
            return _json(export.collection_document(request, found, iris=iris, minimal=minimal))
        try:
            return _json(export.page_document(request, found, where, iris=iris))
        except export.NoSuchPage:
            raise Http404("No page of this collection here.") from None

    # A kept page is keyed by its address: a representation chosen by Prefer is never kept.
    response = _serve(request, kind, render, keep=not prefer)
    if kind == CONTAINER and response.status_code in (200, 304):
        response["Content-Location"] = request.build_absolute_uri(request.path) + ("?iris=1" if iris else "")
        if prefer & {w3c.PREFER_MINIMAL, w3c.PREFER_IRIS, w3c.PREFER_DESCRIPTIONS}:
            response["Preference-Applied"] = "return=representation"
    return response


@csrf_exempt
def annotation_collection(request):
    return _container(request, lambda: export.archive_claims(request))


@csrf_exempt
def link_collection(request):
    return _container(request, lambda: export.archive_links(request))


@csrf_exempt
def document_annotations(request, slug):
    def listing():
        document = (
            Document.objects.visible_to(request.user)
            .defer("text", "raw_text", "cleaning_report")
            .filter(slug=slug)
            .first()
        )
        if document is None:
            return views._redirect_old_slug(request, slug)
        return export.document_claims(request, document)

    return _container(request, listing)

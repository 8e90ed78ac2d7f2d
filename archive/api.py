"""JSON endpoints the reader's highlighting tool talks to.

Every write: POST only, CSRF-checked by the middleware, members of Analysts
only (anonymous users get 403, not a login redirect, since a script cannot
follow one), a JSON body of exactly the shape its schema declares
(``archive.schemas``), selectors checked against the current text (400 with a
precise message naming the field otherwise). The response carries the re-rendered text and claim list
so the page updates in place.

Concurrency: update, move, delete and revert take the ``version`` of the claim
the client edited, in the body or as ``If-Match: "<version>"`` (the ETag every
claim response carries). A claim changed meanwhile is not overwritten: the
answer is 409 Conflict with the claim as it is now. Without a version the
claim is checked against the version read when the request began.
"""

import re
from functools import wraps

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST
from taggit.models import Tag

from archive import comparison, schemas
from archive.forms import ClaimFieldsForm, PassageSpanForm
from archive.models import Claim, ClaimEvent, Document, Person
from archive.permissions import may
from archive.reader import claim_data, passage_link, reader_fragments
from archive.services import annotations


def _forbidden(message):
    return JsonResponse({"error": message}, status=403)


def _bad_request(errors):
    return JsonResponse({"errors": errors}, status=400)


def _analyst_only(permission):
    """403 with a message a script can show: anonymous users get no login redirect."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return _forbidden("Sign in as an analyst to change claims.")
            if not may(request.user, permission):
                return _forbidden(f"Only members of Analysts with the “{permission}” permission may do this.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _parsed(request, schema):
    """``(model, None)``, or ``(None, 400 response)`` naming each field that is wrong."""
    if request.content_type != "application/json":
        return None, _bad_request({"__all__": ["Send the request as JSON (Content-Type: application/json)."]})
    data, errors = schemas.parse(schema, request.body)
    if errors:
        return None, _bad_request(errors)
    return data, None


def _selector(document, data):
    """The checked selector for ``data`` (a SelectorIn), or SelectorError."""
    return annotations.checked_selector(
        document, quote=data.quote, prefix=data.prefix, suffix=data.suffix, start=data.start, end=data.end
    )


def _claim_fields(data):
    """The claim's fields (``Claim.DETAIL_FIELDS``, tags included) checked by the form:
    ``(details, None)`` or ``(None, 400 response)``."""
    form = ClaimFieldsForm({name: getattr(data, name) for name in schemas.ClaimFieldsIn.model_fields})
    if not form.is_valid():
        return None, _bad_request(form.errors)
    return form.details(), None


def _invalid(error, field="__all__"):
    """400 for a ValidationError raised by a service (a field's own key when it names one)."""
    if hasattr(error, "error_dict"):
        return _bad_request(error.message_dict)
    return _bad_request({field: error.messages})


def _claim_response(request, claim, document, status=200):
    response = JsonResponse(
        {
            "id": claim.pk if claim is not None else None,
            "url": claim.get_absolute_url() if claim is not None else None,
            "version": claim.version if claim is not None else None,
            "claim": claim_data(claim) if claim is not None else None,
            "html": reader_fragments(request, document),
        },
        status=status,
    )
    if claim is not None:
        response["ETag"] = f'"{claim.version}"'
    return response


_IF_MATCH = re.compile(r'(?:W/)?"?([0-9]{1,10})"?')


def _expected_version(request, data):
    """The version the client edited: the body's ``version`` (checked by its schema) or
    ``If-Match``, or None; ValueError if the header is malformed."""
    if data.version is not None:
        return data.version
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    match = _IF_MATCH.fullmatch(header)
    if match is None or not 1 <= int(match.group(1)) <= schemas.MAX_VERSION:
        raise ValueError(
            "If-Match must carry the claim's version, a whole number from 1 "
            f'(e.g. "3"), not “{header[:40]}”.'
        )
    return int(match.group(1))


def _conflict(conflict):
    """409 with the claim as it is now, so the client can show it (or None when it is gone)."""
    current = conflict.current
    response = JsonResponse(
        {
            "error": conflict.message,
            "conflict": True,
            "current": claim_data(current) if current is not None else None,
        },
        status=409,
    )
    if current is not None:
        response["ETag"] = f'"{current.version}"'
    return response


def _editable_claim(request, pk):
    return get_object_or_404(Claim.objects.select_related("document"), pk=pk)


@require_POST
@_analyst_only("archive.add_claim")
def claim_create(request, slug):
    document = get_object_or_404(Document, slug=slug)
    data, refused = _parsed(request, schemas.ClaimCreateIn)
    if refused:
        return refused
    try:
        selector = _selector(document, data)
    except annotations.SelectorError as error:
        return _bad_request({"selector": [str(error)]})
    details, refused = _claim_fields(data)
    if refused:
        return refused
    try:
        claim = annotations.create_claim(document, selector, user=request.user, **details)
    except ValidationError as error:
        # The text was corrected between the check above and the locked re-check in the service.
        return _invalid(error, "selector")
    return _claim_response(request, claim, document, status=201)


@require_POST
@_analyst_only("archive.change_claim")
def claim_update(request, pk):
    claim = _editable_claim(request, pk)
    data, refused = _parsed(request, schemas.ClaimUpdateIn)
    if refused:
        return refused
    try:
        version = _expected_version(request, data)
    except ValueError as error:
        return _bad_request({"__all__": [str(error)]})
    details, refused = _claim_fields(data)
    if refused:
        return refused
    try:
        annotations.update_claim(claim, user=request.user, expected_version=version, **details)
    except annotations.Conflict as conflict:
        return _conflict(conflict)
    except ValidationError as error:
        return _invalid(error)
    return _claim_response(request, claim, claim.document)


@require_POST
@_analyst_only("archive.change_claim")
def claim_move(request, pk):
    claim = _editable_claim(request, pk)
    data, refused = _parsed(request, schemas.ClaimMoveIn)
    if refused:
        return refused
    try:
        version = _expected_version(request, data)
    except ValueError as error:
        return _bad_request({"__all__": [str(error)]})
    try:
        selector = _selector(claim.document, data)
    except annotations.SelectorError as error:
        return _bad_request({"selector": [str(error)]})
    try:
        annotations.move_claim(claim, selector, user=request.user, expected_version=version)
    except annotations.Conflict as conflict:
        return _conflict(conflict)
    except ValidationError as error:
        # The text was corrected between the check above and the locked re-check in the service.
        return _bad_request({"selector": error.messages})
    return _claim_response(request, claim, claim.document)


@require_POST
@_analyst_only("archive.delete_claim")
def claim_delete(request, pk):
    claim = _editable_claim(request, pk)
    data, refused = _parsed(request, schemas.ClaimDeleteIn)
    if refused:
        return refused
    document = claim.document
    try:
        version = _expected_version(request, data)
    except ValueError as error:
        return _bad_request({"__all__": [str(error)]})
    try:
        annotations.delete_claim(claim, user=request.user, expected_version=version)
    except annotations.Conflict as conflict:
        return _conflict(conflict)
    return _claim_response(request, None, document)


@require_POST
@_analyst_only("archive.change_claim")
def claim_revert(request, pk):
    """Put a claim back into the state an event of its history recorded: ``{"event": id, "version": n}``."""
    claim = _editable_claim(request, pk)
    data, refused = _parsed(request, schemas.ClaimRevertIn)
    if refused:
        return refused
    try:
        version = _expected_version(request, data)
    except ValueError as error:
        return _bad_request({"__all__": [str(error)]})
    event = ClaimEvent.objects.filter(pk=data.event, claim=claim).first()
    if event is None:
        return _bad_request({"event": ["Give the id of an event in this claim's history."]})
    try:
        annotations.revert_claim(claim, event, user=request.user, expected_version=version)
    except annotations.Conflict as conflict:
        return _conflict(conflict)
    except annotations.RevertError as error:
        return _bad_request({"event": [str(error)]})
    except ValidationError as error:
        return _invalid(error, "event")
    return _claim_response(request, claim, claim.document)


@require_GET
@_analyst_only("archive.view_draft")
def claim_state(request, pk):
    """The claim as stored now, with its version (what a client re-reads after a 409)."""
    claim = get_object_or_404(Claim.objects.select_related("claimant"), pk=pk)
    response = JsonResponse({"claim": claim_data(claim)})
    response["ETag"] = f'"{claim.version}"'
    return response


@require_GET
@_analyst_only("archive.view_draft")
def people_search(request):
    """Search-as-you-type over people's names and aliases."""
    term = request.GET.get("q", "").strip()[:100]
    people = Person.objects.all()
    if term:
        people = people.filter(Q(name__icontains=term) | Q(aliases__icontains=term))
    results = []
    for person in people.order_by("name")[:10]:
        matched = next((a for a in person.alias_list if term and term.lower() in a.lower()), "")
        results.append({"id": person.pk, "name": person.name, "role": person.role, "matched_alias": matched})
    return JsonResponse({"results": results})


@require_GET
@_analyst_only("archive.view_draft")
def tag_suggestions(request):
    term = request.GET.get("q", "").strip()[:100]
    tags = Tag.objects.all()
    if term:
        tags = tags.filter(name__icontains=term)
    return JsonResponse({"results": list(tags.order_by("name").values_list("name", flat=True)[:15])})


@require_GET
def document_suggest(request):
    """Documents for the compare choosers' type-ahead: at most ``comparison.SUGGEST_LIMIT``
    ``{slug, title}`` of those the visitor may read (drafts for analysts only)."""
    data, errors = schemas.parse_query(schemas.DocumentSuggestIn, request.GET)
    if errors:
        return _bad_request(errors)
    found = comparison.suggest_documents(Document.objects.visible_to(request.user), request.user, data.q)
    return JsonResponse({"results": [{"slug": slug, "title": title} for slug, title in found]})


@require_GET
def passage_link_view(request, slug):
    """``{url}``: the link to a passage of a document the visitor may read, given by its
    offsets (``?start=…&end=…``). Built only here (``reader.passage_link``), so every passage
    link the site hands out names its passage the same way."""
    document = Document.objects.visible_to(request.user).filter(slug=slug).only("pk", "slug", "text").first()
    if document is None:
        return JsonResponse({"error": "There is no document you may read at this address."}, status=404)
    form = PassageSpanForm(request.GET, text_length=len(document.text))
    if not form.is_valid():
        return _bad_request({field: list(messages) for field, messages in form.errors.items()})
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    if not document.text[start:end].strip():
        return _bad_request({"__all__": ["The passage is only spaces; choose some words."]})
    return JsonResponse({"url": request.build_absolute_uri(passage_link(document, start, end))})

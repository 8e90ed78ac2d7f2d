"""JSON endpoints the reader's highlighting tool talks to.

Every write: POST only, CSRF-checked by the middleware, members of Analysts
only (anonymous users get 403, not a login redirect, since a script cannot
follow one), selectors checked against the current text (400 with a precise
message otherwise). The response carries the re-rendered text and claim list
so the page updates in place.

Concurrency: update, move, delete and revert take the ``version`` of the claim
the client edited, in the body or as ``If-Match: "<version>"`` (the ETag every
claim response carries). A claim changed meanwhile is not overwritten: the
answer is 409 Conflict with the claim as it is now. Without a version the
claim is checked against the version read when the request began.
"""

import json
from functools import wraps

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST
from taggit.models import Tag

from archive.forms import ClaimFieldsForm
from archive.models import Claim, ClaimEvent, Document, Person
from archive.permissions import may
from archive.reader import claim_data, reader_fragments
from archive.services import annotations

MAX_BODY_BYTES = 64 * 1024


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


def _payload(request):
    if len(request.body) > MAX_BODY_BYTES:
        raise ValueError(f"The request is larger than {MAX_BODY_BYTES} bytes.")
    try:
        data = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"The request body is not valid JSON: {error}.") from None
    if not isinstance(data, dict):
        raise ValueError("The request body must be a JSON object.")
    return data


def _selector(document, data):
    return annotations.checked_selector(
        document,
        quote=data.get("quote"),
        prefix=data.get("prefix", ""),
        suffix=data.get("suffix", ""),
        start=data.get("start"),
        end=data.get("end"),
    )


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


def _expected_version(request, data):
    """The version the client edited (body ``version`` or ``If-Match``), or None; ValueError if malformed."""
    value = data.get("version")
    if value is None and request.headers.get("If-Match"):
        value = request.headers["If-Match"].strip().removeprefix("W/").strip('"')
    if value is None or value == "":
        return None
    try:
        version = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"The version must be a whole number, not “{value}”.") from None
    if isinstance(value, bool) or version < 1:
        raise ValueError(f"The version must be a whole number from 1, not “{value}”.")
    return version


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
    try:
        data = _payload(request)
        selector = _selector(document, data)
    except (ValueError, annotations.SelectorError) as error:
        return _bad_request({"selector": [str(error)]})
    form = ClaimFieldsForm(data)
    if not form.is_valid():
        return _bad_request(form.errors)
    claim = annotations.create_claim(document, selector, user=request.user, **form.details())
    return _claim_response(request, claim, document, status=201)


@require_POST
@_analyst_only("archive.change_claim")
def claim_update(request, pk):
    claim = _editable_claim(request, pk)
    try:
        data = _payload(request)
        version = _expected_version(request, data)
    except ValueError as error:
        return _bad_request({"__all__": [str(error)]})
    form = ClaimFieldsForm(data)
    if not form.is_valid():
        return _bad_request(form.errors)
    try:
        annotations.update_claim(claim, user=request.user, expected_version=version, **form.details())
    except annotations.Conflict as conflict:
        return _conflict(conflict)
    except ValidationError as error:
        return _bad_request(error.message_dict)
    return _claim_response(request, claim, claim.document)


@require_POST
@_analyst_only("archive.change_claim")
def claim_move(request, pk):
    claim = _editable_claim(request, pk)
    try:
        data = _payload(request)
        version = _expected_version(request, data)
        selector = _selector(claim.document, data)
    except (ValueError, annotations.SelectorError) as error:
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
    document = claim.document
    try:
        version = _expected_version(request, _payload(request))
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
    try:
        data = _payload(request)
        version = _expected_version(request, data)
    except ValueError as error:
        return _bad_request({"__all__": [str(error)]})
    try:
        event = ClaimEvent.objects.get(pk=int(data.get("event")), claim=claim)
    except (TypeError, ValueError, ClaimEvent.DoesNotExist):
        return _bad_request({"event": ["Give the id of an event in this claim's history."]})
    try:
        annotations.revert_claim(claim, event, user=request.user, expected_version=version)
    except annotations.Conflict as conflict:
        return _conflict(conflict)
    except annotations.RevertError as error:
        return _bad_request({"event": [str(error)]})
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

"""JSON endpoints the reader's highlighting tool talks to.

Every write: POST only, CSRF-checked by the middleware, members of Analysts
only (anonymous users get 403, not a login redirect, since a script cannot
follow one), a JSON body of exactly the shape its schema declares
(``archive.schemas``), selectors checked against the current text (400 with a
precise message naming the field otherwise). The response carries the re-rendered text and claim list
so the page updates in place.
"""

from functools import wraps

from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST
from taggit.models import Tag

from archive import schemas
from archive.forms import ClaimFieldsForm
from archive.models import Claim, Document, Person
from archive.permissions import may
from archive.reader import reader_fragments
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
    """The claim's fields checked by the form: ``(fields, tags, None)`` or ``(None, None, 400 response)``."""
    form = ClaimFieldsForm({name: getattr(data, name) for name in schemas.ClaimFieldsIn.model_fields})
    if not form.is_valid():
        return None, None, _bad_request(form.errors)
    fields = dict(form.cleaned_data)
    return fields, fields.pop("tags"), None


def _claim_response(request, claim, document, status=200):
    return JsonResponse(
        {
            "id": claim.pk if claim is not None else None,
            "url": claim.get_absolute_url() if claim is not None else None,
            "html": reader_fragments(request, document),
        },
        status=status,
    )


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
    fields, tags, refused = _claim_fields(data)
    if refused:
        return refused
    claim = annotations.create_claim(document, selector, user=request.user, tags=tags, **fields)
    return _claim_response(request, claim, document, status=201)


@require_POST
@_analyst_only("archive.change_claim")
def claim_update(request, pk):
    claim = _editable_claim(request, pk)
    data, refused = _parsed(request, schemas.ClaimUpdateIn)
    if refused:
        return refused
    fields, tags, refused = _claim_fields(data)
    if refused:
        return refused
    annotations.update_claim(claim, user=request.user, tags=tags, **fields)
    return _claim_response(request, claim, claim.document)


@require_POST
@_analyst_only("archive.change_claim")
def claim_move(request, pk):
    claim = _editable_claim(request, pk)
    data, refused = _parsed(request, schemas.ClaimMoveIn)
    if refused:
        return refused
    try:
        selector = _selector(claim.document, data)
    except annotations.SelectorError as error:
        return _bad_request({"selector": [str(error)]})
    annotations.move_claim(claim, selector, user=request.user)
    return _claim_response(request, claim, claim.document)


@require_POST
@_analyst_only("archive.delete_claim")
def claim_delete(request, pk):
    claim = _editable_claim(request, pk)
    _data, refused = _parsed(request, schemas.ClaimDeleteIn)
    if refused:
        return refused
    document = claim.document
    annotations.delete_claim(claim, user=request.user)
    return _claim_response(request, None, document)


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

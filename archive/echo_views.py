"""Echoes pages: "Where else was this said?" on a claim and on a passage, the echo inbox, decisions.

Analysts only: echoes are unreviewed machine output and may point into drafts.
The first appearance of a claim (its own date and those of the claims linked
to it that the reader may see) is shown to everyone on the claim page.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from archive import paging
from archive.echoes import first, meaning, retrieval
from archive.echoes.models import EchoCandidate, EchoRejection
from archive.forms import EchoDecisionForm, EchoPassageForm, resolve_person
from archive.models import Claim, ClaimLink, Document, Person, Visibility
from archive.permissions import analyst_required, is_analyst, may
from archive.services import echoes as echo_service
from archive.text import anchoring
from archive.text.rendering import context_window

PEOPLE = 20


def _query_vector(quote):
    encoder = meaning.encoder() if meaning.available() else None
    return encoder.encode([quote])[0] if encoder is not None else None


def ranked_echoes(quote, *, exclude=None, claim=None, text=None):
    """Up to ``retrieval.LIMIT`` echoes of ``quote``, each with its document and context, and how many
    passages still wait for their embedding (0 when meaning is in every score). ``text``: the text of
    the quote's document (``exclude`` its place there), whose sentence around the quote the meaning
    is asked for."""
    rejected = {}
    if claim is not None:
        for document_id, digest, text in EchoRejection.objects.filter(claim=claim).values_list(
            "document", "text_sha256", "text"
        )[:1000]:
            rejected.setdefault(document_id, {})[digest] = text
    found = retrieval.find(
        quote,
        exclude=exclude,
        rejected=rejected,
        query_vector=_query_vector(
            retrieval.sentence_context(text, exclude[1], exclude[2]) if text and exclude else quote
        ),
        model_sha256=meaning.model_sha256(),
    )
    documents = Document.objects.select_related("source").in_bulk({echo.document_id for echo in found})
    for echo in found:
        echo.document = documents[echo.document_id]
        text = echo.document.text
        if echo.end <= len(text) and text[echo.start : echo.end] == echo.text:
            echo.before, _, echo.after = context_window(text, echo.start, echo.end, chars=160)
    return found, retrieval.pending_passages()


def _people(claim):
    """Names offered for a new claim's claimant (a bounded list; any known name or alias is accepted)."""
    return list(Person.objects.order_by("name").only("name")[:PEOPLE])


def claim_echoes_context(request, claim):
    """What the claim page's "Where else was this said?" section needs (analysts only)."""
    if not is_analyst(request.user) or claim.orphaned:
        return {}
    found, pending = ranked_echoes(
        claim.quote,
        exclude=(claim.document_id, claim.start, claim.end),
        claim=claim,
        text=claim.document.text,
    )
    return {
        "echoes": found,
        "echoes_pending": pending,
        "echoes_pending_capped": pending > retrieval.PENDING_CAP,
        "echo_people": _people(claim),
        "can_decide_echoes": may(request.user, "archive.add_claimlink")
        and may(request.user, "archive.add_claim"),
    }


def first_appearance_context(request, claim):
    """The earliest dated appearance of ``claim`` and of the claims linked to it that the viewer may see."""
    linked = []
    for link in (
        ClaimLink.objects.visible_to(request.user)
        .filter(from_claim=claim)
        .select_related("to_claim__document")
        .order_by("pk")[:200]
    ):
        linked.append(link.to_claim)
    for link in (
        ClaimLink.objects.visible_to(request.user)
        .filter(to_claim=claim)
        .select_related("from_claim__document")
        .order_by("pk")[:200]
    ):
        linked.append(link.from_claim)
    if not linked:
        return {}
    appearances = [
        first.Appearance(
            item,
            item.document.published_at,
            item.document.published_precision,
            item.document.published_time_zone_stated,
        )
        for item in [claim, *linked]
    ]
    return {"first_appearance": first.first_appearance(appearances)}


@analyst_required("archive.view_draft")
@require_safe
def passage_echoes(request, slug):
    """Where else a passage of this document (chosen by its quote) was said."""
    document = get_object_or_404(Document.objects.select_related("source"), slug=slug)
    form = EchoPassageForm(request.GET or None)
    context = {"document": document, "form": form}
    if form.is_valid():
        quote = form.cleaned_data["quote"]
        exclude = None
        try:
            selector = anchoring.find_quote(document.text, quote)
            exclude = (document.pk, selector.start, selector.end)
        except ValueError:  # not found, or found more than once: nothing to leave out
            context["not_in_document"] = True
        context["quote"] = quote
        context["echoes"], context["echoes_pending"] = ranked_echoes(
            quote, exclude=exclude, text=document.text
        )
        context["echoes_pending_capped"] = context["echoes_pending"] > retrieval.PENDING_CAP
    return render(request, "archive/passage_echoes.html", context)


@analyst_required("archive.add_claimlink")
@analyst_required("archive.add_claim")
@require_http_methods(["POST"])
def echo_decide(request, pk):
    """Accept (link, creating the passage's claim) or reject (remember) an echo of claim ``pk``."""
    claim = get_object_or_404(Claim.objects.select_related("document"), pk=pk)
    form = EchoDecisionForm(request.POST)
    back = request.POST.get("next", "")
    if not back.startswith("/") or back.startswith("//"):
        back = claim.get_absolute_url()
    if not form.is_valid():
        problems = "; ".join(f"{error}" for errors in form.errors.values() for error in errors)
        messages.error(request, f"Nothing was changed: {problems}")
        return redirect(back)
    data = form.cleaned_data
    document = Document.objects.filter(slug=data["document"]).first()
    if document is None:
        messages.error(request, "Nothing was changed: that document no longer exists.")
        return redirect(back)
    try:
        with transaction.atomic():
            if data["decision"] == "reject":
                echo_service.reject(claim, document, data["start"], data["end"], user=request.user)
                messages.success(
                    request, f"Rejected: that passage of “{document.title}” will not be suggested again."
                )
            else:
                claimant = resolve_person(data["claimant"]) if data["claimant"] else None
                link = echo_service.accept(
                    claim,
                    document,
                    data["start"],
                    data["end"],
                    user=request.user,
                    relation=data["relation"],
                    claimant=claimant,
                    visibility=data["visibility"] or Visibility.DRAFT,
                )
                messages.success(
                    request,
                    f"Linked: the passage in “{document.title}” {link.get_relation_display()} this claim.",
                )
    except ValueError as error:
        messages.error(request, f"Nothing was changed: {error}")
    except ValidationError as error:
        messages.error(request, "Nothing was changed: " + " ".join(error.messages))
    return redirect(back)


@analyst_required("archive.view_draft")
@require_safe
def echo_inbox(request):
    """Echoes the worker found in newly imported documents, waiting for an analyst (newest first)."""
    open_items = EchoCandidate.objects.filter(status=EchoCandidate.Status.OPEN)
    page = paging.paginate(
        request,
        open_items,
        ordering=["-found_at", "-pk"],
        fetch=lambda ids: paging.in_order(
            EchoCandidate.objects.filter(pk__in=ids).select_related(
                "claim__document", "claim__claimant", "document__source"
            ),
            ids,
        ),
        count_cap=1000,
    )
    return render(
        request,
        "archive/echo_inbox.html",
        {
            "page": page,
            "relations": ClaimLink.Relation.choices,
            "visibilities": Visibility.choices,
            "echo_people": _people(None),
            "can_decide_echoes": may(request.user, "archive.add_claimlink")
            and may(request.user, "archive.add_claim"),
        },
    )

"""The public reading site.

What a visitor may see is decided by the querysets alone
(``visible_to(request.user)``): drafts are shown to analysts, badged, and
are otherwise indistinguishable from documents that do not exist.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from taggit.models import Tag

from archive.forms import DocumentFilterForm
from archive.models import Claim, Document, Person, Source, Visibility
from archive.rendering import Highlight, context_window, render_highlighted

COMPARE_MIN, COMPARE_MAX = 2, 4


def visible_documents(request):
    return Document.objects.visible_to(request.user)


def visible_claims(request):
    return Claim.objects.visible_to(request.user)


def get_visible_document_or_404(request, slug):
    """The document at ``slug`` if ``request.user`` may read it; a draft is a 404 otherwise."""
    documents = visible_documents(request).select_related("source").prefetch_related("tags")
    return get_object_or_404(documents, slug=slug)


def _document_cards(request, documents):
    """Documents ready for ``_document_card.html`` in a constant number of queries."""
    return documents.with_claim_counts(request.user).select_related("source").prefetch_related("tags")


def _paginate(request, items):
    paginator = Paginator(items, settings.MARGINS_PAGE_SIZE)
    requested = request.GET.get("page", "")
    page = paginator.get_page(requested)
    notice = ""
    if requested and requested != str(page.number):
        notice = f"There is no page “{requested}”; showing page {page.number} of {paginator.num_pages}."
    return page, notice


def _is_placed(claim, text):
    """Whether ``claim``'s position selector still points at its quote in ``text``."""
    return (
        not claim.orphaned
        and 0 <= claim.start < claim.end <= len(text)
        and text[claim.start : claim.end] == claim.quote
    )


def _highlight(claim):
    claimant = claim.claimant.name if claim.claimant_id else "unattributed"
    classes = f"kind-{claim.kind} status-{claim.status}"
    if claim.visibility == Visibility.DRAFT:
        classes += " is-draft"
    return Highlight(
        key=str(claim.pk),
        start=claim.start,
        end=claim.end,
        classes=classes,
        label=f"{claim.get_kind_display()} claim by {claimant}",
        anchor_id=claim.anchor_id,
    )


def _highlighted_text(document, claims):
    """The document's text with its placed claims highlighted, and the claims that could not be placed."""
    placed = [claim for claim in claims if _is_placed(claim, document.text)]
    unplaced = [claim for claim in claims if not _is_placed(claim, document.text)]
    return render_highlighted(document.text, map(_highlight, placed)), unplaced


def _claims_of(request):
    return (
        visible_claims(request)
        .select_related("claimant")
        .prefetch_related("tags")
        .order_by("start", "end", "pk")
    )


def document_list(request):
    documents = visible_documents(request)
    form = DocumentFilterForm(request.GET, documents=documents, claims=visible_claims(request))
    page, page_notice = _paginate(request, _document_cards(request, form.filter()))
    filtered = any(value for key, value in request.GET.items() if key != "page")
    context = {"form": form, "page": page, "page_notice": page_notice, "filtered": filtered}
    return render(request, "archive/document_list.html", context, status=400 if form.errors else 200)


def document_detail(request, slug):
    document = get_visible_document_or_404(request, slug)
    claims = list(_claims_of(request).filter(document=document))
    for claim in claims:
        # Claim cards link into their document: reuse the one loaded, not one query per claim.
        claim.document = document
    text_html, unplaced = _highlighted_text(document, claims)
    visible = visible_documents(request)
    # A relation to a draft is left out entirely: even its title would reveal the draft.
    outgoing = document.outgoing_relations.filter(
        Q(target__isnull=True) | Q(target__in=visible)
    ).select_related("target", "target__source")
    incoming = document.incoming_relations.filter(document__in=visible).select_related(
        "document", "document__source"
    )
    context = {
        "document": document,
        "text_html": text_html,
        "claims": claims,
        "unplaced": unplaced,
        "outgoing": outgoing,
        "incoming": incoming,
        "claim_kinds": Claim.Kind.choices,
        "raw_intact": document.raw_text_intact(),
        "other_documents": visible.exclude(pk=document.pk).only("slug", "title").order_by("title"),
    }
    return render(request, "archive/document_detail.html", context)


def document_raw(request, slug):
    document = get_visible_document_or_404(request, slug)
    return HttpResponse(document.raw_text, content_type="text/plain; charset=utf-8")


def claim_detail(request, pk):
    claim = get_object_or_404(visible_claims(request).for_display(), pk=pk)
    context = {"claim": claim, "document": claim.document}
    if _is_placed(claim, claim.document.text):
        context["before"], context["quote"], context["after"] = context_window(
            claim.document.text, claim.start, claim.end
        )
    return render(request, "archive/claim_detail.html", context)


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    documents = _document_cards(request, visible_documents(request).filter(tags__slug=slug)).order_by(
        *DocumentFilterForm.SORTS[DocumentFilterForm.DEFAULT_SORT]
    )
    claims = visible_claims(request).filter(tags__slug=slug).for_display()
    context = {"tag": tag, "documents": documents, "claims": claims}
    return render(request, "archive/tag_detail.html", context)


def person_detail(request, slug):
    person = get_object_or_404(Person, slug=slug)
    claims = (
        visible_claims(request)
        .filter(claimant=person)
        .for_display()
        .order_by("-document__published_at", "document__title", "document_id", "start", "pk")
    )
    return render(request, "archive/person_detail.html", {"person": person, "claims": claims})


def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    documents = visible_documents(request).filter(source=source)
    newest_first = DocumentFilterForm.SORTS[DocumentFilterForm.DEFAULT_SORT]
    page, page_notice = _paginate(request, _document_cards(request, documents).order_by(*newest_first))
    context = {"source": source, "page": page, "page_notice": page_notice}
    return render(request, "archive/source_detail.html", context)


def compare(request):
    slugs = list(dict.fromkeys(slug.strip() for slug in request.GET.getlist("d") if slug.strip()))
    visible = visible_documents(request)
    chooser = {
        "slugs": slugs,
        "choices": visible.only("slug", "title").order_by("title"),
        "slots": (slugs + [""] * COMPARE_MAX)[:COMPARE_MAX],
        "compare_min": COMPARE_MIN,
        "compare_max": COMPARE_MAX,
    }
    if not COMPARE_MIN <= len(slugs) <= COMPARE_MAX:
        return render(request, "archive/compare_choose.html", chooser, status=400 if slugs else 200)

    claims = visible_claims(request).select_related("claimant").order_by("start", "end", "pk")
    found = {
        document.slug: document
        for document in visible.filter(slug__in=slugs)
        .select_related("source")
        .prefetch_related(Prefetch("claims", queryset=claims, to_attr="visible_claims"))
    }
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        # A draft the visitor may not see is reported exactly like a slug that does not exist.
        names = ", ".join(f"“{slug}”" for slug in missing)
        message = f"There is no document at {names}, so the comparison cannot be shown."
        return render(request, "404.html", {"message": message}, status=404)
    columns = []
    for slug in slugs:
        document = found[slug]
        text_html, unplaced = _highlighted_text(document, document.visible_claims)
        columns.append({"document": document, "text_html": text_html, "unplaced": unplaced})
    return render(request, "archive/compare.html", {"columns": columns, **chooser})

"""The public reading site.

What a visitor may see is decided by the querysets alone
(``visible_to(request.user)``): drafts are shown to analysts, badged, and
are otherwise indistinguishable from documents that do not exist.
"""

import dataclasses
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse, QueryDict
from django.http.request import split_domain_port
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe
from taggit.models import Tag, TaggedItem

from archive import caching, citing, comparison, echo_views, paging, reader, search
from archive.forms import (
    AnnotationImportForm,
    ClaimFieldsForm,
    ClaimLinkForm,
    CompareForm,
    CorrectionForm,
    DocumentFilterForm,
    QuoteClaimForm,
    resolve_person,
)
from archive.models import (
    Claim,
    ClaimEvent,
    ClaimLink,
    Document,
    DocumentRelation,
    DocumentSlug,
    Person,
    Source,
    TagRedirect,
    Visibility,
)
from archive.permissions import analyst_required, is_analyst, may
from archive.services import annotation_import as annotation_import_service
from archive.services import annotations
from archive.text import anchoring, diff
from archive.text.rendering import context_window, render_highlighted

# A passage link carries its quote in the URL; longer quotes are refused
# rather than searched (they would make every such request costly), and
# longer context is cut (``anchoring.locate_passage`` bounds its work).
PASSAGE_MAX_CHARS = anchoring.PASSAGE_MAX_CHARS
PASSAGE_CONTEXT_MAX_CHARS = anchoring.PASSAGE_CONTEXT_MAX_CHARS

COMPARE_MIN, COMPARE_MAX = 2, 4


def visible_documents(request):
    return Document.objects.visible_to(request.user)


def visible_claims(request):
    return Claim.objects.visible_to(request.user)


def get_visible_document_or_404(request, slug):
    """The document at ``slug`` if ``request.user`` may read it; a draft is a 404 otherwise."""
    documents = visible_documents(request).select_related("source").prefetch_related("tags")
    return get_object_or_404(documents, slug=slug)


def _redirect_old_slug(request, slug):
    """A permanent redirect when ``slug`` is one the document used to have, else 404.

    The query string (a passage link) is kept; browsers keep the fragment.
    """
    old = (
        DocumentSlug.objects.filter(slug=slug, document__in=visible_documents(request))
        .select_related("document")
        .first()
    )
    if old is None:
        raise Http404("No document at this address.")
    path = request.path.replace(f"/documents/{slug}/", f"/documents/{old.document.slug}/", 1)
    query = request.META.get("QUERY_STRING", "")
    return redirect(path + (f"?{query}" if query else ""), permanent=True)


def _document_cards(request, ids, search_terms=None):
    """The documents ``ids`` in that order, ready for ``_document_card.html`` in constant queries.

    ``ids`` were found on the visible documents already; only the page's rows are read whole.
    """
    documents = (
        Document.objects.filter(pk__in=ids)
        .with_claim_counts(request.user)
        .select_related("source")
        .prefetch_related("tags")
        .defer("text", "raw_text", "cleaning_report")
    )
    if search_terms:
        documents = search.with_hits(documents, search_terms, request.user)
    return paging.in_order(documents, ids)


@caching.kept_for_visitors
def document_list(request):
    documents = visible_documents(request)
    form = DocumentFilterForm(
        request.GET, documents=documents, claims=visible_claims(request), user=request.user
    )
    found = form.filter()
    filtered = any(value for key, value in request.GET.items() if key not in paging.POSITION_PARAMETERS)
    page = paging.paginate(
        request,
        found,
        ordering=form.ordering,
        fetch=lambda ids: _document_cards(request, ids, form.search_terms),
        # The whole list is counted on an index; a filter's matches may be spread
        # thinly through the archive, and counting them is a walk until the cap.
        count_cap=paging.FILTERED_COUNT_CAP if filtered else paging.COUNT_CAP,
    )
    # The filters beyond the search box fold away (a phone's first screen is for results),
    # and stay open while one of them is in use or needs correcting.
    narrowed = bool(form.errors) or any(
        value for key, value in request.GET.items() if key not in paging.POSITION_PARAMETERS and key != "q"
    )
    context = {
        "form": form,
        "page": page,
        "filtered": filtered,
        "filters_open": narrowed,
        "datalists": form.suggestions(),
    }
    return render(request, "archive/document_list.html", context, status=400 if form.errors else 200)


NEWEST_FIRST = DocumentFilterForm.SORTS[DocumentFilterForm.DEFAULT_SORT]


def _passage(request, document):
    """The passage a shared link points at (``?passage=…&pre=…&suf=…&at=…``), located in the text.

    Returns ``(Reanchored or None, quote)``; the quote is shown when it cannot be placed.
    """
    quote = request.GET.get("passage", "")
    if not quote.strip():
        return None, ""
    if len(quote) > PASSAGE_MAX_CHARS:
        return anchoring.Reanchored(
            anchoring.Outcome.ORPHANED,
            None,
            0.0,
            0.0,
            f"The linked passage is longer than {PASSAGE_MAX_CHARS} characters.",
        ), quote[:PASSAGE_MAX_CHARS]
    try:
        hint = int(request.GET.get("at", ""))
    except ValueError:
        hint = None
    located = anchoring.locate_passage(
        document.text,
        quote,
        request.GET.get("pre", "")[-PASSAGE_CONTEXT_MAX_CHARS:],
        request.GET.get("suf", "")[:PASSAGE_CONTEXT_MAX_CHARS],
        hint=hint,
    )
    return located, quote


def _document_page_context(request, document, passage=None):
    context = reader.reader_context(request, document, passage)
    visible = visible_documents(request)
    # A relation to a draft is left out entirely: even its title would reveal the draft.
    outgoing = document.outgoing_relations.filter(
        Q(target__isnull=True) | Exists(visible.filter(pk=OuterRef("target")))
    ).select_related("target", "target__source")
    # Asked relation by relation (EXISTS), never as a list of every visible document.
    incoming = document.incoming_relations.filter(
        Exists(visible.filter(pk=OuterRef("document")))
    ).select_related("document", "document__source")
    context.update(
        {
            "outgoing": outgoing,
            "incoming": incoming,
            "claim_kinds": Claim.Kind.choices,
            "raw_intact": document.raw_text_intact(),
            "compare_choices": comparison.nearby_documents([document], visible),
            **_reader_versions(request, document),
            "passage": passage,
            "chain": comparison.relation_chain(document, visible),
            "citations": citing.document_blocks(request, document),
        }
    )
    if context["can_annotate"]:
        context["claim_form"] = ClaimFieldsForm(auto_id="claim-%s")
        context["claim_fields"] = Claim.DETAIL_FIELDS
        context["quote_form"] = QuoteClaimForm(document=document, auto_id="quote-%s")
    return context


READER_VERSIONS = 10


def _reader_versions(request, document):
    """The newest versions of the reading text for the reader's side column: a bounded
    list (the version page lists them all), diffs linked for those who may read them."""
    versions = document.versions.defer("text").order_by("-number")
    shown = list(versions[:READER_VERSIONS])
    return {
        "versions_shown": shown,
        "versions_total": shown[0].number if shown else 0,
        "versions_current": shown[0].number if shown else None,
    }


def document_detail(request, slug):
    """The reading page; kept whole for visitors who are not signed in (``archive.caching``)."""
    return caching.anonymous_page(request, lambda: _document_detail(request, slug), document_slug=slug)


def _document_detail(request, slug):
    try:
        document = get_visible_document_or_404(request, slug)
    except Http404:
        return _redirect_old_slug(request, slug)
    passage, passage_quote = _passage(request, document)
    context = _document_page_context(request, document, passage)
    context["passage_quote"] = passage_quote
    return render(request, "archive/document_detail.html", context)


def document_raw(request, slug):
    try:
        document = get_visible_document_or_404(request, slug)
    except Http404:
        return _redirect_old_slug(request, slug)
    return HttpResponse(document.raw_text, content_type="text/plain; charset=utf-8")


def claim_detail(request, pk):
    claim = get_object_or_404(visible_claims(request).for_display().select_related("anchored_version"), pk=pk)
    reader.attach_links([claim], ClaimLink.objects.visible_to(request.user))
    context = {
        "claim": claim,
        "document": claim.document,
        "relations": ClaimLink.Relation.choices,
        "visibilities": Visibility.choices,
        "citations": citing.claim_blocks(request, claim),
    }
    if show_suggestions(request):
        counterparts = _counterparts(request, claim, _candidate_documents(request, claim.document))
        context["show_suggestions"] = True
        context["counterparts"] = counterparts
        context["counterpart_people"] = _counterpart_people(request, claim, counterparts)
    context.update(echo_views.claim_echoes_context(request, claim))
    context.update(echo_views.first_appearance_context(request, claim))
    if may(request.user, "archive.view_claimevent"):
        context["history"] = claim.events.select_related("user").order_by("-at", "-pk")[:50]
        context["can_revert"] = may(request.user, "archive.change_claim")
    if reader.is_placed(claim, claim.document.text):
        context["before"], context["quote"], context["after"] = context_window(
            claim.document.text, claim.start, claim.end
        )
    elif claim.anchored_version is not None:
        # Orphaned: show the quote where it was last anchored.
        version_text = claim.anchored_version.text
        if version_text[claim.start : claim.end] == claim.quote:
            context["before"], context["old_quote"], context["after"] = context_window(
                version_text, claim.start, claim.end
            )
    return render(request, "archive/claim_detail.html", context)


SUGGESTION_CANDIDATES = 10


def show_suggestions(request):
    """Suggested counterparts are unreviewed machine output: analysts only."""
    return is_analyst(request.user)


def _candidate_documents(request, document):
    """Where a claim's counterparts are likely: related documents first, then ones sharing a tag."""
    # Id subqueries, not joins: joined, a tag shared by thousands of documents multiplied the rows
    # that DISTINCT then compared whole texts of (seconds per claim page at 10k documents).
    kind = ContentType.objects.get_for_model(Document)
    tags = TaggedItem.objects.filter(content_type=kind, object_id=document.pk).values("tag")
    related = (
        Q(pk__in=DocumentRelation.objects.filter(target=document).values("document"))
        | Q(pk__in=DocumentRelation.objects.filter(document=document, target__isnull=False).values("target"))
        | Q(pk__in=TaggedItem.objects.filter(content_type=kind, tag__in=tags).values("object_id"))
    )
    visible = visible_documents(request).exclude(pk=document.pk)
    return list(visible.filter(related).order_by(*NEWEST_FIRST)[:SUGGESTION_CANDIDATES])


def _counterparts(request, claim, documents):
    if claim.orphaned or not documents:
        return []
    claims_by_document = {}
    for other in (
        visible_claims(request).filter(document__in=documents).only("pk", "document", "start", "end")
    ):
        claims_by_document.setdefault(other.document_id, []).append(other)
    return comparison.suggest_counterparts(claim, documents, claims_by_document)[:6]


COUNTERPART_PEOPLE = 20


def _counterpart_people(request, claim, counterparts):
    """Names offered for a new counterpart's claimant: who speaks in those documents (a bounded list)."""
    if not (
        counterparts and may(request.user, "archive.add_claimlink") and may(request.user, "archive.add_claim")
    ):
        return []
    documents = {item.document.pk for item in counterparts}
    people = list(
        Person.objects.filter(claims__in=visible_claims(request).filter(document__in=documents))
        .distinct()
        .order_by("name")[:COUNTERPART_PEOPLE]
    )
    if claim.claimant_id and claim.claimant not in people:
        people.append(claim.claimant)
    return people


@analyst_required("archive.add_claimlink")
@analyst_required("archive.add_claim")
@require_http_methods(["POST"])
def counterpart_accept(request, pk):
    """Accept a suggested counterpart: create (or reuse) the claim at that span and link it.

    It may create a claim, so it needs the permission to add claims as well as links.
    A new counterpart claim is attributed to nobody unless the analyst names its
    claimant (the passage may quote someone else entirely), and is a draft
    unless the analyst publishes it.
    """
    claim = get_object_or_404(Claim.objects.select_related("document"), pk=pk)
    back = request.POST.get("next", "")
    if not back.startswith("/") or back.startswith("//"):
        back = claim.get_absolute_url()
    document = Document.objects.filter(slug=request.POST.get("document", "")).first()
    relation = request.POST.get("relation", "")
    visibility = request.POST.get("visibility") or Visibility.DRAFT
    claimant_name = request.POST.get("claimant", "").strip()
    try:
        if document is None or document.pk == claim.document_id:
            raise ValueError("Choose a passage in another document.")
        if relation not in ClaimLink.Relation.values:
            raise ValueError("Choose how the passage relates to the claim.")
        if visibility not in Visibility.values:
            raise ValueError("Choose draft or published.")
        claimant = resolve_person(claimant_name) if claimant_name else None
        selector = anchoring.selector_for(document.text, int(request.POST["start"]), int(request.POST["end"]))
    except (KeyError, ValueError) as error:
        messages.error(request, f"The suggestion was not accepted: {error}")
        return redirect(back)
    counterpart = Claim.objects.filter(document=document, start=selector.start, end=selector.end).first()
    with transaction.atomic():
        if counterpart is None:
            counterpart = annotations.create_claim(
                document,
                selector,
                user=request.user,
                claimant=claimant,
                kind=claim.kind,
                status=Claim.Status.UNVERIFIED,
                visibility=visibility,
                note=f"Accepted as a counterpart of claim {claim.pk} (suggested).",
            )
        try:
            link = annotations.link_claims(counterpart, claim, relation, user=request.user)
        except ValidationError as error:
            transaction.set_rollback(True)
            messages.error(request, "The suggestion was not accepted: " + " ".join(error.messages))
            return redirect(back)
    messages.success(
        request, f"Linked: the passage in “{document.title}” {link.get_relation_display()} this claim."
    )
    return redirect(back)


@analyst_required("archive.change_claim")
@require_http_methods(["POST"])
def claim_revert(request, pk):
    """Put a claim back into the state one of its history's events recorded."""
    claim = get_object_or_404(Claim.objects.select_related("document"), pk=pk)
    try:
        event = ClaimEvent.objects.get(pk=int(request.POST.get("event", "")), claim=claim)
        version = int(request.POST.get("version", ""))
    except (ValueError, ClaimEvent.DoesNotExist):
        messages.error(request, "The claim was not reverted: choose a state from its history.")
        return redirect(claim.get_absolute_url())
    try:
        annotations.revert_claim(claim, event, user=request.user, expected_version=version)
    except annotations.Conflict as conflict:
        messages.error(request, f"The claim was not reverted. {conflict.message}")
    except annotations.RevertError as error:
        messages.error(request, f"The claim was not reverted: {error}")
    else:
        messages.success(request, f"Reverted to the state after the change of {_when(event.at)}.")
    return redirect(claim.get_absolute_url())


def _when(moment):
    return f"{timezone.localtime(moment):%d %b %Y, %H:%M}"


def claim_short(request, pk):
    """``/c/<id>``: the short permalink colleagues paste into chat."""
    claim = get_object_or_404(visible_claims(request).only("pk"), pk=pk)
    return redirect(claim.get_absolute_url())


@require_safe
def document_cite(request, slug, fmt):
    """A document's citation as a file (``cite.csl.json``, ``cite.bib``, ``cite.ris``)."""
    try:
        document = get_visible_document_or_404(request, slug)
    except Http404:
        return _redirect_old_slug(request, slug)
    return citing.download(fmt, citing.work_for(request, document))


@require_safe
def claim_cite(request, pk, fmt):
    """A claim's citation as a file: its document's, with the quote and the passage link."""
    claim = get_object_or_404(visible_claims(request).select_related("document__source", "claimant"), pk=pk)
    return citing.download(fmt, citing.work_for(request, claim.document), citing.passage_for(request, claim))


def document_version(request, slug, number):
    try:
        document = get_visible_document_or_404(request, slug)
    except Http404:
        return _redirect_old_slug(request, slug)
    version = get_object_or_404(document.versions.select_related("created_by"), number=number)
    orphans = [
        claim
        for claim in visible_claims(request).filter(anchored_version=version, orphaned=True)
        if version.text[claim.start : claim.end] == claim.quote
    ]
    highlights = [reader.claim_highlight(claim) for claim in orphans]
    context = {
        "document": document,
        "version": version,
        "is_current": version.text == document.text
        and not document.versions.filter(number__gt=version.number).exists(),
        "text_html": render_highlighted(version.text, highlights),
        "orphans": orphans,
        "versions": document.versions.defer("text").order_by("number"),
    }
    return render(request, "archive/document_version.html", context)


# An upload imports at most this many annotations (one request's work); the command has no limit.
UPLOAD_ANNOTATIONS = 1000


@analyst_required("archive.add_claim")
@require_http_methods(["GET", "POST"])
def annotation_import(request):
    """Upload a W3C or Hypothesis annotations file: preview what it would do (a dry run), then import it."""
    form = AnnotationImportForm(request.POST or None, request.FILES or None)
    summary, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            host, _port = split_domain_port(request.get_host())
            try:
                summary = annotation_import_service.import_annotations(
                    upload.read(),
                    name=upload.name,
                    hosts=[host, *settings.ALLOWED_HOSTS],
                    format=form.cleaned_data["format"],
                    user=request.user,
                    publish=form.cleaned_data["publish"],
                    dry_run="import" not in request.POST,
                    limit=UPLOAD_ANNOTATIONS,
                )
            except annotation_import_service.FileRefused as error:
                form.add_error("file", f"“{upload.name}” {error}.")
            except annotation_import_service.ImportFailed as error:
                form.add_error(None, str(error))
            else:
                status = 400 if summary.refused else 200
    context = {"form": form, "summary": summary, "limit": UPLOAD_ANNOTATIONS}
    return render(request, "archive/annotation_import.html", context, status=status)


@analyst_required("archive.change_document")
@require_http_methods(["GET", "POST"])
def document_correct(request, slug):
    """Correct the reading text: preview what happens to each claim, then save a new version."""
    document = get_object_or_404(Document.objects.select_related("source"), slug=slug)
    form = CorrectionForm(request.POST or None, document=document)
    preview = None
    if request.method == "POST" and form.is_valid():
        new_text = form.cleaned_data["text"]
        if new_text == document.text:
            form.add_error("text", "The corrected text is identical to the current text.")
        elif "save" in request.POST:
            try:
                version, _ = annotations.correct_text(
                    document,
                    new_text,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    # No version in the form (a script): the version read when the request began.
                    expected_version=form.cleaned_data["version"] or document.version,
                )
            except annotations.Conflict as conflict:
                form.add_error(None, conflict.message)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                return redirect(f"{document.get_absolute_url()}?corrected={version.number}")
        if not form.errors:
            preview = annotations.preview_correction(document, new_text)
    context = {"document": document, "form": form, "preview": preview}
    return render(request, "archive/document_correct.html", context, status=400 if form.errors else 200)


@analyst_required("archive.add_claim")
@require_http_methods(["POST"])
def claim_create_by_quote(request, slug):
    """Create a claim from a typed or pasted quote: works without JavaScript and by keyboard alone."""
    document = get_object_or_404(Document, slug=slug)
    form = QuoteClaimForm(request.POST, document=document, auto_id="quote-%s")
    if form.is_valid():
        claim = annotations.create_claim(document, form.selector, user=request.user, **form.details())
        return redirect(f"{document.get_absolute_url()}#{claim.anchor_id}")
    context = _document_page_context(request, document)
    context.update({"quote_form": form, "quote_form_open": True})
    return render(request, "archive/document_detail.html", context, status=400)


# Tag, person and source pages show only what the visitor may read; when that
# is nothing, the page does not exist for them, answered exactly like a slug
# nobody has: a person cited only in draft claims is not public yet.
def _nothing_visible(model):
    return Http404(f"No {model._meta.object_name} matches the given query.")


# Claims shown per document on person and tag pages; the rest are a link away (the reader).
CLAIMS_PER_DOCUMENT = 5
# Their claims are counted up to this; their documents are not counted (each would
# be an EXISTS per document of the archive), the pages just go on while there are more.
GROUP_COUNT_CAP = 1_000


@dataclasses.dataclass
class ClaimGroup:
    """A document and the first of its claims a person or tag page lists."""

    document: Document
    claims: list
    total: int

    @property
    def more(self):
        return self.total - len(self.claims)


def _claim_groups(request, ids, condition):
    """The documents ``ids`` (in that order), each with its first ``CLAIMS_PER_DOCUMENT`` of ``claims``.

    Three queries whatever the sizes: the documents (without their texts), the
    claims matching ``condition`` ranked within each document and cut there, and
    their tags. ``ids`` are documents the visitor may read: only the claims' own
    visibility is asked (a join back to the documents made SQLite walk them all).
    """
    documents = (
        Document.objects.filter(pk__in=ids)
        .select_related("source")
        .defer("text", "raw_text", "cleaning_report")
    )
    by_document = {document.pk: document for document in documents}
    ranked = (
        Claim.objects.visible_within(request.user)
        .filter(condition, document__in=ids)
        .annotate(
            place=Window(RowNumber(), partition_by=F("document"), order_by=(F("start").asc(), F("pk").asc())),
            in_document=Window(Count("pk"), partition_by=F("document")),
        )
        .filter(place__lte=CLAIMS_PER_DOCUMENT)
        .select_related("claimant")
        .prefetch_related("tags")
        .order_by("document", "start", "pk")
    )
    groups = {pk: ClaimGroup(by_document[pk], [], 0) for pk in ids if pk in by_document}
    for claim in ranked:
        group = groups[claim.document_id]
        claim.document = group.document
        group.claims.append(claim)
        group.total = claim.in_document
    return [groups[pk] for pk in ids if pk in groups]


def _with_claims(documents, claims):
    """``documents`` that have one of ``claims``, asked document by document (``paging.has_row``)."""
    return documents.alias(has_claim=paging.has_row(claims.filter(document=OuterRef("pk")))).filter(
        has_claim__isnull=False
    )


@caching.kept_for_visitors
def tag_detail(request, slug):
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:
        # A tag merged into another: its page moved there for good.
        merged = TagRedirect.objects.filter(slug=slug).select_related("tag").first()
        if merged is None:
            raise _nothing_visible(Tag)
        query = request.META.get("QUERY_STRING", "")
        target = reverse("archive:tag_detail", args=[merged.tag.slug])
        return redirect(target + (f"?{query}" if query else ""), permanent=True)
    # Taggit keeps every model's tags in one table, told apart by content type. The
    # page walks the documents in order and asks, document by document, whether it or
    # one of its few claims carries the tag (the table's unique index): no plan
    # depends on planner statistics or reads all of a big tag's items.
    tagged_items = Document.tags.through.objects.filter(tag=tag)
    content_types = ContentType.objects.get_for_models(Claim, Document)
    claim_type, document_type = content_types[Claim], content_types[Document]
    # Asked of claims in documents already known visible: only their own visibility counts.
    tagged = Exists(tagged_items.filter(content_type=claim_type, object_id=OuterRef("pk")))
    claims = Claim.objects.visible_within(request.user).filter(tagged)
    tagged_documents = tagged_items.filter(content_type=document_type).values_list("object_id", flat=True)
    documents = (
        visible_documents(request)
        .alias(
            tagged_itself=paging.has_row(tagged_documents.filter(object_id=OuterRef("pk"))),
            tagged_claim=paging.has_row(claims.filter(document=OuterRef("pk"))),
        )
        .filter(Q(tagged_itself__isnull=False) | Q(tagged_claim__isnull=False))
    )
    page = paging.paginate(
        request,
        documents,
        ordering=NEWEST_FIRST,
        fetch=lambda ids: _claim_groups(request, ids, tagged),
        counted=False,
    )
    if not page.items:
        raise _nothing_visible(Tag)
    carrying = set(tagged_documents.filter(object_id__in=[group.document.pk for group in page]))
    for group in page:
        group.document.carries_tag = group.document.pk in carrying
    # Counted from the tag's side (its rows, then their claims): a walk of the tag's items.
    counted = visible_claims(request).filter(tags=tag)
    context = {"tag": tag, "page": page, "claim_total": paging.count(counted, GROUP_COUNT_CAP)}
    return render(request, "archive/tag_detail.html", context)


@caching.kept_for_visitors
def person_detail(request, slug):
    person = get_object_or_404(Person, slug=slug)
    theirs = Q(claimant=person)
    page = paging.paginate(
        request,
        _with_claims(visible_documents(request), Claim.objects.visible_within(request.user).filter(theirs)),
        ordering=NEWEST_FIRST,
        fetch=lambda ids: _claim_groups(request, ids, theirs),
        counted=False,
    )
    if not page.items:
        raise _nothing_visible(Person)
    claims = visible_claims(request).filter(theirs)
    context = {"person": person, "page": page, "claim_total": paging.count(claims, GROUP_COUNT_CAP)}
    return render(request, "archive/person_detail.html", context)


@caching.kept_for_visitors
def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    page = paging.paginate(
        request,
        visible_documents(request).filter(source=source),
        ordering=NEWEST_FIRST,
        fetch=lambda ids: _document_cards(request, ids),
    )
    if not page.items:
        raise _nothing_visible(Source)
    return render(request, "archive/source_detail.html", {"source": source, "page": page})


def compare(request):
    """Documents side by side; kept whole for visitors who are not signed in (``archive.caching``)."""
    return caching.anonymous_page(request, lambda: _compare(request))


def _chooser(request, texts, documents=(), problems=None):
    """The document chooser: one text input per column (a slug or a title) and a bounded
    list of suggestions; ``problems`` maps an input's position to its ``Resolved``."""
    problems = problems or {}
    values = (texts + [""] * COMPARE_MAX)[:COMPARE_MAX]
    return {
        "slugs": texts,
        "choices": comparison.nearby_documents(list(documents), visible_documents(request)),
        "slots": [{"value": value, "problem": problems.get(index)} for index, value in enumerate(values)],
        "compare_min": COMPARE_MIN,
        "compare_max": COMPARE_MAX,
    }


def _compare(request):
    # Each ``d`` is a slug, or a title typed into the chooser (resolved, then redirected to slugs).
    texts = list(dict.fromkeys(text.strip() for text in request.GET.getlist("d") if text.strip()))
    if not COMPARE_MIN <= len(texts) <= COMPARE_MAX:
        chooser = _chooser(request, texts)
        chooser["count_error"] = bool(texts)
        return render(request, "archive/compare_choose.html", chooser, status=400 if texts else 200)
    form = CompareForm(request.GET)
    if not form.is_valid():
        chooser = _chooser(request, texts)
        chooser["form_errors"] = form.errors
        return render(request, "archive/compare_choose.html", chooser, status=400)
    resolved = comparison.resolve_documents(visible_documents(request), texts)
    missing = [item for item in resolved if item.document is None and not item.candidates]
    if missing:
        # A draft the visitor may not see is reported exactly like a slug that does not exist.
        names = ", ".join(f"“{item.text}”" for item in missing)
        plural = "es or titles" if len(missing) > 1 else " or title"
        message = (
            f"There is no document at {names} (no document you may read has that address{plural}), "
            "so the comparison cannot be shown."
        )
        return render(request, "404.html", {"message": message}, status=404)
    documents = list(dict.fromkeys(item.document for item in resolved if item.document is not None))
    ambiguous = {index: item for index, item in enumerate(resolved) if item.candidates}
    for index, item in ambiguous.items():
        # Each candidate as a link: this address with that document in this input's place.
        item.links = []
        for slug, title in item.candidates:
            values = [slug if position == index else text for position, text in enumerate(texts)]
            address = reverse("archive:compare") + "?" + urlencode([("d", value) for value in values])
            item.links.append((title, address))
    chooser = _chooser(request, texts, documents, ambiguous)
    if ambiguous:
        chooser["ambiguous"] = True
        return render(request, "archive/compare_choose.html", chooser, status=400)
    if any(item.by_title for item in resolved):
        if len(documents) < COMPARE_MIN:
            chooser["count_error"] = True
            chooser["slugs"] = [document.slug for document in documents]
            return render(request, "archive/compare_choose.html", chooser, status=400)
        query = request.GET.copy()
        query.setlist("d", [document.slug for document in documents])
        return redirect(f"{reverse('archive:compare')}?{query.urlencode()}")
    state = form.cleaned_data
    if state["mode"] == "diff":
        return _compare_diff(request, documents, chooser)

    claims = visible_claims(request)
    columns, pairs = comparison.build(
        documents,
        claims,
        ClaimLink.objects.visible_to(request.user),
        tag=state["tag"],
        claimant=state["claimant"],
        relation=state["relation"],
    )
    focused = next((pair for pair in pairs if pair.link.pk == state["pair"]), None)
    suggest_for = None
    if state["suggest"] and show_suggestions(request):
        suggest_for = next(
            (claim for column in columns for claim in column.claims if claim.pk == state["suggest"]), None
        )
    in_view = claims.filter(document__in=documents)
    context = {
        **chooser,
        "columns": columns,
        "pairs": pairs,
        "focused": focused,
        "state": state,
        # The pair table has a note column only when a pair has a note.
        "pair_notes": any(pair.link.note for pair in pairs),
        "claim_kinds": Claim.Kind.choices,
        "filter_tags": Tag.objects.filter(claim__in=in_view).distinct().order_by("name"),
        "filter_people": Person.objects.filter(claims__in=in_view).distinct().order_by("name"),
        "relations": ClaimLink.Relation.choices,
        "show_suggestions": show_suggestions(request),
        "suggest_for": suggest_for,
        "counterparts": _compare_counterparts(request, suggest_for, documents, columns),
        "visibilities": Visibility.choices,
    }
    if suggest_for is not None:
        context["counterpart_people"] = _counterpart_people(request, suggest_for, context["counterparts"])
    if focused is not None:
        index = pairs.index(focused)
        context["previous_pair"] = pairs[index - 1] if index > 0 else None
        context["next_pair"] = pairs[index + 1] if index + 1 < len(pairs) else None
    elif pairs:
        context["next_pair"] = pairs[0]
    if may(request.user, "archive.add_claimlink"):
        context["link_form"] = ClaimLinkForm(
            claims=claims.filter(document__in=documents)
            .select_related("document")
            .order_by("document", "start")
        )
    return render(request, "archive/compare.html", context)


def _compare_counterparts(request, claim, documents, columns):
    if claim is None:
        return []
    reader.attach_links([claim], ClaimLink.objects.visible_to(request.user))
    claims_by_document = {column.document.pk: column.claims for column in columns}
    return comparison.suggest_counterparts(claim, documents, claims_by_document)


LITTLE_IN_COMMON_PERCENT = 40


def _diff_page(request, left, right, *, back_url, alignment_url="", status=200):
    """Word-level differences between two texts.

    ``left`` and ``right`` are dicts with title, url, note, language and text.
    """
    context = {"sides": [left, right], "back_url": back_url}
    try:
        ops = diff.word_diff(left["text"], right["text"], bounded=True)
    except diff.DiffTooLarge as error:
        # Said on the page, with links to both texts, rather than spending seconds on it.
        context["too_large"] = str(error)
        return render(request, "archive/compare_diff.html", context, status=status)
    left["html"], right["html"] = diff.render_side_by_side(left["text"], right["text"], ops)
    stats = context["stats"] = diff.diff_stats(left["text"], right["text"], ops)
    words = 2 * stats.unchanged_words + stats.deleted_words + stats.inserted_words
    context["shared_percent"] = round(100 * 2 * stats.unchanged_words / words) if words else 100
    # Below this, nearly every word is marked: two different texts, not two versions of one.
    context["little_in_common"] = context["shared_percent"] < LITTLE_IN_COMMON_PERCENT
    context["alignment_url"] = alignment_url
    return render(request, "archive/compare_diff.html", context, status=status)


def _compare_diff(request, documents, chooser):
    if len(documents) != 2:
        chooser["diff_error"] = "Word-level differences compare exactly two documents."
        return render(request, "archive/compare_choose.html", chooser, status=400)
    sides = [
        {
            "title": document.title,
            "url": document.get_absolute_url(),
            "note": document.published_display,
            "language": document.language,
            "text": document.text,
        }
        for document in documents
    ]
    back = reverse("archive:compare") + "?" + urlencode([("d", d.slug) for d in documents])
    return _diff_page(request, *sides, back_url=back, alignment_url=back)


def document_version_diff(request, slug, number, other):
    """Differences between two versions of one document's reading text."""
    document = get_visible_document_or_404(request, slug)
    versions = {
        v.number: v for v in document.versions.filter(number__in=[number, other]).select_related("created_by")
    }
    if number not in versions or other not in versions:
        raise Http404("This document has no such version.")
    sides = [
        {
            "title": f"Version {v.number}",
            "url": v.get_absolute_url(),
            "note": f"{v.created_at:%d %b %Y %H:%M}" + (f" — {v.reason}" if v.reason else ""),
            "language": document.language,
            "text": v.text,
        }
        for v in (versions[number], versions[other])
    ]
    return _diff_page(request, *sides, back_url=document.get_absolute_url())


@analyst_required("archive.add_claimlink")
@require_http_methods(["POST"])
def claim_link_create(request):
    """Link two claims from the compare page, then go back to it."""
    back = request.POST.get("next", "")
    if not back.startswith("/compare/"):
        back = reverse("archive:compare")
    form = ClaimLinkForm(request.POST, claims=Claim.objects.select_related("document"))
    if form.is_valid():
        data = form.cleaned_data
        try:
            link = annotations.link_claims(
                data["from_claim"], data["to_claim"], data["relation"], user=request.user, note=data["note"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back)
        messages.success(
            request,
            f"Linked: claim {link.from_claim_id} {link.get_relation_display()} claim {link.to_claim_id}.",
        )
        # Replace, not add to, the pair the page was focused on.
        path, _, query = back.partition("?")
        state = QueryDict(query, mutable=True)
        state["pair"] = link.pk
        return redirect(f"{path}?{state.urlencode()}#pair-{link.pk}")
    for error in form.non_field_errors():
        messages.error(request, error)
    for name, errors in form.errors.items():
        if name != "__all__":
            messages.error(request, f"{form.fields[name].label}: {' '.join(errors)}")
    return redirect(back)

"""The analysts' admin: archiving captures, placing claims, keeping provenance.

Captures enter through ``archive.services.imports`` (the same path as the importer) and claims
are written through ``annotations`` so every change leaves an audit event.
What analysts may do is decided by the Analysts group's permissions, not here.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from taggit.models import Tag

from archive import search
from archive.forms import (
    CLAIM_QUOTE_FIELDS,
    DOCUMENT_PROVENANCE_FIELDS,
    ClaimAdminForm,
    DocumentCaptureForm,
    DocumentChangeForm,
    TagAdminForm,
    TagMergeForm,
)
from archive.models import (
    Claim,
    ClaimEvent,
    ClaimLink,
    Document,
    DocumentRelation,
    DocumentVersion,
    Person,
    Source,
    TagRedirect,
)
from archive.services import annotations
from archive.services import tags as tag_service
from archive.text import anchoring
from archive.text.rendering import Highlight, render_highlighted

# --- Shared pieces -----------------------------------------------------------------


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget, minus its crash on a value that is not an id.

    Re-drawing a refused form, the stock widget looks the submitted value up
    as an id; ``document=abc`` (or an id too large for the column) then
    raises (a 500) instead of the form's own “Select a valid choice” message.
    Values that cannot be ids are simply not pre-selected.
    """

    def optgroups(self, name, value, attr=None):
        target = self.field.target_field
        usable = []
        for item in value:
            try:
                # The column's own range too: SQLite refuses a 20-digit id in an IN list.
                target.run_validators(target.to_python(item))
            except ValidationError:
                continue
            usable.append(item)
        groups = super().optgroups(name, usable, attr)
        # Valid HTML (the Nu checker): a required single select starts with an empty
        # placeholder option too, and an empty option has a label.
        if self.is_required and not self.allow_multiple_selected:
            groups.insert(0, (None, [self.create_option(name, "", "", False, 0)], 0))
        return groups

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in ("", None) and not label:
            option["attrs"]["label"] = "(none)"
        return option


class SafeAutocompleteMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TagListFilter(admin.SimpleListFilter):
    """Filter by tag slug, offering only the tags used on this admin's model."""

    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        used = Tag.objects.filter(
            pk__in=model_admin.model.tags.through.objects.filter(
                content_type__app_label=model_admin.model._meta.app_label,
                content_type__model=model_admin.model._meta.model_name,
            ).values("tag")
        )
        return [(tag.slug, tag.name) for tag in used.order_by("name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value()).distinct()
        return queryset


class LabelledCellsMixin:
    """Names every visible field of a tabular inline row for assistive technology.

    A table cell's field has only its column heading for a label, which screen readers
    and axe do not count; each control gets its field's label as ``aria-label``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("aria-label", str(field.label or name).capitalize())


class LabelledCellsForm(LabelledCellsMixin, forms.ModelForm):
    pass


class LabelledRowsFormSet(BaseInlineFormSet):
    """The row's delete box is a table cell too: it is named after what it does."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = "Delete this row"


def label_split_datetime(formfield):
    """A split date/time widget's two inputs, each named after the field (they have no <label>)."""
    widget = getattr(formfield, "widget", None)
    if isinstance(widget, AdminSplitDateTime):
        label = str(formfield.label or "").capitalize()
        widget.widgets[0].attrs["aria-label"] = f"{label}: date"
        widget.widgets[1].attrs["aria-label"] = f"{label}: time"
    return formfield


def _tag_names(obj):
    return ", ".join(sorted(tag.name for tag in obj.tags.all()))


def _adopt(target, saved):
    """Make ``target`` (the admin's instance) the row ``saved`` was stored as."""
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


class SelectionMedia:
    """The selection tool: static/archive/admin-select.js reads the panel made
    by ``text_panel`` and fills the claim form (data passes through data-
    attributes, as the CSP allows no inline script)."""

    js = ["archive/selection.js", "archive/admin-select.js"]
    css = {"all": ["archive/admin.css"]}


def panel(template, **context):
    """``templates/admin/archive/<template>`` rendered for a read-only field or a list column.

    The template's final newline is dropped, so an empty panel is an empty cell.
    """
    # Stripping whitespace from rendered (already escaped) template output keeps it safe.
    return mark_safe(render_to_string(f"admin/archive/{template}", context).strip())


def text_panel(document, *, mode, button_label, correct_link=False):
    """The reading text, read-only and selectable, with the tool's button and status.

    ``mode`` is ``"inline"`` (pre-fill a new claim in the document's claim
    inline), ``"replace"`` (fill the claim form's ``new_*`` fields) or ``"fill"``
    (fill the claim add form's quote, prefix and suffix).
    Anchored claims are marked; orphaned ones point into an older version.
    ``correct_link`` adds a link to the page that corrects the text.
    """
    text = document.text
    highlights = [
        Highlight(key=str(claim.pk), start=claim.start, end=claim.end)
        for claim in document.claims.filter(orphaned=False).only("pk", "start", "end")
        if 0 <= claim.start < claim.end <= len(text)
    ]
    return panel(
        "_text_panel.html",
        document=document,
        text_html=render_highlighted(text, highlights),
        mode=mode,
        button_label=button_label,
        correct_link=correct_link,
    )


def save_claim(claim, user, *, tags=None, replacement=None):
    """Store a claim edited in a form, through ``annotations`` so it is audited.

    ``claim`` is the form's instance, loaded when the request began: its
    version is the one the services expect, so a claim changed meanwhile is
    refused (``annotations.Conflict``) rather than overwritten. ``tags`` (names)
    are saved with the claim when given (not by the form's save_m2m, which would
    bypass the audit event); ``replacement`` is a checked selector the analyst
    picked to re-place the claim.
    """
    details = {name: getattr(claim, name) for name in Claim.DETAIL_COLUMNS}
    if claim.pk is None:
        created = annotations.create_claim(
            claim.document, claim.selector, user=user, tags=tags or (), **details
        )
        _adopt(claim, created)
        return
    stored = Claim.objects.select_related("document").get(pk=claim.pk)
    stored.version = claim.version
    if replacement is not None:
        annotations.move_claim(stored, replacement, user=user)
    elif (stored.document_id, stored.quote, stored.start, stored.end) != (
        claim.document_id,
        claim.quote,
        claim.start,
        claim.end,
    ):
        annotations.move_claim(stored, claim.selector, user=user, document=claim.document)
    # Writes (and records) only what changed; nothing when nothing did.
    annotations.update_claim(stored, user=user, tags=tags, **details)
    _adopt(claim, Claim.objects.get(pk=claim.pk))


# --- Sources and people ----------------------------------------------------------------


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "homepage", "document_count"]
    list_filter = ["kind"]
    search_fields = ["name", "homepage", "country"]
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(document_count=Count("documents"))

    @admin.display(description="documents", ordering="document_count")
    def document_count(self, obj):
        return obj.document_count


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "claim_count"]
    search_fields = ["name", "aliases", "role"]
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=Count("claims"))

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj):
        return obj.claim_count

    def delete_model(self, request, obj):
        annotations.delete_person(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for person in queryset:
            annotations.delete_person(person, user=request.user)


# --- Documents ---------------------------------------------------------------------------


class ClaimInlineForm(ClaimAdminForm):
    """A claim in the document's page: the quote first, then one line of choices."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quote"].widget.attrs["rows"] = 2
        # The context is needed only when the quote occurs more than once (the error says so).
        self.fields["prefix"].widget.attrs["rows"] = 1
        self.fields["suffix"].widget.attrs["rows"] = 1


class ClaimInline(SafeAutocompleteMixin, admin.StackedInline):
    # Stacked, with several fields a line, so that it fits a 1,280 px window beside the admin's
    # navigation (static/archive/admin.css); a ten-column table did not. Offsets are on the claim's page.
    model = Claim
    form = ClaimInlineForm
    fields = [
        "quote",
        ("claimant", "kind", "status", "visibility"),
        ("prefix", "suffix"),
        "anchor_state",
        "edited_version",
    ]
    readonly_fields = ["anchor_state"]
    autocomplete_fields = ["claimant"]
    extra = 0
    show_change_link = True

    @admin.display(description="anchoring")
    def anchor_state(self, obj):
        return orphan_flag(obj)


class DocumentRelationInline(SafeAutocompleteMixin, admin.StackedInline):
    model = DocumentRelation
    fk_name = "document"
    autocomplete_fields = ["target"]
    extra = 0


IDENTITY_FIELDS = ["title", "slug", "kind", "language", "byline", "tags", "visibility"]
IDENTITY = ("Identity", {"fields": IDENTITY_FIELDS})
# The form's provenance fields (one list, so a new field shows up in both), plus how it was captured.
PROVENANCE_FIELDS = [f for f in DOCUMENT_PROVENANCE_FIELDS if f not in IDENTITY_FIELDS]
PROVENANCE_FIELDS.insert(PROVENANCE_FIELDS.index("provenance_notes"), "capture_method")


@admin.register(Document)
class DocumentAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    Media = SelectionMedia
    form = DocumentChangeForm
    add_form = DocumentCaptureForm
    list_display = [
        "title",
        "source",
        "kind",
        "published",
        "captured_at",
        "claim_count",
        "tag_list",
        "hash_check",
        "visibility",
    ]
    list_filter = ["source", "kind", "language", TagListFilter, "visibility"]
    list_select_related = ["source"]
    search_fields = ["title", "byline", "text"]
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ["source"]
    date_hierarchy = "captured_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(claim_count=Count("claims", distinct=True))
            .prefetch_related("tags")
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return label_split_datetime(super().formfield_for_dbfield(db_field, request, **kwargs))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (
                    "Capture",
                    {
                        "fields": ["paste", "upload"],
                        "description": "The capture is stored exactly as given; boilerplate lines are "
                        "removed from the reading text and listed in the cleaning report.",
                    },
                ),
                IDENTITY,
                ("Provenance", {"fields": [f for f in PROVENANCE_FIELDS if f != "capture_method"]}),
            ]
        return [
            IDENTITY,
            ("Provenance", {"fields": PROVENANCE_FIELDS}),
            (
                "Capture",
                {
                    "fields": ["raw_text_display", "raw_sha256", "hash_check", "cleaning_report_display"],
                },
            ),
            (
                "Reading text",
                {
                    "fields": ["reading_text", "versions_display"],
                    "description": "Select a passage to pre-fill a new claim below. The text is corrected "
                    "on its own page, which shows what the correction does to the claims first.",
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "capture_method",
            "raw_text_display",
            "raw_sha256",
            "hash_check",
            "cleaning_report_display",
            "reading_text",
            "versions_display",
        ]

    def get_inlines(self, request, obj):
        # Claims anchor to the cleaned text, which exists only once the capture is archived.
        return [] if obj is None else [ClaimInline, DocumentRelationInline]

    def save_form(self, request, form, change):
        if not change:
            form.created_by = request.user
        return super().save_form(request, form, change)

    def save_model(self, request, obj, form, change):
        if not change:
            # DocumentCaptureForm.save() archived it through the imports service.
            removed = len(form.cleaned.removed)
            messages.info(
                request,
                f"The cleaner removed {removed} boilerplate line{'' if removed == 1 else 's'} "
                "from the reading text; the cleaning report lists them.",
            )
            return
        # Only the fields this form changed: a whole-row save would put back the reading text
        # (and its version) as they were when the form was opened, undoing a correction made meanwhile.
        fields = [f.name for f in Document._meta.concrete_fields if f.name in form.changed_data]
        if fields:
            obj.save(update_fields=[*fields, "updated_at"])
        if search.DOCUMENT_FIELDS.intersection(fields):
            # Re-read from the row (now locked by the UPDATE), not from ``obj``: its reading text
            # may predate a correction made meanwhile.
            search.index_document(obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Claim:
            return super().save_formset(request, form, formset, change)
        claims = formset.save(commit=False)
        for claim in formset.deleted_objects:
            annotations.delete_claim(claim, user=request.user)
        for claim in claims:
            save_claim(claim, request.user)

    def delete_model(self, request, obj):
        annotations.delete_document(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for document in queryset:
            annotations.delete_document(document, user=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except annotations.Conflict as conflict:
            messages.error(request, f"Nothing was saved. {conflict.message}")
            return HttpResponseRedirect(request.path)

    @admin.display(description="published", ordering="published_at")
    def published(self, obj):
        return panel("_published.html", document=obj)

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj):
        return obj.claim_count

    @admin.display(description="tags")
    def tag_list(self, obj):
        return _tag_names(obj)

    @admin.display(description="hash check")
    def hash_check(self, obj):
        return panel("_hash_check.html", document=obj)

    @admin.display(description="raw text (as captured)")
    def raw_text_display(self, obj):
        return panel("_raw_text.html", document=obj)

    @admin.display(description="reading text")
    def reading_text(self, obj):
        return text_panel(obj, mode="inline", button_label="New claim from selection", correct_link=True)

    @admin.display(description="versions")
    def versions_display(self, obj):
        versions = obj.versions.select_related("created_by").order_by("number")
        return panel("_versions.html", document=obj, versions=versions)

    @admin.display(description="cleaning report")
    def cleaning_report_display(self, obj):
        return panel("_cleaning_report.html", document=obj)


@admin.register(DocumentRelation)
class DocumentRelationAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    list_display = ["document", "kind", "target_title"]
    list_filter = ["kind"]
    list_select_related = ["document", "target"]
    search_fields = ["document__title", "target__title", "external_title"]
    autocomplete_fields = ["document", "target"]


# --- Claims ---------------------------------------------------------------------------------


def orphan_flag(claim):
    return panel("_orphan_flag.html", claim=claim)


class AnchoringFilter(admin.SimpleListFilter):
    title = "anchoring"
    parameter_name = "anchoring"

    def lookups(self, request, model_admin):
        return [("orphaned", "Orphaned"), ("anchored", "Anchored")]

    def queryset(self, request, queryset):
        if self.value() == "orphaned":
            return queryset.filter(orphaned=True)
        if self.value() == "anchored":
            return queryset.filter(orphaned=False)
        return queryset


def _chosen_document(request):
    """The document named by the add form (``?document=<id>`` or the posted field), if any."""
    value = (request.POST if request.method == "POST" else request.GET).get("document", "")
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return Document.objects.filter(pk=int(value)).first()


CLAIM_RECORD = ("Record", {"fields": ["anchor_note", "created_by", "created_at", "updated_at"]})
CLAIM_DETAILS = ("Claim", {"fields": list(Claim.DETAIL_FIELDS)})


class ClaimLinkInline(SafeAutocompleteMixin, admin.TabularInline):
    """Links from this claim to claims in other documents (“this claim *reports* that one”)."""

    model = ClaimLink
    form = LabelledCellsForm
    formset = LabelledRowsFormSet
    fk_name = "from_claim"
    fields = ["relation", "to_claim", "note", "created_by"]
    readonly_fields = ["created_by"]
    autocomplete_fields = ["to_claim"]
    extra = 1
    verbose_name = "link to a claim in another document"
    verbose_name_plural = "links to claims in other documents"


@admin.register(Claim)
class ClaimAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    Media = SelectionMedia
    form = ClaimAdminForm
    inlines = [ClaimLinkInline]
    list_display = [
        "excerpt",
        "document",
        "claimant",
        "kind",
        "status",
        "tag_list",
        "visibility",
        "anchor_state",
    ]
    list_filter = ["claimant", "kind", "status", TagListFilter, "document", "visibility", AnchoringFilter]
    list_select_related = ["document", "claimant"]
    search_fields = ["quote", "note", "document__title", "claimant__name"]
    autocomplete_fields = ["document", "claimant"]

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.orphaned:
            return [
                (None, {"fields": ["document", "edited_version"]}),
                (
                    "Orphaned by a text correction",
                    {
                        "fields": [
                            "orphan_summary",
                            "replace_panel",
                            tuple(ClaimAdminForm.REPLACEMENT_FIELDS),
                        ],
                        "description": "No place in the corrected text matched this claim with confidence. "
                        "Select its passage in the current text, press “Re-place claim here”, then Save.",
                    },
                ),
                CLAIM_DETAILS,
                CLAIM_RECORD,
            ]
        return [
            (None, {"fields": [*CLAIM_QUOTE_FIELDS, "start", "end", "edited_version"]}),
            CLAIM_DETAILS,
            CLAIM_RECORD,
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["start", "end", "anchor_note", "created_by", "created_at", "updated_at"]
        if obj is not None and obj.orphaned:
            # The stored selectors point into an older version: shown, not edited.
            readonly += [*CLAIM_QUOTE_FIELDS, "orphan_summary", "replace_panel"]
        return readonly

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def save_model(self, request, obj, form, change):
        save_claim(obj, request.user, tags=form.cleaned_data.get("tags"), replacement=form.replacement)

    def save_related(self, request, form, formsets, change):
        # The tags were saved with the claim, through the service (form.save_m2m would bypass its event).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        save_links(formset, request.user)

    def delete_model(self, request, obj):
        annotations.delete_claim(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for claim in queryset:
            annotations.delete_claim(claim, user=request.user)

    def add_view(self, request, form_url="", extra_context=None):
        document = _chosen_document(request)
        if document is not None:
            chosen = text_panel(document, mode="fill", button_label="Use the selection as the quote")
            extra_context = {**(extra_context or {}), "document_text_panel": chosen}
        return super().add_view(request, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except annotations.Conflict as conflict:
            # Changed between the form's check and the save: nothing was saved (the transaction rolled back).
            messages.error(request, f"Nothing was saved. {conflict.message}")
            return HttpResponseRedirect(request.path)

    @admin.display(description="quote", ordering="quote")
    def excerpt(self, obj):
        return anchoring.excerpt(obj.quote, 90)

    @admin.display(description="anchoring", ordering="orphaned")
    def anchor_state(self, obj):
        return orphan_flag(obj)

    @admin.display(description="as anchored before the correction")
    def orphan_summary(self, obj):
        return panel("_orphan_summary.html", claim=obj)

    @admin.display(description="current reading text")
    def replace_panel(self, obj):
        return text_panel(obj.document, mode="replace", button_label="Re-place claim here")

    @admin.display(description="tags")
    def tag_list(self, obj):
        return _tag_names(obj)


@admin.register(ClaimLink)
class ClaimLinkAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    list_display = ["from_claim", "relation", "to_claim", "created_by"]
    list_filter = ["relation"]
    list_select_related = ["from_claim", "to_claim", "created_by"]
    search_fields = ["from_claim__quote", "to_claim__quote", "note"]
    autocomplete_fields = ["from_claim", "to_claim"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if change:
            linked = annotations.update_link(
                obj, user=request.user, **{name: getattr(obj, name) for name in LINK_FIELDS}
            )
        else:
            linked = annotations.link_claims(
                obj.from_claim, obj.to_claim, obj.relation, user=request.user, note=obj.note
            )
        _adopt(obj, linked)

    def delete_model(self, request, obj):
        annotations.unlink_claims(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for link in queryset:
            annotations.unlink_claims(link, user=request.user)


LINK_FIELDS = ("from_claim", "to_claim", "relation", "note")


def save_links(formset, user):
    """Store a claim-link formset's changes through ``annotations`` (events on both claims).

    Call after ``formset.save(commit=False)``, which sorts the forms into new,
    changed and deleted links without writing.
    """
    for link in formset.deleted_objects:
        annotations.unlink_claims(link, user=user)
    for link, _changed in formset.changed_objects:
        annotations.update_link(link, user=user, **{name: getattr(link, name) for name in LINK_FIELDS})
    for link in formset.new_objects:
        _adopt(
            link,
            annotations.link_claims(link.from_claim, link.to_claim, link.relation, user=user, note=link.note),
        )


class _ReadOnlyAdmin(admin.ModelAdmin):
    """History is written by the archive itself, never typed in."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DocumentVersion)
class DocumentVersionAdmin(_ReadOnlyAdmin):
    list_display = ["document", "number", "reason", "created_by", "created_at"]
    list_select_related = ["document", "created_by"]
    search_fields = ["document__title", "reason"]


@admin.register(ClaimEvent)
class ClaimEventAdmin(_ReadOnlyAdmin):
    """The audit trail is append-only: no one, not even a superuser, edits or deletes an event here."""

    list_display = ["at", "action", "claim_pk", "claim_version", "document_title", "user"]
    list_filter = ["action"]
    list_select_related = ["user"]
    search_fields = ["=claim_pk", "document_title"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TagRedirect)
class TagRedirectAdmin(_ReadOnlyAdmin):
    list_display = ["slug", "name", "tag", "merged_by", "merged_at"]
    list_select_related = ["tag", "merged_by"]
    search_fields = ["slug", "name", "tag__name"]


# --- Tags --------------------------------------------------------------------------------


def _register_tag_admin():
    """Tags are renamed, deleted and merged through the services (each claim carrying one records it)."""
    from taggit.admin import TagAdmin as TaggitTagAdmin

    if admin.site.is_registered(Tag):
        admin.site.unregister(Tag)

    @admin.register(Tag)
    class TagAdmin(TaggitTagAdmin):
        # taggit's inline edits tagged items and its merge page re-tags objects in place: both bypass
        # the events (and its merge leaves the merged tags behind, empty, their pages 404). Merging is
        # the action below, through ``archive.services.tags``.
        inlines = []
        actions = ["merge_tags"]
        form = TagAdminForm  # a name with no letter or digit could have no page

        def get_urls(self):
            return admin.ModelAdmin.get_urls(self)  # without taggit's merge-tags page

        def save_model(self, request, obj, form, change):
            if change:
                stored = Tag.objects.get(pk=obj.pk)
                name, slug = obj.name, obj.slug
                obj.name, obj.slug = stored.name, stored.slug
                annotations.change_tag(obj, user=request.user, name=name, slug=slug)
            else:
                super().save_model(request, obj, form, change)

        def delete_model(self, request, obj):
            annotations.delete_tag(obj, user=request.user)

        def delete_queryset(self, request, queryset):
            for tag in queryset:
                annotations.delete_tag(tag, user=request.user)

        @admin.action(description="Merge selected tags into one", permissions=["change"])
        def merge_tags(self, request, queryset):
            if queryset.count() < 2:
                self.message_user(request, "Select at least two tags to merge.", messages.WARNING)
                return None
            form = TagMergeForm(request.POST if "merge" in request.POST else None, tags=queryset)
            if form.is_valid():
                try:
                    result = tag_service.merge_tags(queryset, form.cleaned_data["into"], user=request.user)
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                    return None
                self.message_user(
                    request,
                    f"Merged {', '.join(f'“{name}”' for name in result.merged)} into “{result.into.name}”: "
                    f"{result.objects} documents and claims retagged, {result.claims} claims recorded the "
                    "change; the merged tags' pages redirect to its page.",
                    messages.SUCCESS,
                )
                return None
            context = {
                **self.admin_site.each_context(request),
                "title": "Merge tags",
                "opts": self.model._meta,
                "queryset": queryset,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/archive/tag_merge.html", context)


_register_tag_admin()

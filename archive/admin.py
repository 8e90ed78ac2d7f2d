"""The analysts' admin: archiving captures, placing claims, keeping provenance.

Captures enter through ``ingest`` (the same path as the importer) and claims
are written through ``annotations`` so every change leaves an audit event.
What analysts may do is decided by the Analysts group's permissions, not here.
"""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html, format_html_join
from taggit.models import Tag

from archive import anchoring, annotations
from archive.forms import ClaimAdminForm, DocumentCaptureForm, DocumentChangeForm
from archive.models import (
    Claim, ClaimEvent, ClaimLink, Document, DocumentRelation, DocumentVersion, Person, Source,
)

# --- Shared pieces -----------------------------------------------------------------


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


def _tag_names(obj):
    return ", ".join(sorted(tag.name for tag in obj.tags.all()))


def _adopt(target, saved):
    """Make ``target`` (the admin's instance) the row ``saved`` was stored as."""
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


CLAIM_DETAIL_FIELDS = ("claimant", "kind", "status", "note", "visibility")


def save_claim(claim, user):
    """Store a claim edited in a form, through ``annotations`` so it is audited."""
    selector = anchoring.Selector(claim.quote, claim.prefix, claim.suffix, claim.start, claim.end)
    details = {name: getattr(claim, name) for name in CLAIM_DETAIL_FIELDS}
    if claim.pk is None:
        _adopt(claim, annotations.create_claim(claim.document, selector, user=user, **details))
        return
    stored = Claim.objects.select_related("document").get(pk=claim.pk)
    if (stored.document_id, stored.quote, stored.start, stored.end) != (
        claim.document_id, claim.quote, claim.start, claim.end
    ):
        stored.document = claim.document
        annotations.move_claim(stored, selector, user=user)
    if any(getattr(stored, name) != value for name, value in details.items()):
        annotations.update_claim(stored, user=user, **details)
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


# --- Documents ---------------------------------------------------------------------------


class ClaimInline(admin.TabularInline):
    model = Claim
    form = ClaimAdminForm
    fields = ["quote", "prefix", "suffix", "claimant", "kind", "status", "visibility", "start", "end"]
    readonly_fields = ["start", "end"]
    autocomplete_fields = ["claimant"]
    extra = 0
    show_change_link = True


class DocumentRelationInline(admin.StackedInline):
    model = DocumentRelation
    fk_name = "document"
    autocomplete_fields = ["target"]
    extra = 0


IDENTITY = ("Identity", {"fields": ["title", "slug", "kind", "language", "byline", "tags", "visibility"]})
PROVENANCE_FIELDS = [
    "source", "original_url", "archived_url", "published_at", "published_precision",
    "captured_at", "captured_by", "capture_method", "provenance_notes",
]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentChangeForm
    add_form = DocumentCaptureForm
    list_display = [
        "title", "source", "kind", "published", "captured_at", "claim_count", "tag_list", "hash_check",
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
            super().get_queryset(request)
            .annotate(claim_count=Count("claims", distinct=True))
            .prefetch_related("tags")
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                ("Capture", {
                    "fields": ["paste", "upload"],
                    "description": "The capture is stored exactly as given; boilerplate lines are removed "
                    "from the reading text and listed in the cleaning report.",
                }),
                IDENTITY,
                ("Provenance", {"fields": [f for f in PROVENANCE_FIELDS if f != "capture_method"]}),
            ]
        return [
            IDENTITY,
            ("Provenance", {"fields": PROVENANCE_FIELDS}),
            ("Capture", {
                "fields": ["raw_text_display", "raw_sha256", "hash_check", "cleaning_report_display"],
            }),
            ("Reading text", {"fields": ["text"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["capture_method", "raw_text_display", "raw_sha256", "hash_check", "cleaning_report_display"]

    def get_inlines(self, request, obj):
        # Claims anchor to the cleaned text, which exists only once the capture is archived.
        return [] if obj is None else [ClaimInline, DocumentRelationInline]

    def save_form(self, request, form, change):
        if not change:
            form.created_by = request.user
        return super().save_form(request, form, change)

    def save_model(self, request, obj, form, change):
        if not change:
            # DocumentCaptureForm.save() archived it through ingest.
            removed = len(form.cleaned.removed)
            messages.info(
                request,
                f"The cleaner removed {removed} boilerplate line{'' if removed == 1 else 's'} "
                "from the reading text; the cleaning report lists them.",
            )
            return
        if "text" in form.changed_data:
            # Saved as a new text version so the document's history stays complete.
            new_text = obj.text
            obj.text = Document.objects.values_list("text", flat=True).get(pk=obj.pk)
            super().save_model(request, obj, form, change)
            annotations.correct_text(
                obj, new_text, user=request.user, reason="Edited in the admin (no claims)"
            )
            obj.refresh_from_db()
            return
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Claim:
            return super().save_formset(request, form, formset, change)
        claims = formset.save(commit=False)
        for claim in formset.deleted_objects:
            annotations.delete_claim(claim, user=request.user)
        for claim in claims:
            save_claim(claim, request.user)
        formset.save_m2m()

    @admin.display(description="published", ordering="published_at")
    def published(self, obj):
        if obj.published_at is None:
            return "date unknown"
        return format_html(
            '<time datetime="{}">{}</time> ({})',
            obj.published_iso, obj.published_display, obj.get_published_precision_display().lower(),
        )

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj):
        return obj.claim_count

    @admin.display(description="tags")
    def tag_list(self, obj):
        return _tag_names(obj)

    @admin.display(description="hash check")
    def hash_check(self, obj):
        if obj.raw_text_intact():
            return format_html('<span class="hash-ok">{}</span>', "✓ matches")
        return format_html(
            '<strong class="hash-mismatch">{}</strong>',
            "✗ MISMATCH: the raw text no longer has the recorded SHA-256"
        )

    @admin.display(description="raw text (as captured)")
    def raw_text_display(self, obj):
        return format_html('<pre class="raw-capture">{}</pre>', obj.raw_text)

    @admin.display(description="cleaning report")
    def cleaning_report_display(self, obj):
        if not obj.cleaning_report:
            return "The cleaner removed nothing."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li>line {}: <code>{}</code> ({})</li>",
                ((r.get("line"), r.get("text"), r.get("reason")) for r in obj.cleaning_report),
            ),
        )


@admin.register(DocumentRelation)
class DocumentRelationAdmin(admin.ModelAdmin):
    list_display = ["document", "kind", "target_title"]
    list_filter = ["kind"]
    list_select_related = ["document", "target"]
    search_fields = ["document__title", "target__title", "external_title"]
    autocomplete_fields = ["document", "target"]


# --- Claims ---------------------------------------------------------------------------------


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    form = ClaimAdminForm
    list_display = ["excerpt", "document", "claimant", "kind", "status", "tag_list", "visibility", "orphaned"]
    list_filter = ["claimant", "kind", "status", TagListFilter, "document", "visibility", "orphaned"]
    list_select_related = ["document", "claimant"]
    search_fields = ["quote", "note", "document__title", "claimant__name"]
    autocomplete_fields = ["document", "claimant"]
    readonly_fields = ["start", "end", "anchor_note", "created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["document", "quote", "prefix", "suffix", "start", "end"]}),
        ("Claim", {"fields": ["claimant", "kind", "status", "note", "tags", "visibility"]}),
        ("Record", {"fields": ["anchor_note", "created_by", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def save_model(self, request, obj, form, change):
        save_claim(obj, request.user)

    def delete_model(self, request, obj):
        annotations.delete_claim(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for claim in queryset:
            annotations.delete_claim(claim, user=request.user)

    @admin.display(description="quote", ordering="quote")
    def excerpt(self, obj):
        return anchoring.excerpt(obj.quote, 90)

    @admin.display(description="tags")
    def tag_list(self, obj):
        return _tag_names(obj)


@admin.register(ClaimLink)
class ClaimLinkAdmin(admin.ModelAdmin):
    list_display = ["from_claim", "relation", "to_claim", "created_by"]
    list_filter = ["relation"]
    autocomplete_fields = ["from_claim", "to_claim"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class _ReadOnlyAdmin(admin.ModelAdmin):
    """History is written by the archive itself, never typed in. Deleting is left
    to the model permissions (no group has them) so that a superuser deleting a
    document can take its history with it."""

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
    list_display = ["at", "action", "claim_pk", "document", "user"]
    list_filter = ["action"]
    list_select_related = ["document", "user"]

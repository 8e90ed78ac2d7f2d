"""The analysts' admin: archiving captures, placing claims, keeping provenance.

Captures enter through ``archive.services.imports`` (the same path as the importer) and claims
are written through ``annotations`` so every change leaves an audit event.
What analysts may do is decided by the Analysts group's permissions, not here.
"""

from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from taggit.models import Tag

from archive.forms import (
    DOCUMENT_PROVENANCE_FIELDS,
    ClaimAdminForm,
    DocumentCaptureForm,
    DocumentChangeForm,
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
)
from archive.services import annotations
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
        return super().optgroups(name, usable, attr)


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


def _tag_names(obj):
    return ", ".join(sorted(tag.name for tag in obj.tags.all()))


def _adopt(target, saved):
    """Make ``target`` (the admin's instance) the row ``saved`` was stored as."""
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


CLAIM_DETAIL_FIELDS = ("claimant", "kind", "status", "note", "visibility")


class SelectionMedia:
    """The selection tool: static/archive/admin-select.js reads the panel made
    by ``text_panel`` and fills the claim form (data passes through data-
    attributes, as the CSP allows no inline script)."""

    js = ["archive/selection.js", "archive/admin-select.js"]
    css = {"all": ["archive/admin.css"]}


def text_panel(document, *, mode, button_label, extra_actions=""):
    """The reading text, read-only and selectable, with the tool's button and status.

    ``mode`` is ``"inline"`` (pre-fill a new claim in the document's claim
    inline) or ``"replace"`` (fill the claim form's ``new_*`` fields).
    Anchored claims are marked; orphaned ones point into an older version.
    """
    text = document.text
    highlights = [
        Highlight(key=str(claim.pk), start=claim.start, end=claim.end)
        for claim in document.claims.filter(orphaned=False).only("pk", "start", "end")
        if 0 <= claim.start < claim.end <= len(text)
    ]
    return format_html(
        '<div class="admin-select">'
        '<div class="doc-text" data-admin-select="{}" data-inline-group="claims-group" lang="{}" '
        'tabindex="0" role="region" aria-label="Reading text: select a passage">{}</div>'
        '<p class="admin-select-actions">'
        '<button type="button" class="button" data-admin-select-button>{}</button>{}</p>'
        '<p class="admin-select-status" role="status" aria-live="polite" data-admin-select-status></p>'
        "</div>",
        mode,
        document.language,
        render_highlighted(text, highlights),
        button_label,
        extra_actions,
    )


def _when(moment):
    local = timezone.localtime(moment)
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), local.strftime("%Y-%m-%d %H:%M"))


def save_claim(claim, user):
    """Store a claim edited in a form, through ``annotations`` so it is audited."""
    selector = anchoring.Selector(claim.quote, claim.prefix, claim.suffix, claim.start, claim.end)
    details = {name: getattr(claim, name) for name in CLAIM_DETAIL_FIELDS}
    if claim.pk is None:
        _adopt(claim, annotations.create_claim(claim.document, selector, user=user, **details))
        return
    stored = Claim.objects.select_related("document").get(pk=claim.pk)
    if (stored.document_id, stored.quote, stored.start, stored.end) != (
        claim.document_id,
        claim.quote,
        claim.start,
        claim.end,
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


class ClaimInline(SafeAutocompleteMixin, admin.TabularInline):
    model = Claim
    form = ClaimAdminForm
    fields = [
        "quote",
        "prefix",
        "suffix",
        "claimant",
        "kind",
        "status",
        "visibility",
        "start",
        "end",
        "anchor_state",
    ]
    readonly_fields = ["start", "end", "anchor_state"]
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
            obj.published_iso,
            obj.published_display,
            obj.get_published_precision_display().lower(),
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
            "✗ MISMATCH: the raw text no longer has the recorded SHA-256",
        )

    @admin.display(description="raw text (as captured)")
    def raw_text_display(self, obj):
        return format_html('<pre class="raw-capture">{}</pre>', obj.raw_text)

    @admin.display(description="reading text")
    def reading_text(self, obj):
        correct = format_html(
            ' <a class="button" href="{}">{}</a>',
            reverse("archive:document_correct", args=[obj.slug]),
            "Correct the reading text…",
        )
        return text_panel(obj, mode="inline", button_label="New claim from selection", extra_actions=correct)

    @admin.display(description="versions")
    def versions_display(self, obj):
        versions = obj.versions.select_related("created_by").order_by("number")
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">version {}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("archive:document_version", args=[obj.slug, v.number]),
                    v.number,
                    _when(v.created_at),
                    v.created_by.get_username() if v.created_by else "—",
                    v.reason or "—",
                )
                for v in versions
            ),
        )
        return format_html(
            '<table class="versions"><thead><tr><th scope="col">Version</th><th scope="col">Saved</th>'
            '<th scope="col">By</th><th scope="col">Reason</th></tr></thead><tbody>{}</tbody></table>',
            rows,
        )

    @admin.display(description="cleaning report")
    def cleaning_report_display(self, obj):
        if not obj.cleaning_report:
            return "The cleaner removed nothing."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>line {}: <code>{}</code> ({})</li>",
                ((r.get("line"), r.get("text"), r.get("reason")) for r in obj.cleaning_report),
            ),
        )


@admin.register(DocumentRelation)
class DocumentRelationAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    list_display = ["document", "kind", "target_title"]
    list_filter = ["kind"]
    list_select_related = ["document", "target"]
    search_fields = ["document__title", "target__title", "external_title"]
    autocomplete_fields = ["document", "target"]


# --- Claims ---------------------------------------------------------------------------------


def orphan_flag(claim):
    if not claim.orphaned:
        return ""
    return format_html(
        '<span class="orphan-flag">⚠ orphaned</span> <span class="anchor-note">{}</span>', claim.anchor_note
    )


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


CLAIM_RECORD = ("Record", {"fields": ["anchor_note", "created_by", "created_at", "updated_at"]})
CLAIM_DETAILS = ("Claim", {"fields": ["claimant", "kind", "status", "note", "tags", "visibility"]})


class ClaimLinkInline(SafeAutocompleteMixin, admin.TabularInline):
    """Links from this claim to claims in other documents (“this claim *reports* that one”)."""

    model = ClaimLink
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
                (None, {"fields": ["document"]}),
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
            (None, {"fields": ["document", "quote", "prefix", "suffix", "start", "end"]}),
            CLAIM_DETAILS,
            CLAIM_RECORD,
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["start", "end", "anchor_note", "created_by", "created_at", "updated_at"]
        if obj is not None and obj.orphaned:
            # The stored selectors point into an older version: shown, not edited.
            readonly += ["document", "quote", "prefix", "suffix", "orphan_summary", "replace_panel"]
        return readonly

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def save_model(self, request, obj, form, change):
        if form.replacement is not None:
            stored = Claim.objects.select_related("document").get(pk=obj.pk)
            moved = annotations.move_claim(stored, form.replacement, user=request.user)
            # The form's instance still holds the old span; without this save_claim would move it back.
            for name in (
                "quote",
                "prefix",
                "suffix",
                "start",
                "end",
                "orphaned",
                "anchor_note",
                "anchored_version_id",
            ):
                setattr(obj, name, getattr(moved, name))
        save_claim(obj, request.user)

    def save_formset(self, request, form, formset, change):
        links = formset.save(commit=False)
        for link in links:
            if link.created_by_id is None:
                link.created_by = request.user
            link.save()
        for link in formset.deleted_objects:
            link.delete()

    def delete_model(self, request, obj):
        annotations.delete_claim(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for claim in queryset:
            annotations.delete_claim(claim, user=request.user)

    @admin.display(description="quote", ordering="quote")
    def excerpt(self, obj):
        return anchoring.excerpt(obj.quote, 90)

    @admin.display(description="anchoring", ordering="orphaned")
    def anchor_state(self, obj):
        return orphan_flag(obj)

    @admin.display(description="as anchored before the correction")
    def orphan_summary(self, obj):
        version = obj.anchored_version
        if version is None:
            where = format_html("{}", "The version it was anchored in is not recorded.")
        else:
            where = format_html(
                'Anchored in <a href="{}">version {}</a> ({}), characters {}–{}.',
                version.get_absolute_url(),
                version.number,
                version.reason or "no reason given",
                obj.start,
                obj.end,
            )
        return format_html(
            '<p><span class="orphan-flag">⚠ orphaned</span> {}</p><p>{}</p>'
            '<blockquote class="old-quote"><span class="context">{}</span><mark>{}</mark>'
            '<span class="context">{}</span></blockquote>',
            obj.anchor_note,
            where,
            obj.prefix,
            obj.quote,
            obj.suffix,
        )

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

"""The archive's data: captures with provenance, the people and outlets
behind them, and the claims analysts highlight in them.

A Document keeps two texts. ``raw_text`` is the capture exactly as it was
received and never changes (its SHA-256 is stored beside it so anyone can
re-check it). ``text`` is the reading text produced by the boilerplate
cleaner; claims anchor to it with a quote selector and a position selector.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager

from archive.permissions import is_analyst
from archive.text import anchoring, dates
from archive.validators import validate_language_tag


class URLField(models.URLField):
    """A URLField whose forms assume https for scheme-less input (Django 6's default)."""

    def formfield(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.URLField", args, kwargs


def sha256_hex(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Visibility(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(visibility=Visibility.PUBLISHED)

    def visible_to(self, user):
        """What ``user`` may read: everything for analysts, published material otherwise."""
        if is_analyst(user):
            return self
        return self.published()


class Source(models.Model):
    class Kind(models.TextChoices):
        STATE_MEDIA = "state_media", "State media"
        OFFICIAL = "official", "Official website"
        DIPLOMATIC = "diplomatic", "Embassy / diplomatic"
        NEWS = "news", "News site"
        THINK_TANK = "think_tank", "Think tank"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    # Any script: a Persian outlet's page can be /sources/خبرگزاری-فارس/.
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    homepage = URLField(blank=True)
    country = models.CharField(max_length=100, blank=True, help_text="Leave blank when unknown.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("archive:source_detail", args=[self.slug])


class Person(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    role = models.CharField(max_length=300, blank=True)
    aliases = models.TextField(
        blank=True,
        help_text="Other names this person is reported under, one per line "
        "(e.g. “Ayatollah Seyyed Ali Khamenei”).",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("archive:person_detail", args=[self.slug])

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class DocumentQuerySet(PublishedQuerySet):
    def with_claim_counts(self, user=None):
        """Annotate ``claim_count`` with the claims ``user`` may see.

        A subquery per document (on the claims' document index) rather than a
        join: a join would multiply the rows of any other joined table, such
        as the search index's matching rows, and group every document.
        """
        claims = Claim.objects.filter(document=OuterRef("pk"))
        if not is_analyst(user):
            claims = claims.filter(visibility=Visibility.PUBLISHED)
        count = claims.order_by().values("document").annotate(n=Count("pk")).values("n")
        return self.annotate(claim_count=Coalesce(Subquery(count), 0))


class Document(models.Model):
    class Kind(models.TextChoices):
        TRANSCRIPT = "transcript", "Speech transcript"
        NEWS = "news", "News report"
        ANALYSIS = "analysis", "Analysis"
        READOUT = "readout", "Official readout"
        STATEMENT = "statement", "Statement"
        OTHER = "other", "Other"

    class DatePrecision(models.TextChoices):
        TIME = "time", "Exact time"
        DAY = "day", "Day"
        MONTH = "month", "Month"
        YEAR = "year", "Year"
        UNKNOWN = "unknown", "Unknown"

    class CaptureMethod(models.TextChoices):
        FILE_IMPORT = "file_import", "File import"
        ADMIN_PASTE = "admin_paste", "Paste in admin"
        UPLOAD = "upload", "Upload"

    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    language = models.CharField(
        max_length=35,
        default="en",
        validators=[validate_language_tag],
        help_text="BCP 47 tag, e.g. en, fa, ar-SY.",
    )
    byline = models.CharField(
        max_length=300, blank=True, help_text="Author as printed; blank when none is given."
    )

    # Provenance
    source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        help_text="Leave empty when the publisher is unknown.",
    )
    original_url = URLField(max_length=2000, blank=True)
    archived_url = URLField(max_length=2000, blank=True, verbose_name="archived copy URL")
    published_at = models.DateTimeField(null=True, blank=True)
    published_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN
    )
    published_time_zone_stated = models.BooleanField(
        default=False,
        help_text="Tick only when the source states the time zone. Otherwise the time is stored as "
        "printed (as if UTC) and shown as “time zone not stated”.",
    )
    captured_at = models.DateTimeField(default=timezone.now)
    captured_by = models.CharField(max_length=200, blank=True)
    capture_method = models.CharField(max_length=20, choices=CaptureMethod.choices)
    provenance_notes = models.TextField(blank=True)

    # The capture and its reading text
    raw_text = models.TextField()
    raw_sha256 = models.CharField("raw text SHA-256", max_length=64, unique=True, editable=False)
    text = models.TextField(help_text="Reading text that claims anchor to.")
    cleaning_report = models.JSONField(
        default=list, blank=True, help_text="Lines the boilerplate cleaner removed, with their line numbers."
    )

    tags = TaggableManager(blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.DRAFT)
    # Optimistic concurrency of the reading text: every correction (a service
    # write) increments it with a conditional UPDATE; a stale correction form is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-captured_at"]
        permissions = [("view_draft", "Can see draft documents and claims on public pages")]
        # One per filter and sort of the listings (``DocumentFilterForm``), each ending in
        # the sort's columns so that a page is a walk along an index, never a sort. The
        # "newest published first" order puts NULL dates last, which PostgreSQL indexes
        # must say (SQLite's DESC does it by nature): migration 0011 adds those there.
        indexes = [
            models.Index(
                fields=["visibility", "published_at", "captured_at", "id"], name="document_published"
            ),
            models.Index(fields=["visibility", "captured_at", "id"], name="document_captured"),
            models.Index(fields=["visibility", "kind"], name="document_kind"),
            models.Index(fields=["visibility", "language"], name="document_language"),
            models.Index(
                fields=["source", "visibility", "published_at", "captured_at", "id"], name="document_source"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_precision="unknown", published_at__isnull=True)
                | (~Q(published_precision="unknown") & Q(published_at__isnull=False)),
                name="document_published_date_matches_precision",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        creating = self.pk is None
        update_fields = kwargs.get("update_fields")
        touches_identity = update_fields is None or {"raw_text", "slug"} & set(update_fields)
        previous_slug = None
        if creating:
            self.raw_sha256 = sha256_hex(self.raw_text)
        elif touches_identity:
            # Re-read only when the save could change the raw text or the slug:
            # text corrections save ``text`` alone and skip this large read.
            stored_raw, previous_slug = Document.objects.filter(pk=self.pk).values_list(
                "raw_text", "slug"
            ).first() or (None, None)
            if stored_raw is not None and stored_raw != self.raw_text:
                raise ValidationError("The raw text of a capture never changes after it is archived.")
        super().save(*args, **kwargs)
        if not creating and previous_slug and previous_slug != self.slug:
            # Old links keep working: remember the slug this document used to have.
            DocumentSlug.objects.filter(slug=self.slug).delete()
            DocumentSlug.objects.get_or_create(slug=previous_slug, defaults={"document": self})
        if creating:
            DocumentVersion.create_first(self, self.created_by)

    def get_absolute_url(self):
        return reverse("archive:document_detail", args=[self.slug])

    def clean(self):
        super().clean()
        retired = DocumentSlug.objects.filter(slug=self.slug)
        if self.pk:
            retired = retired.exclude(document=self.pk)
        if self.slug and retired.exists():
            raise ValidationError({"slug": "Another document used this slug before; old links point there."})
        if self.published_precision == self.DatePrecision.UNKNOWN and self.published_at is not None:
            raise ValidationError(
                {"published_precision": "A published date is given, so its precision cannot be “unknown”."}
            )
        if self.published_precision != self.DatePrecision.UNKNOWN and self.published_at is None:
            raise ValidationError(
                {"published_at": "Give the published date, or set its precision to “unknown”."}
            )

    def raw_text_intact(self):
        """True when ``raw_text`` still hashes to the SHA-256 recorded at capture."""
        return sha256_hex(self.raw_text) == self.raw_sha256

    @property
    def published_display(self):
        """The published date at the precision it is known, or “date unknown”."""
        return dates.display(
            self._published_local(), self.published_precision, zone_stated=self.published_time_zone_stated
        )

    @property
    def published_iso(self):
        """Machine-readable value for ``<time datetime>`` at the known precision."""
        return dates.iso(
            self._published_local(), self.published_precision, zone_stated=self.published_time_zone_stated
        )

    def _published_local(self):
        return timezone.localtime(self.published_at) if self.published_at else None


class DocumentRelation(models.Model):
    """A document citing, reporting on, or translating another text.

    The target is another archived document, or, when that text is not in the
    archive (the ISW analysis the Caliber.az piece cites), a described external one.
    """

    class Kind(models.TextChoices):
        CITES = "cites", "cites"
        REPORTS_ON = "reports_on", "reports on"
        TRANSLATION_OF = "translation_of", "is a translation of"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="outgoing_relations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    target = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.CASCADE, related_name="incoming_relations"
    )
    external_title = models.CharField(
        max_length=500, blank=True, help_text="For a text that is not in the archive."
    )
    external_url = URLField(max_length=2000, blank=True)
    external_date = models.DateField(null=True, blank=True)
    external_date_precision = models.CharField(
        max_length=10, choices=Document.DatePrecision.choices, default=Document.DatePrecision.UNKNOWN
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["document", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(target__isnull=False) & Q(external_title=""))
                | (Q(target__isnull=True) & ~Q(external_title="")),
                name="relation_has_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["document", "kind", "target"],
                condition=Q(target__isnull=False),
                name="relation_unique_per_target",
            ),
        ]

    def __str__(self):
        return f"{self.document} {self.get_kind_display()} {self.target_title}"

    @property
    def target_title(self):
        return self.target.title if self.target_id else self.external_title

    def clean(self):
        super().clean()
        if bool(self.target_id) == bool(self.external_title.strip()):
            raise ValidationError("Choose an archived document or describe an external text, not both.")
        if self.target_id and self.target_id == self.document_id:
            raise ValidationError({"target": "A document cannot relate to itself."})


class ClaimQuerySet(PublishedQuerySet):
    def published(self):
        """Published claims in published documents: a claim is never shown outside its document."""
        return self.filter(visibility=Visibility.PUBLISHED, document__visibility=Visibility.PUBLISHED)

    def for_display(self):
        return self.select_related("document", "document__source", "claimant").prefetch_related("tags")

    def visible_in(self, document, user):
        """The claims of ``document`` that ``user`` may read, for a document
        already found with ``Document.objects.visible_to(user)``: its own
        visibility is not asked again (on SQLite that question reads past the
        document's whole text)."""
        return self.filter(document=document).visible_within(user)

    def visible_within(self, user):
        """The claims ``user`` may read, of documents already found visible to them
        (``document__in`` a visible page): the documents' visibility is not asked again."""
        if is_analyst(user):
            return self
        return self.filter(visibility=Visibility.PUBLISHED)


class Claim(models.Model):
    class Kind(models.TextChoices):
        ASSERTION = "assertion", "Assertion"
        ACCUSATION = "accusation", "Accusation"
        THREAT = "threat", "Threat"
        PREDICTION = "prediction", "Prediction"
        DENIAL = "denial", "Denial"
        ADMISSION = "admission", "Admission"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", "Unverified"
        CORROBORATED = "corroborated", "Corroborated"
        DISPUTED = "disputed", "Disputed"
        REFUTED = "refuted", "Refuted"

    # What an analyst says about a claim, apart from where it is. The one list
    # for the admin, the forms, the audit trail and the reader's editing tool
    # (reader.js reads it from the page's ``data-claim-fields``).
    DETAIL_FIELDS = ("claimant", "kind", "status", "note", "tags", "visibility")
    # The same without the tags, which live in their own table (``tags=`` in ``annotations``).
    DETAIL_COLUMNS = tuple(name for name in DETAIL_FIELDS if name != "tags")
    # Where the claim is: both selectors and the version they were placed in.
    # A text correction rewrites exactly these (``annotations.correct_text``).
    PLACEMENT_FIELDS = (
        "quote",
        "prefix",
        "suffix",
        "start",
        "end",
        "orphaned",
        "anchored_version",
        "anchor_note",
    )

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="claims")
    # W3C Web Annotation selectors: TextQuoteSelector (quote, prefix, suffix)
    # and TextPositionSelector (start, end) into ``document.text``.
    quote = models.TextField()
    prefix = models.CharField(max_length=200, blank=True)
    suffix = models.CharField(max_length=200, blank=True)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    claimant = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ASSERTION)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNVERIFIED)
    note = models.TextField(
        blank=True, help_text="Markdown subset: *emphasis*, **strong**, `code`, [links](https://…), lists."
    )
    tags = TaggableManager(blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.DRAFT)
    # Set when a text correction left no trustworthy place for the quote:
    # the claim is kept (with its selectors into ``anchored_version``) and
    # waits for an analyst to re-place it.
    orphaned = models.BooleanField(default=False)
    anchored_version = models.ForeignKey(
        "DocumentVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The text version the selectors were last placed in.",
    )
    anchor_note = models.CharField(max_length=300, blank=True)
    # Optimistic concurrency: every write through ``archive.services.annotations``
    # increments it with a conditional UPDATE, and a writer holding an older
    # version is refused (the API answers 409) instead of undoing a change it never saw.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["document", "start", "end", "pk"]
        indexes = [
            models.Index(fields=["document", "start"]),
            # A person's documents and claims (person page, claimant filter).
            models.Index(fields=["claimant", "document"], name="claim_claimant"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="claim_span_not_empty"),
        ]

    def __str__(self):
        return anchoring.excerpt(self.quote, 80)

    def get_absolute_url(self):
        return reverse("archive:claim_detail", args=[self.pk])

    @property
    def anchor_id(self):
        return f"claim-{self.pk}"

    # The anchoring note of an imported annotation whose quote was not found
    # (``services.annotation_import``) begins so: pages say it was never placed,
    # rather than that a correction moved it away.
    NOT_PLACED_ON_IMPORT = "Not placed on import"

    @property
    def orphaned_on_import(self):
        return self.orphaned and self.anchor_note.startswith(self.NOT_PLACED_ON_IMPORT)

    def clean(self):
        super().clean()
        if self.orphaned or self.document_id is None or self.start is None or self.end is None:
            # An orphaned claim's selectors point into the version it was anchored in.
            return
        problem = anchoring.check_selector(self.document.text, self.selector)
        if problem:
            raise ValidationError({"quote": problem})

    @property
    def selector(self):
        """Both selectors as an ``anchoring.Selector`` (what ``set_selector`` takes)."""
        return anchoring.Selector(self.quote, self.prefix, self.suffix, self.start, self.end)

    def set_selector(self, selector):
        """Take both selectors (quote with context, and offsets) from an ``anchoring.Selector``."""
        self.quote, self.prefix, self.suffix = selector.quote, selector.prefix, selector.suffix
        self.start, self.end = selector.start, selector.end

    def set_span(self, text, start, end):
        """Fill both selectors from a span of ``text``."""
        self.set_selector(anchoring.selector_for(text, start, end))


class DocumentVersion(models.Model):
    """One state of a document's reading text. Version 1 is the text as first
    cleaned; each correction adds the next number, with who, when and why."""

    FIRST_REASON = "Text as first cleaned from the capture"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64, editable=False)
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_number_unique_per_document"),
        ]

    def __str__(self):
        return f"{self.document} — version {self.number}"

    def save(self, *args, **kwargs):
        self.text_sha256 = sha256_hex(self.text)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("archive:document_version", args=[self.document.slug, self.number])

    @classmethod
    def create_first(cls, document, user=None):
        """Version 1: the document's reading text as the cleaner first made it."""
        return cls.objects.create(
            document=document, number=1, text=document.text, reason=cls.FIRST_REASON, created_by=user
        )


class DocumentSlug(models.Model):
    """A slug a document used to have, so old links redirect to the current one."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    retired_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.slug


class TagRedirect(models.Model):
    """The slug of a tag that was merged into another, so its old page redirects there."""

    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    name = models.CharField(max_length=100, help_text="The merged tag's name.")
    tag = models.ForeignKey(
        "taggit.Tag", on_delete=models.CASCADE, related_name="+", help_text="The tag it was merged into."
    )
    merged_at = models.DateTimeField(default=timezone.now)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return f"{self.slug} → {self.tag.slug}"


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit event."""


class ClaimEventQuerySet(models.QuerySet):
    # Only the foreign keys may be cleared, and only by Django's SET_NULL when
    # the claim, document or user they point to is deleted: the event stays.
    NULLABLE = frozenset({"claim", "document", "user"})

    def update(self, **kwargs):
        if set(kwargs) <= self.NULLABLE and all(value is None for value in kwargs.values()):
            return super().update(**kwargs)
        raise AppendOnlyError("Audit events are never changed.")

    def delete(self):
        raise AppendOnlyError("Audit events are never deleted.")

    delete.queryset_only = True


class ClaimEvent(models.Model):
    """Audit trail of a claim: who created, edited, moved, re-anchored, linked,
    reverted or deleted it, and when. Append-only: an event is never changed or
    deleted, and it outlives its claim and document (the foreign keys are
    cleared; ``claim_pk`` and ``document_title`` keep what they pointed to)."""

    class Action(models.TextChoices):
        CREATED = "created", "created"
        EDITED = "edited", "edited"
        MOVED = "moved", "moved (span changed)"
        REANCHORED = "reanchored", "re-anchored after a text correction"
        ORPHANED = "orphaned", "orphaned by a text correction"
        DELETED = "deleted", "deleted"
        LINKED = "linked", "linked to another claim"
        UNLINKED = "unlinked", "unlinked from another claim"
        LINK_CHANGED = "link_changed", "link to another claim changed"
        REVERTED = "reverted", "reverted to an earlier state"

    # Actions that change the claim's own state (and so its version); link
    # events leave the claim as it was.
    STATE_ACTIONS = frozenset({"created", "edited", "moved", "reanchored", "orphaned", "deleted", "reverted"})

    claim = models.ForeignKey(Claim, null=True, on_delete=models.SET_NULL, related_name="events")
    claim_pk = models.PositiveBigIntegerField(help_text="Kept when the claim itself is deleted.")
    document = models.ForeignKey(Document, null=True, on_delete=models.SET_NULL, related_name="+")
    document_title = models.CharField(
        max_length=500, blank=True, help_text="Kept when the document itself is deleted."
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    detail = models.JSONField(default=dict, blank=True)
    claim_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The claim's version after this event (none on older events)."
    )
    state = models.JSONField(
        null=True,
        blank=True,
        help_text="The claim's whole state after this event (before it, for a deletion): "
        "what a revert restores. None on older events.",
    )

    objects = ClaimEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"claim {self.claim_pk} {self.action} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are never deleted.")

    @property
    def revertible(self):
        """Whether this event recorded a state a claim can be reverted to."""
        return self.state is not None and self.action in self.STATE_ACTIONS - {"deleted"}


class ClaimLinkQuerySet(models.QuerySet):
    def published(self):
        """Links whose two claims are both visible to the public."""
        published = Visibility.PUBLISHED
        return self.filter(
            from_claim__visibility=published,
            from_claim__document__visibility=published,
            to_claim__visibility=published,
            to_claim__document__visibility=published,
        )

    def visible_to(self, user):
        if is_analyst(user):
            return self
        return self.published()


class ClaimLink(models.Model):
    """Two claims in different documents and how they relate.

    Direction matters: ``from_claim`` *relation* ``to_claim`` reads as a
    sentence, e.g. a report's claim “reports” the speech's claim.
    """

    class Relation(models.TextChoices):
        REPORTS = "reports", "reports"
        PARAPHRASES = "paraphrases", "paraphrases"
        QUOTES_VERBATIM = "quotes_verbatim", "quotes verbatim"
        REPEATS = "repeats", "repeats"
        CORROBORATES = "corroborates", "corroborates"
        CONTRADICTS = "contradicts", "contradicts"

    from_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="links_out")
    to_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="links_in")
    relation = models.CharField(max_length=20, choices=Relation.choices)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClaimLinkQuerySet.as_manager()

    # How a relation reads from the other end ("reported in 2 documents").
    INCOMING_PHRASES = {
        "reports": "reported in",
        "paraphrases": "paraphrased in",
        "quotes_verbatim": "quoted verbatim in",
        "repeats": "repeated in",
        "corroborates": "corroborated by",
        "contradicts": "contradicted by",
    }

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["from_claim", "to_claim", "relation"], name="claim_link_unique"),
            models.CheckConstraint(condition=~Q(from_claim=models.F("to_claim")), name="claim_link_not_self"),
        ]

    def __str__(self):
        return f"{self.from_claim_id} {self.relation} {self.to_claim_id}"

    def clean(self):
        super().clean()
        if not (self.from_claim_id and self.to_claim_id):
            return
        if self.from_claim_id == self.to_claim_id:
            raise ValidationError("A claim cannot be linked to itself.")
        if self.from_claim.document_id == self.to_claim.document_id:
            raise ValidationError("Link claims in different documents; these two are in the same document.")
        duplicate = ClaimLink.objects.filter(
            Q(from_claim=self.from_claim_id, to_claim=self.to_claim_id)
            | Q(from_claim=self.to_claim_id, to_claim=self.from_claim_id),
            relation=self.relation,
        ).exclude(pk=self.pk)
        if duplicate.exists():
            raise ValidationError("These two claims are already linked with this relation.")


class ImportedAnnotation(models.Model):
    """An annotation imported from another tool, kept so that importing it again skips it.

    ``external_id`` is the annotation's own id (a W3C annotation's IRI, a
    Hypothesis id); ``raw`` is the annotation exactly as the file held it, for
    provenance. The claim may be deleted later: the row stays, so a second
    import of the same file does not bring the claim back.
    """

    class Format(models.TextChoices):
        W3C = "w3c", "W3C Web Annotation"
        HYPOTHESIS = "hypothesis", "Hypothesis"

    class Outcome(models.TextChoices):
        PLACED = "placed", "placed"
        ORPHANED = "orphaned", "kept orphaned (quote not found)"

    external_id = models.CharField(max_length=500, unique=True)
    source_format = models.CharField(max_length=20, choices=Format.choices)
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="imported_from"
    )
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    external_user = models.CharField(
        max_length=300, blank=True, help_text="Who made it in the other tool (e.g. acct:name@hypothes.is)."
    )
    target_url = models.TextField(blank=True, help_text="The address the annotation names as its document.")
    file_name = models.CharField(max_length=300, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raw = models.JSONField(help_text="The annotation as the imported file held it.")

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self):
        return f"{self.get_source_format_display()} annotation {self.external_id}"


# The search index's and the passage index's tables live with their code; imported here so Django
# registers them.
from archive.echoes.models import EchoCandidate, EchoRejection, EchoScan, Passage, PassageTerm  # noqa: E402, F401
from archive.search.models import SearchEntry, SearchText  # noqa: E402, F401

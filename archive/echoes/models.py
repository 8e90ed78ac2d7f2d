"""The passage index and what analysts decided about echoes.

``Passage``: one row per sentence, and per pair of adjacent sentences of one
paragraph, of a document's *current* reading text (``version`` is the
document's version it was cut from). ``terms`` holds the passage's words as
``archive.text.similarity.analyze`` folds them, the only column the
full-text engine indexes (FTS5 table ``archive_passage_fts`` on SQLite,
``search_vector`` with a GIN index on PostgreSQL; migration 0013). The
embedding is filled later by the worker (``archive.echoes.tasks``), with the
SHA-256 of the model that computed it.

``PassageTerm``: how many passages hold each term, archive-wide (the rarity
the re-ranking weighs words by); the row with the empty term counts all
passages.

``EchoRejection``: a passage an analyst said is *not* an echo of a claim,
keyed by the passage's text so that it stays rejected when the document is
corrected elsewhere. ``EchoCandidate``: the inbox, echoes the worker found
for published claims in newly imported documents.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from archive.search.models import IndexVectorField


class Passage(models.Model):
    document = models.ForeignKey("archive.Document", on_delete=models.CASCADE, related_name="passages")
    version = models.PositiveIntegerField(help_text="The document version this passage was cut from.")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    # 1 for a sentence, 2 for two adjacent sentences of one paragraph.
    sentences = models.PositiveSmallIntegerField(default=1)
    text = models.TextField()
    terms = models.TextField(blank=True)
    embedding = models.BinaryField(null=True, blank=True)
    model_sha256 = models.CharField(max_length=64, blank=True)
    search_vector = IndexVectorField(null=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "version", "start", "end"], name="passage_unique_span"
            ),
        ]
        indexes = [
            models.Index(fields=["document", "start"], name="passage_document"),
            # What the worker still has to embed: a small index once it has caught up.
            models.Index(
                fields=["document", "id"], condition=Q(embedding__isnull=True), name="passage_pending"
            ),
        ]

    def __str__(self):
        return f"passage {self.start}–{self.end} of document {self.document_id} v{self.version}"


class PassageTerm(models.Model):
    term = models.CharField(max_length=64, unique=True)
    passages = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.term or '(all)'}: {self.passages}"


class EchoRejection(models.Model):
    claim = models.ForeignKey("archive.Claim", on_delete=models.CASCADE, related_name="echo_rejections")
    document = models.ForeignKey("archive.Document", on_delete=models.CASCADE, related_name="+")
    text_sha256 = models.CharField(max_length=64)
    text = models.TextField()
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "document", "text_sha256"], name="echo_rejection_unique"
            ),
        ]

    def __str__(self):
        return f"not an echo of claim {self.claim_id} in document {self.document_id}"


class EchoCandidate(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Waiting for review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    claim = models.ForeignKey("archive.Claim", on_delete=models.CASCADE, related_name="echo_candidates")
    document = models.ForeignKey("archive.Document", on_delete=models.CASCADE, related_name="echo_candidates")
    text_sha256 = models.CharField(max_length=64)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    score = models.FloatField()
    semantic = models.BooleanField(default=False, help_text="Whether meaning (embeddings) entered the score.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    found_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "document", "text_sha256"], name="echo_candidate_unique"
            ),
        ]
        indexes = [models.Index(fields=["status", "-found_at", "-id"], name="echo_inbox")]

    def __str__(self):
        return f"possible echo of claim {self.claim_id} in document {self.document_id}"


class EchoScan(models.Model):
    """The document version whose passages were last compared with every published claim."""

    document = models.OneToOneField("archive.Document", on_delete=models.CASCADE, related_name="echo_scan")
    version = models.PositiveIntegerField()
    scanned_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"echo scan of document {self.document_id} v{self.version}"

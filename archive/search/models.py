"""The search index's tables.

``SearchEntry`` is an ordinary table: one row per document (title, byline,
reading text) and one per claim (quote and note), each with its document,
its claim (or none), the document's language and the row's visibility, and
the text as the index holds it (``archive.text.search_syntax.normalize``).
On PostgreSQL its ``search_vector`` (GIN-indexed) is what is searched; on
SQLite the FTS5 table ``archive_search_fts`` indexes the same rows as an
external-content table kept in step by triggers (migration 0009), and
``SearchText`` maps it so the ORM can join it. Rows are deleted with their
document or claim (foreign keys with CASCADE; the triggers then drop them
from FTS5).
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property

from archive.models import Visibility
from archive.permissions import is_analyst
from archive.text.search_syntax import snippet_html


class IndexVectorField(SearchVectorField):
    """The PostgreSQL ``tsvector`` of a row (a plain, always empty column elsewhere).

    Its ``matches`` lookup is defined in ``archive.search.postgres``."""


class SearchEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The rows ``user`` may find: all for analysts, published ones otherwise."""
        if is_analyst(user):
            return self
        return self.filter(visibility=Visibility.PUBLISHED)


class SearchEntry(models.Model):
    document = models.ForeignKey("archive.Document", on_delete=models.CASCADE, related_name="search_entries")
    claim = models.ForeignKey(
        "archive.Claim", null=True, blank=True, on_delete=models.CASCADE, related_name="search_entries"
    )
    language = models.CharField(max_length=35)
    # PostgreSQL text-search configuration used for this row (from ``language``).
    config = models.CharField(max_length=63, default="simple")
    # Published only when the row's document (and claim) are both published.
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    title = models.TextField(blank=True)
    byline = models.TextField(blank=True)
    body = models.TextField(blank=True)
    search_vector = IndexVectorField(null=True, editable=False)

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "search entries"
        constraints = [
            models.UniqueConstraint(
                fields=["document"], condition=Q(claim__isnull=True), name="search_entry_one_per_document"
            ),
            models.UniqueConstraint(fields=["claim"], name="search_entry_one_per_claim"),
        ]

    def __str__(self):
        if self.claim_id:
            return f"search entry of claim {self.claim_id}"
        return f"search entry of document {self.document_id}"

    @staticmethod
    def claim_text(quote, note):
        """What a claim's row holds: its quote, then its note."""
        return f"{quote}\n\n{note}"

    @cached_property
    def snippet(self):
        """Safe HTML of where a search matched; only on rows from ``archive.search.hits``."""
        return snippet_html(self.fragment or "", self.original or "")


class FTS5TableColumn(models.TextField):
    """The hidden column an FTS5 table has under its own name: ``<table> MATCH ?``
    searches all columns, and ranking and snippet functions take it first."""


@FTS5TableColumn.register_lookup
class Match(models.Lookup):
    lookup_name = "match"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class SearchText(models.Model):
    """The SQLite FTS5 table over ``SearchEntry`` (absent on other databases)."""

    entry = models.OneToOneField(
        SearchEntry, primary_key=True, db_column="rowid", on_delete=models.DO_NOTHING, related_name="fts"
    )
    title = models.TextField()
    byline = models.TextField()
    body = models.TextField()
    table = FTS5TableColumn(db_column="archive_search_fts")
    # FTS5's relevance of the row for the MATCH in the same query: bm25 with
    # the column weights set in migration 0009 (lower is better). A column,
    # not a bm25() call, so it survives SQLite's GROUP BY sorter.
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = "archive_search_fts"

    def __str__(self):
        return f"indexed text of search entry {self.pk}"

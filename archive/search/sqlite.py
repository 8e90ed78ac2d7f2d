"""Search on SQLite: an FTS5 table ranked with bm25.

``archive_search_fts`` (created by migration 0009, on SQLite only) indexes the
``title``, ``byline`` and ``body`` of ``archive_searchentry`` as an
external-content table ranked by its ``rank`` column (bm25 weighing the
title 10, the byline 4, the text 1): triggers on that table add, change and remove its
rows, so a row deleted with its document or claim leaves the index too. The
tokenizer is ``unicode61 remove_diacritics 2``: Unicode letters and digits of
any script (Persian, Arabic, Cyrillic…) are words, case and Latin diacritics
are folded; ``archive.text.search_syntax.normalize`` folds the rest before
indexing.
"""

from django.db import connection
from django.db.models import F, Func, TextField, Value

from archive.search.models import SearchEntry
from archive.text.search_syntax import ELLIPSIS, MARK_END, MARK_START, fts5_match

TABLE = "archive_search_fts"
BODY_COLUMN = 2
SNIPPET_TOKENS = 28


class Snippet(Func):
    """FTS5's snippet of the body, with markers that ``snippet_html`` turns into safe HTML."""

    function = "snippet"
    output_field = TextField()

    def __init__(self, table):
        super().__init__(
            table,
            Value(BODY_COLUMN),
            Value(MARK_START),
            Value(MARK_END),
            Value(ELLIPSIS),
            Value(SNIPPET_TOKENS),
        )


class Backend:
    vendor = "sqlite"

    def config_for(self, language):
        return "simple"

    def after_write(self, entries):
        """Nothing to do: the triggers have indexed the rows."""

    def finish_rebuild(self):
        with connection.cursor() as cursor:
            # Re-read every row from archive_searchentry (repairs an index that
            # drifted from its content), then merge the index's segments.
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")

    def rows(self, terms, user):
        """The rows matching ``terms`` that ``user`` may find (FTS5 finds them once)."""
        return SearchEntry.objects.visible_to(user).filter(fts__table__match=fts5_match(terms))

    def rank(self, terms):
        """A matching row's relevance, higher is better: FTS5's ``rank`` column
        (bm25 with the weights set in migration 0009), a column rather than a
        bm25() call so that it can be grouped (SQLite sorts before it aggregates)."""
        return -F("fts__rank")

    def hits(self, terms, user):
        return (
            self.rows(terms, user)
            .annotate(hit_rank=self.rank(terms), fragment=Snippet(F("fts__table")))
            .order_by("-hit_rank", "pk")
        )

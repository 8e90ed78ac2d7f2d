"""Keeps ``SearchText`` out of ``dumpdata`` and ``loaddata``.

``SearchText`` maps SQLite's FTS5 table (made by migration 0009 on SQLite
only; the model is unmanaged). Without this router ``dumpdata`` reads it:
on PostgreSQL it fails ("relation archive_search_fts does not exist"), and on
SQLite a dump carries index rows that ``loaddata`` would write into FTS5
directly, behind its triggers. The index is derived: ``rebuild_search_index``
rewrites it from the documents and claims.
"""


class SearchTextRouter:
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "archive" and model_name == "searchtext":
            return False
        return None

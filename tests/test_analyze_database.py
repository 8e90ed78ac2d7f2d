"""``manage.py analyze_database``: the planner's statistics, which SQLite keeps none of until asked."""

import pytest
from django.core.management import call_command
from django.db import connection

from tests.factories import make_claim, make_document

pytestmark = pytest.mark.django_db


def _statistics_rows():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return 0
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'archive_document'")
        else:
            cursor.execute("SELECT COUNT(*) FROM pg_stats WHERE tablename = 'archive_document'")
        return cursor.fetchone()[0]


def _drop_statistics():
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is not None:
                cursor.execute("DELETE FROM sqlite_stat1")


def test_a_dry_run_says_what_it_would_do_and_gathers_nothing(capsys):
    _drop_statistics()
    call_command("analyze_database", dry_run=True)
    out = capsys.readouterr().out
    assert out.startswith("Dry run: would run ") and "ANALYZE" in out and "nothing was changed" in out
    if connection.vendor == "sqlite":
        assert _statistics_rows() == 0


def test_statistics_are_gathered_for_the_archive_tables_with_a_summary(capsys):
    document = make_document(title="Counted")
    make_claim(document, "sky")
    _drop_statistics()
    call_command("analyze_database")
    assert capsys.readouterr().out.startswith(f"Planner statistics refreshed on {connection.vendor} in ")
    assert _statistics_rows() > 0

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

# Rows SQLite samples per index: the statistics stay good enough to choose a plan
# and the run stays short on a large archive (about a second at 1,000,000 claims).
SQLITE_ANALYSIS_LIMIT = 1000


class Command(BaseCommand):
    help = (
        "Refresh the query planner's statistics (ANALYZE). SQLite keeps none until asked, and "
        "without them it may walk every published document to answer a question about a few "
        "claims (docs/performance.md); PostgreSQL's autovacuum gathers them too, this runs it "
        "now. `make run` and `make serve` run it after migrating; run it again after a large "
        "import, or daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be analyzed; change nothing."
        )

    def handle(self, *args, dry_run, verbosity, **options):
        vendor = connection.vendor
        if vendor == "sqlite":
            statements = [f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}", "ANALYZE", "PRAGMA optimize"]
        elif vendor == "postgresql":
            statements = ["ANALYZE"]
        else:
            raise CommandError(f"analyze_database supports SQLite and PostgreSQL, not {vendor}.")
        if dry_run:
            self.stdout.write(f"Dry run: would run {'; '.join(statements)} on {vendor}; nothing was changed.")
            return
        started = time.monotonic()
        try:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        except DatabaseError as error:
            raise CommandError(f"The statistics were not refreshed: {error}") from None
        seconds = time.monotonic() - started
        self.stdout.write(f"Planner statistics refreshed on {vendor} in {seconds:.1f} s.")

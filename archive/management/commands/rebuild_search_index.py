import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from archive import search
from archive.echoes import index as passage_index


class Command(BaseCommand):
    help = (
        "Rewrite the full-text search index from every document and claim, in one transaction: "
        "on SQLite the FTS5 table, on PostgreSQL the tsvector column. The index is kept up to date "
        "on every write; run this after restoring a database, changing the search configuration "
        "or if search results look stale. Readers keep the old index until the transaction commits. "
        "The passage index of echoes is cut again too (its embeddings are left to the worker, "
        "manage.py echo_worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Index everything inside the transaction, report, then roll it back: nothing changes.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=200,
            metavar="N",
            help="Documents read and written per batch (default 200).",
        )

    def handle(self, *args, dry_run, batch_size, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.", returncode=2)
        started = time.monotonic()

        def progress(done, total):
            if verbosity >= 1 and total > batch_size:
                self.stdout.write(f"  {done:,} of {total:,} documents indexed")

        try:
            result = search.rebuild(dry_run=dry_run, batch_size=batch_size, progress=progress)
        except (DatabaseError, NotImplementedError) as error:
            raise CommandError(f"The search index was not rebuilt (nothing changed): {error}") from None
        passages = None
        if not dry_run:
            try:
                passages = passage_index.rebuild()
            except DatabaseError as error:
                raise CommandError(
                    f"The search index was rebuilt, the passage index was not (it is unchanged): {error}"
                ) from None
        seconds = time.monotonic() - started
        counts = (
            f"{result.documents:,} document{'' if result.documents == 1 else 's'} and "
            f"{result.claims:,} claim{'' if result.claims == 1 else 's'} "
            f"({result.entries:,} entr{'y' if result.entries == 1 else 'ies'})"
        )
        if verbosity < 1:
            return
        if dry_run:
            self.stdout.write(
                f"Dry run: would index {counts}; checked in {seconds:.1f} s, nothing was saved."
            )
        else:
            self.stdout.write(
                f"Indexed {counts} and cut {passages:,} passages in {seconds:.1f} s "
                "(the worker embeds them: manage.py echo_worker)."
            )

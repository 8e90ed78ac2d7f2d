from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from archive.management.commands._progress import Progress, counts, size
from archive.services.backup import BackupFileError, import_archive


class Command(BaseCommand):
    help = (
        "Restore a backup made by export_archive into an empty, migrated database (a database that "
        "already holds documents, claims, people, sources, tags or users is refused). The file is "
        "verified first: zip entries, manifest, then every member's size and SHA-256, and each "
        "capture against its document's raw_sha256. Then, in one transaction, every row comes back "
        "with its id and its timestamps, the PostgreSQL sequences are moved past them and the search "
        "index is rebuilt. A damaged or altered file is refused, naming the member (and line), and "
        "nothing is written. See docs/interop.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="IN.zip", help="The backup file to restore.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Verify and restore everything inside the transaction, report, then roll it back.",
        )

    def handle(self, *args, path, dry_run, verbosity, **options):
        progress = Progress(self.stdout.write, verbosity)
        try:
            result = import_archive(path, dry_run=dry_run, progress=progress)
        except BackupFileError as error:
            raise CommandError(f"Refused {path}: {error}. Nothing was written.") from None
        except DatabaseError as error:
            raise CommandError(f"The backup was not restored (nothing was written): {error}") from None
        if verbosity < 1:
            return
        what = counts(result.rows, result.captures)
        checked = f"{result.members:,} members ({size(result.bytes)}) verified against manifest.json"
        if dry_run:
            self.stdout.write(
                f"Dry run: would restore {what}; {checked}; checked in {result.seconds:.1f} s, "
                "nothing was written."
            )
            return
        self.stdout.write(
            f"Restored {what} from {result.path} in {result.seconds:.1f} s; {checked}; "
            f"search index rebuilt ({result.search_entries:,} entries), passages cut again "
            f"({result.passages:,}; start the worker, `manage.py echo_worker`, to embed them)."
        )
        if not result.password_hashes and result.rows.get("users"):
            self.stdout.write(
                "The backup has no password hashes: restored users must set a new password "
                "(manage.py changepassword NAME, or the password reset page)."
            )

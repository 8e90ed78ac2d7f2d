from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from archive.management.commands._progress import Progress, counts, size
from archive.services.backup import BackupError, export_archive


class Command(BaseCommand):
    help = (
        "Back up the whole archive into one zip file: every capture's raw bytes (captures/<id>.txt), "
        "documents with their provenance, versions, relations and old slugs, claims, claim links and "
        "their audit trail, people, sources, tags and users (with their groups; no password hashes "
        "unless --with-password-hashes), one JSON Lines member per table, and manifest.json with the "
        "size and SHA-256 of every member. Read in one consistent snapshot and streamed, in constant "
        "memory. The file appears only when complete; an existing file is never overwritten. "
        "Restore with import_archive. See docs/interop.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="OUT.zip", help="The backup file to write (must not exist).")
        parser.add_argument(
            "--with-password-hashes",
            action="store_true",
            help="Include the users' password hashes (keep such a file as safe as the database). "
            "Without it, restored users must set a new password.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read, check and compress everything, report the size, and write nothing.",
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=200,
            metavar="N",
            help="Rows read from the database at a time (default 200).",
        )

    def handle(self, *args, path, with_password_hashes, dry_run, chunk_size, verbosity, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.", returncode=2)
        progress = Progress(self.stdout.write, verbosity)
        try:
            result = export_archive(
                path,
                password_hashes=with_password_hashes,
                dry_run=dry_run,
                chunk_size=chunk_size,
                progress=progress,
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        except (DatabaseError, OSError) as error:
            raise CommandError(f"The backup was not written: {error}") from None
        if verbosity < 1:
            return
        what = counts(result.rows, result.captures)
        sizes = (
            f"{result.members:,} members, {size(result.bytes)} ({size(result.content_bytes)} uncompressed)"
        )
        hashes = "with password hashes" if with_password_hashes else "without password hashes"
        if dry_run:
            self.stdout.write(
                f"Dry run: would back up {what}: {sizes}, {hashes}; "
                f"checked in {result.seconds:.1f} s, nothing was written."
            )
        else:
            self.stdout.write(
                f"Backed up {what} to {result.path}: {sizes}, {hashes}, "
                f"in {result.seconds:.1f} s. Every member's SHA-256 is in manifest.json."
            )

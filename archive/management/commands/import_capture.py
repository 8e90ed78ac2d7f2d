import getpass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive.models import Document, sha256_hex
from archive.services.imports import ManifestIndex, create_document, load_manifest, manifest_fields
from archive.text.capture import CaptureError, ManifestError, decode_capture


def _os_user():
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        # No login name in this environment (a container, a cron job).
        return "import_capture"


class AlreadyArchived(Exception):
    """The capture is in the archive already: skipped, not an error."""

    def __init__(self, document):
        super().__init__(document.slug)
        self.document = document


class Command(BaseCommand):
    help = (
        "Archive capture files (UTF-8 text) as draft documents. The raw text is kept byte for byte; "
        "boilerplate lines are removed from the reading text and reported. Provenance comes from "
        "--manifest (JSON or TOML, see docs/import.md); without one, the title is the first line of "
        "the text and everything else is left unknown. Each file is imported on its own: a refused "
        "file does not stop the others, but makes the command exit with status 1. A file whose exact "
        "bytes are already archived is skipped, not refused, so a batch can be run again after a crash."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            metavar="PATH",
            help="Capture files. With --manifest and no PATH, every file the manifest lists.",
        )
        parser.add_argument(
            "--manifest", metavar="FILE", help="A .json or .toml file with each capture's provenance."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and clean every file, but save nothing."
        )

    def handle(self, *args, paths, manifest, dry_run, verbosity, **options):
        entries = None
        if manifest:
            try:
                entries = load_manifest(manifest)
            except ManifestError as error:
                raise CommandError(str(error), returncode=2) from None
            if not paths:
                base = Path(manifest).parent
                paths = [str(base / file) for file in entries]
            entries = ManifestIndex(entries, manifest)
        if not paths:
            raise CommandError("Name at least one capture file, or give --manifest.", returncode=2)

        captured_by = _os_user()
        imported = skipped = refused = 0
        seen = {}  # SHA-256 -> file: nothing is saved in a dry run, so the database cannot catch a repeat
        for path in paths:
            try:
                document, cleaned = self.import_one(path, manifest, entries, captured_by, dry_run, seen)
            except AlreadyArchived as already:
                skipped += 1
                existing = already.document
                verb = "would skip" if dry_run else "skipped"
                self.stdout.write(
                    f"{verb} {path} (already archived as “{existing.title}”, {existing.get_absolute_url()})"
                )
                continue
            except CaptureError as error:
                refused += 1
                self.stderr.write(f"refused {path}: {error.reason}")
                continue
            imported += 1
            verb = "would import" if dry_run else "imported"
            count = len(cleaned.removed)
            lines = "line" if count == 1 else "lines"
            self.stdout.write(f"{verb} {path} as {document.slug} (removed {count} boilerplate {lines})")
            if verbosity >= 2:
                for removed in cleaned.removed:
                    self.stdout.write(f"  line {removed.line}: {removed.text!r} ({removed.reason})")

        if dry_run:
            skips = f", would skip {skipped}" if skipped else ""
            self.stdout.write(
                f"Dry run: would import {imported}{skips}, refused {refused}; nothing was saved."
            )
        else:
            skips = f", skipped {skipped}" if skipped else ""
            self.stdout.write(f"Imported {imported}{skips}, refused {refused}.")
        if refused:
            raise CommandError(
                f"{refused} of {len(paths)} file(s) refused; see the messages above.", returncode=1
            )

    def import_one(self, path, manifest, entries, captured_by, dry_run, seen):
        # The manifest entry first: one pointing outside the manifest's folder
        # is refused before anything is read.
        found = None
        if entries is not None:
            found = entries.find(path)
            if found is None:
                raise CaptureError(f"not listed in the manifest {manifest}", path)

        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CaptureError(f"cannot be read: {error.strerror}", path) from None
        raw_text = decode_capture(data, path, settings.MARGINS_MAX_CAPTURE_BYTES)

        digest = sha256_hex(raw_text)
        if digest in seen:
            raise CaptureError(f"has the same bytes as {seen[digest]}, listed earlier in this run", path)
        existing = Document.objects.filter(raw_sha256=digest).first()
        if existing is not None:
            raise AlreadyArchived(existing)

        if found is None:
            fields = {"captured_by": captured_by}
        else:
            number, entry = found
            fields = manifest_fields(entry, where=f"{manifest}, entry {number} ({entry['file']})")
            fields.setdefault("captured_by", captured_by)

        with transaction.atomic():
            document, cleaned = create_document(
                raw_text,
                fields=fields,
                capture_method=Document.CaptureMethod.FILE_IMPORT,
                dry_run=dry_run,
                name=path,
            )
        seen[digest] = path
        return document, cleaned

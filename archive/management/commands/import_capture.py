import getpass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive.models import Document, sha256_hex
from archive.services.imports import create_document, find_manifest_entry, load_manifest, manifest_fields
from archive.text.capture import CaptureError, ManifestError, decode_capture


def _os_user():
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        # No login name in this environment (a container, a cron job).
        return "import_capture"


class Command(BaseCommand):
    help = (
        "Archive capture files (UTF-8 text) as draft documents. The raw text is kept byte for byte; "
        "boilerplate lines are removed from the reading text and reported. Provenance comes from "
        "--manifest (JSON or TOML, see docs/import.md); without one, the title is the first line of "
        "the text and everything else is left unknown. Each file is imported on its own: a refused "
        "file does not stop the others, but makes the command exit with status 1."
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
        if not paths:
            raise CommandError("Name at least one capture file, or give --manifest.", returncode=2)

        captured_by = _os_user()
        imported = refused = 0
        seen = {}  # SHA-256 -> file: nothing is saved in a dry run, so the database cannot catch a repeat
        for path in paths:
            try:
                document, cleaned = self.import_one(path, manifest, entries, captured_by, dry_run, seen)
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
            self.stdout.write(f"Dry run: would import {imported}, refused {refused}; nothing was saved.")
        else:
            self.stdout.write(f"Imported {imported}, refused {refused}.")
        if refused:
            raise CommandError(
                f"{refused} of {len(paths)} file(s) refused; see the messages above.", returncode=1
            )

    def import_one(self, path, manifest, entries, captured_by, dry_run, seen):
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CaptureError(f"cannot be read: {error.strerror}", path) from None
        raw_text = decode_capture(data, path, settings.MARGINS_MAX_CAPTURE_BYTES)

        if entries is None:
            fields = {"captured_by": captured_by}
        else:
            found = find_manifest_entry(entries, manifest, path)
            if found is None:
                raise CaptureError(f"not listed in the manifest {manifest}", path)
            number, entry = found
            fields = manifest_fields(entry, where=f"{manifest}, entry {number} ({entry['file']})")
            fields.setdefault("captured_by", captured_by)

        digest = sha256_hex(raw_text)
        if dry_run and digest in seen:
            raise CaptureError(f"has the same bytes as {seen[digest]}, listed earlier in this run", path)
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

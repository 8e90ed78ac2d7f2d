from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive.services.annotation_import import (
    ORPHANED,
    PLACED,
    REFUSED,
    FileRefused,
    ImportFailed,
    import_annotations,
)
from archive.services.annotation_shapes import FORMATS, MAX_FILE_BYTES

# A progress line every this many claims written.
PROGRESS_EVERY = 100


class Command(BaseCommand):
    help = (
        "Import annotations made in other tools as claims: W3C Web Annotations (an Annotation, an array, "
        "an AnnotationPage or an AnnotationCollection with its first page embedded) or a Hypothesis export "
        "({export_date, export_userid, annotations}), API search response or annotations. Each annotation "
        "is matched to a document by its target's address (this archive's /documents/<slug>/ page, or a "
        "document's original or archived URL) and placed by its quote and context; one whose quote is not "
        "found is kept as an orphaned claim; one on an unknown address is reported and not written. "
        "Claims are drafts unless --publish. An annotation id imported before is skipped, so the same "
        "file can be imported again. If any annotation is refused (it breaks its format) nothing is "
        f"imported and the command exits with status 1. Files over {MAX_FILE_BYTES // (1024 * 1024)} MB "
        "are refused. See docs/interop.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="A JSON file of annotations.")
        parser.add_argument(
            "--format",
            choices=["auto", *FORMATS],
            default="auto",
            help="The file's format (default: recognised from its shape).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check, match and place every annotation, but save nothing.",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the placed claims (orphaned ones stay drafts). Default: drafts.",
        )
        parser.add_argument(
            "--user",
            metavar="NAME",
            help="The username recorded as the claims' creator and in their history (default: none).",
        )
        parser.add_argument(
            "--archive-host",
            action="append",
            default=[],
            metavar="HOST",
            help="Also take /documents/<slug>/ addresses on HOST as this archive's (besides ALLOWED_HOSTS), "
            "e.g. the production host when importing its annotations elsewhere. Repeatable.",
        )

    def handle(self, *args, file, format, dry_run, publish, user, archive_host, verbosity, **options):
        recorded = None
        if user:
            recorded = get_user_model().objects.filter(username=user, is_active=True).first()
            if recorded is None:
                raise CommandError(f"--user: no active user is called “{user}”.", returncode=2)
        path = Path(file)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise CommandError(
                    f"{file}: is {size:,} bytes; the largest file imported is {MAX_FILE_BYTES:,} bytes "
                    f"({MAX_FILE_BYTES // (1024 * 1024)} MB): split it",
                    returncode=2,
                )
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: cannot be read: {error.strerror}", returncode=2) from None

        def progress(done, total):
            if verbosity >= 1 and (done % PROGRESS_EVERY == 0 or done == total) and total >= PROGRESS_EVERY:
                self.stdout.write(f"… {done} of {total} claims written")

        try:
            # One transaction for the whole file: a failure leaves nothing half imported.
            with transaction.atomic():
                summary = import_annotations(
                    data,
                    name=str(path),
                    hosts=[*settings.ALLOWED_HOSTS, *archive_host],
                    format=format,
                    user=recorded,
                    publish=publish,
                    dry_run=dry_run,
                    progress=progress,
                )
        except FileRefused as error:
            raise CommandError(f"{file}: {error}", returncode=2) from None
        except ImportFailed as error:
            raise CommandError(f"{file}: {error}", returncode=1) from None

        self.stdout.write(
            f"{file}: {len(summary.entries)} annotation(s), {summary.container} in {FORMATS[summary.format]}"
        )
        for note in summary.notes:
            self.stdout.write(f"{file}: note: {note}")
        for entry in summary.entries:
            if entry.outcome == REFUSED:
                self.stderr.write(f"{file}: {entry.label}: {entry.message}")
            elif verbosity >= 1:
                written = entry.claim_id and entry.outcome in (PLACED, ORPHANED)
                claim = f" → claim {entry.claim_id}" if written else ""
                self.stdout.write(f"{file}: {entry.label}: {entry.outcome}{claim}: {entry.message}")
        self.stdout.write(summary.line())
        if summary.refused:
            raise CommandError(
                f"{file}: {summary.counts[REFUSED]} of {len(summary.entries)} annotation(s) refused; "
                "see the messages above. Nothing was imported.",
                returncode=1,
            )

from django.core.management.base import BaseCommand, CommandError

from archive.services.seed import SEED_PATH, SeedError, load_seed


class Command(BaseCommand):
    help = (
        "Load the seed corpus: sources, people, the five seed captures (raw text read from "
        "fixtures/captures/ and checked against its SHA-256), document relations, claims and claim "
        "links, as described in fixtures/seed.toml. Safe to run again: what exists already is matched "
        "and left as it is, nothing is duplicated. Any error saves nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            default=str(SEED_PATH),
            metavar="TOML",
            help=f"The seed manifest (default: {SEED_PATH}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check everything, but save nothing.")

    def handle(self, *args, file, dry_run, **options):
        try:
            result = load_seed(file, dry_run=dry_run)
        except SeedError as error:
            raise CommandError(f"Seed not loaded, nothing was saved. {error}") from None
        self.stdout.write(self.style.SUCCESS(result.summary()))

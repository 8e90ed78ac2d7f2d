"""Run the background worker: finish what a stopped worker left, then take tasks as they come."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from archive.echoes import meaning, tasks


class Command(BaseCommand):
    help = (
        "Run the background worker (django-tasks' database backend): first catch up on passages left "
        "unindexed, unembedded or unscanned (a worker stopped or killed mid-task leaves them so), then "
        "run queued tasks until stopped. On SQLite run one worker; on PostgreSQL several may run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what is outstanding and stop.")
        parser.add_argument("--batch", action="store_true", help="Stop once the queue is empty.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls (default 1).")

    def handle(self, *args, dry_run=False, batch=False, interval=1.0, **options):
        if interval <= 0:
            raise CommandError("--interval must be a positive number of seconds.")
        outstanding = tasks.outstanding()
        model = "the sentence model is installed" if meaning.available() else "no sentence model: words only"
        self.stdout.write(
            f"{len(outstanding)} document(s) with work outstanding; {model}; {connection.vendor}."
        )
        if dry_run:
            return
        done = tasks.catch_up(progress=lambda n, total: self.stdout.write(f"  caught up {n}/{total}"))
        embedded = sum(item["embedded"] for item in done)
        echoes = sum(item["echoes"] for item in done)
        self.stdout.write(
            f"Caught up: {len(done)} document(s), {embedded} passage(s) embedded, {echoes} echo(es) filed."
        )
        worker = ["--interval", str(interval), "--queue-name", "default", "--no-reload"]
        if batch:
            worker.append("--batch")
        call_command("db_worker", *worker)

"""Import rate: does ``import_capture`` stay fast as the archive grows and headlines repeat?

    python bench/imports.py                      # 10,000 files, SQLite file in a temporary folder
    python bench/imports.py --files 500          # a smoke run, a few seconds
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/imports.py
                                                 # PostgreSQL: a database margins_bench_imports on
                                                 # that server (never the one DATABASE_URL names)

1. Writes FILES capture files made from the seed captures (fixtures/captures/):
   a few boilerplate lines the cleaner removes, a headline, a dateline and 3 to 8
   of the seed's paragraphs, each file's bytes unique. One in five has one of a
   few shared headlines (English, Persian, Arabic, Russian: the same title
   imported again and again, so their slugs count up); one in ten of the others
   a headline in Persian, Arabic or Russian. The files go into folders of
   ``--batch`` files (default 100), each with its ``manifest.json`` (title,
   kind, language, published date, tags), as an analyst would import a day's
   batch. (Finding a file's entry costs time in proportion to the manifest's
   length, which the bench prints: ``--batch 1000`` shows it.)
2. Imports each folder with ``manage.py import_capture --manifest`` (through
   ``call_command``) into a fresh, migrated, throwaway database: a SQLite file
   (WAL, as the project runs it) or, when DATABASE_URL names a PostgreSQL
   server, a database created on it for the run. Both are removed at the end.
3. Prints files/s overall and per slice of ``--slice`` files (a rate falling
   slice after slice is an import that slows down as the archive grows), p50 /
   p95 / max per file (the command's ``import_one``: manifest entry, read,
   checks, clean, save, index), SQL queries per file, the time spent finding
   each file's manifest entry, and how many files shared a headline (with the
   highest number a shared slug reached).

Exits non-zero when a file is refused or the archive does not hold what was imported.
"""

import argparse
import contextlib
import io
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "fixtures" / "captures"
PG_DATABASE = "margins_bench_imports"

# Titles that come back again and again (a daily briefing, a recurring speech).
SHARED_TITLES = [
    ("Iran’s Khamenei urges Syrian youth to resist foreign occupation", "en"),
    ("Daily press briefing by the Foreign Ministry spokesperson", "en"),
    ("Statement on the situation in Syria", "en"),
    ("سخنان رهبر انقلاب در دیدار با مردم", "fa"),
    ("بيان وزارة الخارجية بشأن الأوضاع في سوريا", "ar"),
    ("Заявление МИД России о ситуации в Сирии", "ru"),
]
WORDS = {
    "fa": "ایران سوریه رهبر انقلاب سخنان دیدار مردم جوانان مقاومت اشغالگران منطقه سپاه "
    "پاسداران شهید سلیمانی آمریکا عراق لبنان حزب‌الله مذاکرات تحریم".split(),
    "ar": "سوريا إيران الأسد حزب الله المقاومة الاحتلال بيان وزارة الخارجية الرئيس "
    "دمشق بيروت بغداد العدوان الأمريكي المنطقة الشعب".split(),
    "ru": "Россия Иран Сирия МИД заявление переговоры Лавров министр ситуация "
    "санкции Москва Тегеран Дамаск регион безопасность встреча".split(),
}
KINDS = ["news", "analysis", "transcript", "readout", "statement", "other"]
TAGS = ["syria", "iran", "irgc", "hezbollah", "sanctions", "سوریه", "иран"]


# --- the capture files ---------------------------------------------------------------------


class Corpus:
    """The seed captures' paragraphs (as the cleaner keeps them) and boilerplate lines."""

    def __init__(self, captures=CAPTURES):
        from archive.text.capture import clean

        self.paragraphs, self.boilerplate = [], []
        for path in sorted(Path(captures).glob("*.txt")):
            cleaned = clean(path.read_text(encoding="utf-8"))
            self.paragraphs += [line for line in cleaned.text.split("\n") if len(line.split()) >= 8]
            self.boilerplate += [r.text for r in cleaned.removed if r.text.strip()]
        if not self.paragraphs:
            raise SystemExit(f"No text in the seed captures at {captures}.")
        self.boilerplate = list(dict.fromkeys(self.boilerplate))
        self.words = sorted({w.strip(".,;:“”\"'()") for p in self.paragraphs for w in p.split()} - {""})


def headline(rng, corpus):
    """(title, language, shared?): one in five a shared title, one in ten of the rest non-Latin."""
    if rng.random() < 0.2:
        title, language = rng.choice(SHARED_TITLES)
        return title, language, True
    if rng.random() < 0.1:
        language = rng.choice(list(WORDS))
        return " ".join(rng.choices(WORDS[language], k=rng.randint(4, 7))), language, False
    words = rng.choices(corpus.words, k=rng.randint(6, 10))
    return " ".join(words).capitalize(), "en", False


def write_files(directory, files, batch, rng, corpus):
    """Capture files in folders of ``batch``, each with its manifest: [(folder, [(name, title, shared)])]."""
    folders = []
    for first in range(0, files, batch):
        folder = Path(directory) / f"batch-{first // batch + 1:03d}"
        folder.mkdir(parents=True)
        entries, listed = [], []
        for n in range(first, min(first + batch, files)):
            title, language, shared = headline(rng, corpus)
            lines = rng.sample(corpus.boilerplate, k=min(len(corpus.boilerplate), rng.randint(0, 4)))
            day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            paragraphs = rng.sample(corpus.paragraphs, k=min(len(corpus.paragraphs), rng.randint(3, 8)))
            paragraphs[-1] += f" (Capture {n + 1}.)"  # every file's bytes differ
            text = "\n".join([*lines, title, "", day, "", "\n\n".join(paragraphs), ""])
            name = f"{n + 1:06d}.txt"
            (folder / name).write_text(text, encoding="utf-8")
            entries.append(
                {
                    "file": name,
                    "title": title,
                    "kind": rng.choice(KINDS),
                    "language": language,
                    "published_at": day,
                    "tags": rng.sample(TAGS, k=rng.randint(0, 2)),
                }
            )
            listed.append((name, title, shared))
        (folder / "manifest.json").write_text(
            json.dumps({"captures": entries}, ensure_ascii=False), encoding="utf-8"
        )
        folders.append((folder, listed))
    return folders


# --- the database --------------------------------------------------------------------------


def bench_database(directory):
    """(DATABASE_URL of the throwaway database, label, PostgreSQL admin URL or None)."""
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(given)
        admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        url = urlunsplit(parts._replace(path=f"/{PG_DATABASE}"))
        return url, f"PostgreSQL database {PG_DATABASE}", admin
    path = Path(directory) / "imports.sqlite3"
    return f"sqlite:///{path}", "SQLite file (WAL)", None


def create_postgres(admin):
    import psycopg

    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{PG_DATABASE}"')
        return connection.execute("SHOW server_version").fetchone()[0].split()[0]


def drop_postgres(admin):
    import psycopg

    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')


# --- measuring -------------------------------------------------------------------------------


class Meter:
    """Per-file seconds and queries of the command's ``import_one``, and of its manifest lookups."""

    def __init__(self):
        self.queries = 0
        self.seconds, self.file_queries = [], []
        self.lookup_seconds = 0.0

    def count(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)

    @contextlib.contextmanager
    def installed(self, command_module):
        real_import_one = command_module.Command.import_one
        real_lookup = command_module.find_manifest_entry
        meter = self

        def import_one(self, *args, **kwargs):
            queries, started = meter.queries, time.perf_counter()
            try:
                return real_import_one(self, *args, **kwargs)
            finally:
                meter.seconds.append(time.perf_counter() - started)
                meter.file_queries.append(meter.queries - queries)

        def find_manifest_entry(*args, **kwargs):
            started = time.perf_counter()
            try:
                return real_lookup(*args, **kwargs)
            finally:
                meter.lookup_seconds += time.perf_counter() - started

        command_module.Command.import_one = import_one
        command_module.find_manifest_entry = find_manifest_entry
        try:
            yield
        finally:
            command_module.Command.import_one = real_import_one
            command_module.find_manifest_entry = real_lookup


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# --- main ------------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000, help="capture files to import (default 10,000)")
    parser.add_argument(
        "--batch",
        type=int,
        default=100,
        help="files per folder and manifest, one import each (default 100)",
    )
    parser.add_argument("--slice", type=int, default=1_000, help="files per reported slice (default 1,000)")
    parser.add_argument("--seed", default="margins-imports", help="the same seed writes the same files")
    args = parser.parse_args(argv)
    if args.files < 1 or args.batch < 1 or args.slice < 1:
        parser.error("--files, --batch and --slice must be at least 1")

    scratch = Path(tempfile.mkdtemp(prefix="margins-bench-imports-"))
    url, label, admin = bench_database(scratch)
    if admin:
        label = f"PostgreSQL {create_postgres(admin)} (database {PG_DATABASE})"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))

    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False  # DEBUG keeps every query in memory

    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import connection, connections
    from django.utils.text import slugify

    from archive.management.commands import import_capture as command_module
    from archive.models import Document

    errors, meter = [], Meter()
    try:
        call_command("migrate", interactive=False, verbosity=0)
        rng = random.Random(args.seed)
        started = time.perf_counter()
        folders = write_files(scratch / "captures", args.files, args.batch, rng, Corpus())
        print(f"Wrote {args.files:,} capture files in {len(folders)} folder(s) in "
              f"{time.perf_counter() - started:,.1f} s; importing into {label} ...", flush=True)  # fmt: skip

        wall_started = time.perf_counter()
        with meter.installed(command_module), connection.execute_wrapper(meter.count):
            for folder, _listed in folders:
                out, err = io.StringIO(), io.StringIO()
                try:
                    call_command(
                        "import_capture", manifest=str(folder / "manifest.json"), stdout=out, stderr=err
                    )
                except CommandError as error:
                    errors.append(f"{folder.name}: {error}; {err.getvalue().strip()[:2000]}")
                done = len(meter.seconds)
                if done // args.slice == (done - len(_listed)) // args.slice and done < args.files:
                    continue  # progress once per slice
                print(f"  {done:,} files, {done / (time.perf_counter() - wall_started):,.0f} files/s so far",
                      flush=True)  # fmt: skip
        wall = time.perf_counter() - wall_started

        listed = [entry for _folder, entries in folders for entry in entries]
        shared = sum(1 for _name, _title, is_shared in listed if is_shared)
        stored = Document.objects.count()
        if stored != args.files:
            errors.append(f"the archive holds {stored:,} documents, not the {args.files:,} imported")
        slugs = set(Document.objects.values_list("slug", flat=True))
        highest = {}
        for title, _language in SHARED_TITLES:
            root = slugify(title, allow_unicode=True)
            numbers = [
                int(s[len(root) + 1 :]) for s in slugs if re.fullmatch(rf"{re.escape(root)}-[0-9]+", s)
            ]
            highest[root] = max(numbers, default=1 if root in slugs else 0)
    finally:
        connections.close_all()
        if admin:
            drop_postgres(admin)
        shutil.rmtree(scratch, ignore_errors=True)

    seconds, queries = meter.seconds, meter.file_queries
    print()
    print(f"Margins import bench: {len(seconds):,} files through import_capture --manifest "
          f"({len(folders)} batch(es) of up to {args.batch:,}); {label}; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print()
    print(f"overall: {len(seconds) / wall:,.1f} files/s ({wall:,.1f} s)")
    if seconds:
        ms = [s * 1000 for s in seconds]
        print(f"per file: p50 {percentile(ms, 0.5):,.1f} ms, p95 {percentile(ms, 0.95):,.1f} ms, "
              f"max {max(ms):,.1f} ms; of which finding the manifest entry "
              f"{meter.lookup_seconds * 1000 / len(ms):,.2f} ms on average")  # fmt: skip
        print(
            f"queries per file: mean {statistics.fmean(queries):,.1f}, min {min(queries)}, max {max(queries)}"
        )
    print(f"files with a shared headline: {shared:,} of {len(listed):,} "
          f"({len(SHARED_TITLES)} titles; highest number reached: "
          + ", ".join(f"{root} {n}" for root, n in highest.items()) + ")")  # fmt: skip
    print()
    print(f"{'files':>13}  {'files/s':>8}  {'p50 ms':>7}  {'p95 ms':>7}  {'queries':>7}")
    for first in range(0, len(seconds), args.slice):
        part = seconds[first : first + args.slice]
        part_ms = [s * 1000 for s in part]
        part_queries = queries[first : first + args.slice]
        print(f"{first + 1:>6,}-{first + len(part):<6,}  {len(part) / sum(part):>8,.1f}  "
              f"{percentile(part_ms, 0.5):>7,.1f}  {percentile(part_ms, 0.95):>7,.1f}  "
              f"{statistics.fmean(part_queries):>7,.1f}")  # fmt: skip
    print("(per-slice rates are from the files' own times; the overall rate includes reading each manifest)")
    if errors:
        print()
        print(f"errors: {len(errors)}")
        for error in errors[:20]:
            print(f"  - {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

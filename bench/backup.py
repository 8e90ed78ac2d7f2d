"""Backup and restore at scale: memory, speed and fidelity of export_archive and import_archive.

    python bench/backup.py --size 1k
    python bench/backup.py --size 10k --reuse        # an archive bench/scale.py already built
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/backup.py --size 1k
                                                     # PostgreSQL: databases margins_scale_<size>
                                                     # and margins_backup_restore_<size>

1. Builds the archive bench/scale.py builds at that size (about 10 claims a
   document, their events, links, tags, versions), in bench/scale.py's own
   database, or reuses it with ``--reuse`` when it was built by this builder
   under these migrations.
2. Runs ``manage.py export_archive`` in a child process, then
   ``manage.py import_archive`` of that file into a new empty database of the
   same kind, and prints for each: seconds, MB/s of members (uncompressed), the
   zip's size, and the child's peak RSS (``wait4``'s ``ru_maxrss``). Memory must
   not follow the archive's size: compare the figures at 1k and 10k.
3. Unless ``--no-verify``, checks that both databases give the same canonical
   dump (``backup.canonical_dump``), compared by SHA-256 line by line in a child
   process each.

Exits non-zero on errors only (a failed command, a differing dump), never on slow figures.
"""

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "manage.py"


def load_scale():
    spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "bench" / "scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Runs a script and reports its own peak RSS. Not wait4's ru_maxrss: a child
# forked from this (large, after a build) process inherits this one's high-water mark.
PEAK_WRAPPER = """
import atexit, runpy, sys

def peak():
    with open("/proc/self/status") as status:
        kib = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    sys.stderr.write(f"\\nVmHWM {kib}\\n")

atexit.register(peak)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def child(url, script, *args):
    """Run ``script`` (a path) with ``args`` and Django's settings on ``url``:
    ``(seconds, its peak RSS in bytes, its stdout)``."""
    # DEBUG off, as deployed: with it on, Django keeps the last 9,000 queries (and their texts).
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0"}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_WRAPPER, str(script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{script} {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    peak = int(done.stderr.rsplit("VmHWM", 1)[1].split()[0]) * 1024
    return seconds, peak, done.stdout


DIGEST_SCRIPT = """
import hashlib, sys
sys.path.insert(0, {root!r})
import django
django.setup()
from archive.services.backup import canonical_dump
digest, lines = hashlib.sha256(), 0
for line in canonical_dump():
    digest.update(line.encode() + b"\\n")
    lines += 1
print(digest.hexdigest(), lines)
"""


def restore_database(size, directory, admin):
    if admin:
        return urlunsplit(urlsplit(admin)._replace(path=f"/margins_backup_restore_{size}"))
    return f"sqlite:///{Path(directory) / f'restore-{size}.sqlite3'}"


def mb(n):
    return n / 1_000_000


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    scale = load_scale()
    parser.add_argument("--size", choices=list(scale.SIZES), default="1k")
    parser.add_argument("--reuse", action="store_true", help="reuse the archive bench/scale.py built")
    parser.add_argument("--no-verify", action="store_true", help="skip the canonical dump comparison")
    parser.add_argument("--keep", action="store_true", help="keep the backup file and the restored database")
    parser.add_argument(
        "--dir",
        default=str(Path(tempfile.gettempdir()) / "margins-scale"),
        help="SQLite files and the backup",
    )
    parser.add_argument("--seed", default="margins-scale")
    args = parser.parse_args(argv)

    url, label, admin = scale.database_for(args.size, args.dir)
    Path(args.dir).mkdir(parents=True, exist_ok=True)
    if admin:
        scale.postgres_database(admin, url, fresh=not args.reuse)
    elif not args.reuse:
        scale.drop_database(None, url)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", interactive=False, verbosity=0)
    wanted = {"size": args.size, "builder": scale.BUILDER_VERSION, "migrations": scale.migrations_key()}
    wanted["seed"] = args.seed
    info = scale.read_marker() if args.reuse else None
    if not info or {key: info.get(key) for key in wanted} != wanted:
        if args.reuse:
            connections.close_all()
            scale.drop_database(admin, url)
            if admin:
                scale.postgres_database(admin, url, fresh=True)
            call_command("migrate", interactive=False, verbosity=0)
        documents = scale.SIZES[args.size]
        print(f"Building {documents:,} documents in {label} ...", flush=True)
        built = scale.build(documents, seed=args.seed, log=lambda line: print(line, flush=True))
        scale.analyze()
        info = {**wanted, **built, "built_at": datetime.now(UTC).isoformat(timespec="seconds")}
        scale.write_marker(info)
    from archive.search.models import SearchEntry

    if not SearchEntry.objects.exists():
        # bench/scale.py's builder leaves the search index empty; a restore rebuilds it, so
        # the original must have one for the two canonical dumps to compare.
        print("Indexing for search ...", flush=True)
        call_command("rebuild_search_index", verbosity=0)
    connections.close_all()

    backup = Path(args.dir) / f"backup-{args.size}.zip"
    backup.unlink(missing_ok=True)
    target = restore_database(args.size, args.dir, admin)
    scale.drop_database(admin, target)
    if admin:
        scale.postgres_database(admin, target, fresh=True)
    errors = []
    try:
        _s, baseline, _out = child(url, MANAGE, "check")
        print("Exporting ...", flush=True)
        export_seconds, export_peak, _out = child(url, MANAGE, "export_archive", "-v0", str(backup))
        import zipfile

        with zipfile.ZipFile(backup) as zf:
            infos = zf.infolist()
        content = sum(info.file_size for info in infos)
        print("Restoring into a new database ...", flush=True)
        child(target, MANAGE, "migrate", "-v0")
        import_seconds, import_peak, _out = child(target, MANAGE, "import_archive", "-v0", str(backup))
        if not args.no_verify:
            print("Comparing canonical dumps ...", flush=True)
            digest = Path(args.dir) / "canonical_digest.py"
            digest.write_text(DIGEST_SCRIPT.format(root=str(ROOT)))
            _s, _p, original = child(url, digest)
            _s, _p, restored = child(target, digest)
            digest.unlink()
            if original.split() != restored.split():
                errors.append(
                    f"canonical dumps differ: original {original.strip()}, restored {restored.strip()}"
                )
            verified = f"identical canonical dumps ({int(original.split()[1]):,} rows, sha256 {original.split()[0][:16]}…)"
        else:
            verified = "not verified (--no-verify)"
    finally:
        if not args.keep:
            backup.unlink(missing_ok=True)
            scale.drop_database(admin, target)

    print()
    print(
        f"Margins backup bench, size {args.size}: {info['documents']:,} documents, {info['claims']:,} claims, "
        f"{info['events']:,} events; {label}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"backup file: {len(infos):,} members, {mb(content):,.1f} MB of members")
    print("| step | seconds | MB/s (members) | peak RSS MB |")
    print("|---|---:|---:|---:|")
    print(
        f"| export_archive | {export_seconds:,.1f} | {mb(content) / export_seconds:,.1f} | {mb(export_peak):,.0f} |"
    )
    print(
        f"| import_archive (verify, restore, reindex) | {import_seconds:,.1f} | {mb(content) / import_seconds:,.1f} | {mb(import_peak):,.0f} |"
    )
    print(f"| (manage.py check: Python and Django loaded) | | | {mb(baseline):,.0f} |")
    print(f"restore: {verified}")
    for error in errors:
        print("ERROR:", error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

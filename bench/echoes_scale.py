"""Echoes at scale: the passage index of a large archive, the worker's encode rate, and the
latency of "Where else was this said?".

    python bench/echoes_scale.py --smoke               # 200 documents, a temporary SQLite file, < 1 min
    python bench/echoes_scale.py --size 10k            # the archive bench/scale.py builds (or reuses)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/echoes_scale.py --size 10k
                                                       # PostgreSQL database margins_scale_10k

1. The archive: bench/scale.py's builder (the same database, marker and
   ``--reuse`` rules: an archive scale.py built is measured as it is).
2. The passage index, built for every document in bulk (the rows and term
   counts ``archive.echoes.index`` writes, without a task per document) unless
   the archive already has it: passages per second.
3. Embeddings, when the sentence model is installed: the worker's own
   ``tasks.embed_document`` over the passages of the first ``--embed``
   documents (encoding every passage of a large archive takes hours on two
   cores; the rest stay lexical, as on a site whose worker is catching up):
   passages per second.
4. Latency: an analyst's claim page with "Where else was this said?" (Django's
   test client, in process, ``--queries`` claims chosen at random with a fixed
   seed, after a warm-up), and the ranking alone (``ranked_echoes``: the query
   encode, the engine, the re-ranking, the ten documents): p50 / p95.

Exits non-zero on errors only (a non-200 page), never on slow figures.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale  # noqa: E402

SMOKE_DOCUMENTS = 200


def build_passages(log):
    """Every document's passages and the archive-wide term counts, in bulk. Returns the passage count."""
    from django.contrib.postgres.search import SearchVector
    from django.db import connection, transaction
    from django.db.models import Value

    from archive.echoes import index
    from archive.echoes.models import Passage, PassageTerm
    from archive.models import Document

    counts = Counter()
    total = 0
    with transaction.atomic():
        Passage.objects.all().delete()
        PassageTerm.objects.all().delete()
        after = 0
        while True:
            documents = list(
                Document.objects.filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", "version", "text")[:500]
            )
            if not documents:
                break
            after = documents[-1][0]
            rows = [row for pk, version, text in documents for row in index.passages_for(pk, version, text)]
            Passage.objects.bulk_create(rows, batch_size=1000)
            for row in rows:
                counts.update(set(row.terms.split()))
            total += len(rows)
            log(f"  indexed documents up to pk {after:,}: {total:,} passages")
        counts[index.ALL] = total
        PassageTerm.objects.bulk_create(
            [PassageTerm(term=term, passages=n) for term, n in sorted(counts.items())], batch_size=2000
        )
        if connection.vendor == "postgresql":
            Passage.objects.update(search_vector=SearchVector("terms", config=Value("simple")))
    return total


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=list(scale.SIZES), default="10k")
    parser.add_argument(
        "--smoke", action="store_true", help=f"{SMOKE_DOCUMENTS} documents in a temporary file"
    )
    parser.add_argument("--reuse", action="store_true", help="measure an archive already built at this size")
    parser.add_argument("--embed", type=int, default=100, help="documents whose passages are embedded")
    parser.add_argument("--queries", type=int, default=40, help="claims whose echoes are asked for")
    parser.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "margins-scale"))
    parser.add_argument("--seed", default="margins-scale")
    args = parser.parse_args(argv)

    if args.smoke:
        scratch = Path(tempfile.mkdtemp(prefix="margins-echoes-smoke-"))
        url, label, admin = f"sqlite:///{scratch / 'smoke.sqlite3'}", "SQLite (smoke, temporary)", None
        documents, size = SMOKE_DOCUMENTS, "smoke"
    else:
        url, label, admin = scale.database_for(args.size, args.dir)
        documents, size = scale.SIZES[args.size], args.size
        if admin:
            version = scale.postgres_database(admin, url, fresh=not args.reuse)
            label = f"PostgreSQL {version.split()[0]} ({label.split()[-1]})"
        elif not args.reuse:
            scale.drop_database(None, url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from archive import echo_views
    from archive.echoes import meaning, tasks
    from archive.echoes.models import Passage
    from archive.models import Claim

    call_command("migrate", interactive=False, verbosity=0)
    wanted = {
        "size": size,
        "builder": scale.BUILDER_VERSION,
        "migrations": scale.migrations_key(),
        "seed": args.seed,
    }
    info = scale.read_marker() if args.reuse else None
    if info and {k: info.get(k) for k in wanted} != wanted:
        raise SystemExit(
            f"The archive at {label} was built otherwise: run without --reuse to build it again."
        )
    if info is None:
        print(f"Building {documents:,} documents in {label} ...", flush=True)
        built = scale.Builder(scale.Shape.of(documents), seed=args.seed).build()
        info = {**wanted, **built}
        scale.write_marker(info)
    passages = Passage.objects.count()
    if passages and Passage.objects.values("document").distinct().count() >= documents:
        print(f"Passage index already built: {passages:,} passages")
        index_line = f"passage index: {passages:,} passages (built earlier)"
    else:
        started = time.perf_counter()
        passages = build_passages(lambda line: print(line, flush=True))
        seconds = time.perf_counter() - started
        scale.analyze()
        index_line = (
            f"passage index: {passages:,} passages of {documents:,} documents built in {seconds:,.0f} s "
            f"({passages / seconds:,.0f} passages/s, rows + term counts + full-text index)"
        )
    print(index_line, flush=True)

    encode_line = "embeddings: skipped, the sentence model (archive.text.embedding) is not installed"
    if meaning.available():
        targets = list(
            Passage.objects.order_by("document").values_list("document", flat=True).distinct()[: args.embed]
        )
        started = time.perf_counter()
        embedded = sum(tasks.embed_document(pk) for pk in targets)
        seconds = time.perf_counter() - started
        have = Passage.objects.filter(embedding__isnull=False).count()
        encode_line = (
            f"embeddings (worker path, tasks.embed_document): {embedded:,} passages of {len(targets)} documents "
            f"in {seconds:,.1f} s = {embedded / seconds if seconds else 0:,.1f} passages/s; "
            f"{have:,} of {passages:,} passages embedded"
        )
        print(encode_line, flush=True)

    analyst, _ = User.objects.get_or_create(username="echoes-bench")
    analyst.groups.add(Group.objects.get_or_create(name="Analysts")[0])
    rng = random.Random(args.seed)
    top = Claim.objects.order_by("-pk").values_list("pk", flat=True).first()
    claims = []
    while len(claims) < args.queries + 3:
        claim = Claim.objects.filter(pk__gte=rng.randint(1, top), orphaned=False).order_by("pk").first()
        if claim is not None:
            claims.append(claim)
    setup_test_environment()
    client = Client()
    client.force_login(analyst)
    errors, page_ms, ranking_ms, shown = [], [], [], []
    for n, claim in enumerate(claims):
        started = time.perf_counter()
        response = client.get(f"/claims/{claim.pk}/")
        took = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            errors.append(f"/claims/{claim.pk}/: status {response.status_code}")
        started = time.perf_counter()
        found, _pending = echo_views.ranked_echoes(
            claim.quote, exclude=(claim.document_id, claim.start, claim.end), claim=claim
        )
        ranked = (time.perf_counter() - started) * 1000
        if n >= 3:  # the first three warm the caches (and load the model)
            page_ms.append(took)
            ranking_ms.append(ranked)
            shown.append(len(found))
    print()
    print(
        f"Echoes at scale, {size}: {info['documents']:,} documents, {info['claims']:,} claims, "
        f"{passages:,} passages; {label} ({connection.vendor}); {os.cpu_count()} CPUs"
    )
    print(index_line)
    print(encode_line)
    print(
        f"claim page with Where else was this said? (analyst, in process), {len(page_ms)} claims: "
        f"p50 {statistics.median(page_ms):,.0f} ms, p95 {percentile(page_ms, 95):,.0f} ms"
    )
    print(
        f"ranking alone (ranked_echoes: encode, engine, re-rank, documents): p50 "
        f"{statistics.median(ranking_ms):,.0f} ms, p95 {percentile(ranking_ms, 95):,.0f} ms; "
        f"echoes shown per claim: median {statistics.median(shown):.0f}"
    )
    if args.smoke:
        connection.close()
        scale.drop_database(None, url)
    if errors:
        print(f"errors: {len(errors)}")
        for error in errors[:20]:
            print(f"  - {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

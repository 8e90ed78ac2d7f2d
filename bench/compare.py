"""Compare-page and suggested-counterparts bench.

    python bench/compare.py

1. Builds, in a throwaway SQLite database, 4 documents of 500 claims each and
   500 links, then renders the compare page of the four with the test client:
   prints the number of queries and the wall time (median of 5 renders).
2. Times suggested counterparts for one claim against a 25,000-word document:
   the similarity index build, ``similarity.Index.suggest`` on a built index,
   and ``comparison.suggest_counterparts`` with the index cached (median of 20).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
_database = tempfile.NamedTemporaryFile(prefix="margins-bench-", suffix=".sqlite3", delete=False)
_database.close()
os.environ["DATABASE_URL"] = f"sqlite:///{_database.name}"
# Every render measured, not a page kept for anonymous visitors (archive/caching.py).
os.environ["MARGINS_PAGE_CACHE_SECONDS"] = "0"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from archive import comparison  # noqa: E402
from archive.models import Claim, Document, Visibility  # noqa: E402
from archive.text import anchoring, similarity  # noqa: E402
from bench.corpus import build_compare_corpus  # noqa: E402

DOCUMENTS, CLAIMS, LINKS = 4, 500, 500
RENDERS, RUNS = 5, 20
TARGET_WORDS = 25_000
CAPTURES = ROOT / "fixtures" / "captures"


def build_corpus():
    return build_compare_corpus(DOCUMENTS, CLAIMS, LINKS)


def bench_compare_page(documents):
    client = Client()
    url = "/compare/?" + "&".join(f"d={document.slug}" for document, _claims in documents)
    client.get(url)  # warm caches (content types, templates)
    timings = []
    for _ in range(RENDERS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    print(f"Compare page, {DOCUMENTS} documents x {CLAIMS} claims, {LINKS} links")
    print(f"  queries per render : {len(queries)}")
    print(
        f"  render time        : median {statistics.median(timings) * 1000:.0f} ms "
        f"(min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f}; {RENDERS} renders)"
    )
    print(f"  page size          : {len(response.content) / 1024:.0f} KiB")


def long_text():
    """Seed captures repeated to about 25,000 words: realistic sentences, many near-duplicates."""
    paragraphs = [
        paragraph
        for path in sorted(CAPTURES.glob("*.txt"))
        for paragraph in path.read_text(encoding="utf-8").split("\n\n")
        if paragraph.strip()
    ]
    chosen, words = [], 0
    while words < TARGET_WORDS:
        paragraph = paragraphs[len(chosen) % len(paragraphs)]
        chosen.append(paragraph)
        words += len(paragraph.split())
    return "\n\n".join(chosen)


def bench_suggestions():
    quote = "The territories that have been seized in Syria will be liberated by the brave Syrian youth"
    text = long_text()
    speech = Document.objects.create(
        title="Bench speech",
        slug="bench-speech",
        raw_text=quote + ".",
        text=quote + ".",
        capture_method=Document.CaptureMethod.FILE_IMPORT,
        visibility=Visibility.PUBLISHED,
    )
    claim = Claim(document=speech, visibility=Visibility.PUBLISHED)
    claim.set_span(speech.text, 0, len(quote))
    claim.save()
    target = Document.objects.create(
        title="Bench 25k",
        slug="bench-25k",
        raw_text=text,
        text=text,
        capture_method=Document.CaptureMethod.FILE_IMPORT,
        visibility=Visibility.PUBLISHED,
    )

    builds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        index = similarity.Index(text)
        builds.append(time.perf_counter() - started)
    suggests = []
    for _ in range(RUNS):
        started = time.perf_counter()
        index.suggest(quote, limit=5)
        suggests.append(time.perf_counter() - started)

    comparison._INDEXES.clear()
    started = time.perf_counter()
    comparison.suggest_counterparts(claim, [target], {})
    cold = time.perf_counter() - started
    cached = []
    for _ in range(RUNS):
        started = time.perf_counter()
        found = comparison.suggest_counterparts(claim, [target], {})
        cached.append(time.perf_counter() - started)

    def ms(values):
        return f"median {statistics.median(values) * 1000:.1f} ms (min {min(values) * 1000:.1f}, max {max(values) * 1000:.1f})"

    print(
        f"Suggested counterparts, one claim against a {len(text.split()):,}-word document "
        f"({len(index.spans):,} sentences; {RUNS} runs)"
    )
    print(f"  index build                          : {ms(builds)}")
    print(f"  Index.suggest on a built index       : {ms(suggests)}")
    print(f"  suggest_counterparts, first (builds) : {cold * 1000:.1f} ms")
    print(f"  suggest_counterparts, index cached   : {ms(cached)}")
    print(
        f"  best suggestion                      : {found[0].suggestion.score:.3f} "
        f"“{anchoring.excerpt(found[0].suggestion.text, 70)}”"
        if found
        else "  no suggestion"
    )


def main():
    setup_test_environment()  # the test client's response.context and the ALLOWED_HOSTS of tests
    settings.DEBUG = False
    try:
        call_command("migrate", verbosity=0, interactive=False)
        bench_compare_page(build_corpus())
        print()
        bench_suggestions()
    finally:
        connection.close()
        # SQLite runs in WAL mode (config.settings): its -wal and -shm files go too.
        for suffix in ("", "-wal", "-shm"):
            Path(_database.name + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()

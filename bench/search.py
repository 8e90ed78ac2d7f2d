"""Full-text search bench: the document list with ``?q=`` on a large archive.

    python bench/search.py [DOCUMENTS]      # default 2,000 documents

Builds, in a throwaway SQLite database, DOCUMENTS published documents of
about 1,000 words (paragraphs of the seed captures, shuffled per document),
each with 10 claims; times ``rebuild_search_index``; then renders the list
page for a rare word, a word in every document, a phrase, a prefix and an
exclusion: prints queries per render and the median time of 5 renders, and
for comparison the time of the old scan (``text__icontains``, counted once).
"""

import os
import random
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

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from archive import search  # noqa: E402
from archive.models import Claim, Document, Visibility  # noqa: E402

DOCUMENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
CLAIMS, WORDS, RENDERS = 10, 1_000, 5
CAPTURES = ROOT / "fixtures" / "captures"
QUERIES = {
    "rare word": "zeppelin",
    "word in every document": "syria",
    "phrase": '"will be liberated"',
    "prefix": "resist*",
    "exclusion": "syria -iraq",
}


def build_corpus():
    paragraphs = [
        paragraph.replace("\n", " ")
        for path in sorted(CAPTURES.glob("*.txt"))
        for paragraph in path.read_text(encoding="utf-8").split("\n\n")
        if len(paragraph.split()) > 8
    ]
    rng = random.Random(1)
    documents = []
    for d in range(DOCUMENTS):
        chosen, words = [f"Bench document {d} on Syria."], 0
        while words < WORDS:
            paragraph = rng.choice(paragraphs)
            chosen.append(paragraph)
            words += len(paragraph.split())
        if d % 500 == 0:
            chosen.append("A zeppelin was seen.")
        text = "\n\n".join(chosen)
        documents.append(
            Document(
                title=f"Bench document {d}",
                slug=f"bench-{d}",
                raw_text=text,
                text=text,
                capture_method=Document.CaptureMethod.FILE_IMPORT,
                visibility=Visibility.PUBLISHED,
            )
        )
    for document in documents:
        document.raw_sha256 = f"{document.slug:0>64}"[-64:]
    Document.objects.bulk_create(documents, batch_size=500)
    claims = []
    for document in Document.objects.only("pk", "text"):
        offset = 0
        for _ in range(CLAIMS):
            start = document.text.index(" ", offset) + 1
            end = document.text.index(" ", start + 40)
            claim = Claim(document=document, visibility=Visibility.PUBLISHED, note="Bench note.")
            claim.set_span(document.text, start, end)
            claims.append(claim)
            offset = end + 200
    Claim.objects.bulk_create(claims, batch_size=1_000)


def bench_rebuild():
    started = time.perf_counter()
    call_command("rebuild_search_index", verbosity=0)
    print(f"rebuild_search_index: {time.perf_counter() - started:.1f} s for {DOCUMENTS:,} documents")


def bench_queries():
    client = Client()
    client.get("/", {"q": "syria"})  # warm caches
    for label, query in QUERIES.items():
        timings = []
        for _ in range(RENDERS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get("/", {"q": query})
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        matches = search.search_documents(Document.objects.published(), search.parse(query), None).count()
        print(
            f"  {label:<24} {query!r:<22} {matches:>6,} documents  "
            f"{len(queries)} queries  median {statistics.median(timings) * 1000:.0f} ms"
        )
    timings = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        client.get("/")
        timings.append(time.perf_counter() - started)
    print(f"  for comparison, the list without a search: median {statistics.median(timings) * 1000:.0f} ms")
    started = time.perf_counter()
    scanned = Document.objects.published().filter(text__icontains="zeppelin").count()
    print(
        f"  and the old scan, one COUNT of text__icontains 'zeppelin' ({scanned} documents): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )


def main():
    setup_test_environment()
    call_command("migrate", verbosity=0)
    build_corpus()
    bench_rebuild()
    print(f"Document list with ?q=, {DOCUMENTS:,} documents x ~{WORDS} words, {CLAIMS} claims each")
    bench_queries()


if __name__ == "__main__":
    try:
        main()
    finally:
        os.unlink(_database.name)

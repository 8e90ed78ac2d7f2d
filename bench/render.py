"""Reader and compare rendering: time, queries and bytes, rendered afresh and kept.

    python bench/render.py              # the seed corpus, then 4 documents x 500 claims
    python bench/render.py --profile    # also the 25 costliest functions of a fresh reader render

1. Loads the seed corpus (``migrate`` + ``load_seed``) into a throwaway SQLite file and
   requests, as a visitor who is not signed in, the reader of the longest seed document
   and the 3-document compare page of the README: median ms per request, queries and
   HTML bytes, with the page cache off (every request renders) and on (``archive.caching``:
   a repeat visit costs one query), and the answer to a repeat request with
   ``If-None-Match``.
2. Adds 4 documents of 500 claims each with 500 links and reports the compare page's
   HTML bytes and queries for a visitor and for an analyst.

For requests per second against a static file on a real server, see ``bench/scale.py``.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
os.environ.setdefault("DEBUG", "0")
_scratch = Path(tempfile.mkdtemp(prefix="margins-render-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_scratch / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models.functions import Length  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from archive.models import Claim, Document  # noqa: E402
from bench.corpus import build_compare_corpus  # noqa: E402

REQUESTS = 30
COMPARE_SEED = (
    "khamenei-speech-on-recent-developments-in-syria-and-region",
    "caliber-az-khamenei-urges-syrian-youth-to-resist",
    "iran-faces-setbacks-in-syria-us-presence-in-iraq",
)


def timed(client, url, requests=REQUESTS, **headers):
    client.get(url, headers=headers)  # warm: templates, content types, the kept page
    samples = []
    for _ in range(requests):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000, len(queries), response


def measure(name, url):
    client = Client()
    rows = []
    for label, seconds in (("fresh", 0), ("kept", 300)):
        settings.MARGINS_PAGE_CACHE_SECONDS = seconds
        cache.clear()
        ms, queries, response = timed(client, url)
        assert response.status_code == 200, (url, response.status_code)
        rows.append((f"{name} ({label})", ms, queries, len(response.content)))
    ms, queries, response = timed(client, url, **{"If-None-Match": response["ETag"]})
    rows.append((f"{name} (If-None-Match: {response.status_code})", ms, queries, len(response.content)))
    return rows


def print_rows(rows):
    print(f"{'page':44} {'ms p50':>8} {'queries':>8} {'HTML bytes':>11}")
    for name, ms, queries, size in rows:
        print(f"{name:44} {ms:8.2f} {queries:8} {size:11,}")


def build_4x500():
    return [document for document, _claims in build_compare_corpus(4, 500, 500)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    call_command("migrate", verbosity=0)
    call_command("load_seed", verbosity=0)
    reader = Document.objects.annotate(n=Length("text")).order_by("-n").first()
    rows = measure("reader", reader.get_absolute_url())
    rows += measure("compare 3 (seed)", "/compare/?" + "&".join(f"d={slug}" for slug in COMPARE_SEED))
    print(f"Seed corpus: {Document.objects.count()} documents, {Claim.objects.count()} claims; SQLite")
    print_rows(rows)

    if args.profile:
        settings.MARGINS_PAGE_CACHE_SECONDS = 0
        client = Client()
        client.get(reader.get_absolute_url())
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(10):
            client.get(reader.get_absolute_url())
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)

    documents = build_4x500()
    url = "/compare/?" + "&".join(f"d={document.slug}" for document in documents)
    settings.MARGINS_PAGE_CACHE_SECONDS = 0
    rows = []
    ms, queries, response = timed(Client(), url, requests=5)
    rows.append(("compare 4 x 500 claims, 500 links (visitor)", ms, queries, len(response.content)))
    group = Group.objects.get(name="Analysts")
    user = User.objects.create_user("bench-analyst", password="bench-password-1234")
    user.groups.add(group)
    analyst = Client()
    analyst.force_login(user)
    ms, queries, response = timed(analyst, url, requests=5)
    rows.append(("compare 4 x 500 claims, 500 links (analyst)", ms, queries, len(response.content)))
    print()
    print_rows(rows)


if __name__ == "__main__":
    try:
        main()
    finally:
        connection.close()
        for path in _scratch.iterdir():
            path.unlink()
        _scratch.rmdir()

"""Margins at scale: build a large archive fast, then measure its pages on a real server.

    python bench/scale.py --size 1k                  # SQLite file in $TMPDIR/margins-scale/
    python bench/scale.py --size 10k --reuse         # measure again an archive already built
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/scale.py --size 1k
                                                     # PostgreSQL: database margins_scale_1k on
                                                     # that server (never the one DATABASE_URL names)
    python bench/scale.py --size 100k --markdown --explain

1. Builds an archive of 1,000 / 10,000 / 100,000 documents with about 10 claims
   each, with ``bulk_create`` in batches: texts sampled from the seed captures
   (paragraphs shuffled, with boilerplate the cleaner removes), cleaned by the
   importer's own cleaner; claims on sentences or parts of them, their
   selectors made by ``anchoring.selector_for``; each document's version 1,
   each claim's "created" event and each link's two "linked" events built by
   the services' own helpers, so the rows are those the services would write.
   It also has one document of 300 claims (with three reports of it, linked),
   one person with 10,000 claims (1% of the claims below 100,000 claims), one
   tag with 50,000 items (scaled down with the size), claim links, document
   relations, people, sources and tags, and some drafts. Prints the build rate.
   ``--reuse`` keeps an archive already built at this size (and by this builder
   and these migrations) and only measures.
2. Counts each page's SQL queries in this process (Django's test client and
   ``CaptureQueriesContext``, one request per page, on the same database);
   ``--explain`` prints the plan of every query of the listing pages.
3. Starts gunicorn as ``make serve`` does (production settings, 2 sync
   workers) and, with one client, requests each page N times after a warm-up:
   p50 / p95 latency, HTML size, queries; then the workers' peak RSS (VmHWM).
4. Dynamic vs static: the reader, the list and a 3-document compare are saved
   as files that whitenoise serves (``WHITENOISE_ROOT``) and the same bytes are
   requested from the same server both ways, interleaved: requests/s and ratio.

Exits non-zero on errors only (a failed build, a non-200 page, a failed
request, a server traceback), never on slow figures.
"""

import argparse
import bisect
import contextlib
import dataclasses
import gzip
import hashlib
import http.client
import json
import math
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from array import array
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "fixtures" / "captures"
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
# Bump when the builder makes different rows: an archive built by another version is not reused.
BUILDER_VERSION = 1
MARKER_TABLE = "bench_scale_build"
USERNAME = "scale-bench"
SEARCH_WORD = "Hezbollah"
SEARCH_PHRASE = '"holy sites"'
FILTER_YEAR = 2020
BIG_TAG = "syria"
BIG_PERSON = ("Ali Khamenei", "ali-khamenei")
DEEP_PAGE = 500
GUNICORN_TIMEOUT = 30  # seconds; gunicorn's default, which make serve keeps

# --- the shape of an archive -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Shape:
    """How many of everything an archive of ``documents`` documents has."""

    documents: int
    claims: int
    reader_claims: int  # the one long document the reader bench opens
    compare_claims: int  # each of its three reports (compared with it)
    person_claims: int  # the one prolific claimant
    tag_documents: int  # the one big tag, on documents...
    tag_claims: int  # ... and on claims
    people: int
    sources: int
    tags: int
    links: int  # the reports' links to the long document, and links between random claims
    relations: int  # the reports' relations to the long document, and others

    @classmethod
    def of(cls, documents):
        if documents < 8:
            raise ValueError("An archive needs at least 8 documents.")
        claims = 10 * documents
        tag_items = max(2, documents // 2)  # 50,000 at 100k documents
        tag_documents = max(1, tag_items // 5)
        return cls(
            documents=documents,
            claims=claims,
            reader_claims=min(300, claims // 10),
            compare_claims=min(100, claims // 20),
            # 10,000 claims; below 100,000 claims (where that would be most of them), 1%.
            person_claims=10_000 if claims >= 100_000 else max(1, claims // 100),
            tag_documents=tag_documents,
            tag_claims=tag_items - tag_documents,
            people=min(500, max(10, documents // 20)),
            sources=min(300, max(5, documents // 200)),
            tags=min(400, max(12, documents // 100)),
            links=3 * min(100, claims // 20) + claims // 20,
            relations=3 + documents // 10,
        )


# --- text material from the seed captures --------------------------------------------------

SENTENCE = re.compile(r"[^.!?\n]+[.!?]*[\"”’)]*")
WORD = re.compile(r"\S+")


class Corpus:
    """Paragraphs and boilerplate lines of the seed captures, as the cleaner splits them."""

    def __init__(self, captures=CAPTURES):
        from archive.text.capture import clean

        self.paragraphs, self.boilerplate = [], []
        for path in sorted(Path(captures).glob("*.txt")):
            cleaned = clean(path.read_text(encoding="utf-8"))
            self.paragraphs += [line for line in cleaned.text.split("\n") if len(line.strip()) >= 40]
            self.boilerplate += [
                r.text for r in cleaned.removed if r.text.strip() and r.reason != "blank line"
            ]
        if not self.paragraphs:
            raise SystemExit(f"No text in the seed captures at {captures}.")
        self.boilerplate = list(dict.fromkeys(self.boilerplate))


def sentence_spans(text, skip_lines=2):
    """(start, end) of each sentence of ``text`` after its first ``skip_lines`` lines (title, dateline)."""
    spans, offset = [], 0
    for number, line in enumerate(text.split("\n")):
        if number >= skip_lines:
            for match in SENTENCE.finditer(line):
                piece = match.group()
                start = offset + match.start() + (len(piece) - len(piece.lstrip()))
                end = offset + match.end() - (len(piece) - len(piece.rstrip()))
                if end - start >= 20 and len(text[start:end].split()) >= 3:
                    spans.append((start, end))
        offset += len(line) + 1
    return spans


def part_of(rng, text, start, end):
    """A whole sentence, or (2 in 5) a run of at least three of its words."""
    words = list(WORD.finditer(text, start, end))
    if len(words) < 6 or rng.random() < 0.6:
        return start, end
    length = rng.randint(3, len(words) - 1)
    first = rng.randint(0, len(words) - length)
    span_start, span_end = words[first].start(), words[first + length - 1].end()
    while span_end > span_start + 1 and text[span_end - 1] in ",;:":
        span_end -= 1
    return span_start, span_end


MONTHS = "January February March April May June July August September October November December".split()
KINDS = [("news", 45), ("analysis", 15), ("transcript", 12), ("readout", 10), ("statement", 12), ("other", 6)]
LANGUAGES = [("en", 80), ("fa", 6), ("ar", 5), ("ar-SY", 2), ("ru", 4), ("fr", 3)]
PRECISIONS = [("time", 40), ("day", 30), ("month", 10), ("year", 5), ("unknown", 15)]
CLAIM_KINDS = [
    ("assertion", 40),
    ("accusation", 15),
    ("threat", 8),
    ("prediction", 10),
    ("denial", 10),
    ("admission", 7),
    ("other", 10),
]
STATUSES = [("unverified", 60), ("corroborated", 20), ("disputed", 12), ("refuted", 8)]
RELATIONS = ["reports", "paraphrases", "quotes_verbatim", "repeats", "corroborates", "contradicts"]
TAG_NAMES = (
    "syria iran iraq lebanon hezbollah irgc sanctions nuclear oil israel gaza yemen houthis russia "
    "turkey saudi-arabia elections protests economy diplomacy military drones missiles refugees kurds "
    "isis afghanistan azerbaijan armenia youth"
).split()
FIRST = "Ali Hassan Reza Mohammad Sara Leila Omar Yusuf Nasser Fatemeh Dmitri Anna John Maryam Karim".split()
LAST = "Rahimi Hosseini Karimi Haddad Nasser Petrov Smith Ahmadi Tehrani Aziz Saleh Mousavi Jafari".split()
OUTLETS = "Tasnim IRNA Al-Manar Caliber Press Mehr Fars Al-Mayadeen Sana Rudaw Anadolu Kayhan".split()
SOURCE_KINDS = ["state_media", "official", "diplomatic", "news", "think_tank", "other"]
NOTES = [
    "Repeated from the *official readout*; wording differs slightly.",
    "Compare with the **earlier statement** on the same day.",
    "See [the transcript](https://example.org/transcript) for context.",
    "Figures not given in the text.",
    "- first reported here\n- picked up by two outlets",
]


def _pick(rng, weighted):
    return rng.choices([value for value, _w in weighted], weights=[w for _v, w in weighted])[0]


def _dateline(moment, precision):
    if precision == "unknown":
        return "Date not given"
    day = f"{moment.day:02d} {MONTHS[moment.month - 1]} {moment.year}"
    return {
        "time": f"{day} {moment:%H:%M}",
        "day": day,
        "month": f"{MONTHS[moment.month - 1]} {moment.year}",
        "year": str(moment.year),
    }[precision]


# --- the builder ---------------------------------------------------------------------------


class Builder:
    """Writes an archive of ``shape`` into the default database with bulk_create.

    Everything random comes from ``seed``: the same seed builds the same archive.
    """

    def __init__(self, shape, *, seed="margins-scale", chunk=500, captures=CAPTURES, log=print):
        self.shape, self.chunk, self.log = shape, chunk, log
        self.rng = random.Random(seed)
        self.corpus = Corpus(captures)
        self.timings = {"documents": 0.0, "claims": 0.0, "links": 0.0}

    # -- the plan: counts, visibility and the big person and tag, decided before any row

    def plan(self):
        shape, rng = self.shape, self.rng
        n = shape.documents
        special = [shape.reader_claims] + [shape.compare_claims] * 3
        rest = shape.claims - sum(special)
        base = rest / (n - 4)
        low, high = max(1, math.floor(base * 0.4)), math.ceil(base * 1.6)
        counts = [rng.randint(low, high) for _ in range(n - 4)]
        difference = rest - sum(counts)
        while difference:
            i = rng.randrange(n - 4)
            step = 1 if difference > 0 else -1
            if low <= counts[i] + step <= high + 10:
                counts[i] += step
                difference -= step
        self.counts = special + counts
        self.first_claim = [0]
        for count in self.counts:
            self.first_claim.append(self.first_claim[-1] + count)
        self.doc_published = [True] * 4 + [rng.random() < 0.9 for _ in range(n - 4)]
        self.claim_published = bytearray(shape.claims)
        visible_claims = []
        for d in range(n):
            for g in range(self.first_claim[d], self.first_claim[d + 1]):
                published = d < 4 or rng.random() < 0.9
                self.claim_published[g] = published
                if published and self.doc_published[d]:
                    visible_claims.append(g)
        visible_docs = [d for d in range(n) if self.doc_published[d]]
        self.person_set = set(rng.sample(visible_claims, shape.person_claims))
        self.tag_claim_set = set(rng.sample(visible_claims, shape.tag_claims))
        self.tag_doc_set = set(rng.sample(visible_docs, shape.tag_documents))

    # -- people, sources, tags, the user

    def make_catalogue(self):
        from django.contrib.auth.models import Group, User
        from django.contrib.contenttypes.models import ContentType
        from django.utils.text import slugify
        from taggit.models import Tag

        from archive.models import Claim, Document, Person, Source

        rng, shape = self.rng, self.shape
        self.user = User.objects.create_user(USERNAME, is_staff=True)  # no password: it never signs in
        analysts = Group.objects.filter(name="Analysts").first()
        if analysts:
            self.user.groups.add(analysts)
        people = [Person(name=BIG_PERSON[0], slug=BIG_PERSON[1], role="Supreme Leader of Iran",
                         aliases="Ayatollah Seyyed Ali Khamenei\nSupreme Leader")]  # fmt: skip
        for p in range(1, shape.people):
            name = f"{FIRST[p % len(FIRST)]} {LAST[(p // len(FIRST)) % len(LAST)]} {p}"
            people.append(
                Person(name=name, slug=slugify(name), role=rng.choice(["", "Minister", "Spokesman"]))
            )
        self.people = Person.objects.bulk_create(people)
        sources = []
        for s in range(shape.sources):
            name = f"{OUTLETS[s % len(OUTLETS)]} {s}" if s >= len(OUTLETS) else OUTLETS[s]
            sources.append(
                Source(
                    name=name,
                    slug=slugify(name),
                    kind=rng.choice(SOURCE_KINDS),
                    homepage=f"https://{slugify(name)}.example.org/",
                    country=rng.choice(["", "Iran", "Lebanon", "Azerbaijan", "Syria"]),
                )
            )
        self.sources = Source.objects.bulk_create(sources)
        names = [BIG_TAG] + [t for t in TAG_NAMES if t != BIG_TAG]
        names += [f"topic-{t:03d}" for t in range(len(names), shape.tags)]
        tags = [Tag(name=name) for name in names[: shape.tags]]
        for tag in tags:
            tag.slug = tag.slugify(tag.name)
        self.tags = Tag.objects.bulk_create(tags)
        self.big_tag = self.tags[0]
        self.other_tags = self.tags[1:]
        # Popular things are popular: weights falling with rank.
        self.people_weights = [1 / (k + 1) for k in range(1, len(self.people))]
        self.source_weights = [1 / (k + 1) for k in range(len(self.sources))]
        self.tag_weights = [1 / (k + 1) for k in range(len(self.other_tags))]
        self.document_type = ContentType.objects.get_for_model(Document)
        self.claim_type = ContentType.objects.get_for_model(Claim)

    # -- one document

    def make_document(self, d):
        """A Document (unsaved) with a text that has enough sentences for its claims, and those sentences."""
        from django.utils.text import slugify

        from archive.models import Document, sha256_hex
        from archive.text.capture import clean

        rng, corpus = self.rng, self.corpus
        wanted = self.counts[d]
        precision = "time" if d < 4 else _pick(rng, PRECISIONS)
        if d < 4:
            moment = datetime(2025, 1, 1 + d, 10, 30, tzinfo=UTC)
        else:
            moment = datetime(2015, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(10 * 365 * 86400))
        moment = {
            "time": moment.replace(second=0, microsecond=0),
            "day": moment.replace(hour=0, minute=0, second=0, microsecond=0),
            "month": moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0),
            "year": moment.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0),
            "unknown": None,
        }[precision]
        paragraphs = rng.randint(4, 12)
        while True:
            chosen = [rng.choice(corpus.paragraphs) for _ in range(paragraphs)]
            headline = " ".join(chosen[0].split()[: rng.randint(6, 12)]).rstrip(",;:.")
            title = f"{headline} [{d}]"
            body = "\n\n".join([title, _dateline(moment, precision) if moment else "Date not given", *chosen])
            top = rng.sample(corpus.boilerplate, min(len(corpus.boilerplate), rng.randint(0, 8)))
            bottom = rng.sample(corpus.boilerplate, min(len(corpus.boilerplate), rng.randint(0, 3)))
            raw = "\n".join([*top, "", body, "", *bottom]) + "\n"
            if rng.random() < 0.05:
                raw = raw.replace("\n", "\r\n")  # some captures come with CRLF line ends
            cleaned = clean(raw)
            spans = sentence_spans(cleaned.text)
            if len(spans) >= wanted:
                break
            paragraphs += max(2, (wanted - len(spans)) // 2)
        source = None
        if rng.random() < 0.9:
            source = rng.choices(self.sources, weights=self.source_weights)[0]
        slug = f"{slugify(headline)[:60].strip('-')}-{d}"
        document = Document(
            title=title,
            slug=slug,
            kind=_pick(rng, KINDS),
            language="en" if d < 4 else _pick(rng, LANGUAGES),
            byline="" if rng.random() < 0.5 else f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            source=source,
            original_url=f"https://{source.slug if source else 'unknown'}.example.org/{slug}"
            if rng.random() < 0.7
            else "",
            archived_url=f"https://archive.example.org/{d}" if rng.random() < 0.2 else "",
            published_at=moment,
            published_precision=precision,
            published_time_zone_stated=precision == "time" and rng.random() < 0.3,
            captured_at=(moment or datetime(2025, 1, 1, tzinfo=UTC)) + timedelta(hours=rng.randint(1, 720)),
            captured_by="scale bench",
            capture_method=Document.CaptureMethod.FILE_IMPORT,
            provenance_notes="The page gives no time zone." if rng.random() < 0.2 else "",
            raw_text=raw,
            raw_sha256=sha256_hex(raw),
            text=cleaned.text,
            cleaning_report=[dataclasses.asdict(removed) for removed in cleaned.removed],
            visibility="published" if self.doc_published[d] else "draft",
            created_by=self.user,
        )
        return document, spans

    def document_tags(self, d):
        rng = self.rng
        tags = set()
        if d in self.tag_doc_set:
            tags.add(self.big_tag)
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            tags.add(rng.choices(self.other_tags, weights=self.tag_weights)[0])
        return sorted(tags, key=lambda t: t.name)

    def claim_fields(self, g):
        rng = self.rng
        if g in self.person_set:
            claimant = self.people[0]
        elif rng.random() < 0.15:
            claimant = None
        else:
            claimant = rng.choices(self.people[1:], weights=self.people_weights)[0]
        tags = set()
        if g in self.tag_claim_set:
            tags.add(self.big_tag)
        for _ in range(rng.choice([0, 0, 0, 0, 0, 0, 1, 1, 1, 2])):
            tags.add(rng.choices(self.other_tags, weights=self.tag_weights)[0])
        fields = {
            "claimant": claimant,
            "kind": _pick(rng, CLAIM_KINDS),
            "status": _pick(rng, STATUSES),
            "note": rng.choice(NOTES) if rng.random() < 0.25 else "",
            "visibility": "published" if self.claim_published[g] else "draft",
        }
        return fields, sorted(tags, key=lambda t: t.name)

    # -- a chunk of documents with their versions, claims, tags and events

    def write_chunk(self, ds):
        from django.db import transaction
        from taggit.models import TaggedItem

        from archive.models import Claim, ClaimEvent, Document, DocumentVersion, sha256_hex
        from archive.services import annotations
        from archive.text import anchoring

        started = time.perf_counter()
        made = [self.make_document(d) for d in ds]
        documents = [document for document, _spans in made]
        with transaction.atomic():
            Document.objects.bulk_create(documents, batch_size=500)
            # Version 1, as Document.save() makes it (DocumentVersion.create_first).
            versions = [
                DocumentVersion(
                    document=document,
                    number=1,
                    text=document.text,
                    text_sha256=sha256_hex(document.text),
                    reason=DocumentVersion.FIRST_REASON,
                    created_by=self.user,
                )
                for document in documents
            ]
            DocumentVersion.objects.bulk_create(versions, batch_size=500)
            items = [
                TaggedItem(tag=tag, content_type=self.document_type, object_id=document.pk)
                for d, document in zip(ds, documents, strict=True)
                for tag in self.document_tags(d)
            ]
            TaggedItem.objects.bulk_create(items, batch_size=1000)
            middle = time.perf_counter()
            self.timings["documents"] += middle - started

            claims, claim_tags = [], []
            for d, (document, spans), version in zip(ds, made, versions, strict=True):
                chosen = sorted(self.rng.sample(spans, self.counts[d]))
                for offset, (start, end) in enumerate(chosen):
                    g = self.first_claim[d] + offset
                    fields, tags = self.claim_fields(g)
                    claim = Claim(document=document, anchored_version=version, created_by=self.user, **fields)
                    claim.set_selector(
                        anchoring.selector_for(document.text, *part_of(self.rng, document.text, start, end))
                    )
                    claims.append(claim)
                    claim_tags.append(tags)
            Claim.objects.bulk_create(claims, batch_size=1000)
            items, events = [], []
            for claim, tags in zip(claims, claim_tags, strict=True):
                items += [
                    TaggedItem(tag=tag, content_type=self.claim_type, object_id=claim.pk) for tag in tags
                ]
                # The event create_claim records: the whole state, and the span and details.
                state = annotations.claim_state(claim, tags=[tag.name for tag in tags])
                events.append(
                    annotations._event(
                        claim,
                        ClaimEvent.Action.CREATED,
                        self.user,
                        state=state,
                        **annotations._snapshot(claim),
                    )
                )
            TaggedItem.objects.bulk_create(items, batch_size=1000)
            ClaimEvent.objects.bulk_create(events, batch_size=1000)
        for d, document in zip(ds, documents, strict=True):
            self.doc_pk[d], self.doc_title[d] = document.pk, document.title
        first = self.first_claim[ds[0]]
        self.claim_pk[first : first + len(claims)] = array("q", [claim.pk for claim in claims])
        self.timings["claims"] += time.perf_counter() - middle

    # -- links between claims, relations between documents

    def doc_of(self, g):
        return bisect.bisect_right(self.first_claim, g) - 1

    def write_links(self):
        from django.db import transaction

        from archive.models import ClaimEvent, ClaimLink, DocumentRelation

        started = time.perf_counter()
        rng, shape = self.rng, self.shape
        pairs = {}
        # The three reports' claims each report, paraphrase or contradict one of the long document's.
        for k in (1, 2, 3):
            for m in range(self.counts[k]):
                a = self.first_claim[k] + m
                b = self.first_claim[0] + (m * 7 + k) % self.counts[0]
                pairs[(a, b, RELATIONS[(m + k) % 3])] = None
        while len(pairs) < shape.links:
            a, b = rng.randrange(shape.claims), rng.randrange(shape.claims)
            relation = rng.choice(RELATIONS)
            if self.doc_of(a) != self.doc_of(b) and (b, a, relation) not in pairs:
                pairs[(a, b, relation)] = None
        links = [
            ClaimLink(
                from_claim_id=self.claim_pk[a],
                to_claim_id=self.claim_pk[b],
                relation=relation,
                note="Same figures, different wording." if rng.random() < 0.2 else "",
                created_by=self.user,
            )
            for a, b, relation in pairs
        ]
        with transaction.atomic():
            ClaimLink.objects.bulk_create(links, batch_size=1000)
            # link_claims records "linked" on both claims, each at its current version (1), with no state.
            events = []
            for (a, b, _relation), link in zip(pairs, links, strict=True):
                detail = {
                    "link": link.pk,
                    "from": link.from_claim_id,
                    "relation": link.relation,
                    "to": link.to_claim_id,
                    "note": link.note,
                }
                for g in (a, b):
                    d = self.doc_of(g)
                    events.append(
                        ClaimEvent(
                            claim_id=self.claim_pk[g],
                            claim_pk=self.claim_pk[g],
                            document_id=self.doc_pk[d],
                            document_title=self.doc_title[d],
                            action=ClaimEvent.Action.LINKED,
                            user=self.user,
                            detail=detail,
                            claim_version=1,
                            state=None,
                        )
                    )
            ClaimEvent.objects.bulk_create(events, batch_size=1000)

            relations = {}
            for k in (1, 2, 3):
                relations[(k, "reports_on", 0)] = None
            while len(relations) < shape.relations:
                d, kind = (
                    rng.randrange(shape.documents),
                    rng.choice(["cites", "reports_on", "translation_of"]),
                )
                if rng.random() < 0.2:
                    relations[(d, kind, f"external {len(relations)}")] = None
                else:
                    target = rng.randrange(shape.documents)
                    if target != d:
                        relations[(d, kind, target)] = None
            rows = []
            for d, kind, target in relations:
                row = DocumentRelation(document_id=self.doc_pk[d], kind=kind)
                if isinstance(target, int):
                    row.target_id = self.doc_pk[target]
                else:
                    row.external_title = f"Report {target.split()[1]} of the Institute for the Study of War"
                    row.external_url = (
                        f"https://example.org/reports/{target.split()[1]}" if rng.random() < 0.5 else ""
                    )
                    row.external_date = datetime(2024, 1, 1).date() + timedelta(days=rng.randrange(365))
                    row.external_date_precision = "day"
                rows.append(row)
            DocumentRelation.objects.bulk_create(rows, batch_size=1000)
        self.timings["links"] += time.perf_counter() - started
        return len(links), len(rows)

    def build(self):
        shape = self.shape
        started = time.perf_counter()
        self.plan()
        self.make_catalogue()
        self.doc_pk = array("q", [0]) * shape.documents
        self.doc_title = [""] * shape.documents
        self.claim_pk = array("q", [0]) * shape.claims
        report_every = max(self.chunk, shape.documents // 10)
        for first in range(0, shape.documents, self.chunk):
            self.write_chunk(range(first, min(first + self.chunk, shape.documents)))
            done = min(first + self.chunk, shape.documents)
            if done % report_every < self.chunk or done == shape.documents:
                elapsed = time.perf_counter() - started
                self.log(f"  built {done:,} / {shape.documents:,} documents ({elapsed:.0f} s)")
        links, relations = self.write_links()
        total = time.perf_counter() - started
        return {
            "documents": shape.documents,
            "claims": shape.claims,
            "links": links,
            "relations": relations,
            "events": shape.claims + 2 * links,
            "seconds": round(total, 2),
            "seconds_documents": round(self.timings["documents"], 2),
            "seconds_claims": round(self.timings["claims"], 2),
            "seconds_links": round(self.timings["links"], 2),
            "targets": {
                "reader": self.doc_slug(0),
                "compare": [self.doc_slug(d) for d in range(4)],
                "person": BIG_PERSON[1],
                "tag": self.big_tag.slug,
                "claim": self.claim_pk[self.first_claim[1]],
                "reader_claims": shape.reader_claims,
            },
        }

    def doc_slug(self, d):
        from archive.models import Document

        return Document.objects.values_list("slug", flat=True).get(pk=self.doc_pk[d])


def build(documents, *, seed="margins-scale", chunk=500, log=print):
    """Build an archive of ``documents`` documents in the default database; returns what was built."""
    return Builder(Shape.of(documents), seed=seed, chunk=chunk, log=log).build()


# --- the pages ------------------------------------------------------------------------------


def pages(targets, page_size):
    """(name, path) of every page measured, for the archive ``targets`` describes."""
    from django.db.models import Count
    from taggit.models import TaggedItem

    from archive.models import Claim, Document, Source

    visible = Document.objects.published().count()
    last = max(1, math.ceil(visible / page_size))
    source = (
        Source.objects.filter(documents__visibility="published")
        .values("slug")
        .annotate(n=Count("documents"))
        .order_by("-n", "slug")
        .first()
    )
    years = [moment.year for moment in Document.objects.published().datetimes("published_at", "year")]
    year = FILTER_YEAR if FILTER_YEAR in years or not years else years[len(years) // 2]
    person_claims = Claim.objects.filter(claimant__slug=targets["person"]).count()
    tag_items = TaggedItem.objects.filter(tag__slug=targets["tag"]).count()
    compare = targets["compare"]
    return [
        ("list", "/"),
        ("search word", "/?" + urlencode({"q": SEARCH_WORD})),
        ("search phrase", "/?" + urlencode({"q": SEARCH_PHRASE})),
        ("tag filter", "/?" + urlencode({"tag": targets["tag"]})),
        ("claimant filter", "/?" + urlencode({"claimant": targets["person"]})),
        ("year filter", "/?" + urlencode({"year": year})),
        (f"page {min(DEEP_PAGE, last)}", f"/?page={min(DEEP_PAGE, last)}"),
        (f"reader ({targets.get('reader_claims', 300)} claims)", f"/documents/{targets['reader']}/"),
        (f"person ({person_claims:,} claims)", f"/people/{targets['person']}/"),
        (f"tag ({tag_items:,} items)", f"/tags/{targets['tag']}/"),
        ("source", f"/sources/{source['slug']}/"),
        ("claim", f"/claims/{targets['claim']}/"),
        ("compare 4", "/compare/?" + urlencode([("d", slug) for slug in compare])),
    ]


LISTING = ("list", "search word", "search phrase", "tag filter", "claimant filter", "year filter", "page ")


def ratio_pages(targets):
    compare = targets["compare"][:3]
    return [
        ("reader", f"/documents/{targets['reader']}/"),
        ("list", "/"),
        ("compare 3", "/compare/?" + urlencode([("d", slug) for slug in compare])),
    ]


# --- the database ---------------------------------------------------------------------------


def database_for(size, directory):
    """(DATABASE_URL of the bench database, label, PostgreSQL admin URL or None)."""
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(given)
        name = f"margins_scale_{size}"
        admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        return urlunsplit(parts._replace(path=f"/{name}")), f"PostgreSQL database {name}", admin
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"scale-{size}.sqlite3"
    return f"sqlite:///{path}", f"SQLite file {path} (WAL)", None


def postgres_database(admin, url, *, fresh):
    import psycopg

    name = urlsplit(url).path.strip("/")
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if fresh and exists:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
        return connection.execute("SHOW server_version").fetchone()[0]


def drop_database(admin, url):
    if admin:
        import psycopg

        name = urlsplit(url).path.strip("/")
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def migrations_key():
    """A digest of the migrations on disk: an archive built under other migrations is not reused."""
    from django.db.migrations.loader import MigrationLoader

    names = sorted(
        f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    )
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]


def read_marker():
    from django.db import connection

    if MARKER_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT info FROM {MARKER_TABLE} ORDER BY id DESC")  # noqa: S608
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def write_marker(info):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (id integer PRIMARY KEY, info text NOT NULL)"
        )
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")  # noqa: S608
        cursor.execute(f"INSERT INTO {MARKER_TABLE} (id, info) VALUES (1, %s)", [json.dumps(info)])  # noqa: S608


def analyze():
    """Fresh planner statistics after the load, as a deployment has them.

    PostgreSQL: VACUUM ANALYZE, as autovacuum would after a load. SQLite keeps
    none until asked: ``manage.py analyze_database``, which ``make run`` and
    ``make serve`` run after migrating and the README says to run after a
    large import (here, the build).
    """
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        call_command("analyze_database", verbosity=0)


# --- measuring in this process: queries and plans -------------------------------------------


@dataclasses.dataclass
class InProcess:
    """One request of a page through the test client: its status, queries (SQL, seconds) and body."""

    status: int
    queries: list
    content: bytes

    @property
    def sql_ms(self):
        return sum(float(seconds) for _sql, seconds in self.queries) * 1000


def count_queries(named_pages):
    """{name: InProcess}: one request per page with the test client, its queries captured."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    found = {}
    for name, path in named_pages:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        queries = [(query["sql"], query["time"]) for query in captured.captured_queries]
        found[name] = InProcess(response.status_code, queries, response.content)
    return found


COLUMNS = re.compile(r'(?:"\w+"\."\w+"(?: AS "\w+")?, ){4,}"\w+"\."\w+"(?: AS "\w+")?')
ID_LIST = re.compile(r"IN \((?:\d+, )*\d+\)")


def short_sql(sql):
    """``sql`` for reading: long column lists (SELECT, GROUP BY) and lists of ids elided."""
    sql = COLUMNS.sub(lambda m: f"…{m.group().count(', ') + 1} columns…", sql)
    return ID_LIST.sub("IN (…ids…)", sql)


def explain(sql):
    """The plan of ``sql`` as text: EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        rows = cursor.fetchall()
    depth, lines = {0: -1}, []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return "\n".join(lines)


# --- the server and the client ---------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env, workers, timeout, log):
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", str(timeout),
        "--forwarded-allow-ips", "127.0.0.1", "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see {log.name}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            status = fetch(port, "/accounts/login/")[0]
            if status == 200 and len(worker_pids(process.pid)) >= workers:
                return process, port
        time.sleep(0.3)
    stop(process)
    raise SystemExit(f"gunicorn did not answer within 120 s; see {log.name}")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def worker_pids(master):
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        return [int(pid) for pid in children.read_text().split()]
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
    return pids


def memory_of(pid):
    """(VmHWM, VmRSS) of ``pid`` in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = int(rest.split()[0])
    return values.get("VmHWM", 0), values.get("VmRSS", 0)


def fetch(port, path, *, compressed=False, timeout=900):
    """(status, seconds, body bytes as HTML, bytes on the wire): one request on a new connection, as a browser's."""
    headers = {"Accept": "text/html", "Connection": "close"}
    if compressed:
        headers["Accept-Encoding"] = "gzip"
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        seconds = time.perf_counter() - started
        wire = len(body)
        if response.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return response.status, seconds, body, wire
    finally:
        connection.close()


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclasses.dataclass
class Measured:
    name: str
    path: str
    samples: list
    statuses: set
    html: int = 0
    wire: int = 0
    queries: int = 0
    sql_ms: float = 0.0
    errors: list = dataclasses.field(default_factory=list)

    @property
    def p50(self):
        return percentile(self.samples, 50) * 1000 if self.samples else float("nan")

    @property
    def p95(self):
        return percentile(self.samples, 95) * 1000 if self.samples else float("nan")


def measure(port, name, path, *, requests, warmup, budget):
    """``warmup`` unmeasured requests, then ``requests`` measured (fewer, at least 3, past ``budget`` seconds)."""
    result = Measured(name, path, [], set())
    started = time.monotonic()
    for n in range(warmup + requests):
        try:
            status, seconds, body, wire = fetch(port, path, compressed=True)
        except (OSError, http.client.HTTPException) as error:
            result.errors.append(f"{name}: {error!r}")
            break
        result.statuses.add(status)
        if status != 200:
            result.errors.append(f"{name}: status {status}")
        if n >= warmup:
            result.samples.append(seconds)
            result.html, result.wire = len(body), wire
        if len(result.samples) >= 3 and time.monotonic() - started > budget:
            break
    return result


def dynamic_vs_static(port, dynamic, static, *, rounds, per_round, warmup):
    """Requests/s of ``dynamic`` and ``static`` (same bytes), in interleaved blocks, after
    ``warmup`` unmeasured requests of each (enough for every worker to have rendered the page)."""
    spent = {"dynamic": 0.0, "static": 0.0}
    count = {"dynamic": 0, "static": 0}
    sizes, errors = {}, []
    for path in (dynamic, static) * warmup:
        fetch(port, path)
    for _ in range(rounds):
        for kind, path in (("dynamic", dynamic), ("static", static)):
            for _ in range(per_round):
                status, seconds, body, _wire = fetch(port, path)
                if status != 200:
                    errors.append(f"{path}: status {status}")
                spent[kind] += seconds
                count[kind] += 1
                sizes[kind] = len(body)
    rates = {kind: count[kind] / spent[kind] for kind in spent}
    return rates, sizes, errors


# --- output ------------------------------------------------------------------------------------


def kib(n):
    return f"{n / 1024:,.1f}"


def table(rows, headers, markdown):
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(h)), *(len(str(row[i])) for row in rows)) for i, h in enumerate(headers)]
    widths[-1] = 0  # the last column (a URL) is not padded
    fmt = "  ".join(f"{{:{'<' if i in (0, len(headers) - 1) else '>'}{w}}}" for i, w in enumerate(widths))
    return "\n".join([fmt.format(*headers), *(fmt.format(*[str(c) for c in row]) for row in rows)])


# --- main --------------------------------------------------------------------------------------


def production_env(url, static_root, pages_root):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "EMAIL_HOST": "localhost",
        "DEFAULT_FROM_EMAIL": "bench@localhost",
        "DATABASE_URL": url,
        "STATIC_ROOT": str(static_root),
        "WHITENOISE_ROOT": str(pages_root),
        # Kept pages start empty on every run (the default folder would outlive it).
        "MARGINS_CACHE_DIR": str(pages_root.parent / "page-cache"),
        "LOG_LEVEL": "WARNING",
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=list(SIZES), default="1k")
    parser.add_argument("--requests", type=int, default=20, help="measured requests per page (default 20)")
    parser.add_argument(
        "--warmup", type=int, default=2, help="unmeasured requests per page first (default 2)"
    )
    parser.add_argument(
        "--budget", type=float, default=120, help="seconds per page after which sampling stops (at least 3)"
    )
    parser.add_argument("--reuse", action="store_true", help="measure an archive already built at this size")
    parser.add_argument("--drop", action="store_true", help="delete the bench database at the end")
    parser.add_argument(
        "--dir",
        default=str(Path(tempfile.gettempdir()) / "margins-scale"),
        help="SQLite: where the file goes",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (make serve: 2)")
    parser.add_argument(
        "--worker-timeout", type=int, default=GUNICORN_TIMEOUT, help="gunicorn --timeout (its default: 30)"
    )
    parser.add_argument("--ratio-rounds", type=int, default=3)
    parser.add_argument("--markdown", action="store_true", help="also print the tables as Markdown")
    parser.add_argument(
        "--explain", action="store_true", help="print the plans of the listing pages' queries"
    )
    parser.add_argument("--seed", default="margins-scale")
    args = parser.parse_args(argv)

    documents = SIZES[args.size]
    url, database_label, admin = database_for(args.size, args.dir)
    if admin:
        version = postgres_database(admin, url, fresh=not args.reuse)
        database_label = f"PostgreSQL {version.split()[0]} ({database_label.split()[-1]})"
    elif not args.reuse:
        drop_database(None, url)
    scratch = Path(tempfile.mkdtemp(prefix="margins-scale-"))
    static_root, pages_root = scratch / "static", scratch / "pages"
    pages_root.mkdir()
    env = production_env(url, static_root, pages_root)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    errors = []
    try:
        call_command("migrate", interactive=False, verbosity=0)
        key = migrations_key()
        info = read_marker() if args.reuse else None
        wanted = {"size": args.size, "builder": BUILDER_VERSION, "migrations": key, "seed": args.seed}
        if info and {k: info.get(k) for k in wanted} != wanted:
            print(f"The archive at {database_label} was built otherwise ({info.get('size')}, builder "
                  f"{info.get('builder')}, migrations {info.get('migrations')}): building it again.")  # fmt: skip
            info = None
        if info is None:
            if args.reuse:
                connections.close_all()
                drop_database(admin, url)
                if admin:
                    postgres_database(admin, url, fresh=True)
                call_command("migrate", interactive=False, verbosity=0)
            print(f"Building {documents:,} documents in {database_label} ...", flush=True)
            built = build(documents, seed=args.seed, log=lambda line: print(line, flush=True))
            analyze()
            info = {**wanted, **built, "built_at": datetime.now(UTC).isoformat(timespec="seconds")}
            write_marker(info)
            reused = False
        else:
            reused = True
        call_command("collectstatic", interactive=False, verbosity=0)

        named = pages(info["targets"], settings.MARGINS_PAGE_SIZE)
        ratios = ratio_pages(info["targets"])
        in_process = count_queries(named + [(f"ratio {n}", p) for n, p in ratios])
        for name, result in in_process.items():
            if result.status != 200:
                errors.append(f"{name}: status {result.status} in process")
        # The saved pages whitenoise will serve: written before the server starts (it lists them then).
        for name, _path in ratios:
            content = in_process[f"ratio {name}"].content
            (pages_root / f"{name.replace(' ', '-')}.html").write_bytes(content)
        plans = []
        if args.explain:
            # One plan per query shape (the same query with other ids is the same plan).
            seen = {}
            for name, _path in named:
                if name.startswith(LISTING):
                    for sql, seconds in in_process[name].queries:
                        entry = seen.setdefault(short_sql(sql), {"sql": sql, "pages": [], "ms": []})
                        entry["pages"].append(name)
                        entry["ms"].append(float(seconds) * 1000)
            plans = [(entry, shown, explain(entry["sql"])) for shown, entry in seen.items()]
        connections.close_all()

        with open(scratch / "gunicorn.log", "w+") as log:
            server, port = start_gunicorn(env, args.workers, args.worker_timeout, log)
            load = [os.getloadavg()[0]]
            try:
                measured = []
                for name, path in named:
                    result = measure(
                        port, name, path, requests=args.requests, warmup=args.warmup, budget=args.budget
                    )
                    result.queries = len(in_process[name].queries)
                    result.sql_ms = in_process[name].sql_ms
                    measured.append(result)
                    errors += result.errors
                    print(f"  measured {name}: p50 {result.p50:,.0f} ms", flush=True)
                ratio_rows = []
                for name, path in ratios:
                    static = f"/{name.replace(' ', '-')}.html"
                    per_round = max(3, args.requests // args.ratio_rounds)
                    rates, sizes, ratio_errors = dynamic_vs_static(
                        port,
                        path,
                        static,
                        rounds=args.ratio_rounds,
                        per_round=per_round,
                        warmup=args.warmup * args.workers,
                    )
                    errors += ratio_errors
                    ratio_rows.append((name, path, rates, sizes))
                pids = worker_pids(server.pid)
                memory = {pid: memory_of(pid) for pid in pids}
                load.append(os.getloadavg()[0])
            finally:
                stop(server)
            log.seek(0)
            server_log = log.read()
        if "Traceback (most recent call last)" in server_log:
            first = server_log.index("Traceback (most recent call last)")
            errors.append("the server logged a traceback:\n" + server_log[first : first + 3000])
        if "WORKER TIMEOUT" in server_log:
            errors.append("a gunicorn worker timed out (--worker-timeout)")
    finally:
        connections.close_all()
        if args.drop:
            drop_database(admin, url)
        shutil.rmtree(scratch, ignore_errors=True)

    # -- report
    title = (
        f"Margins scale bench, size {args.size}: {info['documents']:,} documents, {info['claims']:,} claims, "
        f"{info['links']:,} links, {info['events']:,} events; {database_label}"
    )
    build_line = (
        f"build{' (reused; rates of the original build)' if reused else ''}: {info['seconds']:,.0f} s in all; "
        f"documents {info['documents'] / info['seconds_documents']:,.0f}/s "
        f"({info['seconds_documents']:,.1f} s), claims with their events and tags "
        f"{info['claims'] / info['seconds_claims']:,.0f}/s ({info['seconds_claims']:,.1f} s), "
        f"links and relations {info['seconds_links']:,.1f} s; "
        f"overall {info['documents'] / info['seconds']:,.0f} documents/s, {info['claims'] / info['seconds']:,.0f} claims/s"
    )
    server_line = (
        f"gunicorn, {args.workers} sync workers (production settings); one client; "
        f"{args.warmup} warm-up + up to {args.requests} measured requests per page (gzip accepted); "
        f"{os.cpu_count()} CPUs, load average {load[0]:.1f} when measuring began, {load[1]:.1f} at the end"
    )
    headers = ["page", "p50 ms", "p95 ms", "n", "HTML KiB", "gzip KiB", "queries", "SQL ms", "URL"]
    rows = [
        [
            m.name,
            f"{m.p50:,.0f}",
            f"{m.p95:,.0f}",
            len(m.samples),
            kib(m.html),
            kib(m.wire),
            m.queries,
            f"{m.sql_ms:,.0f}",
            m.path,
        ]
        for m in measured
    ]
    ratio_headers = ["page", "dynamic req/s", "static req/s", "static / dynamic", "bytes", "URL"]
    ratio_table = [
        [
            name,
            f"{rates['dynamic']:,.1f}",
            f"{rates['static']:,.1f}",
            f"{rates['static'] / rates['dynamic']:,.1f}x",
            f"{sizes['dynamic']:,}"
            + ("" if sizes["dynamic"] == sizes["static"] else f" / {sizes['static']:,}"),
            path,
        ]
        for name, path, rates, sizes in ratio_rows
    ]
    peak = max((hwm for hwm, _rss in memory.values()), default=0)
    memory_line = (
        "gunicorn workers' peak RSS (VmHWM): "
        + ", ".join(f"{hwm / 1024:,.0f} MiB (now {rss / 1024:,.0f})" for hwm, rss in memory.values())
        + f"; max {peak / 1024:,.0f} MiB"
    )

    for markdown in (False, True) if args.markdown else (False,):
        print()
        print(f"**{title}**" if markdown else title)
        print()
        print(build_line)
        print(server_line)
        print()
        print(table(rows, headers, markdown))
        print()
        slow = [m.name for m in measured if m.samples and max(m.samples) > GUNICORN_TIMEOUT]
        if slow:
            print(
                f"Over gunicorn's default {GUNICORN_TIMEOUT} s worker timeout (make serve), where the worker "
                f"would be killed and the visitor get no page: {', '.join(slow)}."
            )
            print()
        print(memory_line)
        print()
        print("Dynamic page vs the same bytes as a static file (whitenoise), same server, interleaved:")
        print()
        print(table(ratio_table, ratio_headers, markdown))
    for entry, sql, plan in plans:
        print()
        pages_ms = ", ".join(
            f"{page} {ms:,.1f} ms" for page, ms in zip(entry["pages"], entry["ms"], strict=True)
        )
        print(f"-- {pages_ms}")
        if args.markdown:
            print(f"```sql\n{sql}\n```\n```\n{plan}\n```")
        else:
            print(sql)
            print(plan)
    if errors:
        print()
        print(f"errors: {len(errors)}")
        for error in errors[:20]:
            print(f"  - {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

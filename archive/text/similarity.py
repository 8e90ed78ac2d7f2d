"""Suggested counterparts: where does another document say what a claim says?

Given a claim's quote from one document, ``suggest`` ranks the sentences (and
pairs of adjacent sentences) of another document's reading text by how much
of the quote's vocabulary they share. Reports paraphrase rather than copy, so
words are compared after light normalisation: case, possessives and common
English suffixes are folded ("defeated" ~ "defeat", "occupiers" ~
"occupation"), and a short list of names that news prose uses
interchangeably ("America", "the U.S.", "the United States") is folded to one
word. Each word counts by its rarity in the other document (TF-IDF), so
"Soleimani" outweighs "said". docs/similarity.md has the measurements behind
these choices.

Everything here is pure Python: no Django, no database, no model files.
Offsets are code points into the text given, as in ``archive.text.anchoring``.
"""

import functools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

__all__ = ["Index", "Span", "Suggestion", "analyze", "sentences", "suggest"]


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Suggestion:
    start: int
    end: int
    text: str
    score: float


# --- Sentence splitting ------------------------------------------------------

# Words whose trailing period does not end a sentence. Lower case, without the dot.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen lt col maj capt sgt adm cmdr brig gov sen rep rev hon st jr sr
    jan feb mar apr jun jul aug sep sept oct nov dec no nos vol vs etc approx est dept univ
    corp inc ltd co
    """.split()
)

# After an acronym such as "U.S." a sentence usually goes on ("U.S. forces").
# It ends there only when one of these typical sentence openers follows.
SENTENCE_OPENERS = frozenset(
    """
    The A An He She It They We I In On At But And However This That These Those There
    His Her Their Our Its Meanwhile Despite While After Before When If As Since
    """.split()
)

# A candidate boundary: terminal punctuation, any closing quotes or brackets,
# whitespace, then what may open a sentence (a capital, or an opening quote
# or bracket before one).
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]*[A-Z])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_NEXT_WORD = re.compile(r"\s+[\"'“‘(\[]*([A-Za-z]+)")
_ACRONYM = re.compile(r"(?:[A-Za-z]\.){2,}")
# A word is what stands between spaces, if it has a letter or digit: "12:26", "al-Assad".
_WORD = re.compile(r"[^\s\w]*\w\S*")
# Leading list markers are set aside along with whitespace.
_LEAD = re.compile(r"[\s•·*\-–—]+")
MIN_WORDS = 3


def _ends_sentence(text, line_start, match):
    """Is the period matched at ``match`` the end of a sentence?"""
    if text[match.start()] != "." or match.end() - match.start() > 1 and text[match.start() + 1] == ".":
        return True  # ! ? and ellipses are never abbreviations
    before = _WORD_BEFORE.search(text, line_start, match.start() + 1)
    if before is None:
        return True
    word = before.group(1)
    if word.lower().rstrip(".") in ABBREVIATIONS:
        return False
    if len(word) == 1 and word.isupper():
        return False  # an initial: "John F. Kennedy"
    if _ACRONYM.fullmatch(word + "."):
        following = _NEXT_WORD.match(text, match.end())
        return following is not None and following.group(1) in SENTENCE_OPENERS
    return True


def _trimmed(text, start, end):
    lead = _LEAD.match(text, start, end)
    if lead:
        start = lead.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentences(text: str) -> list[Span]:
    """The sentences of ``text`` as spans, so ``text[span.start:span.end]`` is the sentence.

    Line breaks always end a sentence (headlines, datelines and list items
    stand on their own lines). Spans of fewer than three words are dropped.
    """
    spans = []
    line_start = 0
    for line in text.splitlines(keepends=True):
        line_end = line_start + len(line)
        piece_start = line_start
        for match in _BOUNDARY.finditer(text, line_start, line_end):
            if _ends_sentence(text, line_start, match):
                spans.append(_trimmed(text, piece_start, match.end()))
                piece_start = match.end()
        spans.append(_trimmed(text, piece_start, line_end))
        line_start = line_end
    return [Span(start, end) for start, end in spans if len(_WORD.findall(text, start, end)) >= MIN_WORDS]


# --- Normalising words ---------------------------------------------------------

STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each even ever few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just let me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up upon
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves said says say stated according one ’s 's
    """.split()
)

# Names news prose uses interchangeably, folded before stemming. Kept short and
# general: a longer list tuned to the seed corpus would only measure itself.
_PHRASES = [
    (re.compile(r"\bunited states(?: of america)?\b|\bu\.s\.(?:a\.)?|\bamerica(?:ns?)?\b"), " usa "),
    (re.compile(r"\bunited kingdom\b|\bu\.k\.|\bbritain\b|\bbritish\b"), " uk "),
    (re.compile(r"\bunited nations\b|\bu\.n\."), " un "),
    (re.compile(r"\bzionists?\b|\bisraelis?\b"), " israel "),
    (re.compile(r"\biranians?\b"), " iran "),
    (re.compile(r"\bsyrians?\b"), " syria "),
    (re.compile(r"\biraqis?\b"), " iraq "),
    (re.compile(r"\bdaesh\b|\bisil\b"), " isis "),
]

# Word families where the suffix rules below cannot see the shared root.
_FAMILIES = {
    "avenge": "revenge",
    "avenged": "revenge",
    "vengeance": "revenge",
    "retaliate": "revenge",
    "retaliation": "revenge",
    "retaliatory": "revenge",
    "expulsion": "expel",
    "expelled": "expel",
    "expelling": "expel",
    "assassinate": "kill",
    "assassinated": "kill",
    "assassination": "kill",
    "assassinating": "kill",
    "killing": "kill",
    "killed": "kill",
    "slain": "kill",
    "young": "youth",
    "youths": "youth",
    "weak": "weaken",
    "weakness": "weaken",
    "weaker": "weaken",
    "weakened": "weaken",
    "strong": "strength",
    "stronger": "strength",
    "strengthen": "strength",
    "powerful": "power",
}

# Longest first. Each stem keeps at least three letters.
_SUFFIXES = (
    "ational",
    "ations",
    "ation",
    "ments",
    "ment",
    "ness",
    "ings",
    "ing",
    "ities",
    "ity",
    "ions",
    "ion",
    "ers",
    "er",
    "ies",
    "ied",
    "ed",
    "es",
    "ly",
    "s",
)

_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


@functools.lru_cache(maxsize=65536)
def _stem(word):
    # Cached: a long document repeats a few thousand words tens of thousands of times.
    # A family's base word goes through the same rules as the word itself, so that
    # "revenge" and "avenge" (or "power" and "powerful") meet at one stem.
    return _fold(_FAMILIES.get(word, word))


def _fold(word):
    word = re.sub(r"['’]s?$", "", word)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # bombed ~ bomb, occupied ~ occupy, planned ~ plan
            break
    # Truncation conflates what suffix rules miss ("occupy", "occupation").
    return word[:6]


# "US" in capitals is the country; lower-cased it would be the pronoun.
_US = re.compile(r"\bUSA?\b")


def analyze(text: str) -> list[str]:
    """The normalised content words of ``text``, in order (repeats kept)."""
    text = _US.sub(" usa ", text).lower()
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    return [_stem(word) for word in _TOKEN.findall(text) if word not in STOP_WORDS]


# --- Ranking -------------------------------------------------------------------


def _overlaps(start, end, spans):
    return any(start < s_end and s_start < end for s_start, s_end in spans)


def _as_pairs(exclude):
    pairs = []
    for item in exclude:
        if isinstance(item, tuple):
            pairs.append((item[0], item[1]))
        else:
            pairs.append((item.start, item.end))
    return pairs


class Index:
    """One document's sentences, ready to be compared with many quotes.

    Building it costs one pass over the text; keep it while suggesting for
    several claims against the same document.
    """

    def __init__(self, text: str, *, analyzer=analyze, pairs=True):
        self.text = text
        self.analyzer = analyzer
        self.spans = sentences(text)
        counts = [Counter(analyzer(text[s.start : s.end])) for s in self.spans]
        document_frequency = Counter(term for c in counts for term in c)
        n = len(counts)
        self._idf_default = math.log(n + 1) + 1  # a term the document never uses
        self.idf = {t: math.log((n + 1) / (df + 1)) + 1 for t, df in document_frequency.items()}
        self.vectors = []
        self.postings = defaultdict(list)
        for i, c in enumerate(counts):
            vector = {t: (1 + math.log(tf)) * self.idf[t] for t, tf in c.items()}
            self.vectors.append(vector)
            for term, weight in vector.items():
                self.postings[term].append((i, weight))
        self.norms = [math.sqrt(sum(w * w for w in v.values())) for v in self.vectors]
        # Adjacent sentences of one paragraph, for quotes that run across a
        # sentence end. The pair's norm is exact: |a+b|² = |a|² + |b|² + 2a·b.
        self.pair_norms = {}
        if pairs:
            for i in range(n - 1):
                between = text[self.spans[i].end : self.spans[i + 1].start]
                if "\n" in between:
                    continue
                a, b = self.vectors[i], self.vectors[i + 1]
                dot = sum(w * b[t] for t, w in a.items() if t in b)
                self.pair_norms[i] = math.sqrt(self.norms[i] ** 2 + self.norms[i + 1] ** 2 + 2 * dot)

    def _query(self, quote):
        counts = Counter(self.analyzer(quote))
        vector = {t: (1 + math.log(tf)) * self.idf.get(t, self._idf_default) for t, tf in counts.items()}
        return vector, math.sqrt(sum(w * w for w in vector.values()))

    def scores(self, quote):
        """Every candidate with a score above zero: ``[(score, start, end)]``, unordered."""
        query, query_norm = self._query(quote)
        if not query_norm:
            return []
        dots = defaultdict(float)
        for term, weight in query.items():
            for i, w in self.postings.get(term, ()):
                dots[i] += weight * w
        found = []
        for i, dot in dots.items():
            span = self.spans[i]
            found.append((dot / (query_norm * self.norms[i]), span.start, span.end))
        for i in {first for hit in dots for first in (hit - 1, hit)}:
            if i in self.pair_norms:
                dot = dots.get(i, 0.0) + dots.get(i + 1, 0.0)
                found.append(
                    (dot / (query_norm * self.pair_norms[i]), self.spans[i].start, self.spans[i + 1].end)
                )
        return found

    def suggest(self, quote: str, limit: int = 5, exclude=()) -> list[Suggestion]:
        """The ``limit`` best passages for ``quote``, best first, none overlapping another.

        ``exclude`` holds spans (``(start, end)`` tuples or objects with
        ``start`` and ``end``) already claimed: passages touching them are skipped.
        Scores are cosine similarities in [0, 1]; ties go to the earlier passage.
        """
        if limit <= 0 or not quote.strip():
            return []
        taken = _as_pairs(exclude)
        chosen = []
        for score, start, end in sorted(self.scores(quote), key=lambda c: (-c[0], c[1], c[2])):
            if _overlaps(start, end, taken):
                continue
            chosen.append(Suggestion(start, end, self.text[start:end], round(min(score, 1.0), 4)))
            taken.append((start, end))
            if len(chosen) == limit:
                break
        return chosen


def suggest(quote: str, text: str, *, limit: int = 5, exclude=()) -> list[Suggestion]:
    """Rank passages of ``text`` that may say what ``quote`` says. See ``Index.suggest``."""
    if limit <= 0 or not quote.strip():
        return []
    return Index(text).suggest(quote, limit=limit, exclude=exclude)

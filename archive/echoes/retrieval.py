"""Ranked echoes of a quote across the whole archive.

1. Candidates: the full-text engine finds passages holding any of the quote's
   ``QUERY_TERMS`` rarest terms (rarest by the archive-wide counts in
   ``PassageTerm``: common words would only make the engine score half the
   archive), best ``CANDIDATES`` by its own rank (FTS5 bm25, PostgreSQL ts_rank).
2. Lexical score: the project's TF-IDF cosine (``archive.text.similarity``'s
   weighting: 1 + log tf, idf = log((N + 1) / (df + 1)) + 1) with N and df
   counted over the whole archive's passages, not one document.
3. Meaning: where a candidate has an embedding from the installed model, its
   cosine with the query's embedding (the quote's whole sentence, where the
   quote is in a document: ``sentence_context``) is fused with the lexical
   score: each stretched to 0..1 over the candidates, ``FUSION_WEIGHT`` of
   meaning (chosen on bench/suggest.py's pairs, docs/echoes.md). The score shown
   is the raw blend (``BLEND``). Candidates without an embedding keep their
   lexical part only, and the caller is told how many passages still wait for
   the worker.

Overlapping passages of one document (a sentence and the pair holding it)
are reduced to the better one; the claim's own span and rejected passages are
left out. Bounded work: two or three queries and at most ``CANDIDATES`` rows.
"""

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection

from archive.echoes import index
from archive.echoes.models import Passage, PassageTerm

CANDIDATES = 200
# 16 rarest terms: on bench/suggest.py's 69 pairs, 8 found the true passage in the top 3 for
# 39 % (blended), 16 for 42 %; 32 terms or 1,000 candidates found no more.
QUERY_TERMS = 16
LIMIT = 10
# Share of the meaning (cosine) in the raw blended score, the figure shown beside each echo and
# the one the inbox's thresholds are calibrated on (archive/echoes/scanning.py): the rest is the
# lexical TF-IDF cosine. Chosen by bench/suggest.py's raw sweep over its 69 pairs (0.4: 25 % / 42 %).
BLEND = 0.4
# Postings the engine may score per request (the passages holding the chosen terms, counted by
# PassageTerm): what keeps a request's work bounded however large the archive grows.
POSTINGS = 10_000
# How the lexical and semantic scores are fused (``_fuse``): "raw" blends the two cosines as they
# are, "minmax" first stretches each over the candidates to 0..1, "rrf" blends reciprocal ranks.
#
# Chosen by bench/suggest.py's variants table (69 pairs, weights 0.1 to 0.9; each weight chosen on
# the earlier 30 pairs and measured on the 39 new, and the other way round): "minmax" with
# ``FUSION_WEIGHT`` 0.7 and the quote's sentence as the meaning's query (``sentence_context``) chose
# the same weight on either half and held out best: new 41 % / 54 % top-1 / top-3 at the weight
# chosen on the earlier 30, earlier 13 % / 43 % at the weight chosen on the new; all 69: 29 % / 49 %
# (raw blend 0.4 with the bare quote, as before: 25 % / 42 %; rrf: 30 % / 43 %, held out 36 / 49 and 20 / 33).
FUSION = "minmax"
FUSION_WEIGHT = 0.7
RRF_K = 60
# Passages found by meaning alone, added to the engine's candidates: the best ``SEMANTIC_CANDIDATES``
# by cosine among the embedded passages of the first ``SEMANTIC_DOCUMENTS`` documents of the engine's
# shortlist (at most ``SEMANTIC_ROWS`` passages read): bounded work whatever the archive's size, at the
# price of never reaching a document that shares none of the quote's rare words. Off: on the bench the
# engine's 200 candidates already hold nearly every passage of the seed's few documents, and 20 more
# by meaning changed nothing with raw fusion and lowered minmax (29 % / 46 % instead of 29 % / 49 %).
SEMANTIC_CANDIDATES = 0
# Characters either side of a quote searched for the rest of its sentence (``sentence_context``).
CONTEXT_CHARS = 600
SEMANTIC_DOCUMENTS = 20
SEMANTIC_ROWS = 5_000
PENDING_CAP = 10_000
FTS = "archive_passage_fts"
_PARAMS = 900


@dataclass
class Echo:
    passage: int
    document_id: int
    start: int
    end: int
    text: str
    lexical: float
    semantic: float | None = None
    score: float = 0.0
    # The key the list is ordered by: ``score`` itself for raw fusion, else the fused value (``FUSION``).
    order: float = 0.0
    document: object = field(default=None, repr=False)
    before: str = ""
    after: str = ""

    @property
    def text_sha256(self):
        return sha256(self.text)


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def frequencies(terms):
    """``{term: passages holding it}`` for ``terms``, and the number of passages (N)."""
    wanted = sorted(set(terms) | {index.ALL})
    found = {}
    for at in range(0, len(wanted), _PARAMS):
        found.update(
            PassageTerm.objects.filter(term__in=wanted[at : at + _PARAMS]).values_list("term", "passages")
        )
    total = found.pop(index.ALL, 0)
    return found, total


def _weights(counts, df, total):
    return {
        term: (1 + math.log(tf)) * (math.log((total + 1) / (df.get(term, 0) + 1)) + 1)
        for term, tf in counts.items()
    }


def _cosine(query, query_norm, vector):
    norm = math.sqrt(sum(w * w for w in vector.values()))
    if not norm or not query_norm:
        return 0.0
    return sum(w * vector.get(t, 0.0) for t, w in query.items()) / (query_norm * norm)


def _plan(usable, df):
    """Which terms the engine matches, and whether their postings must be cut.

    ``usable`` is rarest first. The engine scores every passage its query matches, so the
    query takes the rarest terms whose postings together stay within ``POSTINGS`` (their
    counts are known from ``PassageTerm``): a term held by thousands of passages adds little
    to a ranking but most of its cost. When even the rarest term is held by more passages than
    that, only its first ``POSTINGS`` passages are ranked (``capped``), by all the usable terms.
    Returns ``(terms, capped)``.
    """
    chosen, postings = [], 0
    for term in usable:
        postings += df[term]
        if postings > POSTINGS:
            break
        chosen.append(term)
    if chosen:
        return chosen, False
    return usable[:1], True


def _candidates(query_terms, *, capped=False, rank_terms=None, exclude_document=None):
    """Rows ``(pk, document, start, end, text, terms, embedding, model)`` the engine finds, best first.

    ``capped``: the passages holding ``query_terms[0]`` (the rarest) are too many to rank;
    the first ``POSTINGS`` of them are ranked by ``rank_terms``.
    """
    columns = 'p.id, p.document_id, p.start, p."end", p.text, p.terms, p.embedding, p.model_sha256'
    other, skip = ("AND p.document_id <> %s", [exclude_document]) if exclude_document else ("", [])
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            window, bound = "", []
            if capped:
                # FTS5 reads a term's postings in rowid order: the POSTINGS-th rowid bounds the
                # window, and the ranked query below reads only up to it.
                cursor.execute(
                    f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s ORDER BY rowid LIMIT 1 OFFSET %s",
                    [_fts_or(query_terms[:1]), POSTINGS - 1],
                )
                last = cursor.fetchone()
                if last is not None:
                    window, bound = "AND f.rowid <= %s", [last[0]]
                # Only passages holding the rarest term, scored by every usable term.
                match = f"{_fts_or(query_terms[:1])} AND ({_fts_or(rank_terms or query_terms)})"
            else:
                match = _fts_or(query_terms)
            sql = (
                f"SELECT {columns} FROM {FTS} f JOIN archive_passage p ON p.id = f.rowid "
                f"WHERE {FTS} MATCH %s {window} {other} ORDER BY f.rank LIMIT %s"
            )
            params = [match, *bound, *skip, CANDIDATES]
        elif capped:
            sql = (
                f"SELECT {columns} FROM (SELECT * FROM archive_passage p "
                f"WHERE p.search_vector @@ to_tsquery('simple', %s) {other} LIMIT %s) p, "
                f"to_tsquery('simple', %s) q ORDER BY ts_rank(p.search_vector, q) DESC, p.id LIMIT %s"
            )
            params = [query_terms[0], *skip, POSTINGS, " | ".join(rank_terms or query_terms), CANDIDATES]
        else:
            sql = (
                f"SELECT {columns} FROM archive_passage p, to_tsquery('simple', %s) q "
                f"WHERE p.search_vector @@ q {other} ORDER BY ts_rank(p.search_vector, q) DESC, p.id LIMIT %s"
            )
            params = [" | ".join(query_terms), *skip, CANDIDATES]
        cursor.execute(sql, params)
        return cursor.fetchall()


def _fts_or(terms):
    return " OR ".join(f'"{term}"' for term in terms)


def sentence_context(text, start, end):
    """The sentence(s) of ``text`` holding ``text[start:end]``: what the meaning's query encodes.

    A claim's quote is often a clause ("drawing a parallel to Iraqi militias …"); its whole
    sentence tells the sentence model what it is about (bench/suggest.py: the new pairs' top-1 by
    the blend rose from 28 % to 41 % with it, the earlier 30's held at 13 %). Only a window around
    the quote is split, so the work does not grow with the document.
    """
    from archive.text import similarity

    low = max(0, start - CONTEXT_CHARS)
    window = text[low : min(len(text), end + CONTEXT_CHARS)]
    spans = [s for s in similarity.sentences(window) if s.start < end - low and start - low < s.end]
    if not spans:
        return text[start:end]
    return text[min(start, low + spans[0].start) : max(end, low + spans[-1].end)]


def _semantic_rows(rows, query_vector, model_sha256, k, *, exclude_document=None):
    """Rows (as ``_candidates``) of the ``k`` passages nearest ``query_vector`` by cosine among the
    documents of ``rows`` (the first ``SEMANTIC_DOCUMENTS``), not already in ``rows``."""
    documents = list(dict.fromkeys(row[1] for row in rows if row[1] != exclude_document))[:SEMANTIC_DOCUMENTS]
    if not documents or k <= 0:
        return []
    import numpy

    from archive.text import embedding

    known = {row[0] for row in rows}
    found = [
        row
        for row in Passage.objects.filter(document__in=documents, model_sha256=model_sha256)
        .exclude(embedding__isnull=True)
        .order_by("document", "start", "end")
        .values_list("pk", "document_id", "start", "end", "text", "terms", "embedding", "model_sha256")[
            :SEMANTIC_ROWS
        ]
        if row[0] not in known
    ]
    if not found:
        return []
    matrix = numpy.stack([embedding.unpack(bytes(row[6])) for row in found])
    cosines = embedding.similarities(query_vector, matrix)
    best = numpy.argsort(-cosines, kind="stable")[:k]
    return [found[i] for i in best]


def _rejected(echo, rejected):
    """Whether ``echo`` is, or holds, a passage rejected in its document (a pair, one of whose
    sentences was rejected)."""
    texts = rejected.get(echo.document_id) if rejected else None
    return bool(texts) and (echo.text_sha256 in texts or any(text in echo.text for text in texts.values()))


def _overlaps(a, b):
    return a.document_id == b.document_id and a.start < b.end and b.start < a.end


def find(
    quote,
    *,
    exclude=None,
    rejected=None,
    limit=LIMIT,
    query_vector=None,
    model_sha256=None,
    blend=None,
    fusion=None,
    semantic_candidates=None,
):
    """The ``limit`` best echoes of ``quote``, best first.

    ``exclude``: ``(document_id, start, end)`` of the quote's own place. Its whole
    document is left out, in the engine's query: the question is where *else* it was
    said, and on the bench's pairs (bench/suggest.py) the quote's neighbours in its own
    document, sharing its subject's words, took most first places when only the span
    was left out. ``rejected``: ``{document_id: {text_sha256: text}}`` of the
    passages an analyst ruled out (a passage holding one of them is left out too).
    ``query_vector``: the quote's embedding, when the model is installed; only passages
    embedded by ``model_sha256`` are blended, fused as ``fusion`` says (default ``FUSION``) with
    ``blend`` the share of meaning (default ``BLEND`` for "raw", else ``FUSION_WEIGHT``; the score
    shown stays the raw blend at ``BLEND``), and ``semantic_candidates`` (default
    ``SEMANTIC_CANDIDATES``) passages found by meaning alone join the engine's candidates.
    """
    quote_terms = index.terms(quote)
    if not quote_terms or limit <= 0:
        return []
    counts = Counter(quote_terms)
    df, total = frequencies(counts)
    # Rarest first; a term no passage holds cannot find anything.
    usable = sorted((t for t in counts if df.get(t)), key=lambda t: (df[t], t))[:QUERY_TERMS]
    if not usable:
        return []
    chosen, capped = _plan(usable, df)
    rows = _candidates(
        chosen, capped=capped, rank_terms=usable, exclude_document=exclude[0] if exclude else None
    )
    extra = SEMANTIC_CANDIDATES if semantic_candidates is None else semantic_candidates
    if query_vector is not None and extra:
        rows += _semantic_rows(
            rows, query_vector, model_sha256, extra, exclude_document=exclude[0] if exclude else None
        )
    candidate_terms = {t for row in rows for t in row[5].split()}
    df_all, total = frequencies(candidate_terms | set(counts))
    query = _weights(counts, df_all, total)
    query_norm = math.sqrt(sum(w * w for w in query.values()))
    echoes, embedded = [], []
    for pk, document_id, start, end, text, terms, embedding, model in rows:
        echo = Echo(
            pk,
            document_id,
            start,
            end,
            text,
            _cosine(query, query_norm, _weights(Counter(terms.split()), df_all, total)),
        )
        if _rejected(echo, rejected):
            continue
        echo.score = echo.order = echo.lexical
        if query_vector is not None and embedding is not None and model == model_sha256:
            embedded.append((echo, bytes(embedding)))
        echoes.append(echo)
    if embedded:
        fusion = FUSION if fusion is None else fusion
        weight = blend if blend is not None else BLEND if fusion == "raw" else FUSION_WEIGHT
        _blend(embedded, query_vector, weight if fusion == "raw" else BLEND)
        _fuse(echoes, fusion, weight)
    echoes.sort(key=lambda e: (-e.order, e.document_id, e.start))
    chosen = []
    for echo in echoes:
        if any(_overlaps(echo, other) for other in chosen):
            continue
        chosen.append(echo)
        if len(chosen) == limit:
            break
    return chosen


def _blend(embedded, query_vector, weight=None):
    from archive.text import embedding

    weight = BLEND if weight is None else weight
    import numpy

    matrix = numpy.stack([embedding.unpack(blob) for _echo, blob in embedded])
    cosines = embedding.similarities(query_vector, matrix)
    for (echo, _blob), cosine in zip(embedded, cosines, strict=True):
        echo.semantic = float(cosine)
        echo.score = echo.order = (1 - weight) * echo.lexical + weight * max(echo.semantic, 0.0)


def _ranks(values):
    """``{index: rank}`` (1 = best) of ``values``; ties share the better rank."""
    ranks, previous = {}, None
    for position, (i, value) in enumerate(sorted(enumerate(values), key=lambda item: -item[1]), 1):
        if value != previous:
            rank, previous = position, value
        ranks[i] = rank
    return ranks


def _fuse(echoes, fusion, weight):
    """Set each echo's ``order`` from its lexical and semantic scores (``score`` stays the raw blend,
    the figure shown). A candidate without an embedding has only its lexical part."""
    if fusion == "raw" or not echoes:
        return
    lexical = [e.lexical for e in echoes]
    semantic = {i: e.semantic for i, e in enumerate(echoes) if e.semantic is not None}
    if fusion == "minmax":
        low, high = min(lexical), max(lexical)
        s_low, s_high = min(semantic.values(), default=0.0), max(semantic.values(), default=0.0)
        for i, echo in enumerate(echoes):
            part = (echo.lexical - low) / (high - low) if high > low else 0.0
            echo.order = (1 - weight) * part
            if i in semantic:
                echo.order += weight * ((semantic[i] - s_low) / (s_high - s_low) if s_high > s_low else 0.0)
    elif fusion == "rrf":
        lexical_rank = _ranks(lexical)
        order = list(semantic)
        semantic_rank = {order[j]: r for j, r in _ranks([semantic[i] for i in order]).items()}
        for i, echo in enumerate(echoes):
            echo.order = (1 - weight) / (RRF_K + lexical_rank[i])
            if i in semantic_rank:
                echo.order += weight / (RRF_K + semantic_rank[i])
    else:
        raise ValueError(f"unknown fusion {fusion!r}: raw, minmax or rrf")


def pending_passages():
    """How many passages still wait for their embedding (counted up to ``PENDING_CAP`` + 1)."""
    return Passage.objects.filter(embedding__isnull=True).values("pk")[: PENDING_CAP + 1].count()

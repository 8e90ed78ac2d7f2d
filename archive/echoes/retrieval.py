"""Ranked echoes of a quote across the whole archive.

1. Candidates: the full-text engine finds passages holding any of the quote's
   ``QUERY_TERMS`` rarest terms (rarest by the archive-wide counts in
   ``PassageTerm``: common words would only make the engine score half the
   archive), best ``CANDIDATES`` by its own rank (FTS5 bm25, PostgreSQL ts_rank).
2. Lexical score: the project's TF-IDF cosine (``archive.text.similarity``'s
   weighting: 1 + log tf, idf = log((N + 1) / (df + 1)) + 1) with N and df
   counted over the whole archive's passages, not one document.
3. Meaning: where a candidate has an embedding from the installed model, its
   cosine with the quote's embedding is blended in, ``BLEND`` of the score
   (chosen on bench/suggest.py's pairs, docs/echoes.md). Candidates without
   one keep their lexical score, and the caller is told how many passages
   still wait for the worker.

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
# Share of the meaning (cosine) in a blended score; the rest is the lexical TF-IDF cosine.
# Chosen by bench/suggest.py's sweep (0 to 1 by 0.1) over its 69 pairs, archive-wide: 0.4 has the
# best top-1 + top-3 (25 % / 42 %; lexical alone 13 % / 29 %, 0.5 25 % / 39 %, cosine alone 20 % / 38 %).
BLEND = 0.4
# Postings the engine may score per request (the passages holding the chosen terms, counted by
# PassageTerm): what keeps a request's work bounded however large the archive grows.
POSTINGS = 10_000
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


def _rejected(echo, rejected):
    """Whether ``echo`` is, or holds, a passage rejected in its document (a pair, one of whose
    sentences was rejected)."""
    texts = rejected.get(echo.document_id) if rejected else None
    return bool(texts) and (echo.text_sha256 in texts or any(text in echo.text for text in texts.values()))


def _overlaps(a, b):
    return a.document_id == b.document_id and a.start < b.end and b.start < a.end


def find(
    quote, *, exclude=None, rejected=None, limit=LIMIT, query_vector=None, model_sha256=None, blend=None
):
    """The ``limit`` best echoes of ``quote``, best first.

    ``exclude``: ``(document_id, start, end)`` of the quote's own place. Its whole
    document is left out, in the engine's query: the question is where *else* it was
    said, and on the bench's pairs (bench/suggest.py) the quote's neighbours in its own
    document, sharing its subject's words, took most first places when only the span
    was left out. ``rejected``: ``{document_id: {text_sha256: text}}`` of the
    passages an analyst ruled out (a passage holding one of them is left out too).
    ``query_vector``: the quote's embedding, when the model is installed; only passages
    embedded by ``model_sha256`` are blended, with ``blend`` (default ``BLEND``) the share of meaning.
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
        echo.score = echo.lexical
        if query_vector is not None and embedding is not None and model == model_sha256:
            embedded.append((echo, bytes(embedding)))
        echoes.append(echo)
    if embedded:
        _blend(embedded, query_vector, blend)
    echoes.sort(key=lambda e: (-e.score, e.document_id, e.start))
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
        echo.score = (1 - weight) * echo.lexical + weight * max(echo.semantic, 0.0)


def pending_passages():
    """How many passages still wait for their embedding (counted up to ``PENDING_CAP`` + 1)."""
    return Passage.objects.filter(embedding__isnull=True).values("pk")[: PENDING_CAP + 1].count()

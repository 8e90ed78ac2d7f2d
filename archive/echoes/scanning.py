"""Looking for echoes of the archive's published claims in one (newly imported or corrected) document.

Each published claim elsewhere is compared with the document's passages by
the lexical score (TF-IDF with archive-wide rarity, as in ``retrieval``);
the best ``SHORTLIST`` pairs above ``LEXICAL_FLOOR`` are then re-scored with
meaning where the document's passages are embedded (the claims' quotes are
encoded for the shortlist only), and those at or above ``THRESHOLD`` are filed
in the inbox (``services.echoes.file_candidates``). Claims are read in pages of
``PAGE`` by pk, so memory stays bounded however large the archive grows.
"""

import math
from collections import Counter, defaultdict

from django.db import transaction

from archive.echoes import index, meaning, retrieval
from archive.echoes.models import EchoRejection, EchoScan, Passage
from archive.models import Claim, Document

PAGE = 500
SHORTLIST = 200
LEXICAL_FLOOR = 0.2
# Filed when the score reaches this: blended where the passage is embedded, shared words alone
# otherwise (whose scores run lower for the same echo). Calibrated on bench/suggest.py's 69 pairs
# (its "Inbox threshold" lines): the lowest threshold at which at least 40 % of the passages filed
# are the true ones. Blended 0.35: 11 true, 14 others (0.30: 16 / 26); words only 0.30: 7 / 5
# (0.25: 8 / 13). "Others" are often echoes too, only not the pair's labelled one.
THRESHOLD = 0.35
LEXICAL_THRESHOLD = 0.30


def _matches(document_id, passages, postings, norms, df, total):
    """Yield ``(lexical score, claim, passage index)``: each published claim's best passage here."""
    after = 0
    while True:
        claims = list(
            Claim.objects.published()
            .exclude(document=document_id)
            .filter(pk__gt=after, orphaned=False)
            .order_by("pk")
            .only("pk", "quote", "document")[:PAGE]
        )
        if not claims:
            return
        after = claims[-1].pk
        quotes = {claim.pk: Counter(index.terms(claim.quote)) for claim in claims}
        missing = {t for counts in quotes.values() for t in counts} - df.keys()
        if missing:
            found, _total = retrieval.frequencies(missing)
            df.update({t: found.get(t, 0) for t in missing})
        for claim in claims:
            query = retrieval._weights(quotes[claim.pk], df, total)
            query_norm = math.sqrt(sum(w * w for w in query.values()))
            dots = defaultdict(float)
            for term, weight in query.items():
                for i, w in postings.get(term, ()):
                    dots[i] += weight * w
            if not dots or not query_norm:
                continue
            i, dot = max(dots.items(), key=lambda item: (item[1] / norms[item[0]], -item[0]))
            yield dot / (query_norm * norms[i]), claim, i


def scan_document(document_id):
    """File the echoes of published claims found in ``document_id``'s current text. Returns how many."""
    document = Document.objects.filter(pk=document_id).only("pk", "version").first()
    if document is None:
        return 0
    passages = list(
        Passage.objects.filter(document=document_id, version=document.version)
        .order_by("start", "end")
        .values_list("pk", "start", "end", "text", "terms", "embedding", "model_sha256")
    )
    found = []
    if passages:
        counts = [Counter(row[4].split()) for row in passages]
        df, total = retrieval.frequencies({t for c in counts for t in c})
        postings, norms = defaultdict(list), []
        for i, c in enumerate(counts):
            vector = retrieval._weights(c, df, total)
            norms.append(math.sqrt(sum(w * w for w in vector.values())) or 1.0)
            for term, weight in vector.items():
                postings[term].append((i, weight))
        shortlist = sorted(
            (m for m in _matches(document_id, passages, postings, norms, df, total) if m[0] >= LEXICAL_FLOOR),
            key=lambda m: (-m[0], m[1].pk),
        )[:SHORTLIST]
        found = _scored(shortlist, passages)
    rejected = set(
        EchoRejection.objects.filter(
            document=document_id, claim__in=[claim.pk for _s, claim, _row, _sem in found]
        ).values_list("claim", "text_sha256")
    )
    found = [item for item in found if (item[1].pk, retrieval.sha256(item[2][3])) not in rejected]
    from archive.services import echoes as echo_service

    with transaction.atomic():
        filed = echo_service.file_candidates(document_id, found)
        EchoScan.objects.update_or_create(document_id=document_id, defaults={"version": document.version})
    return filed


def _scored(shortlist, passages):
    """``[(score, claim, passage row, semantic?)]`` at or above ``THRESHOLD``."""
    model = meaning.model_sha256()
    encoder = meaning.encoder() if shortlist and meaning.available() else None
    embedded = [m for m in shortlist if passages[m[2]][5] is not None and passages[m[2]][6] == model]
    semantic = {}
    if encoder is not None and embedded:
        from archive.text import embedding

        vectors = encoder.encode([claim.quote for _s, claim, _i in embedded])
        for (lexical, claim, i), vector in zip(embedded, vectors, strict=True):
            cosine = float(
                embedding.similarities(vector, embedding.unpack(bytes(passages[i][5]))[None, :])[0]
            )
            semantic[(claim.pk, i)] = (1 - retrieval.BLEND) * lexical + retrieval.BLEND * max(cosine, 0.0)
    found = []
    for lexical, claim, i in shortlist:
        score = semantic.get((claim.pk, i), lexical)
        if score >= (THRESHOLD if (claim.pk, i) in semantic else LEXICAL_THRESHOLD):
            found.append((score, claim, passages[i], (claim.pk, i) in semantic))
    return found

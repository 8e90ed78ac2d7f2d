"""Search results on the document list: where each document matched."""

from django import template

register = template.Library()

CLAIMS_SHOWN = 3


@register.inclusion_tag("archive/_search_hits.html")
def search_hits(document):
    """The snippet of the document's own text and its best matching claims
    (``document.search_hits``, prefetched by ``archive.search.search_documents``)."""
    hits = getattr(document, "search_hits", None) or []
    text = next((hit for hit in hits if hit.claim_id is None), None)
    claims = [hit for hit in hits if hit.claim_id is not None]
    return {
        "language": document.language,
        "text_hit": text,
        "claim_hits": claims[:CLAIMS_SHOWN],
        "more_claims": max(len(claims) - CLAIMS_SHOWN, 0),
    }

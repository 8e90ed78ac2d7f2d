"""A claim as schema.org ``ClaimReview`` JSON-LD, for the claim page's data block.

https://schema.org/ClaimReview: the review is the archive's record of the
claim (its page, its status); ``itemReviewed`` is the ``Claim`` itself, said by
the claimant (``author``) and appearing in the document (``appearance``).

The claim's status becomes the review's rating on a 1–4 scale, worst first:

====================  ===========  ==================================================
status                ratingValue  why there
====================  ===========  ==================================================
``refuted``           1            shown false by the evidence the analysts hold
``disputed``          2            contested with evidence, not settled
``unverified``        3            no verdict yet: neither supported nor contested
``corroborated``      4            confirmed by independent sources (the best verdict
                                   the archive gives; it never says "proven")
====================  ===========  ==================================================

``alternateName`` is the status as the site shows it. A document's date is
given only as precisely as it is known ("2024", "2024-12", "2024-12-11" or
a time, without an offset when the source did not state its zone), and left
out when unknown.
"""

import dataclasses
import datetime
import json

WORST_RATING, BEST_RATING = 1, 4
RATINGS = {
    "refuted": 1,
    "disputed": 2,
    "unverified": 3,
    "corroborated": 4,
}
EXPLANATIONS = {
    "refuted": "Shown false by the evidence the archive's analysts hold.",
    "disputed": "Contested with evidence; not settled.",
    "unverified": "Not yet verified: neither supported nor contested by the evidence held.",
    "corroborated": "Confirmed by independent sources.",
}


@dataclasses.dataclass(frozen=True)
class Review:
    url: str  # the claim's page
    quote: str
    status: str
    status_label: str
    created: datetime.datetime
    modified: datetime.datetime
    document_title: str
    document_url: str  # the archive's copy
    document_language: str
    original_url: str = ""
    archived_url: str = ""
    document_published: str = ""  # ISO 8601 at its known precision; "" when unknown
    publisher: str = ""
    claimant_name: str = ""
    claimant_url: str = ""


def _date(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).date().isoformat()


def claim_review(review: Review, *, archive_name: str, archive_url: str) -> dict:
    appearance = {
        "@type": "CreativeWork",
        # The page where the claim was published when known, else the archive's copy.
        "url": review.original_url or review.document_url,
        "headline": review.document_title,
        "inLanguage": review.document_language,
        "archivedAt": [url for url in (review.document_url, review.archived_url) if url],
    }
    if review.document_published:
        appearance["datePublished"] = review.document_published
    if review.publisher:
        appearance["publisher"] = {"@type": "Organization", "name": review.publisher}
    claim = {"@type": "Claim", "appearance": appearance}
    if review.claimant_name:
        claim["author"] = {"@type": "Person", "name": review.claimant_name, "url": review.claimant_url}
    if review.document_published:
        claim["datePublished"] = review.document_published
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": review.url,
        "claimReviewed": review.quote,
        "datePublished": _date(review.created),
        "dateModified": _date(review.modified),
        "author": {"@type": "Organization", "name": archive_name, "url": archive_url},
        "itemReviewed": claim,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATINGS[review.status],
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": review.status_label,
            "ratingExplanation": EXPLANATIONS[review.status],
        },
    }


# What ``django.utils.html.json_script`` escapes, for the same reason: inside a
# <script> element only "</script>" (or "<!--") could end the data block early.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script_json(data) -> str:
    """``data`` as JSON that is safe between ``<script type="application/ld+json">`` tags."""
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)

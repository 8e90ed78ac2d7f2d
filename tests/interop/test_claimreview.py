"""schema.org ClaimReview from plain values, and the data block it is written into."""

import datetime
import json

import pytest

from archive.interop import claimreview
from archive.models import Claim

WHEN = datetime.datetime(2025, 1, 2, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))


def review(**fields):
    values = {
        "url": "https://margins.example/claims/7/",
        "quote": "ستحرر على أيدي الشباب السوري",
        "status": "disputed",
        "status_label": "Disputed",
        "created": WHEN,
        "modified": WHEN + datetime.timedelta(days=3),
        "document_title": "Speech on Syria",
        "document_url": "https://margins.example/documents/speech/",
        "document_language": "ar",
        "original_url": "https://example.org/speech",
        "archived_url": "https://web.archive.org/web/2025/https://example.org/speech",
        "document_published": "2024-12",
        "publisher": "Leader's Office",
        "claimant_name": "Ali Khamenei",
        "claimant_url": "https://margins.example/people/ali-khamenei/",
    }
    values.update(fields)
    return claimreview.claim_review(
        claimreview.Review(**values), archive_name="Margins", archive_url="https://margins.example/"
    )


def test_every_status_a_claim_can_have_has_a_rating_inside_the_scale():
    assert set(claimreview.RATINGS) == set(Claim.Status.values) == set(claimreview.EXPLANATIONS)
    for value in claimreview.RATINGS.values():
        assert claimreview.WORST_RATING <= value <= claimreview.BEST_RATING


def test_ratings_run_from_refuted_to_corroborated():
    order = ["refuted", "disputed", "unverified", "corroborated"]
    assert [claimreview.RATINGS[status] for status in order] == [1, 2, 3, 4]


def test_a_claim_review_names_the_claim_its_claimant_the_document_and_the_archive():
    data = review()
    assert (data["@context"], data["@type"]) == ("https://schema.org", "ClaimReview")
    assert data["claimReviewed"] == "ستحرر على أيدي الشباب السوري"
    assert data["author"] == {"@type": "Organization", "name": "Margins", "url": "https://margins.example/"}
    # The review's dates are UTC days: 23:30 at UTC-5 is already the next day.
    assert (data["datePublished"], data["dateModified"]) == ("2025-01-03", "2025-01-06")
    claim = data["itemReviewed"]
    assert claim["author"] == {
        "@type": "Person",
        "name": "Ali Khamenei",
        "url": "https://margins.example/people/ali-khamenei/",
    }
    assert claim["appearance"] == {
        "@type": "CreativeWork",
        "url": "https://example.org/speech",
        "headline": "Speech on Syria",
        "inLanguage": "ar",
        "archivedAt": [
            "https://margins.example/documents/speech/",
            "https://web.archive.org/web/2025/https://example.org/speech",
        ],
        "datePublished": "2024-12",
        "publisher": {"@type": "Organization", "name": "Leader's Office"},
    }
    assert data["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 2,
        "bestRating": 4,
        "worstRating": 1,
        "alternateName": "Disputed",
        "ratingExplanation": claimreview.EXPLANATIONS["disputed"],
    }


def test_an_unknown_date_an_unknown_claimant_and_no_original_address_are_left_out_not_invented():
    data = review(document_published="", claimant_name="", claimant_url="", original_url="", publisher="")
    claim = data["itemReviewed"]
    assert "author" not in claim and "datePublished" not in claim
    assert claim["appearance"]["url"] == "https://margins.example/documents/speech/"
    assert not {"datePublished", "publisher"} & set(claim["appearance"])


@pytest.mark.parametrize("status", sorted(claimreview.RATINGS))
def test_each_status_gives_its_rating(status):
    assert review(status=status)["reviewRating"]["ratingValue"] == claimreview.RATINGS[status]


def test_the_data_block_json_cannot_close_its_script_element():
    data = {"claimReviewed": "</script><script>alert(1)</script> & <!-- سوریه"}
    text = claimreview.script_json(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert "سوریه" in text  # not escaped to \\u sequences: readable
    assert json.loads(text) == data

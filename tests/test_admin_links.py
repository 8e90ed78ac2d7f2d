"""Analysts link claims across documents inline on a claim's admin page."""

import pytest

from archive.models import ClaimLink
from tests.factories import admin_claim_post, make_claim, make_document
from tests.test_admin import change_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims():
    speech = make_document("The territories will be liberated by the brave youth. More text follows.")
    report = make_document("He asserted that the youth would drive out the occupiers. Other news.")
    return (
        make_claim(speech, "The territories will be liberated by the brave youth."),
        make_claim(report, "the youth would drive out the occupiers"),
        make_claim(report, "Other news."),
    )


def post_link(client, claim, to_claim, relation="paraphrases", note=""):
    data = admin_claim_post(claim.document, claim.quote)
    data.update(
        {
            "links_out-TOTAL_FORMS": "1",
            "links_out-INITIAL_FORMS": "0",
            "links_out-0-relation": relation,
            "links_out-0-to_claim": to_claim.pk,
            "links_out-0-note": note,
        }
    )
    return client.post(change_url(claim), data)


def test_analyst_links_a_claim_inline_and_is_recorded_as_its_author(analyst, analyst_user, claims):
    speech_claim, report_claim, _ = claims
    response = post_link(analyst, report_claim, speech_claim, note="Same theme, reworded.")
    assert response.status_code == 302
    link = ClaimLink.objects.get()
    assert (link.from_claim, link.to_claim, link.relation) == (report_claim, speech_claim, "paraphrases")
    assert link.created_by == analyst_user and link.note == "Same theme, reworded."


def test_linking_two_claims_of_the_same_document_is_refused_inline(analyst, claims):
    _, report_claim, other = claims
    response = post_link(analyst, report_claim, other)
    assert response.status_code == 200
    assert "Link claims in different documents" in response.content.decode()
    assert not ClaimLink.objects.exists()


def test_a_duplicate_link_in_either_direction_is_refused_inline(analyst, claims):
    speech_claim, report_claim, _ = claims
    ClaimLink.objects.create(from_claim=speech_claim, to_claim=report_claim, relation="paraphrases")
    response = post_link(analyst, report_claim, speech_claim)
    assert response.status_code == 200
    assert "already linked with this relation" in response.content.decode()
    assert ClaimLink.objects.count() == 1


def test_claim_page_in_the_admin_lists_its_links(analyst, claims):
    speech_claim, report_claim, _ = claims
    ClaimLink.objects.create(from_claim=report_claim, to_claim=speech_claim, relation="reports")
    page = analyst.get(change_url(report_claim)).content.decode()
    assert "links to claims in other documents" in page.lower()
    assert 'name="links_out-0-relation"' in page

"""Where else was this said? on claim pages and passages, the echo inbox, decisions, first appearance."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from archive.echoes import scanning
from archive.echoes.models import EchoCandidate, EchoRejection
from archive.models import Claim, ClaimLink, Visibility
from tests.factories import make_claim, make_document

SPEECH = (
    "The commander said the occupiers will be expelled from the whole region soon.\n\n"
    "Markets were calm on Tuesday. Weather stayed mild across the capital."
)
REPORT = (
    "In a fiery address, he vowed that the occupiers would be expelled from the region by force.\n"
    "Separately, the football season opened with three draws."
)
QUOTE = "the occupiers will be expelled from the whole region soon"


@pytest.fixture
def speech_claim(db, khamenei):
    speech = make_document(SPEECH, title="The speech", slug="speech")
    return make_claim(speech, QUOTE, claimant=khamenei)


@pytest.fixture
def report(db):
    return make_document(REPORT, title="The report", slug="report")


def _echo_form(claim, document, decision, **fields):
    start = document.text.index("he vowed")
    end = document.text.index("by force.") + len("by force.")
    return {"decision": decision, "document": document.slug, "start": start, "end": end, **fields}


def test_an_analyst_sees_echoes_from_other_documents_with_their_context_and_a_notice_while_unembedded(
    analyst, speech_claim, report
):
    page = analyst.get(speech_claim.get_absolute_url()).content.decode()
    assert "Where else was this said?" in page
    assert "The report" in page
    assert "would be expelled from the region by force" in page
    assert "Meaning-based matching is still being prepared for" in page
    assert "these results use shared words only" in page or "use shared words only" in page
    # Each echo carries its own decision form, its fields labelled.
    assert f'action="/claims/{speech_claim.pk}/echoes/"' in page
    assert '<label for="echo-rel-1">' in page and 'id="echo-rel-1"' in page


def test_readers_never_see_echoes_nor_the_inbox(reader, outsider, speech_claim, report):
    for client in (reader, outsider):
        page = client.get(speech_claim.get_absolute_url()).content.decode()
        assert "Where else was this said?" not in page
        assert client.get(reverse("archive:echo_inbox")).status_code == 403
        assert (
            client.get(reverse("archive:passage_echoes", args=["report"]), {"quote": QUOTE}).status_code
            == 403
        )


def test_an_echo_in_a_draft_document_is_shown_to_analysts_only(analyst, reader, speech_claim, report):
    make_document(
        "Leaked draft: the occupiers will be expelled from the whole region soon, insiders say.",
        slug="secret",
        title="Secret draft",
        visibility=Visibility.DRAFT,
    )
    assert "Secret draft" in analyst.get(speech_claim.get_absolute_url()).content.decode()
    assert "Secret draft" not in reader.get(speech_claim.get_absolute_url()).content.decode()


def test_a_rejected_passage_is_never_suggested_again_for_that_claim(analyst, speech_claim, report):
    response = analyst.post(
        reverse("archive:echo_decide", args=[speech_claim.pk]), _echo_form(speech_claim, report, "reject")
    )
    assert response.status_code == 302
    assert EchoRejection.objects.filter(claim=speech_claim, document=report).count() == 1
    page = analyst.get(speech_claim.get_absolute_url()).content.decode()
    assert "by force" not in page
    assert not ClaimLink.objects.exists()


def test_accepting_links_a_new_claim_that_never_takes_the_other_claims_claimant(
    analyst, speech_claim, report
):
    form = _echo_form(speech_claim, report, "accept", relation="reports", claimant="")
    analyst.post(reverse("archive:echo_decide", args=[speech_claim.pk]), form)
    echo = Claim.objects.get(document=report)
    assert echo.claimant is None
    assert echo.visibility == Visibility.DRAFT
    link = ClaimLink.objects.get()
    assert (link.from_claim, link.to_claim, link.relation) == (echo, speech_claim, "reports")
    assert echo.events.filter(action="created").exists() and echo.events.filter(action="linked").exists()


def test_accepting_attributes_the_new_claim_to_whom_the_analyst_names(analyst, speech_claim, report, db):
    from tests.factories import make_person

    make_person(name="Hossein Salami", slug="hossein-salami")
    form = _echo_form(speech_claim, report, "accept", relation="paraphrases", claimant="hossein salami")
    analyst.post(reverse("archive:echo_decide", args=[speech_claim.pk]), form)
    assert Claim.objects.get(document=report).claimant.name == "Hossein Salami"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"relation": ""}, "Choose how the passage relates to the claim."),
        ({"claimant": "Nobody Known"}, "No person is called"),
        ({"start": 5, "end": 5}, "its end must come after its start"),
        ({"end": 10**8}, "no longer in the document"),
    ],
)
def test_a_bad_decision_changes_nothing_and_says_why(analyst, speech_claim, report, changes, message):
    form = {**_echo_form(speech_claim, report, "accept", relation="reports"), **changes}
    response = analyst.post(reverse("archive:echo_decide", args=[speech_claim.pk]), form, follow=True)
    assert message in response.content.decode()
    assert not ClaimLink.objects.exists()
    assert Claim.objects.count() == 1


def test_a_passage_of_the_reader_can_be_looked_for_elsewhere(analyst, speech_claim, report):
    response = analyst.get(reverse("archive:passage_echoes", args=["speech"]), {"quote": QUOTE})
    page = response.content.decode()
    assert response.status_code == 200
    assert "The report" in page
    assert "Where else was this said?" in analyst.get("/documents/speech/").content.decode()


def test_the_worker_files_echoes_of_published_claims_in_a_new_document_and_the_inbox_lists_them(
    analyst, speech_claim, report
):
    assert scanning.scan_document(report.pk) == 1
    candidate = EchoCandidate.objects.get()
    assert candidate.claim == speech_claim and "he vowed" in candidate.text
    assert scanning.scan_document(report.pk) == 0  # filed once
    page = analyst.get(reverse("archive:echo_inbox")).content.decode()
    assert "he vowed" in page and "The report" in page
    assert f'<label for="inbox-rel-{candidate.pk}">' in page and f'id="inbox-rel-{candidate.pk}"' in page
    form = {
        "decision": "accept",
        "document": "report",
        "start": candidate.start,
        "end": candidate.end,
        "relation": "reports",
        "next": reverse("archive:echo_inbox"),
    }
    analyst.post(reverse("archive:echo_decide", args=[speech_claim.pk]), form)
    candidate.refresh_from_db()
    assert candidate.status == EchoCandidate.Status.ACCEPTED
    assert "he vowed" not in analyst.get(reverse("archive:echo_inbox")).content.decode()


def test_draft_claims_are_not_looked_for_in_new_documents(speech_claim, report):
    Claim.objects.filter(pk=speech_claim.pk).update(visibility=Visibility.DRAFT)
    assert scanning.scan_document(report.pk) == 0


def test_the_claim_page_asks_a_bounded_number_of_queries_however_many_documents_echo_it(
    analyst, speech_claim, django_assert_max_num_queries
):
    for n in range(30):
        make_document(f"Report {n}: the occupiers would be expelled from the region, he said.", slug=f"r-{n}")
    with django_assert_max_num_queries(40):
        page = analyst.get(speech_claim.get_absolute_url()).content.decode()
    assert page.count("Accept and link") >= 10


def _dated(document, when, precision):
    type(document).objects.filter(pk=document.pk).update(published_at=when, published_precision=precision)


def test_first_appearance_is_honest_about_partial_and_unknown_dates(reader, speech_claim, report, db):
    echo = make_claim(report, "the occupiers would be expelled from the region")
    third = make_document("Radio: the occupiers would be expelled from the region, he said.", slug="radio")
    third_claim = make_claim(third, "the occupiers would be expelled from the region")
    ClaimLink.objects.create(from_claim=echo, to_claim=speech_claim, relation="reports")
    ClaimLink.objects.create(from_claim=third_claim, to_claim=speech_claim, relation="repeats")
    _dated(speech_claim.document, timezone.make_aware(datetime.datetime(2024, 3, 12)), "day")
    _dated(report, timezone.make_aware(datetime.datetime(2024, 3, 1)), "month")
    page = reader.get(speech_claim.get_absolute_url()).content.decode()
    assert "Earliest dated appearance: March 2024 (not before 1 March 2024)" in page
    assert "Not certainly the first" in page
    assert "1 appearance with the date unknown may be earlier" in page

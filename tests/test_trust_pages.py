"""The pages' side of trust: links made on the compare page are recorded on both
claims, a stale correction form is refused, and analysts revert a claim to an
earlier state from its history."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from archive.models import Claim, ClaimEvent, Document
from archive.services import annotations
from archive.text import anchoring
from tests.factories import make_document

TEXT = "The envoy said the talks had failed. He added that the border would stay closed."


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def at(text, quote):
    start = text.index(quote)
    return anchoring.selector_for(text, start, start + len(quote))


@pytest.fixture
def claim(db, analyst_user):
    document = make_document(TEXT)
    return annotations.create_claim(
        document, at(TEXT, "the talks had failed"), user=analyst_user, tags=["talks"], note="First."
    )


# --- links from the compare page --------------------------------------------------------


def test_a_link_made_on_the_compare_page_is_recorded_on_both_claims(analyst, analyst_user, claim):
    other = annotations.create_claim(
        make_document("A report: the talks had failed, sources said."),
        at("A report: the talks had failed, sources said.", "the talks had failed"),
        user=analyst_user,
    )
    response = analyst.post(
        reverse("archive:claim_link_create"),
        {
            "from_claim": other.pk,
            "to_claim": claim.pk,
            "relation": "reports",
            "note": "",
            "next": "/compare/",
        },
    )
    assert response.status_code == 302
    assert claim.events.get(action="linked").user == analyst_user
    assert other.events.get(action="linked").detail["relation"] == "reports"


# --- the correction page -----------------------------------------------------------------


def test_the_correction_form_carries_the_text_version(analyst, claim):
    document = claim.document
    page = analyst.get(reverse("archive:document_correct", args=[document.slug])).content.decode()
    assert re.search(r'<input type="hidden" name="version" value="1"', page)


def test_a_correction_of_a_text_corrected_meanwhile_is_refused_with_a_message(analyst, analyst_user, claim):
    document = claim.document
    url = reverse("archive:document_correct", args=[document.slug])
    annotations.correct_text(document, TEXT + " Later.", user=analyst_user, reason="Someone else")
    mine = TEXT.replace("envoy", "Envoy")
    response = analyst.post(url, {"text": mine, "reason": "Capitalise", "version": "1", "save": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This text was changed by someone else since this form was opened" in page
    assert "Envoy" in page  # the analyst's correction is still in the form
    document.refresh_from_db()
    assert (document.text, document.version) == (TEXT + " Later.", 2)


def test_a_correction_of_the_current_version_is_saved(analyst, claim):
    document = claim.document
    url = reverse("archive:document_correct", args=[document.slug])
    response = analyst.post(
        url, {"text": TEXT.replace("envoy", "Envoy"), "reason": "Capitalise", "version": "1", "save": "1"}
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.version == 2


# --- reverting from the claim page ---------------------------------------------------


def revert(client, claim, event, version):
    return client.post(
        reverse("archive:claim_revert", args=[claim.pk]), {"event": event.pk, "version": version}
    )


def test_analysts_see_a_revert_button_for_each_earlier_state(analyst, reader, analyst_user, claim):
    annotations.update_claim(claim, user=analyst_user, note="Second.")
    page = analyst.get(claim.get_absolute_url()).content.decode()
    created = claim.events.get(action="created")
    forms = re.findall(r'<form method="post" action="/claims/\d+/revert/".*?</form>', page, re.S)
    assert len(forms) == 1  # the current state (version 2) is not offered
    assert f'name="event" value="{created.pk}"' in forms[0] and 'name="version" value="2"' in forms[0]
    assert "csrfmiddlewaretoken" in forms[0]
    assert "Revert to this state" not in reader.get(claim.get_absolute_url()).content.decode()


def test_reverting_from_the_history_restores_the_state_and_records_it(analyst, analyst_user, claim):
    created = claim.events.get(action="created")
    annotations.update_claim(claim, user=analyst_user, note="Vandalised.", tags=["spam"])
    response = revert(analyst, claim, created, 2)
    assert response.status_code == 302
    assert any("Reverted" in text for text in message_texts(response))
    claim = Claim.objects.get(pk=claim.pk)
    assert (claim.note, list(claim.tags.names()), claim.version) == ("First.", ["talks"], 3)
    event = claim.events.get(action="reverted")
    assert (event.user, event.detail["to_event"]) == (analyst_user, created.pk)
    assert "reverted to an earlier state by ana" in analyst.get(claim.get_absolute_url()).content.decode()


def test_a_revert_from_a_stale_page_is_refused(analyst, analyst_user, claim):
    created = claim.events.get(action="created")
    annotations.update_claim(claim, user=analyst_user, note="Second.")
    response = revert(analyst, claim, created, 1)
    assert any("changed by someone else" in text for text in message_texts(response))
    assert Claim.objects.get(pk=claim.pk).note == "Second."


def test_readers_cannot_revert(reader, analyst_user, claim):
    created = claim.events.get(action="created")
    annotations.update_claim(claim, user=analyst_user, note="Second.")
    assert revert(reader, claim, created, 2).status_code == 403
    assert not ClaimEvent.objects.filter(action="reverted").exists()


def test_deleting_a_document_in_the_admin_keeps_its_claims_history(analyst_user, admin_client_super, claim):
    document = claim.document
    response = admin_client_super.post(f"/admin/archive/document/{document.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()
    events = ClaimEvent.objects.filter(claim_pk=claim.pk).order_by("pk")
    assert [e.action for e in events] == ["created", "deleted"]
    assert events.last().document_title == document.title

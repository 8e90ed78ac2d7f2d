"""The admin writes claims, links, people, tags and documents only through the
services: every change leaves its events, a stale claim form is refused, and
the audit trail cannot be edited or deleted, even by a superuser."""

import re

import pytest
from django.urls import reverse
from taggit.models import Tag

from archive.models import Claim, ClaimEvent, ClaimLink, Document, Person
from archive.services import annotations
from archive.text import anchoring
from tests.factories import admin_claim_post, make_document, make_person
from tests.test_admin import change_url, document_change_post

pytestmark = pytest.mark.django_db

SPEECH = "The territories will be liberated by the brave youth. More text follows."
REPORT = "He asserted that the youth would drive out the occupiers. Other news."


def created(document, quote, **fields):
    start = document.text.index(quote)
    selector = anchoring.selector_for(document.text, start, start + len(quote))
    return annotations.create_claim(document, selector, user=None, **fields)


@pytest.fixture
def claim():
    return created(make_document(SPEECH), "The territories will be liberated", tags=["syria"])


def edit(client, claim, **overrides):
    return client.post(change_url(claim), admin_claim_post(claim.document, claim.quote, **overrides))


# --- claims -----------------------------------------------------------------------------


def test_the_claim_form_carries_the_version_it_was_opened_at(analyst, claim):
    page = analyst.get(change_url(claim)).content.decode()
    assert re.search(r'<input type="hidden" name="edited_version" value="1"', page)


def test_a_stale_claim_form_is_refused_with_a_message_and_the_input_kept(analyst, analyst_user, claim):
    annotations.update_claim(claim, user=analyst_user, note="Someone else's note.")
    response = edit(analyst, claim, note="My note.", tags="syria", edited_version="1")
    assert response.status_code == 200
    page = response.content.decode()
    assert "This claim was changed by someone else since this form was opened" in page
    assert "My note." in page
    assert Claim.objects.get(pk=claim.pk).note == "Someone else's note."


def test_a_tag_only_change_in_the_admin_is_recorded(analyst, analyst_user, claim):
    assert edit(analyst, claim, tags="syria, youth", edited_version="1").status_code == 302
    assert sorted(Claim.objects.get(pk=claim.pk).tags.names()) == ["syria", "youth"]
    event = claim.events.get(action="edited")
    assert event.detail["changed"] == {"tags": [["syria"], ["syria", "youth"]]}
    assert event.user == analyst_user


def test_an_admin_edit_writes_only_what_changed(analyst, analyst_user, claim):
    # A move made elsewhere after this form was opened would be refused; one made before is kept.
    annotations.move_claim(
        claim, anchoring.selector_for(SPEECH, 0, len("The territories")), user=analyst_user
    )
    response = edit(
        analyst, Claim.objects.get(pk=claim.pk), status="disputed", tags="syria", edited_version="2"
    )
    assert response.status_code == 302
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.quote, stored.status, stored.version) == ("The territories", "disputed", 3)


# --- links ------------------------------------------------------------------------------


def inline_link(client, claim, to_claim, **extra):
    data = admin_claim_post(claim.document, claim.quote)
    data.update(
        {
            "links_out-TOTAL_FORMS": "1",
            "links_out-INITIAL_FORMS": "0",
            "links_out-0-relation": "paraphrases",
            "links_out-0-to_claim": to_claim.pk,
            "links_out-0-note": "",
            **extra,
        }
    )
    return client.post(change_url(claim), data)


def test_a_link_added_and_removed_inline_is_recorded_on_both_claims(analyst, analyst_user, claim):
    report = created(make_document(REPORT), "the youth would drive out the occupiers")
    assert inline_link(analyst, report, claim).status_code == 302
    link = ClaimLink.objects.get()
    for end in (claim, report):
        assert end.events.get(action="linked").user == analyst_user
    response = inline_link(
        analyst,
        report,
        claim,
        **{"links_out-INITIAL_FORMS": "1", "links_out-0-id": link.pk, "links_out-0-DELETE": "on"},
    )
    assert response.status_code == 302
    assert not ClaimLink.objects.exists()
    for end in (claim, report):
        assert end.events.filter(action="unlinked").count() == 1


def test_the_claim_link_admin_links_and_unlinks_through_the_services(analyst, analyst_user, claim):
    report = created(make_document(REPORT), "the youth would drive out the occupiers")
    response = analyst.post(
        "/admin/archive/claimlink/add/",
        {"from_claim": report.pk, "relation": "reports", "to_claim": claim.pk, "note": ""},
    )
    assert response.status_code == 302
    link = ClaimLink.objects.get()
    assert link.created_by == analyst_user
    assert claim.events.filter(action="linked").exists() and report.events.filter(action="linked").exists()
    analyst.post(
        f"/admin/archive/claimlink/{link.pk}/change/",
        {"from_claim": report.pk, "relation": "repeats", "to_claim": claim.pk, "note": "n"},
    )
    assert claim.events.get(action="link_changed").detail["changed"] == {
        "relation": ["reports", "repeats"],
        "note": ["", "n"],
    }
    assert analyst.post(f"/admin/archive/claimlink/{link.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not ClaimLink.objects.exists()
    assert report.events.filter(action="unlinked").exists()


# --- people, tags, documents --------------------------------------------------------------


def test_deleting_a_person_in_the_admin_records_it_on_their_claims(admin_client_super, superuser):
    person = make_person(name="The Envoy")
    claim = created(make_document(SPEECH), "The territories", claimant=person)
    response = admin_client_super.post(f"/admin/archive/person/{person.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Person.objects.exists()
    event = claim.events.get(action="edited")
    assert (event.user, event.detail["changed"]["claimant"][1]) == (superuser, None)


def test_renaming_a_tag_in_the_admin_is_recorded_on_its_claims(admin_client_super, claim):
    tag = Tag.objects.get(name="syria")
    response = admin_client_super.post(
        f"/admin/taggit/tag/{tag.pk}/change/", {"name": "Syria", "slug": "syria"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Claim.objects.get(pk=claim.pk).tags.names()) == ["Syria"]
    assert claim.events.get(action="edited").detail["changed"] == {"tags": [["syria"], ["Syria"]]}


def test_the_tag_admin_offers_no_way_around_the_events(admin_client_super, claim):
    tag = Tag.objects.get(name="syria")
    page = admin_client_super.get(f"/admin/taggit/tag/{tag.pk}/change/").content.decode()
    assert "taggeditem" not in page.lower()
    assert admin_client_super.get("/admin/taggit/tag/merge-tags/").status_code in (302, 404)
    admin_client_super.post(f"/admin/taggit/tag/{tag.pk}/delete/", {"post": "yes"})
    assert claim.events.get(action="edited").detail["changed"] == {"tags": [["syria"], []]}


def test_a_document_edit_in_the_admin_does_not_undo_a_correction_made_meanwhile(analyst, analyst_user):
    document = make_document("The minister said the talks had failed.")
    form = document_change_post(document, title="New title")
    # Someone corrects the text between the admin opening the document and saving it.
    opened = Document.objects.get(pk=document.pk)
    annotations.correct_text(
        opened, "The minister said the talks had stalled.", user=analyst_user, reason="Typo"
    )
    assert analyst.post(change_url(document), form).status_code == 302
    document.refresh_from_db()
    assert (document.title, document.text, document.version) == (
        "New title",
        "The minister said the talks had stalled.",
        2,
    )


# --- the audit trail itself ----------------------------------------------------------


def test_not_even_a_superuser_can_change_or_delete_an_event(admin_client_super, claim):
    event = claim.events.get()
    change = f"/admin/archive/claimevent/{event.pk}/change/"
    assert admin_client_super.post(change, {"action": "deleted", "claim_pk": 1}).status_code == 403
    assert (
        admin_client_super.post(f"/admin/archive/claimevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    changelist = admin_client_super.get("/admin/archive/claimevent/").content.decode()
    assert "delete_selected" not in changelist
    assert ClaimEvent.objects.get(pk=event.pk).action == "created"
    assert reverse("admin:archive_claimevent_changelist")


def test_a_claim_changed_between_the_forms_check_and_the_save_is_not_saved(analyst, claim, monkeypatch):
    def changed_meanwhile(*args, **kwargs):
        raise annotations.Conflict(annotations.CLAIM_CONFLICT, None)

    monkeypatch.setattr(annotations, "update_claim", changed_meanwhile)
    response = edit(analyst, claim, note="Mine.", tags="syria, new", edited_version="1")
    assert response.status_code == 302 and response.url == change_url(claim)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("changed by someone else" in m for m in messages)
    assert Claim.objects.get(pk=claim.pk).note == ""

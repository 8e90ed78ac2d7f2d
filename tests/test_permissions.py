"""Who may do what in the admin: analysts exactly what the Analysts group
grants, readers nothing, and nobody may change a capture's raw text."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from taggit.models import Tag

from archive.models import Claim, Document
from tests.factories import make_claim, make_document

pytestmark = pytest.mark.django_db

ANALYST_PERMISSIONS = {
    "archive.view_document",
    "archive.add_document",
    "archive.change_document",
    "archive.view_draft",
    "archive.view_claim",
    "archive.add_claim",
    "archive.change_claim",
    "archive.delete_claim",
    "archive.view_documentrelation",
    "archive.add_documentrelation",
    "archive.change_documentrelation",
    "archive.delete_documentrelation",
    "archive.view_person",
    "archive.add_person",
    "archive.change_person",
    "archive.view_source",
    "archive.add_source",
    "archive.change_source",
    "archive.view_claimlink",
    "archive.add_claimlink",
    "archive.change_claimlink",
    "archive.delete_claimlink",
    "archive.view_documentversion",
    "archive.view_claimevent",
    "taggit.view_tag",
    "taggit.add_tag",
    "taggit.change_tag",
}


def test_analysts_group_has_exactly_the_listed_permissions():
    group = Group.objects.get(name="Analysts")
    permissions = group.permissions.select_related("content_type")
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
    assert granted == ANALYST_PERMISSIONS


@pytest.mark.parametrize(
    "url",
    [
        "/admin/archive/document/add/",
        "/admin/archive/claim/add/",
        "/admin/archive/person/add/",
        "/admin/archive/source/add/",
        "/admin/archive/documentrelation/add/",
        "/admin/taggit/tag/add/",
    ],
)
def test_analyst_can_open_add_pages(analyst, url):
    assert analyst.get(url).status_code == 200


def test_analyst_cannot_delete_a_document(analyst):
    document = make_document()
    assert analyst.get(f"/admin/archive/document/{document.pk}/delete/").status_code == 403
    assert analyst.post(f"/admin/archive/document/{document.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Document.objects.filter(pk=document.pk).exists()


def test_analyst_is_not_offered_bulk_document_deletion(analyst):
    make_document()
    response = analyst.get("/admin/archive/document/")
    assert "delete_selected" not in response.content.decode()
    response = analyst.post(
        "/admin/archive/document/",
        {
            "action": "delete_selected",
            "_selected_action": list(Document.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert Document.objects.count() == 1


def test_analyst_can_delete_a_claim(analyst):
    claim = make_claim(make_document("Alpha beta."), "beta")
    response = analyst.post(f"/admin/archive/claim/{claim.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Claim.objects.filter(pk=claim.pk).exists()


@pytest.mark.parametrize("url", ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"])
def test_analyst_cannot_manage_users_or_groups(analyst, url):
    assert analyst.get(url).status_code == 403


def test_analyst_cannot_edit_audit_history(analyst):
    assert analyst.get("/admin/archive/claimevent/").status_code == 200
    assert analyst.get("/admin/archive/claimevent/add/").status_code == 403
    assert analyst.get("/admin/archive/documentversion/add/").status_code == 403


@pytest.mark.parametrize("url", ["/admin/", "/admin/archive/document/", "/admin/archive/claim/add/"])
def test_reader_is_sent_to_the_admin_login(reader, url):
    response = reader.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_outsider_is_sent_to_the_admin_login(outsider):
    response = outsider.get("/admin/archive/document/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_superuser_can_delete_a_document(admin_client_super):
    document = make_document()
    response = admin_client_super.post(f"/admin/archive/document/{document.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()


def test_raw_text_cannot_be_changed_by_anybody():
    document = make_document("The capture as received.")
    document.raw_text = "A quietly improved capture."
    with pytest.raises(ValidationError, match="never changes"):
        document.save()
    document.refresh_from_db()
    assert document.raw_text == "The capture as received."


def test_superuser_change_form_offers_no_raw_text_field(admin_client_super):
    document = make_document("The capture as received.")
    content = admin_client_super.get(f"/admin/archive/document/{document.pk}/change/").content.decode()
    assert 'name="raw_text"' not in content
    assert "The capture as received." in content


# --- django-taggit 6.1 on Django 5.2 -------------------------------------------------------------


def test_taggit_tags_filter_and_similar_objects_on_documents_and_claims():
    syria = make_document("On Syria.", tags=["syria", "iran"])
    related = make_document("On Iran and Syria.", tags=["syria", "iran", "russia"])
    unrelated = make_document("On trade.", tags=["trade"])
    assert sorted(syria.tags.names()) == ["iran", "syria"]
    assert set(Document.objects.filter(tags__slug="syria")) == {syria, related}
    assert syria.tags.similar_objects() == [related]
    assert unrelated.tags.similar_objects() == []

    first = make_claim(syria, "Syria", tags=["threat"])
    second = make_claim(related, "Iran", tags=["threat", "iran"])
    first.tags.add("iran")
    assert set(Claim.objects.filter(tags__name="threat")) == {first, second}
    similar = first.tags.similar_objects()
    assert similar[0] == second
    # taggit's similarity spans every model using the shared tag table, so
    # callers wanting similar claims only must filter by type.
    assert [obj for obj in similar if isinstance(obj, Claim)] == [second]
    assert set(similar[1:]) == {syria, related}
    # One Tag table serves both models.
    assert Tag.objects.filter(slug="iran").count() == 1


def test_taggit_tag_admin_loads(analyst):
    make_document(tags=["syria"])
    tag = Tag.objects.get(slug="syria")
    assert analyst.get("/admin/taggit/tag/").status_code == 200
    assert analyst.get(f"/admin/taggit/tag/{tag.pk}/change/").status_code == 200

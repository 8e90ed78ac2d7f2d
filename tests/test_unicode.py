"""Tags, people and sources named in any script have working pages, and a tag
that could have no address (``>``, ``!!!``) is refused wherever tags are
entered, before anything is stored."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.text import slugify
from taggit.models import Tag

from archive.models import Claim, ClaimEvent, Document, Person, Source
from archive.services import imports
from archive.text import anchoring
from archive.text.capture import CaptureError
from tests.factories import (
    admin_claim_post,
    claim_payload,
    make_claim,
    make_document,
    make_person,
    make_source,
    post_json,
)
from tests.test_admin import (
    CLAIM_ADD,
    DOCUMENT_ADD,
    capture_post,
    change_url,
    document_change_post,
)

pytestmark = pytest.mark.django_db

TEXT = "The envoy said the talks had failed. He added that the border would stay closed."
# Persian, Arabic, Russian, and mixed.
NAMES = ["سوریه", "سوريا", "Иран", "Сирия и Иран", "Syria ↔ Iran"]
UNUSABLE = [">", "!!!", "—", "«»"]


def payload(quote="the border would stay closed", **extra):
    return claim_payload(TEXT, quote, **extra)


def stored():
    return Claim.objects.count(), ClaimEvent.objects.count(), Tag.objects.count(), Document.objects.count()


# --- Pages in any script ------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_a_tag_in_any_script_has_a_page_and_every_page_showing_it_draws(outsider, analyst, name):
    document = make_document(TEXT, tags=[name])
    claim = make_claim(document, "the talks had failed", tags=[name])
    tag = Tag.objects.get(name=name)
    assert tag.slug == slugify(name, allow_unicode=True)
    tag_url = reverse("archive:tag_detail", args=[tag.slug])
    for client in (outsider, analyst):
        for url in ("/", f"/?tag={tag.slug}", document.get_absolute_url(), claim.get_absolute_url(), tag_url):
            response = client.get(url)
            assert response.status_code == 200, url
            assert name in response.content.decode(), url
        assert f'href="{tag_url}"' in client.get(document.get_absolute_url()).content.decode()


def test_a_persian_tag_through_the_api_gives_201_and_every_page_answers(analyst, outsider):
    document = make_document(TEXT)
    response = post_json(
        analyst, reverse("archive:api_claim_create", args=[document.slug]), payload(tags="سوریه, Иран")
    )
    assert response.status_code == 201, response.content
    claim = Claim.objects.get(pk=response.json()["id"])
    assert sorted(claim.tags.names()) == ["Иран", "سوریه"]
    for client in (analyst, outsider):
        for url in (
            document.get_absolute_url(),
            reverse("archive:tag_detail", args=["سوریه"]),
            reverse("archive:tag_detail", args=["иран"]),
            claim.get_absolute_url(),
            reverse("archive:document_list"),
        ):
            assert client.get(url).status_code == 200, url


def test_a_document_titled_in_persian_gets_a_persian_address_that_redirects_once_renamed(outsider):
    document, _ = imports.create_document(
        "سخنان رهبر انقلاب درباره‌ی سوریه\n\n" + TEXT,
        fields={"visibility": "published"},
        capture_method="upload",
    )
    assert document.slug == "سخنان-رهبر-انقلاب-دربارهی-سوریه"
    old_url = document.get_absolute_url()
    assert outsider.get(old_url).status_code == 200
    document.slug = "سوریه"
    document.save()
    response = outsider.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == reverse("archive:document_detail", args=["سوریه"])


def test_the_compare_page_filters_by_a_persian_tag(outsider):
    first = make_document(TEXT, slug="first")
    make_claim(first, "the talks had failed", tags=["سوریه"])
    make_document(TEXT + " Again.", slug="second")
    response = outsider.get("/compare/", {"d": ["first", "second"], "tag": "سوریه"})
    assert response.status_code == 200
    assert "the talks had failed" in response.content.decode()


@pytest.mark.parametrize(
    "name, role",
    [("علی خامنه‌ای", "رهبر انقلاب"), ("بشار الأسد", "رئيس سوريا"), ("Сергей Лавров", "министр")],
)
def test_a_person_named_in_any_script_gets_a_unicode_slug_in_the_admin_and_a_working_page(
    analyst, outsider, name, role
):
    slug = slugify(name, allow_unicode=True)
    response = analyst.post("/admin/archive/person/add/", {"name": name, "slug": slug, "role": role})
    assert response.status_code == 302, response.content.decode()
    person = Person.objects.get(slug=slug)
    make_claim(make_document(TEXT), "the talks had failed", claimant=person)
    url = person.get_absolute_url()
    for client in (outsider, analyst):
        page = client.get(url)
        assert page.status_code == 200
        assert name in page.content.decode() and role in page.content.decode()
    assert (
        f'href="{url}"'
        in outsider.get(Claim.objects.get(claimant=person).get_absolute_url()).content.decode()
    )


@pytest.mark.parametrize("name", ["خبرگزاری فارس", "قناة العالم", "РИА Новости"])
def test_a_source_named_in_any_script_gets_a_unicode_slug_in_the_admin_and_a_working_page(
    analyst, outsider, name
):
    slug = slugify(name, allow_unicode=True)
    response = analyst.post("/admin/archive/source/add/", {"name": name, "slug": slug, "kind": "news"})
    assert response.status_code == 302, response.content.decode()
    source = Source.objects.get(slug=slug)
    document = make_document(TEXT, source=source)
    for client in (outsider, analyst):
        for url in (source.get_absolute_url(), "/", document.get_absolute_url(), f"/?source={slug}"):
            page = client.get(url)
            assert page.status_code == 200, url
            assert name in page.content.decode(), url


def test_unicode_slugs_in_urls_resolve_and_reverse():
    person = make_person(name="Иван", slug="иван")
    assert person.get_absolute_url() == "/people/%D0%B8%D0%B2%D0%B0%D0%BD/"
    source = make_source(name="Fars", slug="فارس-2")
    assert reverse("archive:source_detail", args=[source.slug]).startswith("/sources/%D9%81")


def test_a_tag_stored_without_a_usable_slug_is_given_one_by_the_migration(outsider):
    document = make_document(TEXT)
    tag = Tag.objects.create(name=">", slug="")
    document.tags.add(tag)
    migration = importlib.import_module("archive.migrations.0010_unicode_slugs")
    migration.give_tags_slugs(apps, None)
    tag.refresh_from_db()
    assert tag.slug == f"tag-{tag.pk}"
    assert outsider.get(document.get_absolute_url()).status_code == 200
    assert outsider.get(reverse("archive:tag_detail", args=[tag.slug])).status_code == 200


# --- Tags that could have no page are refused ------------------------------------------


@pytest.mark.parametrize("tags", [*UNUSABLE, "syria, >", '"!!!", Iran'])
def test_the_api_refuses_a_tag_without_letters_with_400_and_stores_nothing(analyst, tags):
    document = make_document(TEXT)
    before = stored()
    response = post_json(
        analyst, reverse("archive:api_claim_create", args=[document.slug]), payload(tags=tags)
    )
    assert response.status_code == 400, response.content
    assert "has no letter or digit" in response.json()["errors"]["tags"][0]
    assert stored() == before


def test_the_api_refuses_such_a_tag_on_update_and_changes_nothing(analyst):
    claim = make_claim(make_document(TEXT), "the talks had failed", tags=["old"])
    before = stored()
    response = post_json(
        analyst,
        reverse("archive:api_claim_update", args=[claim.pk]),
        {"kind": "threat", "status": "unverified", "visibility": "published", "tags": ">"},
    )
    assert response.status_code == 400
    assert "tags" in response.json()["errors"]
    claim.refresh_from_db()
    assert claim.kind == "assertion" and list(claim.tags.names()) == ["old"]
    assert stored() == before


def test_the_quote_form_refuses_such_a_tag(analyst):
    document = make_document(TEXT)
    before = stored()
    response = analyst.post(
        reverse("archive:claim_create_by_quote", args=[document.slug]),
        {
            "quote": "the talks had failed",
            "kind": "assertion",
            "status": "unverified",
            "visibility": "draft",
            "tags": "!!!",
        },
    )
    assert response.status_code == 400
    assert "has no letter or digit" in response.content.decode()
    assert stored() == before


def test_the_admin_claim_form_refuses_such_a_tag(analyst):
    document = make_document(TEXT)
    before = stored()
    response = analyst.post(CLAIM_ADD, admin_claim_post(document, "the talks had failed", tags="syria, >"))
    assert response.status_code == 200
    assert "has no letter or digit" in response.content.decode()
    assert stored() == before


def test_the_admin_capture_form_refuses_such_a_tag(analyst):
    before = stored()
    response = analyst.post(DOCUMENT_ADD, capture_post(paste="A capture about Syria.\n", tags="!!!"))
    assert response.status_code == 200
    assert "has no letter or digit" in response.content.decode()
    assert stored() == before


def test_the_admin_document_change_form_refuses_such_a_tag(analyst):
    document = make_document(TEXT, tags=["syria"])
    response = analyst.post(change_url(document), document_change_post(document, tags="syria, >"))
    assert response.status_code == 200
    assert "has no letter or digit" in response.content.decode()
    assert list(document.tags.names()) == ["syria"]
    assert not Tag.objects.filter(name=">").exists()


def test_the_admin_capture_form_takes_tags_in_any_script(analyst):
    response = analyst.post(DOCUMENT_ADD, capture_post(paste="A capture about Syria.\n", tags="سوریه, Иран"))
    assert response.status_code == 302
    assert sorted(Document.objects.get().tags.names()) == ["Иран", "سوریه"]


def test_a_manifest_tag_without_letters_is_refused():
    with pytest.raises(CaptureError, match="has no letter or digit"):
        imports.manifest_fields(
            {"file": "a.txt", "title": "A", "tags": ["syria", "!!!"]}, where="m.toml, entry 1"
        )


def test_the_services_refuse_such_a_tag_whoever_calls_them():
    from django.core.exceptions import ValidationError

    from archive.services import annotations

    document = make_document(TEXT)
    selector = anchoring.find_quote(TEXT, "the talks had failed")
    before = stored()
    with pytest.raises(ValidationError):
        annotations.create_claim(document, selector, user=None, tags=[">"])
    with pytest.raises(CaptureError, match="has no letter or digit"):
        imports.create_document("Another capture.\n", fields={"tags": ["!!!"]}, capture_method="file_import")
    assert stored() == before


def test_renaming_a_tag_to_one_without_letters_is_refused_in_the_admin_and_the_service(analyst):
    from django.core.exceptions import ValidationError

    from archive.services import annotations

    claim = make_claim(make_document(TEXT), "the talks had failed", tags=["syria"])
    tag = Tag.objects.get(name="syria")
    response = analyst.post(f"/admin/taggit/tag/{tag.pk}/change/", {"name": ">", "slug": "syria"})
    assert response.status_code == 200 and "has no letter or digit" in response.content.decode()
    with pytest.raises(ValidationError):
        annotations.change_tag(tag, user=None, name="!!!")
    tag.refresh_from_db()
    assert (tag.name, tag.slug, claim.tags.names()[0]) == ("syria", "syria", "syria")
    assert not ClaimEvent.objects.filter(claim=claim).exists()
    renamed = analyst.post(f"/admin/taggit/tag/{tag.pk}/change/", {"name": "سوریه", "slug": "سوریه"})
    assert renamed.status_code == 302
    assert Tag.objects.get(pk=tag.pk).slug == "سوریه"


def test_a_merged_tag_in_any_script_redirects_to_the_tag_kept(analyst, analyst_user, outsider):
    from archive.services import tags as tag_service

    document = make_document(TEXT, tags=["سوریه", "Сирия"], visibility="published")
    kept, merged = Tag.objects.get(name="سوریه"), Tag.objects.get(name="Сирия")
    tag_service.merge_tags([kept, merged], kept, user=analyst_user)
    old = reverse("archive:tag_detail", args=[merged.slug])
    response = outsider.get(old)
    assert response.status_code == 301
    assert response["Location"] == reverse("archive:tag_detail", args=[kept.slug])
    assert outsider.get(response["Location"]).status_code == 200
    assert document.tags.get() == kept

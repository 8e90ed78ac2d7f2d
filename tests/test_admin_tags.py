"""Merging tags in the admin goes through the service: the merged tags are
deleted, their pages redirect (301) to the kept tag's page, claims record it."""

import pytest
from django.contrib.admin import helpers
from django.urls import NoReverseMatch, reverse
from taggit.models import Tag

from archive.models import ClaimEvent, TagRedirect
from tests.factories import make_claim, make_document

CHANGELIST = "/admin/taggit/tag/"


@pytest.fixture
def tags(db):
    document = make_document("Hezbollah said the ceasefire would hold.", tags=["Hezbollah"])
    claim = make_claim(document, "the ceasefire would hold", tags=["hezbollah"])
    return Tag.objects.get(name="Hezbollah"), Tag.objects.get(name="hezbollah"), claim


def merge(client, tags, **extra):
    data = {"action": "merge_tags", helpers.ACTION_CHECKBOX_NAME: [tag.pk for tag in tags], **extra}
    return client.post(CHANGELIST, data)


def test_the_merge_action_asks_which_tag_to_keep(analyst, tags):
    kept, merged, _claim = tags

    response = merge(analyst, [kept, merged])

    assert response.status_code == 200
    content = response.content.decode()
    assert "Keep this tag" in content
    assert f'value="{kept.pk}"' in content and f'value="{merged.pk}"' in content
    assert Tag.objects.count() == 2


def test_merging_in_the_admin_deletes_the_merged_tag_and_its_page_redirects(analyst, analyst_user, tags):
    kept, merged, claim = tags
    merged_slug = merged.slug

    response = merge(analyst, [kept, merged], merge="Merge tags", into=kept.pk)

    assert response.status_code == 302
    assert list(Tag.objects.all()) == [kept]
    assert sorted(claim.tags.names()) == ["Hezbollah"]
    assert TagRedirect.objects.get(slug=merged_slug).tag == kept
    event = ClaimEvent.objects.get(claim=claim, action=ClaimEvent.Action.EDITED)
    assert "merged into “Hezbollah”" in event.detail["reason"]
    assert event.user == analyst_user
    old_page = analyst.get(f"/tags/{merged_slug}/?page=2")
    assert old_page.status_code == 301
    assert old_page["Location"] == reverse("archive:tag_detail", args=[kept.slug]) + "?page=2"
    assert analyst.get(old_page["Location"]).status_code == 200


def test_an_unknown_tag_page_is_still_not_found(client, db):
    assert client.get("/tags/never-was/").status_code == 404


def test_taggits_own_merge_page_is_gone(analyst, tags):
    # It rewrote rows in place: the merged tags stayed behind, empty, unaudited.
    with pytest.raises(NoReverseMatch):
        reverse("admin:taggit_tag_merge_tags")
    assert analyst.get(CHANGELIST + "merge-tags/").status_code in (302, 404)


def test_a_reader_cannot_merge_tags(reader, tags):
    kept, merged, _claim = tags
    response = merge(reader, [kept, merged], merge="Merge tags", into=kept.pk)
    assert response.status_code in (302, 403)
    assert Tag.objects.count() == 2

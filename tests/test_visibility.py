"""Tag, person and source pages show readers only published material and do
not exist for them when nothing published is there; suggested counterparts
(unreviewed machine output) are shown to analysts only."""

import pytest
from django.urls import reverse

from archive.models import Visibility
from tests.factories import make_claim, make_document, make_person, make_source

pytestmark = pytest.mark.django_db

DRAFT = Visibility.DRAFT
TEXT = "Syria will be liberated by its youth. The weather in the capital was mild."
REPORT = "Markets were calm. The youth of Syria will liberate the country, the leader said. Oil fell."


@pytest.fixture
def secret_person():
    """A person cited only in a draft claim of a published document and in a
    published claim of a draft document: nothing about them is public."""
    person = make_person(
        name="Hidden Envoy", slug="hidden-envoy", role="Covert negotiator", aliases="The Fixer"
    )
    make_claim(make_document(TEXT), "Syria will be liberated", claimant=person, visibility=DRAFT)
    make_claim(make_document(TEXT + " Draft.", visibility=DRAFT), "The weather", claimant=person)
    return person


@pytest.mark.parametrize("client_name", ["outsider", "reader"])
def test_a_person_cited_only_in_drafts_is_404_and_nothing_about_them_shows(
    request, client_name, secret_person
):
    client = request.getfixturevalue(client_name)
    response = client.get(secret_person.get_absolute_url())
    assert response.status_code == 404
    page = response.content.decode()
    for detail in ("Hidden Envoy", "Covert negotiator", "The Fixer"):
        assert detail not in page
    unknown = client.get(reverse("archive:person_detail", args=["nobody-at-all"]))
    assert unknown.status_code == 404
    main = page[page.index('id="main"') :].replace("hidden-envoy", "nobody-at-all")
    assert main == unknown.content.decode()[unknown.content.decode().index('id="main"') :]


def test_analysts_still_see_a_person_cited_only_in_drafts_with_badges(analyst, secret_person):
    response = analyst.get(secret_person.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hidden Envoy" in page and "Covert negotiator" in page and "The Fixer" in page
    assert "Claims by Hidden Envoy (2)" in page
    assert ">Draft<" in page


def test_a_person_with_one_published_claim_shows_only_that_one(outsider, secret_person):
    document = make_document(REPORT)
    make_claim(document, "Oil fell.", claimant=secret_person)
    page = outsider.get(secret_person.get_absolute_url()).content.decode()
    assert "Claims by Hidden Envoy (1)" in page
    assert "Oil fell." in page
    assert "Syria will be liberated" not in page and ">Draft<" not in page


def test_a_person_with_no_claims_at_all_has_no_public_page(outsider):
    person = make_person(name="Nobody Yet", slug="nobody-yet")
    assert outsider.get(person.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("client_name", ["outsider", "reader"])
def test_a_tag_used_only_on_drafts_is_404(request, client_name, analyst):
    client = request.getfixturevalue(client_name)
    make_document(TEXT, visibility=DRAFT, tags=["covert"])
    make_claim(make_document(REPORT), "Oil fell.", visibility=DRAFT, tags=["covert"])
    url = reverse("archive:tag_detail", args=["covert"])
    assert client.get(url).status_code == 404
    page = analyst.get(url)
    assert page.status_code == 200 and ">Draft<" in page.content.decode()


def test_a_tag_page_shows_readers_only_published_documents_and_claims(outsider):
    make_document(TEXT, title="Secret memo", visibility=DRAFT, tags=["syria"])
    make_claim(make_document(REPORT, title="Public report"), "Oil fell.", tags=["syria"])
    page = outsider.get(reverse("archive:tag_detail", args=["syria"])).content.decode()
    assert "Public report" in page and "Oil fell." in page
    assert "Secret memo" not in page


@pytest.mark.parametrize("client_name", ["outsider", "reader"])
def test_a_source_with_only_draft_documents_is_404(request, client_name, analyst):
    client = request.getfixturevalue(client_name)
    source = make_source(name="Back Channel", slug="back-channel", notes="Leaked cables.")
    make_document(TEXT, source=source, visibility=DRAFT)
    response = client.get(source.get_absolute_url())
    assert response.status_code == 404
    assert "Back Channel" not in response.content.decode()
    page = analyst.get(source.get_absolute_url())
    assert page.status_code == 200 and "Back Channel" in page.content.decode()


def test_a_source_without_documents_has_no_public_page(outsider):
    source = make_source(name="Empty Outlet", slug="empty-outlet")
    assert outsider.get(source.get_absolute_url()).status_code == 404


# --- Suggested counterparts: analysts only --------------------------------------------


@pytest.fixture
def pair():
    speech = make_document(TEXT, title="The speech", slug="speech", tags=["syria"])
    make_document(REPORT, title="The report", slug="report", tags=["syria"])
    return make_claim(speech, "Syria will be liberated by its youth.")


@pytest.mark.parametrize("client_name", ["outsider", "reader"])
def test_readers_are_not_shown_suggested_counterparts(request, client_name, pair):
    client = request.getfixturevalue(client_name)
    for url in (pair.get_absolute_url(), f"/compare/?d=speech&d=report&suggest={pair.pk}"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "Passages elsewhere that may say the same" not in page, url
        assert "counterpart-list" not in page, url
        assert "The youth of Syria will liberate" not in page.split('id="compare-grid"')[0], url
        assert "Suggested counterparts" not in page, url


def test_analysts_are_shown_suggested_counterparts(analyst, pair):
    for url in (pair.get_absolute_url(), f"/compare/?d=speech&d=report&suggest={pair.pk}"):
        page = analyst.get(url).content.decode()
        assert "Passages elsewhere that may say the same" in page, url
        assert "The youth of Syria will liberate the country, the leader said." in page, url

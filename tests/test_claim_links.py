"""Linking claims across documents from the compare page, who may do it, and
what the seed ships with."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from archive.models import ClaimLink, Document
from tests.factories import make_claim, make_document
from tests.paths import ROOT

LINK_URL = reverse("archive:claim_link_create")


@pytest.fixture
def two_documents(db):
    speech = make_document(
        "The youth will liberate the land. The enemy will be expelled.", title="Speech", slug="speech"
    )
    report = make_document(
        "Reporters heard that young people would free the territory. Nothing else was said.",
        title="Report",
        slug="report",
    )
    return {
        "speech": speech,
        "report": report,
        "liberate": make_claim(speech, "The youth will liberate the land."),
        "expelled": make_claim(speech, "The enemy will be expelled."),
        "free": make_claim(report, "young people would free the territory"),
    }


def compare_url(*documents, **params):
    query = "&".join([f"d={d.slug}" for d in documents] + [f"{k}={v}" for k, v in params.items()])
    return f"/compare/?{query}"


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def post_link(client, from_claim, to_claim, relation="reports", *, back="", note=""):
    return client.post(
        LINK_URL,
        {
            "from_claim": from_claim.pk,
            "to_claim": to_claim.pk,
            "relation": relation,
            "note": note,
            "next": back,
        },
    )


# --- creating links ---------------------------------------------------------------


def test_analyst_links_two_claims_and_returns_to_the_comparison_on_that_pair(
    analyst, analyst_user, two_documents
):
    w = two_documents
    back = compare_url(w["speech"], w["report"], relation="reports")
    response = post_link(analyst, w["free"], w["liberate"], "reports", back=back, note="Same promise.")

    link = ClaimLink.objects.get()
    assert (link.from_claim, link.to_claim, link.relation) == (w["free"], w["liberate"], "reports")
    assert link.created_by == analyst_user
    assert link.note == "Same promise."
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == "/compare/"
    assert parse_qs(target.query) == {
        "d": ["speech", "report"],
        "relation": ["reports"],
        "pair": [str(link.pk)],
    }
    assert target.fragment == f"pair-{link.pk}"
    assert any("Linked" in text for text in message_texts(response))

    page = analyst.get(response.url)
    assert page.status_code == 200
    assert re.search(rf'<tr id="pair-{link.pk}"[^>]*aria-current="true"', page.content.decode())


def test_linking_again_from_a_focused_pair_replaces_the_pair_in_the_address(analyst, two_documents):
    w = two_documents
    first = ClaimLink.objects.create(from_claim=w["free"], to_claim=w["liberate"], relation="reports")
    back = compare_url(w["speech"], w["report"], pair=first.pk)
    response = post_link(analyst, w["free"], w["expelled"], "contradicts", back=back)

    second = ClaimLink.objects.exclude(pk=first.pk).get()
    assert parse_qs(urlsplit(response.url).query)["pair"] == [str(second.pk)]


def test_the_compare_page_offers_the_link_form_to_analysts_only(analyst, reader, outsider, two_documents):
    url = compare_url(two_documents["speech"], two_documents["report"])
    assert 'id="link-form"' in analyst.get(url).content.decode()
    assert 'id="link-form"' not in reader.get(url).content.decode()
    assert 'id="link-form"' not in outsider.get(url).content.decode()


def test_posting_the_rendered_link_form_creates_the_link(analyst, two_documents):
    """The form as the page renders it (its field names and hidden ``next``) is what the view accepts."""
    w = two_documents
    url = compare_url(w["speech"], w["report"])
    html = analyst.get(url).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*id="link-form">(.*?)</form>', html, re.S)
    assert form, "the link form is missing"
    names = set(re.findall(r'name="([^"]+)"', form.group(2)))
    assert {"from_claim", "to_claim", "relation", "next", "csrfmiddlewaretoken"} <= names
    hidden_next = re.search(r'name="next" value="([^"]+)"', form.group(2)).group(1).replace("&amp;", "&")
    response = analyst.post(
        form.group(1),
        {
            "from_claim": w["free"].pk,
            "to_claim": w["liberate"].pk,
            "relation": "paraphrases",
            "next": hidden_next,
        },
    )
    link = ClaimLink.objects.get()
    assert response.url.startswith(url + "&pair=")
    assert link.relation == "paraphrases"


@pytest.mark.parametrize("back", ["https://evil.example/compare/", "//evil.example/compare/", "/admin/", ""])
def test_the_redirect_after_linking_never_leaves_the_compare_page(analyst, two_documents, back):
    w = two_documents
    response = post_link(analyst, w["free"], w["liberate"], back=back)
    assert urlsplit(response.url).netloc == ""
    assert response.url.startswith("/compare/")


# --- refusals ---------------------------------------------------------------------


def assert_refused(response, expected_message, back):
    assert response.status_code == 302
    assert response.url == back
    texts = message_texts(response)
    assert any(expected_message in text for text in texts), texts


def test_a_claim_cannot_be_linked_to_itself(analyst, two_documents):
    w = two_documents
    back = compare_url(w["speech"], w["report"])
    response = post_link(analyst, w["free"], w["free"], back=back)
    assert_refused(response, "A claim cannot be linked to itself", back)
    assert not ClaimLink.objects.exists()


def test_two_claims_of_the_same_document_cannot_be_linked(analyst, two_documents):
    w = two_documents
    back = compare_url(w["speech"], w["report"])
    response = post_link(analyst, w["liberate"], w["expelled"], back=back)
    assert_refused(response, "these two are in the same document", back)
    assert not ClaimLink.objects.exists()


@pytest.mark.parametrize("reverse_direction", [False, True], ids=["same-direction", "reversed"])
def test_a_pair_already_linked_with_that_relation_is_refused(analyst, two_documents, reverse_direction):
    w = two_documents
    existing = ClaimLink.objects.create(from_claim=w["free"], to_claim=w["liberate"], relation="reports")
    back = compare_url(w["speech"], w["report"])
    ends = (w["liberate"], w["free"]) if reverse_direction else (w["free"], w["liberate"])
    response = post_link(analyst, *ends, "reports", back=back)
    assert_refused(response, "already linked with this relation", back)
    assert list(ClaimLink.objects.all()) == [existing]


def test_the_same_pair_may_carry_a_different_relation(analyst, two_documents):
    w = two_documents
    ClaimLink.objects.create(from_claim=w["free"], to_claim=w["liberate"], relation="reports")
    post_link(analyst, w["liberate"], w["free"], "contradicts", back=compare_url(w["speech"], w["report"]))
    assert ClaimLink.objects.count() == 2


def test_an_unknown_relation_or_claim_is_refused_with_the_field_named(analyst, two_documents):
    w = two_documents
    back = compare_url(w["speech"], w["report"])
    response = post_link(analyst, w["free"], w["liberate"], "endorses", back=back)
    assert_refused(response, "Relation", back)
    response = analyst.post(
        LINK_URL, {"from_claim": 999999, "to_claim": w["free"].pk, "relation": "reports", "next": back}
    )
    assert_refused(response, "This claim", back)
    assert not ClaimLink.objects.exists()


# --- permissions ------------------------------------------------------------------


def test_anonymous_visitors_cannot_link_claims(outsider, two_documents):
    w = two_documents
    response = post_link(outsider, w["free"], w["liberate"], back=compare_url(w["speech"], w["report"]))
    assert response.status_code == 403 or (response.status_code == 302 and "/accounts/login/" in response.url)
    assert not ClaimLink.objects.exists()


def test_signed_in_readers_cannot_link_claims(reader, two_documents):
    w = two_documents
    response = post_link(reader, w["free"], w["liberate"], back=compare_url(w["speech"], w["report"]))
    assert response.status_code == 403
    assert not ClaimLink.objects.exists()


def test_linking_only_accepts_post(analyst, two_documents):
    assert analyst.get(LINK_URL).status_code == 405


# --- the seed ---------------------------------------------------------------------


def test_the_seed_links_claims_across_all_five_documents(seeded):
    links = list(ClaimLink.objects.select_related("from_claim", "to_claim"))
    assert len(links) >= 8
    assert {"reports", "paraphrases", "contradicts"} <= {link.relation for link in links}
    documents = {claim.document_id for link in links for claim in (link.from_claim, link.to_claim)}
    assert documents == set(Document.objects.values_list("pk", flat=True))
    assert len(documents) == 5
    for link in links:
        assert link.from_claim.document_id != link.to_claim.document_id


def test_the_readme_comparison_link_shows_linked_pairs(seeded, outsider):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"https?://[^/\s]+(/compare/\?[^\s>)]+)", readme)
    assert match, "README.md no longer gives a ready comparison URL"
    response = outsider.get(match.group(1))
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r'<tr id="pair-\d+"', html)
    assert len(rows) >= 1
    assert html.count('class="compare-column"') == len(parse_qs(urlsplit(match.group(1)).query)["d"])

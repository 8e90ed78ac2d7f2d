"""The compare page: documents in columns, linked claims as numbered pairs,
filters and focus kept in the URL, word-level differences, and the chain of
who said it first."""

import datetime
import html
import re
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.models import Claim, ClaimLink, Document, DocumentRelation, Visibility
from archive.services import annotations
from tests.factories import claim_at, make_claim, make_document, make_person, make_source

UTC = datetime.UTC

SPEECH = (
    "Syria will be liberated by its youth. The enemy will be expelled from the region. "
    "Nobody doubts this. We lost the battle in the north."
)
REPORT = (
    "The leader said the youth of Syria would free the country. He also said the US would be driven out. "
    "A general admitted defeat."
)
ANALYSIS = "Analysts note that the leader avoided confronting the United States directly."
READOUT = "The leader promised that Syrian youth would liberate the occupied land."


@pytest.fixture
def world(db):
    leader = make_person(name="The Leader", slug="the-leader")
    general = make_person(name="The General", slug="the-general")
    speech = make_document(
        SPEECH,
        title="The speech",
        slug="speech",
        kind=Document.Kind.TRANSCRIPT,
        source=make_source(name="Leader's Office", slug="office"),
        published_at=datetime.datetime(2024, 12, 11, tzinfo=UTC),
        published_precision="day",
    )
    report = make_document(
        REPORT,
        title="The report",
        slug="report",
        kind=Document.Kind.NEWS,
        source=make_source(name="Daily Courier", slug="courier"),
        published_at=datetime.datetime(2025, 1, 4, tzinfo=UTC),
        published_precision="day",
    )
    analysis = make_document(ANALYSIS, title="The analysis", slug="analysis", kind=Document.Kind.ANALYSIS)
    readout = make_document(
        READOUT,
        title="The readout",
        slug="readout",
        kind=Document.Kind.READOUT,
        source=make_source(name="Press Office", slug="press"),
        published_at=datetime.datetime(2024, 5, 30, tzinfo=UTC),
        published_precision="month",
    )
    claims = {
        "a1": make_claim(speech, "Syria will be liberated by its youth.", claimant=leader, tags=["syria"]),
        "a2": make_claim(
            speech,
            "The enemy will be expelled from the region.",
            claimant=leader,
            tags=["syria", "us-presence"],
        ),
        "a_draft": make_claim(
            speech, "We lost the battle in the north.", claimant=leader, visibility="draft"
        ),
        "b1": make_claim(report, "the youth of Syria would free the country", tags=["syria"]),
        "b2": make_claim(report, "the US would be driven out", tags=["syria", "us-presence"]),
        "b3": make_claim(report, "A general admitted defeat.", claimant=general),
        "c1": make_claim(
            analysis, "the leader avoided confronting the United States directly", tags=["syria"]
        ),
        "d1": make_claim(readout, "Syrian youth would liberate the occupied land", tags=["syria"]),
    }
    c = claims
    links = {
        "b1-a1": ClaimLink.objects.create(from_claim=c["b1"], to_claim=c["a1"], relation="reports"),
        "b2-a2": ClaimLink.objects.create(from_claim=c["b2"], to_claim=c["a2"], relation="reports"),
        "d1-a1": ClaimLink.objects.create(from_claim=c["d1"], to_claim=c["a1"], relation="reports"),
        "c1-a2": ClaimLink.objects.create(from_claim=c["c1"], to_claim=c["a2"], relation="contradicts"),
        "b3-draft": ClaimLink.objects.create(
            from_claim=c["b3"], to_claim=c["a_draft"], relation="corroborates"
        ),
    }
    documents = {"speech": speech, "report": report, "analysis": analysis, "readout": readout}
    return {"claims": claims, "links": links, "documents": documents, "leader": leader}


def compare_url(*slugs, **params):
    return "/compare/?" + urlencode([("d", slug) for slug in slugs] + list(params.items()))


def marked_claims(page):
    """Claims highlighted in the columns: the anchor id of a highlight's first piece
    (its continuation pieces carry its ``data-key``)."""
    grid = page.split('id="compare-grid"', 1)[1].split('class="pair-table"', 1)[0]
    return {int(key) for key in re.findall(r'<mark id="claim-(\d+)"', grid)}


def pair_rows(page):
    return [int(pk) for pk in re.findall(r'<tr id="pair-(\d+)"', page)]


def get_html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def pk(*claims):
    return {claim.pk for claim in claims}


# --- columns ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "slugs",
    [("speech", "report"), ("speech", "report", "analysis"), ("readout", "speech", "report", "analysis")],
    ids=["2", "3", "4"],
)
def test_each_chosen_document_gets_a_column_with_source_date_and_kind(outsider, world, slugs):
    page = get_html(outsider, compare_url(*slugs))
    headers = re.findall(r'<header class="compare-header">(.*?)</header>', page, re.S)
    assert len(headers) == len(slugs)
    assert page.count('class="compare-column"') == len(slugs)
    expected = {
        "speech": ("The speech", "Leader&#x27;s Office", "11 December 2024", "Speech transcript"),
        "report": ("The report", "Daily Courier", "4 January 2025", "News report"),
        "analysis": ("The analysis", "Publisher unknown", "date unknown", "Analysis"),
        "readout": ("The readout", "Press Office", "May 2024", "Official readout"),
    }
    for slug, header in zip(slugs, headers, strict=True):
        for part in expected[slug]:
            assert part in header, (slug, part)


@pytest.mark.parametrize("slugs", [("speech",), ("speech", "report", "analysis", "readout", "extra")])
def test_fewer_than_two_or_more_than_four_documents_is_refused_with_a_message(outsider, world, slugs):
    make_document("One more text here.", slug="extra")
    page = get_html(outsider, compare_url(*slugs), status=400)
    assert f"You chose {len(slugs)} document" in page
    assert "Choose at least 2 and at most 4 different documents" in page


def test_without_documents_the_chooser_is_shown(outsider, world):
    page = get_html(outsider, "/compare/")
    assert "Choose 2 to 4 documents" in page


def test_a_repeated_slug_counts_once(outsider, world):
    page = get_html(outsider, compare_url("speech", "report", "speech"))
    assert page.count('class="compare-column"') == 2
    page = get_html(outsider, compare_url("speech", "speech"), status=400)
    assert "You chose 1 document" in page


def test_an_unknown_slug_is_a_404_that_names_it(outsider, world):
    page = get_html(outsider, compare_url("speech", "no-such-text"), status=404)
    assert "“no-such-text”" in page


def test_a_draft_document_is_reported_to_visitors_as_missing_and_shown_to_analysts(outsider, analyst, world):
    make_document("A secret readout.", slug="secret", title="Secret readout", visibility=Visibility.DRAFT)
    page = get_html(outsider, compare_url("speech", "secret"), status=404)
    assert "“secret”" in page
    assert "Secret readout" not in page
    page = get_html(analyst, compare_url("speech", "secret"))
    assert "Secret readout" in page


@pytest.mark.parametrize(
    "param, value, field",
    [
        ("relation", "nonsense", "relation"),
        ("pair", "abc", "pair"),
        ("suggest", "-1", "suggest"),
        ("mode", "weird", "mode"),
        ("tag", "not a slug!", "tag"),
    ],
)
def test_bad_filter_values_are_refused_with_a_message(outsider, world, param, value, field):
    page = get_html(outsider, compare_url("speech", "report", **{param: value}), status=400)
    assert "Some settings in this address are not valid" in page
    assert f"<li>{field}:" in page


# --- pairs and filters --------------------------------------------------------------


def test_linked_claims_are_numbered_pairs_in_column_order(outsider, world):
    c, links = world["claims"], world["links"]
    page = get_html(outsider, compare_url("speech", "report", "analysis", "readout"))
    assert pair_rows(page) == [links[k].pk for k in ("b1-a1", "d1-a1", "b2-a2", "c1-a2")]
    # a1 takes part in pairs 1 and 2: its highlight carries both numbers.
    assert re.search(rf'<mark id="claim-{c["a1"].pk}"[^>]* data-pairs="1 2"', page)


def test_a_focused_pair_is_the_current_row(outsider, world):
    link = world["links"]["b2-a2"]
    page = get_html(outsider, compare_url("speech", "report", pair=link.pk))
    current = re.findall(r'<tr id="pair-(\d+)"[^>]*aria-current="true"', page)
    assert current == [str(link.pk)]
    assert "Pair 2 of 2" in page


def test_a_pair_not_on_the_page_focuses_nothing(outsider, world):
    page = get_html(outsider, compare_url("speech", "report", pair=world["links"]["c1-a2"].pk))
    assert 'aria-current="true"' not in page


def test_a_tag_filter_shows_only_tagged_claims_and_their_pairs(outsider, world):
    c, links = world["claims"], world["links"]
    make_claim(world["documents"]["speech"], "Nobody doubts this.", tags=["other"])
    page = get_html(outsider, compare_url("speech", "report", tag="us-presence"))
    assert marked_claims(page) == pk(c["a2"], c["b2"])
    assert pair_rows(page) == [links["b2-a2"].pk]


def test_a_claimant_filter_still_shows_who_reported_or_contradicted_them(outsider, world):
    c, links = world["claims"], world["links"]
    page = get_html(outsider, compare_url("speech", "report", "analysis", claimant="the-leader"))
    # b1, b2 and c1 have no claimant: they are shown as counterparts of the leader's claims.
    assert marked_claims(page) == pk(c["a1"], c["a2"], c["b1"], c["b2"], c["c1"])
    assert pair_rows(page) == [links["b1-a1"].pk, links["b2-a2"].pk, links["c1-a2"].pk]
    page = get_html(outsider, compare_url("speech", "report", claimant="the-general"))
    assert marked_claims(page) == pk(c["b3"])
    assert pair_rows(page) == []
    assert "No links between claims of these documents match the filters" in page


def test_a_relation_filter_shows_only_those_links_and_their_claims(outsider, world):
    c, links = world["claims"], world["links"]
    page = get_html(outsider, compare_url("speech", "report", "analysis", relation="contradicts"))
    assert marked_claims(page) == pk(c["a2"], c["c1"])
    assert pair_rows(page) == [links["c1-a2"].pk]


def test_filter_choices_come_from_the_claims_in_view(outsider, world):
    page = get_html(outsider, compare_url("speech", "analysis"))
    tag_select = re.search(r'<select name="tag".*?</select>', page, re.S).group(0)
    assert 'value="us-presence"' in tag_select
    people = re.search(r'<select name="claimant".*?</select>', page, re.S).group(0)
    assert 'value="the-leader"' in people
    assert 'value="the-general"' not in people  # only in the report, which is not compared


# --- drafts -------------------------------------------------------------------------


def test_visitors_never_see_a_draft_claim_or_its_links_on_the_compare_page(outsider, reader, world):
    c, links = world["claims"], world["links"]
    for client in (outsider, reader):
        page = get_html(client, compare_url("speech", "report"))
        assert c["a_draft"].pk not in marked_claims(page)
        assert links["b3-draft"].pk not in pair_rows(page)
        # The sentence is part of the document's text; only the claim on it is hidden.
        outside_columns = page.split('class="pair-table"', 1)[1]
        assert "We lost the battle" not in outside_columns
        assert "Draft" not in page


def test_analysts_see_draft_claims_and_their_links_badged(analyst, world):
    c, links = world["claims"], world["links"]
    page = get_html(analyst, compare_url("speech", "report"))
    assert c["a_draft"].pk in marked_claims(page)
    assert links["b3-draft"].pk in pair_rows(page)
    assert re.search(rf'<mark id="claim-{c["a_draft"].pk}" class="[^"]*is-draft', page)


def test_a_link_to_a_claim_in_a_draft_document_is_hidden_from_visitors(outsider, analyst, world):
    secret = make_document(
        "Syria's youth will win, says a secret readout.", slug="secret", visibility="draft"
    )
    hidden = make_claim(secret, "Syria's youth will win")  # published claim, draft document
    link = ClaimLink.objects.create(from_claim=hidden, to_claim=world["claims"]["a1"], relation="repeats")
    claim_page = get_html(outsider, world["claims"]["a1"].get_absolute_url())
    assert "Syria&#x27;s youth will win" not in claim_page
    assert "repeated in" not in claim_page
    assert "repeated in 1 document" in get_html(analyst, world["claims"]["a1"].get_absolute_url())
    assert link.pk  # the link exists; only its visibility is at stake


def card_of(page, claim):
    match = re.search(rf'<article [^>]*id="card-claim-{claim.pk}".*?</article>', page, re.S)
    assert match, f"no card for claim {claim.pk}"
    return match.group(0)


def test_reader_claim_cards_list_links_to_drafts_for_analysts_only(outsider, analyst, world):
    c = world["claims"]
    report = world["documents"]["report"].get_absolute_url()
    visitor_card = card_of(get_html(outsider, report), c["b3"])
    assert "claim-links" not in visitor_card
    analyst_card = card_of(get_html(analyst, report), c["b3"])
    assert "Corroborates" in analyst_card and "We lost the battle" in analyst_card
    # A published link is listed for everyone, told from the other end.
    speech_card = card_of(get_html(outsider, world["documents"]["speech"].get_absolute_url()), c["a1"])
    assert "Reported in 2 documents" in speech_card


def test_the_claim_page_never_lists_a_link_to_a_draft_claim_to_visitors(outsider, analyst, world):
    url = world["claims"]["b3"].get_absolute_url()
    assert "Across documents" not in get_html(outsider, url)
    page = get_html(analyst, url)
    assert "Across documents" in page and "<summary>Corroborates 1 other document</summary>" in page


def test_suggesting_for_a_draft_claim_suggests_nothing_to_visitors(outsider, world):
    page = get_html(outsider, compare_url("speech", "report", suggest=world["claims"]["a_draft"].pk))
    assert "Passages elsewhere that may say the same" not in page


# --- URL state ----------------------------------------------------------------------

STATE_KEYS = ("d", "tag", "claimant", "relation", "sync")


def state_of(url):
    query = parse_qs(urlsplit(html.unescape(url)).query)
    return {key: query.get(key, []) for key in STATE_KEYS}


def submitted_filter_form(page):
    """The query string a browser sends when the filter form is submitted as rendered."""
    form = re.search(
        r'<form method="get" action="/compare/" class="compare-filters.*?</form>', page, re.S
    ).group(0)
    fields = [("d", value) for value in re.findall(r'<input type="hidden" name="d" value="([^"]+)"', form)]
    for name in ("tag", "claimant", "relation"):
        select = re.search(rf'<select name="{name}".*?</select>', form, re.S).group(0)
        chosen = re.search(r'<option value="([^"]*)" selected>', select)
        fields.append((name, chosen.group(1) if chosen else ""))
    checkbox = re.search(r'<input type="checkbox" name="sync" value="([^"]+)"[^>]*>', form).group(0)
    if " checked" in checkbox:
        fields.append(("sync", "1"))
    return "/compare/?" + urlencode(fields)


def pair_buttons(page):
    """What a browser requests for each row's number button of the pair table: the one
    form's action with its hidden fields and that button's ``pair``."""
    form = re.search(r'<form method="get" action="([^"]+)" id="pair-focus">(.*?)</form>', page, re.S)
    action, body = html.unescape(form.group(1)), form.group(2)
    hidden = [
        (html.unescape(name), html.unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body)
    ]
    path, _, fragment = action.partition("#")
    return [
        f"{path}?{urlencode([*hidden, ('pair', value)])}#{fragment}"
        for value in re.findall(r'<button name="pair" value="(\d+)">', body)
    ]


def test_filters_focus_and_sync_survive_every_link_on_the_page(outsider, world):
    links = world["links"]
    focused = links["d1-a1"]
    url = compare_url(
        "speech",
        "report",
        "readout",
        tag="syria",
        claimant="the-leader",
        relation="reports",
        sync="1",
        pair=focused.pk,
    )
    page = get_html(outsider, url)
    expected = state_of(url)
    assert pair_rows(page) == [links["b1-a1"].pk, focused.pk, links["b2-a2"].pk]

    stepper = re.search(r'<nav class="pair-stepper".*?</nav>', page, re.S).group(0)
    previous = re.search(r'<a href="([^"]+)" data-step="-1"', stepper).group(1)
    following = re.search(r'<a href="([^"]+)" data-step="1"', stepper).group(1)
    row_links = pair_buttons(page)
    assert len(row_links) == 3

    targets = [(previous, links["b1-a1"]), (following, links["b2-a2"])]
    targets += list(zip(row_links, [links["b1-a1"], focused, links["b2-a2"]], strict=True))
    for href, link in targets:
        assert state_of(href) == expected, href
        assert urlsplit(href).fragment in (f"pair-{link.pk}", "pair-position"), href
        assert parse_qs(urlsplit(html.unescape(href)).query)["pair"] == [str(link.pk)]
        back = get_html(outsider, urljoin(url, html.unescape(href)))
        assert re.findall(r'<tr id="pair-(\d+)"[^>]*aria-current="true"', back) == [str(link.pk)]
        assert 'id="sync-scroll" checked' in back

    resubmitted = submitted_filter_form(page)
    assert state_of(resubmitted) == expected
    again = get_html(outsider, resubmitted)
    assert pair_rows(again) == pair_rows(page)
    assert submitted_filter_form(again) == resubmitted


def test_the_stepper_starts_at_the_first_pair_when_none_is_focused(outsider, world):
    page = get_html(outsider, compare_url("speech", "report"))
    stepper = re.search(r'<nav class="pair-stepper".*?</nav>', page, re.S).group(0)
    assert 'data-step="-1"' not in stepper
    following = re.search(r'<a href="([^"]+)" data-step="1"', stepper).group(1)
    assert parse_qs(urlsplit(html.unescape(following)).query)["pair"] == [str(world["links"]["b1-a1"].pk)]
    assert "2 linked pairs" in stepper


# --- query counts -------------------------------------------------------------------


def build_corpus(prefix, n, *, hub_links=0):
    """4 documents of ``n`` sentences, one claim per sentence, ``n`` links between them.

    With ``hub_links`` the first claim of the first document is also linked from that many claims.
    """
    documents, claims = [], []
    for d in range(4):
        sentences = [f"Point {i} of text {d} concerns matter {i * 7 % 13}." for i in range(n)]
        text = " ".join(sentences)
        document = make_document(
            text, title=f"{prefix} text {d}", slug=f"{prefix}-{d}", tags=[f"{prefix}-tag"]
        )
        documents.append(document)
        rows, offset = [], 0
        for sentence in sentences:
            rows.append(claim_at(document, offset, offset + len(sentence)))
            offset += len(sentence) + 1
        claims.append(Claim.objects.bulk_create(rows))
    links = [
        ClaimLink(from_claim=claims[1 + k % 3][k], to_claim=claims[0][k], relation="reports")
        for k in range(n)
    ]
    links += [
        ClaimLink(from_claim=claims[1 + k % 3][k // 3], to_claim=claims[0][0], relation="paraphrases")
        for k in range(hub_links)
    ]
    ClaimLink.objects.bulk_create(links)
    return documents, claims


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


@pytest.fixture
def small_and_large(db):
    small = build_corpus("small", 5, hub_links=5)
    large = build_corpus("large", 500, hub_links=500)
    return small, large


@pytest.mark.parametrize("who", ["outsider", "analyst"])
def test_the_compare_page_costs_the_same_queries_with_500_claims_per_column(
    request, small_and_large, django_assert_num_queries, who
):
    client = request.getfixturevalue(who)
    (small_docs, _), (large_docs, large_claims) = small_and_large
    small_url = compare_url(*(d.slug for d in small_docs))
    large_url = compare_url(*(d.slug for d in large_docs))
    client.get(small_url)  # session, content types and permission caches
    expected = queries_for(client, small_url)
    with django_assert_num_queries(expected):
        response = client.get(large_url)
    page = response.content.decode()
    assert len(pair_rows(page)) == 500 + 500
    assert len(marked_claims(page)) == 4 * 500


def test_the_reader_with_linked_claim_cards_costs_the_same_queries(
    outsider, small_and_large, django_assert_num_queries
):
    (small_docs, _), (large_docs, _) = small_and_large
    outsider.get(small_docs[0].get_absolute_url())
    expected = queries_for(outsider, small_docs[0].get_absolute_url())
    with django_assert_num_queries(expected):
        response = outsider.get(large_docs[0].get_absolute_url())
    assert response.content.decode().count('<details class="claim-links">') == 500


def test_the_claim_page_costs_the_same_queries_with_500_links(
    outsider, small_and_large, django_assert_num_queries
):
    (_, small_claims), (_, large_claims) = small_and_large
    outsider.get(small_claims[0][0].get_absolute_url())
    expected = queries_for(outsider, small_claims[0][0].get_absolute_url())
    with django_assert_num_queries(expected):
        response = outsider.get(large_claims[0][0].get_absolute_url())
    assert "Paraphrased in 3 documents" in response.content.decode()


# --- word-level differences ---------------------------------------------------------


def deleted_text(page):
    parts = re.findall(r"<del>(.*?)</del>", page, re.S)
    return " ".join(re.sub(r'<span class="sr-only"[^>]*>.*?</span>', "", part) for part in parts)


def inserted_text(page):
    parts = re.findall(r"<ins>(.*?)</ins>", page, re.S)
    return " ".join(re.sub(r'<span class="sr-only"[^>]*>.*?</span>', "", part) for part in parts)


def test_diff_mode_marks_words_only_in_one_of_two_documents(outsider, world):
    page = get_html(outsider, compare_url("speech", "readout", mode="diff"))
    assert "Word-level differences" in page
    assert "expelled" in deleted_text(page)
    assert "promised" in inserted_text(page)
    assert 'href="/compare/?d=speech&amp;d=readout"' in page or 'href="/compare/?d=speech&d=readout"' in page


def test_diff_mode_with_three_documents_is_refused(outsider, world):
    page = get_html(outsider, compare_url("speech", "report", "readout", mode="diff"), status=400)
    assert "Word-level differences compare exactly two documents." in page


def test_the_diff_link_is_offered_for_two_columns_only(outsider, world):
    assert "mode=diff" in get_html(outsider, compare_url("speech", "report"))
    assert "mode=diff" not in get_html(outsider, compare_url("speech", "report", "readout"))


READOUT_SLUG = "khamenei-assad-meeting-resistance-is-syrias-prominent-character"
CALIBER_SLUG = "caliber-az-khamenei-urges-syrian-youth-to-resist"


def test_a_corrected_document_shows_the_removed_sentence_as_deleted(seeded, outsider, analyst_user):
    document = Document.objects.get(slug=READOUT_SLUG)
    assert "This item is being updated." in document.text
    annotations.correct_text(
        document,
        document.text.replace("This item is being updated.", ""),
        user=analyst_user,
        reason="Drop the page's status line.",
    )
    url = reverse("archive:document_version_diff", args=[READOUT_SLUG, 1, 2])
    page = get_html(outsider, url)
    assert "This item is being updated." in re.sub(r"\s+", " ", deleted_text(page))
    assert "Drop the page&#x27;s status line." in page
    assert inserted_text(page).strip() == ""


def test_an_unknown_version_is_a_404(seeded, outsider):
    assert (
        outsider.get(reverse("archive:document_version_diff", args=[READOUT_SLUG, 1, 9])).status_code == 404
    )


def test_versions_of_a_draft_document_are_hidden_from_visitors(outsider, world):
    secret = make_document("A secret text.", slug="secret", visibility="draft")
    assert outsider.get(reverse("archive:document_version_diff", args=[secret.slug, 1, 1])).status_code == 404


# --- who said it first -------------------------------------------------------------


def test_the_caliber_report_shows_who_said_it_first_oldest_first(seeded, outsider):
    page = get_html(outsider, reverse("archive:document_detail", args=[CALIBER_SLUG]))
    section = re.search(r'<section class="chain".*?</section>', page, re.S)
    assert section, "the “Who said it first” section is missing"
    assert "Who said it first" in section.group(0)
    steps = [re.sub(r"<[^>]+>", "", step) for step in re.findall(r"<li>(.*?)</li>", section.group(0), re.S)]
    assert len(steps) == 3
    assert "1 January 2025" in steps[0] and "Khamenei's speech of 1 January 2025" in html.unescape(steps[0])
    assert "4 January 2025" in steps[1] and "(this document)" in steps[1]
    assert "date unknown" in steps[2] and "Institute for the Study of War" in steps[2]


def test_the_chain_follows_archived_targets_and_leaves_out_drafts(outsider, analyst, world):
    speech, report, readout = (world["documents"][k] for k in ("speech", "report", "readout"))
    DocumentRelation.objects.create(document=report, kind="reports_on", target=speech)
    DocumentRelation.objects.create(document=speech, kind="cites", target=readout)
    page = get_html(outsider, report.get_absolute_url())
    section = re.search(r'<section class="chain".*?</section>', page, re.S).group(0)
    order = [title for title in ("The readout", "The speech", "The report") if title in section]
    assert order == ["The readout", "The speech", "The report"]
    assert section.index("The readout") < section.index("The speech") < section.index("The report")

    readout.visibility = Visibility.DRAFT
    readout.save()
    section = re.search(
        r'<section class="chain".*?</section>', get_html(outsider, report.get_absolute_url()), re.S
    )
    assert "The readout" not in section.group(0)
    section = re.search(
        r'<section class="chain".*?</section>', get_html(analyst, report.get_absolute_url()), re.S
    )
    assert "The readout" in section.group(0)


# --- issue 11: names, notes and little in common ------------------------------------------


def test_the_pair_table_and_status_name_people_and_quote_them_instead_of_numbers(outsider, world):
    link = world["links"]["b2-a2"]
    page = get_html(outsider, compare_url("speech", "report", pair=link.pk))
    row = re.search(rf'<tr id="pair-{link.pk}".*?(?=<tr|</tbody>)', page, re.S).group(0)  # end tags left out
    assert "The Leader: “The enemy will be expelled…”" in row
    # A claim nobody is named for is the publisher's report.
    assert "Daily Courier report: “the US would be driven…”" in row
    assert "claim " not in row
    status = re.search(r'<span id="pair-position"[^>]*>(.*?)</span>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", status) == (
        "Pair 2 of 2: Daily Courier report: “the US would be driven…” reports The Leader: “The enemy will be expelled…”"
    )


def test_a_pairs_note_is_shown_as_formatted_text_not_markdown(outsider, world):
    link = world["links"]["b1-a1"]
    link.note = "*If* the <script>x</script> report is right"
    link.save()
    page = get_html(outsider, compare_url("speech", "report"))
    assert "<em>If</em> the" in page
    assert "*If*" not in page
    assert "<script>x</script>" not in page


def test_the_word_diff_of_two_unrelated_texts_says_so_and_offers_the_side_by_side_reading(outsider, world):
    page = get_html(outsider, compare_url("speech", "analysis", mode="diff"))
    assert "These two texts have little in common" in page
    assert 'href="/compare/?d=speech&amp;d=analysis">Read them side by side instead</a>' in page
    assert '<details class="diff-anyway">' in page


def test_the_word_diff_of_two_close_texts_is_shown_at_once(outsider, world):
    edited = make_document(SPEECH.replace("north", "south"), title="The speech, corrected", slug="speech-2")
    page = get_html(outsider, compare_url("speech", edited.slug, mode="diff"))
    assert "little in common" not in page
    assert "diff-anyway" not in page
    assert "% shared)" in page

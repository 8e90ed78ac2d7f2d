"""The compare page in a real browser, on the seed: pairs light up on hover and
focus, “Next link” walks the pairs and brings each into view in its column,
and columns scroll together when asked."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from archive import comparison
from archive.models import ClaimLink
from archive.services.seed import load_seed

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SPEECH = "khamenei-speech-on-recent-developments-in-syria-and-region"
CALIBER = "caliber-az-khamenei-urges-syrian-youth-to-resist"
ESBATI = "iran-faces-setbacks-in-syria-us-presence-in-iraq"
COMPARE = f"/compare/?d={SPEECH}&d={CALIBER}&d={ESBATI}"


@pytest.fixture
def wide_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def seeded_compare(wide_page):
    load_seed()
    wide_page.goto(COMPARE)
    return wide_page


def pairs_in_order(page):
    return [
        int(pk)
        for pk in page.eval_on_selector_all(
            "#pair-focus tbody tr", "rows => rows.map(r => r.id.replace('pair-', ''))"
        )
    ]


# A highlight's first piece is named by its anchor id, its continuation pieces by data-key.
KEYS = "ms => ms.map(m => Number(m.dataset.key || m.id.replace('claim-', '')))"


def pieces(claim_pk, state=""):
    """The selector of every piece of a claim's highlight (with a class, ``state``)."""
    return f'mark[id="claim-{claim_pk}"]{state}, mark[data-key="{claim_pk}"]{state}'


def test_hovering_a_linked_highlight_marks_its_counterparts(seeded_compare):
    page = seeded_compare
    link = ClaimLink.objects.get(from_claim__quote__startswith="Khamenei further asserted that Syrian youth")
    source, partner = link.from_claim_id, link.to_claim_id
    assert page.locator(pieces(partner, ".is-partner")).count() == 0
    page.locator(f"#claim-{source}").hover()
    expect(page.locator(f"#claim-{partner}")).to_have_class(re.compile(r"\bis-partner\b"))
    assert page.locator(pieces(source, ".is-source")).count() >= 1
    # Only the counterparts of the hovered claim are marked.
    partners = {str(pk) for pk in page.eval_on_selector_all("mark.is-partner", KEYS)}
    expected = {
        str(pk) for pk in ClaimLink.objects.filter(from_claim=source).values_list("to_claim", flat=True)
    }
    expected |= {
        str(pk) for pk in ClaimLink.objects.filter(to_claim=source).values_list("from_claim", flat=True)
    }
    assert partners == expected
    assert page.js_errors == []


def test_focusing_a_row_of_the_pair_table_marks_the_pair(seeded_compare):
    page = seeded_compare
    first_pair = pairs_in_order(page)[1]
    link = ClaimLink.objects.get(pk=first_pair)
    page.locator(f"#pair-{link.pk} th button").focus()
    left_right = {link.from_claim_id, link.to_claim_id}
    # Exactly this pair's two ends, even when they take part in other pairs too.
    partner = set(page.eval_on_selector_all("mark.is-partner", KEYS))
    source = set(page.eval_on_selector_all("mark.is-source", KEYS))
    assert len(partner) == len(source) == 1
    assert partner | source == left_right
    current = set(page.eval_on_selector_all("mark.is-current", KEYS))
    assert current == left_right
    expect(page.locator(f"#pair-{link.pk}")).to_have_class("is-current")


def test_a_rows_number_focuses_its_pair_in_place(seeded_compare):
    page = seeded_compare
    last = pairs_in_order(page)[-1]
    link = ClaimLink.objects.get(pk=last)
    page.evaluate("() => { window.stillHere = true; }")
    page.locator(f"#pair-{last} th button").click()
    said = {
        end: f"{claim.claimant.name}: “{comparison.gist(claim.quote)}”" if claim.claimant else None
        for end, claim in (("from", link.from_claim), ("to", link.to_claim))
    }
    # People's names and the start of what they said, not claim numbers.
    expect(page.locator("#pair-position")).to_have_text(
        f"Pair {len(pairs_in_order(page))} of {len(pairs_in_order(page))}: "
        f"{said['from']} {link.get_relation_display()} {said['to']}"
    )
    assert page.evaluate("() => window.stillHere === true"), "the button sent the form"
    assert set(page.eval_on_selector_all("mark.is-current", KEYS)) == {link.from_claim_id, link.to_claim_id}
    expect(page.locator(f"#pair-{last}")).to_have_attribute("aria-current", "true")
    assert page.locator('#pair-focus tr[aria-current="true"]').count() == 1
    assert parse_qs(urlsplit(page.url).query)["pair"] == [str(last)]
    for claim_pk in (link.from_claim_id, link.to_claim_id):
        assert in_column_view(page, claim_pk)
    assert page.js_errors == []


def test_without_javascript_a_rows_number_opens_the_page_on_its_pair(browser, live_server):
    load_seed()
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto(f"{COMPARE}&sync=1")
        second = pairs_in_order(page)[1]
        link = ClaimLink.objects.get(pk=second)
        page.locator(f"#pair-{second} th button").click()
        page.wait_for_url(re.compile(rf"pair={second}"))
        query = parse_qs(urlsplit(page.url).query)
        assert query["d"] == [SPEECH, CALIBER, ESBATI] and query["sync"] == ["1"]
        expect(page.locator(f"#pair-{second}")).to_have_attribute("aria-current", "true")
        position = page.locator("#pair-position")
        expect(position).to_have_text(re.compile(r"^Pair 2 of "))
        # The pair's two claims are a link away, in their columns.
        position.locator(f'a[href="#claim-{link.to_claim_id}"]').click()
        assert urlsplit(page.url).fragment == f"claim-{link.to_claim_id}"
    finally:
        context.close()


def in_column_view(page, claim_pk):
    """Whether the first piece of the claim's highlight is inside its column's visible area."""
    return page.evaluate(
        """(key) => {
            const mark = document.getElementById(`claim-${key}`);
            const column = mark.closest(".compare-text");
            const m = mark.getBoundingClientRect(), c = column.getBoundingClientRect();
            return m.top >= c.top - 1 && m.bottom <= c.bottom + 1;
        }""",
        claim_pk,
    )


def test_next_link_steps_through_the_pairs_and_scrolls_each_into_its_column(seeded_compare):
    page = seeded_compare
    order = pairs_in_order(page)
    assert len(order) >= 3
    columns_scroll = page.eval_on_selector_all(
        ".compare-text", "cs => cs.map(c => c.scrollHeight > c.clientHeight)"
    )
    assert any(columns_scroll), "the columns must scroll for this test to mean anything"
    next_link = page.locator("a[data-step='1']")
    for number, pk in enumerate(order, start=1):
        next_link.click()
        link = ClaimLink.objects.get(pk=pk)
        expect(page.locator("#pair-position")).to_have_text(re.compile(rf"^Pair {number} of {len(order)}: "))
        current = set(page.eval_on_selector_all("mark.is-current", KEYS))
        assert current == {link.from_claim_id, link.to_claim_id}
        assert parse_qs(urlsplit(page.url).query)["pair"] == [str(pk)]
        assert urlsplit(page.url).fragment == f"pair-{pk}"
        for claim_pk in (link.from_claim_id, link.to_claim_id):
            assert in_column_view(page, claim_pk), (number, claim_pk)
    # After the last pair, “Next link” wraps to the first.
    next_link.click()
    expect(page.locator("#pair-position")).to_have_text(re.compile(r"^Pair 1 of "))
    assert page.js_errors == []


def test_opening_a_pair_link_focuses_and_reveals_that_pair(wide_page):
    load_seed()
    page = wide_page
    page.goto(COMPARE)
    last = pairs_in_order(page)[-1]
    page.goto(f"{COMPARE}&pair={last}")
    link = ClaimLink.objects.get(pk=last)
    current = set(page.eval_on_selector_all("mark.is-current", KEYS))
    assert current == {link.from_claim_id, link.to_claim_id}
    for claim_pk in current:
        assert in_column_view(page, claim_pk)


def scroll_first_column(page):
    page.evaluate(
        """() => {
            const first = document.querySelectorAll(".compare-text")[0];
            first.scrollTop = first.scrollHeight / 2;
            first.dispatchEvent(new Event("scroll"));
        }"""
    )
    page.wait_for_timeout(200)
    return page.eval_on_selector_all(".compare-text", "cs => cs.map(c => c.scrollTop)")


def test_synchronised_scrolling_moves_the_other_columns_only_when_on(seeded_compare):
    page = seeded_compare
    assert page.eval_on_selector_all(".compare-text", "cs => cs.map(c => c.scrollTop)")[1] == 0
    checkbox = page.locator("#sync-scroll")
    expect(checkbox).not_to_be_checked()
    tops = scroll_first_column(page)
    assert tops[0] > 0
    assert tops[1] == 0

    checkbox.check()
    assert parse_qs(urlsplit(page.url).query)["sync"] == ["1"]
    page.evaluate("() => { const c = document.querySelectorAll('.compare-text')[0]; c.scrollTop = 0; }")
    page.wait_for_timeout(100)
    tops = scroll_first_column(page)
    assert tops[0] > 0
    assert tops[1] > 0

    checkbox.uncheck()
    assert "sync" not in parse_qs(urlsplit(page.url).query)
    page.evaluate("() => document.querySelectorAll('.compare-text')[1].scrollTop = 0")
    page.evaluate("() => document.querySelectorAll('.compare-text')[0].scrollTop = 0")
    page.wait_for_timeout(100)
    page.evaluate("() => document.querySelectorAll('.compare-text')[1].scrollTop = 0")
    tops = scroll_first_column(page)
    assert tops[1] == 0

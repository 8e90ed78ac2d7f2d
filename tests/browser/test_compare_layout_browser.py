"""The compare page measured in Chromium on the seed: synchronised columns keep a
linked pair level, hovering a highlight brings its partner into view, the page
never scrolls sideways on a phone (only the pair table's own box does), nested
highlights of a focused pair carry one outline. Screenshots go to
artifacts/screenshots/ (not committed)."""

from pathlib import Path

import pytest

from archive.models import ClaimLink
from archive.services.seed import load_seed
from tests.browser.test_compare_browser import CALIBER, COMPARE, ESBATI, SPEECH

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

# A linked highlight of column 0 far down, whose partner in column 1 can be scrolled
# to any height: [its key, the partner's key].
FAR_DOWN_PAIR = """
() => {
  const columns = [...document.querySelectorAll('.compare-text')];
  const [one, two] = columns;
  const y = (m, c) => m.getBoundingClientRect().top - c.getBoundingClientRect().top + c.scrollTop;
  const key = (m) => m.dataset.key || m.id.replace('claim-', '');
  const rows = [...document.querySelectorAll('#pair-focus tbody tr')].map(r => r.dataset.claims.split(' '));
  let best = null;
  for (const m of one.querySelectorAll('mark[data-pairs]')) {
    for (const [a, b] of rows) {
      const other = a === key(m) ? b : b === key(m) ? a : null;
      const partner = other && two.querySelector(`[id="claim-${other}"], mark[data-key="${other}"]`);
      if (!partner) continue;
      const py = y(partner, two);
      if (py > 200 && py < two.scrollHeight - two.clientHeight) {
        if (!best || y(m, one) > best[2]) best = [key(m), other, y(m, one)];
      }
    }
  }
  return best;
}
"""

TOP_IN_COLUMN = """
(key) => {
  const m = document.querySelector(`[id="claim-${key}"]`);
  const c = m.closest('.compare-text');
  return m.getBoundingClientRect().top - c.getBoundingClientRect().top;
}
"""


def shot(page, name, full_page=True):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def compare_page(browser, live_server):
    def open_at(width, height, address=COMPARE, **options):
        context = browser.new_context(
            viewport={"width": width, "height": height}, base_url=live_server.url, **options
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors
        page.goto(address)
        return page

    contexts = []
    load_seed()
    yield open_at
    for context in contexts:
        context.close()


def test_synchronised_columns_keep_a_linked_pair_level(compare_page):
    page = compare_page(1400, 900, f"/compare/?d={SPEECH}&d={CALIBER}&sync=1")
    found = page.evaluate(FAR_DOWN_PAIR)
    assert found, "the seed has a linked pair far down both columns"
    key, partner, y = found
    assert y > 1000
    # The reader scrolls column 1 until that highlight is near the top of its window.
    page.evaluate(
        "([key, y]) => { const c = document.querySelectorAll('.compare-text')[0]; c.scrollTop = y - 60; }",
        [key, y],
    )
    page.wait_for_timeout(300)
    here, there = page.evaluate(TOP_IN_COLUMN, key), page.evaluate(TOP_IN_COLUMN, partner)
    assert 0 <= here < 200
    assert abs(here - there) <= 4, f"the pair is {here:.0f} and {there:.0f} px from the columns' tops"
    assert page.js_errors == []


def test_hovering_a_highlight_brings_its_partner_into_view(compare_page):
    page = compare_page(1400, 900, f"/compare/?d={SPEECH}&d={CALIBER}", reduced_motion="reduce")
    key, partner, y = page.evaluate(FAR_DOWN_PAIR)
    page.evaluate("(y) => { document.querySelectorAll('.compare-text')[0].scrollTop = y - 100; }", y)
    page.wait_for_timeout(100)
    assert not page.evaluate(VISIBLE_IN_COLUMN, partner)
    page.hover(f'[id="claim-{key}"]')
    page.wait_for_timeout(200)
    assert page.evaluate(VISIBLE_IN_COLUMN, partner)
    assert page.locator(f'[id="claim-{partner}"]').get_attribute("class").count("is-partner") == 1
    # Level with the hovered highlight, as synchronised scrolling would put it.
    assert abs(page.evaluate(TOP_IN_COLUMN, key) - page.evaluate(TOP_IN_COLUMN, partner)) <= 4
    assert page.js_errors == []


VISIBLE_IN_COLUMN = """
(key) => {
  const m = document.querySelector(`[id="claim-${key}"]`);
  const c = m.closest('.compare-text').getBoundingClientRect(), r = m.getBoundingClientRect();
  return r.top >= c.top && r.bottom <= c.bottom;
}
"""


@pytest.mark.parametrize("width", [390, 320])
def test_on_a_phone_only_the_pair_table_scrolls_sideways_and_the_columns_stack(compare_page, width):
    page = compare_page(width, 844)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    columns = page.eval_on_selector_all(
        ".compare-column", "cs => cs.map(c => c.getBoundingClientRect().left)"
    )
    assert len(set(round(left) for left in columns)) == 1, "the columns are stacked, not side by side"
    box = page.evaluate(
        "() => { const b = document.querySelector('.pair-table .table-scroll');"
        " return [b.clientWidth, b.scrollWidth, getComputedStyle(b).overflowX]; }"
    )
    assert box[0] <= width and box[2] == "auto"
    if width == 390:
        shot(page, "compare-phone", full_page=False)
        page.locator(".pair-table").scroll_into_view_if_needed()
        shot(page, "compare-phone-pairs", full_page=False)
    assert page.js_errors == []


def test_a_focused_pair_of_nested_highlights_has_one_clean_outline(compare_page):
    # c000-tone-sentence contains c000-tone; focusing a pair on either end outlines
    # the outer highlight only, each line of a wrapped piece closed on its own.
    link = ClaimLink.objects.filter(from_claim__document__slug=CALIBER).order_by("pk").first()
    page = compare_page(1400, 900, f"{COMPARE}&pair={link.pk}#pair-position")
    page.wait_for_selector("mark.is-current")
    page.hover(f'[id="claim-{link.from_claim_id}"]')
    styles = page.eval_on_selector_all(
        ".compare-text mark:is(.is-source, .is-partner, .is-current)",
        """ms => ms.map(m => {
            const s = getComputedStyle(m);
            const nested = !!m.parentElement.closest('mark.is-source, mark.is-partner, mark.is-current');
            return [nested, s.outlineStyle, s.boxShadow, s.boxDecorationBreak || s.webkitBoxDecorationBreak];
        })""",
    )
    assert styles
    for nested, outline, shadow, decoration in styles:
        assert decoration == "clone"
        if nested:
            assert (outline, shadow) == ("none", "none")
    assert any(nested for nested, *_ in styles) or len(styles) >= 2
    shot(page, "compare-pair-focused", full_page=False)
    assert page.js_errors == []


def test_compare_desktop_screenshot(compare_page):
    page = compare_page(1280, 900, f"/compare/?d={SPEECH}&d={CALIBER}&d={ESBATI}")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    shot(page, "compare-desktop", full_page=False)
    assert page.js_errors == []

"""The reader as a reader sees it, measured in Chromium at a desktop and a phone size:
the article's first line on the first screen, a readable measure, notes beside their
highlights, j/k stepping, the card a highlight shows on keyboard focus, and notes that
open inline on a phone. Screenshots go to artifacts/screenshots/ (not committed)."""

import time

import pytest

from archive.models import Document
from archive.services.seed import load_seed
from tests.paths import ROOT

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SPEECH = "khamenei-speech-on-recent-developments-in-syria-and-region"
SHOTS = ROOT / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Top of the article's first character, in page coordinates.
FIRST_LINE_TOP = """() => {
  const root = document.querySelector('#doc-text');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    if (node.parentElement.closest('[data-offset-ignore]')) continue;
    const at = node.nodeValue.search(/\\S/);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at); range.setEnd(node, at + 1);
    return range.getBoundingClientRect().top + window.scrollY;
  }
  return null;
}"""

# Characters on each full line of the longest plain paragraph (one text node).
LINE_LENGTHS = """() => {
  const root = document.querySelector('#doc-text');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let longest = null, node;
  while ((node = walker.nextNode())) {
    for (const piece of node.nodeValue.split('\\n')) {
      if (!longest || piece.length > longest.piece.length) longest = {node, piece, at: node.nodeValue.indexOf(piece)};
    }
  }
  const counts = new Map();
  for (let i = 0; i < longest.piece.length; i++) {
    const range = document.createRange();
    range.setStart(longest.node, longest.at + i); range.setEnd(longest.node, longest.at + i + 1);
    const top = Math.round(range.getBoundingClientRect().top);
    counts.set(top, (counts.get(top) || 0) + 1);
  }
  return Array.from(counts.values()).slice(0, -1);
}"""

NOTES_AND_MARKS = """() => Array.from(document.querySelectorAll('.claims-column [data-claim-card]')).map((card) => {
  const mark = document.getElementById(card.dataset.anchor);
  const c = card.getBoundingClientRect();
  return {card: [c.top + scrollY, c.bottom + scrollY], mark: mark ? mark.getBoundingClientRect().top + scrollY : null};
})"""


def shot(page, name, *, full_page=False):
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def wait_until(page, expression, timeout=10.0):
    """Poll ``expression`` until truthy (the page's CSP forbids wait_for_function)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {expression}")
        page.wait_for_timeout(50)


@pytest.fixture
def speech(db):
    load_seed()
    return Document.objects.get(slug=SPEECH)


@pytest.fixture
def open_reader(browser, live_server):
    contexts = []

    def open_at(viewport, url):
        context = browser.new_context(viewport=viewport, base_url=live_server.url, reduced_motion="reduce")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors
        page.goto(url)
        wait_until(page, "() => document.querySelector('.claims-column.is-margin, button.note-ref') !== null")
        return page

    yield open_at
    for context in contexts:
        context.close()


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_the_first_line_of_the_article_is_on_the_first_screen(open_reader, speech, viewport, name):
    page = open_reader(viewport, speech.get_absolute_url())
    top = page.evaluate(FIRST_LINE_TOP)
    shot(page, f"reader-{name}")
    assert top is not None and top < 600, f"first line at y={top}"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert not page.js_errors


def test_the_text_is_set_in_a_comfortable_measure(open_reader, speech):
    page = open_reader(DESKTOP, speech.get_absolute_url())
    lengths = page.evaluate(LINE_LENGTHS)
    assert lengths, "the longest paragraph fits on one line"
    assert all(55 <= n <= 80 for n in lengths), lengths
    assert 60 <= sum(lengths) / len(lengths) <= 75, lengths


def test_margin_notes_sit_level_with_their_highlights_without_overlapping(open_reader, speech):
    page = open_reader(DESKTOP, speech.get_absolute_url())
    notes = page.evaluate(NOTES_AND_MARKS)
    placed = [note for note in notes if note["mark"] is not None]
    assert len(placed) >= 5
    assert abs(placed[0]["card"][0] - placed[0]["mark"]) <= 3
    # A note is never above its highlight, and is level with it unless the note before pushed it down.
    for before, note in zip(notes, notes[1:], strict=False):
        assert note["card"][0] >= before["card"][1], (before, note)
    for before, note in zip(placed, placed[1:], strict=False):
        assert note["card"][0] >= note["mark"] - 1
        if note["mark"] > before["card"][1] + 12:
            assert abs(note["card"][0] - note["mark"]) <= 3, note
    first = page.locator(".claims-column [data-claim-card]").first
    first.scroll_into_view_if_needed()
    page.evaluate("() => window.scrollBy(0, -200)")
    shot(page, "reader-desktop-margin-notes")


def test_j_and_k_step_through_the_claims_moving_focus_and_the_active_note(open_reader, speech):
    page = open_reader(DESKTOP, speech.get_absolute_url())
    keys = page.locator("#reader-keys")
    assert keys.is_visible() and "next claim" in keys.inner_text()
    marks = page.evaluate(
        "() => Array.from(document.querySelectorAll('#doc-text mark.hl-start[data-key]')).map(m => m.dataset.key)"
    )
    page.keyboard.press("j")
    assert page.evaluate("() => document.activeElement.dataset.key") == marks[0]
    page.keyboard.press("j")
    focused = page.evaluate("() => document.activeElement.dataset.key")
    assert focused == marks[1]
    assert (
        page.locator(f'[data-claim-card="{focused}"]').get_attribute("class").split().count("is-active") == 1
    )
    assert "Claim 2 of" in page.locator("#reader-status").inner_text()
    page.keyboard.press("k")
    assert page.evaluate("() => document.activeElement.dataset.key") == marks[0]
    # Typing in a field is typing, not stepping.
    page.locator("#compare-with").focus()
    page.keyboard.press("j")
    assert page.evaluate("() => document.activeElement.id") == "compare-with"
    assert page.locator("#compare-with").input_value() == "j"


def test_a_highlight_focused_by_keyboard_shows_its_claimant_kind_and_status(open_reader, speech):
    page = open_reader(DESKTOP, speech.get_absolute_url())
    first = page.locator("#doc-text mark.hl-start[data-key]").first
    key = first.get_attribute("data-key")
    card = page.locator(f'[data-claim-card="{key}"]')
    page.keyboard.press("Tab")
    while page.evaluate("() => !document.activeElement.matches('#doc-text mark')"):
        page.keyboard.press("Tab")
    tip = page.locator("#highlight-card")
    assert tip.is_visible()
    text = tip.inner_text()
    for attribute in ("data-kind-label", "data-claimant", "data-status-label"):
        assert card.get_attribute(attribute) in text
    assert page.evaluate("() => document.activeElement.getAttribute('aria-describedby')") == "highlight-card"
    shot(page, "reader-desktop-highlight-card")
    page.keyboard.press("Escape")
    assert not tip.is_visible()


def test_on_a_phone_a_note_opens_inline_after_its_highlight(open_reader, speech):
    page = open_reader(PHONE, speech.get_absolute_url())
    button = page.locator("button.note-ref").first
    button.scroll_into_view_if_needed()
    label = button.get_attribute("aria-label")
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    note = page.locator(".inline-note").first
    assert note.is_visible()
    claimant = label.split(": ", 1)[1].split(" by ", 1)[1].split(",")[0]
    assert claimant in note.inner_text()
    # The note is not part of the text a selection counts in.
    assert page.evaluate(
        "() => window.MarginsSelection.textOf(document.querySelector('#doc-text')).length"
    ) == len(Document.objects.get(slug=SPEECH).text)
    page.evaluate("() => window.scrollBy(0, -120)")
    shot(page, "reader-phone-note-open")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_claim_page_screenshots(browser, live_server, speech, viewport, name):
    claim = speech.claims.order_by("start").first()
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    page = context.new_page()
    page.goto(claim.get_absolute_url())
    facts = page.locator(".claim-facts").bounding_box()
    shot(page, f"claim-{name}")
    context.close()
    assert facts["y"] < viewport["height"] / 2


CLS_OBSERVER = """
window.__layoutShift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) { if (!entry.hadRecentInput) window.__layoutShift += entry.value; }
}).observe({type: 'layout-shift', buffered: true});
"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_reader_does_not_shift_while_its_scripts_place_the_notes(browser, live_server, speech, viewport):
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    context.add_init_script(CLS_OBSERVER)
    page = context.new_page()
    page.goto(speech.get_absolute_url())
    wait_until(page, "() => document.querySelector('.claims-column.is-margin, button.note-ref') !== null")
    page.wait_for_timeout(500)
    shift = page.evaluate("window.__layoutShift")
    context.close()
    assert shift <= 0.05

"""The reader in a real browser: highlighting, moving and deleting claims
without reloading, passage links a colleague can open, and keyboard use."""

import time

import pytest
from django.contrib.auth.models import Group, User

from archive.models import Claim, ClaimEvent, Document, Visibility
from archive.services.imports import create_document
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.factories import make_claim, make_document

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FILLER = "".join(
    f"Paragraph {n} of the transcript records routine remarks about the weather.\n" for n in range(60)
)
TEXT = (
    "The ambassador opened the ceremony in Damascus.\n"
    "He said the assassination was a violation of international law.\n"
    + FILLER
    + "Finally he promised that the expulsion of American forces would be the real revenge.\n"
    "The evening ended with prayers.\n"
)
OPENING = "He said the assassination was a violation of international law."
CLOSING = "the expulsion of American forces would be the real revenge"

# Selects text[start:end] of the reading text (offsets counted as reader.js
# counts them) and releases the mouse, as a drag would.
SELECT = """
([start, end]) => {
  const root = document.querySelector('#doc-text');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => n.parentElement.closest('[data-offset-ignore]') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const range = document.createRange();
  let position = 0, started = false, node;
  while ((node = walker.nextNode())) {
    const length = node.nodeValue.length;
    if (!started && start < position + length) { range.setStart(node, start - position); started = true; }
    if (started && end <= position + length) { range.setEnd(node, end - position); break; }
    position += length;
  }
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
}
"""

IN_VIEWPORT = """
(el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }
"""


@pytest.fixture
def analyst_name(db):
    user = User.objects.create_user("browser-ana", "ba@example.org", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Analysts"))
    return user.username


@pytest.fixture
def document(db):
    return make_document(TEXT, title="Anniversary remarks", slug="anniversary-remarks")


def wait_until(page, expression, arg=None, timeout=10.0):
    """Poll ``expression`` (a JS function) until it is truthy; the page's CSP forbids wait_for_function."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {expression}")
        page.wait_for_timeout(50)


def select(page, quote, text=TEXT):
    start = text.index(quote)
    page.evaluate(SELECT, [start, start + len(quote)])
    page.wait_for_selector("#selection-toolbar:not([hidden])")
    return start, start + len(quote)


def open_reader(page, document):
    page.goto(document.get_absolute_url())
    page.wait_for_selector("#doc-text")


def test_analyst_highlights_a_selection_as_a_claim_without_reloading(page, analyst_name, document, khamenei):
    sign_in(page, analyst_name)
    open_reader(page, document)
    page.evaluate("window.beforeSaving = 'still here'")

    start, end = select(page, OPENING)
    page.click("#selection-toolbar [data-action=highlight]")
    page.wait_for_selector("#claim-dialog[open]")
    assert page.text_content("#claim-dialog [data-quote]") == OPENING
    page.type("#claimant-search", "Imam Khamenei")
    page.wait_for_selector('#claimant-options option[value="Ali Khamenei"]', state="attached")
    # Picking a datalist suggestion puts its value in the field.
    page.fill("#claimant-search", "Ali Khamenei")
    wait_until(page, "() => document.querySelector('#claim-dialog [name=claimant]').value !== ''")
    page.select_option("#claim-kind", "accusation")
    page.fill("#claim-tags", "soleimani, law")
    page.click("#claim-dialog [type=submit]")

    mark = page.wait_for_selector("#doc-text mark[data-key]:not([data-key=passage])")
    claim = Claim.objects.get()
    assert mark.get_attribute("data-key") == str(claim.pk)
    assert page.evaluate("window.beforeSaving") == "still here"
    assert not page.is_visible("#claim-dialog")
    assert (claim.start, claim.end, claim.quote) == (start, end, OPENING)
    assert claim.claimant == khamenei
    assert claim.kind == "accusation"
    assert sorted(claim.tags.names()) == ["law", "soleimani"]
    assert page.is_visible(f'[data-claim-card="{claim.pk}"]')
    assert page.js_errors == []


def test_analyst_edits_a_claim_and_keeps_what_was_not_touched(page, analyst_name, document, khamenei):
    claim = make_claim(
        document,
        OPENING,
        claimant=khamenei,
        kind=Claim.Kind.ACCUSATION,
        note="Said at the ceremony.",
        tags=["law", "soleimani"],
    )
    sign_in(page, analyst_name)
    open_reader(page, document)

    page.click(f'[data-claim-action=edit][data-claim-id="{claim.pk}"]')
    page.wait_for_selector("#claim-dialog[open]")
    # Every field of the claim is filled in from its card (the list comes from the server).
    assert page.input_value("#claimant-search") == "Ali Khamenei"
    assert page.input_value("#claim-dialog [name=claimant]") == str(khamenei.pk)
    assert page.input_value("#claim-kind") == "accusation"
    assert sorted(page.input_value("#claim-tags").split(", ")) == ["law", "soleimani"]
    assert page.input_value("#claim-note") == "Said at the ceremony."
    assert page.input_value("#claim-visibility") == claim.visibility
    page.select_option("#claim-status", "disputed")
    page.click("#claim-dialog [type=submit]")

    wait_until(page, "() => !document.querySelector('#claim-dialog').open")
    claim.refresh_from_db()
    assert claim.status == "disputed"
    assert (claim.claimant, claim.kind, claim.note) == (khamenei, "accusation", "Said at the ceremony.")
    assert sorted(claim.tags.names()) == ["law", "soleimani"]
    assert page.js_errors == []


def test_analyst_moves_a_highlight_to_new_text(page, analyst_name, document):
    claim = make_claim(document, OPENING)
    sign_in(page, analyst_name)
    open_reader(page, document)

    page.click(f'[data-claim-action=move][data-claim-id="{claim.pk}"]')
    page.wait_for_selector("body.is-moving")
    start, end = select(page, "The ambassador opened the ceremony")
    page.click("#selection-toolbar [data-action=move]")

    wait_until(
        page,
        f"() => document.querySelector('#claim-{claim.pk}') && "
        f"document.querySelector('#claim-{claim.pk}').textContent.includes('The ambassador opened')",
    )
    claim.refresh_from_db()
    assert (claim.start, claim.end, claim.quote) == (start, end, "The ambassador opened the ceremony")
    event = ClaimEvent.objects.get(claim=claim, action=ClaimEvent.Action.MOVED)
    assert event.detail["old"]["quote"] == OPENING
    assert not page.evaluate("document.body.classList.contains('is-moving')")
    assert page.js_errors == []


def test_analyst_deletes_a_claim_after_confirming(page, analyst_name, document):
    claim = make_claim(document, OPENING)
    sign_in(page, analyst_name)
    open_reader(page, document)
    messages = []

    def accept(dialog):
        messages.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.click(f'[data-claim-action=delete][data-claim-id="{claim.pk}"]')

    page.wait_for_selector(f'mark[data-key="{claim.pk}"]', state="detached")
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert ClaimEvent.objects.get(claim_pk=claim.pk, action=ClaimEvent.Action.DELETED)
    assert messages and OPENING[:40] in messages[0]
    assert page.is_visible("text=No claims have been highlighted in this document yet.")
    assert page.js_errors == []


def test_dismissing_the_delete_confirmation_keeps_the_claim(page, analyst_name, document):
    claim = make_claim(document, OPENING)
    sign_in(page, analyst_name)
    open_reader(page, document)
    page.on("dialog", lambda dialog: dialog.dismiss())
    page.click(f'[data-claim-action=delete][data-claim-id="{claim.pk}"]')
    page.wait_for_timeout(300)
    assert Claim.objects.filter(pk=claim.pk).exists()
    assert page.query_selector(f'mark[data-key="{claim.pk}"]')


def test_copied_passage_link_opens_at_the_passage_for_a_colleague(page, fresh_page, document):
    open_reader(page, document)
    select(page, CLOSING)
    page.click("#selection-toolbar [data-action=copy-link]")
    page.wait_for_selector("#selection-toolbar[data-last-link]", state="attached")
    link = page.get_attribute("#selection-toolbar", "data-last-link")
    assert "passage=" in link

    fresh_page.goto(link)
    mark = fresh_page.wait_for_selector("mark#passage")
    assert mark.text_content().endswith(CLOSING)
    assert fresh_page.evaluate(IN_VIEWPORT, mark)
    box = mark.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= 900
    assert fresh_page.is_visible("text=A colleague linked you to a passage")
    assert page.js_errors == []


def test_a_link_to_a_selection_longer_than_the_server_looks_up_opens_at_its_beginning(
    page, fresh_page, document
):
    open_reader(page, document)
    start = TEXT.index("Paragraph 3 of")
    page.evaluate(SELECT, [start, start + 800])
    page.wait_for_selector("#selection-toolbar:not([hidden])")
    page.click("#selection-toolbar [data-action=copy-link]")
    page.wait_for_selector("#selection-toolbar[data-last-link]", state="attached")
    link = page.get_attribute("#selection-toolbar", "data-last-link")

    fresh_page.goto(link)
    mark = fresh_page.wait_for_selector("mark#passage")
    assert mark.text_content().removeprefix("Linked passage: ") == TEXT[start : start + 500]
    assert not fresh_page.is_visible("text=The linked passage is no longer in this text")
    assert page.js_errors == []


def test_claim_short_link_opens_the_document_at_the_outlined_highlight(fresh_page, document):
    claim = make_claim(document, CLOSING)
    fresh_page.goto(f"/c/{claim.pk}")
    assert fresh_page.url.endswith(f"/claims/{claim.pk}/")

    fresh_page.click("text=Open in document")

    mark = fresh_page.wait_for_selector(f"#claim-{claim.pk}")
    wait_until(
        fresh_page, f"() => document.activeElement && document.activeElement.id === 'claim-{claim.pk}'"
    )
    assert fresh_page.evaluate(IN_VIEWPORT, mark)
    assert fresh_page.evaluate("(el) => getComputedStyle(el).outlineStyle", mark) != "none"


def test_keyboard_only_claim_from_a_quote(page, analyst_name, document):
    sign_in(page, analyst_name)
    open_reader(page, document)

    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim() === 'New claim from a quote'"):
            break
    else:
        pytest.fail("The “New claim from a quote” summary is not reachable with Tab.")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "quote"
    page.keyboard.type("The evening ended with prayers.")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "kind":
            break
    assert page.evaluate("document.activeElement.name") == "kind"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "accusation"
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    page.keyboard.press("Enter")

    page.wait_for_url("**/documents/anniversary-remarks/#claim-*")
    claim = Claim.objects.get()
    assert claim.quote == "The evening ended with prayers."
    assert claim.kind == "accusation"
    assert claim.start == TEXT.index("The evening ended")
    mark = page.wait_for_selector(f"#claim-{claim.pk}")
    assert page.evaluate(IN_VIEWPORT, mark)
    assert page.evaluate("document.activeElement.id") == f"claim-{claim.pk}"
    assert page.js_errors == []


def test_clicking_a_highlight_reveals_its_card_and_the_card_leads_back(page, document):
    claim = make_claim(document, CLOSING)
    other = make_claim(document, OPENING)
    open_reader(page, document)

    # A highlight can wrap over two lines: click the middle of its first line box.
    page.locator(f"#claim-{claim.pk}").scroll_into_view_if_needed()
    x, y = page.evaluate(
        "(id) => { const r = document.getElementById(id).getClientRects()[0]; return [r.left + r.width / 2, r.top + r.height / 2]; }",
        f"claim-{claim.pk}",
    )
    page.mouse.click(x, y)
    card = page.wait_for_selector(f'[data-claim-card="{claim.pk}"].is-active')
    assert page.evaluate(IN_VIEWPORT, card)
    assert "is-active" not in page.get_attribute(f'[data-claim-card="{other.pk}"]', "class")

    page.evaluate("window.scrollTo(0, 0)")
    mark = page.query_selector(f"#claim-{claim.pk}")
    assert not page.evaluate(IN_VIEWPORT, mark)
    page.click(f'[data-show-claim="{claim.pk}"]')
    wait_until(page, IN_VIEWPORT, mark)
    assert page.evaluate("location.hash") == f"#claim-{claim.pk}"
    assert "is-active" in mark.get_attribute("class")
    assert page.js_errors == []


def test_reader_runs_without_javascript_errors(page, analyst_name, document):
    make_claim(document, OPENING, visibility=Visibility.DRAFT)
    make_claim(document, CLOSING)
    open_reader(page, document)
    page.goto(document.get_absolute_url() + "?passage=the+real+revenge")
    page.wait_for_selector("mark#passage")
    sign_in(page, analyst_name)
    open_reader(page, document)
    select(page, "The evening ended")
    page.keyboard.press("Escape")
    assert page.js_errors == []


def highlight(page, quote, text):
    """Select ``quote`` in the reader, highlight it and save the dialog as it opens."""
    start, end = select(page, quote, text)
    page.click("#selection-toolbar [data-action=highlight]")
    page.wait_for_selector("#claim-dialog[open]")
    assert page.text_content("#claim-dialog [data-quote]") == quote
    page.click("#claim-dialog [type=submit]")
    page.wait_for_selector("#doc-text mark[data-key]:not([data-key=passage])")
    return start, end


def test_the_last_words_of_a_document_can_be_highlighted(page, analyst_name, db):
    # The page's text used to end with a newline the document does not have:
    # a selection in the last 32 characters carried it in its suffix and was refused.
    text = TEXT.rstrip("\n")  # as the cleaner leaves a reading text
    document = make_document(text, title="Closing remarks", slug="closing-remarks")
    sign_in(page, analyst_name)
    open_reader(page, document)

    start, end = highlight(page, "ended with prayers.", text)

    claim = Claim.objects.get()
    assert (claim.start, claim.end, claim.quote, claim.suffix) == (start, end, "ended with prayers.", "")
    assert end == len(text)
    assert page.js_errors == []


def test_a_passage_across_a_line_break_of_a_crlf_capture_can_be_highlighted(page, analyst_name, db):
    # The reading text of a CRLF capture kept its "\r"; the page's text has
    # none, so every selection's offsets and context disagreed with the server's.
    raw = TEXT.replace("\n", "\r\n")
    document, _cleaned = create_document(
        raw, fields={"slug": "crlf-remarks"}, capture_method=Document.CaptureMethod.FILE_IMPORT
    )
    assert "\r" not in document.text and document.raw_text == raw
    quote = "in Damascus.\nHe said the assassination"
    sign_in(page, analyst_name)
    open_reader(page, document)

    start, end = highlight(page, quote, document.text)

    claim = Claim.objects.get()
    assert (claim.start, claim.end, claim.quote) == (start, end, quote)
    assert page.js_errors == []


def script_errors(page):
    """Errors of the page's scripts; the browser's own log line for the expected 409 is not one."""
    return [error for error in page.js_errors if "409 (Conflict)" not in error]


def test_an_edit_of_a_claim_changed_meanwhile_is_refused_visibly_keeping_the_input(
    page, analyst_name, document
):
    from archive.services import annotations

    claim = make_claim(document, OPENING)
    sign_in(page, analyst_name)
    open_reader(page, document)
    # A colleague edits the claim after this page was rendered.
    annotations.update_claim(Claim.objects.get(pk=claim.pk), user=None, note="The colleague's note.")

    page.click(f'[data-claim-action=edit][data-claim-id="{claim.pk}"]')
    page.wait_for_selector("#claim-dialog[open]")
    page.fill("#claim-note", "My careful note.")
    page.click("#claim-dialog [type=submit]")

    page.wait_for_selector("#reader-alert:not([hidden])")
    assert "changed by someone else; reload to see the change" in page.text_content("#reader-alert")
    assert page.is_visible("#claim-dialog")
    assert "changed by someone else" in page.text_content("#claim-dialog [data-errors]")
    assert page.input_value("#claim-note") == "My careful note."
    assert Claim.objects.get(pk=claim.pk).note == "The colleague's note."
    assert script_errors(page) == []


def test_a_move_of_a_claim_changed_meanwhile_is_refused_visibly(page, analyst_name, document):
    from archive.services import annotations

    claim = make_claim(document, OPENING)
    sign_in(page, analyst_name)
    open_reader(page, document)
    annotations.update_claim(Claim.objects.get(pk=claim.pk), user=None, status="disputed")

    page.click(f'[data-claim-action=move][data-claim-id="{claim.pk}"]')
    page.wait_for_selector("body.is-moving")
    select(page, "The ambassador opened the ceremony")
    page.click("#selection-toolbar [data-action=move]")

    page.wait_for_selector("#reader-alert:not([hidden])")
    assert Claim.objects.get(pk=claim.pk).quote == OPENING
    assert script_errors(page) == []

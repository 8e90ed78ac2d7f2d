"""The "Cite" section in Chromium: Copy puts the citation on the clipboard and says
so; a copy the browser refuses is said where the visitor sees it, with the text
selected for Ctrl+C; the open section has no accessibility violations."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import _axe_violations
from tests.checkers import AXE, require
from tests.factories import make_claim, make_document, make_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TEXT = "The leader spoke. The occupied territories will be liberated by the youth. He ended there."
QUOTE = "The occupied territories will be liberated by the youth."


@pytest.fixture
def claim(db):
    document = make_document(TEXT, title="Speech on Syria", slug="speech-on-syria", byline="سخنرانی")
    return make_claim(document, QUOTE, claimant=make_person(name="Ali Khamenei", slug="ali-khamenei"))


def open_cite(page, url):
    page.goto(url)
    page.click(".cite summary")
    page.wait_for_selector("button[data-copy='cite-bib']", state="visible")


def test_copy_puts_the_citation_on_the_clipboard_and_says_so(page, claim):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_cite(page, claim.get_absolute_url())
    page.click("button[data-copy='cite-bib']")
    expect(page.locator("[data-cite-status]")).to_have_text("BibLaTeX copied to the clipboard.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.input_value("#cite-bib")
    assert copied.startswith("@online{speech-on-syria-nd-claim")
    assert f"Quote (claimant: Ali Khamenei): “{QUOTE}”" in copied
    assert page.js_errors == []


def test_a_refused_copy_is_reported_and_the_text_left_selected(page, claim):
    # The browser's clipboard refusing, as it does when permission is denied.
    page.add_init_script(
        "navigator.clipboard.writeText = () =>"
        " Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'));"
    )
    open_cite(page, claim.document.get_absolute_url())
    page.click("button[data-copy='cite-ris']")
    status = page.locator("[data-cite-status]")
    expect(status).to_have_text(
        "RIS could not be copied (Write permission denied.). "
        "The text is selected: press Ctrl+C (⌘C on a Mac) to copy it."
    )
    expect(status).to_be_visible()
    expect(status).to_have_class("cite-status is-error")
    selected = page.evaluate(
        "() => { const a = document.activeElement; return [a.id, a.selectionStart, a.selectionEnd, a.value.length]; }"
    )
    assert selected[0] == "cite-ris" and selected[1] == 0 and selected[2] == selected[3] > 0


def test_the_open_cite_section_has_no_axe_violations(browser, live_server, claim):
    require(AXE, "axe-core")
    # The site's CSP blocks injected scripts; this context lets the checker in.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url, bypass_csp=True
    )
    page = context.new_page()
    try:
        problems = {}
        for url in (claim.get_absolute_url(), claim.document.get_absolute_url()):
            open_cite(page, url)
            violations = _axe_violations(page)
            if violations:
                problems[url] = violations
        assert not problems, problems
    finally:
        context.close()

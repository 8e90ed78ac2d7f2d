"""The admin's selection tool in a real browser: an analyst selects a passage
of the reading text and the claim form is filled from it; the server stores
the span it checked."""

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from archive.models import Claim
from archive.services import annotations
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.factories import make_claim, make_document

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The phrase occurs twice, and a character outside the Basic Multilingual Plane
# comes first, so a wrong offset (UTF-16 units) or missing context would show.
TEXT = (
    "Statement 𝟙 of the council.\n\n"
    "The enemy will fail. We said it before: the enemy will fail, and the front will hold."
)
PHRASE = "enemy will fail"
PANEL = ".doc-text[data-admin-select]"
PREFILLED = "Claim pre-filled from your selection; choose claimant, kind and status, then Save."


def analysts_group():
    # The browser conftest restores the group after each flush.
    return Group.objects.get(name="Analysts")


@pytest.fixture
def analyst_in_browser(page):
    user = User.objects.create_user("sel", "sel@example.org", PASSWORD, is_staff=True)
    user.groups.add(analysts_group())
    sign_in(page, "sel")
    return user


def select_last(page, phrase):
    """Select the last occurrence of ``phrase`` in the panel's text, as a drag would."""
    page.evaluate(
        """([selector, phrase]) => {
            const panel = document.querySelector(selector);
            const walker = document.createTreeWalker(panel, NodeFilter.SHOW_TEXT);
            let node, target = null, at = -1;
            while ((node = walker.nextNode())) {
                const i = node.nodeValue.lastIndexOf(phrase);
                if (i !== -1) { target = node; at = i; }
            }
            const range = document.createRange();
            range.setStart(target, at);
            range.setEnd(target, at + phrase.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        [PANEL, phrase],
    )


def script_errors(page):
    """Script errors and CSP refusals. Failed loads are left out: the browser asks
    for a /favicon.ico nobody serves, and a missing script fails the steps anyway."""
    return [error for error in page.js_errors if not error.startswith("Failed to load resource")]


def choose_and_save(page, row):
    page.select_option(f"select[name=claims-{row}-kind]", Claim.Kind.PREDICTION)
    page.select_option(f"select[name=claims-{row}-status]", Claim.Status.DISPUTED)
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")


def assert_claim_on_the_second_occurrence(document):
    claim = Claim.objects.get(document=document)
    start = TEXT.rindex(PHRASE)
    assert (claim.start, claim.end, claim.quote) == (start, start + len(PHRASE), PHRASE)
    assert (claim.kind, claim.status) == (Claim.Kind.PREDICTION, Claim.Status.DISPUTED)


def test_selecting_a_passage_with_the_mouse_prefills_a_new_claim(page, analyst_in_browser):
    document = make_document(TEXT, title="Council statement")
    page.goto(f"/admin/archive/document/{document.pk}/change/")
    select_last(page, PHRASE)
    page.dispatch_event(PANEL, "mouseup")

    expect(page.locator("textarea[name=claims-0-quote]")).to_have_value(PHRASE)
    start = TEXT.rindex(PHRASE)
    expect(page.locator("textarea[name=claims-0-prefix]")).to_have_value(TEXT[start - 32 : start])
    expect(page.locator("textarea[name=claims-0-suffix]")).to_have_value(TEXT[start + len(PHRASE) :][:32])
    expect(page.locator("[data-admin-select-status]")).to_have_text(PREFILLED)
    focused = page.evaluate("document.activeElement.closest('.inline-related[id]')?.id")
    assert focused == "claims-0"

    choose_and_save(page, 0)
    assert_claim_on_the_second_occurrence(document)
    assert script_errors(page) == []


def test_keyboard_users_prefill_a_claim_with_the_button(page, analyst_in_browser):
    document = make_document(TEXT, title="Council statement")
    page.goto(f"/admin/archive/document/{document.pk}/change/")
    page.focus(PANEL)
    select_last(page, PHRASE)
    page.keyboard.press("Tab")
    expect(page.locator("[data-admin-select-button]")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("textarea[name=claims-0-quote]")).to_have_value(PHRASE)
    expect(page.locator("[data-admin-select-status]")).to_have_text(PREFILLED)
    choose_and_save(page, 0)
    assert_claim_on_the_second_occurrence(document)


def test_a_selection_right_after_a_paragraph_break_keeps_the_break_in_its_context(page, analyst_in_browser):
    document = make_document(TEXT, title="Council statement")
    page.goto(f"/admin/archive/document/{document.pk}/change/")
    select_last(page, "The enemy will fail.")
    page.dispatch_event(PANEL, "mouseup")
    expect(page.locator("textarea[name=claims-0-prefix]")).to_have_value("Statement 𝟙 of the council.\n\n")
    choose_and_save(page, 0)
    claim = Claim.objects.get(document=document)
    assert (claim.start, claim.quote) == (TEXT.index("The enemy"), "The enemy will fail.")


def test_a_second_selection_replaces_the_untouched_prefill_instead_of_adding_a_row(page, analyst_in_browser):
    document = make_document(TEXT, title="Council statement")
    page.goto(f"/admin/archive/document/{document.pk}/change/")
    select_last(page, "the front will hold")
    page.dispatch_event(PANEL, "mouseup")
    expect(page.locator("textarea[name=claims-0-quote]")).to_have_value("the front will hold")
    select_last(page, PHRASE)
    page.dispatch_event(PANEL, "mouseup")
    expect(page.locator("textarea[name=claims-0-quote]")).to_have_value(PHRASE)
    expect(page.locator("textarea[name=claims-1-quote]")).to_have_count(0)


def test_an_orphaned_claim_is_re_placed_by_selecting_its_new_passage(page, analyst_in_browser):
    document = make_document(TEXT, title="Council statement")
    claim = make_claim(document, "the front will hold")
    corrected = TEXT.replace("the front will hold", "our allies stand firm")
    annotations.correct_text(document, corrected, user=analyst_in_browser, reason="Checked against the video")
    claim.refresh_from_db()
    assert claim.orphaned

    page.goto(f"/admin/archive/claim/{claim.pk}/change/")
    expect(page.locator(".old-quote mark")).to_have_text("the front will hold")
    select_last(page, "our allies stand firm")
    page.click("[data-admin-select-button]")
    status = page.locator("[data-admin-select-status]")
    expect(status).to_contain_text("will be re-placed at “our allies stand firm”")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    claim.refresh_from_db()
    start = corrected.index("our allies stand firm")
    assert (claim.orphaned, claim.start, claim.end) == (False, start, start + len("our allies stand firm"))
    assert script_errors(page) == []

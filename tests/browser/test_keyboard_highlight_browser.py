"""Highlighting without a mouse: an analyst signs in, opens a document, enters the
keyboard highlighting mode, selects words and a sentence with keys, and saves a claim
through the same dialog the mouse opens. No step of these tests uses the mouse."""

import re

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from archive.models import Claim, Document, Person
from archive.services.seed import load_seed
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SPEECH = "khamenei-speech-on-recent-developments-in-syria-and-region"
# The words the mode steps through (reader.js): letters, digits and marks, joined by an apostrophe or hyphen.
WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


def sign_in_with_keys(page, username):
    page.goto("/accounts/login/")
    page.locator("input[name=username]").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.fixture
def analyst_at_the_speech(page):
    load_seed()
    user = User.objects.create_user("keys", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Analysts"))
    sign_in_with_keys(page, "keys")
    document = Document.objects.get(slug=SPEECH)
    page.goto(document.get_absolute_url())
    page.wait_for_load_state("load")
    return document


def test_an_analyst_highlights_a_phrase_and_saves_a_claim_without_the_mouse(page, analyst_at_the_speech):
    document = analyst_at_the_speech
    words = list(WORD.finditer(document.text))
    page.keyboard.press("h")
    help_line = page.locator("#keyboard-highlight-help")
    expect(help_line).to_be_visible()
    assert page.locator("#keyboard-highlight").get_attribute("aria-pressed") == "true"
    # At the top of the page the caret starts on the article's first word.
    assert page.evaluate("getSelection().toString()") == words[0].group()
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    for _ in range(3):
        page.keyboard.press("Shift+ArrowRight")
    expected = document.text[words[2].start() : words[5].end()]
    assert page.evaluate("getSelection().toString()") == expected
    assert expected in page.locator("#reader-status").inner_text()

    page.keyboard.press("Enter")
    dialog = page.locator("#claim-dialog")
    expect(dialog).to_be_visible()
    assert dialog.locator("[data-quote]").inner_text() == expected
    assert page.evaluate("document.activeElement.id") == "claimant-search"
    claimant = Person.objects.get(name="Ali Khamenei")
    page.keyboard.type(claimant.name)
    expect(page.locator(f'#claimant-options option[data-id="{claimant.pk}"]')).to_have_count(1)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "claim-kind"
    page.locator("#claim-kind").select_option(Claim.Kind.PREDICTION)
    page.locator("#claim-note").focus()
    page.keyboard.type("Made with the keyboard only.")
    page.locator("#claim-dialog [type=submit]").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()

    claim = Claim.objects.get(document=document, note="Made with the keyboard only.")
    assert claim.quote == expected
    assert (claim.start, claim.end) == (words[2].start(), words[5].end())
    assert (claim.claimant, claim.kind) == (claimant, Claim.Kind.PREDICTION)
    assert not page.js_errors


def test_sentence_keys_select_whole_sentences_and_escape_leaves_the_mode(page, analyst_at_the_speech):
    document = analyst_at_the_speech
    page.locator("#keyboard-highlight").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#keyboard-highlight-help")).to_be_visible()
    first = page.evaluate("getSelection().toString()")
    page.keyboard.press(")")
    sentence = page.evaluate("getSelection().toString()")
    # The next sentence: here the invocation between the title and the first paragraph.
    start = document.text.index(sentence)
    assert start > document.text.index(first)
    assert document.text[start - 2 : start] == "\n\n" or document.text[:start].rstrip()[-1] in '.!?…”’"'
    after = document.text[start + len(sentence) :]
    assert after.startswith("\n\n") or sentence.rstrip("”’\"'")[-1] in ".!?…"
    page.keyboard.press("Shift+Alt+ArrowRight")
    longer = page.evaluate("getSelection().toString()")
    assert longer.startswith(sentence) and len(longer) > len(sentence)
    page.keyboard.press("Escape")
    expect(page.locator("#keyboard-highlight-help")).to_be_hidden()
    assert page.locator("#keyboard-highlight").get_attribute("aria-pressed") == "false"
    # Outside the mode the arrows are the browser's again.
    page.keyboard.press("ArrowRight")
    assert page.evaluate("getSelection().toString()") in ("", longer)

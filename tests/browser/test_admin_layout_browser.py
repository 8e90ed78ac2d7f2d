"""The admin fits a 1,280 px window: the document change page does not scroll sideways,
a selection in its text brings the claim row it filled into view, the claim list gives
the quote room, and the claim add page shows the chosen document's text to select in."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from playwright.sync_api import expect

from archive.models import Document
from archive.services.seed import load_seed
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SPEECH = "khamenei-speech-on-recent-developments-in-syria-and-region"
PANEL = ".doc-text[data-admin-select]"


@pytest.fixture
def analyst_with_seed(page):
    load_seed()
    user = User.objects.create_user("fit", "fit@example.org", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Analysts"))
    sign_in(page, "fit")
    return Document.objects.get(slug=SPEECH)


def select_words(page):
    """Select the first four words of a long stretch of unhighlighted text in the panel."""
    return page.evaluate(
        """(selector) => {
            const panel = document.querySelector(selector);
            const walker = document.createTreeWalker(panel, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                if (!node.parentElement.closest('mark') && /\\w+ \\w+ \\w+ \\w+/.test(node.nodeValue)) break;
            }
            const match = node.nodeValue.match(/\\w+ \\w+ \\w+ \\w+/);
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
            return match[0];
        }""",
        PANEL,
    )


def in_viewport(page, selector):
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= 0 && box.bottom <= innerHeight;
        }""",
        selector,
    )


def test_the_document_change_page_fits_a_1280_pixel_window(page, analyst_with_seed):
    page.goto(reverse("admin:archive_document_change", args=[analyst_with_seed.pk]))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    raw = page.locator("pre.raw-capture")
    assert raw.evaluate("el => getComputedStyle(el).whiteSpace") == "pre-wrap"
    assert raw.evaluate("el => el.scrollHeight > el.clientHeight")
    first_fields = page.evaluate(
        """() => Array.from(document.querySelectorAll('#claims-group .inline-related:not(.empty-form)'))
            .map(claim => claim.querySelector('.form-row').className)"""
    )
    assert first_fields and all("field-quote" in row for row in first_fields)


def test_a_selection_in_the_admin_text_goes_to_a_visible_focused_claim_row(page, analyst_with_seed):
    page.goto(reverse("admin:archive_document_change", args=[analyst_with_seed.pk]))
    page.locator(PANEL).scroll_into_view_if_needed()
    words = select_words(page)
    page.dispatch_event(PANEL, "mouseup")
    row = "#claims-group .is-selected-row"
    expect(page.locator(row)).to_have_count(1)
    for _ in range(40):  # a smooth scroll takes a moment
        if in_viewport(page, row):
            break
        page.wait_for_timeout(100)
    assert in_viewport(page, row)
    assert page.evaluate(f"() => document.querySelector('{row}').contains(document.activeElement)")
    assert page.locator(f"{row} textarea[name$='-quote']").input_value() == words


def test_the_claim_list_gives_the_quote_at_least_40_percent_of_the_width(page, analyst_with_seed):
    page.goto(reverse("admin:archive_claim_changelist"))
    widths = page.evaluate(
        """() => ({quote: document.querySelector('#result_list th.column-excerpt').getBoundingClientRect().width,
                  table: document.querySelector('#result_list').getBoundingClientRect().width})"""
    )
    assert widths["quote"] >= 0.4 * widths["table"], widths
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_the_claim_add_page_shows_the_text_once_a_document_is_chosen(page, analyst_with_seed):
    page.goto(reverse("admin:archive_claim_add"))
    assert page.locator(PANEL).count() == 0
    page.locator("#id_document + .select2 .select2-selection").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("Syria")
    page.locator(".select2-results__option--highlighted").wait_for()
    page.keyboard.press("Enter")
    expect(page.locator(PANEL)).to_be_visible()
    words = select_words(page)
    page.dispatch_event(PANEL, "mouseup")
    expect(page.locator("#id_quote")).to_have_value(words)
    assert page.evaluate("document.activeElement.id") == "id_quote"

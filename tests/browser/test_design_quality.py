"""Every page checked by machines, and photographed for eyes.

For each page a visitor or an analyst reaches (list, search, reader, claim, person, tag,
source, compare and its diff, versions and their diff, the correction page, sign-in, the
admin's index, document change page and claim list, a 404):

- a screenshot at 1280×900 and at 390×844 in artifacts/screenshots/design/ (not committed),
  plus the reader with its selection toolbar open and compare with a pair focused;
- axe-core (WCAG 2.0/2.1/2.2 A and AA, with ``target-size`` enabled explicitly) on the DOM
  after the page's scripts ran, finds no violation;
- at 320 CSS px the page reflows without horizontal scrolling (WCAG 1.4.10); the compare
  page's columns stack, and its pair table scrolls inside its own box.
"""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from archive.models import ClaimLink, Document, DocumentVersion
from archive.services.annotations import correct_text
from archive.services.seed import load_seed
from tests.browser.conftest import sign_in
from tests.checkers import AXE, require
from tests.conftest import PASSWORD
from tests.paths import ROOT

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHOTS = ROOT / "artifacts" / "screenshots" / "design"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NARROWEST = {"width": 320, "height": 800}
SPEECH = "khamenei-speech-on-recent-developments-in-syria-and-region"

AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']},
    rules: {'target-size': {enabled: true}},
  });
  return result.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
    v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(' | '));
}"""

# Elements wider than the window, outermost first: what a reader would have to scroll sideways for.
# The compare page's pair table is the one exception the issue allows: it scrolls in its own box.
TOO_WIDE = """(limit) => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= limit + 1) continue;
    if (el.closest('.pair-table')) continue;
    if (out.some(o => o.el.contains(el))) continue;
    out.push({el, right: Math.round(box.right)});
  }
  return out.slice(0, 5).map(o => o.el.tagName.toLowerCase() + (o.el.id ? '#' + o.el.id : '') +
    (o.el.className && typeof o.el.className === 'string' ? '.' + o.el.className.trim().split(/\\s+/).join('.') : '') +
    ' right=' + o.right);
}"""


@pytest.fixture
def seeded_site(db):
    load_seed()
    analyst = User.objects.create_user("design-admin", password=PASSWORD, is_staff=True, is_superuser=True)
    analyst.groups.add(Group.objects.get(name="Analysts"))
    # The seed has no corrected text; one correction gives the versions pages two versions.
    corrected = Document.objects.exclude(slug=SPEECH).order_by("pk").first()
    correct_text(
        corrected,
        corrected.text.replace(" the ", " the  ", 1).replace("  ", " ") + "\n\n(Corrected.)",
        user=analyst,
        reason="A design check",
    )
    return analyst


def public_pages():
    documents = list(Document.objects.order_by("pk"))
    speech = Document.objects.get(slug=SPEECH)
    claim = speech.claims.order_by("pk").exclude(claimant=None).first()
    link = ClaimLink.objects.order_by("pk").first()
    compare = reverse("archive:compare") + "?" + "&".join(f"d={d.slug}" for d in documents[:2])
    corrected = DocumentVersion.objects.filter(number=2).select_related("document").first()
    tag = claim.tags.order_by("slug").first()
    pages = {
        "list": reverse("archive:document_list"),
        "search": reverse("archive:document_list") + "?q=syria+resist*",
        "reader": speech.get_absolute_url(),
        "claim": claim.get_absolute_url(),
        "person": claim.claimant.get_absolute_url(),
        "source": speech.source.get_absolute_url(),
        "compare": compare + f"&pair={link.pk}",
        "compare-diff": compare + "&mode=diff",
        "version": reverse("archive:document_version", args=[corrected.document.slug, 1]),
        "version-diff": reverse("archive:document_version_diff", args=[corrected.document.slug, 1, 2]),
        "login": reverse("login"),
        "not-found": "/documents/no-such-document/",
    }
    if tag is not None:
        pages["tag"] = reverse("archive:tag_detail", args=[tag.slug])
    return pages


def analyst_pages():
    speech = Document.objects.get(slug=SPEECH)
    return {
        "reader-analyst": speech.get_absolute_url(),
        "correct": reverse("archive:document_correct", args=[speech.slug]),
        "admin-index": reverse("admin:index"),
        "admin-document-change": reverse("admin:archive_document_change", args=[speech.pk]),
        "admin-claim-changelist": reverse("admin:archive_claim_changelist"),
        "admin-claim-add": reverse("admin:archive_claim_add"),
    }


@pytest.fixture
def open_context(browser, live_server):
    contexts = []

    def open_with(viewport):
        # bypass_csp lets the checker in; the CSP itself is tested elsewhere.
        context = browser.new_context(viewport=viewport, base_url=live_server.url, bypass_csp=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield open_with
    for context in contexts:
        context.close()


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def visit(page, url):
    page.goto(url)
    page.wait_for_load_state("load")
    # Module scripts and margin notes settle after load; give them a frame or two.
    page.wait_for_timeout(150)


def axe_violations(page):
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN)


def horizontal_overflow(page, width):
    if page.evaluate("() => document.documentElement.scrollWidth") <= width:
        return []
    return page.evaluate(TOO_WIDE, width)


def check_pages(page, pages, viewport, label):
    problems = {}
    for name, url in pages.items():
        visit(page, url)
        shot(page, f"{name}-{label}")
        violations = axe_violations(page)
        if violations:
            problems[f"{name} {url} axe"] = violations
        wide = horizontal_overflow(page, viewport["width"])
        if wide:
            problems[f"{name} {url} wider than {viewport['width']}"] = wide
    return problems


def report(problems):
    return "\n".join(f"{where}:\n  " + "\n  ".join(found) for where, found in problems.items())


def sign_in_as_analyst(page):
    sign_in(page, "design-admin")


@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_every_public_page_passes_axe_and_fits_the_window(open_context, seeded_site, viewport, label):
    require(AXE, "axe-core")
    page = open_context(viewport)
    problems = check_pages(page, public_pages(), viewport, label)
    assert not problems, report(problems)


@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_every_analyst_and_admin_page_passes_axe_and_fits_the_window(
    open_context, seeded_site, viewport, label
):
    require(AXE, "axe-core")
    page = open_context(viewport)
    sign_in_as_analyst(page)
    problems = check_pages(page, analyst_pages(), viewport, label)
    assert not problems, report(problems)


def test_the_reader_with_its_toolbar_open_passes_axe(open_context, seeded_site):
    require(AXE, "axe-core")
    page = open_context(DESKTOP)
    sign_in_as_analyst(page)
    visit(page, reverse("archive:document_detail", args=[SPEECH]))
    page.evaluate(
        """() => {
          const root = document.querySelector('#doc-text');
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          let node;
          while ((node = walker.nextNode())) {
            if (!node.parentElement.closest('mark, [data-offset-ignore]') && node.nodeValue.trim().length > 40) break;
          }
          const at = node.nodeValue.search(/\\S/);
          const range = document.createRange();
          range.setStart(node, at); range.setEnd(node, at + 30);
          getSelection().removeAllRanges(); getSelection().addRange(range);
          window.scrollTo(0, range.getBoundingClientRect().top + window.scrollY - 250);
          document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
        }"""
    )
    page.wait_for_timeout(100)
    assert page.locator("#selection-toolbar").is_visible()
    shot(page, "reader-toolbar-open-desktop")
    assert not axe_violations(page)


def test_compare_with_a_pair_focused_passes_axe(open_context, seeded_site):
    require(AXE, "axe-core")
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = open_context(viewport)
        visit(page, public_pages()["compare"])
        focusable = page.locator(".pair-table th button").first
        if focusable.count():
            focusable.focus()
            page.keyboard.press("Enter")
            page.wait_for_timeout(200)
        shot(page, f"compare-pair-focused-{label}")
        assert not axe_violations(page), label


def test_every_page_reflows_at_320_css_pixels(open_context, seeded_site):
    page = open_context(NARROWEST)
    problems = {}
    for name, url in public_pages().items():
        visit(page, url)
        wide = horizontal_overflow(page, NARROWEST["width"])
        if wide:
            problems[name] = wide
    sign_in_as_analyst(page)
    for name, url in analyst_pages().items():
        visit(page, url)
        wide = horizontal_overflow(page, NARROWEST["width"])
        if wide:
            problems[name] = wide
    assert not problems, report(problems)


def test_on_a_phone_the_list_shows_documents_on_the_first_screen_with_the_filters_folded(
    open_context, seeded_site
):
    page = open_context(PHONE)
    visit(page, reverse("archive:document_list"))
    filters = page.locator("details.more-filters")
    assert filters.get_attribute("open") is None
    first_card = page.locator(".card").first.bounding_box()
    assert first_card["y"] < PHONE["height"] - 100, first_card
    # A filter in use keeps them open, with the choice visible.
    visit(page, reverse("archive:document_list") + "?kind=news")
    assert page.locator("details.more-filters").get_attribute("open") is not None
    assert page.locator("select[name=kind]").is_visible()


def test_without_javascript_the_folded_filters_still_open_and_apply(browser, live_server, seeded_site):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(reverse("archive:document_list"))
        page.locator("details.more-filters > summary").focus()
        page.keyboard.press("Enter")
        assert page.locator("select[name=kind]").is_visible()
        page.locator("select[name=kind]").select_option("news")
        with page.expect_navigation():
            page.locator("details.more-filters button[type=submit]").press("Enter")
        assert "kind=news" in page.url
    finally:
        context.close()


def test_dark_mode_keeps_every_contrast_on_the_reader_and_the_list(open_context, seeded_site):
    require(AXE, "axe-core")
    page = open_context(DESKTOP)
    page.emulate_media(color_scheme="dark")
    problems = {}
    for name, url in (("reader", public_pages()["reader"]), ("list", public_pages()["list"])):
        visit(page, url)
        shot(page, f"{name}-dark-desktop")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(21, 22, 23)", background
        violations = axe_violations(page)
        if violations:
            problems[name] = violations
    assert not problems, report(problems)


def test_with_reduced_motion_nothing_scrolls_smoothly_or_animates(open_context, seeded_site):
    page = open_context(DESKTOP)
    page.emulate_media(reduced_motion="reduce")
    visit(page, public_pages()["reader"])
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"
    page.keyboard.press("j")
    page.wait_for_timeout(50)
    assert page.evaluate("document.getAnimations().length") == 0


def test_the_reader_prints_its_highlights_with_glyphs_and_its_claims_as_footnotes(open_context, seeded_site):
    page = open_context(DESKTOP)
    visit(page, public_pages()["reader"])
    page.emulate_media(media="print")
    page.wait_for_timeout(100)
    hidden = page.evaluate(
        """() => ['.site-header', '.site-footer', '.reader-side', 'form', '#reader-keys']
            .filter(s => document.querySelector(s))
            .filter(s => getComputedStyle(document.querySelector(s)).display !== 'none')"""
    )
    assert hidden == []
    notes = page.evaluate(
        """() => Array.from(document.querySelectorAll('#doc-text mark.hl-end[data-note]')).map(m => ({
            n: m.dataset.note, key: m.dataset.key, marker: getComputedStyle(m, '::after').content,
            glyph: getComputedStyle(document.querySelector('#doc-text mark.hl-start[data-key="' + m.dataset.key + '"]'), '::before').content,
            fill: getComputedStyle(m).backgroundColor}))"""
    )
    assert notes and all(note["marker"] == f'"[{note["n"]}]"' for note in notes), notes[:3]
    assert all(note["glyph"] not in ("none", "normal", "") for note in notes)
    assert all(note["fill"] != "rgba(0, 0, 0, 0)" for note in notes)
    cards = page.evaluate(
        """() => {
            const text = document.querySelector('#doc-text').getBoundingClientRect();
            return Array.from(document.querySelectorAll('.claims-column .claim-card')).map((card, i) => ({
                key: card.dataset.claimCard, marker: getComputedStyle(card, '::before').content,
                position: getComputedStyle(card).position, below: card.getBoundingClientRect().top >= text.bottom}));
        }"""
    )
    # Each note is numbered by a counter over the list, the order the highlights' numbers follow.
    assert all(card["marker"] == '"[" counter(note) "]"' for card in cards), cards[:3]
    assert all(cards[int(note["n"]) - 1]["key"] == note["key"] for note in notes)
    assert all(card["position"] == "static" and card["below"] for card in cards)
    page.screenshot(path=str(SHOTS / "reader-print.png"), full_page=False)
    page.pdf(path=str(SHOTS / "reader-print.pdf"))
    assert (SHOTS / "reader-print.pdf").stat().st_size > 10_000

"""axe-core finds no WCAG 2 A/AA violations on the main pages, for visitors and analysts."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from archive.models import ClaimLink, Document
from archive.services.seed import load_seed
from tests.browser.conftest import sign_in
from tests.checkers import AXE, require
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def page(browser, live_server):
    # The site's CSP (rightly) blocks injected scripts; this context lets the
    # checker in. The CSP itself is tested elsewhere.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _axe_violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}});
            return r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
                v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }"""
    )
    return result


def _urls():
    documents = list(Document.objects.order_by("pk"))
    claim = documents[0].claims.order_by("pk").first()
    link = ClaimLink.objects.order_by("pk").first()
    compare = reverse("archive:compare") + "?" + "&".join(f"d={d.slug}" for d in documents[:3])
    return [
        reverse("archive:document_list"),
        reverse("archive:document_list") + "?q=syria+resist*",
        documents[0].get_absolute_url(),
        documents[1].get_absolute_url() + "?passage=" + documents[1].text[200:260].replace(" ", "+"),
        claim.get_absolute_url(),
        compare + f"&pair={link.pk}",
        reverse("login"),
    ]


def test_public_pages_have_no_axe_violations(page):
    require(AXE, "axe-core")
    load_seed()
    problems = {}
    for url in _urls():
        page.goto(url)
        violations = _axe_violations(page)
        if violations:
            problems[url] = violations
    assert not problems, problems


def test_analyst_reader_and_compare_pages_have_no_axe_violations(page):
    require(AXE, "axe-core")
    load_seed()
    user = User.objects.create_user("axe-ana", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Analysts"))
    sign_in(page, "axe-ana")
    problems = {}
    documents = list(Document.objects.order_by("pk"))
    for url in [*_urls()[1:2], _urls()[4], reverse("archive:document_correct", args=[documents[0].slug])]:
        page.goto(url)
        violations = _axe_violations(page)
        if violations:
            problems[url] = violations
    assert not problems, problems

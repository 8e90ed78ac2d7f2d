"""Playwright driving Debian's Chromium against Django's live server.

Without Chromium the browser tests skip and say how to enable them; CI sets
MARGINS_REQUIRE_BROWSER=1, which turns that skip into a failure.
"""

import os
import shutil

import pytest

from tests.conftest import PASSWORD, ensure_analysts_group

CHROMIUM = os.environ.get("MARGINS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOW_TO_ENABLE = (
    "Browser tests need Debian's Chromium at {path}: `apt-get install -y chromium` "
    "(or set MARGINS_CHROMIUM to its path). Never `playwright install`."
)


def _require_browser():
    if os.path.exists(CHROMIUM) or shutil.which(CHROMIUM):
        return
    message = HOW_TO_ENABLE.format(path=CHROMIUM)
    if os.environ.get("MARGINS_REQUIRE_BROWSER") == "1":
        pytest.fail("MARGINS_REQUIRE_BROWSER=1 but Chromium is missing. " + message, pytrace=False)
    pytest.skip(message)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _analysts_group(transactional_db):
    ensure_analysts_group()


@pytest.fixture(scope="session")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # the tests make between browser steps are still synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def fresh_page(browser, live_server):
    """A second, anonymous browser context (a colleague opening a link)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form [type=submit]")
    page.wait_for_load_state()

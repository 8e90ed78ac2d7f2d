"""Without Chromium the browser tests skip and say how to enable them; in CI they fail instead."""

import pytest
from _pytest.outcomes import Failed, Skipped

from tests.browser import conftest as browser_conftest


def test_missing_chromium_skips_with_instructions(monkeypatch):
    monkeypatch.setattr(browser_conftest, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("MARGINS_REQUIRE_BROWSER", raising=False)
    with pytest.raises(Skipped, match="apt-get install -y chromium"):
        browser_conftest._require_browser()


def test_missing_chromium_fails_when_ci_requires_the_browser(monkeypatch):
    monkeypatch.setattr(browser_conftest, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("MARGINS_REQUIRE_BROWSER", "1")
    with pytest.raises(Failed, match="MARGINS_REQUIRE_BROWSER=1 but Chromium is missing"):
        browser_conftest._require_browser()

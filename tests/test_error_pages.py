"""Error pages (400, 403, 404, 500 and the CSRF failure) as a visitor sees
them with DEBUG off: in the site's style, under the CSP, with no inline script
or style; the 500 page renders with nothing but settings."""

import re

import pytest
from django.test import Client, RequestFactory, override_settings
from django.views.defaults import server_error

INLINE = re.compile(r"<script(?![^>]*\bsrc=\"/static/)|<style|style=|\son[a-z]+=")

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.error_urls")]


def check_page(response, status, heading):
    assert response.status_code == status
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    page = response.content.decode("utf-8")
    assert f"<h1>{heading}</h1>" in page
    assert page.count("<h1>") == 1
    assert 'class="site-header"' in page and "/static/archive/site.css" in page
    assert not INLINE.search(page), page
    return page


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/test-errors/500/", 500, "Something went wrong"),
        ("/test-errors/403/", 403, "Not allowed"),
        ("/test-errors/400/", 400, "Bad request"),
        ("/no/such/page/", 404, "Not found"),
        ("/documents/no-such-document/", 404, "Not found"),
    ],
)
def test_error_pages_are_in_the_site_style_under_the_csp(url, status, heading):
    page = check_page(Client(raise_request_exception=False).get(url), status, heading)
    assert "a bug, on purpose" not in page and "Traceback" not in page


@override_settings(DEBUG=False)
def test_the_forbidden_page_offers_visitors_a_sign_in():
    page = check_page(Client().get("/test-errors/403/"), 403, "Not allowed")
    assert 'href="/accounts/login/?next=/test-errors/403/"' in page


@override_settings(DEBUG=False)
def test_a_rejected_form_token_gets_a_page_in_the_site_style():
    client = Client(enforce_csrf_checks=True)
    page = check_page(
        client.post("/accounts/login/", {"username": "x", "password": "y"}), 403, "Form expired"
    )
    assert "reload the page" in page


# No database marker: pytest-django refuses any query this test would make.
@pytest.mark.django_db(transaction=False, databases=[])
@override_settings(
    DEBUG=False,
    # A broken URLconf and static files whose manifest was never built: the
    # 500 page must not depend on either.
    ROOT_URLCONF="tests.no_such_urlconf",
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    },
)
def test_the_500_page_needs_no_request_context_database_urls_or_static_manifest():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode("utf-8")
    assert "<h1>Something went wrong</h1>" in page
    assert '<link rel="stylesheet" href="/static/archive/site.css">' in page
    assert not INLINE.search(page)


@override_settings(DEBUG=False)
def test_error_pages_are_valid_html(tmp_path):
    from tests.checkers import VNU, require
    from tests.test_html_validity import _validate

    require(VNU, "The Nu HTML checker (vnu-jar)")
    client = Client(raise_request_exception=False)
    pages = {
        url: client.get(url).content
        for url in ["/test-errors/500/", "/test-errors/403/", "/test-errors/400/"]
    }
    pages["csrf"] = Client(enforce_csrf_checks=True).post("/accounts/login/").content
    errors = _validate(tmp_path, pages)
    assert not errors, "\n".join(errors)

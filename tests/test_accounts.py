"""Accounts: sign-in throttling (django-axes) on the site and the admin, the
lockout page, and password reset by e-mail."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from archive.accounts import client_ip
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

INLINE = re.compile(r"<script(?![^>]*\bsrc=\"/static/)|<style|style=|\son[a-z]+=")


def html(response):
    return response.content.decode("utf-8")


def signed_in(client):
    return "_auth_user_id" in client.session


def fail(client, url, username, times):
    """``times`` wrong passwords; the last response."""
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "not the password"})
    return response


# --- Throttling -----------------------------------------------------------------


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_after_too_many_wrong_passwords_the_right_one_is_refused(url, analyst_user):
    client = Client()
    response = fail(client, url, "ana", settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200  # the form again, saying the password is wrong
    response = client.post(url, {"username": "ana", "password": "still wrong"})
    assert response.status_code == 429

    response = client.post(url, {"username": "ana", "password": PASSWORD})
    assert response.status_code == 429
    assert not signed_in(client)
    page = html(response)
    assert "<h1>Sign-in paused</h1>" in page
    assert (
        f"after {settings.AXES_FAILURE_LIMIT} failed attempts, signing in is refused for 15 minutes, "
        "even with the right password" in page
    )
    assert "<strong>ana</strong>" in page
    assert 'href="/accounts/password-reset/"' in page


def test_the_lockout_page_is_in_the_site_style_under_the_csp(reader_user):
    client = Client()
    response = fail(client, "/accounts/login/", "rea", settings.AXES_FAILURE_LIMIT - 1)
    response = client.post("/accounts/login/", {"username": "rea", "password": "nope"})
    assert response.status_code == 429
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    page = html(response)
    assert 'class="site-header"' in page and "/static/archive/site.css" in page
    assert not INLINE.search(page)


def test_fewer_failures_than_the_limit_still_let_the_right_password_in_and_are_then_forgotten(reader_user):
    client = Client()
    fail(client, "/accounts/login/", "rea", settings.AXES_FAILURE_LIMIT - 1)
    response = client.post("/accounts/login/", {"username": "rea", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in(client)
    client.logout()
    # The count started again after the successful sign-in.
    fail(client, "/accounts/login/", "rea", settings.AXES_FAILURE_LIMIT - 1)
    assert client.post("/accounts/login/", {"username": "rea", "password": PASSWORD}).status_code == 302


def test_the_lockout_is_for_one_user_name_from_one_address(reader_user, analyst_user):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    fail(attacker, "/accounts/login/", "rea", settings.AXES_FAILURE_LIMIT)
    assert attacker.post("/accounts/login/", {"username": "rea", "password": PASSWORD}).status_code == 429

    # The same user from elsewhere, and another user from the same address, still sign in.
    colleague = Client(REMOTE_ADDR="198.51.100.7")
    assert colleague.post("/accounts/login/", {"username": "rea", "password": PASSWORD}).status_code == 302
    assert attacker.post("/accounts/login/", {"username": "ana", "password": PASSWORD}).status_code == 302


def test_the_lockout_ends_after_the_cool_off(reader_user):
    client = Client()
    fail(client, "/accounts/login/", "rea", settings.AXES_FAILURE_LIMIT)
    assert client.post("/accounts/login/", {"username": "rea", "password": PASSWORD}).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - settings.AXES_COOLOFF_TIME - datetime.timedelta(1)
    )
    assert client.post("/accounts/login/", {"username": "rea", "password": PASSWORD}).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=2)
def test_the_failure_limit_is_the_setting(reader_user):
    client = Client()
    fail(client, "/accounts/login/", "rea", 1)
    assert client.post("/accounts/login/", {"username": "rea", "password": "x"}).status_code == 429


def test_client_address_is_remote_addr_unless_proxies_are_declared():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "10.0.0.2"  # a forwarded header nobody vouches for is ignored
    with override_settings(MARGINS_PROXY_COUNT=1):
        # The proxy appended what it saw; what the client sent before that is not trusted.
        assert client_ip(request) == "203.0.113.9"
    with override_settings(MARGINS_PROXY_COUNT=2):
        assert client_ip(request) == "6.6.6.6"
    with override_settings(MARGINS_PROXY_COUNT=3):
        assert client_ip(request) == "10.0.0.2"  # fewer hops than declared: fall back


@override_settings(MARGINS_PROXY_COUNT=1)
def test_behind_a_proxy_a_forged_forwarded_header_does_not_dodge_the_lockout(reader_user):
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9").post(
            "/accounts/login/", {"username": "rea", "password": "wrong"}
        )
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.9")
    assert client.post("/accounts/login/", {"username": "rea", "password": PASSWORD}).status_code == 429


# --- Password reset -------------------------------------------------------------


def reset_link(message):
    match = re.search(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_sign_in_pages_offer_a_password_reset(outsider):
    assert 'href="/accounts/password-reset/"' in html(outsider.get(reverse("login")))
    admin_login = html(outsider.get("/admin/login/"))
    assert 'href="/admin/password-reset/"' in admin_login
    assert outsider.get("/admin/password-reset/")["Location"] == "/accounts/password-reset/"


def test_password_reset_mails_a_link_that_sets_a_new_password(outsider, reader_user):
    response = outsider.post(reverse("password_reset"), {"email": "rea@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert "Check your e-mail" in html(outsider.get(response["Location"]))

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rea@example.org"]
    assert message.subject == "Margins: choose a new password"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "the Margins account rea at testserver" in message.body

    # The link swaps its token for a session and lands on the form.
    form_url = outsider.get(reset_link(message))["Location"]
    page = html(outsider.get(form_url))
    assert "<h1>Choose a new password</h1>" in page
    new = "a fresh and rather long passphrase"
    response = outsider.post(form_url, {"new_password1": new, "new_password2": new})
    assert response["Location"] == reverse("password_reset_complete")
    assert "Your new password is set" in html(outsider.get(response["Location"]))

    reader_user.refresh_from_db()
    assert reader_user.check_password(new)
    client = Client()
    assert client.post(reverse("login"), {"username": "rea", "password": PASSWORD}).status_code == 200
    assert client.post(reverse("login"), {"username": "rea", "password": new}).status_code == 302

    # The link works once.
    assert "<h1>Reset link not valid</h1>" in html(outsider.get(reset_link(message), follow=True))


def test_password_reset_applies_the_password_rules(outsider, reader_user):
    outsider.post(reverse("password_reset"), {"email": "rea@example.org"})
    form_url = outsider.get(reset_link(mail.outbox[0]))["Location"]
    response = outsider.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert "This password is too common." in html(response)
    reader_user.refresh_from_db()
    assert reader_user.check_password(PASSWORD)


def test_password_reset_does_not_say_whether_an_address_has_an_account(outsider, reader_user):
    response = outsider.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_password_reset_lifts_the_lockout(outsider, reader_user):
    client = Client()
    fail(client, "/accounts/login/", "rea", settings.AXES_FAILURE_LIMIT)
    assert client.post("/accounts/login/", {"username": "rea", "password": PASSWORD}).status_code == 429

    outsider.post(reverse("password_reset"), {"email": "rea@example.org"})
    form_url = outsider.get(reset_link(mail.outbox[0]))["Location"]
    new = "a fresh and rather long passphrase"
    outsider.post(form_url, {"new_password1": new, "new_password2": new})

    assert client.post("/accounts/login/", {"username": "rea", "password": new}).status_code == 302


def test_account_pages_are_in_the_site_style_under_the_csp(outsider, reader_user):
    outsider.post(reverse("password_reset"), {"email": "rea@example.org"})
    form_url = outsider.get(reset_link(mail.outbox[0]))["Location"]
    for url in [
        reverse("password_reset"),
        reverse("password_reset_done"),
        form_url,
        reverse("password_reset_complete"),
        "/accounts/reset/MQ/not-a-token/",
    ]:
        response = outsider.get(url)
        assert response.status_code == 200, url
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        page = html(response)
        assert 'class="site-header"' in page, url
        assert page.count("<h1>") == 1, url
        assert not INLINE.search(page), url


def test_account_pages_are_valid_html(outsider, reader_user, tmp_path):
    from tests.checkers import VNU, require
    from tests.test_html_validity import _validate

    require(VNU, "The Nu HTML checker (vnu-jar)")
    outsider.post(reverse("password_reset"), {"email": "rea@example.org"})
    form_url = outsider.get(reset_link(mail.outbox[0]))["Location"]
    pages = {url: outsider.get(url).content for url in [reverse("password_reset"), form_url]}
    pages["invalid form"] = outsider.post(form_url, {"new_password1": "1", "new_password2": "2"}).content
    pages["lockout"] = fail(Client(), "/accounts/login/", "rea", settings.AXES_FAILURE_LIMIT).content
    errors = _validate(tmp_path, pages)
    assert not errors, "\n".join(errors)

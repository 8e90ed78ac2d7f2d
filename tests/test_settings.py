"""Settings come from the environment through strict helpers; production
settings refuse unsafe values and pass ``check --deploy`` without warnings."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_path
from tests.paths import ROOT

PROD_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x" * 20 + "-a-long-and-unique-production-secret-for-tests-0123456789",
    "ALLOWED_HOSTS": "margins.example.org",
    "EMAIL_HOST": "smtp.example.org",
    "DEFAULT_FROM_EMAIL": "Margins <margins@example.org>",
}
# Variables the production runs set themselves; the caller's values never leak in.
_CONTROLLED = {
    "DEBUG",
    "DJANGO_ENV",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "EMAIL_HOST",
    "DEFAULT_FROM_EMAIL",
    "SESSION_COOKIE_AGE",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES",
}


def run_manage(*args, env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in _CONTROLLED}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "raw, expected", [("1", True), ("true", True), ("Yes", True), ("off", False), ("0", False)]
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("MARGINS_FLAG", raw)
    assert env_bool("MARGINS_FLAG") is expected


def test_env_bool_refuses_a_typo_instead_of_guessing(monkeypatch):
    monkeypatch.setenv("MARGINS_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="MARGINS_FLAG='ture' is not a boolean"):
        env_bool("MARGINS_FLAG")


def test_env_int_refuses_text_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("MARGINS_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("MARGINS_N", 1)
    monkeypatch.setenv("MARGINS_N", "-3")
    with pytest.raises(ImproperlyConfigured, match="below the minimum"):
        env_int("MARGINS_N", 1, minimum=0)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("MARGINS_HOSTS", " a.example , ,b.example")
    assert env_list("MARGINS_HOSTS") == ["a.example", "b.example"]


def test_production_settings_pass_check_deploy_without_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PROD_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"DEBUG": "1"}, "DEBUG must be off"),
        ({"SECRET_KEY": ""}, "SECRET_KEY must be a unique value"),
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must list"),
        ({"DJANGO_ENV": "prod"}, "DJANGO_ENV='prod'"),
        ({"EMAIL_HOST": None}, "EMAIL_HOST must name the SMTP server that sends password-reset e-mail"),
        ({"EMAIL_HOST": ""}, "EMAIL_HOST must name the SMTP server"),
        ({"DEFAULT_FROM_EMAIL": None}, "DEFAULT_FROM_EMAIL must give the address"),
        ({"SESSION_COOKIE_AGE": "two weeks"}, "SESSION_COOKIE_AGE='two weeks' is not an integer"),
        ({"AXES_FAILURE_LIMIT": "0"}, "AXES_FAILURE_LIMIT=0 is below the minimum of 1"),
    ],
)
def test_production_refuses_unsafe_settings_loudly(overrides, message):
    env = {**PROD_ENV, **overrides}
    env = {k: v for k, v in env.items() if v is not None}
    result = run_manage("check", env_overrides=env)
    assert result.returncode != 0
    assert message in result.stderr


def test_demo_secret_key_is_never_accepted_in_production():
    from config import settings as margins_settings

    env = {**PROD_ENV, "SECRET_KEY": margins_settings._DEV_SECRET}
    result = run_manage("check", env_overrides=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be a unique value" in result.stderr


def read_settings(*names, env_overrides):
    """The named settings as a fresh process sees them under ``env_overrides``."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: str(getattr(settings, n)) for n in {list(names)!r}}}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in _CONTROLLED}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env_overrides})
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_session_lifetime_and_sign_in_throttling_come_from_the_environment():
    assert read_settings(
        "SESSION_COOKIE_AGE", "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME", env_overrides={}
    ) == {
        "SESSION_COOKIE_AGE": str(14 * 24 * 3600),
        "AXES_FAILURE_LIMIT": "5",
        "AXES_COOLOFF_TIME": "0:15:00",
    }
    assert read_settings(
        "SESSION_COOKIE_AGE",
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_TIME",
        env_overrides={"SESSION_COOKIE_AGE": "3600", "AXES_FAILURE_LIMIT": "3", "AXES_COOLOFF_MINUTES": "90"},
    ) == {"SESSION_COOKIE_AGE": "3600", "AXES_FAILURE_LIMIT": "3", "AXES_COOLOFF_TIME": "1:30:00"}


def test_mail_is_printed_locally_and_sent_by_smtp_from_the_environment_in_production():
    names = (
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
    )
    local = read_settings(*names, env_overrides={})
    assert local["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    production = read_settings(
        *names,
        env_overrides={**PROD_ENV, "EMAIL_PORT": "465", "EMAIL_HOST_USER": "margins", "EMAIL_USE_TLS": "no"},
    )
    assert production == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": "465",
        "EMAIL_HOST_USER": "margins",
        "EMAIL_USE_TLS": "False",
        "DEFAULT_FROM_EMAIL": "Margins <margins@example.org>",
    }


def _conn_max_age(env_overrides):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in _CONTROLLED | {"DB_CONN_MAX_AGE"}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env_overrides})
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[-2:]


def test_production_workers_keep_their_database_connection_and_check_it_before_reuse():
    assert _conn_max_age(PROD_ENV) == ["60", "True"]
    assert _conn_max_age({**PROD_ENV, "DB_CONN_MAX_AGE": "0"}) == ["0", "True"]
    assert _conn_max_age({}) == ["0", "True"]


def test_production_keeps_pages_in_files_every_worker_shares(tmp_path):
    kept = read_settings("CACHES", env_overrides={**PROD_ENV, "MARGINS_CACHE_DIR": str(tmp_path)})["CACHES"]
    assert "FileBasedCache" in kept and str(tmp_path) in kept
    assert "LocMemCache" in read_settings("CACHES", env_overrides={})["CACHES"]


def test_env_path_refuses_a_relative_or_empty_path(monkeypatch):
    for raw in ("archive/text/embedding_model", "", "  "):
        monkeypatch.setenv("MARGINS_DIR", raw)
        with pytest.raises(ImproperlyConfigured, match="MARGINS_DIR=.* is not an absolute path"):
            env_path("MARGINS_DIR", "/unused")


def test_env_path_expands_the_home_folder_and_defaults_when_unset(monkeypatch):
    monkeypatch.setenv("HOME", "/home/margins")
    monkeypatch.setenv("MARGINS_DIR", "~/model")
    assert env_path("MARGINS_DIR", "/unused") == Path("/home/margins/model")

    monkeypatch.delenv("MARGINS_DIR")
    assert env_path("MARGINS_DIR", "/srv/model") == Path("/srv/model")

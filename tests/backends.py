"""Databases beside the test database, for round trips through other processes.

A round trip must cross a process boundary: the restored archive lives in
another database (SQLite file or PostgreSQL database), which ``manage.py``
reaches through its own DATABASE_URL. New databases are copied from a
template migrated once per session (a file copy; ``CREATE DATABASE …
TEMPLATE``), as migrating takes seconds.

PostgreSQL is the server the test database is on, or else
MARGINS_TEST_POSTGRES_URL (default ``postgresql://postgres@127.0.0.1:5432/postgres``).
When it cannot be reached the test skips, saying why, unless
MARGINS_REQUIRE_POSTGRES=1 (CI), which makes that a failure.
"""

import itertools
import os
import shutil
import subprocess
import sys
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.db import connection

from tests.paths import ROOT

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
_names = itertools.count(1)


def postgres_admin_url():
    """The URL of the ``postgres`` database on a reachable server, or skip (fail in CI)."""
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        credentials = quote(settings["USER"] or "postgres", safe="")
        if settings["PASSWORD"]:
            credentials += ":" + quote(settings["PASSWORD"], safe="")
        url = f"postgresql://{credentials}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/postgres"
    else:
        url = os.environ.get("MARGINS_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5):
            pass
    except psycopg.OperationalError as error:
        message = f"PostgreSQL is not reachable at {urlsplit(url).hostname}: {str(error).strip()}"
        if os.environ.get("MARGINS_REQUIRE_POSTGRES") == "1":
            pytest.fail("MARGINS_REQUIRE_POSTGRES=1 but " + message, pytrace=False)
        pytest.skip(message + " (set MARGINS_TEST_POSTGRES_URL, or MARGINS_REQUIRE_POSTGRES=1 to fail)")
    return url


def manage(url, *args, timeout=600):
    """Run ``manage.py *args`` against the database at ``url``; its stdout, or fail with its stderr."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    done = subprocess.run(
        [sys.executable, "manage.py", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        pytest.fail(f"manage.py {' '.join(map(str, args))} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done.stdout


def canonical_dump_of(url, path, *, passwords=False):
    """``backup.canonical_dump()`` of the database at ``url``, as a list of lines (through ``path``)."""
    script = (
        "import sys, django; django.setup(); "
        "from archive.services.backup import canonical_dump; "
        "open(sys.argv[1], 'w', encoding='utf-8').write("
        f"''.join(line + '\\n' for line in canonical_dump(passwords={passwords!r})))"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        pytest.fail(f"the canonical dump of {url} failed:\n{done.stderr[-3000:]}")
    return path.read_text(encoding="utf-8").splitlines()


class Databases:
    """New migrated databases of either kind, each copied from a template migrated once."""

    def __init__(self, directory):
        self.directory = directory
        self.templates = {}
        self.tag = f"margins_rt_{os.getpid()}"

    @staticmethod
    def _execute(admin, sql):
        import psycopg

        with psycopg.connect(admin, autocommit=True) as admin_connection:
            admin_connection.execute(sql)

    @staticmethod
    def _url(admin, name):
        return urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))

    def _template(self, vendor):
        if vendor not in self.templates:
            if vendor == "sqlite":
                url = f"sqlite:///{self.directory / 'template.sqlite3'}"
            else:
                admin = postgres_admin_url()
                name = f"{self.tag}_template"
                self._execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                self._execute(admin, f'CREATE DATABASE "{name}"')
                url = self._url(admin, name)
            manage(url, "migrate", "--no-input", "-v0")
            self.templates[vendor] = url
        return self.templates[vendor]

    def new(self, vendor):
        """``(url, drop)``: a new, migrated, empty database on ``vendor`` ("sqlite" or "postgresql")."""
        template = self._template(vendor)
        name = f"{self.tag}_{next(_names)}"
        if vendor == "sqlite":
            path = self.directory / f"{name}.sqlite3"
            shutil.copyfile(template.removeprefix("sqlite:///"), path)
            return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
        admin = postgres_admin_url()
        self._execute(admin, f'CREATE DATABASE "{name}" TEMPLATE "{urlsplit(template).path.strip("/")}"')
        return self._url(admin, name), lambda: self._execute(
            admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        )

    def drop_templates(self):
        if "postgresql" in self.templates:
            self._execute(postgres_admin_url(), f'DROP DATABASE IF EXISTS "{self.tag}_template" WITH (FORCE)')

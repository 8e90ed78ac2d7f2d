"""The test suite's settings: the real ones, with a fast password hasher.

PBKDF2 at Django's default work factor costs about 0.6 s per user created or
signed in; the suite creates hundreds. Nothing under test depends on the
hasher's strength.
"""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Whole pages are not kept for anonymous visitors in the suite: many tests change rows
# directly (``.save()``, ``.update()``), which a kept page would only see when it expires.
# tests/test_page_cache.py turns it on to test it.
MARGINS_PAGE_CACHE_SECONDS = 0

# Tasks are stored and not run: a test runs the worker's functions itself (tests/echoes/),
# or a real worker process against a database file (tests/echoes/test_worker.py).
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

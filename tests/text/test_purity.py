"""``archive.text`` stays pure: it may use Django's string helpers
(``django.utils``) but never the database, settings, requests or the app's
models and services, so each module can be tested on plain strings."""

import ast

import pytest

from tests.paths import ROOT

TEXT_MODULES = sorted((ROOT / "archive" / "text").glob("*.py"))
FORBIDDEN = (
    "archive.models",
    "archive.services",
    "archive.views",
    "archive.api",
    "django.db",
    "django.http",
    "django.conf",
)


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_the_text_package_has_its_modules():
    names = {path.stem for path in TEXT_MODULES}
    assert {"capture", "anchoring", "rendering", "diff", "similarity", "sanitize"} <= names


@pytest.mark.parametrize("path", TEXT_MODULES, ids=lambda path: path.name)
def test_text_module_imports_nothing_from_the_database_or_request_layers(path):
    bad = [name for name in imported_modules(path) if name.startswith(FORBIDDEN)]
    assert bad == [], f"{path.name} imports {bad}"

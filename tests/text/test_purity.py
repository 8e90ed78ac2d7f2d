"""``archive.text`` stays pure: it may use Django's string helpers
(``django.utils``) and a few libraries of plain values, but never the database,
settings, requests or the app's models and services, so each module can be
tested on plain strings."""

import ast
import sys

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
# Outside the standard library, what a text module may import (docs/architecture.md).
ALLOWED = (
    "archive.text",
    "django.utils",
    "rapidfuzz",
    "bleach",
    "markdown_it",
    # The sentence model (archive.text.embedding): arrays, ONNX Runtime, the tokenizer.
    "numpy",
    "onnxruntime",
    "tokenizers",
)


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            # ``from .x import y`` inside archive/text is archive.text.x.
            yield f"archive.text.{node.module}" if node.level == 1 else node.module


def test_the_text_package_has_its_modules():
    names = {path.stem for path in TEXT_MODULES}
    assert {"capture", "anchoring", "rendering", "diff", "similarity", "sanitize"} <= names


@pytest.mark.parametrize("path", TEXT_MODULES, ids=lambda path: path.name)
def test_text_module_imports_nothing_from_the_database_or_request_layers(path):
    bad = [name for name in imported_modules(path) if name.startswith(FORBIDDEN)]
    assert bad == [], f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", TEXT_MODULES, ids=lambda path: path.name)
def test_text_module_imports_only_the_standard_library_and_the_allowed_packages(path):
    outside = [
        name
        for name in imported_modules(path)
        if name.split(".")[0] not in sys.stdlib_module_names
        and not any(name == allowed or name.startswith(allowed + ".") for allowed in ALLOWED)
    ]
    assert outside == [], f"{path.name} imports {outside}"

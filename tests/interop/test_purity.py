"""``archive.interop`` stays pure: plain values in, JSON out, no database, settings or
requests (URLs come from a callable the caller passes)."""

import pytest

from tests.paths import ROOT
from tests.text.test_purity import imported_modules

INTEROP_MODULES = sorted((ROOT / "archive" / "interop").glob("*.py"))
FORBIDDEN = (
    "archive.models",
    "archive.services",
    "archive.views",
    "archive.api",
    "archive.annotation_export",
    "archive.annotation_views",
    "django.db",
    "django.http",
    "django.conf",
    "django.urls",
)


def test_the_interop_package_has_its_modules():
    assert {"w3c", "claimreview"} <= {path.stem for path in INTEROP_MODULES}


@pytest.mark.parametrize("path", INTEROP_MODULES, ids=lambda path: path.name)
def test_interop_module_imports_nothing_from_the_database_or_request_layers(path):
    bad = [name for name in imported_modules(path) if name.startswith(FORBIDDEN)]
    assert bad == [], f"{path.name} imports {bad}"

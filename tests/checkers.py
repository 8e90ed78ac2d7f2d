"""Where the offline page checkers live, and how a missing one is reported.

They come from npm (``make test`` installs them). Without them the checks
skip with a message; CI sets MARGINS_REQUIRE_CHECKERS=1, which makes a
missing checker a failure instead.
"""

import os
import shutil

import pytest

from tests.paths import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def require(path, what):
    if path.exists() and (path != VNU or shutil.which("java")):
        return path
    message = f"{what} is not installed: run `npm ci` in the repository (and have Java for the Nu checker)."
    if os.environ.get("MARGINS_REQUIRE_CHECKERS") == "1":
        pytest.fail("MARGINS_REQUIRE_CHECKERS=1 but " + message, pytrace=False)
    pytest.skip(message)

"""Where the repository's files are, for tests and checkers: never an absolute path."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "fixtures" / "captures"
# The original seeds sit in shared/ beside the repository, on developers' machines and in CI.
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"
# A Hypothesis export of annotations on the seed documents (see its README).
HYPOTHESIS_EXPORT = ROOT / "tests" / "fixtures" / "hypothesis" / "seed_export.json"

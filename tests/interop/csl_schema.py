"""The CSL-JSON data schema of the tests (tests/schemas/csl-data.json, written from
the CSL 1.0.2 specification), with format checking: URIs and dates are checked too."""

import functools
import json

from jsonschema import Draft202012Validator

from tests.paths import ROOT

SCHEMA = ROOT / "tests" / "schemas" / "csl-data.json"


@functools.cache
def validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def csl_errors(data):
    """Every way ``data`` (a parsed CSL-JSON document) breaks the schema, as readable lines."""
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in sorted(validator().iter_errors(data), key=lambda error: list(map(str, error.path)))
    ]

"""Our own JSON Schemas of the W3C Web Annotation Data Model's MUSTs (tests/schemas/w3c/),
and one way to check a document against them, with format checking on (URIs by
rfc3987, date-times by rfc3339-validator): a malformed IRI or date fails."""

import json

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tests.paths import ROOT

SCHEMAS = ROOT / "tests" / "schemas" / "w3c"
KINDS = ("annotation", "annotation-collection", "annotation-page")


def _load():
    contents = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(SCHEMAS.glob("*.json"))]
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in contents
    )
    by_name = {schema["$id"].rsplit("/", 1)[-1].removesuffix(".json"): schema for schema in contents}
    return {
        kind: Draft202012Validator(
            by_name[kind], registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        for kind in KINDS
    }


VALIDATORS = _load()


def errors(kind, document):
    """Every way ``document`` breaks the schema of ``kind``, as readable lines (empty: valid)."""
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.message}"
        for error in VALIDATORS[kind].iter_errors(document)
    ]


def assert_valid(kind, document):
    found = errors(kind, document)
    assert not found, "\n".join(found)

"""Our W3C Web Annotation schemas refuse what the model's MUSTs forbid.

Each case starts from a valid document and breaks one rule: a schema that let
it through would also let a broken export through.
"""

import copy
import json

import pytest

from tests.w3c_schemas import SCHEMAS, errors

ANNO = "http://www.w3.org/ns/anno.jsonld"
ANNOTATION = {
    "@context": [ANNO, "https://margins.example/ns/margins.jsonld"],
    "id": "https://margins.example/claims/1/",
    "type": "Annotation",
    "motivation": "highlighting",
    "created": "2025-01-02T10:30:15Z",
    "modified": "2025-01-03T10:30:15Z",
    "creator": {"type": "Person", "name": "Ana"},
    "body": [
        {"type": "TextualBody", "purpose": "commenting", "format": "text/html", "value": "<p>Note</p>"},
        {"type": "TextualBody", "purpose": "tagging", "value": "سوریه"},
    ],
    "target": {
        "type": "SpecificResource",
        "source": {"id": "https://margins.example/documents/speech/", "type": "Text", "language": "fa"},
        "scope": "https://example.org/speech",
        "selector": [
            {"type": "TextQuoteSelector", "exact": "آزاد خواهد شد", "prefix": "", "suffix": "."},
            {"type": "TextPositionSelector", "start": 10, "end": 23},
        ],
    },
}
PAGE = {
    "@context": [ANNO, "https://margins.example/ns/margins.jsonld"],
    "id": "https://margins.example/annotations/?page=2&after=100",
    "type": "AnnotationPage",
    "partOf": {"id": "https://margins.example/annotations/", "total": 150},
    "startIndex": 100,
    "prev": "https://margins.example/annotations/?page=1",
    "items": [{key: value for key, value in ANNOTATION.items() if key != "@context"}],
}
COLLECTION = {
    "@context": [ANNO, "https://margins.example/ns/margins.jsonld"],
    "id": "https://margins.example/annotations/",
    "type": "AnnotationCollection",
    "label": "Every claim",
    "total": 150,
    "first": {**{key: value for key, value in PAGE.items() if key != "@context"}, "startIndex": 0},
    "last": "https://margins.example/annotations/?page=2",
}


def broken(document, change):
    copied = copy.deepcopy(document)
    change(copied)
    return copied


def test_the_starting_documents_are_valid():
    assert errors("annotation", ANNOTATION) == []
    assert errors("annotation-page", PAGE) == []
    assert errors("annotation-collection", COLLECTION) == []


def test_every_schema_file_opens_with_a_comment_naming_the_spec_and_the_wpt_assertions():
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert next(iter(schema)) == "$comment", path.name
        assert "annotation-model" in schema["$comment"] or "Web Annotation Data Model" in schema["$comment"]
        assert "web-platform-tests" in schema["$comment"], path.name


def _set(path, value):
    def change(document):
        *parents, last = path
        for key in parents:
            document = document[key]
        if value is DELETE:
            del document[last]
        else:
            document[last] = value

    return change


DELETE = object()

ANNOTATION_BREAKS = {
    "no @context": _set(["@context"], DELETE),
    "a @context without the W3C one": _set(
        ["@context"], ["https://margins.example/ns/margins.jsonld", "x:y"]
    ),
    "the W3C context alone, in an array": _set(["@context"], [ANNO]),
    "no id": _set(["id"], DELETE),
    "an id that is not an IRI": _set(["id"], "claims 1"),
    "two ids": _set(["id"], ["https://a.example/1", "https://a.example/2"]),
    "a wrong type": _set(["type"], "Annotations"),
    "types without Annotation": _set(["type"], ["Note", "Comment"]),
    "no target": _set(["target"], DELETE),
    "an empty list of targets": _set(["target"], []),
    "a textual body as target": _set(["target"], {"type": "TextualBody", "value": "text"}),
    "a created date without a time": _set(["created"], "2025-01-02"),
    "a created time with an offset instead of Z": _set(["created"], "2025-01-02T13:30:15+03:00"),
    "a modified time that is no date": _set(["modified"], "2025-13-45T99:00:00Z"),
    "two created times": _set(["created"], ["2025-01-02T10:30:15Z", "2025-01-03T10:30:15Z"]),
    "a motivation outside the vocabulary": _set(["motivation"], "agreeing"),
    "a purpose outside the vocabulary": _set(["body", 1, "purpose"], "labelling"),
    "a textual body without value": _set(["body", 0, "value"], DELETE),
    "a textual body with a source": _set(["body", 0, "source"], "https://a.example/"),
    "body and bodyValue together": _set(["bodyValue"], "also this"),
    "a format that is no media type": _set(["body", 0, "format"], "html"),
    "a text direction outside ltr, rtl, auto": _set(["body", 0, "textDirection"], "right"),
    "a specific resource without source": _set(["target", "source"], DELETE),
    "a source without id": _set(["target", "source", "id"], DELETE),
    "a quote selector without exact": _set(["target", "selector", 0, "exact"], DELETE),
    "a quote selector with two prefixes": _set(["target", "selector", 0, "prefix"], ["a", "b"]),
    "a position selector with a negative start": _set(["target", "selector", 1, "start"], -1),
    "a position selector without end": _set(["target", "selector", 1, "end"], DELETE),
    "a position selector with a string start": _set(["target", "selector", 1, "start"], "10"),
    "a selector of an unknown type": _set(["target", "selector", 1, "type"], "PositionSelector"),
    "a scope that is not an IRI": _set(["target", "scope"], "the speech page"),
    "a creator agent with two ids": _set(["creator", "id"], ["https://a.example/1", "https://a.example/2"]),
    "an e-mail that is not a mailto: IRI": _set(["creator", "email"], "ana@example.org"),
    "rights that are not IRIs": _set(["rights"], "CC BY"),
}


@pytest.mark.parametrize("name", sorted(ANNOTATION_BREAKS))
def test_the_annotation_schema_refuses(name):
    assert errors("annotation", broken(ANNOTATION, ANNOTATION_BREAKS[name])) != []


PAGE_BREAKS = {
    "no @context": _set(["@context"], DELETE),
    "no id": _set(["id"], DELETE),
    "a wrong type": _set(["type"], "AnnotationCollection"),
    "no items": _set(["items"], DELETE),
    "an empty list of items": _set(["items"], []),
    "an item that is neither annotation nor IRI": _set(["items"], [{"id": "https://a.example/1"}]),
    "an embedded annotation that breaks a rule": _set(["items", 0, "created"], "yesterday"),
    "no partOf": _set(["partOf"], DELETE),
    "a partOf without the collection's id": _set(["partOf"], {"total": 150}),
    "a negative startIndex": _set(["startIndex"], -1),
    "a fractional startIndex": _set(["startIndex"], 1.5),
    "a next that is not an IRI": _set(["next"], "page 3"),
    "two prev pages": _set(["prev"], ["https://a.example/1", "https://a.example/2"]),
}


@pytest.mark.parametrize("name", sorted(PAGE_BREAKS))
def test_the_page_schema_refuses(name):
    assert errors("annotation-page", broken(PAGE, PAGE_BREAKS[name])) != []


COLLECTION_BREAKS = {
    "no @context": _set(["@context"], DELETE),
    "no id": _set(["id"], DELETE),
    "a wrong type": _set(["type"], "AnnotationPage"),
    "annotations but no first page": _set(["first"], DELETE),
    "a negative total": _set(["total"], -3),
    "a total that is text": _set(["total"], "150"),
    "a label that is not text": _set(["label"], 7),
    "a last page that is not an IRI": _set(["last"], "the end"),
    "an embedded first page without items": _set(["first", "items"], DELETE),
    "a modified time that is no date": _set(["modified"], "2025-02-30T10:00:00Z"),
}


@pytest.mark.parametrize("name", sorted(COLLECTION_BREAKS))
def test_the_collection_schema_refuses(name):
    assert errors("annotation-collection", broken(COLLECTION, COLLECTION_BREAKS[name])) != []


def test_an_empty_collection_needs_no_first_page():
    empty = broken(COLLECTION, lambda document: (document.pop("first"), document.pop("last")))
    empty["total"] = 0
    assert errors("annotation-collection", empty) == []

"""What an annotations file from another tool may hold, declared once.

Two formats are read:

- **W3C Web Annotations** (https://www.w3.org/TR/annotation-model/): one
  Annotation, a JSON array of them, an AnnotationPage (``items``) or an
  AnnotationCollection whose first page is embedded (``first.items``).
  ``target``, ``body``, ``selector``, ``motivation`` and ``scope`` may each be
  one value or an array; a target may be an address (string) or a resource
  (``source``, or ``id`` for an external web resource); a body may be an
  address (ignored: nothing is fetched), a ``TextualBody`` or anything else
  (ignored). Types are read with or without the ``oa:`` prefix.
- **Hypothesis**: its export file (``{export_date, export_userid,
  annotations: […]}``), an API search response (``{total, rows: […]}``), one
  API annotation or a JSON array of them.

These are real-world formats that grow, so keys this archive does not read
are ignored, but every key it reads must have the declared JSON type: nothing
is coerced (``"3"`` is not 3, ``1.0`` is not an integer, ``true`` is not a
number). Each annotation is checked on its own so that a refusal can name it:
``describe`` turns a pydantic error into ``target.selector[1].start: must be
an integer, not a string`` (the path as written in the file: an index only
where the file has an array). Whole-file problems (not JSON, not UTF-8, too
large, neither format) raise :class:`FileRefused`.
"""

import json
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from archive.services.shapes import DuplicateKey, no_duplicate_keys
from archive.validators import text_problem

# The largest file read, by the command and the upload page alike.
MAX_FILE_BYTES = 20 * 1024 * 1024
# Offsets are stored in 32-bit integers (PositiveIntegerField).
MAX_OFFSET = 2**31 - 1
# An annotation's id is kept, unique, to make a second import skip it; longer ids
# would not fit a unique index on every database.
MAX_ID_LENGTH = 500

W3C, HYPOTHESIS = "w3c", "hypothesis"
FORMATS = {W3C: "W3C Web Annotations", HYPOTHESIS: "Hypothesis"}


class FileRefused(ValueError):
    """The file cannot be read as annotations at all; nothing is imported."""


def json_type(value):
    """What a JSON value is, in the words of a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    names = {int: "an integer", float: "a number", str: "a string", list: "an array", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def local_name(value):
    """A W3C type or term without its ``oa:`` prefix or namespace, or None for a non-string."""
    if not isinstance(value, str):
        return None
    for prefix in ("http://www.w3.org/ns/oa#", "oa:", "as:", "http://www.w3.org/ns/activitystreams#"):
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def _refuse(message, **context):
    return PydanticCustomError("refused", message, context)


def _one_or_many(value):
    return value if isinstance(value, list) else [value]


def _address(value):
    """An address: a string, or an object naming one in its ``id``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    raise _refuse(
        "must be an address (a string) or an object with an “id”, not {type}", type=json_type(value)
    )


def _strings(value):
    """One string or an array of strings, as a list."""
    values = _one_or_many(value)
    for item in values:
        if not isinstance(item, str):
            raise _refuse("must be a string or an array of strings, not {type}", type=json_type(value))
    return values


OneOrMany = BeforeValidator(_one_or_many)
Address = Annotated[str, BeforeValidator(_address)]
Strings = Annotated[list[str], BeforeValidator(_strings)]
ExternalId = Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH)]


class Tolerant(BaseModel):
    """Strict types for the keys declared; other keys are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


# --- Selectors (the same in both formats) --------------------------------------------


class QuoteSelector(Tolerant):
    exact: Annotated[str, Field(min_length=1)]
    prefix: str = ""
    suffix: str = ""


class PositionSelector(Tolerant):
    start: Annotated[int, Field(ge=0, le=MAX_OFFSET)]
    end: Annotated[int, Field(ge=0, le=MAX_OFFSET)]

    @field_validator("end")
    @classmethod
    def _not_before_start(cls, end, info):
        start = info.data.get("start")
        if start is not None and end < start:
            raise _refuse("must not be less than start ({start})", start=start)
        return end


class OtherSelector(Tolerant):
    """A selector this archive does not read (RangeSelector, FragmentSelector, XPathSelector, …)."""


def _selector_kind(value):
    kind = local_name(value.get("type")) if isinstance(value, dict) else None
    return {"TextQuoteSelector": "~quote", "TextPositionSelector": "~position"}.get(kind, "~other")


Selector = Annotated[
    Annotated[QuoteSelector, Tag("~quote")]
    | Annotated[PositionSelector, Tag("~position")]
    | Annotated[OtherSelector, Tag("~other")],
    Discriminator(_selector_kind),
]
Selectors = Annotated[list[Selector], OneOrMany]

# --- W3C Web Annotation --------------------------------------------------------------


class W3CTarget(Tolerant):
    """A SpecificResource (``source`` with selectors) or an external web resource (``id``)."""

    source: Address | None = None
    id: str | None = None
    selector: Selectors = []
    scope: Annotated[list[Address], OneOrMany] = []

    @model_validator(mode="after")
    def _names_a_document(self):
        if not (self.source or self.id):
            raise _refuse("needs a “source”: the address of the annotated document")
        return self

    @property
    def address(self):
        return self.source or self.id


def _target_kind(value):
    return "~address" if isinstance(value, str) else "~resource"


Target = Annotated[
    Annotated[str, Tag("~address")] | Annotated[W3CTarget, Tag("~resource")],
    Discriminator(_target_kind),
]


class TextualBody(Tolerant):
    value: str
    format: str | None = None
    purpose: Strings = []


class OtherBody(Tolerant):
    """A body this archive does not read (an image, a Choice, a SpecificResource)."""


def _body_kind(value):
    if isinstance(value, str):
        return "~address"
    if isinstance(value, dict):
        kind = value.get("type")
        if local_name(kind) == "TextualBody" or (kind is None and "value" in value):
            return "~text"
    return "~other"


Body = Annotated[
    Annotated[str, Tag("~address")]
    | Annotated[TextualBody, Tag("~text")]
    | Annotated[OtherBody, Tag("~other")],
    Discriminator(_body_kind),
]


def _is_annotation(types):
    if "Annotation" not in {local_name(kind) for kind in types}:
        raise _refuse("must be “Annotation”, not “{value}”", value=", ".join(types))
    return types


def _references(value):
    """A claimant as the ways it can be looked up: its address and/or its name."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        found = [value[key] for key in ("id", "name") if isinstance(value.get(key), str)]
        if found:
            return found
    raise _refuse(
        "must be a person's address or name (a string), or an object with an “id” or a “name”, not {type}",
        type=json_type(value),
    )


# The Margins context extension (docs/interop.md): the claim's kind, status and claimant,
# prefixed ("margins:kind") or as terms the extension's context defines ("kind").
def _extension(name, default=None):
    return Field(default, validation_alias=AliasChoices(f"margins:{name}", name))


class W3CAnnotation(Tolerant):
    id: ExternalId
    type: Annotated[Strings, BeforeValidator(lambda value: _is_annotation(_strings(value)))]
    motivation: Strings = []
    body: Annotated[list[Body], OneOrMany] = []
    bodyValue: str | None = None  # noqa: N815 (the W3C's own name)
    target: Annotated[list[Target], OneOrMany, Field(min_length=1)]
    created: str | None = None
    modified: str | None = None
    creator: Any = None
    kind: str | None = _extension("kind")
    status: str | None = _extension("status")
    claimant: Annotated[list[str], BeforeValidator(_references)] = _extension("claimant", [])


# --- Hypothesis ---------------------------------------------------------------------


class HypothesisTarget(Tolerant):
    source: str | None = None
    selector: Selectors = []


class HypothesisDocument(Tolerant):
    title: Annotated[list[str], OneOrMany] = []


class HypothesisUserInfo(Tolerant):
    display_name: str | None = None


class HypothesisAnnotation(Tolerant):
    id: ExternalId
    uri: Annotated[str, Field(min_length=1)]
    user: str | None = None
    created: str | None = None
    updated: str | None = None
    text: str = ""
    tags: list[str] = []
    target: list[HypothesisTarget] = []
    document: HypothesisDocument | None = None
    references: list[str] = []
    group: str | None = None
    links: dict[str, Any] | None = None
    permissions: dict[str, Any] | None = None
    user_info: HypothesisUserInfo | None = None


MODELS = {W3C: W3CAnnotation, HYPOTHESIS: HypothesisAnnotation}

# --- Describing a refusal -------------------------------------------------------------


def _message(error):
    kind, context, value = error["type"], error.get("ctx") or {}, error.get("input")
    messages = {
        "missing": "is required",
        "string_type": f"must be a string, not {json_type(value)}",
        "int_type": f"must be an integer, not {json_type(value)}",
        "list_type": f"must be an array, not {json_type(value)}",
        "dict_type": f"must be an object, not {json_type(value)}",
        "model_type": f"must be an object, not {json_type(value)}",
        "bool_type": f"must be true or false, not {json_type(value)}",
        "greater_than_equal": f"must be at least {context.get('ge')}",
        "less_than_equal": f"must be at most {context.get('le')}",
        "too_short": "must not be empty",
        "string_too_short": "must not be empty",
        "string_too_long": f"must be at most {context.get('max_length')} characters long",
    }
    return messages.get(kind, error["msg"])


def path(location, raw):
    """``location`` (a pydantic error's ``loc``) as written in ``raw``: ``target.selector[1].start``.

    Walks ``raw`` along the location: an index is shown only where the file
    has an array (a single value stands for an array of one), and the tags
    that pick a union's branch (``~quote``) are left out.
    """
    written, node = "", raw
    for key in location:
        if isinstance(key, int):
            if isinstance(node, list):
                written += f"[{key}]"
                node = node[key] if key < len(node) else None
            continue
        if key.startswith("~"):
            continue
        written += f".{key}" if written else key
        node = node.get(key) if isinstance(node, dict) else None
    return written


def describe(error: ValidationError, raw) -> str:
    """The first fault of ``error`` as ``path: message`` (or the message alone at the top)."""
    first = error.errors()[0]
    where = path(first["loc"], raw)
    return f"{where}: {_message(first)}" if where else _message(first)


def text_fault(value, where=""):
    """``path: problem`` for the first string (key or value) in ``value`` that text may not hold, or ""."""
    stack = [(where, value)]
    while stack:
        place, node = stack.pop()
        if isinstance(node, str):
            problem = text_problem(node)
            if problem:
                return f"{place}: {problem}" if place else problem
        elif isinstance(node, dict):
            for key, item in reversed(list(node.items())):
                inner = f"{place}.{key}" if place else key
                problem = text_problem(key)
                if problem:
                    return f"{inner} (the key): {problem}"
                stack.append((inner, item))
        elif isinstance(node, list):
            stack.extend((f"{place}[{index}]", item) for index, item in reversed(list(enumerate(node))))
    return ""


# --- Reading a file -------------------------------------------------------------------


@dataclass
class Contents:
    """A file's annotations as written (not yet checked), its format and what it said about itself."""

    format: str
    annotations: list
    container: str  # "a Hypothesis export", "an AnnotationCollection", …
    notes: list[str] = field(default_factory=list)


def _no_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def decode(data: bytes):
    """The JSON value in ``data``, or FileRefused saying what is wrong with it."""
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused(
            f"is {len(data):,} bytes; the largest file imported is {MAX_FILE_BYTES:,} bytes "
            f"({MAX_FILE_BYTES // (1024 * 1024)} MB): split it"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused(f"is not valid UTF-8 (at byte offset {error.start})") from None
    if not text.strip():
        raise FileRefused("is empty")
    try:
        return json.loads(text, object_pairs_hook=no_duplicate_keys, parse_constant=_no_constant)
    except RecursionError:
        raise FileRefused("nests arrays and objects too deeply to be read") from None
    except json.JSONDecodeError as error:
        raise FileRefused(
            f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except DuplicateKey as error:
        raise FileRefused(
            f"is not usable JSON: the key “{error.args[0]}” appears twice in one object"
        ) from None
    except ValueError as error:
        raise FileRefused(f"is not valid JSON: {error}") from None


def _looks_hypothesis(item):
    return isinstance(item, dict) and "uri" in item and "type" not in item and "@context" not in item


def _looks_w3c(item):
    return isinstance(item, dict) and ("type" in item or "@context" in item or "target" in item)


def _guess(value):
    if isinstance(value, dict):
        if "annotations" in value and ("export_date" in value or "export_userid" in value):
            return HYPOTHESIS
        if "rows" in value and "total" in value:
            return HYPOTHESIS
        if _looks_hypothesis(value):
            return HYPOTHESIS
        if _looks_w3c(value):
            return W3C
    if isinstance(value, list) and value:
        if all(_looks_hypothesis(item) for item in value):
            return HYPOTHESIS
        if all(_looks_w3c(item) for item in value):
            return W3C
    if isinstance(value, list) and not value:
        raise FileRefused("holds an empty array: no annotations to import")
    keys = f"an object with the keys {', '.join(sorted(value)[:8])}" if isinstance(value, dict) else None
    raise FileRefused(
        f"is neither W3C Web Annotations nor a Hypothesis export (the top level is "
        f"{keys or json_type(value)}); W3C needs an Annotation, an array of them, an AnnotationPage "
        "or an AnnotationCollection; Hypothesis an export ({export_date, export_userid, annotations}), "
        "a search response ({total, rows}), an annotation or an array of them"
    )


def _array(value, key):
    if key not in value:
        raise FileRefused(f"{key}: is required")
    if not isinstance(value[key], list):
        raise FileRefused(f"{key}: must be an array, not {json_type(value[key])}")
    return value[key]


def _w3c_contents(value):
    if isinstance(value, list):
        return Contents(W3C, value, "an array of annotations")
    kinds = {local_name(kind) for kind in _one_or_many(value.get("type"))}
    if "AnnotationPage" in kinds:
        return _page(value, "items", "an AnnotationPage")
    if "AnnotationCollection" in kinds:
        first = value.get("first")
        if first is None:
            total = value.get("total")
            if total == 0:
                return Contents(W3C, [], "an empty AnnotationCollection")
            raise FileRefused("first: is required (the collection's first page, with its items)")
        if not isinstance(first, dict):
            raise FileRefused(
                f"first: must be the first page itself, with its items, not {json_type(first)} "
                "(nothing is fetched: export the collection with its pages embedded)"
            )
        contents = _page(first, "first.items", "an AnnotationCollection")
        total = value.get("total")
        if isinstance(total, int) and not isinstance(total, bool) and total > len(contents.annotations):
            contents.notes.append(
                f"the collection holds {total} annotations but this file only its first page of "
                f"{len(contents.annotations)}; import the other pages' files too"
            )
        return contents
    return Contents(W3C, [value], "one annotation")


def _page(value, key, container):
    items = value.get("items")
    if items is None:
        raise FileRefused(f"{key}: is required")
    if not isinstance(items, list):
        raise FileRefused(f"{key}: must be an array, not {json_type(items)}")
    contents = Contents(W3C, items, container)
    if value.get("next") is not None and container == "an AnnotationPage":
        contents.notes.append("this page has a next page, which is not in this file; import it too")
    return contents


def _hypothesis_contents(value):
    if isinstance(value, list):
        return Contents(HYPOTHESIS, value, "an array of annotations")
    if "annotations" in value and ("export_date" in value or "export_userid" in value):
        return Contents(HYPOTHESIS, _array(value, "annotations"), "a Hypothesis export")
    if "rows" in value and "total" in value:
        contents = Contents(HYPOTHESIS, _array(value, "rows"), "a Hypothesis search response")
        total = value["total"]
        if isinstance(total, int) and not isinstance(total, bool) and total > len(contents.annotations):
            contents.notes.append(
                f"the search found {total} annotations but this response holds {len(contents.annotations)}; "
                "fetch the other pages too"
            )
        return contents
    return Contents(HYPOTHESIS, [value], "one annotation")


def read(data: bytes, format="auto") -> Contents:
    """The annotations in ``data`` (a file's bytes) and their format, ``format`` or the one guessed."""
    value = decode(data)
    if format == "auto":
        guessed = _guess(value)
    else:
        if not isinstance(value, dict | list):
            raise FileRefused(f"the top level must be an object or an array, not {json_type(value)}")
        try:
            guessed = _guess(value)
        except FileRefused:
            guessed = format  # then each annotation's check says what is wrong with it
        if guessed != format:
            raise FileRefused(
                f"looks like {FORMATS[guessed]}, not {FORMATS[format]} as asked; "
                f"ask for “{guessed}” or “auto”"
            )
    if guessed == W3C:
        return _w3c_contents(value)
    return _hypothesis_contents(value)

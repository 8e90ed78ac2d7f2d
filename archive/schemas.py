"""What each JSON endpoint accepts, declared once per endpoint.

Pydantic models in strict mode with no extra fields: a number is a JSON
number (never ``"12"`` or ``1.5`` or ``true``), text is a JSON string (never
an object turned into ``"{'a': 1}"``), an unknown field is an error, and no
string may hold a NUL character or a lone surrogate. ``parse`` turns a body
into a model or into ``{field: [message]}`` for a 400 answer; messages name
the field and say what was expected and what was sent.

The schemas check shapes; the claim's rules (known kinds, an existing
claimant, tags that can have a page, a selector that fits the text) are
checked after them by the form and the services, as for every other path.
"""

import json
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as SchemaError

from archive.validators import text_problem

MAX_BODY_BYTES = 64 * 1024
# Offsets are stored in PositiveIntegerField (a 32-bit integer on PostgreSQL);
# ids in BigAutoField (64-bit).
MAX_OFFSET = 2**31 - 1
MAX_ID = 2**63 - 1
# Versions are PositiveIntegerField too.
MAX_VERSION = MAX_OFFSET


class BodyError(ValueError):
    """The body is not a JSON object at all."""


def _checked_text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Text = Annotated[str, AfterValidator(_checked_text)]


def _offset(description):
    return Annotated[
        int,
        Field(
            ge=0,
            le=MAX_OFFSET,
            description=description,
            json_schema_extra={"type_message": "Start and end must be whole numbers (character offsets)"},
        ),
    ]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class SelectorIn(Strict):
    """A span of the document's current text, as the browser's selection gives it."""

    quote: Annotated[Text, Field(min_length=1, description="the selected text (a non-empty string)")]
    prefix: Annotated[Text, Field(description="the text just before the quote (a string)")] = ""
    suffix: Annotated[Text, Field(description="the text just after the quote (a string)")] = ""
    start: _offset("the offset where the quote starts (a whole number)")
    end: _offset("the offset where the quote ends (a whole number)")


class ClaimFieldsIn(Strict):
    """A claim's editable fields. Choices and lengths are the form's to check."""

    claimant: (
        Annotated[int, Field(ge=1, le=MAX_ID)]
        | Annotated[str, StringConstraints(pattern=r"^[0-9]{0,18}$")]
        | None
    ) = Field(None, description='a person\'s id (a whole number), or null or "" for an unattributed claim')
    kind: Text | None = Field(None, description="one of the claim kinds (a string)")
    status: Text | None = Field(None, description="one of the claim statuses (a string)")
    visibility: Text | None = Field(None, description="“draft” or “published” (a string)")
    tags: Text = Field("", description="comma-separated tag names (a string)")
    note: Text = Field("", description="the analyst's note (a string)")


class VersionIn(Strict):
    """The version of the claim the client edited (optimistic concurrency).

    Optional: it may come as ``If-Match: "<version>"`` instead, or not at all
    (then the claim is checked against the version read when the request began).
    """

    version: Annotated[int, Field(ge=1, le=MAX_VERSION)] | None = Field(
        None, description="the version of the claim you edited (a whole number from 1)"
    )


class ClaimCreateIn(ClaimFieldsIn, SelectorIn):
    """POST /api/documents/<slug>/claims/"""


class ClaimUpdateIn(ClaimFieldsIn, VersionIn):
    """POST /api/claims/<id>/"""


class ClaimMoveIn(SelectorIn, VersionIn):
    """POST /api/claims/<id>/move/"""


class ClaimDeleteIn(VersionIn):
    """POST /api/claims/<id>/delete/: an empty object, or just the version."""


class ClaimRevertIn(VersionIn):
    """POST /api/claims/<id>/revert/: ``{"event": id, "version": n}``."""

    event: Annotated[
        int, Field(ge=1, le=MAX_ID, description="the id of an event in this claim's history (a whole number)")
    ]


class DocumentSuggestIn(Strict):
    """GET /api/documents/suggest/?q=…: what the visitor typed so far."""

    q: Annotated[
        Text,
        Field(max_length=200, description="a title's first words or a slug (text of at most 200 characters)"),
    ] = ""


def parse_query(schema, query):
    """``(model, None)`` for a valid query string (a QueryDict), ``(None, errors)`` otherwise.

    Each parameter is text and may be given once."""
    data = {}
    for key, values in query.lists():
        if len(values) > 1:
            return None, {key: [f"“{key}” is given {len(values)} times; give it once."]}
        data[key] = values[0]
    try:
        return schema.model_validate(data), None
    except SchemaError as error:
        return None, describe(schema, error)


# --- Reading a body --------------------------------------------------------------------


def _no_duplicate_keys(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise BodyError(f"The key “{key}” appears twice in one object.")
        result[key] = value
    return result


def load_json(body: bytes):
    """The JSON object in ``body`` (``{}`` when empty), or BodyError saying why not."""
    if len(body) > MAX_BODY_BYTES:
        raise BodyError(f"The request is larger than {MAX_BODY_BYTES} bytes.")
    try:
        data = json.loads(body.decode("utf-8") or "{}", object_pairs_hook=_no_duplicate_keys)
    except UnicodeDecodeError as error:
        raise BodyError(f"The request body is not valid UTF-8 (byte {error.start}).") from None
    except json.JSONDecodeError as error:
        raise BodyError(f"The request body is not valid JSON: {error}.") from None
    except RecursionError:
        raise BodyError("The request body is not valid JSON: it is nested too deeply.") from None
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise BodyError(f"The request body is not valid JSON: {error}.") from None
    if not isinstance(data, dict):
        raise BodyError("The request body must be a JSON object.")
    return data


def _json_kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number with a fraction" if value == value and abs(value) != float("inf") else "not a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


_TYPE_ERRORS = {"int_type", "int_parsing", "int_from_float", "string_type", "none_required"}


def _message(schema, field, error):
    info = schema.model_fields.get(field)
    description = info.description if info is not None else ""
    extra = (info.json_schema_extra or {}) if info is not None else {}
    kind = error["type"]
    if kind == "extra_forbidden":
        fields = ", ".join(f"“{name}”" for name in schema.model_fields)
        return f"“{field}” is not a field of this request (the fields are {fields})."
    if kind == "missing":
        return f"“{field}” is required: {description}."
    if kind in _TYPE_ERRORS:
        if extra.get("type_message"):
            return f"{extra['type_message']}; “{field}” is {_json_kind(error['input'])}."
        return f"“{field}” must be {description}, not {_json_kind(error['input'])}."
    if kind == "value_error":
        return f"“{field}” {str(error['ctx']['error'])}."
    if kind in {"string_too_long", "too_long"}:
        return f"“{field}” is too long: {description}."
    if kind in {"string_too_short", "too_short"}:
        return f"“{field}” must not be empty: {description}."
    if kind == "greater_than_equal":
        return f"“{field}” must be at least {error['ctx']['ge']}, not {error['input']}."
    if kind == "less_than_equal":
        return f"“{field}” must be at most {error['ctx']['le']}, not {error['input']}."
    if kind == "string_pattern_mismatch":
        return f"“{field}” must be {description}, not “{error['input'][:40]}”."
    return f"“{field}”: {error['msg']}."


def describe(schema, error: SchemaError) -> dict[str, list[str]]:
    """One message per field, for a 400 answer ``{"errors": {field: [message]}}``."""
    messages = {}
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "__all__"
        if field not in messages:  # a union reports one error per alternative: the first says it
            messages[field] = [_message(schema, field, item)]
    return messages


def parse(schema, body: bytes):
    """``(model, None)`` for a valid body, ``(None, errors)`` otherwise."""
    try:
        return schema.model_validate(load_json(body)), None
    except BodyError as error:
        return None, {"__all__": [str(error)]}
    except SchemaError as error:
        return None, describe(schema, error)

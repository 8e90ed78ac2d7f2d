"""Declarative checks of hand-written entries: import manifests and the seed manifest.

Each kind of entry is a pydantic model configured with ``STRICT``: nothing is
coerced ("3" is not 3, a date is not a string) and an unknown key is refused.
A field's type carries the archive's own words for what is wrong with it
(``says``), and ``fault`` picks the one fault of a pydantic ValidationError to
report, in those words. What needs the database (lookups, the models' own
validators) stays with the caller.
"""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError, WrapValidator
from pydantic_core import PydanticCustomError

STRICT = ConfigDict(strict=True, extra="forbid")


class Strict(BaseModel):
    """The base of every entry model: ``STRICT``."""

    model_config = STRICT


# A list of strings with something besides whitespace in them, each stripped.
StrippedList = list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]]


def says(message):
    """Whatever pydantic finds wrong with the value, the fault reads ``message``.

    In ``message``, ``{field}`` is the field's name, ``{type}`` what the value
    is ("a number", "a list") and ``{value}`` its repr.
    """

    def validate(value, handler, info):
        try:
            return handler(value)
        except ValidationError:
            context = {"field": info.field_name, "type": type_name(value), "value": repr(value)}
            raise PydanticCustomError("refused", message, context) from None

    return WrapValidator(validate)


def not_blank(message):
    """Refuse a string of nothing but whitespace with ``message`` (``{field}``: the field's name)."""

    def check(value, info):
        if not value.strip():
            raise PydanticCustomError("refused", message, {"field": info.field_name})
        return value

    return AfterValidator(check)


def one_of(choices, message="“{value}” is not one of {choices}"):
    """Refuse a value not among ``choices`` (a Django model's) with ``message``,
    in which ``{field}`` is the field's name and ``{value}`` the value as written."""

    def check(value, info):
        if value not in choices:
            context = {"field": info.field_name, "value": str(value), "choices": ", ".join(choices)}
            raise PydanticCustomError("refused", message, context)
        return value

    return AfterValidator(check)


def type_name(value):
    """What a manifest value is, in a manifest writer's words."""
    names = {list: "a list", dict: "a table", bool: "true/false", int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)


def fault(error: ValidationError, names, *, required: str, noun="field", alphabetical=False):
    """The one fault of ``error`` to report: ``(location, field, message)``.

    ``location`` is where the entry at fault is in what was validated (``()``,
    or ``(index,)`` in a list). An unknown key comes first, with field None and
    "unknown field “x”; the fields are <names>": the first as written or, with
    ``alphabetical``, in alphabetical order, names listed so too. Otherwise the
    first fault in the model's field order, in the words its type gives, or
    ``required`` (with ``{field}``) for a missing field.
    """
    errors = error.errors()
    unknown = [each["loc"] for each in errors if each["type"] == "extra_forbidden"]
    if unknown:
        *location, key = min(unknown) if alphabetical else unknown[0]
        names = sorted(names) if alphabetical else names
        return tuple(location), None, f"unknown {noun} “{key}”; the {noun}s are {', '.join(names)}"
    *location, field = errors[0]["loc"]
    message = required.format(field=field) if errors[0]["type"] == "missing" else errors[0]["msg"]
    return tuple(location), field, message


class DuplicateKey(ValueError):
    """A JSON object naming one key twice (``json.loads`` would silently keep the last)."""


def no_duplicate_keys(pairs):
    """``object_pairs_hook`` for ``json.loads``: refuse a key given twice, naming it."""
    result = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKey(key)
        result[key] = value
    return result

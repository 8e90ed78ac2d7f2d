import re

from django.core.exceptions import ValidationError
from django.utils.text import slugify

# BCP 47 language tag (RFC 5646), the common shape: language, optional
# extlang/script/region/variants, extensions and private use. Grandfathered
# irregular tags are not accepted: nothing in the archive needs them.
_BCP47 = re.compile(
    r"^(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})"
    r"(?:-[a-z]{4})?"
    r"(?:-(?:[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*"
    r"(?:-[a-wyz\d](?:-[a-z\d]{2,8})+)*"
    r"(?:-x(?:-[a-z\d]{1,8})+)?$",
    re.IGNORECASE,
)


def validate_language_tag(value):
    if not _BCP47.match(value or ""):
        raise ValidationError(
            "“%(value)s” is not a BCP 47 language tag (examples: en, fa, ar-SY, zh-Hant).",
            params={"value": value},
        )


# --- Tags ----------------------------------------------------------------------

# django-taggit's Tag.name and Tag.slug hold at most 100 characters.
TAG_MAX_LENGTH = 100


def tag_name_problem(name: str) -> str:
    """Why ``name`` cannot be a tag, or ``""``.

    Every tag has a page at ``/tags/<slug>/``; the slug is made from the name
    in any script (``سوریه`` → ``سوریه``), so a name with no letter or digit at
    all (``>``, ``!!!``) would have no address.
    """
    if len(name) > TAG_MAX_LENGTH:
        return f"Tag “{name[:40]}…” is longer than {TAG_MAX_LENGTH} characters."
    if not slugify(name, allow_unicode=True):
        return (
            f"Tag “{name}” has no letter or digit, so it cannot have a page of its own; "
            "use a word in any script (e.g. “syria”, “سوریه”, “Иран”)."
        )
    return ""


def validate_tag_names(names):
    """Raise ValidationError listing every tag name in ``names`` that cannot be stored."""
    problems = [problem for problem in (tag_name_problem(name) for name in names) if problem]
    if problems:
        raise ValidationError(problems)


# --- Text from outside ---------------------------------------------------------------


_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(value: str) -> str:
    """Why ``value`` cannot be stored or searched as text, or ``""``.

    A NUL character is refused by PostgreSQL in any text, and a lone
    surrogate (``\\ud800`` in JSON) is not a character at all: it cannot even
    be encoded as UTF-8. Both are refused at the door, before any query.
    """
    if "\x00" in value:
        return "contains a NUL character (\\u0000), which text may not contain"
    surrogate = _SURROGATE.search(value)
    if surrogate:
        return (
            f"contains a lone surrogate (\\u{ord(surrogate.group()):04x}) at character {surrogate.start()}, "
            "which is not a Unicode character"
        )
    return ""

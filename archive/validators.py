import re

from django.core.exceptions import ValidationError

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

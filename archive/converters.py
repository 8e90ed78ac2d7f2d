"""URL path converters: what a slug or a number in an address may look like.

``uslug`` accepts slugs in any script (``سوریه``, ``иран``, ``syria-2``):
Django's ``slug`` converter is ASCII only, so a page linking to a Persian tag
could not even be drawn. ``num`` is a whole number of at most 18 digits, so
every id or version number in an address fits a 64-bit integer column; a
longer one is an address that does not exist (404), never a database error.
"""

from django.urls import register_converter

NUM_MAX_DIGITS = 18


class UnicodeSlugConverter:
    # What ``slugify(value, allow_unicode=True)`` produces: word characters of
    # any script, digits, "_" and "-".
    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class NumberConverter:
    regex = f"[0-9]{{1,{NUM_MAX_DIGITS}}}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(UnicodeSlugConverter, "uslug")
register_converter(NumberConverter, "num")

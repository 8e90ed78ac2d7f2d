"""URL path converters: what a slug or a number in an address may look like.

``uslug`` accepts slugs in any script (``سوریه``, ``иран``, ``syria-2``):
Django's ``slug`` converter is ASCII only, so a page linking to a Persian tag
could not even be drawn.
"""

from django.urls import register_converter


class UnicodeSlugConverter:
    # What ``slugify(value, allow_unicode=True)`` produces: word characters of
    # any script, digits, "_" and "-".
    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UnicodeSlugConverter, "uslug")

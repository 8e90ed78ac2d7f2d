"""Machine-readable twins of the public pages: the ClaimReview data block."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from archive import annotation_export
from archive.interop.claimreview import script_json

register = template.Library()


@register.simple_tag(takes_context=True)
def claim_review(context, claim):
    """``<script type="application/ld+json">`` with the claim's ClaimReview; nothing for a draft.

    A data block: browsers never run it, so the CSP's script-src does not apply.
    Its JSON is escaped as ``json_script`` escapes (no "<", ">" or "&" left),
    so no quote, note or title can close the element.
    """
    data = annotation_export.claim_review(context["request"], claim)
    if data is None:
        return ""
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(script_json(data)))  # noqa: S308

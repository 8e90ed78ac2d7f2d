"""Citations of documents and claims as the pages show them and the downloads serve them.

The three formats are written by ``archive.interop.citations`` from plain
values; this module fills those values from a Document or Claim (already
found with ``visible_to``) and the request (for absolute addresses), and
builds the "Cite" blocks and download responses. It reads nothing beyond the
objects it is given: the pages add no query for their citations.
"""

import dataclasses

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from archive import reader
from archive.interop import citations

# The downloads' URL names by format: ``archive:document_cite_<name>``, ``archive:claim_cite_<name>``.
URL_NAMES = {citations.CSL_JSON: "csl", citations.BIBLATEX: "bib", citations.RIS: "ris"}
# A citation's text area shows this many lines at most; the rest scrolls.
SHOWN_LINES = 12


def _day(moment):
    return timezone.localtime(moment).date() if moment else None


def work_for(request, document):
    """``document`` as its citation describes it (its ``source`` read with it)."""
    source = document.source
    return citations.Work(
        number=document.pk,
        slug=document.slug,
        title=document.title,
        kind=document.kind,
        kind_label=document.get_kind_display(),
        byline=document.byline,
        source=source.name if source else "",
        source_kind=source.kind if source else "",
        language=document.language,
        # The day the page shows (``Document.published_display``), at its precision.
        published=_day(document.published_at),
        precision=document.published_precision,
        captured=_day(document.captured_at),
        original_url=document.original_url,
        archived_url=document.archived_url,
        permalink=request.build_absolute_uri(document.get_absolute_url()),
    )


def passage_for(request, claim):
    """``claim`` as a passage of its document (its ``document`` and ``claimant`` read with it)."""
    document = claim.document
    # A claim no longer placed in the current text has no passage there to link to;
    # its own page shows it where it was anchored.
    placed = reader.is_placed(claim, document.text)
    return citations.Passage(
        number=claim.pk,
        quote=claim.quote,
        permalink=request.build_absolute_uri(claim.get_absolute_url()),
        # The one passage-link builder, the link "Copy link to passage" gives for this span.
        passage_url=request.build_absolute_uri(reader.passage_link(document, claim.start, claim.end))
        if placed
        else "",
        claimant=claim.claimant.name if claim.claimant_id else "",
    )


@dataclasses.dataclass(frozen=True)
class Block:
    """One format in a page's "Cite" section: the text shown, and where to download it."""

    fmt: str
    text: str
    url: str
    filename: str

    @property
    def label(self):
        return citations.LABELS[self.fmt]

    @property
    def media_type(self):
        return citations.MEDIA_TYPES[self.fmt]

    @property
    def element_id(self):
        return f"cite-{URL_NAMES[self.fmt]}"

    @property
    def rows(self):
        return min(self.text.count("\n") + 1, SHOWN_LINES)


def filename(work, passage, fmt):
    return f"{citations.citation_key(work, passage)}.{fmt}"


def blocks(work, passage=None, *, url_name, url_args):
    """The "Cite" section's blocks, one per format, for ``_cite.html``."""
    return [
        Block(
            fmt=fmt,
            text=citations.render(fmt, work, passage),
            url=reverse(f"archive:{url_name}_{URL_NAMES[fmt]}", args=url_args),
            filename=filename(work, passage, fmt),
        )
        for fmt in citations.FORMATS
    ]


def document_blocks(request, document):
    return blocks(work_for(request, document), url_name="document_cite", url_args=[document.slug])


def claim_blocks(request, claim):
    work, passage = work_for(request, claim.document), passage_for(request, claim)
    return blocks(work, passage, url_name="claim_cite", url_args=[claim.pk])


def download(fmt, work, passage=None):
    """The citation as a file to save: its registered media type, UTF-8, as an attachment."""
    response = HttpResponse(
        citations.render(fmt, work, passage).encode("utf-8"),
        content_type=f"{citations.MEDIA_TYPES[fmt]}; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(True, filename(work, passage, fmt))
    return response

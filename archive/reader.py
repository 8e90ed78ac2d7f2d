"""The reader: a document's text with its claims highlighted, and the claim list.

Both the reading page (``views``) and the highlighting API (``api``), which
sends back the re-rendered parts after a write, build them here. The compare
page uses ``is_placed`` and ``compact_highlight`` for its columns.
"""

import dataclasses
import json
from collections import Counter, defaultdict
from urllib.parse import urlencode

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from archive.models import Claim, ClaimLink, Visibility
from archive.permissions import may
from archive.text import anchoring, fragments
from archive.text.rendering import Highlight, render_highlighted


def is_placed(claim, text):
    """Whether ``claim``'s position selector still points at its quote in ``text``."""
    return (
        not claim.orphaned
        and 0 <= claim.start < claim.end <= len(text)
        and text[claim.start : claim.end] == claim.quote
    )


def claim_highlight(claim, pairs=(), note=None):
    """A claim's highlight in the reader; ``note`` is its number in the claim list, which the
    print stylesheet shows after the highlight as a footnote marker."""
    claimant = claim.claimant.name if claim.claimant_id else "unattributed"
    classes = f"kind-{claim.kind} status-{claim.status}"
    if claim.visibility == Visibility.DRAFT:
        classes += " is-draft"
    attrs = ()
    if pairs:
        numbers = " ".join(str(number) for number in pairs)
        classes += " is-linked"
        # The marker is drawn by CSS (::after) from this attribute, so the
        # reading text itself gains no characters.
        attrs = (("data-pairs", numbers), ("data-pair-label", "↔ " + numbers))
    if note is not None:
        attrs = (*attrs, ("data-note", str(note)))
    return Highlight(
        key=str(claim.pk),
        start=claim.start,
        end=claim.end,
        classes=classes,
        label=f"{claim.get_kind_display()} claim by {claimant}",
        anchor_id=claim.anchor_id,
        attrs=attrs,
    )


def compact_highlight(claim, pairs=()):
    """A claim's highlight on the compare page, where thousands sit side by side: its kind
    and its status only when they are not the defaults (the page colours an unclassed
    highlight as an assertion), the draft mark and the pair numbers."""
    classes = []
    if claim.kind != Claim.Kind.ASSERTION:
        classes.append(f"kind-{claim.kind}")
    if claim.status != Claim.Status.UNVERIFIED:
        classes.append(f"status-{claim.status}")
    if claim.visibility == Visibility.DRAFT:
        classes.append("is-draft")
    attrs = (("data-pairs", " ".join(str(number) for number in pairs)),) if pairs else ()
    return Highlight(
        key=str(claim.pk),
        start=claim.start,
        end=claim.end,
        classes=" ".join(classes),
        anchor_id=claim.anchor_id,
        attrs=attrs,
    )


def reader_claims(request, document):
    """The claims of a document the viewer may read (the document itself already checked)."""
    claims = list(
        Claim.objects.visible_in(document, request.user)
        .select_related("claimant")
        .prefetch_related("tags")
        .order_by("start", "end", "pk")
    )
    for claim in claims:
        # Claim cards link into their document: reuse the one loaded, not one query per claim.
        claim.document = document
    return claims


def _form_value(claim, name, recorded=None):
    """A claim's field as the editing form shows it and sends it back.

    The tags are listed by name, sorted; right after a write they are the ones that
    write recorded (``recorded``, its state), not re-read: a response describes its
    own write even when another one has followed.
    """
    field = claim._meta.get_field(name)
    if field.many_to_many:
        names = recorded[name] if recorded else sorted(tag.name for tag in getattr(claim, name).all())
        return ", ".join(names)
    if field.is_relation:
        return getattr(claim, field.attname) or ""
    return getattr(claim, name)


def claim_data(claim):
    """A claim as the highlighting tool and the API show it: its ``Claim.DETAIL_FIELDS`` as the
    claim form takes them, the ``version`` a write must send back, its selectors (``Claim.selector``)
    and whether it is orphaned, its claimant's name and URLs."""
    recorded = getattr(claim, "recorded_state", None)
    return {
        "id": claim.pk,
        "version": claim.version,
        **dataclasses.asdict(claim.selector),
        "orphaned": claim.orphaned,
        **{name: _form_value(claim, name, recorded) for name in Claim.DETAIL_FIELDS},
        "claimant_name": claim.claimant.name if claim.claimant_id else "",
        "update_url": reverse("archive:api_claim_update", args=[claim.pk]),
        "move_url": reverse("archive:api_claim_move", args=[claim.pk]),
        "delete_url": reverse("archive:api_claim_delete", args=[claim.pk]),
    }


def claim_json(claim):
    """What the highlighting tool needs to edit a claim, embedded in its card (analysts only)."""
    return json.dumps(claim_data(claim))


def reader_context(request, document, passage=None):
    claims = reader_claims(request, document)
    placed = [claim for claim in claims if is_placed(claim, document.text)]
    unplaced = [claim for claim in claims if not is_placed(claim, document.text)]
    # Imported annotations whose quote was never found are told apart from claims a correction orphaned.
    not_placed_on_import = [claim for claim in unplaced if claim.orphaned_on_import]
    unplaced = [claim for claim in unplaced if not claim.orphaned_on_import]
    numbers = {claim.pk: number for number, claim in enumerate(claims, start=1)}
    highlights = [claim_highlight(claim, note=numbers[claim.pk]) for claim in placed]
    if passage is not None and passage.selector is not None:
        # No screen-reader label inside this highlight (the notice above the text names
        # it and links to it): text in the page between a link's context words and its
        # passage stops the browser from matching the link's ``#:~:text=`` directive.
        highlights.append(
            Highlight(
                key="passage",
                start=passage.selector.start,
                end=passage.selector.end,
                classes="passage",
                anchor_id="passage",
            )
        )
    attach_links(claims, ClaimLink.objects.visible_to(request.user))
    can_annotate = may(request.user, "archive.change_claim")
    if can_annotate:
        for claim in claims:
            claim.editor_json = claim_json(claim)
    return {
        "document": document,
        "text_html": render_highlighted(document.text, highlights),
        "claims": claims,
        "unplaced": unplaced,
        "not_placed_on_import": not_placed_on_import,
        "can_annotate": can_annotate,
    }


def reader_fragments(request, document):
    """The parts of the reader that change when a claim is written, rendered for in-place update."""
    context = reader_context(request, document)
    return {
        # The highlighted text itself, not a template: a template file's final
        # newline would become text the document does not have, and shift the
        # context of a selection at the very end.
        "text": str(context["text_html"]),
        "claims": render_to_string("archive/_claim_list.html", context, request=request),
    }


_UNREAD = ("text", "raw_text", "cleaning_report")


def attach_links(claims, links):
    """Give each claim ``link_rows`` (phrase, other claim, link) and ``link_summary``.

    ``links`` is a queryset already limited to what the viewer may see. Two
    queries, however many claims.
    """
    by_pk = {claim.pk: claim for claim in claims}
    for claim in claims:
        claim.link_rows, claim.link_summary = [], ""
    if not by_pk:
        return claims
    rows = (
        links.filter(Q(from_claim__in=list(by_pk)) | Q(to_claim__in=list(by_pk)))
        .select_related(
            "from_claim__document", "to_claim__document", "from_claim__claimant", "to_claim__claimant"
        )
        # The other ends' documents are named and linked, never read: not their texts.
        .defer(*(f"{end}__document__{name}" for end in ("from_claim", "to_claim") for name in _UNREAD))
    )
    for link in rows:
        if link.from_claim_id in by_pk:
            by_pk[link.from_claim_id].link_rows.append((link.get_relation_display(), link.to_claim, link))
        if link.to_claim_id in by_pk:
            phrase = ClaimLink.INCOMING_PHRASES[link.relation]
            by_pk[link.to_claim_id].link_rows.append((phrase, link.from_claim, link))
    for claim in claims:
        documents = defaultdict(set)
        for phrase, other, _link in claim.link_rows:
            documents[phrase].add(other.document_id)
        counts = Counter({phrase: len(docs) for phrase, docs in documents.items()})
        parts = []
        for phrase, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            if phrase.endswith(" in"):
                parts.append(f"{phrase} {count} document{'s' if count != 1 else ''}")
            elif phrase.endswith(" by"):
                parts.append(f"{phrase} {count}")
            else:
                parts.append(f"{phrase} {count} other document{'s' if count != 1 else ''}")
        claim.link_summary = ", ".join(parts)
    return claims


# A passage link names its passage twice: in the query string, which the server
# locates even in a corrected text (``views._passage``), and in a text directive,
# which browsers highlight by themselves. Both are built here and only here: the
# reader's "Copy link to passage" asks ``api.passage_link`` for them.
PASSAGE_LINK_CONTEXT = 20


def passage_link(document, start, end):
    """The address of ``document.text[start:end]`` for sharing: ``?passage=…&pre=…&suf=…&at=…``
    (the quote cut to ``anchoring.PASSAGE_MAX_CHARS``) and ``#passage:~:text=…`` with enough
    context that the directive matches that passage alone. Raises ValueError for a span
    that is empty or outside the text."""
    text = document.text
    directive = fragments.build(text, start, end)
    quote = text[start:end]
    cut = len(quote) > anchoring.PASSAGE_MAX_CHARS
    params = [("passage", quote[: anchoring.PASSAGE_MAX_CHARS])]
    before = text[max(0, start - PASSAGE_LINK_CONTEXT) : start]
    after = "" if cut else text[end : end + PASSAGE_LINK_CONTEXT]
    if before:
        params.append(("pre", before))
    if after:
        params.append(("suf", after))
    params.append(("at", str(start)))
    return f"{document.get_absolute_url()}?{urlencode(params)}#passage:~:text={directive.value}"

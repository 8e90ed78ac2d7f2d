"""Writes of the echo work: the inbox the worker fills, an analyst's accept and reject.

Accepting an echo creates (or reuses) the claim at the passage and links it to
the claim it echoes through ``annotations`` (which record the audit events).
The new claim's claimant is the one the analyst names, or nobody: never the
other claim's, since a report quoting a speech is often someone else speaking.
A rejection is remembered per claim and passage text, so that passage is
never suggested again for that claim (not even after a correction elsewhere
in its document moves it).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from archive.echoes.models import EchoCandidate, EchoRejection
from archive.echoes.retrieval import sha256
from archive.models import Claim, ClaimLink, Document, Visibility
from archive.services import annotations
from archive.text import anchoring


@transaction.atomic
def file_candidates(document_id, found):
    """File ``[(score, claim, passage row, semantic)]`` found in ``document_id`` in the inbox.

    A pair already filed keeps its decision; an open one gets the new score and span."""
    filed = 0
    for score, claim, row, semantic in found:
        _pk, start, end, text = row[:4]
        candidate, created = EchoCandidate.objects.get_or_create(
            claim=claim,
            document_id=document_id,
            text_sha256=sha256(text),
            defaults={"start": start, "end": end, "text": text, "score": score, "semantic": semantic},
        )
        if not created and candidate.status == EchoCandidate.Status.OPEN:
            EchoCandidate.objects.filter(pk=candidate.pk).update(
                start=start, end=end, score=score, semantic=semantic
            )
        filed += created
    return filed


def _decide(claim, document, text, status, user):
    EchoCandidate.objects.filter(
        claim=claim, document=document, text_sha256=sha256(text), status=EchoCandidate.Status.OPEN
    ).update(status=status, decided_by=user, decided_at=timezone.now())


@transaction.atomic
def reject(claim, document, start, end, *, user):
    """Remember that the passage ``start``–``end`` of ``document`` is not an echo of ``claim``."""
    text = _passage_text(document, start, end)
    EchoRejection.objects.get_or_create(
        claim=claim, document=document, text_sha256=sha256(text), defaults={"text": text, "rejected_by": user}
    )
    _decide(claim, document, text, EchoCandidate.Status.REJECTED, user)


def _passage_text(document, start, end):
    if not (0 <= start < end <= len(document.text)):
        raise ValidationError("This passage is no longer in the document's text (it was corrected); reload.")
    return document.text[start:end]


@transaction.atomic
def accept(claim, document, start, end, *, user, relation, claimant=None, visibility=Visibility.DRAFT):
    """Link the passage ``start``–``end`` of ``document`` to ``claim`` as “passage *relation* claim”.

    The passage's claim is the one already there at exactly that span, or a new
    one attributed to ``claimant`` (chosen by the analyst; None for nobody).
    Returns the link. Raises ValidationError with the reason when refused.
    """
    if document.pk == claim.document_id:
        raise ValidationError("Choose a passage in another document.")
    if relation not in ClaimLink.Relation.values:
        raise ValidationError("Choose how the passage relates to the claim.")
    if visibility not in Visibility.values:
        raise ValidationError("Choose draft or published.")
    text = _passage_text(document, start, end)
    selector = anchoring.selector_for(document.text, start, end)
    counterpart = Claim.objects.filter(document=document, start=selector.start, end=selector.end).first()
    if counterpart is None:
        counterpart = annotations.create_claim(
            document,
            selector,
            user=user,
            claimant=claimant,
            kind=claim.kind,
            status=Claim.Status.UNVERIFIED,
            visibility=visibility,
            note=f"Accepted as an echo of claim {claim.pk}.",
        )
    link = annotations.link_claims(counterpart, claim, relation, user=user)
    _decide(claim, document, text, EchoCandidate.Status.ACCEPTED, user)
    return link


def document_for(slug):
    return Document.objects.filter(slug=slug).first()

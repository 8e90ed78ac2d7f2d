"""Reading texts with "\\r": line endings normalised to "\\n", claims re-anchored.

Until now ``archive.text.capture.clean`` kept the "\\r" of CRLF captures in
the reading text (and read a CR-only capture as one line). A browser's page
text has no "\\r", so every selection in such a document was refused. The
cleaner now joins lines with "\\n"; this migration brings the documents
already archived in line, the way a text correction would
(``archive.services.annotations.correct_text``, which cannot be called from
a migration: it uses today's models, not these historical ones):

* the new text becomes the document's next version, with the reason below;
  the raw capture and its SHA-256 are not touched;
* every anchored claim is re-anchored to it (``archive.text.anchoring``, pure
  code): moved, changed when its quote spans a line break (the quote loses
  its "\\r"), or, should it not be placed with confidence, orphaned and left
  pointing into the previous version; each gets its audit event.

As every write since 0006, it keeps the versions and audit trail whole: the
document's ``version`` and each re-anchored claim's ``version`` go up by one,
and each event records the claim's version and whole state after it
(``claim_version``, ``state``, as ``annotations.claim_state`` builds it; the
fields are spelled out here because a migration cannot import today's code)
and the document's title.

Documents without "\\r" are not touched. Not reversible: the previous version
keeps the old text.
"""

import hashlib
import re

from django.db import migrations
from django.db.models import F, Max
from django.utils import timezone

from archive.text import anchoring

REASON = "Line endings normalised to \\n (the capture used CRLF or CR)"
LINE_BREAK = re.compile(r"\r\n?")
MIGRATION = "0007_reading_text_line_endings"

# A claim's recorded state as of this migration (``annotations.claim_state``):
# (state key, column), then its tags' names.
STATE_COLUMNS = (
    ("quote", "quote"),
    ("prefix", "prefix"),
    ("suffix", "suffix"),
    ("start", "start"),
    ("end", "end"),
    ("orphaned", "orphaned"),
    ("anchored_version", "anchored_version_id"),
    ("claimant", "claimant_id"),
    ("kind", "kind"),
    ("status", "status"),
    ("note", "note"),
    ("visibility", "visibility"),
)
PLACEMENT = ["quote", "prefix", "suffix", "start", "end", "orphaned", "anchored_version", "anchor_note"]


def _sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _span(claim):
    return {"quote": claim.quote, "start": claim.start, "end": claim.end}


def _tag_names(apps, claims):
    """Each claim's tag names, sorted."""
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    names = {claim.pk: [] for claim in claims}
    items = TaggedItem.objects.filter(
        content_type__app_label="archive", content_type__model="claim", object_id__in=list(names)
    ).values_list("object_id", "tag__name")
    for object_id, name in items:
        names[object_id].append(name)
    return {pk: sorted(tags) for pk, tags in names.items()}


def normalise_line_endings(apps, schema_editor):
    Document = apps.get_model("archive", "Document")
    DocumentVersion = apps.get_model("archive", "DocumentVersion")
    Claim = apps.get_model("archive", "Claim")
    ClaimEvent = apps.get_model("archive", "ClaimEvent")

    for document in Document.objects.filter(text__contains="\r").order_by("pk"):
        old, new = document.text, LINE_BREAK.sub("\n", document.text)
        now = timezone.now()
        previous = DocumentVersion.objects.filter(document=document).order_by("-number").first()
        if previous is None:
            previous = DocumentVersion.objects.create(
                document=document,
                number=1,
                text=old,
                text_sha256=_sha256(old),
                reason="Text as first cleaned from the capture",
            )
        number = (DocumentVersion.objects.filter(document=document).aggregate(n=Max("number"))["n"] or 0) + 1
        version = DocumentVersion.objects.create(
            document=document, number=number, text=new, text_sha256=_sha256(new), reason=REASON
        )
        Document.objects.filter(pk=document.pk).update(text=new, version=F("version") + 1, updated_at=now)

        claims = list(Claim.objects.filter(document=document, orphaned=False).order_by("pk"))
        selectors = [anchoring.Selector(c.quote, c.prefix, c.suffix, c.start, c.end) for c in claims]
        results = anchoring.reanchor_all(selectors, old, new) if claims else []
        tags = _tag_names(apps, claims)
        events = []
        for claim, result in zip(claims, results, strict=True):
            old_span = _span(claim)
            if result.outcome is anchoring.Outcome.ORPHANED:
                claim.orphaned = True
                claim.anchored_version = previous
                claim.anchor_note = result.reason[:300]
                action = "orphaned"
            else:
                selector = result.selector
                claim.quote, claim.prefix, claim.suffix = selector.quote, selector.prefix, selector.suffix
                claim.start, claim.end = selector.start, selector.end
                claim.anchored_version = version
                claim.anchor_note = "" if result.outcome is anchoring.Outcome.KEPT else result.reason[:300]
                action = "reanchored"
            claim.version += 1
            claim.updated_at = now
            state = {key: getattr(claim, column) for key, column in STATE_COLUMNS}
            state["tags"] = tags[claim.pk]
            events.append(
                ClaimEvent(
                    claim=claim,
                    claim_pk=claim.pk,
                    document_id=document.pk,
                    document_title=document.title,
                    action=action,
                    at=now,
                    detail={
                        "outcome": result.outcome.value,
                        "score": round(result.score, 3),
                        "reason": result.reason,
                        "old": old_span,
                        "new": _span(claim),
                        "version": number,
                        "migration": MIGRATION,
                    },
                    claim_version=claim.version,
                    state=state,
                )
            )
        Claim.objects.bulk_update(claims, [*PLACEMENT, "version", "updated_at"], batch_size=500)
        ClaimEvent.objects.bulk_create(events, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0006_versions_append_only_audit"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.RunPython(normalise_line_endings, migrations.RunPython.noop),
    ]

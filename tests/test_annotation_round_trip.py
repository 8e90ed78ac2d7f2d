"""Our own W3C export read back by our own import gives the same claims.

The archive's collection is exported as an analyst sees it (drafts included),
the claims are deleted through the service, and the exported file is imported:
every claim comes back on the same words of the same document with the same
claimant, kind, status, tags and note. Visibility is the one field that does
not travel: an import makes drafts unless it is asked to publish.
"""

import json

import pytest

from archive.models import Claim, Person
from archive.services import annotations
from archive.services.annotation_import import PLACED, import_annotations
from tests.factories import make_claim, make_document
from tests.test_w3c_export import walk

pytestmark = pytest.mark.django_db

PERSIAN = "رهبر انقلاب گفت: «آمریکا باید از منطقه خارج شود.» این سخن در دیدار با مردم بیان شد."


def content(claims):
    """What a reader sees of each claim, independent of ids and visibility."""
    return sorted(
        (
            claim.document.slug,
            claim.start,
            claim.end,
            claim.quote,
            claim.claimant.slug if claim.claimant_id else "",
            claim.kind,
            claim.status,
            claim.note,
            tuple(sorted(tag.name for tag in claim.tags.all())),
        )
        for claim in claims
    )


@pytest.fixture
def archive_with_every_kind_of_claim(seeded, analyst_user):
    """The seed's claims plus a Persian one with a Markdown note and a Persian tag, and a draft."""
    document = make_document(PERSIAN, title="سخنرانی", language="fa", visibility="published")
    speaker = Person.objects.create(name="علی خامنه‌ای", slug="علی-خامنه-ای")
    make_claim(
        document,
        "آمریکا باید از منطقه خارج شود.",
        claimant=speaker,
        kind="threat",
        status="disputed",
        note="Said *twice*; see [the readout](https://example.org/readout).",
        tags=["آمریکا", "منطقه"],
        visibility="published",
    )
    make_claim(document, "این سخن در دیدار با مردم بیان شد.", visibility="draft")
    return Claim.objects.select_related("document", "claimant").prefetch_related("tags")


def test_importing_the_archives_own_export_reproduces_every_claim(
    archive_with_every_kind_of_claim, analyst, analyst_user
):
    before = content(archive_with_every_kind_of_claim.all())
    assert len(before) > 30
    _, items = walk(analyst, "/annotations/")
    assert len(items) == len(before)

    for claim in Claim.objects.all():
        annotations.delete_claim(claim, user=analyst_user)
    assert not Claim.objects.exists()

    summary = import_annotations(
        json.dumps(items, ensure_ascii=False).encode(),
        name="margins-export.jsonld",
        hosts=["testserver"],
        user=analyst_user,
    )

    assert [entry.outcome for entry in summary.entries] == [PLACED] * len(items), [
        (entry.index, entry.outcome, entry.message) for entry in summary.entries if entry.outcome != PLACED
    ]
    after = Claim.objects.select_related("document", "claimant").prefetch_related("tags")
    assert content(after) == before
    assert {claim.visibility for claim in after} == {"draft"}

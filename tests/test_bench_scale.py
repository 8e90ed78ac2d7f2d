"""bench/scale.py's builder at a tiny size (no server, no timing): the rows are
what the services would write, the counts are those asked for, and every
page the bench measures answers 200 on the built archive."""

import dataclasses
import importlib.util

import pytest
from django.conf import settings
from taggit.models import TaggedItem

from archive.models import (
    Claim,
    ClaimEvent,
    ClaimLink,
    Document,
    DocumentRelation,
    DocumentVersion,
    sha256_hex,
)
from archive.services import annotations
from archive.text import anchoring
from archive.text.capture import clean
from tests.paths import ROOT

DOCUMENTS = 20


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "bench" / "scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def built(db, bench):
    return bench.build(DOCUMENTS, seed="test", chunk=7, log=lambda _line: None)


def test_counts_are_those_asked_for(bench, built):
    shape = bench.Shape.of(DOCUMENTS)
    assert Document.objects.count() == DOCUMENTS == built["documents"]
    assert Claim.objects.count() == shape.claims == built["claims"] == 10 * DOCUMENTS
    assert ClaimLink.objects.count() == shape.links == built["links"]
    assert DocumentRelation.objects.count() == built["relations"] == shape.relations
    reader, *reports = built["targets"]["compare"]
    assert Claim.objects.filter(document__slug=reader).count() == shape.reader_claims
    for slug in reports:
        assert Claim.objects.filter(document__slug=slug).count() == shape.compare_claims
    person = built["targets"]["person"]
    assert Claim.objects.published().filter(claimant__slug=person).count() == shape.person_claims
    assert Claim.objects.filter(claimant__slug=person).count() == shape.person_claims
    tag = built["targets"]["tag"]
    assert Document.objects.published().filter(tags__slug=tag).count() == shape.tag_documents
    assert Claim.objects.published().filter(tags__slug=tag).count() == shape.tag_claims
    assert TaggedItem.objects.filter(tag__slug=tag).count() == shape.tag_documents + shape.tag_claims
    assert Document.objects.filter(visibility="draft").exists()


def test_every_claim_quotes_its_document_at_its_offsets_with_real_context(built):
    claims = list(Claim.objects.select_related("document", "anchored_version"))
    assert claims
    for claim in claims:
        text = claim.document.text
        assert text[claim.start : claim.end] == claim.quote
        assert claim.selector == anchoring.selector_for(text, claim.start, claim.end)
        assert anchoring.check_selector(text, claim.selector) == ""
        assert claim.quote == claim.quote.strip() and claim.quote[-1] not in ",;:"
        assert claim.anchored_version.number == 1 and claim.version == 1 and not claim.orphaned
        claim.full_clean(exclude=annotations.CLEAN_EXCLUDE)


def test_documents_are_what_the_importer_makes_with_their_first_version(built):
    for document in Document.objects.all():
        cleaned = clean(document.raw_text)
        assert document.text == cleaned.text
        assert document.cleaning_report == [dataclasses.asdict(removed) for removed in cleaned.removed]
        assert document.raw_text_intact() and document.version == 1
        document.full_clean()
        (version,) = DocumentVersion.objects.filter(document=document)
        assert (version.number, version.text, version.reason) == (1, document.text, version.FIRST_REASON)
        assert version.text_sha256 == sha256_hex(document.text)


def test_events_are_those_the_services_record(built):
    claims = Claim.objects.prefetch_related("tags")
    created = {event.claim_id: event for event in ClaimEvent.objects.filter(action="created")}
    assert len(created) == claims.count()
    for claim in claims:
        event = created[claim.pk]
        assert event.state == annotations.claim_state(claim)
        assert event.detail == annotations._snapshot(claim)
        assert (event.claim_version, event.document_id, event.document_title) == (
            1,
            claim.document_id,
            claim.document.title,
        )
    linked = ClaimEvent.objects.filter(action="linked")
    assert linked.count() == 2 * ClaimLink.objects.count()
    for link in ClaimLink.objects.all()[:20]:
        ends = linked.filter(detail__link=link.pk)
        assert sorted(ends.values_list("claim_id", flat=True)) == sorted(
            [link.from_claim_id, link.to_claim_id]
        )
        for event in ends:
            assert event.detail == {
                "link": link.pk,
                "from": link.from_claim_id,
                "relation": link.relation,
                "to": link.to_claim_id,
                "note": link.note,
            }
            assert event.state is None and event.claim_version == 1


def test_a_claim_made_by_the_service_records_the_same_event(built):
    """The same claim written through ``annotations.create_claim`` gives the same state and detail."""
    claim = Claim.objects.filter(tags__isnull=False, claimant__isnull=False).prefetch_related("tags").first()
    event = ClaimEvent.objects.get(claim=claim, action="created")
    tags = [tag.name for tag in claim.tags.all()]
    fields = {name: getattr(claim, name) for name in Claim.DETAIL_COLUMNS}
    twin = annotations.create_claim(claim.document, claim.selector, user=None, tags=tags, **fields)
    twin_event = ClaimEvent.objects.get(claim=twin, action="created")
    assert twin_event.state == event.state
    assert twin_event.detail == event.detail
    assert (twin.anchored_version_id, twin.version) == (claim.anchored_version_id, claim.version)


def test_every_measured_page_answers_200(bench, built, outsider):
    named = bench.pages(built["targets"], settings.MARGINS_PAGE_SIZE) + bench.ratio_pages(built["targets"])
    for name, path in named:
        response = outsider.get(path)
        assert response.status_code == 200, (name, path, response.status_code)

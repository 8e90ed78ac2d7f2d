"""The seed corpus: honest provenance, exact captures, claims that anchor,
idempotent loading, precise refusals; and the local demo analyst."""

import hashlib
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from archive.models import (
    Claim,
    ClaimEvent,
    ClaimLink,
    Document,
    DocumentRelation,
    DocumentVersion,
    Person,
    Source,
    Visibility,
)
from archive.services import seed
from archive.text import anchoring
from tests.conftest import sign_in as authenticate
from tests.paths import CAPTURES, SHARED_SEEDS

SEED_TEXT = seed.SEED_PATH.read_text(encoding="utf-8")

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Source,
            Person,
            Document,
            DocumentRelation,
            Claim,
            ClaimLink,
            DocumentVersion,
            ClaimEvent,
        )
    }


def write_manifest(tmp_path, text):
    """A copy of the seed manifest in ``tmp_path`` that still finds the real captures."""
    text = text.replace('directory = "captures"', f'directory = "{CAPTURES.as_posix()}"', 1)
    path = tmp_path / "seed.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def document(prefix):
    """The seeded document loaded from the capture whose file name starts with ``prefix``."""
    (capture,) = CAPTURES.glob(f"{prefix}_*.txt")
    return Document.objects.get(raw_sha256=hashlib.sha256(capture.read_bytes()).hexdigest())


# --- The captures ----------------------------------------------------------------


def test_seed_archives_the_five_captures_byte_for_byte_and_published(seeded):
    captures = sorted(CAPTURES.glob("*.txt"))
    assert len(captures) == 5
    for capture in captures:
        data = capture.read_bytes()
        stored = Document.objects.get(raw_sha256=hashlib.sha256(data).hexdigest())
        assert stored.raw_text.encode("utf-8") == data
        assert stored.raw_text_intact()
        assert stored.visibility == Visibility.PUBLISHED
    assert Document.objects.published().count() == 5


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason=f"{SHARED_SEEDS} (the original seeds) is not here")
def test_seed_documents_hold_exactly_the_bytes_of_the_shared_seed_files(seeded):
    originals = sorted(SHARED_SEEDS.glob("*.txt"))
    assert [path.name for path in originals] == sorted(path.name for path in CAPTURES.glob("*.txt"))
    for original in originals:
        data = original.read_bytes()
        stored = Document.objects.get(raw_sha256=hashlib.sha256(data).hexdigest())
        assert stored.raw_text.encode("utf-8") == data


def test_every_seeded_claim_quote_is_the_text_at_its_offsets(seeded):
    claims = list(Claim.objects.select_related("document"))
    assert len(claims) >= 20
    for claim in claims:
        assert claim.document.text[claim.start : claim.end] == claim.quote
        selector = anchoring.Selector(claim.quote, claim.prefix, claim.suffix, claim.start, claim.end)
        assert anchoring.check_selector(claim.document.text, selector) == ""


def test_seed_publishes_enough_claims_and_keeps_its_drafts_hidden(seeded):
    published = Claim.objects.published()
    assert published.count() >= 15
    drafts = Claim.objects.filter(visibility=Visibility.DRAFT)
    assert drafts.exists()
    assert not published.filter(pk__in=drafts).exists()
    assert not Claim.objects.visible_to(None).filter(pk__in=drafts).exists()


def test_seed_includes_claims_that_overlap_in_one_document(seeded):
    overlapping = [
        (a, b)
        for a in Claim.objects.published()
        for b in Claim.objects.published().filter(document=a.document_id, start__gte=a.start, start__lt=a.end)
        if a.pk != b.pk
    ]
    assert overlapping
    outer, inner = next((a, b) for a, b in overlapping if b.end <= a.end)
    assert inner.quote in outer.quote


def test_required_quotes_are_attributed_to_the_right_speakers(seeded):
    esbati = Claim.objects.get(quote__startswith="We were defeated and defeated very badly")
    assert esbati.claimant.slug == "behrouz-esbati"
    assert esbati.kind == Claim.Kind.ADMISSION
    plot = Claim.objects.get(quote="what has taken place in Syria is the product of a joint US-Israeli plot")
    assert plot.claimant.slug == "ali-khamenei"
    assert plot.document == document("001")
    isw = Claim.objects.get(quote="Khamenei's tone in the speech was notably defensive")
    assert isw.claimant is None
    assert "isw-assessment" in isw.tags.names()


# --- Provenance stays honest -------------------------------------------------------


def test_dates_the_captures_do_not_give_stay_unknown(seeded):
    for prefix in ("001", "003", "004"):
        undated = document(prefix)
        assert undated.published_precision == Document.DatePrecision.UNKNOWN
        assert undated.published_at is None
        assert undated.published_display == "date unknown"
    caliber = document("000")
    assert caliber.published_precision == Document.DatePrecision.TIME
    assert caliber.published_at.isoformat() == "2025-01-04T13:21:00+00:00"
    assert "no time zone" in caliber.provenance_notes


def test_publishers_the_captures_do_not_name_stay_unknown(seeded):
    assert document("002").source is None
    assert document("003").source is None
    assert document("004").source is None
    assert document("000").source.slug == "caliber-az"
    assert document("000").source.country == ""
    assert "not recorded" in document("002").provenance_notes


def test_the_cited_isw_report_is_described_without_an_invented_url_or_date(seeded):
    cites = DocumentRelation.objects.get(document=document("000"), kind=DocumentRelation.Kind.CITES)
    assert cites.target is None
    assert "Institute for the Study of War" in cites.external_title
    assert cites.external_url == ""
    assert cites.external_date is None
    assert cites.external_date_precision == Document.DatePrecision.UNKNOWN


def test_seed_links_claims_across_documents(seeded):
    links = ClaimLink.objects.select_related("from_claim", "to_claim")
    assert links.count() >= 8
    relations = {link.relation for link in links}
    assert relations >= {"reports", "paraphrases", "repeats", "corroborates", "contradicts"}
    assert all(link.from_claim.document_id != link.to_claim.document_id for link in links)
    assert all(link.note for link in links)


# --- Loading again, dry runs, refusals ---------------------------------------------


def test_loading_the_seed_twice_duplicates_nothing():
    first = run("load_seed")
    after_first = counts()
    second = run("load_seed")
    assert counts() == after_first
    assert "Seed: 5 documents (5 new)" in first
    assert "Seed: 5 documents (0 new), 36 claims (0 new), 10 links (0 new)" in second


def test_dry_run_saves_nothing_but_reports_what_it_would_load():
    output = run("load_seed", "--dry-run")
    assert "5 documents (5 new)" in output
    assert "Dry run" in output
    assert set(counts().values()) == {0}


def test_a_quote_missing_from_its_document_fails_naming_the_claim_and_saves_nothing(tmp_path):
    path = write_manifest(
        tmp_path,
        SEED_TEXT.replace(
            'quote = "Iran is strong and powerful and it will become even more powerful"',
            'quote = "Iran is weak and will become weaker"',
        ),
    )
    with pytest.raises(seed.SeedError) as raised:
        seed.load_seed(path)
    message = str(raised.value)
    assert "c001-iran-strong" in message
    assert "“001”" in message
    assert "does not occur" in message
    assert set(counts().values()) == {0}


def test_an_ambiguous_quote_fails_through_the_command_with_a_precise_message(tmp_path):
    path = write_manifest(
        tmp_path,
        SEED_TEXT.replace(
            'quote = "We can activate all the networks we have worked with over the years."',
            'quote = "Esbati"',
        ),
    )
    with pytest.raises(CommandError) as raised:
        call_command("load_seed", "--file", str(path))
    message = str(raised.value)
    assert "c002-networks" in message
    assert "occurs" in message and "times" in message
    assert "nothing was saved" in message
    assert Document.objects.count() == 0


def test_a_changed_capture_file_is_refused_by_its_checksum(tmp_path):
    captures = tmp_path / "captures"
    captures.mkdir()
    for capture in CAPTURES.glob("*.txt"):
        (captures / capture.name).write_bytes(capture.read_bytes())
    altered = next(captures.glob("002_*.txt"))
    altered.write_bytes(altered.read_bytes().replace(b"hile acknowledging", b"While acknowledging"))
    path = tmp_path / "seed.toml"
    path.write_text(SEED_TEXT, encoding="utf-8")
    with pytest.raises(seed.SeedError) as raised:
        seed.load_seed(path)
    assert "document “002”" in str(raised.value)
    assert "SHA-256" in str(raised.value)
    assert Document.objects.count() == 0


def test_an_unknown_claimant_is_refused_by_name(tmp_path):
    path = write_manifest(
        tmp_path, SEED_TEXT.replace('claimant = "iraj-masjedi"', 'claimant = "iraj-masjed"')
    )
    with pytest.raises(seed.SeedError, match="c003-masjedi.*iraj-masjed"):
        seed.load_seed(path)
    assert Claim.objects.count() == 0


def test_claim_links_are_skipped_when_the_model_is_absent(monkeypatch):
    monkeypatch.setattr(seed, "_claim_link_model", lambda: None)
    result = seed.load_seed()
    assert result.links_skipped
    assert "links skipped" in result.summary()
    assert Claim.objects.count() == result.claims.total
    assert ClaimLink.objects.count() == 0


# --- The demo analyst ----------------------------------------------------------------


def test_create_demo_analyst_makes_a_staff_analyst_who_can_sign_in():
    output = run("create_demo_analyst")
    user = get_user_model().objects.get(username="analyst")
    assert user.is_staff
    assert user.groups.filter(name="Analysts").exists()
    assert user.has_perm("archive.view_draft")
    assert authenticate(username="analyst", password="margins-demo") == user
    assert "local use only" in output


def test_create_demo_analyst_keeps_a_changed_password_unless_asked_to_reset():
    run("create_demo_analyst")
    user = get_user_model().objects.get(username="analyst")
    user.set_password("a better secret, chosen later")
    user.save()

    run("create_demo_analyst")
    assert get_user_model().objects.filter(username="analyst").count() == 1
    assert authenticate(username="analyst", password="margins-demo") is None
    assert authenticate(username="analyst", password="a better secret, chosen later") is not None

    run("create_demo_analyst", "--reset-password")
    assert authenticate(username="analyst", password="margins-demo") is not None


@override_settings(PRODUCTION=True)
def test_create_demo_analyst_refuses_in_production():
    with pytest.raises(CommandError, match="production"):
        call_command("create_demo_analyst", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="analyst").exists()


def test_loading_again_after_an_analyst_corrected_a_text_duplicates_nothing_and_fails_nothing(db):
    from archive.models import Claim, ClaimLink, Document
    from archive.services import annotations
    from archive.services.seed import load_seed as load

    load()
    transcript = Document.objects.get(slug="khamenei-speech-on-recent-developments-in-syria-and-region")
    removed = "The territories that have been seized in Syria will be liberated by the brave Syrian youth"
    corrected = ("A note inserted by the analyst.\n\n" + transcript.text).replace(removed, "")
    annotations.correct_text(transcript, corrected, user=None, reason="test: drop a sentence, add a line")
    counts = (Claim.objects.count(), ClaimLink.objects.count())

    result = load()

    assert (Claim.objects.count(), ClaimLink.objects.count()) == counts
    assert result.claims.new == 0 and result.links.new == 0
    # The removed sentence's claim was orphaned by the correction and is recognised as the seed's claim.
    assert Claim.objects.get(document=transcript, quote__startswith="The territories").orphaned


def test_a_seed_claim_whose_quote_an_analyst_removed_and_deleted_is_left_alone_not_recreated(db):
    from archive.models import Claim, Document
    from archive.services import annotations
    from archive.services.seed import load_seed as load

    load()
    report = Document.objects.get(slug="iran-faces-setbacks-in-syria-us-presence-in-iraq")
    quote = "We can activate all the networks we have worked with over the years."
    annotations.correct_text(report, report.text.replace(quote, ""), user=None, reason="test: remove a quote")
    annotations.delete_claim(Claim.objects.get(document=report, quote=quote), user=None)
    count = Claim.objects.count()

    result = load()

    assert Claim.objects.count() == count
    assert "left alone" in result.summary() and len(result.claims_left_alone) == 1

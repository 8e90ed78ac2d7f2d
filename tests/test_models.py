"""Model rules a reader notices: dates shown only as precisely as known,
raw text that never changes, selectors that must fit the text."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from archive.models import Claim, Document
from archive.text import anchoring
from tests.factories import make_claim, make_document

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


@pytest.mark.parametrize(
    "precision, stated, shown, iso",
    [
        ("time", True, "4 January 2025, 13:21 UTC", "2025-01-04T13:21:00+00:00"),
        ("time", False, "4 January 2025, 13:21 (time zone not stated)", "2025-01-04T13:21"),
        ("day", False, "4 January 2025", "2025-01-04"),
        ("month", False, "January 2025", "2025-01"),
        ("year", False, "2025", "2025"),
    ],
)
def test_published_date_is_shown_only_as_precisely_as_known(precision, stated, shown, iso):
    document = make_document(
        published_at=datetime.datetime(2025, 1, 4, 13, 21, tzinfo=UTC),
        published_precision=precision,
        published_time_zone_stated=stated,
    )
    assert document.published_display == shown
    assert document.published_iso == iso


def test_unknown_date_reads_date_unknown_and_never_a_guess():
    document = make_document()
    assert document.published_precision == Document.DatePrecision.UNKNOWN
    assert document.published_display == "date unknown"
    assert document.published_iso == ""


def test_a_date_with_precision_unknown_is_refused_by_validation_and_the_database():
    document = make_document()
    document.published_at = datetime.datetime(2025, 1, 4, tzinfo=UTC)
    with pytest.raises(ValidationError, match="precision cannot be “unknown”"):
        document.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(published_at=document.published_at)


def test_raw_text_hash_is_recorded_and_rechecks():
    document = make_document("Captured text.")
    assert document.raw_text_intact()
    Document.objects.filter(pk=document.pk).update(raw_text="Tampered text.")
    document.refresh_from_db()
    assert not document.raw_text_intact()


def test_saving_a_changed_raw_text_is_refused_and_nothing_changes():
    document = make_document("Captured text.")
    document.raw_text = "Changed."
    with pytest.raises(ValidationError, match="never changes"):
        document.save()
    document.refresh_from_db()
    assert document.raw_text == "Captured text."


def test_a_new_document_starts_with_version_one_of_its_reading_text():
    document = make_document("Reading text.")
    version = document.versions.get()
    assert (version.number, version.text) == (1, "Reading text.")


def test_claim_quote_must_equal_the_text_at_its_offsets():
    document = make_document("Alpha beta gamma.")
    claim = make_claim(document, "beta")
    assert document.text[claim.start : claim.end] == claim.quote == "beta"
    claim.quote = "gamm"
    with pytest.raises(ValidationError, match="reads “beta”, not the quote “gamm”"):
        claim.full_clean()
    claim.quote = "gamma"
    with pytest.raises(ValidationError, match="covers 4 characters but the quote has 5"):
        claim.full_clean()


def test_an_empty_span_is_refused_by_the_database():
    document = make_document("Alpha beta gamma.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(document=document, quote="", start=3, end=3)


def test_a_claims_selector_is_what_set_selector_took():
    document = make_document("Alpha beta gamma.")
    claim = make_claim(document, "beta")
    selector = anchoring.selector_for(document.text, 11, 16)
    claim.set_selector(selector)
    assert claim.selector == selector


def test_placement_fields_are_every_field_a_correction_rewrites():
    """``Claim.PLACEMENT_FIELDS`` is what a text correction stores; it must cover the selectors."""
    names = {field.name for field in Claim._meta.concrete_fields}
    assert set(Claim.PLACEMENT_FIELDS) <= names
    assert {"quote", "prefix", "suffix", "start", "end"} <= set(Claim.PLACEMENT_FIELDS)

"""The passage index follows imports and corrections; lexical echoes answer without any embedding."""

from archive.echoes import retrieval, tasks
from archive.echoes.models import Passage, PassageTerm
from archive.models import Claim, Document
from archive.services import annotations
from tests.factories import make_document

SPEECH = (
    "The commander said the occupiers will be expelled from the whole region soon.\n\n"
    "Markets were calm on Tuesday. Weather stayed mild across the capital."
)
REPORT = (
    "In a fiery address, he vowed that American forces would be driven out of the region.\n"
    "Separately, the football season opened with three draws."
)


def test_an_imported_document_has_a_row_per_sentence_and_per_adjacent_pair_of_its_text(seeded):
    document = max(Document.objects.all(), key=lambda d: len(d.text))
    rows = Passage.objects.filter(document=document)
    assert rows.filter(sentences=1).count() > 20
    assert rows.filter(sentences=2).exists()
    for row in rows[:50]:
        assert document.text[row.start : row.end] == row.text
        assert row.version == document.version
        assert row.embedding is None


def test_a_correction_replaces_the_rows_of_the_old_text_and_the_term_counts_follow(db, analyst_user):
    document = make_document(SPEECH)
    before = Passage.objects.filter(document=document).count()
    occupier = PassageTerm.objects.get(term="occupi").passages
    annotations.correct_text(
        document, SPEECH.replace("occupiers", "invaders"), user=analyst_user, reason="Misspelt word"
    )
    document.refresh_from_db()
    rows = Passage.objects.filter(document=document)
    assert rows.count() == before
    assert set(rows.values_list("version", flat=True)) == {document.version} == {2}
    assert not rows.filter(text__contains="occupiers").exists()
    assert (
        PassageTerm.objects.get(term="occupi").passages == occupier - 1 == 0
    )  # its paragraph is one sentence: no pair
    assert PassageTerm.objects.get(term="").passages == Passage.objects.count()


def test_deleting_a_document_takes_its_passages_with_it(db, analyst_user):
    document = make_document(SPEECH)
    annotations.delete_document(document, user=analyst_user)
    assert not Passage.objects.exists()


def test_echoes_are_found_across_documents_by_shared_words_when_nothing_is_embedded(db):
    speech, report = make_document(SPEECH), make_document(REPORT)
    found = retrieval.find(
        "the occupiers will be expelled from the whole region", exclude=(speech.pk, 0, 77), limit=3
    )
    assert found, "the report shares 'region' and 'forces' stems"
    assert all(echo.document_id == report.pk for echo in found)
    assert "driven out of the region" in found[0].text
    assert found[0].semantic is None
    assert retrieval.pending_passages() == Passage.objects.count()


def test_the_quotes_own_span_is_never_its_echo_and_overlapping_passages_count_once(db):
    speech = make_document(SPEECH)
    found = retrieval.find("occupiers will be expelled from the whole region", exclude=(speech.pk, 0, 77))
    assert found == []
    found = retrieval.find("occupiers will be expelled from the whole region")
    assert len(found) == 1 and found[0].start == 0


def test_the_quotes_own_document_is_left_out_however_close_its_other_sentences(db):
    speech = make_document(SPEECH + " The occupiers will be expelled from the region, he repeated.")
    report = make_document(REPORT)
    found = retrieval.find("occupiers will be expelled from the whole region", exclude=(speech.pk, 0, 77))
    assert [echo.document_id for echo in found] == [report.pk]


def test_a_rejected_passage_is_left_out(db):
    speech, report = make_document(SPEECH), make_document(REPORT)
    first = retrieval.find("occupiers expelled from the region", exclude=(speech.pk, 0, 77))[0]
    again = retrieval.find(
        "occupiers expelled from the region",
        exclude=(speech.pk, 0, 77),
        rejected={report.pk: {first.text_sha256: first.text}},
    )
    assert first.text not in [echo.text for echo in again]


def test_any_script_is_indexed_without_error(db):
    document = make_document("این یک جمله فارسی است که سه کلمه دارد.\nЭто русское предложение из слов.")
    assert Passage.objects.filter(document=document).count() >= 2


def test_persian_arabic_and_russian_passages_are_found_by_their_words_whichever_keyboard_typed_them(db):
    persian = make_document("سلیمانی در بغداد کشته شد و ایران انتقام گرفت.\nРечь о выводе войск из региона.")
    other = make_document("Unrelated English text about the weather in spring.")
    # Arabic yeh and kaf (ي ك) in the quote, Persian (ی ک) in the text; a harakat mark too.
    found = retrieval.find("سليماني كُشته شد", exclude=(other.pk, 0, 10))
    assert found and found[0].document_id == persian.pk and "بغداد" in found[0].text
    found = retrieval.find("ВЫВОДЕ войск", exclude=(other.pk, 0, 10))
    assert found and "Речь о выводе" in found[0].text


def test_the_catch_up_indexes_documents_archived_before_the_index(db):
    document = make_document(SPEECH)
    Passage.objects.all().delete()
    assert document.pk in tasks.outstanding()
    tasks.catch_up()
    assert Passage.objects.filter(document=document, version=document.version).exists()


def test_claims_of_the_seed_are_indexed_and_found_archive_wide(seeded):
    claim = Claim.objects.order_by("pk").first()
    found = retrieval.find(claim.quote, exclude=(claim.document_id, claim.start, claim.end))
    assert 0 < len(found) <= retrieval.LIMIT
    assert all(
        not (e.document_id == claim.document_id and e.start < claim.end and claim.start < e.end)
        for e in found
    )

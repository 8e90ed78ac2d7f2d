"""The semantic path with the real sentence model (archive.text.embedding) on small texts."""

from archive.echoes import meaning, retrieval, tasks
from archive.echoes.models import Passage
from archive.services import annotations
from archive.text import embedding
from tests.factories import make_claim, make_document

QUOTE = "American forces will be expelled from the region"
PARAPHRASE = "The Resistance vowed that US troops would be thrown out of the whole region before long."
DISTRACTOR = "Two American chefs were expelled from the kitchen contest in the capital."
SPEECH = f"In his address he said that {QUOTE}. Markets were calm on Tuesday."


def _embed_all():
    for document_id in Passage.objects.values_list("document", flat=True).distinct():
        tasks.embed_document(document_id)


def _rank(quote, exclude, *, meaning_too):
    found = retrieval.find(
        quote,
        exclude=exclude,
        query_vector=meaning.encoder().encode([quote])[0] if meaning_too else None,
        model_sha256=meaning.model_sha256(),
    )
    return [echo.text for echo in found]


def test_a_paraphrase_sharing_few_words_comes_first_with_meaning_and_not_by_shared_words(db):
    speech = make_document(SPEECH)
    make_document(PARAPHRASE)
    make_document(DISTRACTOR)
    _embed_all()
    exclude = (speech.pk, 0, 10)
    lexical = _rank(QUOTE, exclude, meaning_too=False)
    blended = _rank(QUOTE, exclude, meaning_too=True)
    assert lexical[0] == DISTRACTOR, "shared words alone prefer the kitchen contest"
    assert blended[0] == PARAPHRASE


def test_the_page_stops_saying_meaning_is_being_prepared_once_the_worker_embedded_the_passages(
    analyst, khamenei
):
    speech = make_document(SPEECH, title="The speech", slug="speech")
    make_document(PARAPHRASE, title="The paraphrase", slug="paraphrase")
    claim = make_claim(speech, QUOTE, claimant=khamenei)
    page = analyst.get(claim.get_absolute_url()).content.decode()
    assert "Meaning-based matching is still being prepared" in page
    for document_id in Passage.objects.values_list("document", flat=True).distinct():
        tasks.process(document_id)  # the worker's job
    page = analyst.get(claim.get_absolute_url()).content.decode()
    assert "still being prepared" not in page
    assert "thrown out of the whole region" in page
    assert not Passage.objects.filter(embedding__isnull=True).exists()
    assert set(Passage.objects.values_list("model_sha256", flat=True)) == {embedding.MODEL_SHA256}


class CorrectedWhileEncoding:
    """The real encoder; while it encodes the first batch, an analyst corrects the document
    (what a concurrent request does between the worker's encoding and its write)."""

    def __init__(self, document, new_text, user):
        self.document, self.new_text, self.user, self.calls = document, new_text, user, 0

    def encode(self, texts):
        vectors = meaning.encoder().encode(texts)
        self.calls += 1
        if self.calls == 1:
            annotations.correct_text(
                self.document, self.new_text, user=self.user, reason="Typo in the capture"
            )
        return vectors


def test_a_document_corrected_while_it_is_embedded_ends_with_embeddings_of_its_new_text_only(
    db, analyst_user
):
    old = " ".join(f"Sentence number {n} of the old capture speaks of the region." for n in range(12))
    document = make_document(old)
    old_rows = set(Passage.objects.filter(document=document).values_list("pk", flat=True))
    new_text = old.replace("old capture", "corrected capture")
    written = tasks.embed_document(
        document.pk, encoder=CorrectedWhileEncoding(document, new_text, analyst_user), batch=4
    )
    assert written == 0, "the batch cut from the old text is not written once the text changed"
    document.refresh_from_db()
    assert document.version == 2
    # The correction replaced the rows; the job it queued embeds the new ones.
    assert not Passage.objects.filter(pk__in=old_rows).exists()
    assert not Passage.objects.filter(document=document, version=1).exists()
    tasks.embed_document(document.pk)
    rows = Passage.objects.filter(document=document)
    assert rows.count() > 0
    assert not rows.filter(embedding__isnull=True).exists()
    assert all("corrected capture" in text for text in rows.values_list("text", flat=True))
    # Each stored vector is the new text's own.
    for text, blob in rows.values_list("text", "embedding")[:3]:
        fresh = meaning.encoder().encode([text])[0]
        assert float(embedding.similarities(fresh, [bytes(blob)])[0]) > 0.99

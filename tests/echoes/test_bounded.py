"""Bounded work for "Where else was this said?": the engine ranks at most ``retrieval.POSTINGS``
passages however common the quote's words, and the claim page asks as many queries with thirty
echoing documents as with three."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.echoes import retrieval
from tests.factories import make_claim, make_document

REPORT = "Envoys agreed the harbour ceasefire."
QUOTE = "the envoys, the ceasefire and the harbour"
# Each holds two of the quote's three words: every word is then in more passages than a small budget.
FILLERS = [
    "Envoys spoke about the ceasefire.",
    "Envoys waited by the harbour.",
    "The ceasefire held along the harbour.",
]


def _fillers(rounds, first=0):
    for n in range(first, first + rounds):
        for k, text in enumerate(FILLERS):
            make_document(f"Note {n}-{k}. {text}", slug=f"note-{n}-{k}")


def test_the_engine_is_asked_for_the_rarest_terms_whose_postings_fit_the_budget(monkeypatch):
    monkeypatch.setattr(retrieval, "POSTINGS", 10)
    df = {"rare": 3, "middling": 6, "common": 50}
    assert retrieval._plan(["rare", "middling", "common"], df) == (["rare", "middling"], False)
    assert retrieval._plan(["common"], df) == (["common"], True)


def test_a_word_held_by_more_passages_than_the_budget_is_left_to_the_re_ranking(db, monkeypatch):
    speech = make_document("The envoys at the harbour signed, he said.", slug="speech")
    report = make_document("In the harbour the envoys signed the accord.", slug="report")
    for n in range(6):
        make_document(f"Note {n}. The envoys travelled on.", slug=f"note-{n}")
    monkeypatch.setattr(retrieval, "POSTINGS", 4)
    found = retrieval.find("envoys at the harbour signed", exclude=(speech.pk, 0, 0))
    assert found[0].document_id == report.pk
    assert "harbour the envoys signed" in found[0].text


def test_when_every_word_is_common_only_the_first_passages_of_the_rarest_are_ranked(db, monkeypatch):
    report = make_document(REPORT, slug="report")
    _fillers(3)
    monkeypatch.setattr(retrieval, "POSTINGS", 2)
    found = retrieval.find(QUOTE)
    # The report, archived first, is in the window and holds all three words: it ranks first.
    assert found[0].document_id == report.pk
    assert len(found) <= 2
    monkeypatch.setattr(retrieval, "POSTINGS", 1000)
    assert len(retrieval.find(QUOTE)) > 2


def test_the_claim_page_asks_as_many_queries_with_thirty_echoing_documents_as_with_three(
    analyst, django_assert_num_queries
):
    speech = make_document("The envoys, the ceasefire and the harbour were named, he said.", slug="speech")
    claim = make_claim(speech, "envoys, the ceasefire and the harbour")
    _fillers(1)
    analyst.get(claim.get_absolute_url())  # the session and the content types, once
    with CaptureQueriesContext(connection) as few:
        page = analyst.get(claim.get_absolute_url()).content.decode()
    assert page.count("Accept and link") == 3
    _fillers(10, first=1)
    with django_assert_num_queries(len(few.captured_queries)):
        page = analyst.get(claim.get_absolute_url()).content.decode()
    assert page.count("Accept and link") == retrieval.LIMIT

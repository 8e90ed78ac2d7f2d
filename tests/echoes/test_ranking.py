"""How "Where else was this said?" fuses shared words with meaning (archive/echoes/retrieval.py)."""

import pytest

from archive.echoes import retrieval
from archive.echoes.retrieval import Echo


def _echo(text, lexical, semantic):
    echo = Echo(passage=0, document_id=1, start=0, end=len(text), text=text, lexical=lexical)
    echo.semantic = semantic
    echo.score = echo.order = lexical
    return echo


def _ranked(fusion, weight, echoes):
    retrieval._fuse(echoes, fusion, weight)
    return [e.text for e in sorted(echoes, key=lambda e: -e.order)]


def test_a_clear_lead_in_meaning_outranks_a_lead_in_words_once_both_are_stretched_over_the_candidates():
    # Cosines of a sentence model crowd together (0.30 against 0.40), TF-IDF cosines spread (0.5
    # against 0.1): blended raw, the words decide; stretched to 0..1 each, both count as they rank.
    def candidates():
        return [_echo("shares the words", 0.5, 0.30), _echo("says the same thing", 0.1, 0.40)]

    raw = [e.text for e in sorted(candidates(), key=lambda e: -(0.6 * e.lexical + 0.4 * e.semantic))]
    assert raw[0] == "shares the words"
    assert _ranked("minmax", 0.7, candidates())[0] == "says the same thing"


def test_a_passage_not_embedded_yet_keeps_only_its_share_of_words():
    echoes = [_echo("embedded", 0.2, 0.9), _echo("waiting for the worker", 0.6, None), _echo("low", 0.1, 0.1)]
    retrieval._fuse(echoes, "minmax", 0.7)
    assert echoes[1].order == pytest.approx(0.3 * 1.0)
    assert echoes[0].order == pytest.approx(0.3 * 0.2 + 0.7 * 1.0)


def test_reciprocal_rank_fusion_orders_by_the_ranks_in_either_list():
    echoes = [_echo("first by words", 0.9, 0.1), _echo("first by meaning", 0.2, 0.8), _echo("last", 0.1, 0.0)]
    assert _ranked("rrf", 0.6, echoes) == ["first by meaning", "first by words", "last"]


def test_an_unknown_fusion_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown fusion 'sum'"):
        retrieval._fuse([_echo("a", 0.1, 0.2)], "sum", 0.5)


def test_the_meaning_is_asked_for_the_whole_sentence_around_a_clause():
    text = (
        "Markets were calm. He made a comparison, drawing a parallel to Iraqi militias mobilized by "
        "Soleimani in the 2000s. The talks resume on Monday."
    )
    start = text.index("drawing")
    end = text.index(" in the 2000s")
    assert retrieval.sentence_context(text, start, end) == (
        "He made a comparison, drawing a parallel to Iraqi militias mobilized by Soleimani in the 2000s."
    )


def test_the_sentence_around_a_quote_deep_in_a_long_document_is_found_in_a_window_around_it():
    filler = "Nothing happened on that day at all. " * 2000
    sentence = "Persian and English words: سپاه پاسداران said the envoy, again."
    text = filler + sentence + " " + filler
    start = text.index("said the envoy")
    assert retrieval.sentence_context(text, start, start + len("said the envoy")) == sentence

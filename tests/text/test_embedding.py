"""The sentence model, run for real on small texts: paraphrases found by meaning,
any Unicode encoded, vectors packed small, and a damaged model file refused by name."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from archive.text import embedding
from archive.text.embedding import DIMENSIONS, ModelIntegrityError

# Claims of the seed articles, each said again in other words (few shared words).
PARAPHRASES = [
    (
        "Soleimani was killed in a US drone strike in January 2020 during a visit to Baghdad.",
        "An American drone killed Soleimani in Baghdad at the start of 2020.",
    ),
    (
        "The ambassador praised President Bashar al-Assad for his steadfastness.",
        "The envoy commended Mr. Assad's unwavering resolve.",
    ),
    (
        "Khamenei urged Syrian youth to resist the foreign occupation of their country.",
        "Iran's Supreme Leader called on young Syrians to stand up against occupiers.",
    ),
    (
        "We were defeated, and defeated very badly; we took a very big blow.",
        "He admitted that they had suffered a heavy defeat.",
    ),
    (
        "Khamenei had vowed to take revenge for Soleimani's assassination.",
        "The Supreme Leader promised retaliation for the killing of Soleimani.",
    ),
]
UNRELATED = [
    "The festival opens with a concert in the old harbour on Saturday evening.",
    "Wheat prices fell for the third week as harvests came in above forecasts.",
    "The museum has extended its opening hours for the summer season.",
    "A new railway line will connect the two cities by 2030.",
    "Researchers found that the bees preferred blue flowers.",
]
NOT_ENGLISH = [
    "خامنه‌ای جوانان سوریه را به مقاومت در برابر اشغالگران فراخواند.",
    "قال السفير إن سوريا ستنتصر في النهاية.",
    "Хаменеи призвал сирийскую молодёжь противостоять оккупации.",
    "\u202bמשפט מימין לשמאל\u202c",
    "e\u0301\u0301\u0301 combining marks",
    "a NUL \x00 inside",
    "a lone surrogate \ud800 inside",
    "😀" * 300,
    "",
]


@pytest.fixture(scope="module")
def encoder():
    return embedding.get_encoder()


def cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_each_claim_is_nearest_to_its_paraphrase_among_the_other_claims_and_unrelated_news(
    encoder,
):
    texts = [text for pair in PARAPHRASES for text in pair] + UNRELATED
    vectors = encoder.encode(texts)
    scores = vectors @ vectors.T
    np.fill_diagonal(scores, -1)

    for i in range(2 * len(PARAPHRASES)):
        partner = i + 1 if i % 2 == 0 else i - 1
        assert scores[i].argmax() == partner, (texts[i], texts[scores[i].argmax()])


def test_a_paraphrase_scores_well_above_every_unrelated_sentence(encoder):
    for claim, paraphrase in PARAPHRASES:
        claim_vector, paraphrase_vector = encoder.encode([claim, paraphrase])
        unrelated = encoder.encode(UNRELATED) @ claim_vector

        assert cosine(claim_vector, paraphrase_vector) > unrelated.max() + 0.3, claim


def test_vectors_are_unit_length_float32_rows_in_the_order_of_the_texts(encoder):
    texts = [pair[0] for pair in PARAPHRASES] + UNRELATED

    together = encoder.encode(texts, batch_size=3)
    one_by_one = np.stack([encoder.encode([text])[0] for text in texts])

    assert together.shape == (len(texts), DIMENSIONS)
    assert together.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1, atol=1e-5)
    # int8 activations are scaled per batch, so batch-mates move a vector a little.
    assert (together * one_by_one).sum(axis=1).min() > 0.99


def test_persian_arabic_russian_rtl_combining_marks_and_odd_characters_encode_without_error(
    encoder,
):
    # The model is English-centric: these get usable vectors, not good ones.
    vectors = encoder.encode(NOT_ENGLISH)

    assert vectors.shape == (len(NOT_ENGLISH), DIMENSIONS)
    assert np.isfinite(vectors).all()
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)


def test_words_past_the_256_token_limit_do_not_change_a_long_passage(encoder):
    long = " ".join(["the ambassador praised the steadfastness of the army"] * 40)

    cut, longer = encoder.encode([long, long + " and then spoke about wheat prices and bees"])

    np.testing.assert_allclose(cut, longer, atol=1e-6)


def test_no_texts_give_an_empty_matrix_and_one_string_is_refused(encoder):
    assert encoder.encode([]).shape == (0, DIMENSIONS)
    with pytest.raises(TypeError, match="list of texts"):
        encoder.encode("a single string")
    with pytest.raises(ValueError, match="batch_size"):
        encoder.encode(["text"], batch_size=0)


def test_the_encoder_is_loaded_once_per_process():
    assert embedding.get_encoder() is embedding.get_encoder()


unit_range = st.floats(min_value=-1, max_value=1, width=32)


@given(arrays(np.float32, DIMENSIONS, elements=unit_range))
def test_a_packed_vector_unpacks_within_half_a_step_of_its_scale(vector):
    blob = embedding.pack(vector)
    back = embedding.unpack(blob)

    assert len(blob) == embedding.PACKED_SIZE == 388
    step = np.abs(vector).max() / 127
    assert np.abs(back - vector).max() <= step / 2 + 1e-7


def test_packing_keeps_real_cosines_within_a_thousandth(encoder):
    vectors = encoder.encode([text for pair in PARAPHRASES for text in pair] + UNRELATED)
    blobs = embedding.pack_rows(vectors)

    exact = vectors @ vectors[0]
    packed = embedding.similarities(vectors[0], blobs)

    assert np.abs(packed - exact).max() < 1e-3
    np.testing.assert_allclose(embedding.unpack_rows(blobs), np.stack([embedding.unpack(b) for b in blobs]))
    np.testing.assert_allclose(
        embedding.similarities(vectors[0], embedding.unpack_rows(blobs)), packed, atol=1e-6
    )


def test_similarities_of_nothing_are_empty_and_a_zero_row_scores_zero():
    query = np.ones(DIMENSIONS, dtype=np.float32)

    assert embedding.similarities(query, []).shape == (0,)
    assert embedding.similarities(query, [embedding.pack(np.zeros(DIMENSIONS))]).tolist() == [0.0]


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.ones(DIMENSIONS + 1), "shape"),
        (np.ones((2, DIMENSIONS)), "shape"),
        (np.full(DIMENSIONS, np.nan), "finite"),
    ],
    ids=["too long", "a matrix", "not a number"],
)
def test_pack_refuses_anything_but_one_finite_vector(bad, message):
    with pytest.raises(ValueError, match=message):
        embedding.pack(bad)


def test_unpack_refuses_a_blob_of_the_wrong_size():
    with pytest.raises(ValueError, match="388 bytes, not 387"):
        embedding.unpack(bytes(387))


def test_the_shipped_model_files_match_their_pinned_hashes():
    embedding.verify()


def test_a_model_file_with_one_byte_changed_is_refused_naming_the_file_and_both_hashes(
    model_copy,
):
    path = model_copy / embedding.MODEL_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    with pytest.raises(ModelIntegrityError) as refused:
        embedding.verify(model_copy)
    with pytest.raises(ModelIntegrityError):
        embedding.Encoder.load(model_copy)

    message = str(refused.value)
    assert str(path) in message
    assert embedding.MODEL_SHA256 in message
    assert refused.value.actual in message
    assert "git checkout -- archive/text/embedding_model/" in message


def test_a_changed_tokenizer_is_refused_too(model_copy):
    path = model_copy / embedding.TOKENIZER_FILE
    path.write_bytes(path.read_bytes().replace(b'"[UNK]"', b'"[UNX]"', 1))

    with pytest.raises(ModelIntegrityError, match="tokenizer.json has SHA-256"):
        embedding.verify(model_copy)


def test_a_missing_model_file_is_refused_saying_it_is_missing(model_copy):
    (model_copy / embedding.MODEL_FILE).unlink()

    with pytest.raises(ModelIntegrityError, match=r"model\.onnx is missing"):
        embedding.verify(model_copy)


def test_a_remembered_verification_is_redone_once_the_file_changes(model_copy):
    embedding.verify_once(model_copy)
    embedding.verify_once(model_copy)  # remembered: nothing changed

    path = model_copy / embedding.MODEL_FILE
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))

    with pytest.raises(ModelIntegrityError, match="model.onnx has SHA-256"):
        embedding.verify_once(model_copy)

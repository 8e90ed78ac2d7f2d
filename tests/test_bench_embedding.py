"""bench/embedding.py's measures, on a few seed sentences (no timing): the
seeds give sentences, the installed size adds up, packed vectors keep rankings."""

import importlib.util

import pytest

from archive.text import embedding
from tests.paths import ROOT


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_embedding", ROOT / "bench" / "embedding.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_seed_captures_give_hundreds_of_sentences(bench):
    texts = bench.seed_sentences()

    assert len(texts) > 300
    assert all(len(text.split()) >= 3 for text in texts)


def test_the_runtime_packages_and_what_they_need_are_measured(bench):
    closure = bench.requirement_closure(bench.RUNTIME)

    assert {"onnxruntime", "tokenizers", "numpy"} <= set(closure)
    assert "torch" not in closure
    assert bench.distribution_size("onnxruntime") > 10_000_000


def test_int8_packing_keeps_each_sentences_nearest_neighbours_but_for_near_ties(bench):
    vectors = embedding.get_encoder().encode(bench.seed_sentences()[:60])

    results = bench.packed_fidelity(vectors)

    size, error, same, widest = results["int8 + scale"]
    assert size == 388
    assert error < 2e-3
    assert same > 0.9
    assert widest < 2e-3

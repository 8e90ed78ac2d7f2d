"""The sentence model's costs: encode rate, query latency, memory, installed size,
and how much ranking the stored int8 vectors keep.

    python bench/embedding.py [--quick]

On the sentences of the seed captures (archive.text.similarity.sentences over
the cleaned text, as the passage index cuts them):

- encode rate in passages per second, wall clock and CPU, with one ONNX
  Runtime thread (the default: what a request or the worker uses) and with
  two, in batches of 32;
- query latency: one sentence encoded alone, p50 and p95;
- resident memory of this process before ONNX Runtime is imported, after the
  model is loaded, and after encoding;
- installed size of onnxruntime, tokenizers and numpy (their files as pip
  recorded them), and with every package they pull in;
- packed vectors: int8 with a float32 scale (what ``embedding.pack`` stores,
  388 bytes) against float16 (768 bytes): the largest cosine error against
  float32 and whether each sentence's nearest three neighbours stay the same.

The machine is shared: the load average is printed beside the wall-clock
figures, and CPU seconds are the steadier measure of the model's own cost.
Needs no database and no Django.
"""

import argparse
import importlib.metadata
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from packaging.requirements import Requirement  # noqa: E402

from archive.text import embedding  # noqa: E402
from archive.text.capture import clean  # noqa: E402
from archive.text.similarity import sentences  # noqa: E402

CAPTURES = ROOT / "fixtures" / "captures"
RUNTIME = ("onnxruntime", "tokenizers", "numpy")


def seed_sentences():
    found = []
    for path in sorted(CAPTURES.glob("*.txt")):
        text = clean(path.read_text(encoding="utf-8")).text
        found.extend(text[span.start : span.end] for span in sentences(text))
    return found


def rss_mb():
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def load_average():
    return os.getloadavg()[0]


def encode_rate(encoder, texts, rounds):
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        encoder.encode(texts, batch_size=32)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return len(texts) / min(walls), len(texts) / min(cpus)


def query_latency(encoder, texts):
    times = []
    for text in texts:
        start = time.perf_counter()
        encoder.encode([text])
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def distribution_size(name):
    dist = importlib.metadata.distribution(name)
    total = 0
    for file in dist.files or ():
        path = Path(dist.locate_file(file))
        if path.is_file():
            total += path.stat().st_size
    return total


def requirement_closure(names):
    """The distributions ``names`` need, themselves included (extras not asked for left out)."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        for line in importlib.metadata.requires(name) or ():
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return sorted(seen)


def other_requirements():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    names = [Requirement(line).name for line in lines if line.strip() and not line.startswith("#")]
    return [name for name in names if name.lower() not in RUNTIME]


def packed_fidelity(vectors):
    exact = vectors @ vectors.T
    as_int8 = embedding.unpack_rows(embedding.pack_rows(vectors))
    as_float16 = vectors.astype(np.float16).astype(np.float32)
    results = {}
    for name, stored, size in (
        ("int8 + scale", as_int8, embedding.PACKED_SIZE),
        ("float16", as_float16, 2 * embedding.DIMENSIONS),
    ):
        scores = np.stack([embedding.similarities(query, stored) for query in vectors])
        error = float(np.abs(scores - exact).max())
        same, widest = 0, 0.0
        for i in range(len(vectors)):
            want = [j for j in np.argsort(-exact[i]) if j != i][:3]
            got = [j for j in np.argsort(-scores[i]) if j != i][:3]
            same += want == got
            # How far apart, in exact cosine, were two neighbours that swapped places?
            widest = max(
                [widest] + [float(exact[i, w] - exact[i, g]) for w, g in zip(want, got, strict=True)]
            )
        results[name] = (size, error, same / len(vectors), widest)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one round each, for a smoke run")
    options = parser.parse_args()
    rounds = 1 if options.quick else 3

    texts = seed_sentences()
    words = sum(len(text.split()) for text in texts)
    print(f"seed sentences: {len(texts)} ({words} words)")

    before = rss_mb()
    started = time.perf_counter()
    single = embedding.Encoder.load(threads=1)
    loaded_in = time.perf_counter() - started
    after_load = rss_mb()
    print(f"model load (hash check included): {loaded_in * 1000:.0f} ms")

    after_encoding = None
    for threads in (1, 2):
        encoder = single if threads == 1 else embedding.Encoder.load(threads=2)
        wall, cpu = encode_rate(encoder, texts, rounds)
        after_encoding = after_encoding or rss_mb()
        print(
            f"encode, {threads} thread{'s' if threads > 1 else ''}: {wall:.0f} passages/s wall clock, "
            f"{cpu:.0f} per CPU second (load average {load_average():.1f})"
        )

    p50, p95 = query_latency(single, texts[:200])
    print(f"query encode, one sentence, 1 thread: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
    print(
        f"resident memory: {before:.0f} MB before ONNX Runtime, {after_load:.0f} MB after load "
        f"(+{after_load - before:.0f}), {after_encoding:.0f} MB after encoding in batches of 32"
    )

    own = {name: distribution_size(name) for name in RUNTIME}
    closure = requirement_closure(RUNTIME)
    everything = sum(distribution_size(name) for name in closure)
    print(
        "installed: "
        + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in own.items())
        + f"; together {sum(own.values()) / 1e6:.1f} MB"
    )
    print(
        f"  with what they pull in ({len(closure)} packages: {' '.join(closure)}): {everything / 1e6:.1f} MB"
    )
    new = [name for name in closure if name not in requirement_closure(other_requirements())]
    added = sum(distribution_size(name) for name in new)
    print(f"  of which the rest of requirements.txt does not already need ({len(new)}): {added / 1e6:.1f} MB")
    model = sum((embedding.MODEL_DIR / name).stat().st_size for name in embedding.PINNED)
    print(f"  model files: {model / 1e6:.1f} MB")

    vectors = single.encode(texts)
    for name, (size, error, same, widest) in packed_fidelity(vectors).items():
        print(
            f"stored as {name} ({size} bytes): largest cosine error {error:.5f}, "
            f"nearest three unchanged for {same:.1%} of sentences "
            f"(neighbours that swapped were at most {widest:.4f} apart)"
        )


if __name__ == "__main__":
    main()

"""Sentence embeddings: all-MiniLM-L6-v2 as an int8 ONNX graph, run by ONNX Runtime.

Meaning for echoes (a claim said again in other words) comes from a sentence
model: each passage becomes a 384-dimensional unit vector and two passages that
say the same thing point the same way. The model's two files live beside this
module (``embedding_model/``: the graph and the WordPiece tokenizer) and are
pinned by SHA-256: nothing is fetched at run time, and a damaged or replaced
file is refused by name before it is ever run (``verify``; the Django system
check ``archive.E010`` calls it at start-up). ``embedding_model/PROVENANCE.md``
tells where the weights come from and how the graph was made from them.

The model is English-centric: Persian, Arabic or Russian text is encoded
without error but its vectors say little about its meaning.

Stored vectors are packed as int8 with one float32 scale per vector
(``pack``/``unpack``): 388 bytes instead of 1,536, with cosines within about
0.001 of the float32 ones (measured in ``bench/embedding.py``).

Pure: numpy, onnxruntime and tokenizers, no Django.
"""

import hashlib
import re
import struct
import threading
from pathlib import Path

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

MODEL_DIR = Path(__file__).resolve().parent / "embedding_model"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
MODEL_SHA256 = "f14a2b482b2ba49f2fe1acd64edb256a9cc9e3bc45976d1609224d82d75bcd51"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
PINNED = {MODEL_FILE: MODEL_SHA256, TOKENIZER_FILE: TOKENIZER_SHA256}

DIMENSIONS = 384
# The length the model was trained on (sentence-transformers' max_seq_length);
# longer passages are cut, as sentence-transformers cuts them.
MAX_TOKENS = 256
PAD_ID = 0

_SCALE = struct.Struct("<f")
PACKED_SIZE = _SCALE.size + DIMENSIONS
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class ModelIntegrityError(Exception):
    """A model file is missing or is not the file whose hash is pinned."""

    def __init__(self, path, expected, actual=None):
        self.path = Path(path)
        self.expected = expected
        self.actual = actual
        if actual is None:
            problem = f"The sentence model file {self.path} is missing (expected SHA-256 {expected})."
        else:
            problem = (
                f"The sentence model file {self.path} has SHA-256 {actual}, "
                f"but {expected} is pinned in archive/text/embedding.py."
            )
        super().__init__(
            f"{problem} Restore the file from the repository "
            "(git checkout -- archive/text/embedding_model/) or point "
            "MARGINS_EMBEDDING_MODEL_DIR at an intact copy; if the model was replaced on "
            "purpose, record how in embedding_model/PROVENANCE.md and pin its new hash."
        )


def _read_pinned(model_dir, name):
    """The file's bytes, once their hash is the pinned one."""
    path = Path(model_dir) / name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelIntegrityError(path, PINNED[name]) from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != PINNED[name]:
        raise ModelIntegrityError(path, PINNED[name], actual)
    return data


def verify(model_dir=MODEL_DIR):
    """Hash both model files; raise ``ModelIntegrityError`` naming the first that
    is missing or differs from its pinned SHA-256."""
    for name in PINNED:
        _read_pinned(model_dir, name)


_verified = {}
_verified_lock = threading.Lock()


def _signature(model_dir):
    signature = []
    for name in PINNED:
        try:
            stat = (Path(model_dir) / name).stat()
        except FileNotFoundError:
            return None
        signature.append((stat.st_size, stat.st_mtime_ns, stat.st_ino))
    return tuple(signature)


def verify_once(model_dir=MODEL_DIR):
    """``verify``, remembered for this process while the files keep their size,
    modification time and inode: start-up checks run many times in one test
    process and need not hash 23 MB each time. A file changed since is hashed again."""
    key = str(Path(model_dir).resolve())
    signature = _signature(model_dir)
    with _verified_lock:
        if signature is not None and _verified.get(key) == signature:
            return
    verify(model_dir)
    with _verified_lock:
        _verified[key] = signature


class Encoder:
    """The sentence model, ready to encode. Build it with ``Encoder.load``."""

    def __init__(self, session, tokenizer):
        self._session = session
        self._tokenizer = tokenizer
        self._inputs = {node.name for node in session.get_inputs()}

    @classmethod
    def load(cls, model_dir=MODEL_DIR, *, threads=1):
        """Verify and load the model. ``threads`` bounds the cores one encode
        uses: one by default, so that a request or the worker leaves the other
        core of a small machine to the rest of the site."""
        # The session and tokenizer are built from the very bytes that were hashed,
        # so a file swapped between the check and the load is never run.
        graph = _read_pinned(model_dir, MODEL_FILE)
        vocabulary = _read_pinned(model_dir, TOKENIZER_FILE)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle pool threads spinning for work would burn the core this bound leaves free.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        session = onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_str(vocabulary.decode("utf-8"))
        tokenizer.enable_truncation(MAX_TOKENS)
        # Padding is done per batch here, after sorting by length (``encode``).
        tokenizer.no_padding()
        return cls(session, tokenizer)

    def encode(self, texts, batch_size=32):
        """Unit vectors, one row per text: shape (len(texts), 384), float32.

        Texts are batched by token length so that short sentences are not
        padded to the longest passage of the whole call; rows come back in
        the order of ``texts``."""
        if isinstance(texts, str):
            raise TypeError("encode takes a list of texts, not one string")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        texts = [_LONE_SURROGATE.sub("\ufffd", text) for text in texts]
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._encode_batch([encodings[i].ids for i in rows])
        return out

    def _encode_batch(self, token_lists):
        width = max(len(ids) for ids in token_lists)
        input_ids = np.full((len(token_lists), width), PAD_ID, dtype=np.int64)
        mask = np.zeros((len(token_lists), width), dtype=np.int64)
        for row, ids in enumerate(token_lists):
            input_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        (hidden,) = self._session.run(["last_hidden_state"], feeds)
        # Mean of the real tokens' states (not the padding's), then unit length:
        # the pooling all-MiniLM-L6-v2 was trained with.
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / weights.sum(axis=1)
        return _normalised(pooled)


def _normalised(matrix):
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return (matrix / np.maximum(norms, np.finfo(np.float32).tiny)).astype(np.float32)


_encoders = {}
_encoders_lock = threading.Lock()


def get_encoder(model_dir=MODEL_DIR, *, threads=1):
    """The process's encoder, loaded on first use (never at import) and shared
    by every thread after: one ONNX Runtime session may run many calls at once."""
    key = (str(Path(model_dir).resolve()), threads)
    encoder = _encoders.get(key)
    if encoder is None:
        with _encoders_lock:
            encoder = _encoders.get(key)
            if encoder is None:
                encoder = _encoders[key] = Encoder.load(model_dir, threads=threads)
    return encoder


def pack(vector):
    """One vector as 388 bytes: its float32 scale (little-endian), then 384
    int8 values, symmetric (value ≈ int8 × scale)."""
    vector = np.asarray(vector, dtype=np.float32)
    if vector.shape != (DIMENSIONS,):
        raise ValueError(f"pack takes one vector of shape ({DIMENSIONS},), not {vector.shape}")
    if not np.all(np.isfinite(vector)):
        raise ValueError("pack takes finite values only")
    scale = np.float32(np.abs(vector).max() / np.float32(127))
    if scale == 0:
        # A zero vector (or one so small its scale underflows) has no direction to keep.
        return _SCALE.pack(1.0) + bytes(DIMENSIONS)
    values = np.clip(np.rint(vector / scale), -127, 127).astype(np.int8)
    return _SCALE.pack(scale) + values.tobytes()


def pack_rows(matrix):
    """``pack`` for each row of an (n, 384) matrix."""
    return [pack(row) for row in np.asarray(matrix, dtype=np.float32).reshape(-1, DIMENSIONS)]


def unpack(blob):
    """The (384,) float32 vector ``pack`` stored."""
    blob = bytes(blob)
    if len(blob) != PACKED_SIZE:
        raise ValueError(f"a packed vector has {PACKED_SIZE} bytes, not {len(blob)}")
    (scale,) = _SCALE.unpack_from(blob)
    return np.frombuffer(blob, dtype=np.int8, offset=_SCALE.size).astype(np.float32) * np.float32(scale)


def unpack_rows(blobs):
    """An (n, 384) float32 matrix from n packed vectors, in one pass."""
    blobs = [bytes(blob) for blob in blobs]
    if not blobs:
        return np.empty((0, DIMENSIONS), dtype=np.float32)
    if any(len(blob) != PACKED_SIZE for blob in blobs):
        raise ValueError(f"every packed vector has {PACKED_SIZE} bytes")
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), PACKED_SIZE)
    scales = raw[:, : _SCALE.size].copy().view("<f4").astype(np.float32)
    values = raw[:, _SCALE.size :].view(np.int8).astype(np.float32)
    return values * scales


def similarities(query, blobs_or_matrix):
    """Cosine of ``query`` (a (384,) vector) with each row: an (n, 384) matrix or
    a sequence of packed vectors. Rows need not be unit length (unpacked ones
    are not quite); a zero row scores 0."""
    query = np.asarray(query, dtype=np.float32).reshape(DIMENSIONS)
    if isinstance(blobs_or_matrix, np.ndarray):
        matrix = blobs_or_matrix.astype(np.float32, copy=False).reshape(-1, DIMENSIONS)
    else:
        matrix = unpack_rows(blobs_or_matrix)
    if matrix.shape[0] == 0:
        return np.empty(0, dtype=np.float32)
    return (_normalised(matrix) @ _normalised(query)).astype(np.float32)

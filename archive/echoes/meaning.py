"""The sentence model as the echo code uses it, through ``archive.text.embedding``.

The model's files ship in the repository, pinned by SHA-256 (README: licence,
provenance). A wrong or missing file stops start-up (system check
``archive.E010``); should one be damaged while a process runs, the encoder
refuses to load (``ModelIntegrityError``) and echoes answer by shared words
only, and say so, rather than fail the page or the worker. Loaded once per
process, on first use (never at import).
"""

import functools
import logging

logger = logging.getLogger(__name__)


@functools.cache
def _module():
    try:
        from archive.text import embedding
    except ImportError:  # numpy / onnxruntime / tokenizers not installed: words only
        return None
    return embedding


def available():
    """Whether meaning can be computed here: the model is installed and its files pass their hash."""
    return encoder() is not None


def encoder():
    """The encoder, or None when the model is not installed or its files fail their hash."""
    module = _module()
    if module is None:
        return None
    try:
        return module.get_encoder()
    except module.ModelIntegrityError as error:
        logger.error("Echoes use shared words only: %s", error)
        return None


def model_sha256():
    """The SHA-256 stored beside each embedding: the model's pinned hash."""
    module = _module()
    return module.MODEL_SHA256 if module else ""


def encode(texts):
    return encoder().encode(list(texts))


def pack(vector):
    return _module().pack(vector)

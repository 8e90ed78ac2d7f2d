"""The sentence model as the echo code uses it, through ``archive.text.embedding``.

The model ships in a package (README: licence, provenance, SHA-256); when it
is not installed, or its files fail their hash, echoes answer by shared words
only and say so. Loaded once per process, on first use (never at import).
"""

import functools


@functools.cache
def _module():
    try:
        from archive.text import embedding
    except ImportError:
        return None
    return embedding


def available():
    return _module() is not None


def encoder():
    """The encoder, or None when the model is not installed."""
    module = _module()
    return module.get_encoder() if module else None


def model_sha256():
    """The SHA-256 stored beside each embedding: the model's pinned hash."""
    module = _module()
    return module.MODEL_SHA256 if module else ""


def encode(texts):
    return encoder().encode(list(texts))


def pack(vector):
    return _module().pack(vector)

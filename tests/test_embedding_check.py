"""Start-up refuses a sentence model whose files are not the pinned ones
(system check archive.E010), naming the file, both hashes and the remedy."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from archive.text import embedding
from tests.paths import ROOT


def flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[1000] ^= 0xFF
    path.write_bytes(bytes(data))


def test_check_passes_with_the_shipped_model():
    call_command("check")


def test_check_passes_with_an_intact_copy_elsewhere(model_copy, settings):
    settings.MARGINS_EMBEDDING_MODEL_DIR = model_copy

    call_command("check")


def test_check_fails_on_a_changed_model_file_naming_it_with_both_hashes(model_copy, settings):
    flip_a_byte(model_copy / embedding.MODEL_FILE)
    settings.MARGINS_EMBEDDING_MODEL_DIR = model_copy

    with pytest.raises(SystemCheckError) as stopped:
        call_command("check")

    message = str(stopped.value)
    assert "(archive.E010)" in message
    assert f"{model_copy / embedding.MODEL_FILE} has SHA-256" in message
    assert embedding.MODEL_SHA256 in message
    assert "HINT: Restore the file from the repository" in message


def test_check_fails_on_a_missing_tokenizer(model_copy, settings):
    (model_copy / embedding.TOKENIZER_FILE).unlink()
    settings.MARGINS_EMBEDDING_MODEL_DIR = model_copy

    with pytest.raises(SystemCheckError, match=r"tokenizer\.json is missing"):
        call_command("check")


def test_manage_py_stops_before_migrating_when_the_model_is_changed(model_copy):
    flip_a_byte(model_copy / embedding.MODEL_FILE)
    env = {**os.environ, "MARGINS_EMBEDDING_MODEL_DIR": str(model_copy)}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--plan"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "(archive.E010) The sentence model file" in result.stderr
    assert "Planned operations" not in result.stdout

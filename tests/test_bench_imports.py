"""bench/imports.py's capture files at a tiny size (no timing): import_capture
takes every one with its manifest, shared headlines count up, Unicode ones
keep their script."""

import importlib.util
import io
import random

import pytest
from django.core.management import call_command
from django.utils.text import slugify

from archive.models import Document
from tests.paths import ROOT


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_imports", ROOT / "bench" / "imports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_every_written_file_is_imported_and_shared_headlines_count_up(bench, tmp_path):
    folders = bench.write_files(tmp_path, 60, 25, random.Random("test"), bench.Corpus())
    assert [len(listed) for _folder, listed in folders] == [25, 25, 10]
    for folder, _listed in folders:
        call_command("import_capture", manifest=str(folder / "manifest.json"), stdout=io.StringIO())
    listed = [entry for _folder, entries in folders for entry in entries]
    assert Document.objects.count() == 60
    shared = [title for _name, title, is_shared in listed if is_shared]
    assert shared, "one file in five has a shared headline"
    for title in set(shared):
        root = slugify(title, allow_unicode=True)
        count = shared.count(title)
        slugs = set(Document.objects.filter(title=title).values_list("slug", flat=True))
        assert slugs == {root} | {f"{root}-{n}" for n in range(2, count + 1)}

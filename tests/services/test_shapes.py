"""The declarative checks of manifest and seed entries: pydantic models whose
faults read exactly as the step-by-step checks they replaced did."""

import datetime
from typing import Annotated

import pydantic
import pytest

from archive.models import Claim, ClaimLink, Document, Source
from archive.services import imports, seed
from archive.services.shapes import Strict, fault, not_blank, says
from archive.text.capture import CaptureError
from tests.paths import CAPTURES

SEED_TEXT = seed.SEED_PATH.read_text(encoding="utf-8")


# --- fault -----------------------------------------------------------------------------


class Entry(Strict):
    name: str = None
    slug: Annotated[str, says("“{field}” must be a word"), not_blank("{field} is blank")]
    tags: list[str] = []


def first_fault(values, **options):
    with pytest.raises(pydantic.ValidationError) as caught:
        Entry.model_validate(values)
    return fault(caught.value, list(Entry.model_fields), required="“{field}” is missing", **options)


def test_an_unknown_key_is_reported_before_any_other_fault():
    assert first_fault({"slug": 3, "zz": 1, "aa": 2}) == (
        (),
        None,
        "unknown field “zz”; the fields are name, slug, tags",
    )


def test_alphabetical_takes_the_first_unknown_key_and_lists_the_names_in_order():
    assert first_fault({"slug": "x", "zz": 1, "aa": 2}, alphabetical=True, noun="section") == (
        (),
        None,
        "unknown section “aa”; the sections are name, slug, tags",
    )


def test_faults_are_taken_in_the_models_field_order_in_the_types_words():
    assert first_fault({"tags": 3, "slug": 3}) == ((), "slug", "“slug” must be a word")
    assert first_fault({"slug": "  "}) == ((), "slug", "slug is blank")
    assert first_fault({}) == ((), "slug", "“slug” is missing")


def test_a_fault_in_a_list_of_entries_gives_the_entrys_index():
    with pytest.raises(pydantic.ValidationError) as caught:
        pydantic.TypeAdapter(list[Entry]).validate_python([{"slug": "a"}, {"slug": "b", "tags": "x"}])
    location, field, _message = fault(caught.value, Entry.model_fields, required="")
    assert (location, field) == ((1,), "tags")


# --- Manifest entries ---------------------------------------------------------------------


def test_the_manifest_model_has_exactly_the_manifest_fields():
    assert tuple(imports.ManifestEntry.model_fields) == imports.MANIFEST_FIELDS


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"byline": None}, ", field “byline”: must be a string, not NoneType"),
        ({"byline": True}, ", field “byline”: must be a string, not true/false"),
        ({"byline": {}}, ", field “byline”: must be a string, not a table"),
        ({"title": 3}, ", field “title”: must be a string, not a number"),
        ({"title": "  "}, ", field “title”: is required"),
        ({"tags": ["iran", " "]}, ", field “tags”: must be a list of non-empty strings"),
        ({"tags": None}, ", field “tags”: must be a list of non-empty strings"),
        (
            {"published_at": datetime.time(13, 21)},
            ", field “published_at”: must be an ISO 8601 date or date-time, not time",
        ),
        ({"captured_at": []}, ", field “captured_at”: must be an ISO 8601 date or date-time, not a list"),
        (
            {"published_precision": "decade"},
            ", field “published_precision”: “decade” is not one of time, day, month, year, unknown",
        ),
        (
            {"published_time_zone_stated": True},
            ": unknown field “published_time_zone_stated”; the fields are file, title,",
        ),
    ],
)
def test_manifest_entry_faults_read_as_before(entry, message):
    with pytest.raises(CaptureError) as caught:
        imports.manifest_fields({"file": "a.txt", "title": "A", **entry}, where="m.json, entry 1 (a.txt)")
    assert str(caught.value).startswith(f"m.json, entry 1 (a.txt){message}")


@pytest.mark.django_db
def test_a_good_manifest_entry_keeps_its_values_and_strips_its_tags():
    Source.objects.create(slug="caliber-az", name="Caliber.az")
    fields = imports.manifest_fields(
        {"file": "a.txt", "title": "  A  ", "source": "caliber-az", "tags": [" iran "], "kind": "news"},
        where="m",
    )
    assert fields["title"] == "  A  "
    assert fields["tags"] == ["iran"]
    assert fields["source"].slug == "caliber-az"
    assert "file" not in fields


# --- Seed entries -------------------------------------------------------------------------


def load(tmp_path, old, new):
    assert old in SEED_TEXT
    text = SEED_TEXT.replace(old, new, 1).replace(
        'directory = "captures"', f'directory = "{CAPTURES.as_posix()}"', 1
    )
    path = tmp_path / "seed.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(seed.SeedError) as caught:
        seed.load_seed(path)
    return str(caught.value).removeprefix(f"{path}")


REVENGE = (
    "c000-revenge-vow” in document “000” (Iran’s Khamenei urges Syrian youth to resist foreign occupation)"
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "[capture]\n",
            "extra = 1\n\n[capture]\n",
            ": unknown section “extra”; the sections are capture, claim_links, claims, documents, people, relations, sources.",
        ),
        ('directory = "captures"', "directory = 3", ", [capture]: “directory” must be a string."),
        (
            'capture_method = "file_import"',
            'capture_method = "fax"',
            ", [capture]: capture_method “fax” is not one of file_import, admin_paste, upload.",
        ),
        (
            'capture_method = "file_import"',
            'capture_method = "file_import"\ncolour = "red"',
            ", [capture]: unknown field “colour”; the fields are capture_method, captured_by, directory, provenance_note.",
        ),
        (
            'slug = "institute-for-the-study-of-war"',
            "slug = 3",
            ", source 3: “slug” is required and must be a non-empty string.",
        ),
        (
            'slug = "institute-for-the-study-of-war"',
            'slug = ""',
            ", source 2: “slug” is required and must be a non-empty string.",
        ),
        (
            'slug = "caliber-az"',
            'slug = "caliber-az"\ncolour = "red"',
            ", sources entry 1: unknown field “colour”; the fields are country, homepage, kind, name, notes, slug.",
        ),
        (
            'aliases = ["Torkabadi"]',
            'aliases = "Torkabadi"',
            ", person javad-torkabadi: “aliases” must be a list of non-empty strings.",
        ),
        ('key = "001"', "key = 1", ", document 2: “key” is required and must be a non-empty string."),
        ('key = "001"', 'key = "000"', ", document “000”: the key “000” is used by an earlier document."),
        (
            'key = "001"',
            'key = "001"\ncaptured_at = 2025-01-01',
            ", documents entry 2: unknown field “captured_at”; the fields are archived_url, byline, file, key,",
        ),
        (
            'key = "001"',
            'key = "001"\npublished_time_zone_stated = true',
            ", document “001”: unknown field “published_time_zone_stated”; the fields are file, title,",
        ),
        ('kind = "transcript"', "kind = 3", ", document “001”, field “kind”: must be a string, not a number"),
        (
            'external_date = "2025-01-01"',
            'external_date = "2025/01/01"',
            ", relation 2: “external_date” must be a date such as 2025-01-01, not '2025/01/01'.",
        ),
        (
            'external_date = "2025-01-01"',
            "external_date = 2025-01-01T00:00:00",
            ", relation 2: “external_date” must be a date such as 2025-01-01, not datetime.datetime(2025, 1, 1, 0, 0).",
        ),
        (
            'document = "000"\nkind = "cites"',
            'document = "000"\nkind = "cites"\ntarget = ""',
            ", relation 1: “target” is required and must be a non-empty string.",
        ),
        ('key = "c000-tone"\n', "key = 3\n", ", claim 2: “key” is required and must be a non-empty string."),
        (
            'key = "c000-tone"\ndocument = "000"',
            'key = "c000-tone"\ndocument = "999"',
            ", claim “c000-tone”: no document has the key “999”.",
        ),
        (
            'key = "c000-tone"\n',
            'key = "c000-tone-sentence"\n',
            ", claim “c000-tone-sentence”: the key is used by an earlier claim.",
        ),
        (
            'claimant = "ali-khamenei"\nkind = "threat"',
            'claimant = "ali-khamenei"\nkind = "rumour"',
            f", claim “{REVENGE}: kind “rumour” is not one of {', '.join(Claim.Kind.values)}.",
        ),
        (
            'claimant = "ali-khamenei"\nkind = "threat"',
            'claimant = ""\nkind = "threat"',
            f", claim “{REVENGE}: “claimant” is required and must be a non-empty string.",
        ),
        (
            'claimant = "ali-khamenei"\nkind = "threat"',
            'claimant = "ali-khamenei"\nprefix = 3',
            f", claim “{REVENGE}: “prefix” and “suffix” must be strings.",
        ),
        (
            'tags = ["soleimani", "revenge", "isw-assessment"]',
            'tags = ["soleimani", ""]',
            f", claim “{REVENGE}: “tags” must be a list of non-empty strings.",
        ),
        (
            'from = "c000-resist-occupiers"',
            'from = "c000-nowhere"',
            ", claim link 2: “from” names the claim “c000-nowhere”, which the seed does not define.",
        ),
        (
            'relation = "reports"\n',
            "relation = 3\n",
            ", claim link 2 (c000-resist-occupiers 3 c001-youth-rise): “relation” is required and must be a non-empty string.",
        ),
        (
            'relation = "reports"\n',
            'relation = "echoes"\n',
            f", claim link 2 (c000-resist-occupiers echoes c001-youth-rise): relation “echoes” is not one of {', '.join(ClaimLink.Relation.values)}.",
        ),
    ],
)
def test_seed_faults_name_the_entry_and_read_as_before(tmp_path, old, new, message):
    assert load(tmp_path, old, new).startswith(message)
    assert not Document.objects.exists()

"""The imports service: the manifest reader, manifest fields and create_document."""

import datetime
import threading
from unittest import mock

import pytest
from django.db import connection, transaction

from archive.models import Document, DocumentSlug
from archive.services import imports
from archive.services.imports import create_document, load_manifest, manifest_fields, unique_slug
from archive.text.capture import CaptureError, ManifestError
from tests.factories import make_document, make_source

# --- Manifests ----------------------------------------------------------------------


def test_toml_and_json_manifests_read_the_same(tmp_path):
    (tmp_path / "m.toml").write_text(
        '[[captures]]\nfile = "a.txt"\ntitle = "A"\ntags = ["iran"]\n\n'
        '[[captures]]\nfile = "sub/b.txt"\ntitle = "B"\n',
        encoding="utf-8",
    )
    (tmp_path / "m.json").write_text(
        '{"captures": [{"file": "a.txt", "title": "A", "tags": ["iran"]},'
        ' {"file": "sub/b.txt", "title": "B"}]}',
        encoding="utf-8",
    )
    expected = {
        "a.txt": {"file": "a.txt", "title": "A", "tags": ["iran"]},
        "sub/b.txt": {"file": "sub/b.txt", "title": "B"},
    }
    assert load_manifest(tmp_path / "m.toml") == expected
    assert load_manifest(tmp_path / "m.json") == expected


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "m.json",
            '{"captures": [{"file": "a.txt",}]}',
            "not valid JSON: Expecting property name enclosed in double quotes at line 1, column 32",
        ),
        ("m.toml", '[[captures]]\nfile = "a.txt\n', "not valid TOML: "),
        ("m.yaml", "captures: []", "a manifest must be a .json or .toml file"),
        ("m.json", '{"documents": []}', "a list of tables named “captures”"),
        ("m.json", '{"captures": [{"title": "A"}]}', "entry 1 has no “file”"),
        ("m.json", '{"captures": [{"file": "a.txt"}, {"file": "a.txt"}]}', "entry 2 lists “a.txt” again"),
        ("m.json", '{"captures": [{"file": "a.txt", "file": "b.txt"}]}', "the key “file” appears twice"),
    ],
)
def test_unusable_manifests_are_refused_whole(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_toml_parse_error_gives_line_and_column(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text('[[captures]]\nfile = "a.txt"\ntitle = \n', encoding="utf-8")
    with pytest.raises(ManifestError, match=r"line 3, column 9"):
        load_manifest(path)


@pytest.mark.django_db
def test_manifest_entry_becomes_document_fields():
    source = make_source(slug="caliber")
    fields = manifest_fields(
        {
            "file": "a.txt",
            "title": "A",
            "source": "caliber",
            "published_at": "2025-01-04",
            "captured_at": "2025-01-05T10:00:00+00:00",
            "tags": ["iran", " syria "],
            "kind": "news",
        },
        where="m.json, entry 1 (a.txt)",
    )
    assert fields["source"] == source
    assert fields["published_at"] == datetime.datetime(2025, 1, 4, tzinfo=datetime.UTC)
    assert fields["published_precision"] == "day"
    assert fields["captured_at"] == datetime.datetime(2025, 1, 5, 10, tzinfo=datetime.UTC)
    assert fields["tags"] == ["iran", "syria"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("published_at", "precision", "stored"),
    [
        ("2024", None, ("2024-01-01", "year")),
        ("2024-05", None, ("2024-05-01", "month")),
        ("2024-05-30T10:15:00+04:30", "day", ("2024-05-30", "day")),
        (datetime.date(2024, 5, 30), None, ("2024-05-30", "day")),
    ],
)
def test_manifest_dates_at_each_precision(published_at, precision, stored):
    entry = {"file": "a.txt", "title": "A", "published_at": published_at}
    if precision:
        entry["published_precision"] = precision
    fields = manifest_fields(entry, where="m")
    assert (fields["published_at"].date().isoformat(), fields["published_precision"]) == stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"kind": "speech"}, "field “kind”: “speech” is not one of transcript, news, analysis"),
        ({"published_at": "04/01/2025"}, "field “published_at”: “04/01/2025” is not an ISO 8601 date"),
        (
            {"published_at": "2025-01-04", "published_precision": "unknown"},
            "field “published_precision”: is “unknown”, but published_at gives a date",
        ),
        (
            {"published_precision": "day"},
            "field “published_at”: is missing, but published_precision is “day”",
        ),
        (
            {"published_at": "2025-01-04", "published_precision": "time"},
            "field “published_precision”: is “time”, finer than published_at “2025-01-04” says",
        ),
        ({"source": "nowhere"}, "field “source”: no source has the slug “nowhere”"),
        (
            {"language": "english language"},
            "field “language”: “english language” is not a BCP 47 language tag",
        ),
        ({"original_url": "not a url"}, "field “original_url”: Enter a valid URL."),
        ({"autor": "X"}, "unknown field “autor”"),
        ({"title": ""}, "field “title”: is required"),
        ({"tags": "iran"}, "field “tags”: must be a list of non-empty strings"),
        ({"byline": 3}, "field “byline”: must be a string, not a number"),
        ({"visibility": "public"}, "field “visibility”: “public” is not one of draft, published"),
    ],
)
def test_bad_manifest_fields_are_refused_naming_the_entry_and_field(entry, message):
    with pytest.raises(CaptureError) as caught:
        manifest_fields({"file": "a.txt", "title": "A", **entry}, where="m.json, entry 1 (a.txt)")
    assert str(caught.value).startswith("m.json, entry 1 (a.txt)")
    assert message in str(caught.value)


# --- create_document -----------------------------------------------------------------


@pytest.mark.django_db
def test_create_document_stores_raw_text_and_the_cleaning_report(analyst_user):
    raw = "WORLD\nA+\nHeadline here\n\nBody sentence.\nViews: 3\n"
    document, cleaned = create_document(
        raw,
        fields={"tags": ["iran"]},
        capture_method=Document.CaptureMethod.ADMIN_PASTE,
        created_by=analyst_user,
        name="pasted text",
    )
    document.refresh_from_db()
    assert document.raw_text == raw
    assert document.raw_text_intact()
    assert document.text == "Headline here\n\nBody sentence."
    assert document.title == "Headline here"
    assert document.slug == "headline-here"
    assert document.cleaning_report == [
        {"line": 1, "text": "WORLD", "reason": "section label"},
        {"line": 2, "text": "A+", "reason": "font size control"},
        {"line": 6, "text": "Views: 3", "reason": "view counter"},
    ]
    assert list(document.tags.names()) == ["iran"]
    assert document.created_by == analyst_user
    assert document.visibility == "draft"


@pytest.mark.django_db
def test_create_document_refuses_a_capture_already_archived():
    existing = make_document("Same words.", title="The first copy", slug="first-copy")
    with pytest.raises(CaptureError) as caught:
        create_document("Same words.", fields={}, capture_method="upload", name="again.txt")
    assert str(caught.value) == (
        "again.txt: this capture is already archived as “The first copy” (/documents/first-copy/), "
        f"SHA-256 {existing.raw_sha256}"
    )
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_create_document_refuses_a_capture_that_is_all_boilerplate():
    with pytest.raises(CaptureError, match="nothing is left once the boilerplate lines are removed"):
        create_document("twitter\nA+\nViews: 4", fields={}, capture_method="upload", name="x.txt")
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_dry_run_validates_but_saves_nothing():
    document, _ = create_document("A headline\n\nText.", fields={}, capture_method="upload", dry_run=True)
    assert document.pk is None
    assert not Document.objects.exists()


# --- Slugs ------------------------------------------------------------------------


def imported(title, n=[0]):  # noqa: B006  (a counter: every capture's bytes differ)
    n[0] += 1
    document, _ = create_document(
        f"{title}\n\nCapture {n[0]}.", fields={}, capture_method="upload", name=f"{n[0]}.txt"
    )
    return document.slug


@pytest.mark.django_db
def test_same_title_imports_count_up():
    assert [imported("Syria: the talks") for _ in range(4)] == [
        "syria-the-talks",
        "syria-the-talks-2",
        "syria-the-talks-3",
        "syria-the-talks-4",
    ]
    assert imported("Syria, the talks!") == "syria-the-talks-5"


@pytest.mark.django_db
def test_a_deleted_documents_number_is_used_again():
    # The smallest free number is taken: the deleted document's address was a
    # 404 since its deletion (its old slugs went with it).
    slugs = [imported("Syria") for _ in range(4)]
    Document.objects.get(slug="syria-2").delete()
    Document.objects.get(slug="syria").delete()
    assert (unique_slug("Syria"), imported("Syria"), imported("Syria"), imported("Syria")) == (
        "syria",
        "syria",
        "syria-2",
        "syria-5",
    )
    assert slugs == ["syria", "syria-2", "syria-3", "syria-4"]


@pytest.mark.django_db
def test_an_old_slug_of_another_document_is_never_taken():
    # Renamed documents keep their old slugs, which redirect: a new document
    # taking one would capture that redirect (and the model refuses it).
    renamed = make_document(slug="syria")
    second = make_document(slug="syria-2")
    renamed.slug = "syria-talks-collapse"
    renamed.save()
    second.slug = "syria-second"
    second.save()
    assert set(DocumentSlug.objects.values_list("slug", flat=True)) == {"syria", "syria-2"}
    assert imported("Syria") == "syria-3"
    assert imported("Syria") == "syria-4"


@pytest.mark.django_db
def test_slugs_that_merely_start_like_the_root_are_not_siblings():
    for slug in ["syria-abc", "syria-2-x", "syria-2x", "syria-02", "syriac", "syria_3", "syria-3-2"]:
        make_document(slug=slug)
    assert unique_slug("Syria") == "syria"
    make_document(slug="syria")
    assert unique_slug("Syria") == "syria-2"
    make_document(slug="syria-2")
    assert unique_slug("Syria") == "syria-3"


@pytest.mark.django_db
def test_a_root_that_looks_numbered_counts_on_from_itself():
    assert imported("Syria 2") == "syria-2"
    assert imported("Syria") == "syria"
    assert imported("Syria") == "syria-3"  # "syria-2" is the other title's
    assert imported("Syria 2") == "syria-2-2"


@pytest.mark.django_db
def test_a_long_title_leaves_room_for_the_number():
    max_length = Document._meta.get_field("slug").max_length
    title = "word " * 100
    first, second = imported(title), imported(title)
    assert len(first) <= max_length - 10
    assert not first.endswith("-")
    assert second == f"{first}-2"
    assert len(second) <= max_length


@pytest.mark.django_db
@pytest.mark.parametrize("siblings", [0, 1, 50])
def test_allocation_is_one_query_however_many_siblings(django_assert_num_queries, siblings):
    for n in range(1, siblings + 1):
        make_document(slug="syria" if n == 1 else f"syria-{n}")
    make_document(slug="syria-abc")
    with django_assert_num_queries(1):
        slug = unique_slug("Syria")
    assert slug == ("syria" if siblings == 0 else f"syria-{siblings + 1}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "root"),
    [
        ("سخنان رهبر انقلاب درباره‌ی سوریه", "سخنان-رهبر-انقلاب-دربارهی-سوریه"),
        ("تصريحات وزير الخارجية السوري", "تصريحات-وزير-الخارجية-السوري"),
        ("Сергей Лавров: переговоры", "сергей-лавров-переговоры"),
        ("Iran’s Khamenei: «سوریه»", "irans-khamenei-سوریه"),
        ("!!! …", "capture"),
    ],
)
def test_titles_in_any_script_keep_their_script_and_count_up(title, root):
    assert [imported(title) for _ in range(3)] == [root, f"{root}-2", f"{root}-3"]
    make_document(slug=f"{root}-x")
    make_document(slug=f"{root}-5")
    with_siblings = unique_slug(title)
    assert with_siblings == f"{root}-4"
    document = Document.objects.get(slug=root)
    document.full_clean()  # the model takes the slug it was given


# --- Two importers racing for one slug -------------------------------------------------


def stale_allocation(monkeypatch, times):
    """``unique_slug`` answers, ``times`` times, the slug another importer has just taken."""
    real, calls = imports.unique_slug, []

    def stale(base):
        calls.append(base)
        return "syria" if len(calls) <= times else real(base)

    monkeypatch.setattr(imports, "unique_slug", stale)
    return calls


@pytest.mark.django_db
def test_a_slug_taken_between_allocation_and_save_is_allocated_again(monkeypatch):
    make_document(slug="syria")
    calls = stale_allocation(monkeypatch, times=2)
    with transaction.atomic():  # as import_capture calls it: the retry must not spoil the transaction
        document, _ = create_document("Syria\n\nText.", fields={}, capture_method="upload", name="a.txt")
        assert Document.objects.count() == 2
    assert document.slug == "syria-2"
    assert len(calls) == 3
    assert Document.objects.get(slug="syria-2").versions.count() == 1


@pytest.mark.django_db
def test_a_slug_taken_again_and_again_refuses_the_file_with_a_message(monkeypatch):
    make_document(slug="syria")
    stale_allocation(monkeypatch, times=imports.SLUG_ATTEMPTS)
    with pytest.raises(CaptureError, match="a.txt: the slug “syria” was just taken; try again"):
        create_document("Syria\n\nText.", fields={}, capture_method="upload", name="a.txt")
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_a_given_slug_taken_since_the_check_refuses_the_file(monkeypatch):
    make_document(slug="syria")
    # The check saw the slug free; the other importer saved it just after.
    monkeypatch.setattr(imports.Document.objects, "filter", stale_filter(imports.Document.objects.filter))
    with pytest.raises(CaptureError, match="the slug “syria” was just taken; try again"):
        create_document("Syria\n\nText.", fields={"slug": "syria"}, capture_method="upload", name="a.txt")
    assert Document.objects.count() == 1


def stale_filter(real):
    seen = []

    def filter(*args, **kwargs):
        if kwargs == {"slug": "syria"} and not seen:
            seen.append(kwargs)
            return real(pk=-1)
        return real(*args, **kwargs)

    return filter


@pytest.mark.django_db(transaction=True)
def test_two_importers_racing_on_postgresql_both_succeed():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's writers queue up (BEGIN IMMEDIATE): there is no race to lose")
    make_document(slug="syria")
    both_allocated = threading.Barrier(2, timeout=10)
    real, results, calls = imports.unique_slug, [], []

    def allocate_then_wait(base):
        slug = real(base)
        calls.append(slug)
        if len(calls) <= 2:
            both_allocated.wait()  # both have read "syria-2" as free before either saves
        return slug

    def importer(n):
        try:
            with transaction.atomic():
                document, _ = create_document(
                    f"Syria\n\nCapture {n}.", fields={}, capture_method="upload", name=f"{n}.txt"
                )
            results.append(document.slug)
        except Exception as error:  # noqa: BLE001  (reported below)
            results.append(error)
        finally:
            connection.close()

    with mock.patch.object(imports, "unique_slug", allocate_then_wait):
        threads = [threading.Thread(target=importer, args=(n,)) for n in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert sorted(results) == ["syria-2", "syria-3"]
    assert calls == ["syria-2", "syria-2", "syria-3"]  # the loser allocated again

"""The capture pipeline's parts: cleaner, decoder, manifest reader, create_document."""

import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.ingest import (
    CaptureError,
    ManifestError,
    clean,
    create_document,
    decode_capture,
    load_manifest,
    manifest_fields,
    unique_slug,
)
from archive.models import Document
from tests.factories import make_document, make_source

CAPTURES = Path(__file__).resolve().parent.parent / "fixtures" / "captures"


def seed(number):
    (path,) = CAPTURES.glob(f"{number:03d}_*.txt")
    return path.read_text(encoding="utf-8")


def removed_texts(raw):
    return [removed.text for removed in clean(raw).removed]


def raw_lines(raw):
    lines = raw.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def assert_only_deletes_lines(raw, cleaned):
    """Cleaned lines are raw lines, in order: the first may have lost a BOM,
    the last its trailing whitespace, nothing else changes."""
    lines = raw_lines(raw)
    out = cleaned.text.split("\n") if cleaned.text else []
    removed_lines = {removed.line for removed in cleaned.removed if removed.reason != "byte order mark"}
    kept = [line for number, line in enumerate(lines, 1) if number not in removed_lines]
    assert len(out) == len(kept)
    for index, (got, original) in enumerate(zip(out, kept, strict=True)):
        expected = original
        if index == 0:
            expected = expected.lstrip("\ufeff")
        if index == len(out) - 1:
            expected = expected.rstrip()
            got = got.rstrip()
        assert got == expected
    for removed in cleaned.removed:
        assert removed.text in lines[removed.line - 1]


# --- The cleaner on the real seeds -------------------------------------------


def test_caliber_menus_share_widgets_and_footer_are_removed():
    removed = removed_texts(seed(0))
    for line in [
        "twitter",
        "youtube",
        "instagram",
        "facebook",
        "telegram",
        "apple store",
        "play market",
        "night_theme",
        "ru",
        "arm",
        "search",
        "WHAT ARE YOU LOOKING FOR ?",
        "Any use of materials is allowed only if there is a hyperlink to Caliber.az",
        "Caliber.az © 2025. .",
        "WORLD",
        "A+",
        "A-",
        "Views: 367",
        "share-lineLiked the story? Share it on social media!",
        "print",
        "copy link",
        "Ссылка скопирована",
        "Follow us on Youtube",
        "The most important world news",
    ]:
        assert line in removed, line
    assert removed.count("WORLD") == 2
    assert removed.count("Follow us on Youtube") == 2


def test_caliber_article_byline_and_date_are_kept():
    text = clean(seed(0)).text
    assert text.startswith(
        "Iran’s Khamenei urges Syrian youth to resist foreign occupation Report by US think tank\n\n"
        "04 January 2025 13:21\n\n"
        "Iran’s Supreme Leader, Ali Khamenei, in his speech on January 1, attempted to justify"
    )
    assert "\nBy Tamilla Hasanova\n" in text
    assert "\nKey takeaways:\n" in text
    assert "  • Khamenei reiterated a hardline approach to Syria" in text
    assert "drawing a parallel to Iraqi militias mobilized by Soleimani in the 2000s." in text
    assert "Views" not in text and "share-line" not in text and "twitter" not in text


def test_embassy_breadcrumb_is_removed_and_speech_kept_whole():
    raw = seed(1)
    cleaned = clean(raw)
    assert [(r.line, r.reason) for r in cleaned.removed] == [(2, "breadcrumb")]
    assert cleaned.removed[0].text.startswith(
        "Cultural Council of the Embassy of the Islamic Republic of Iran > News"
    )
    assert cleaned.text.startswith(
        "Imam Khamenei's important speech about recent developments in Syria and region\n\n"
        "In the Name of God, the Compassionate, the Merciful\n"
    )
    assert (
        "First of all, no one should doubt that what has taken place in Syria is the product" in cleaned.text
    )
    assert cleaned.text.endswith("May God’s greetings, mercy, and blessings be upon you")


def test_esbati_reading_time_removed_and_truncated_first_letter_kept_as_captured():
    cleaned = clean(seed(2))
    assert [(r.line, r.text, r.reason) for r in cleaned.removed] == [
        (4, "Reading time: 3 minutes", "reading time")
    ]
    lines = cleaned.text.split("\n")
    assert lines[:3] == [
        "Iran Faces Setbacks in Syria and Tensions Rise Over U.S. Presence in Iraq",
        "January 09, 2025",
        "12:26 PM",
    ]
    # The capture lost the "W" of "While"; the reading text keeps what was captured.
    assert "\nhile acknowledging the challenges faced in Syria, Esbati vowed" in cleaned.text
    assert "While acknowledging" not in cleaned.text
    assert "Khamenei's Opposition to U.S. Presence in Iraq" in lines
    assert cleaned.text.endswith("increasing its strategic foothold in the region.")


def test_envoy_category_labels_and_back_to_top_removed():
    cleaned = clean(seed(3))
    assert [(r.line, r.text) for r in cleaned.removed if r.text] == [
        (1, "IranSyriaWest Asia"),
        (25, "Back to top button"),
    ]
    assert cleaned.text.startswith(
        "Soleimani’s death ‘pumped new blood into the veins of the Resistance’: Iran envoy to Syria\n\n"
        "The Islamic Republic marked the one year anniversary"
    )
    assert cleaned.text.endswith("by mid-January 2021.")


def test_readout_no_break_space_line_removed_and_update_note_kept():
    cleaned = clean(seed(4))
    assert [(r.line, r.text, r.reason) for r in cleaned.removed] == [
        (27, "\u00a0", "non-breaking space line"),
        (28, "", "blank line"),
    ]
    assert cleaned.text.startswith("Bashar al-Assad\n\nThe Resistance is Syria’s prominent character")
    assert "Imam Khamenei, Leader of the Islamic Revolution, met with Syrian President" in cleaned.text
    assert cleaned.text.endswith("addressed Imam Khamenei.\n\nThis item is being updated.")


@pytest.mark.parametrize("number", range(5))
def test_cleaner_only_deletes_lines_of_each_seed(number):
    raw = seed(number)
    assert_only_deletes_lines(raw, clean(raw))


# --- The cleaner's rules -------------------------------------------------------


def test_edge_only_labels_are_kept_in_the_middle_of_an_article():
    raw = "Headline\n\nFirst paragraph.\n\nWORLD\n\ntelegram\n\nsearch\n\nLast paragraph."
    cleaned = clean(raw)
    assert cleaned.text == raw
    assert cleaned.removed == []


def test_sentences_mentioning_boilerplate_words_are_kept():
    raw = (
        "He said the print edition sold out.\n"
        "Views: the minister's views were clear, he said.\n"
        "Follow us on Youtube, the spokesman urged protesters, who did.\n"
        "Back to top priorities, the ministry said on Monday."
    )
    assert clean(raw).text == raw


def test_runs_of_blank_lines_collapse_to_one_and_are_reported():
    cleaned = clean("One.\n\n\n\nTwo.\n")
    assert cleaned.text == "One.\n\nTwo."
    assert [(r.line, r.reason) for r in cleaned.removed] == [(3, "blank line"), (4, "blank line")]


def test_characters_within_lines_are_untouched():
    raw = "“Quoted”  and  spaced\t line — with ‘curly’ quotes.\r\nSecond line.\r\n"
    assert clean(raw).text == "“Quoted”  and  spaced\t line — with ‘curly’ quotes.\r\nSecond line."


def test_byte_order_mark_is_dropped_from_reading_text_and_reported():
    cleaned = clean("\ufeffHeadline\n\nBody.")
    assert cleaned.text == "Headline\n\nBody."
    assert [(r.line, r.text, r.reason) for r in cleaned.removed] == [(1, "\ufeff", "byte order mark")]


BOILERPLATE = [
    "twitter",
    "WORLD",
    "A+",
    "Views: 12",
    "print",
    "IranSyriaWest Asia",
    "Back to top button",
    "Reading time: 2 minutes",
    "\u00a0",
    "",
    " ",
    "\ufeff",
    "Site > News > World > A headline",
    "The most important world news",
]
lines_strategy = st.lists(
    st.one_of(st.sampled_from(BOILERPLATE), st.text(st.characters(blacklist_characters="\n"), max_size=30)),
    max_size=25,
)
texts = st.one_of(st.text(), lines_strategy.map("\n".join))


@given(texts)
def test_cleaner_never_invents_characters(raw):
    assert_only_deletes_lines(raw, clean(raw))


@given(texts)
def test_cleaning_twice_changes_nothing_more(raw):
    once = clean(raw).text
    assert clean(once).text == once


# --- Decoding --------------------------------------------------------------------


def test_undecodable_bytes_are_refused_with_their_offset():
    with pytest.raises(CaptureError) as caught:
        decode_capture(b"Good text\n\xffbad", "x.txt", 100)
    assert str(caught.value) == "x.txt: not valid UTF-8 at byte offset 10 (byte 0xff)"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "x.txt: file is empty"),
        (b" \n\t\r\n", "x.txt: contains only whitespace"),
        (b"text\0more", "x.txt: contains a NUL byte at byte offset 4; is it a binary file?"),
        (b"a" * 101, "x.txt: 101 bytes is over the 100-byte limit (MARGINS_MAX_CAPTURE_BYTES)"),
    ],
)
def test_unusable_captures_are_refused(data, message):
    with pytest.raises(CaptureError) as caught:
        decode_capture(data, "x.txt", 100)
    assert str(caught.value) == message


def test_size_limit_message_groups_digits():
    with pytest.raises(CaptureError, match=r"3,000,001 bytes is over the 2,097,152-byte limit"):
        decode_capture(b"a" * 3_000_001, "big.txt", 2_097_152)


def test_byte_order_mark_is_kept_in_the_raw_text():
    assert decode_capture(b"\xef\xbb\xbfHello", "x.txt", 100) == "\ufeffHello"


@given(st.text())
def test_decoding_is_exact_for_any_text(text):
    data = text.encode("utf-8")
    try:
        decoded = decode_capture(data, "x.txt", 10**9)
    except CaptureError:
        return
    assert decoded.encode("utf-8") == data


@given(st.binary(max_size=200))
def test_decoding_is_exact_or_refused_for_any_bytes(data):
    try:
        decoded = decode_capture(data, "x.txt", 10**9)
    except CaptureError as error:
        assert str(error).startswith("x.txt: ")
        return
    assert decoded.encode("utf-8") == data


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


@pytest.mark.django_db
def test_unique_slug_counts_up_past_taken_slugs():
    make_document(slug="syria")
    make_document(slug="syria-2")
    assert unique_slug("Syria") == "syria-3"
    assert unique_slug("Сирия") == "capture"

"""The pure capture pipeline: the boilerplate cleaner and the exact decoder."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.text.capture import CaptureError, clean, decode_capture
from tests.paths import CAPTURES


def seed(number):
    (path,) = CAPTURES.glob(f"{number:03d}_*.txt")
    return path.read_text(encoding="utf-8")


def removed_texts(raw):
    return [removed.text for removed in clean(raw).removed]


def raw_lines(raw):
    # A line ends in "\n", "\r\n" or "\r"; the reading text joins lines with "\n".
    lines = re.split(r"\r\n|\r|\n", raw)
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
    raw = "“Quoted”  and  spaced\t line — with ‘curly’ quotes.\nSecond line.\n"
    assert clean(raw).text == "“Quoted”  and  spaced\t line — with ‘curly’ quotes.\nSecond line."


@pytest.mark.parametrize("ending", ["\r\n", "\r"], ids=["CRLF", "CR"])
def test_line_endings_become_newlines_in_the_reading_text(ending):
    # A browser's page text has no "\r": a reading text with CRLF refused every
    # selection, and a CR-only capture was one long line.
    raw = ending.join(["Share this article", "Headline", "", "", "Body, “quoted”.", "Copy link", ""])
    cleaned = clean(raw)
    assert cleaned.text == "Headline\n\nBody, “quoted”."
    assert [(r.line, r.reason) for r in cleaned.removed] == [
        (1, "share widget"),
        (4, "blank line"),
        (6, "share widget"),
    ]


def test_mixed_line_endings_all_become_newlines():
    assert clean("One.\r\nTwo.\rThree.\nFour.").text == "One.\nTwo.\nThree.\nFour."


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

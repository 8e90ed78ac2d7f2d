"""Citations (archive.interop.citations) on plain values: every format stays
well formed and says exactly what is known, whatever the title, byline or slug."""

import ast
import dataclasses
import datetime
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.interop import citations
from archive.interop.citations import Passage, Work
from tests.interop.csl_schema import csl_errors
from tests.paths import ROOT

PAGE = "https://margins.example/documents/khamenei-speech/"
SPEECH = Work(
    number=17,
    slug="khamenei-speech",
    title="Imam Khamenei's important speech about recent developments in Syria",
    kind="transcript",
    kind_label="Speech transcript",
    source="Khamenei.ir",
    source_kind="official",
    language="en",
    published=datetime.date(2024, 12, 11),
    precision="day",
    captured=datetime.date(2025, 1, 4),
    original_url="https://english.khamenei.ir/news/11288",
    archived_url="https://web.archive.org/web/20241212/https://english.khamenei.ir/news/11288",
    permalink=PAGE,
)
CLAIM = Passage(
    number=5,
    quote="The occupied territories in Syria will be liberated by the brave Syrian youth.",
    permalink="https://margins.example/claims/5/",
    passage_url=PAGE + "?passage=The+occupied&at=120#passage:~:text=The%20occupied",
    claimant="Ali Khamenei",
)

# What the properties draw titles, bylines and quotes from: any Unicode, and the
# characters each format treats specially, right-to-left and combining marks among them.
HOSTILE = [
    "سوریه آزاد خواهد شد",
    "\u202eevil\u202c",
    "e\u0301\u0327 zalgo\u0336",
    "line one\nline two\r\nthree\u2028four\u2029five\x85six\x0bseven",
    "{unbalanced",
    "}}{{",
    "100% & $5 #1 a_b ^ ~ \\ \\\\",
    "\\textbf{bold} \\end{document}",
    "TY  - JOUR",
    "ER  - ",
    "\"quoted\" and 'single'",
    "Иран и Сирия",
    "\x00\x07\x1b[31mred",
    "",
    " ",
]
SPECIAL = "\\{}%&$#_^~\"' \n\r\t\x85\u2028\u2029\x00\x1b\u200f\u202e\u0301\u0336aZ9سویهИ"
texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=SPECIAL),
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8")),
)
slugs = st.one_of(
    st.from_regex(r"[a-z0-9]+(-[a-z0-9]+){0,5}", fullmatch=True),
    st.from_regex(r"[-\w]{1,80}", fullmatch=True),
    st.sampled_from(["سوریه", "خبرگزاری-فارس", "иран-сирия", "Iran-2024", "x" * 200]),
)
dates = st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31))
precisions = st.sampled_from(["time", "day", "month", "year", "unknown"])
kinds = st.sampled_from(["transcript", "news", "analysis", "readout", "statement", "other"])


@st.composite
def works(draw):
    precision = draw(precisions)
    return Work(
        number=draw(st.integers(min_value=1, max_value=10**18)),
        slug=draw(slugs),
        title=draw(texts),
        kind=draw(kinds),
        kind_label=draw(texts),
        byline=draw(texts),
        source=draw(texts),
        source_kind=draw(st.sampled_from(["", "news", "think_tank", "official"])),
        language=draw(st.sampled_from(["", "en", "fa", "ar-SY", "ru", "en-GB", "az-Latn"])),
        published=None if precision == "unknown" else draw(dates),
        precision=precision,
        captured=draw(st.none() | dates),
        original_url=draw(st.sampled_from(["", "https://example.org/a?b=1&c=%20#x", "https://خبر.ir/سوریه"])),
        archived_url=draw(st.sampled_from(["", "https://web.archive.org/web/2024/https://example.org/{a}"])),
        permalink=PAGE,
    )


@st.composite
def passages(draw):
    return Passage(
        number=draw(st.integers(min_value=1, max_value=10**18)),
        quote=draw(texts),
        permalink="https://margins.example/claims/5/",
        passage_url=draw(st.sampled_from(["", CLAIM.passage_url])),
        claimant=draw(texts),
    )


def collapsed(text):
    return citations.clean(text)


# --- CSL-JSON ------------------------------------------------------------------------------


@given(work=works(), passage=st.none() | passages())
def test_csl_json_of_any_document_or_claim_is_valid_csl_data(work, passage):
    data = json.loads(citations.csl_json(work, passage))
    assert csl_errors(data) == []
    assert data == [citations.csl_item(work, passage)]
    (item,) = data
    assert item["title"] == collapsed(work.title)
    assert all("\n" not in value for key, value in item.items() if isinstance(value, str) and key != "note")


def test_csl_json_example_carries_every_known_fact_of_a_transcript():
    (item,) = json.loads(citations.csl_json(SPEECH))
    assert item == {
        "id": "khamenei-speech-2024",
        "citation-key": "khamenei-speech-2024",
        "type": "speech",
        "title": SPEECH.title,
        "publisher": "Khamenei.ir",
        "genre": "Speech transcript",
        "issued": {"date-parts": [[2024, 12, 11]]},
        "accessed": {"date-parts": [[2025, 1, 4]]},
        "URL": "https://english.khamenei.ir/news/11288",
        "language": "en",
        "archive": "Margins",
        "archive_location": PAGE,
        "note": f"Archived copy: {SPEECH.archived_url}\nArchived in Margins: {PAGE}",
    }
    assert '"date-parts": [[2024, 12, 11]]' in citations.csl_json(SPEECH)


@pytest.mark.parametrize(
    "precision, parts",
    [("time", [2024, 12, 11]), ("day", [2024, 12, 11]), ("month", [2024, 12]), ("year", [2024])],
)
def test_csl_issued_has_only_the_parts_that_are_known(precision, parts):
    item = citations.csl_item(dataclasses.replace(SPEECH, precision=precision))
    assert item["issued"] == {"date-parts": [parts]}


def test_csl_has_no_issued_date_when_the_date_is_unknown():
    item = citations.csl_item(dataclasses.replace(SPEECH, published=None, precision="unknown"))
    assert "issued" not in item
    assert item["id"] == "khamenei-speech-nd"


@pytest.mark.parametrize(
    "kind, source_kind, csl, where",
    [
        ("news", "news", "article-newspaper", "container-title"),
        ("analysis", "news", "article", "container-title"),
        ("analysis", "think_tank", "report", "publisher"),
        ("transcript", "official", "speech", "publisher"),
        ("readout", "official", "report", "publisher"),
        ("statement", "diplomatic", "document", "publisher"),
        ("other", "other", "document", "publisher"),
    ],
)
def test_each_kind_of_document_is_cited_as_its_csl_type(kind, source_kind, csl, where):
    item = citations.csl_item(dataclasses.replace(SPEECH, kind=kind, source_kind=source_kind))
    assert item["type"] == csl
    assert item[where] == "Khamenei.ir"


def test_a_byline_is_one_literal_author_never_split_into_names():
    for byline in ("Tamilla Hasanova", "علی خامنه‌ای", "Reuters staff and AFP", "Smith, John"):
        item = citations.csl_item(dataclasses.replace(SPEECH, byline=byline))
        assert item["author"] == [{"literal": byline}]
        bib = citations.biblatex(dataclasses.replace(SPEECH, byline=byline))
        assert f"  author = {{{{{citations.latex(byline)}}}}},\n" in bib
        assert f"AU  - {byline}\r\n" in citations.ris(dataclasses.replace(SPEECH, byline=byline))


def test_without_a_byline_no_author_is_invented():
    assert "author" not in citations.csl_item(SPEECH)
    assert "author =" not in citations.biblatex(SPEECH)
    assert "AU  -" not in citations.ris(SPEECH)


def test_the_url_is_the_original_then_the_archived_copy_then_the_archive_page():
    assert citations.cited_url(SPEECH) == SPEECH.original_url
    no_original = dataclasses.replace(SPEECH, original_url="")
    assert citations.cited_url(no_original) == SPEECH.archived_url
    assert "Original URL: not recorded" in citations.csl_item(no_original)["note"]
    assert citations.cited_url(dataclasses.replace(no_original, archived_url="")) == PAGE


def test_an_address_with_persian_letters_is_cited_as_a_uri():
    work = dataclasses.replace(SPEECH, original_url="https://farsnews.ir/news/سوریه?q=آزاد")
    item = citations.csl_item(work)
    assert item["URL"] == "https://farsnews.ir/news/%D8%B3%D9%88%D8%B1%DB%8C%D9%87?q=%D8%A2%D8%B2%D8%A7%D8%AF"
    assert csl_errors([item]) == []


def test_a_claim_is_cited_as_its_document_with_the_quote_claimant_and_passage_in_the_note():
    item = citations.csl_item(SPEECH, CLAIM)
    document = citations.csl_item(SPEECH)
    assert item["id"] == "khamenei-speech-2024-claim5"
    assert item["archive_location"] == CLAIM.permalink
    assert {
        key: value
        for key, value in item.items()
        if key not in ("id", "citation-key", "archive_location", "note")
    } == {
        key: value
        for key, value in document.items()
        if key not in ("id", "citation-key", "archive_location", "note")
    }
    lines = item["note"].split("\n")
    assert lines[0] == f"Quote (claimant: Ali Khamenei): “{CLAIM.quote}”"
    assert lines[1] == f"Passage: {CLAIM.passage_url}"
    assert lines[2] == f"Claim in Margins: {CLAIM.permalink}"
    assert (
        "Quote (unattributed)" in citations.csl_item(SPEECH, dataclasses.replace(CLAIM, claimant=""))["note"]
    )


# --- BibLaTeX ------------------------------------------------------------------------------

_UNESCAPE = {
    r"\textbackslash{}": "\\",
    r"\textbraceleft{}": "{",
    r"\textbraceright{}": "}",
    r"\textasciicircum{}": "^",
    r"\textasciitilde{}": "~",
}
_ESCAPE = re.compile(r"\\text(?:backslash|braceleft|braceright|asciicircum|asciitilde)\{\}|\\([%&$#_])")


def unlatex(text):
    return _ESCAPE.sub(lambda match: match.group(1) or _UNESCAPE[match.group(0)], text)


def braces_balance(text):
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def bib_fields(entry):
    lines = entry.split("\n")
    assert re.fullmatch(r"@(article|report|online)\{[^\s,{}%#~'\"=\\()]+,", lines[0]), lines[0]
    assert lines[-2:] == ["}", ""]
    fields = {}
    for line in lines[1:-2]:
        match = re.fullmatch(r"  ([a-z]+) = \{(.*)\},?", line)
        assert match, line
        assert braces_balance(match.group(2)), line
        fields[match.group(1)] = match.group(2)
    return fields


@given(work=works(), passage=st.none() | passages())
def test_biblatex_entry_is_well_formed_and_keeps_the_title_exactly(work, passage):
    entry = citations.biblatex(work, passage)
    assert braces_balance(entry)
    fields = bib_fields(entry)
    assert fields["title"].startswith("{") and fields["title"].endswith("}")
    assert unlatex(fields["title"][1:-1]) == collapsed(work.title)
    # Nothing special to LaTeX is left unescaped in the title.
    assert not re.search(r"(?<!\\)[%&$#_]", fields["title"])


def test_biblatex_example_of_a_newspaper_article():
    news = dataclasses.replace(
        SPEECH,
        kind="news",
        kind_label="News report",
        byline="Tamilla Hasanova",
        source="Caliber.az",
        title="Iran’s Khamenei urges 100% & more",
    )
    assert citations.biblatex(news) == (
        "@article{khamenei-speech-2024,\n"
        "  author = {{Tamilla Hasanova}},\n"
        "  title = {{Iran’s Khamenei urges 100\\% \\& more}},\n"
        "  journaltitle = {Caliber.az},\n"
        "  entrysubtype = {newspaper},\n"
        "  date = {2024-12-11},\n"
        "  urldate = {2025-01-04},\n"
        "  url = {https://english.khamenei.ir/news/11288},\n"
        "  langid = {english},\n"
        "  note = {Archived copy: \\url{https://web.archive.org/web/20241212/https://english.khamenei.ir/news/11288}. "
        "Archived in Margins: \\url{https://margins.example/documents/khamenei-speech/}}\n"
        "}\n"
    )


@pytest.mark.parametrize(
    "precision, date", [("time", "2024-12-11"), ("day", "2024-12-11"), ("month", "2024-12"), ("year", "2024")]
)
def test_biblatex_date_has_only_the_parts_that_are_known(precision, date):
    assert bib_fields(citations.biblatex(dataclasses.replace(SPEECH, precision=precision)))["date"] == date


def test_biblatex_leaves_out_the_date_when_unknown():
    fields = bib_fields(citations.biblatex(dataclasses.replace(SPEECH, published=None, precision="unknown")))
    assert "date" not in fields and fields["urldate"] == "2025-01-04"


def test_biblatex_entry_types_need_their_source_and_fall_back_to_online():
    readout = dataclasses.replace(SPEECH, kind="readout", kind_label="Official readout")
    assert citations.biblatex(readout).startswith("@report{")
    assert bib_fields(citations.biblatex(readout))["type"] == "Official readout"
    assert bib_fields(citations.biblatex(readout))["institution"] == "Khamenei.ir"
    assert citations.biblatex(dataclasses.replace(readout, source="")).startswith("@online{")
    assert citations.biblatex(dataclasses.replace(SPEECH, kind="news", source="")).startswith("@online{")
    assert bib_fields(citations.biblatex(SPEECH))["titleaddon"] == "Speech transcript"


def test_biblatex_note_escapes_the_passage_link_for_hyperref():
    fields = bib_fields(citations.biblatex(SPEECH, CLAIM))
    assert (
        r"Passage: \url{https://margins.example/documents/khamenei-speech/?passage=The+occupied&at=120\#passage:~:text=The\%20occupied}"
        in fields["note"]
    )


@pytest.mark.parametrize(
    "language, langid",
    [
        ("en", "english"),
        ("en-GB", "british"),
        ("fa", "persian"),
        ("ar-SY", "arabic"),
        ("ru", "russian"),
        ("az", None),
    ],
)
def test_biblatex_langid_is_babel_language_name(language, langid):
    assert (
        bib_fields(citations.biblatex(dataclasses.replace(SPEECH, language=language))).get("langid") == langid
    )


# --- RIS -----------------------------------------------------------------------------------


def ris_lines(record):
    assert record.endswith("\r\n")
    lines = record[:-2].split("\r\n")
    for line in lines:
        assert re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line), repr(line)
        # No line break of any kind inside a line: a reader would start a new tag there.
        assert all(ch == " " or not ch.isspace() for ch in line), repr(line)
    assert lines[0].startswith("TY  - ") and lines[-1] == "ER  - "
    return [(line[:2], line[6:]) for line in lines]


@given(work=works(), passage=st.none() | passages())
def test_ris_record_has_one_tag_a_line_with_crlf_and_the_title_collapsed(work, passage):
    lines = ris_lines(citations.ris(work, passage))
    assert dict(lines)["TI"] == collapsed(work.title)
    assert "\n" not in citations.ris(work, passage).replace("\r\n", "")


def test_ris_example_of_a_transcript_with_a_month_date():
    record = citations.ris(dataclasses.replace(SPEECH, precision="month"))
    assert ris_lines(record) == [
        ("TY", "GEN"),
        ("ID", "khamenei-speech-2024"),
        ("TI", SPEECH.title),
        ("PB", "Khamenei.ir"),
        ("M3", "Speech transcript"),
        ("PY", "2024"),
        ("DA", "2024/12//"),
        ("Y2", "2025/01/04"),
        ("UR", "https://english.khamenei.ir/news/11288"),
        ("LA", "en"),
        ("DB", "Margins"),
        ("N1", f"Archived copy: {SPEECH.archived_url}; Archived in Margins: {PAGE}"),
        ("ER", ""),
    ]


@pytest.mark.parametrize(
    "precision, tags",
    [("day", {"PY": "2024", "DA": "2024/12/11/"}), ("year", {"PY": "2024"}), ("unknown", {})],
)
def test_ris_dates_have_only_the_parts_that_are_known(precision, tags):
    work = dataclasses.replace(
        SPEECH, precision=precision, published=None if precision == "unknown" else SPEECH.published
    )
    found = {tag: value for tag, value in ris_lines(citations.ris(work)) if tag in ("PY", "DA")}
    assert found == tags


@pytest.mark.parametrize(
    "kind, source_kind, ris",
    [
        ("news", "news", "NEWS"),
        ("analysis", "think_tank", "RPRT"),
        ("analysis", "news", "ELEC"),
        ("readout", "", "GOVDOC"),
        ("transcript", "", "GEN"),
    ],
)
def test_ris_reference_type_by_kind(kind, source_kind, ris):
    assert ris_lines(citations.ris(dataclasses.replace(SPEECH, kind=kind, source_kind=source_kind)))[0] == (
        "TY",
        ris,
    )


def test_ris_claim_note_holds_the_quote_and_passage():
    note = dict(ris_lines(citations.ris(SPEECH, CLAIM)))["N1"]
    assert note.startswith(f"Quote (claimant: Ali Khamenei): “{CLAIM.quote}”; Passage: {CLAIM.passage_url}; ")


# --- Keys ----------------------------------------------------------------------------------

KEY = re.compile(r"[a-z0-9][a-z0-9._-]*")


@given(work=works())
def test_a_citation_key_is_ascii_and_the_same_in_every_format(work):
    key = citations.citation_key(work)
    assert KEY.fullmatch(key), key
    assert json.loads(citations.csl_json(work))[0]["id"] == key
    assert citations.biblatex(work).split("\n")[0].endswith(f"{{{key},")
    assert ("ID", key) in ris_lines(citations.ris(work))


@given(first=works(), second=works())
def test_two_documents_never_share_a_key(first, second):
    if first.slug != second.slug and first.number != second.number:
        assert citations.citation_key(first) != citations.citation_key(second)


def test_keys_from_latin_persian_and_long_slugs():
    assert citations.citation_key(SPEECH) == "khamenei-speech-2024"
    assert citations.citation_key(dataclasses.replace(SPEECH, slug="سوریه-آزاد")) == "document.17-2024"
    assert citations.citation_key(dataclasses.replace(SPEECH, slug="Iran-سوریه-2024")) == "iran-2024.17-2024"
    assert citations.citation_key(dataclasses.replace(SPEECH, slug="a-" * 40 + "b")).endswith(".17-2024")
    assert citations.citation_key(SPEECH, CLAIM) == "khamenei-speech-2024-claim5"


# --- Purity --------------------------------------------------------------------------------


def test_the_citations_module_reads_no_model_database_settings_or_request():
    tree = ast.parse((ROOT / "archive" / "interop" / "citations.py").read_text(encoding="utf-8"))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    forbidden = (
        "archive.models",
        "archive.services",
        "archive.views",
        "django.db",
        "django.http",
        "django.conf",
    )
    assert [name for name in imported if name and name.startswith(forbidden)] == []

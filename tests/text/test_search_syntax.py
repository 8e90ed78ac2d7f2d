"""The search box's syntax, index normalization and snippets, on plain strings.

The FTS5 checks use an in-memory SQLite table built like the real one, so a
query the parser lets through is known never to make FTS5 fail.
"""

import html
import re
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.text import search_syntax
from archive.text.search_syntax import (
    ELLIPSIS,
    MARK_END,
    MARK_START,
    SearchSyntaxError,
    Term,
    fts5_match,
    normalize,
    parse,
    snippet_html,
)

# --- Parsing -------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, terms",
    [
        ("syria", [Term("syria")]),
        ("  Syria   resistance ", [Term("Syria"), Term("resistance")]),
        ('"joint plot" syria', [Term("joint plot"), Term("syria")]),
        ("liber*", [Term("liber", prefix=True)]),
        ('"the brave Syr"*', [Term("the brave Syr", prefix=True)]),
        ("syria -iraq", [Term("syria"), Term("iraq", negated=True)]),
        ('syria -"joint plot"', [Term("syria"), Term("joint plot", negated=True)]),
        ('syria "unclosed phrase', [Term("syria"), Term("unclosed phrase")]),
        ("al-Assad", [Term("al-Assad")]),
        ("syria - iraq", [Term("syria"), Term("iraq")]),
        ("OR NOT AND", [Term("OR"), Term("NOT"), Term("AND")]),
        ("NEAR(syria iraq)", [Term("NEAR(syria"), Term("iraq)")]),
        ("syria ^ : * \" ' ( )", [Term("syria")]),
        ("سوریه مقاومت", [Term("سوريه"), Term("مقاومت")]),
        ("Россия*", [Term("Россия", prefix=True)]),
    ],
)
def test_parse(query, terms):
    assert parse(query) == terms


@pytest.mark.parametrize(
    "query, message",
    [
        ("", "nothing to search for"),
        ('" * ^ : ( ) " -', "nothing to search for"),
        ("-syria", "Give a word to look for"),
        ('-"joint plot" -iraq', "Give a word to look for"),
        ("syria\x00", "cannot be searched for"),
        ("syria \ud800", "cannot be searched for"),
        (" ".join(f"w{n}" for n in range(20)), "at most 16"),
    ],
)
def test_queries_that_cannot_be_run_say_why(query, message):
    with pytest.raises(SearchSyntaxError, match=re.compile(re.escape(message), re.IGNORECASE)):
        parse(query)


def test_terms_are_normalized_like_the_index():
    assert parse("كَتَبَ ёлка ۱۴۰۳") == [Term("كتب"), Term("елка"), Term("1403")]


def test_fts5_expression_quotes_every_term():
    terms = parse('syria "joint plot" liber* -iraq -"foreign hand"')
    assert fts5_match(terms) == '("syria" AND "joint plot" AND "liber"*) NOT "iraq" NOT "foreign hand"'


def test_a_quote_inside_a_term_is_doubled():
    assert search_syntax.fts5_string(Term('say "no"')) == '"say ""no"""'


# --- FTS5 never fails on what the parser lets through ---------------------------


@pytest.fixture(scope="module")
def fts():
    connection = sqlite3.connect(":memory:")
    connection.execute(
        'CREATE VIRTUAL TABLE t USING fts5(title, byline, body, tokenize="unicode61 remove_diacritics 2")'
    )
    connection.executemany(
        "INSERT INTO t(title, byline, body) VALUES (?, ?, ?)",
        [
            ("Speech on Syria", "", "The territories seized in Syria will be liberated."),
            ("Россия", "", "Москва заявила о поддержке"),
            ("", "", normalize("می‌خواهم درباره سوریه بنویسم. كَتَبَ الولدُ")),
        ],
    )
    yield connection
    connection.close()


def search(fts, query):
    return [row[0] for row in fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (fts5_match(parse(query)),))]


@pytest.mark.parametrize(
    "query, rows",
    [
        ("syria", [1]),
        ("SYRIA liberated", [1]),
        ('"will be liberated"', [1]),
        ('"liberated will"', []),
        ("liber*", [1]),
        ("syria -liberated", []),
        ("москва", [2]),
        ("Моск*", [2]),
        ("سوریه", [3]),
        ("خواهم", [3]),
        ("كتب", [3]),
        ("الولد", [3]),
    ],
)
def test_queries_find_what_they_say(fts, query, rows):
    assert search(fts, query) == rows


HOSTILE = [
    "NEAR(syria iraq, 2)",
    "syria NEAR(",
    '"',
    '"""',
    'syria"',
    "*",
    "syria*iraq*",
    "^syria",
    "title:syria",
    ":",
    "syria OR iraq",
    "OR",
    "AND NOT",
    "(syria",
    "syria)",
    "{title body}: syria",
    "syria' --",
    "'; DROP TABLE t; --",
    "-",
    "--syria x",
    "+syria",
    '\\"syria',
    "syria\ufdd0iraq",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_make_fts5_fail(fts, query):
    try:
        parse(query)
    except SearchSyntaxError:
        return
    search(fts, query)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_no_text_makes_fts5_fail(query):
    connection = sqlite3.connect(":memory:")
    connection.execute('CREATE VIRTUAL TABLE t USING fts5(body, tokenize="unicode61 remove_diacritics 2")')
    connection.execute("INSERT INTO t(body) VALUES ('some text')")
    try:
        terms = parse(query)
    except SearchSyntaxError:
        return
    connection.execute("SELECT rowid FROM t WHERE t MATCH ?", (fts5_match(terms),)).fetchall()


# --- Normalization -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, normalized",
    [
        ("كَتَبَ", "كتب"),
        ("پـــنج", "پنج"),
        ("علی کتاب", "علي كتاب"),
        ("أحمد إلى آخر", "احمد الي اخر"),
        ("ёлка Ёж", "елка Еж"),
        ("۱۴۰۳ ١٤٤٥", "1403 1445"),
        ("Ver\u00adfassung", "Verfassung"),
        ("a\x00b\ufdd0c\ufdd1d\ufdd2e", "a b c d e"),
        ("Speech on Syria", "Speech on Syria"),
    ],
)
def test_normalize(text, normalized):
    assert normalize(text) == normalized


@given(st.text())
def test_normalized_text_never_holds_a_marker(text):
    normalized = normalize(text)
    assert not {MARK_START, MARK_END, ELLIPSIS} & set(normalized)


@given(st.text(alphabet=st.sampled_from("ab \u064e\u0640\u00adيی")))
def test_positions_map_back_to_the_original(text):
    positions = search_syntax._PositionMap(text)
    kept = [i for i, character in enumerate(text) if normalize(character) != ""]
    assert positions.length == len(normalize(text)) == len(kept)
    for n, original_index in enumerate(kept):
        assert positions.start(n) == original_index


# --- Snippets -------------------------------------------------------------------------


def test_snippet_marks_matches_and_escapes_everything_else():
    original = 'Before <script>alert("x")</script> the Syria <img src=x onerror=alert(1)> after'
    fragment = f'{ELLIPSIS}<script>alert("x")</script> the {MARK_START}Syria{MARK_END} <img src=x onerror=alert(1)>{ELLIPSIS}'
    assert str(snippet_html(fragment, original)) == (
        "…&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; the <mark>Syria</mark> "
        "&lt;img src=x onerror=alert(1)&gt;…"
    )


def test_snippet_shows_the_original_letters_where_the_index_has_folded_ones():
    original = "قال الرئيسُ إنّ سوريّة باقية"
    normalized = normalize(original)
    at = normalized.index("سوري")
    fragment = normalized[:at] + MARK_START + normalized[at : at + 5] + MARK_END + normalized[at + 5 :]
    assert str(snippet_html(fragment, original)) == "قال الرئيسُ إنّ <mark>سوريّة</mark> باقية"


def test_snippet_of_stale_index_shows_the_fragment_escaped():
    snippet = snippet_html(f"{ELLIPSIS}a {MARK_START}<b>{MARK_END} c", "something else")
    assert str(snippet) == "…a <mark>&lt;b&gt;</mark> c"


def test_snippet_with_unbalanced_markers_stays_well_formed():
    assert str(snippet_html(f"a {MARK_START}b c", "a b c")) == "a <mark>b c</mark>"
    assert str(snippet_html(f"a b{MARK_END} c", "a b c")) == "a b c"
    assert str(snippet_html("", "a b c")) == ""


@settings(max_examples=300)
@given(
    st.text(alphabet=st.sampled_from("ab <>&\"'\u064e\u0640ی")),
    st.integers(0, 30),
    st.integers(0, 30),
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=3),
)
def test_snippets_are_the_escaped_original_with_marks(original, start, end, marks):
    normalized = normalize(original)
    start, end = sorted((min(start, len(normalized)), min(end, len(normalized))))
    inserts = {}
    for a, b in marks:
        a, b = sorted((start + a % (end - start + 1), start + b % (end - start + 1)))
        inserts.setdefault(a, []).append(MARK_START)
        inserts.setdefault(b, []).append(MARK_END)
    fragment = "".join(
        "".join(inserts.get(i, [])) + (normalized[i] if i < end else "") for i in range(start, end + 1)
    )
    snippet = str(snippet_html(fragment, original))
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0
    # Tags are only <mark> and </mark>, balanced.
    tags = re.findall(r"<[^>]*>", snippet)
    assert set(tags) <= {"<mark>", "</mark>"}
    assert tags == ["<mark>", "</mark>"] * (len(tags) // 2)
    text = html.unescape(re.sub(r"</?mark>", "", snippet)).strip("…")
    assert normalize(text).strip() == normalized[start:end].strip() or not normalized[start:end].strip()


def test_a_headline_without_its_tags_still_maps_to_the_original():
    """PostgreSQL's ts_headline is given "<" as HEADLINE_LT so it keeps tag-like text."""
    original = "a <b>Syria</b> c"
    fragment = f"a ‹b>{MARK_START}Syria{MARK_END}‹/b> c"
    assert search_syntax.HEADLINE_LT == "‹"
    assert str(snippet_html(fragment, original)) == "a &lt;b&gt;<mark>Syria</mark>&lt;/b&gt; c"

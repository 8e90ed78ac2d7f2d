"""Analysts' notes: the Markdown subset renders, and hostile input never
turns into script, event handlers, styles or dangerous links."""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.text.sanitize import ALLOWED_TAGS, clean_html, render_note

ALLOWED_ATTRIBUTES = {"href", "title", "rel"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def parsed_tags(html):
    collector = _Collector()
    collector.feed(str(html))
    collector.close()
    return collector.tags


def assert_safe(html):
    """Only allowlisted tags and attributes, links only to http(s)/mailto with rel set."""
    html = str(html)
    assert "<script" not in html.lower()
    for tag, attrs in parsed_tags(html):
        assert tag in ALLOWED_TAGS, html
        assert set(attrs) <= ALLOWED_ATTRIBUTES, html
        assert not any(name.startswith("on") or name == "style" for name in attrs), html
        if tag == "a":
            assert attrs.get("rel") == "nofollow noopener", html
            assert "target" not in attrs
            href = attrs.get("href")
            if href is not None:
                # Relative references are harmless; any scheme must be an allowed one.
                scheme = re.match(r"^([a-z][a-z0-9+.-]*):", re.sub(r"[\s\x00-\x1f]", "", href).lower())
                assert scheme is None or scheme.group(1) in {"http", "https", "mailto"}, html


# --- The Markdown subset ---------------------------------------------------------------


def test_paragraphs_line_breaks_and_emphasis():
    html = render_note("First *one* and _two_ and **three**\nsecond line\n\nNew `code *not em*` para")
    assert html == (
        "<p>First <em>one</em> and <em>two</em> and <strong>three</strong><br>\nsecond line</p>\n"
        "<p>New <code>code *not em*</code> para</p>"
    )


def test_lists_and_blockquote():
    html = render_note("- apples\n* pears\n\n1. first\n2. second\n\n> quoted\n> on")
    assert "<ul><li>apples</li><li>pears</li></ul>" in html
    assert "<ol><li>first</li><li>second</li></ol>" in html
    assert "<blockquote><p>quoted<br>\non</p></blockquote>" in html


def test_markdown_link_and_bare_url_get_nofollow_noopener():
    html = render_note("See [ISW](https://understandingwar.org/a?x=1&y=2) and https://example.org/a_b_c.")
    assert '<a href="https://understandingwar.org/a?x=1&amp;y=2" rel="nofollow noopener">ISW</a>' in html
    # The underscores of a bare URL are not taken for emphasis, and the full stop stays outside.
    link = '<a href="https://example.org/a_b_c" rel="nofollow noopener">https://example.org/a_b_c</a>'
    assert link + "." in html


def test_mailto_link_is_kept():
    assert '<a href="mailto:desk@example.org" rel="nofollow noopener">desk</a>' in render_note(
        "[desk](mailto:desk@example.org)"
    )


def test_domain_names_without_scheme_stay_text():
    assert render_note("Caliber.az reported it") == "<p>Caliber.az reported it</p>"


def test_plain_text_comes_out_escaped_and_readable():
    assert render_note("a < b & c > d \"quoted\" 'single'") == (
        "<p>a &lt; b &amp; c &gt; d &quot;quoted&quot; &#x27;single&#x27;</p>"
    )


def test_empty_note_renders_nothing():
    assert render_note("") == ""


# --- Hostile input through the note renderer ---------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<p onclick="alert(1)">x</p>',
    '<a href="javascript:alert(1)">x</a>',
    "<style>body{display:none}</style>",
    '<p style="position:fixed">x</p>',
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)>",
    "<b>unclosed <i>tags",
    "<!-- a comment --> text",
    "&lt;script&gt; &amp;amp; &#60;script&#62;",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](vbscript:msgbox(1))",
    '[x](" onmouseover="alert(1))',
    '[x](https://ok.example/" onmouseover="alert(1))',
    "[<img src=x onerror=alert(1)>](https://ok.example)",
    "**<script>**alert(1)**</script>**",
    "`<script>alert(1)</script>`",
    "> <script>alert(1)</script>",
    "- <a href=javascript:alert(1)>x</a>",
]


@pytest.mark.parametrize("note", HOSTILE)
def test_hostile_note_renders_as_inert_text(note):
    html = render_note(note)
    assert_safe(html)
    # Nothing typed becomes markup: the only tags are those the subset builds.
    assert not re.search(r"<(script|img|style|iframe|svg|b|i)\b", html)
    assert not re.search(r"href=\"[^\"]*(javascript|vbscript|data):", html, re.IGNORECASE)


def test_markdown_link_with_a_javascript_url_is_left_as_text():
    assert render_note("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>"


def test_attribute_breakout_through_a_markdown_link_stays_inside_the_href():
    html = render_note('[x](https://ok.example/"onmouseover="alert`1`)')
    [attrs] = [attrs for tag, attrs in parsed_tags(html) if tag == "a"]
    assert set(attrs) == {"href", "rel"}
    assert attrs["href"].startswith("https://ok.example/")


def test_script_typed_in_a_note_is_shown_to_the_reader():
    assert render_note("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


# --- Hostile input through clean_html -----------------------------------------------------------


@pytest.mark.parametrize(
    "html, gone",
    [
        ("<script>alert(1)</script>ok", "<script"),
        ('<img src=x onerror="alert(1)">ok', "onerror"),
        ('<strong onclick="alert(1)">ok</strong>', "onclick"),
        ('<a href="javascript:alert(1)">ok</a>', "javascript"),
        ('<a href="JaVaScRiPt:alert(1)">ok</a>', "alert"),
        ('<a href="java&#x09;script:alert(1)">ok</a>', "alert"),
        ('<a href="data:text/html,<script>alert(1)</script>">ok</a>', "data:"),
        ('<a href="vbscript:msgbox(1)">ok</a>', "vbscript"),
        ('<p style="color:red">ok</p>', "style"),
        ("<style>p{color:red}</style>ok", "<style"),
        ('<iframe src="https://evil.example"></iframe>ok', "iframe"),
        ("<svg onload=alert(1)></svg>ok", "onload"),
        ("<!-- secret -->ok", "secret"),
        ('<a href="https://ok.example" target="_blank">ok</a>', "target"),
    ],
)
def test_clean_html_removes_dangerous_markup(html, gone):
    cleaned = clean_html(html)
    assert gone.lower() not in cleaned.lower()
    assert "ok" in cleaned
    assert_safe(cleaned)


def test_clean_html_keeps_allowed_markup_and_sets_rel():
    cleaned = clean_html('<p><em>a</em> <a href="https://ok.example" title="t">b</a></p>')
    assert cleaned == '<p><em>a</em> <a href="https://ok.example" title="t" rel="nofollow noopener">b</a></p>'


def test_clean_html_closes_unclosed_tags():
    assert clean_html("<p><strong>bold") == "<p><strong>bold</strong></p>"


def test_clean_html_replaces_a_foreign_rel():
    assert clean_html('<a href="https://ok.example" rel="opener">x</a>') == (
        '<a href="https://ok.example" rel="nofollow noopener">x</a>'
    )


# --- Properties -------------------------------------------------------------------------------------

# Fragments that hostile notes are built from, joined at random.
markdownish = st.lists(
    st.sampled_from(
        list("ab <>\"'&=:/()[]*_`-#>\n\t.;")
        + [
            "javascript:",
            "JaVaScRiPt:",
            "&#x09;",
            "on",
            "onclick=",
            "style=",
            "http://x.org",
            "<a href=",
            "<script>",
            "<img ",
            "](",
            "data:",
            "<!--",
            "-->",
        ]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), markdownish))
def test_rendered_notes_are_always_safe(note):
    assert_safe(render_note(note))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), markdownish))
def test_cleaned_html_is_always_safe(html):
    assert_safe(clean_html(html))


def test_notes_render_correctly_from_many_threads_at_once():
    # A threaded server renders several claim cards at once; a shared bleach
    # Cleaner broke under that (html5lib "pop from empty list").
    import threading

    note = "Said **twice**, see https://example.org/a?b=c and [the report](https://example.org/r).\n\n- one\n- *two*\n> quoted `code`"
    expected = render_note(note)
    failures = []

    def work():
        for _ in range(300):
            try:
                if render_note(note) != expected:
                    failures.append("different output")
            except Exception as error:  # noqa: BLE001 - any failure counts
                failures.append(repr(error))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []

"""An imported HTML comment as a note in the Markdown subset (``archive.text.html_notes``)."""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.text.html_notes import html_to_note
from archive.text.sanitize import ALLOWED_TAGS, render_note

NOTES = [
    "Khamenei *said* **this** — see [ISW](https://isw.example/report) and https://example.org/x",
    "- one\n- two *b*\n\n1. first\n2. second",
    "> quoted\n> more\n\nAfter the quote `code_x` and snake_case\nline two",
    "نقل قول از **رهبر** ایران — «مقاومت»",
    "Plain note with <script>alert(1)</script> typed as text",
]


@pytest.mark.parametrize("note", NOTES)
def test_a_note_rendered_by_margins_comes_back_as_a_note_that_renders_the_same(note):
    rendered = str(render_note(note))
    assert str(render_note(html_to_note(rendered))) == rendered


@pytest.mark.parametrize(
    ("html", "note"),
    [
        ("<p>x <b>bold</b><script>evil()</script><style>p{}</style></p>", "x **bold**"),
        (
            'text <a href="javascript:alert(1)">bad link</a> and <img src=x onerror=alert(1)>',
            "text bad link and",
        ),
        ("<ul><li>a<li>b</ul><h1>Title</h1><table><tr><td>c</td></tr></table>", "- a\n- b\n\nTitle\n\nc"),
        ("<p>he <em> said </em>it<b></b></p>", "he *said* it"),
        ('<a href="https://x.org/(1)">paren</a>', "[paren](https://x.org/%281%29)"),
        ("<!-- hidden --><p>a&amp;b &lt;tag&gt;</p>", "a&b <tag>"),
        ("<p>a<br>b</p><blockquote>q<blockquote>qq</blockquote></blockquote>", "a\nb\n\n> q\n>\n> > qq"),
        ("<p>one\n   two</p>", "one two"),
        ("", ""),
    ],
)
def test_html_becomes_the_markdown_subset_and_its_text(html, note):
    assert html_to_note(html) == note


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@given(st.text(alphabet=st.sampled_from(list("<>/\"'=&;ab pscrit:*_`[]()-\nhjvo")), max_size=160))
def test_no_html_whatever_becomes_markup_beyond_the_notes_allowlist(html):
    parser = _Tags()
    parser.feed(str(render_note(html_to_note(html))))
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS
        assert set(attrs) <= {"href", "title", "rel"}
        assert re.match(r"(https?:|mailto:)", attrs.get("href", "http:"))

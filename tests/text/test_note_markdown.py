"""The notes' Markdown subset as markdown-it-py parses it: only the enabled
rules apply, and nothing an analyst types is lost or turned into markup."""

import pytest

from archive.text.sanitize import render_note


@pytest.mark.parametrize(
    "note, html",
    [
        ("# not a heading", "<p># not a heading</p>"),
        ("a\n---", "<p>a<br>\n---</p>"),
        ("    not code", "<p>not code</p>"),
        ("~~not struck~~", "<p>~~not struck~~</p>"),
        ("<b>typed</b> &amp; shown", "<p>&lt;b&gt;typed&lt;/b&gt; &amp; shown</p>"),
        ("[ref]\n\n[ref]: mailto:desk@example.org", "<p>[ref]</p>\n<p>[ref]: mailto:desk@example.org</p>"),
    ],
)
def test_markdown_outside_the_subset_stays_text(note, html):
    assert render_note(note) == html


def test_bare_url_keeps_its_asterisks_and_underscores():
    html = render_note("see https://example.org/*a*_b_ now")
    assert (
        '<a href="https://example.org/*a*_b_" rel="nofollow noopener">https://example.org/*a*_b_</a> now'
        in html
    )
    assert "<em>" not in html


def test_bare_url_inside_a_link_label_stays_the_label():
    html = render_note("[https://example.org/a_b_](https://example.org)")
    assert html == (
        '<p><a href="https://example.org" rel="nofollow noopener">https://example.org/a_b_</a></p>'
    )


@pytest.mark.parametrize("note", ["[x]()", "[x]( )", "[x](/relative)", "[x](ftp://example.org)"])
def test_link_without_an_allowed_destination_stays_text(note):
    assert render_note(note) == f"<p>{note}</p>"


def test_quotes_nest_three_deep_and_deeper_markers_stay_text():
    assert render_note("> > > > x") == (
        "<blockquote><blockquote><blockquote><p>&gt; x</p></blockquote></blockquote></blockquote>"
    )


@pytest.mark.parametrize("marker", ["> ", "- ", "1. "])
def test_deep_nesting_never_loses_text(marker):
    assert "deep" in render_note(marker * 40 + "deep")


def test_lists_with_a_lazy_line_and_both_kinds():
    assert render_note("- a\nlazy\n- b\n\n1. one\n1) two") == (
        "<ul><li>a<br>\nlazy</li><li>b</li></ul>\n<ol><li>one</li><li>two</li></ol>"
    )


def test_control_characters_and_carriage_returns():
    assert render_note("a\x01b\r\nc\rd\x00") == "<p>ab<br>\nc<br>\nd</p>"

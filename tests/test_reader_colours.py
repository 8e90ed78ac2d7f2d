"""The reader's kind colours, read from the stylesheet's custom properties: every cue a
reader relies on keeps WCAG contrast, and no two kinds share a look-alike fill.

Contrast ratio depends on luminance alone, so seven kinds cannot all be 3:1 apart from
one another (that needs a luminance range of 3⁶, the scale ends at 21); kinds are told
apart by a glyph and an underline style, and their fills by hue, checked here as a
colour difference (CIE76 ΔE) instead.
"""

import itertools
import re

import pytest

from tests.paths import ROOT

STYLESHEET = ROOT / "static" / "archive" / "site.css"
KINDS = ("assertion", "accusation", "threat", "prediction", "denial", "admission", "other")


def _css():
    return re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(encoding="utf-8"), flags=re.S)


def _properties(block):
    return dict(re.findall(r"(--[\w-]+)\s*:\s*(#[0-9a-fA-F]{6})\s*;", block))


def _root_properties():
    return _properties(re.search(r":root\s*\{(.*?)\}", _css(), re.S).group(1))


def _dark_properties():
    """The light palette with the dark block's overrides (what a dark-mode reader sees)."""
    dark = re.search(r"@media[^{]*\(prefers-color-scheme:\s*dark\)\s*\{\s*:root\s*\{(.*?)\}", _css(), re.S)
    assert dark, "no dark palette"
    return {**_root_properties(), **_properties(dark.group(1))}


def _rgb(hex_colour):
    return tuple(int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))


def _luminance(hex_colour):
    def linear(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _lab(hex_colour):
    def linear(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(hex_colour))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(a, b):
    return sum((p - q) ** 2 for p, q in zip(_lab(a), _lab(b), strict=True)) ** 0.5


@pytest.fixture(scope="module", params=["light", "dark"])
def colours(request):
    return _root_properties() if request.param == "light" else _dark_properties()


def test_the_dark_palette_redefines_every_colour_of_the_light_one():
    dark = re.search(r"prefers-color-scheme:\s*dark\)\s*\{\s*:root\s*\{(.*?)\}", _css(), re.S).group(1)
    assert set(_properties(dark)) == set(_root_properties())


def test_the_dark_palette_keeps_text_links_and_focus_readable():
    dark = _dark_properties()
    assert contrast(dark["--ink"], dark["--paper"]) >= 7
    assert contrast(dark["--muted"], dark["--paper"]) >= 4.5
    assert contrast(dark["--link"], dark["--paper"]) >= 4.5
    assert contrast(dark["--focus"], dark["--paper"]) >= 3
    assert contrast(dark["--ink"], dark["--panel"]) >= 4.5


def test_the_contrast_formula_matches_wcag_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_every_kind_defines_a_fill_and_an_edge(colours):
    missing = [
        f"--{part}-{kind}" for kind in KINDS for part in ("kind", "edge") if f"--{part}-{kind}" not in colours
    ]
    assert not missing


@pytest.mark.parametrize("kind", KINDS)
def test_text_on_a_highlight_stays_readable(colours, kind):
    assert contrast(colours["--ink"], colours[f"--kind-{kind}"]) >= 4.5


@pytest.mark.parametrize("kind", KINDS)
def test_a_kinds_underline_and_glyph_stand_out_from_the_page_and_from_its_own_fill(colours, kind):
    edge = colours[f"--edge-{kind}"]
    assert contrast(edge, colours["--paper"]) >= 3
    assert contrast(edge, colours[f"--kind-{kind}"]) >= 3


def test_no_two_kinds_have_look_alike_fills(colours):
    close = [
        (a, b, round(delta_e(colours[f"--kind-{a}"], colours[f"--kind-{b}"]), 1))
        for a, b in itertools.combinations(KINDS, 2)
        if delta_e(colours[f"--kind-{a}"], colours[f"--kind-{b}"]) < 15
    ]
    assert not close


def test_no_two_kinds_have_look_alike_edges(colours):
    close = [
        (a, b, round(delta_e(colours[f"--edge-{a}"], colours[f"--edge-{b}"]), 1))
        for a, b in itertools.combinations(KINDS, 2)
        if delta_e(colours[f"--edge-{a}"], colours[f"--edge-{b}"]) < 15
    ]
    assert not close


def test_every_kind_has_its_own_glyph_and_an_underline_style():
    css = STYLESHEET.read_text(encoding="utf-8")
    glyphs = {}
    for kind in KINDS:
        rule = re.search(rf"\.kind-{kind}\s*\{{([^}}]*--kind-glyph[^}}]*)\}}", css)
        assert rule, f"no glyph rule for {kind}"
        glyphs[kind] = re.search(r'--kind-glyph:\s*"([^"]+)"', rule.group(1)).group(1)
        assert re.search(r"--kind-line:\s*(solid|dashed|dotted|double|wavy)", rule.group(1))
    assert len(set(glyphs.values())) == len(KINDS), glyphs

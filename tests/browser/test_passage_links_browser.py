"""A passage link opened in Chromium highlights its passage once, at the right place.

Chromium marks the range a ``#:~:text=`` directive matches with the
``::target-text`` pseudo-element, which no DOM API exposes. The test paints
that pseudo-element a colour used nowhere else (a style added in a context
that bypasses the page's CSP, for the test only), takes a full-page screenshot,
decodes it in a blank page's canvas and counts the bands of rows holding that
colour: one band, lying on the server's ``mark#passage`` of the repeated
phrase's second occurrence, and the page scrolled there.
"""

import base64

import pytest

from tests.browser.test_reader_browser import SELECT
from tests.factories import make_document

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHRASE = "the occupation must end"
FILLER = "".join(f"Line {n} of the record notes the weather and the traffic.\n" for n in range(70))
# The words after the phrase tell its two occurrences apart; in the second text
# only the words before do (and the page puts a label for screen readers there).
TEXTS = {
    "told-by-what-follows": (
        f"At the opening the minister said that {PHRASE} soon.\n"
        + FILLER
        + f"At the close the envoy repeated that {PHRASE} this year, and left.\n"
    ),
    "told-by-what-precedes": (
        f"At the opening the minister said that {PHRASE}.\n" + FILLER + f"The envoy repeated that {PHRASE}.\n"
    ),
}
TARGET_COLOUR = (0, 200, 120)

ROWS_WITH_COLOUR = """
async ([data, colour]) => {
  const image = new Image();
  image.src = "data:image/png;base64," + data;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width; canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const rows = [];
  for (let y = 0; y < canvas.height; y++) {
    for (let x = 0; x < canvas.width; x++) {
      const i = (y * canvas.width + x) * 4;
      if (pixels[i] === colour[0] && pixels[i + 1] === colour[1] && pixels[i + 2] === colour[2]) { rows.push(y); break; }
    }
  }
  return rows;
}
"""


def bands(rows):
    """Runs of consecutive row numbers as (first, last)."""
    found = []
    for row in rows:
        if found and row <= found[-1][1] + 2:
            found[-1] = (found[-1][0], row)
        else:
            found.append((row, row))
    return found


@pytest.fixture(params=sorted(TEXTS))
def text(request):
    return TEXTS[request.param]


@pytest.fixture
def document(db, text):
    return make_document(text, title="Two speeches", slug="two-speeches")


def test_a_passage_link_to_a_repeated_phrase_highlights_only_its_own_occurrence(
    page, browser, document, text
):
    page.goto(document.get_absolute_url())
    second = text.rindex(PHRASE)
    page.evaluate(SELECT, [second, second + len(PHRASE)])
    page.wait_for_selector("#selection-toolbar:not([hidden])")
    page.click("#selection-toolbar [data-action=copy-link]")
    page.wait_for_selector("#selection-toolbar[data-last-link]", state="attached")
    link = page.get_attribute("#selection-toolbar", "data-last-link")
    directive = link.split(":~:text=", 1)[1]
    assert directive != "the%20occupation%20must%20end", "a repeated phrase needs context"

    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        colleague = context.new_page()
        colleague.goto(link)
        colleague.wait_for_selector("mark#passage")
        colleague.add_style_tag(
            content="::target-text {{ background: rgb({}, {}, {}) !important; }}".format(*TARGET_COLOUR)
        )
        colleague.wait_for_timeout(300)
        scrolled = colleague.evaluate("window.scrollY")
        mark = colleague.evaluate(
            "() => { const r = document.querySelector('mark#passage').getBoundingClientRect();"
            " return [r.top + window.scrollY, r.bottom + window.scrollY]; }"
        )
        shot = colleague.screenshot(full_page=True)
        blank = context.new_page()
        rows = blank.evaluate(ROWS_WITH_COLOUR, [base64.b64encode(shot).decode(), list(TARGET_COLOUR)])
    finally:
        context.close()

    highlighted = bands(rows)
    assert len(highlighted) == 1, f"{len(highlighted)} highlighted places at rows {highlighted}"
    top, bottom = highlighted[0]
    assert mark[0] - 2 <= top and bottom <= mark[1] + 2, (highlighted, mark)
    assert scrolled > 900, "the browser scrolled to the second occurrence, far down the page"

"""Citations of a document, or of a claim in it: CSL-JSON, BibLaTeX and RIS.

Pure: the view passes plain values (a ``Work`` filled from the Document, a
``Passage`` from the Claim) and gets text back. Nothing here reads the models,
the database, the settings or the request, so every rule is tested on plain
values (tests/interop/test_citations.py, with hypothesis).

How each kind of document is cited (one table, ``SHAPES``, for the three formats):

================  =====================  ==========================  ======
Document.Kind     CSL 1.0.2 type         biblatex entry              RIS
================  =====================  ==========================  ======
news              article-newspaper      @article (newspaper)        NEWS
analysis          article                @article                    ELEC
 … by a think     report                 @report (type Analysis)     RPRT
 tank
transcript        speech                 @online                     GEN
readout           report                 @report (type Official      GOVDOC
                                         readout)
statement         document               @online                     GEN
other             document               @online                     GEN
================  =====================  ==========================  ======

A @article or @report needs its periodical or institution; without a known
source the entry is @online. Other decisions:

- **Author**: the byline exactly as printed, as one literal name (CSL
  ``{"literal": …}``, biblatex ``{{…}}``, one RIS ``AU``). It is never split
  into given and family names: the archive cannot know which part is which
  for "Tamilla Hasanova", let alone for a Persian or Arabic byline. No byline,
  no author: the source is not invented as one.
- **Claimant**: the person a claim is attributed to speaks *in* the document;
  they are not its author (a news report quoting them has its own byline,
  and a transcript may quote several people). A claim's citation names them
  beside the quote, in the note.
- **Dates** are as precise as they are known (``Document.published_precision``):
  time or day → year, month, day; month → year, month; year → year; unknown →
  no date at all (styles print their "n.d."). The time of day is not cited.
  Accessed (``urldate``, RIS ``Y2``) is the day the capture was made.
- **URL** is the original address; without one, the archived copy; without
  that, the archive's own page. The archived copy and the archive's page are
  always in the note as well (and in CSL ``archive`` and ``archive_location``:
  CSL has no variable for an archived copy's address).
- **A claim** is cited as its document is, under its own key, with the quote,
  its claimant, the passage link (the reading page highlighting the quote)
  and the claim's own page in the note, and the claim's page as
  ``archive_location``. CSL has no variable for a quotation, and ``locator``
  belongs to a cite in a citation, not to item data, so the note carries it.
- **Text** is collapsed to single spaces (no value spans lines in any format)
  and control characters are dropped; everything else, every script, right-to-
  left marks and combining marks included, is kept as it is.
"""

import dataclasses
import datetime
import json
import re
import unicodedata

from django.utils.encoding import iri_to_uri

ARCHIVE = "Margins"

CSL_JSON, BIBLATEX, RIS = "csl.json", "bib", "ris"
FORMATS = (CSL_JSON, BIBLATEX, RIS)
MEDIA_TYPES = {
    CSL_JSON: "application/vnd.citationstyles.csl+json",
    BIBLATEX: "application/x-bibtex",
    RIS: "application/x-research-info-systems",
}
LABELS = {CSL_JSON: "CSL-JSON", BIBLATEX: "BibLaTeX", RIS: "RIS"}


@dataclasses.dataclass(frozen=True)
class Work:
    """A document as its citation describes it."""

    number: int  # the document's id: keeps a key unique when the slug cannot be used
    slug: str
    title: str
    kind: str = "other"  # a Document.Kind value
    kind_label: str = ""  # its words ("Speech transcript"), the CSL genre
    byline: str = ""
    source: str = ""  # the outlet's name
    source_kind: str = ""  # a Source.Kind value
    language: str = ""  # BCP 47
    published: datetime.date | None = None
    precision: str = "unknown"  # a Document.DatePrecision value
    captured: datetime.date | None = None
    original_url: str = ""
    archived_url: str = ""
    permalink: str = ""  # the document's page in the archive, absolute


@dataclasses.dataclass(frozen=True)
class Passage:
    """A claim, cited as a passage of its document."""

    number: int  # the claim's id
    quote: str
    permalink: str = ""  # the claim's page in the archive, absolute
    passage_url: str = ""  # the reading page with the passage highlighted ("" when not placed)
    claimant: str = ""


@dataclasses.dataclass(frozen=True)
class Shape:
    csl: str
    biblatex: str
    ris: str
    # Whether the source is the periodical the work appeared in (CSL container-title,
    # biblatex journaltitle, RIS T2) rather than the body that issued it (publisher).
    periodical: bool
    genre: bool  # whether the kind's words say something the type does not


SHAPES = {
    "news": Shape("article-newspaper", "article", "NEWS", periodical=True, genre=False),
    "analysis": Shape("article", "article", "ELEC", periodical=True, genre=True),
    "transcript": Shape("speech", "online", "GEN", periodical=False, genre=True),
    "readout": Shape("report", "report", "GOVDOC", periodical=False, genre=True),
    "statement": Shape("document", "online", "GEN", periodical=False, genre=True),
    "other": Shape("document", "online", "GEN", periodical=False, genre=False),
}
THINK_TANK_ANALYSIS = Shape("report", "report", "RPRT", periodical=False, genre=True)


def shape(work):
    if work.kind == "analysis" and work.source_kind == "think_tank":
        return THINK_TANK_ANALYSIS
    return SHAPES.get(work.kind, SHAPES["other"])


# How many of year, month, day a date at each precision has.
DATE_PARTS = {"time": 3, "day": 3, "month": 2, "year": 1}


def date_parts(value, precision):
    """``[year, month, day]`` cut to what ``precision`` knows, or None when the date is unknown."""
    if value is None or precision not in DATE_PARTS:
        return None
    return [value.year, value.month, value.day][: DATE_PARTS[precision]]


def clean(text):
    """``text`` on one line: whitespace runs (line breaks included) become one space,
    control characters go; letters, marks and directional marks of every script stay."""
    kept = "".join(ch for ch in text or "" if ch.isspace() or unicodedata.category(ch) != "Cc")
    return " ".join(kept.split())


def uri(url):
    """An address as ASCII (an IRI's other characters percent-encoded, as browsers send them)."""
    return iri_to_uri(clean(url)) if url else ""


# --- Keys ------------------------------------------------------------------------------------

_SAFE_SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
KEY_SLUG_MAX = 60


def citation_key(work, passage=None):
    """A stable, ASCII citation key, the same in the three formats.

    An ASCII slug gives ``<slug>-<year>`` (``-nd`` when the date is unknown).
    Any other slug (Persian, Arabic, Russian, capitals, a very long one) gives
    the ASCII letters and digits it folds to, then ``.<document id>``, so two
    documents never share a key: "." never occurs in a slug. A claim's key is
    its document's with ``-claim<id>``.
    """
    parts = date_parts(work.published, work.precision)
    year = f"{parts[0]:04d}" if parts else "nd"
    if len(work.slug) <= KEY_SLUG_MAX and _SAFE_SLUG.fullmatch(work.slug):
        stem = work.slug
    else:
        folded = unicodedata.normalize("NFKD", work.slug).encode("ascii", "ignore").decode().lower()
        words = re.findall(r"[a-z0-9]+", folded)
        stem = "-".join(words)[:40].strip("-") or "document"
        stem = f"{stem}.{work.number}"
    key = f"{stem}-{year}"
    return f"{key}-claim{passage.number}" if passage is not None else key


# --- What every format says ------------------------------------------------------------------


def cited_url(work):
    """The address a citation gives: the original, else the archived copy, else the archive's page."""
    return uri(work.original_url) or uri(work.archived_url) or uri(work.permalink)


@dataclasses.dataclass(frozen=True)
class NoteLine:
    label: str
    value: str
    is_url: bool = False


def note_lines(work, passage=None):
    """What a citation says beyond its fields: the quote and where to find the work."""
    lines = []
    if passage is not None:
        claimant = clean(passage.claimant)
        label = f"Quote (claimant: {claimant})" if claimant else "Quote (unattributed)"
        lines.append(NoteLine(label, f"“{clean(passage.quote)}”"))
        if passage.passage_url:
            lines.append(NoteLine("Passage", uri(passage.passage_url), is_url=True))
        if passage.permalink:
            lines.append(NoteLine(f"Claim in {ARCHIVE}", uri(passage.permalink), is_url=True))
    if not work.original_url:
        lines.append(NoteLine("Original URL", "not recorded"))
    if work.archived_url:
        lines.append(NoteLine("Archived copy", uri(work.archived_url), is_url=True))
    if work.permalink:
        lines.append(NoteLine(f"Archived in {ARCHIVE}", uri(work.permalink), is_url=True))
    return lines


def _genre(work):
    return clean(work.kind_label) if shape(work).genre else ""


# --- CSL-JSON --------------------------------------------------------------------------------


def csl_item(work, passage=None):
    """The CSL-JSON item (CSL 1.0.2 variables) citing ``work``, or ``passage`` in it."""
    form = shape(work)
    key = citation_key(work, passage)
    item = {"id": key, "citation-key": key, "type": form.csl, "title": clean(work.title)}
    byline = clean(work.byline)
    if byline:
        item["author"] = [{"literal": byline}]
    source = clean(work.source)
    if source:
        item["container-title" if form.periodical else "publisher"] = source
    genre = _genre(work)
    if genre:
        item["genre"] = genre
    issued = date_parts(work.published, work.precision)
    if issued:
        item["issued"] = {"date-parts": [issued]}
    if work.captured is not None:
        item["accessed"] = {"date-parts": [date_parts(work.captured, "day")]}
    url = cited_url(work)
    if url:
        item["URL"] = url
    if work.language:
        item["language"] = work.language
    item["archive"] = ARCHIVE
    location = uri(passage.permalink if passage is not None else work.permalink)
    if location:
        item["archive_location"] = location
    item["note"] = "\n".join(f"{line.label}: {line.value}" for line in note_lines(work, passage))
    return item


# A list of numbers, or a list holding one such list, as ``json.dumps(indent=…)`` spreads it
# over lines. Only that structural whitespace holds a line break (a string's is written
# ``\n``), so a title such as "[1,2]" is never touched.
_NUMBERS = re.compile(r"\[\n\s*(-?\d+(?:,\n\s*-?\d+)*)\n\s*\]")
_ONE_LIST = re.compile(r"\[\n\s*(\[-?\d[-\d, ]*\])\n\s*\]")


def csl_json(work, passage=None):
    """A CSL-JSON document: a list holding the one item, as reference managers import it.

    Indented, with each date's parts on one line (``"date-parts": [[2024, 12, 11]]``)."""
    text = json.dumps([csl_item(work, passage)], ensure_ascii=False, indent=2)
    text = _NUMBERS.sub(lambda match: "[" + ", ".join(match.group(1).replace(",", " ").split()) + "]", text)
    return _ONE_LIST.sub(r"[\1]", text) + "\n"


# --- BibLaTeX --------------------------------------------------------------------------------

# Braces and the backslash are written as commands with balanced braces:
# BibTeX and Biber count every brace in a field, escaped or not.
_LATEX = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
        "%": r"\%",
        "&": r"\&",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "^": r"\textasciicircum{}",
        "~": r"\textasciitilde{}",
    }
)


def latex(text):
    """``text`` on one line with LaTeX's special characters escaped; Unicode kept (biblatex reads UTF-8)."""
    return clean(text).translate(_LATEX)


def latex_url(url):
    r"""An address inside ``\url{}`` in a field: ``%`` and ``#`` escaped, as hyperref
    expects in an argument (``uri`` already percent-encoded braces, spaces and backslashes)."""
    return url.replace("%", r"\%").replace("#", r"\#")


# BCP 47 primary languages → the babel/polyglossia names biblatex's ``langid`` takes.
# A language not listed gets no langid (biblatex then uses the document's language).
BABEL = {
    "en": "english",
    "en-us": "american",
    "en-gb": "british",
    "fa": "persian",
    "ar": "arabic",
    "ru": "russian",
    "uk": "ukrainian",
    "he": "hebrew",
    "tr": "turkish",
    "ur": "urdu",
    "fr": "french",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
}


def langid(language):
    tag = language.lower()
    return BABEL.get(tag) or BABEL.get(tag.split("-")[0], "")


def biblatex(work, passage=None):
    """A biblatex entry (Biber, UTF-8) citing ``work``, or ``passage`` in it."""
    form = shape(work)
    source = clean(work.source)
    entry = form.biblatex if source else "online"
    fields = []
    byline = clean(work.byline)
    if byline:
        # Double braces: one literal name, never split at "and" or into given and family.
        fields.append(("author", "{" + latex(byline) + "}"))
    # Double braces: the title exactly as printed, never re-cased by a style.
    fields.append(("title", "{" + latex(work.title) + "}"))
    genre = _genre(work)
    if entry == "article":
        fields.append(("journaltitle", latex(source)))
        if work.kind == "news":
            fields.append(("entrysubtype", "newspaper"))
    elif entry == "report":
        fields.append(("institution", latex(source)))
        fields.append(("type", latex(genre or work.kind_label)))
    else:
        if source:
            fields.append(("organization", latex(source)))
        if genre:
            fields.append(("titleaddon", latex(genre)))
    issued = date_parts(work.published, work.precision)
    if issued:
        fields.append(("date", "-".join([f"{issued[0]:04d}", *(f"{part:02d}" for part in issued[1:])])))
    if work.captured is not None:
        fields.append(("urldate", work.captured.isoformat()))
    url = cited_url(work)
    if url:
        fields.append(("url", url))
    language = langid(work.language)
    if language:
        fields.append(("langid", language))
    notes = [
        f"{latex(line.label)}: " + (rf"\url{{{latex_url(line.value)}}}" if line.is_url else latex(line.value))
        for line in note_lines(work, passage)
    ]
    fields.append(("note", ". ".join(notes)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry}{{{citation_key(work, passage)},\n{body}\n}}\n"


# --- RIS -------------------------------------------------------------------------------------

CRLF = "\r\n"


def _ris_date(parts):
    """RIS ``DA``: YYYY/MM/DD/ with what is unknown left empty (``2024/12//``)."""
    year, month, day = [*parts, None, None][:3]
    return f"{year:04d}/" + (f"{month:02d}" if month else "") + "/" + (f"{day:02d}" if day else "") + "/"


def ris(work, passage=None):
    """A RIS record citing ``work``, or ``passage`` in it: one tag a line, CRLF line ends."""
    form = shape(work)
    lines = [("TY", form.ris), ("ID", citation_key(work, passage)), ("TI", clean(work.title))]
    byline = clean(work.byline)
    if byline:
        lines.append(("AU", byline))
    source = clean(work.source)
    if source:
        lines.append(("T2" if form.periodical else "PB", source))
    genre = _genre(work)
    if genre:
        lines.append(("M3", genre))
    issued = date_parts(work.published, work.precision)
    if issued:
        lines.append(("PY", f"{issued[0]:04d}"))
        if len(issued) > 1:
            lines.append(("DA", _ris_date(issued)))
    if work.captured is not None:
        lines.append(("Y2", work.captured.strftime("%Y/%m/%d")))
    url = cited_url(work)
    if url:
        lines.append(("UR", url))
    if work.language:
        lines.append(("LA", work.language))
    lines.append(("DB", ARCHIVE))
    lines.append(("N1", "; ".join(f"{line.label}: {line.value}" for line in note_lines(work, passage))))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}{CRLF}" for tag, value in lines)


RENDERERS = {CSL_JSON: csl_json, BIBLATEX: biblatex, RIS: ris}


def render(fmt, work, passage=None):
    return RENDERERS[fmt](work, passage)

"""Capture bytes to reading text: pure, no database.

* ``decode_capture`` checks the bytes and decodes them exactly, so the raw
  text stored is the capture byte for byte.
* ``clean`` drops boilerplate lines (menus, share widgets, counters, footers)
  to make the reading text. It only ever deletes whole lines and reports each
  one, so nothing an analyst quotes can differ from what was captured. Line
  endings are read as "\n" whatever the capture used (CRLF, CR): a browser's
  page text has no "\r", and a selection's offsets must match the server's.
"""

import re
from dataclasses import dataclass

BOM = "\ufeff"
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class Removed:
    line: int  # 1-based line number in the raw text
    text: str
    reason: str


@dataclass
class Cleaned:
    text: str
    removed: list[Removed]


class CaptureError(ValueError):
    """A capture or its provenance was refused.

    ``name`` is the file (or "pasted text") the problem belongs to; ``reason``
    says what is wrong without repeating it, so callers can print either.
    """

    def __init__(self, reason, name=None):
        self.reason = reason
        self.name = name
        super().__init__(f"{name}: {reason}" if name else reason)


class ManifestError(CaptureError):
    """The manifest as a whole cannot be used (it does not parse, or has the wrong shape)."""


# --- The boilerplate cleaner -------------------------------------------------
#
# Each rule is (pattern, reason). A pattern must match the whole line (after
# surrounding whitespace is set aside), so a sentence that merely mentions
# "Twitter" or "print" is never touched. Add a rule by adding a line.


def _rules(*pairs):
    return [(re.compile(pattern, re.IGNORECASE), reason) for pattern, reason in pairs]


# Boilerplate wherever it appears: nothing an article says looks like these.
ANYWHERE = _rules(
    (r"share-line.*share it on social media!?", "share widget"),
    (r"copy link|print this( page| article)?|share( this)?( article| story)?", "share widget"),
    (r"поделиться|ссылка скопирована|скопировать ссылку|копировать ссылку", "share widget"),
    (r"follow us on (youtube|twitter|x|telegram|facebook|instagram|whatsapp)", "social media link"),
    (r"what are you looking for\s*\?", "search box"),
    (r"A\+|A-|A−", "font size control"),
    (r"any use of materials is allowed only if there is a hyperlink to \S+", "copyright line"),
    (
        r"[\w.\- ]{0,60}(©|\(c\)|copyright)\s*\d{4}(\s*[-–]\s*\d{4})?[\s.]*(all rights reserved\.?)?",
        "copyright line",
    ),
    (r"back to top( button)?", "back-to-top button"),
    (r"views?:\s*\d[\d,. ]*", "view counter"),
    (r"reading time:\s*\d+\s*(min|mins|minutes?)\.?", "reading time"),
    # "Site > News > Iran News > Headline": at least two separators, and no
    # sentence punctuation before the last one.
    (r"[^.!?>]+( > [^.!?>]+)+ > [^>]+", "breadcrumb"),
)

# Boilerplate only in the block of boilerplate at the very top or bottom of
# the capture: mid-article, a line reading "WORLD" or "Telegram" is text.
AT_EDGES = _rules(
    (r"twitter|youtube|instagram|facebook|telegram|whatsapp|tiktok|vk|x", "social media link"),
    (r"apple store|app store|play market|google play", "app store link"),
    (r"night_theme|dark mode|ru|arm|az|en|search|menu|home", "navigation menu"),
    (r"print", "share widget"),
    (r"(?-i:[A-Z]{3,20})", "section label"),
    (r"the most important world news", "site footer"),
    # Category links run together, e.g. "IranSyriaWest Asia". Case-sensitive
    # and at least two joins, so a headline is not mistaken for one.
    (r"(?-i:(?=(?:.*[a-z][A-Z]){2})[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)*)", "category labels"),
)


def _key(line):
    # Matching ignores surrounding whitespace (including no-break spaces and
    # the \r of CRLF files) and stray BOMs; the kept line itself is untouched.
    return line.replace(BOM, "").strip()


def _match(rules, key):
    for pattern, reason in rules:
        if pattern.fullmatch(key):
            return reason
    return None


def clean(raw: str) -> Cleaned:
    """Drop boilerplate lines from ``raw`` and report every line dropped.

    Only whole lines are removed, with two exceptions at the ends of the text:
    a byte order mark at the start of the first kept line is dropped (and
    reported), and trailing whitespace at the very end is stripped. Lines may
    end in "\n", "\r\n" or "\r"; the reading text joins them with "\n" (the
    raw text keeps them as captured).
    """
    lines = LINE_BREAK.split(raw)
    if len(lines) > 1 and lines[-1] == "":
        # A final newline ends the last line; it does not start a new one.
        lines.pop()

    verdicts = [_match(ANYWHERE, _key(line)) for line in lines]
    blank = [not _key(line) for line in lines]

    def is_edge(i):
        return blank[i] or verdicts[i] is not None or _match(AT_EDGES, _key(lines[i])) is not None

    top = 0
    while top < len(lines) and is_edge(top):
        top += 1
    bottom = len(lines)
    while bottom > top and is_edge(bottom - 1):
        bottom -= 1
    for i in [*range(top), *range(bottom, len(lines))]:
        if verdicts[i] is None and not blank[i]:
            verdicts[i] = _match(AT_EDGES, _key(lines[i]))

    removed = {}
    for i, reason in enumerate(verdicts):
        if reason:
            removed[i] = reason

    # Blank lines: none at the start or end, at most one between paragraphs.
    # A run keeps a truly empty line if it has one, so a no-break-space line
    # is what goes.
    remaining = [i for i in range(len(lines)) if i not in removed]
    run = []
    for i in [*remaining, None]:
        if i is not None and blank[i]:
            run.append(i)
            continue
        if run:
            at_edge = run[0] == remaining[0] or i is None
            keep = None if at_edge else next((j for j in run if lines[j] == ""), run[0])
            for j in run:
                if j != keep:
                    removed[j] = "non-breaking space line" if "\u00a0" in lines[j] else "blank line"
            run = []

    kept = [i for i in range(len(lines)) if i not in removed]
    report = [Removed(i + 1, lines[i], removed[i]) for i in sorted(removed)]
    out = [lines[i] for i in kept]
    if out and out[0].startswith(BOM):
        stripped = out[0].lstrip(BOM)
        report.append(Removed(kept[0] + 1, out[0][: len(out[0]) - len(stripped)], "byte order mark"))
        report.sort(key=lambda r: r.line)
        out[0] = stripped
    return Cleaned(text="\n".join(out).rstrip(), removed=report)


# --- Decoding ------------------------------------------------------------------


def decode_capture(data: bytes, name: str, max_bytes: int) -> str:
    """The text of a capture, decoded exactly: ``result.encode("utf-8") == data``."""
    if not data:
        raise CaptureError("file is empty", name)
    if len(data) > max_bytes:
        raise CaptureError(
            f"{len(data):,} bytes is over the {max_bytes:,}-byte limit (MARGINS_MAX_CAPTURE_BYTES)", name
        )
    try:
        # Plain "utf-8", not "utf-8-sig": a BOM is part of what was captured,
        # so it stays in raw_text (and its SHA-256); the cleaner drops it from
        # the reading text and says so.
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CaptureError(
            f"not valid UTF-8 at byte offset {error.start} (byte 0x{data[error.start]:02x})", name
        ) from None
    nul = data.find(b"\0")
    if nul != -1:
        raise CaptureError(f"contains a NUL byte at byte offset {nul}; is it a binary file?", name)
    if not text.replace(BOM, "").strip():
        raise CaptureError("contains only whitespace", name)
    return text


def default_title(text):
    """The first non-empty line of the reading text, cut to fit the title field."""
    for line in text.split("\n"):
        if line.strip():
            return line.strip()[:500]
    return ""

"""Analysts' notes to safe HTML.

Notes are written in a small Markdown subset. The input is HTML-escaped
before any conversion, so nothing an analyst types can become markup except
what this module builds; the result then always goes through one bleach
cleaner with an explicit allowlist, which is the single line of defence any
other caller (``clean_html``) shares. This is the only module that imports
bleach, so replacing it (with nh3, say) touches one file.
"""

import html
import re
import threading
from functools import partial

import bleach
from bleach.linkifier import TLDS, LinkifyFilter
from django.utils.safestring import mark_safe

ALLOWED_TAGS = frozenset({"p", "br", "em", "strong", "code", "a", "ul", "ol", "li", "blockquote"})
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"

# bleach's own URL pattern, except that the scheme is required: notes name
# outlets and domains in passing ("Caliber.az reported…") and those must stay text.
_BARE_URL_RE = re.compile(
    r"""\(*
    \b(?<![@.])(?:https?)://(?:(?:\w+:)?\w+@)?
    ([\w-]+\.)+(?:{tlds})(?:\:[0-9]+)?(?!\.\w)\b
    (?:[/?][^\s\{{\}}\|\\\^`<>"]*)?
    """.format(tlds="|".join(sorted(TLDS))),
    re.IGNORECASE | re.VERBOSE | re.UNICODE,
)


def _set_link_rel(attrs, new=False):
    attrs[(None, "rel")] = LINK_REL
    attrs.pop((None, "target"), None)
    return attrs


def _new_cleaner():
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[
            partial(
                LinkifyFilter,
                callbacks=[_set_link_rel],
                skip_tags={"code"},
                parse_email=False,
                url_re=_BARE_URL_RE,
            )
        ],
    )


# A bleach Cleaner is not thread-safe (its html5lib parser keeps state between
# calls): a threaded server rendering two notes at once broke it ("pop from
# empty list", a 500). One cleaner per thread.
_local = threading.local()


def _cleaner():
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = _new_cleaner()
    return cleaner


def clean_html(html_text):
    """Reduce arbitrary HTML to the notes allowlist; every link gets rel="nofollow noopener"."""
    return _cleaner().clean(html_text)


# --- The Markdown subset -------------------------------------------------

_BULLET_RE = re.compile(r"^\s{0,3}[-*]\s+(.*)$")
_NUMBERED_RE = re.compile(r"^\s{0,3}\d{1,9}[.)]\s+(.*)$")
_QUOTE_RE = re.compile(r"^\s{0,3}&gt;\s?(.*)$")
# Control characters other than tab and newline are dropped; NUL also keeps
# the placeholders below unforgeable.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PLACEHOLDER_RE = re.compile(r"\x00(\d+)\x00")

_CODE_RE = re.compile(r"`([^`\n]+)`")
_LINK_RE = re.compile(r"\[([^\[\]\n]+)\]\(([^()\s]+)\)")
_STRONG_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EM_STAR_RE = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
_EM_UNDERSCORE_RE = re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")
_SAFE_LINK_RE = re.compile(r"^(?:https?://|mailto:)\S", re.IGNORECASE)

MAX_QUOTE_DEPTH = 3


class _Stash:
    """Finished fragments kept out of reach of later inline rules."""

    def __init__(self):
        self.items = []

    def put(self, fragment):
        self.items.append(fragment)
        return f"\x00{len(self.items) - 1}\x00"

    def restore(self, text):
        # Fragments may hold placeholders of their own (code inside a link label).
        while _PLACEHOLDER_RE.search(text):
            text = _PLACEHOLDER_RE.sub(lambda m: self.items[int(m.group(1))], text)
        return text


def _inline(escaped, stash):
    """Convert inline markup in already-escaped text."""
    escaped = _CODE_RE.sub(lambda m: stash.put(f"<code>{m.group(1)}</code>"), escaped)

    def link(match):
        label, url = match.groups()
        if not _SAFE_LINK_RE.match(html.unescape(url)):
            return match.group(0)
        return stash.put(f'<a href="{url}">{_emphasis(label)}</a>')

    escaped = _LINK_RE.sub(link, escaped)
    # Bare URLs are linkified by the cleaner; shield them from the emphasis rules
    # so the underscores in a URL survive.
    escaped = _BARE_URL_RE.sub(lambda m: stash.put(m.group(0)), escaped)
    return _emphasis(escaped)


def _emphasis(escaped):
    escaped = _STRONG_RE.sub(r"<strong>\1</strong>", escaped)
    escaped = _EM_STAR_RE.sub(r"<em>\1</em>", escaped)
    return _EM_UNDERSCORE_RE.sub(r"<em>\1</em>", escaped)


def _lines_html(lines, stash):
    return "<br>\n".join(_inline(line.strip(), stash) for line in lines)


def _blocks(lines, stash, depth=0):
    """Group lines into paragraphs, lists and quotes and render them."""
    out = []
    kind, items = None, []

    def close():
        nonlocal kind, items
        if kind == "p":
            out.append(f"<p>{_lines_html(items, stash)}</p>")
        elif kind in ("ul", "ol"):
            body = "".join(f"<li>{_lines_html(item, stash)}</li>" for item in items)
            out.append(f"<{kind}>{body}</{kind}>")
        elif kind == "blockquote":
            out.append(f"<blockquote>{_blocks(items, stash, depth + 1)}</blockquote>")
        kind, items = None, []

    for line in lines:
        if not line.strip():
            close()
            continue
        bullet, numbered = _BULLET_RE.match(line), _NUMBERED_RE.match(line)
        quoted = _QUOTE_RE.match(line) if depth < MAX_QUOTE_DEPTH else None
        if bullet or numbered:
            wanted = "ul" if bullet else "ol"
            if kind != wanted:
                close()
                kind = wanted
            items.append([(bullet or numbered).group(1)])
        elif quoted:
            if kind != "blockquote":
                close()
                kind = "blockquote"
            items.append(quoted.group(1))
        elif kind in ("ul", "ol"):
            items[-1].append(line)  # a lazy continuation of the last item
        elif kind == "blockquote":
            items.append(line)
        else:
            kind = kind or "p"
            items.append(line)
    close()
    return "\n".join(out)


def render_note(text):
    """Render a note written in the Markdown subset to sanitized HTML (a SafeString)."""
    text = _CONTROL_RE.sub("", text or "").replace("\r\n", "\n").replace("\r", "\n")
    stash = _Stash()
    converted = _blocks(html.escape(text, quote=True).split("\n"), stash)
    # Sanitizing the HTML this module built itself is deliberate: the cleaner,
    # not the converter, is what guarantees the allowlist.
    return mark_safe(clean_html(stash.restore(converted)))  # noqa: S308


__all__ = ["ALLOWED_TAGS", "ALLOWED_PROTOCOLS", "clean_html", "render_note"]

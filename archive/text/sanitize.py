"""Analysts' notes to safe HTML.

Notes are written in a small Markdown subset: paragraphs, line breaks,
emphasis, strong, inline code, http(s)/mailto links, lists and quotes.
markdown-it-py parses it with only those rules enabled and raw HTML off, so
nothing an analyst types can become markup except what the parser builds; the
result then always goes through one bleach cleaner with an explicit allowlist,
which is the single line of defence any other caller (``clean_html``) shares.
This is the only module that imports bleach, so replacing it (with nh3, say)
touches one file.
"""

import html
import re
import threading
from functools import partial

import bleach
from bleach.linkifier import TLDS, LinkifyFilter
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkLabel
from markdown_it.rules_block import blockquote, list_block
from markdown_it.rules_inline import link

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

# Control characters other than tab and newline are dropped.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SAFE_LINK_RE = re.compile(r"^(?:https?://|mailto:)\S", re.IGNORECASE)
_SCHEME_RE = re.compile(r"https?$", re.IGNORECASE)
_EMPTY_DESTINATION_RE = re.compile(r"\(\s*\)")
_BLOCK_TAGS = ("paragraph", "bullet_list", "ordered_list", "list_item", "blockquote")

# Quotes and lists open at most this many levels deep; deeper markers stay text.
MAX_NESTING = 3


def _shallow(rule):
    """Past its maxNesting markdown-it drops the rest; stopping earlier keeps it as text."""
    return lambda state, start, end, silent: state.level < MAX_NESTING and rule(state, start, end, silent)


def _link(state, silent):
    """A link; "[x]()", which markdown-it links to the page itself, stays text."""
    label_end = parseLinkLabel(state, state.pos, True) if state.src[state.pos] == "[" else -1
    if label_end >= 0 and _EMPTY_DESTINATION_RE.match(state.src, label_end + 1, state.posMax):
        return False
    return link(state, silent)


def _bare_url(state, silent):
    """Keep a bare URL away from the emphasis rules; the cleaner linkifies it."""
    if silent or state.src[state.pos] != ":":
        return False  # silent: a link label being scanned still ends at its "]"
    scheme = _SCHEME_RE.search(state.pending[-5:])
    url = scheme and _BARE_URL_RE.match(state.src, state.pos - len(scheme.group()), state.posMax)
    if not url:
        return False
    state.pending += state.src[state.pos : url.end()]
    state.pos = url.end()
    return True


def _join_lists(state):
    """Items marked "-" and "*" (or "1." and "1)") make one list, where CommonMark makes two."""
    tokens = state.tokens
    seams = {
        i
        for i in range(1, len(tokens))
        if tokens[i - 1].type.endswith("list_close")
        and tokens[i].type == tokens[i - 1].type.replace("close", "open")
    }
    state.tokens = [token for i, token in enumerate(tokens) if i not in seams and i + 1 not in seams]


def _escaped(renderer, tokens, idx, options, env):
    """Text and code escaped by html.escape, quotes included, as notes always were."""
    token = tokens[idx]
    text = html.escape(token.content)
    return f"<code>{text}</code>" if token.type == "code_inline" else text


def _block_tag(renderer, tokens, idx, options, env):
    """Bare block tags; a newline only between sibling blocks, never inside lists."""
    token = tokens[idx]
    if token.hidden:
        return ""
    if token.nesting == 1:
        return f"<{token.tag}>"
    between = idx + 1 < len(tokens) and tokens[idx + 1].nesting == 1 and token.type != "list_item_close"
    return f"</{token.tag}>" + ("\n" if between else "")


_markdown = MarkdownIt("zero", {"breaks": True}).enable(
    ["list", "blockquote", "emphasis", "backticks", "link", "newline"]
)
_markdown.validateLink = lambda url: bool(_SAFE_LINK_RE.match(url))
_markdown.block.ruler.at(
    "blockquote", _shallow(blockquote), {"alt": ["paragraph", "reference", "blockquote", "list"]}
)
_markdown.block.ruler.at("list", _shallow(list_block), {"alt": ["paragraph", "reference", "blockquote"]})
_markdown.inline.ruler.at("link", _link)
_markdown.inline.ruler.push("bare_url", _bare_url)
_markdown.core.ruler.after("block", "join_lists", _join_lists)
_markdown.add_render_rule("text", _escaped)
_markdown.add_render_rule("code_inline", _escaped)
for _name in _BLOCK_TAGS:
    _markdown.add_render_rule(f"{_name}_open", _block_tag)
    _markdown.add_render_rule(f"{_name}_close", _block_tag)


def render_note(text):
    """Render a note written in the Markdown subset to sanitized HTML (a SafeString)."""
    converted = _markdown.render(_CONTROL_RE.sub("", text or ""))
    # Sanitizing the HTML markdown-it built is deliberate: the cleaner,
    # not the converter, is what guarantees the allowlist.
    return mark_safe(clean_html(converted))  # noqa: S308


__all__ = ["ALLOWED_TAGS", "ALLOWED_PROTOCOLS", "clean_html", "render_note"]

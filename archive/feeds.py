"""Atom 1.0 feeds (Django's syndication framework): new documents, new claims,
and per tag, person and source.

A feed is for anyone's feed reader, so it holds **published** material only,
whoever asks (an analyst's reader would otherwise be served drafts with their
cookies): documents with ``Document.objects.published()`` and claims with
``Claim.objects.published()`` (published claims in published documents).

Each feed holds the ``FEED_SIZE`` newest entries, newest first by when they
entered the archive (their id: the primary key's index answers it whatever
the archive's size). A document published long after it was imported keeps
its place by import; a feed reader still shows it once it appears. Every feed
is a fixed number of queries: its object (tag, person, source), its entries
with what they show (``select_related``), and their tags (one prefetch).

Entries: ``id`` a tag URI (RFC 4151) from the host and the row's id, stable
when a document's slug changes; ``title``; ``link`` to the page; ``published``
(entered the archive) and ``updated``; ``author`` the byline as printed (a
document) or the claimant (a claim: the person who said it, not the analyst,
whose name is never public); ``summary`` plain text escaped for Atom's
``type="html"``; ``content`` the claim's note as the claim page shows it (the
one sanitizer, ``archive.text.sanitize``); ``category`` per tag; ``xml:lang``
the document's language. A person's, tag's or source's feed is a 404 when it
has nothing published, as its page is.
"""

import re
from html import escape
from urllib.parse import urlsplit

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe
from taggit.models import Tag

from archive import caching
from archive.models import Claim, Document, Person, Source, TagRedirect
from archive.templatetags.archive_tags import note as rendered_note
from archive.text.anchoring import excerpt

FEED_SIZE = 50
SITE = "Margins"
# What a document entry never needs: the texts.
HEAVY = ("text", "raw_text", "cleaning_report")
# Characters XML 1.0 cannot carry at all (a title pasted with a stray control character
# would otherwise make the whole feed unwritable).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text):
    return _NOT_XML.sub("", text or "")


def one_line(text):
    return " ".join(xml_text(text).split())


class ArchiveAtomFeed(Atom1Feed):
    """Atom 1.0 with what Django's generator leaves out: an entry's language and its content."""

    def item_attributes(self, item):
        attributes = super().item_attributes(item)
        if item.get("language"):
            attributes["xml:lang"] = item["language"]
        return attributes

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


def documents(queryset):
    """The newest ``FEED_SIZE`` of ``queryset``'s documents, with their sources and tags."""
    newest = queryset.select_related("source").prefetch_related("tags").defer(*HEAVY)
    return list(newest.order_by("-pk")[:FEED_SIZE])


def claims(queryset):
    """The newest ``FEED_SIZE`` of ``queryset``'s claims, with their documents, claimants and tags."""
    newest = (
        queryset.select_related("document", "document__source", "claimant")
        .prefetch_related("tags")
        .defer(*(f"document__{name}" for name in HEAVY))
    )
    return list(newest.order_by("-pk")[:FEED_SIZE])


def claim_title(claim):
    who = claim.claimant.name if claim.claimant_id else "an unattributed speaker"
    return f"{claim.get_kind_display()} claim by {who}: “{excerpt(claim.quote, 100)}”"


def document_summary(document):
    source = f" from {document.source.name}" if document.source_id else ""
    byline = f", by {document.byline}" if document.byline else ""
    return f"{document.get_kind_display()}{source}, {document.published_display}{byline}."


class Moved(Exception):
    """The feed's object moved for good (a merged tag): answer with a redirect."""

    def __init__(self, url):
        super().__init__(url)
        self.url = url


class ArchiveFeed(Feed):
    feed_type = ArchiveAtomFeed
    author_name = SITE

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except Moved as moved:
            return redirect(moved.url, permanent=True)

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # The feed's own address is its id: the page it mirrors (its alternate link,
        # Django's default id) offers more than one feed.
        feed.feed["id"] = feed.feed["feed_url"]
        for entry in feed.items:
            host = urlsplit(entry["link"]).hostname or "localhost"
            entry["unique_id"] = f"tag:{host},{entry['pubdate']:%Y-%m-%d}:{entry.pop('entry_path')}"
        return feed

    # --- One entry: a document or a claim ---

    def item_title(self, item):
        return one_line(claim_title(item) if isinstance(item, Claim) else item.title)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_description(self, item):
        # Atom's summary is written type="html": plain text goes in escaped.
        if isinstance(item, Claim):
            document = item.document
            where = f" — in “{document.title}”" + (f" ({document.source.name})" if document.source_id else "")
            return escape(one_line(f"“{item.quote}”{where}"))
        return escape(one_line(document_summary(item)))

    def item_author_name(self, item):
        if isinstance(item, Claim):
            return one_line(item.claimant.name) if item.claimant_id else None
        return one_line(item.byline) or None

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [one_line(tag.name) for tag in item.tags.all()]

    def item_extra_kwargs(self, item):
        if isinstance(item, Claim):
            note = xml_text(str(rendered_note(item.note))) if item.note else ""
            return {
                "entry_path": f"claims/{item.pk}",
                "language": item.document.language,
                "content_html": note,
            }
        return {"entry_path": f"documents/{item.pk}", "language": item.language}


class NewDocuments(ArchiveFeed):
    title = f"{SITE}: new documents"
    subtitle = f"The {FEED_SIZE} documents most recently added to the archive and published."

    def link(self):
        return reverse("archive:document_list")

    def items(self):
        return documents(Document.objects.published())


class NewClaims(ArchiveFeed):
    title = f"{SITE}: new claims"
    subtitle = f"The {FEED_SIZE} claims most recently highlighted and published."

    def link(self):
        return reverse("archive:document_list")

    def items(self):
        return claims(Claim.objects.published())


def _nothing_published(entries):
    if not entries:
        raise Http404("Nothing is published here yet.")
    return entries


class TagFeed(ArchiveFeed):
    """Documents carrying the tag and claims carrying it, newest first."""

    def get_object(self, request, slug):
        tag = Tag.objects.filter(slug=slug).first()
        if tag is not None:
            return tag
        merged = TagRedirect.objects.filter(slug=slug).select_related("tag").first()
        if merged is None:
            raise Http404("No tag at this address.")
        raise Moved(reverse("archive:tag_feed", args=[merged.tag.slug]))

    def title(self, tag):
        return one_line(f"{SITE}: tagged “{tag.name}”")

    def subtitle(self, tag):
        return one_line(f"The newest documents and claims tagged “{tag.name}”.")

    def link(self, tag):
        return reverse("archive:tag_detail", args=[tag.slug])

    def items(self, tag):
        entries = documents(Document.objects.published().filter(tags=tag))
        entries += claims(Claim.objects.published().filter(tags=tag))
        entries.sort(key=lambda entry: entry.created_at, reverse=True)
        return _nothing_published(entries[:FEED_SIZE])


class PersonFeed(ArchiveFeed):
    """Claims attributed to a person."""

    def get_object(self, request, slug):
        return get_object_or_404(Person, slug=slug)

    def title(self, person):
        return one_line(f"{SITE}: claims by {person.name}")

    def subtitle(self, person):
        return one_line(f"The newest published claims attributed to {person.name}.")

    def link(self, person):
        return person.get_absolute_url()

    def items(self, person):
        return _nothing_published(claims(Claim.objects.published().filter(claimant=person)))


class SourceFeed(ArchiveFeed):
    """Documents from a source."""

    def get_object(self, request, slug):
        return get_object_or_404(Source, slug=slug)

    def title(self, source):
        return one_line(f"{SITE}: documents from {source.name}")

    def subtitle(self, source):
        return one_line(f"The newest published documents from {source.name}.")

    def link(self, source):
        return source.get_absolute_url()

    def items(self, source):
        return _nothing_published(documents(Document.objects.published().filter(source=source)))


def public(feed):
    """A feed as a view: GET and HEAD only, kept whole for anonymous visitors (``archive.caching``)."""
    return require_safe(caching.kept_for_visitors(feed))


new_documents = public(NewDocuments())
new_claims = public(NewClaims())
tag_feed = public(TagFeed())
person_feed = public(PersonFeed())
source_feed = public(SourceFeed())

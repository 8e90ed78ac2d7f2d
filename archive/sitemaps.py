"""What search engines read: ``sitemap.xml`` and ``robots.txt``.

The sitemap (``django.contrib.sitemaps``) is an index with one section per kind
of public page — documents, claims, people, tags, sources — each cut into
pages of ``PAGE_SIZE`` addresses (``sitemap-documents.xml?p=2``), so a
100,000-document archive is twenty small pages, never one huge one. Only what
a visitor who is not signed in can open is listed: published documents,
published claims in published documents, and the people, tags and sources
whose pages have something published to show (their pages are a 404
otherwise). Documents and claims carry ``lastmod``, the time their own row
last changed (a document's is not moved by edits to its claims); people, tags
and sources have no such time and carry none. Each page of the sitemap is two
queries (its section's count and its rows); the index is one count per
section, and one ``MAX(updated_at)`` each for documents and claims.
"""

from django.contrib.contenttypes.models import ContentType
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Exists, Max, OuterRef
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from taggit.models import Tag, TaggedItem

from archive import caching
from archive.models import Claim, Document, Person, Source

PAGE_SIZE = 5_000


class ArchiveSitemap(Sitemap):
    limit = PAGE_SIZE


class DocumentSitemap(ArchiveSitemap):
    def items(self):
        return Document.objects.published().only("pk", "slug", "updated_at").order_by("pk")

    def lastmod(self, document):
        return document.updated_at

    def get_latest_lastmod(self):
        # One aggregate, not Django's default of reading every item.
        return Document.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class ClaimSitemap(ArchiveSitemap):
    def items(self):
        return Claim.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, claim):
        return claim.updated_at

    def get_latest_lastmod(self):
        return Claim.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class PersonSitemap(ArchiveSitemap):
    def items(self):
        theirs = Claim.objects.published().filter(claimant=OuterRef("pk"))
        return Person.objects.filter(Exists(theirs)).only("pk", "slug").order_by("pk")


class SourceSitemap(ArchiveSitemap):
    def items(self):
        theirs = Document.objects.published().filter(source=OuterRef("pk"))
        return Source.objects.filter(Exists(theirs)).only("pk", "slug").order_by("pk")


class TagSitemap(ArchiveSitemap):
    def items(self):
        # A tag's page lists published documents that carry it or have a published claim that
        # does. Asked from the tag's side (its items, stopping at the first published one),
        # never by walking the documents for every tag.
        types = ContentType.objects.get_for_models(Claim, Document)
        items = TaggedItem.objects.filter(tag=OuterRef("pk"))
        published_document = Document.objects.published().filter(pk=OuterRef("object_id"))
        published_claim = Claim.objects.published().filter(pk=OuterRef("object_id"))
        on_document = items.filter(content_type=types[Document]).filter(Exists(published_document))
        on_claim = items.filter(content_type=types[Claim]).filter(Exists(published_claim))
        return Tag.objects.filter(Exists(on_document) | Exists(on_claim)).only("pk", "slug").order_by("pk")

    def location(self, tag):
        return reverse("archive:tag_detail", args=[tag.slug])


SECTIONS = {
    "documents": DocumentSitemap,
    "claims": ClaimSitemap,
    "people": PersonSitemap,
    "tags": TagSitemap,
    "sources": SourceSitemap,
}


@require_safe
@caching.kept_for_visitors
def index(request):
    """``sitemap.xml``: every section's pages, with the newest ``lastmod`` where there is one."""
    return sitemap_views.index(request, SECTIONS, sitemap_url_name="archive:sitemap_section")


@require_safe
@caching.kept_for_visitors
def section(request, section):
    """``sitemap-<section>.xml?p=<n>``: one page of a section (a 404 for a section or page not there)."""
    return sitemap_views.sitemap(request, SECTIONS, section=section)


# Where crawlers have no business: the admin, the JSON API, sign-in and the
# analysts' import pages (nothing there is public, and each request costs).
DISALLOWED = ("/admin/", "/api/", "/accounts/", "/imports/")


@require_safe
def robots_txt(request):
    """``robots.txt``: everything else may be crawled; the sitemap's absolute address."""
    sitemap = request.build_absolute_uri(reverse("archive:sitemap_index"))
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in DISALLOWED),
        "Allow: /",
        "",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")

"""Full-text search through the database's own engine.

One backend per database, chosen from the connection (as Wagtail's database
search backends are): ``sqlite`` (FTS5, bm25) and ``postgres`` (tsvector,
GIN, ts_rank). Both read the same ``SearchEntry`` rows and take the same
parsed query (``archive.text.search_syntax``).

Writes: the services call ``index_document`` / ``index_claim`` after each
change they make to what the index holds (``DOCUMENT_FIELDS``,
``CLAIM_FIELDS``): document archived, text corrected, claim created, edited,
moved or reverted; the admin after editing a document. Deleting a document or
a claim deletes its rows through their foreign keys. Claimants and tags are
not indexed, so their renames, merges and deletions change nothing here.
``rebuild`` (the ``rebuild_search_index`` command) rewrites everything.

Reads: ``search_documents`` narrows a documents queryset to those matching,
ranked (``results``), with the matching rows (snippets, claims) prefetched
for the page.
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case, F, Prefetch, TextField, Value, When
from django.db.models.functions import Concat

from archive.models import Claim, Document, Visibility
from archive.search import postgres, results, sqlite
from archive.search.models import SearchEntry
from archive.text.search_syntax import SearchSyntaxError, Term, normalize, parse

__all__ = [
    "CLAIM_FIELDS",
    "DOCUMENT_FIELDS",
    "SearchSyntaxError",
    "Term",
    "backend",
    "index_claim",
    "index_document",
    "parse",
    "rebuild",
    "search_documents",
    "with_hits",
]

# What the index holds of a document (its row; its language and visibility also go into
# its claims' rows) and of a claim: a write that changes one of these must reindex.
DOCUMENT_FIELDS = frozenset({"title", "byline", "text", "language", "visibility"})
CLAIM_FIELDS = frozenset({"quote", "note", "visibility"})

_BACKENDS = {"sqlite": sqlite.Backend(), "postgresql": postgres.Backend()}


def backend():
    """The search backend of the default database."""
    try:
        return _BACKENDS[connection.vendor]
    except KeyError:
        raise NotImplementedError(
            f"Full-text search supports SQLite and PostgreSQL, not {connection.vendor}."
        ) from None


# --- Writing the index -------------------------------------------------------


def _document_entry(document, config):
    return SearchEntry(
        document=document,
        language=document.language,
        config=config,
        visibility=document.visibility,
        title=normalize(document.title),
        byline=normalize(document.byline),
        body=normalize(document.text),
    )


def _claim_entry(document, claim, config):
    published = document.visibility == Visibility.PUBLISHED and claim.visibility == Visibility.PUBLISHED
    return SearchEntry(
        document=document,
        claim=claim,
        language=document.language,
        config=config,
        visibility=Visibility.PUBLISHED if published else Visibility.DRAFT,
        body=normalize(SearchEntry.claim_text(claim.quote, claim.note)),
    )


def _entries(document, claims, engine):
    config = engine.config_for(document.language)
    return [_document_entry(document, config), *(_claim_entry(document, c, config) for c in claims)]


@transaction.atomic
def index_document(document):
    """(Re)index ``document`` and all its claims: its title, text, language or visibility may have changed.

    What is indexed is read from the rows, not from ``document`` (an instance
    read earlier may hold a text corrected since). The document and then its
    claims (by pk) are locked first, the order the services lock them in, so
    that no other writer reindexes the same rows meanwhile.
    """
    engine = backend()
    document = (
        Document.objects.select_for_update(no_key=True)
        .only("pk", "title", "byline", "text", "language", "visibility")
        .get(pk=document.pk)
    )
    claims = list(
        Claim.objects.filter(document=document)
        .select_for_update(of=("self",), no_key=True)
        .only("pk", "document", "quote", "note", "visibility")
        .order_by("pk")
    )
    SearchEntry.objects.filter(document=document).delete()
    SearchEntry.objects.bulk_create(_entries(document, claims, engine), batch_size=500)
    engine.after_write(SearchEntry.objects.filter(document=document))


@transaction.atomic
def index_claim(claim):
    """(Re)index one claim (its quote, note or visibility changed, or it moved to another document).

    ``claim`` is the instance the caller wrote (and holds locked), with its document."""
    engine = backend()
    document = claim.document
    SearchEntry.objects.filter(claim=claim).delete()
    _claim_entry(document, claim, engine.config_for(document.language)).save()
    engine.after_write(SearchEntry.objects.filter(claim=claim))


@dataclass
class RebuildResult:
    documents: int = 0
    claims: int = 0
    dry_run: bool = False

    @property
    def entries(self):
        return self.documents + self.claims


def rebuild(*, dry_run=False, batch_size=200, progress=None):
    """Rewrite the whole index from the documents and claims, in one transaction.

    ``progress(done, total)`` is called after each batch of documents. With
    ``dry_run`` everything is written and then rolled back.
    """
    engine = backend()
    result = RebuildResult(dry_run=dry_run)
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        total = Document.objects.count()
        ids = list(Document.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch_size):
            batch = ids[start : start + batch_size]
            documents = Document.objects.filter(pk__in=batch).only(
                "pk", "title", "byline", "text", "language", "visibility"
            )
            claims = {}
            for claim in Claim.objects.filter(document__in=batch).only(
                "pk", "document", "quote", "note", "visibility"
            ):
                claims.setdefault(claim.document_id, []).append(claim)
            entries = []
            for document in documents:
                document_claims = claims.get(document.pk, [])
                entries.extend(_entries(document, document_claims, engine))
                result.documents += 1
                result.claims += len(document_claims)
            SearchEntry.objects.bulk_create(entries, batch_size=500)
            engine.after_write(SearchEntry.objects.filter(document__in=batch))
            if progress:
                progress(min(start + batch_size, total), total)
        engine.finish_rebuild()
        if dry_run:
            transaction.set_rollback(True)
    return result


# --- Searching ----------------------------------------------------------------------


def hits(terms, user):
    """The rows matching ``terms`` that ``user`` may see, best first, each with
    ``fragment`` (the engine's marked snippet) and ``original`` (the text it was taken from)."""
    return (
        backend()
        .hits(terms, user)
        .only("pk", "document", "claim")
        .annotate(
            original=Case(
                When(claim__isnull=True, then=F("document__text")),
                default=Concat(F("claim__quote"), Value("\n\n"), F("claim__note"), output_field=TextField()),
                output_field=TextField(),
            )
        )
    )


def with_hits(documents, terms, user):
    """``documents`` without their texts, each with ``search_hits`` (its rows matching ``terms``)."""
    return documents.defer("text", "raw_text", "cleaning_report").prefetch_related(
        Prefetch("search_entries", queryset=hits(terms, user), to_attr="search_hits")
    )


def search_documents(documents, terms, user, *, ranked=True):
    """``documents`` that match ``terms`` in their own row or in a claim ``user`` may see.

    Each comes with ``search_hits`` prefetched (the rows that matched, best
    first, each with its ``snippet``) and without its reading text. Ranked
    (the default), they are in order of relevance, best first, and must not
    be reordered; otherwise order them as you like.
    """
    engine = backend()
    rows = engine.rows(terms, user)
    if ranked:
        return with_hits(results.ranked(documents, rows, engine.rank(terms)), terms, user)
    return with_hits(documents.filter(pk__in=rows.values("document")), terms, user)

"""Documents in order of relevance, paged without grouping the documents.

Ranking documents means grouping their matching rows (a document matches in
its own text and in its claims) and keeping each document's best rank. Done
on the documents query, that grouping would carry every document column
through the sort and multiply with anything else joined there. So the
ranking is done on the index alone — ``document_id`` and a rank per
matching row, grouped by ``document_id`` — and only the page's documents are
then read, with whatever the caller asked for (claim counts, prefetches).

``RankedDocuments`` is a documents queryset that does exactly that when it
is counted or sliced (as ``Paginator`` does): one COUNT of the matching
documents, one query for the page's ranked ids, one for their documents.
"""

from django.db.models import Max

from archive.models import DocumentQuerySet


class RankedDocuments(DocumentQuerySet):
    # Set by ``rank``: the matching rows of the documents (to count them) and
    # their ``document`` ids, best first (to page them).
    matching = ranking = None

    def rank(self, matching, ranking):
        clone = self._chain()
        clone.matching, clone.ranking = matching, ranking
        return clone

    def _clone(self):
        clone = super()._clone()
        clone.matching, clone.ranking = self.matching, self.ranking
        return clone

    def _unranked(self):
        clone = self._chain()
        clone.matching = clone.ranking = None
        return clone

    def count(self):
        if self.ranking is None or self._result_cache is not None:
            return super().count()
        return self.matching.values("document").distinct().count()

    def capped_count(self, limit):
        """How many documents match, counted up to ``limit`` (``archive.paging.count``)."""
        return self.matching.values("document").distinct()[:limit].count()

    def page_ids(self, offset, limit):
        """The ids of the documents ranked ``offset`` to ``offset + limit``, best first."""
        return list(self.ranking.values_list("document", flat=True)[offset : offset + limit])

    def __getitem__(self, k):
        if self.ranking is None or self._result_cache is not None:
            return super().__getitem__(k)
        if isinstance(k, int):
            found = self[k : k + 1] if k >= 0 else []
            if not found:
                raise IndexError("no document at this position in the results")
            return found[0]
        ids = list(self.ranking.values_list("document", flat=True)[k])
        documents = {document.pk: document for document in self._unranked().filter(pk__in=ids)}
        return [documents[pk] for pk in ids if pk in documents]

    def _fetch_all(self):
        if self.ranking is not None and self._result_cache is None:
            self._result_cache = self[:]
        super()._fetch_all()


def ranked(documents, rows, rank):
    """``documents`` (a DocumentQuerySet) that have one of ``rows``, best ``rank`` first."""
    matching = rows.filter(document__in=documents.values("pk")).order_by()
    ranking = matching.values("document").annotate(best=Max(rank)).order_by("-best", "-document")
    base = RankedDocuments(model=documents.model, query=documents.query.chain(), using=documents.db)
    # Filtered like the ranking, so that any other use of the queryset agrees with it.
    return base.filter(pk__in=rows.values("document")).rank(matching, ranking)

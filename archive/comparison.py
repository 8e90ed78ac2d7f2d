"""Side-by-side reading: documents in columns with their linked claims aligned,
and the links of a claim told from either end.

Everything is fetched in a fixed number of queries whatever the number of
claims and links, so the compare page costs the same with 5 claims or 2,000.
"""

import hashlib
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q

from archive import reader, search
from archive.models import Claim, ClaimLink, DocumentRelation
from archive.search import results
from archive.text import similarity
from archive.text.rendering import render_highlighted
from archive.text.search_syntax import MAX_TERMS, Term, normalize


@dataclass
class Column:
    document: object
    claims: list = field(default_factory=list)
    text_html: str = ""
    unplaced: list = field(default_factory=list)


@dataclass
class Pair:
    number: int
    link: ClaimLink
    left: Claim
    right: Claim

    @property
    def anchor(self):
        return f"pair-{self.link.pk}"

    @property
    def from_claim(self):
        return self.left if self.left.pk == self.link.from_claim_id else self.right

    @property
    def to_claim(self):
        return self.right if self.left.pk == self.link.from_claim_id else self.left


def build(documents, claims, links, *, tag="", claimant="", relation=""):
    """Columns and numbered pairs for ``documents`` (in column order).

    ``claims`` and ``links`` are querysets already limited to what the viewer
    may see. Filters narrow the claims shown; a link is shown when either end
    matches, and then its counterpart is shown too, so filtering by one
    speaker still shows who reported or contradicted them.
    """
    order = {document.pk: index for index, document in enumerate(documents)}
    claims = claims.filter(document__in=list(order)).select_related("claimant").order_by("start", "end", "pk")
    links = links.filter(
        from_claim__document__in=list(order), to_claim__document__in=list(order)
    ).select_related("from_claim", "to_claim")
    if relation:
        links = links.filter(relation=relation)

    all_claims = {claim.pk: claim for claim in claims}
    matching = set(all_claims)
    if tag or claimant:
        narrowed = claims
        if tag:
            narrowed = narrowed.filter(tags__slug=tag)
        if claimant:
            narrowed = narrowed.filter(claimant__slug=claimant)
        matching = set(narrowed.values_list("pk", flat=True))

    pairs = []
    for link in links:
        left, right = all_claims.get(link.from_claim_id), all_claims.get(link.to_claim_id)
        if left is None or right is None or not ({left.pk, right.pk} & matching):
            continue
        if order[left.document_id] > order[right.document_id]:
            left, right = right, left
        pairs.append(Pair(0, link, left, right))
    linked = {pk for pair in pairs for pk in (pair.left.pk, pair.right.pk)}
    # A relation filter shows only the claims that take part in such a link.
    shown = linked if relation else matching | linked
    pairs.sort(
        key=lambda p: (order[p.left.document_id], p.left.start, order[p.right.document_id], p.right.start)
    )
    pair_numbers = defaultdict(list)
    for number, pair in enumerate(pairs, start=1):
        pair.number = number
        pair_numbers[pair.left.pk].append(number)
        pair_numbers[pair.right.pk].append(number)

    by_pk = {document.pk: document for document in documents}
    for pair in pairs:
        for claim in (pair.left, pair.right):
            claim.who = speaker(claim, by_pk[claim.document_id])
            claim.gist = gist(claim.quote)

    columns = [Column(document) for document in documents]
    for claim in all_claims.values():
        if claim.pk in shown:
            columns[order[claim.document_id]].claims.append(claim)
    for column in columns:
        text = column.document.text
        placed = [claim for claim in column.claims if reader.is_placed(claim, text)]
        column.unplaced = [claim for claim in column.claims if not reader.is_placed(claim, text)]
        column.text_html = render_highlighted(
            text,
            [reader.compact_highlight(claim, pair_numbers.get(claim.pk, ())) for claim in placed],
            compact=True,
        )
    return columns, pairs


GIST_WORDS = 5


def speaker(claim, document):
    """Who says ``claim`` in words a reader knows: the claimant, else the text's
    publisher ("Caliber.az report"), else nobody ("")."""
    if claim.claimant is not None:
        return claim.claimant.name
    if document.source is not None:
        return f"{document.source.name} {'report' if document.kind == document.Kind.NEWS else 'text'}"
    return ""


def gist(quote, words=GIST_WORDS):
    """The first ``words`` words of ``quote``, with an ellipsis when there are more."""
    parts = quote.split()
    return " ".join(parts) if len(parts) <= words else " ".join(parts[:words]) + "…"


@dataclass
class ChainStep:
    title: str
    date: object  # datetime/date or None
    precision: str
    relation: str  # how the previous text relates to this one, "" for the document itself
    by: str  # title of the text that cites / reports on this one
    document: object = None  # archived document, when it is one
    url: str = ""


def relation_chain(document, visible_documents, depth=3):
    """The document and what it cites or reports on, transitively, oldest first.

    Lets a reader see who said what first. Archived targets the viewer may not
    see are left out. One query per level, at most ``depth`` levels.
    """
    steps = [ChainStep(document.title, document.published_at, document.published_precision, "", "", document)]
    seen, frontier = {document.pk}, [document.pk]
    for _level in range(depth):
        relations = (
            DocumentRelation.objects.filter(document__in=frontier)
            .filter(Q(target__isnull=True) | Exists(visible_documents.filter(pk=OuterRef("target"))))
            .select_related("document", "target")
        )
        frontier = []
        for relation in relations:
            if relation.target_id:
                if relation.target_id in seen:
                    continue
                seen.add(relation.target_id)
                frontier.append(relation.target_id)
                target = relation.target
                steps.append(
                    ChainStep(
                        target.title,
                        target.published_at,
                        target.published_precision,
                        relation.get_kind_display(),
                        relation.document.title,
                        target,
                    )
                )
            else:
                steps.append(
                    ChainStep(
                        relation.external_title,
                        relation.external_date,
                        relation.external_date_precision,
                        relation.get_kind_display(),
                        relation.document.title,
                        None,
                        relation.external_url,
                    )
                )
        if not frontier:
            break
    if len(steps) == 1:
        return []

    def key(step):
        when = step.date
        if when is None:
            return (1, "")
        return (
            0,
            when.date().isoformat() if hasattr(when, "date") and callable(when.date) else when.isoformat(),
        )

    return sorted(steps, key=key)


# --- Suggested counterparts ------------------------------------------------------

_INDEXES = OrderedDict()
_INDEX_CACHE_SIZE = 64


def document_index(document):
    """A similarity index of ``document``'s current text, kept while the text is unchanged."""
    key = (document.pk, hashlib.sha256(document.text.encode("utf-8")).hexdigest())
    index = _INDEXES.get(key)
    if index is None:
        index = similarity.Index(document.text)
        _INDEXES[key] = index
        if len(_INDEXES) > _INDEX_CACHE_SIZE:
            _INDEXES.popitem(last=False)
    else:
        _INDEXES.move_to_end(key)
    return index


@dataclass
class Counterpart:
    document: object
    suggestion: similarity.Suggestion
    existing: object = None  # a visible claim with exactly this span, if any


def suggest_counterparts(claim, documents, claims_by_document, *, per_document=2, minimum=0.05):
    """Passages of ``documents`` that may say what ``claim`` says, best first.

    ``claims_by_document`` maps a document pk to the claims the viewer may see
    in it; passages already linked to ``claim`` are not suggested again, and a
    passage that is exactly an existing claim is offered as that claim.
    """
    linked = {other.pk for _phrase, other, _link in getattr(claim, "link_rows", [])}
    found = []
    for document in documents:
        if document.pk == claim.document_id:
            continue
        claims = claims_by_document.get(document.pk, [])
        exclude = [(c.start, c.end) for c in claims if c.pk in linked]
        spans = {(c.start, c.end): c for c in claims if c.pk not in linked}
        for suggestion in document_index(document).suggest(claim.quote, limit=per_document, exclude=exclude):
            if suggestion.score >= minimum:
                found.append(Counterpart(document, suggestion, spans.get((suggestion.start, suggestion.end))))
    found.sort(key=lambda c: -c.suggestion.score)
    return found


# --- Choosing documents ---------------------------------------------------------------
#
# The reader's "Compare with…" and the compare page's chooser offer a bounded
# list (a <datalist>) and accept a typed slug or title; a script asks
# ``suggest_documents`` (the JSON endpoint) as the visitor types. Nothing here
# lists the whole archive.

NEARBY_LIMIT = 50
SUGGEST_LIMIT = 20
NEWEST_FIRST = (F("published_at").desc(nulls_last=True), "-captured_at", "-pk")


def nearby_documents(documents, visible, *, limit=NEARBY_LIMIT):
    """At most ``limit`` documents to offer beside ``documents``, as ``(slug, title)``:
    those related to them first, then those from the same sources, newest first; with no
    ``documents``, the newest.

    At most three queries, whatever the archive's size.
    """
    chosen = [document.pk for document in documents]
    related = set()
    if chosen:
        for one, other in DocumentRelation.objects.filter(
            Q(document__in=chosen, target__isnull=False) | Q(target__in=chosen)
        ).values_list("document", "target")[: limit * 2]:
            related.update((one, other))
    related.difference_update(chosen)
    sources = {document.source_id for document in documents if document.source_id}
    found, seen = [], set(chosen)
    steps = [visible.filter(pk__in=related)] if related else []
    if sources:
        steps.append(visible.filter(source__in=sources))
    if not chosen:
        steps.append(visible)
    for step in steps:
        if len(found) >= limit:
            break
        rows = step.exclude(pk__in=seen).order_by(*NEWEST_FIRST).values_list("pk", "slug", "title")
        rows = rows[: limit - len(found)]
        for pk, slug, title in rows:
            seen.add(pk)
            found.append((slug, title))
    return found


def _prefix_terms(text):
    """Every word of ``text`` as a prefix term (nothing in it is search syntax)."""
    terms = []
    for word in text.split():
        word = " ".join(normalize(word.strip('"*')).split())
        if any(character.isalnum() for character in word):
            terms.append(Term(word, prefix=True))
    return terms[:MAX_TERMS]


def suggest_documents(visible, user, text, *, limit=SUGGEST_LIMIT):
    """At most ``limit`` of ``visible`` documents for what a visitor typed, as ``(slug, title)``:
    the document at that slug, titles starting with it, then documents matching
    every word (as a prefix) in the full-text index, best first."""
    text = " ".join(text.split())
    if not text:
        return []
    found, seen = [], set()

    def take(rows):
        for pk, slug, title in rows:
            if pk not in seen and len(found) < limit:
                seen.add(pk)
                found.append((slug, title))

    take(visible.filter(slug=text).values_list("pk", "slug", "title"))
    take(
        visible.filter(title__istartswith=text)
        .order_by(*NEWEST_FIRST)
        .values_list("pk", "slug", "title")[:limit]
    )
    terms = _prefix_terms(text)
    if len(found) < limit and terms:
        engine = search.backend()
        documents = visible.only("pk", "slug", "title")
        matching = results.ranked(documents, engine.rows(terms, user), engine.rank(terms))
        take((document.pk, document.slug, document.title) for document in matching[: limit + len(found)])
    return found


@dataclass
class Resolved:
    """What one typed document (a slug or a title) on the compare page turned out to be."""

    text: str
    document: object = None
    candidates: list = field(default_factory=list)  # (slug, title) when the title fits several

    @property
    def by_title(self):
        return self.document is not None and self.document.slug != self.text


def resolve_documents(visible, texts, *, candidates=10):
    """Each of ``texts`` as a document the visitor may see: the one at that slug, else the one
    whose title is exactly that (any case), else the only one whose title starts with it.
    One query for the slugs; two more per text that is not one."""
    documents = visible.select_related("source").defer("raw_text", "cleaning_report")
    by_slug = {document.slug: document for document in documents.filter(slug__in=texts)}
    resolved = []
    for text in texts:
        if text in by_slug:
            resolved.append(Resolved(text, by_slug[text]))
            continue
        exact = list(documents.filter(title__iexact=text).order_by(*NEWEST_FIRST)[: candidates + 1])
        if len(exact) == 1:
            resolved.append(Resolved(text, exact[0]))
            continue
        fits = exact or list(
            documents.filter(title__istartswith=text).order_by(*NEWEST_FIRST)[: candidates + 1]
        )
        if len(fits) == 1:
            resolved.append(Resolved(text, fits[0]))
        else:
            resolved.append(Resolved(text, None, [(d.slug, d.title) for d in fits[:candidates]]))
    return resolved

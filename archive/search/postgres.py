"""Search on PostgreSQL: a weighted ``tsvector`` per row, GIN-indexed.

Each row's vector is built with the text-search configuration of its
document's language (``config``), so English rows are stemmed as English
("speeches" finds "speech"), Russian as Russian, and Persian — which
PostgreSQL has no stemmer for — with ``simple``. Stemmed rows also hold their
words unstemmed (``simple``), for prefix searches: "libera*" cannot match
the stem "liber" of "liberated", but matches "liberated" itself.

A search is parsed with ``websearch_to_tsquery`` once per term, in the row's
own configuration; to use the GIN index it is also asked whether the vector
matches the query in *any* configuration in use, a constant the index can
answer. Snippets come from ``ts_headline`` with markers that
``archive.text.search_syntax.snippet_html`` turns into escaped HTML.
"""

from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQueryField, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Expression, F, Lookup, Value, When
from django.db.models.functions import Left, Replace

from archive.search.models import IndexVectorField, SearchEntry
from archive.text.search_syntax import HEADLINE_LT, MARK_END, MARK_START

# ISO 639-1 code → PostgreSQL configuration. Languages without a stemmer
# (Persian among them) use ``simple``: lower-cased words, no stop words.
CONFIGS = {
    "ar": "arabic",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "tr": "turkish",
}
# tsvector positions stop at 16,383 and a vector must stay under 1 MB: longer
# reading texts are indexed up to here (the seed's longest is 25,000 characters).
VECTOR_MAX_CHARS = 400_000

_available = {}


def available_configs():
    """The configurations this server has (``pg_ts_config``), read once per process."""
    alias = connection.alias
    if alias not in _available:
        with connection.cursor() as cursor:
            cursor.execute("SELECT cfgname FROM pg_ts_config")
            _available[alias] = frozenset(name for (name,) in cursor.fetchall())
    return _available[alias]


def config_for(language):
    name = CONFIGS.get((language or "").split("-")[0].lower(), "simple")
    return name if name in available_configs() else "simple"


def configs_in_use():
    return sorted({config_for(code) for code in CONFIGS} | {"simple"})


def _prefix(sql):
    """``sql`` (a tsquery) with its last word made a prefix, unless it is empty (only stop words)."""
    return f"(CASE WHEN numnode({sql}) = 0 THEN {sql} ELSE ({sql}::text || ':*')::tsquery END)"


def tsquery_sql(config_sql, config_params, terms):
    """SQL for the tsquery of ``terms`` in the configuration ``config_sql``.

    Each term goes through ``websearch_to_tsquery`` as a quoted phrase (so
    nothing in it is query syntax, and it never fails to parse); a prefix term
    has ``:*`` added to its last word, and is looked for stemmed or not; a
    negated one is negated with ``!!``.
    """
    parts, params = [], []
    for term in terms:
        text = f'"{term.text}"'
        sql = f"websearch_to_tsquery({config_sql}, %s)"
        term_params = [*config_params, text]
        if term.prefix:
            unstemmed = "websearch_to_tsquery('simple'::regconfig, %s)"
            sql = f"({_prefix(sql)} || {_prefix(unstemmed)})"
            term_params = term_params * 3 + [text] * 3
        parts.append(f"!!{sql}" if term.negated else sql)
        params.extend(term_params)
    return "(" + " && ".join(parts) + ")", params


class TermsQuery(Expression):
    """The tsquery of parsed terms in a configuration given by an expression (a row's ``config``)."""

    output_field = SearchQueryField()

    def __init__(self, terms, config):
        super().__init__()
        self.terms = tuple(terms)
        self.config = config

    def get_source_expressions(self):
        return [self.config]

    def set_source_expressions(self, exprs):
        (self.config,) = exprs

    def as_sql(self, compiler, connection):
        config_sql, config_params = compiler.compile(self.config)
        return tsquery_sql(f"{config_sql}::regconfig", config_params, self.terms)


@dataclass(frozen=True)
class Terms:
    terms: tuple
    configs: tuple


@IndexVectorField.register_lookup
class MatchesTerms(Lookup):
    """``vector @@ query``, the query parsed in the row's own configuration.

    The first condition (any configuration) is constant, so the GIN index
    answers it; the second keeps only rows matching in their own.
    """

    lookup_name = "matches"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        vector, params = self.process_lhs(compiler, connection)
        table = compiler.quote_name_unless_alias(self.lhs.alias)
        row_config = f"{table}.{connection.ops.quote_name('config')}"
        any_parts, any_params = [], []
        for config in self.rhs.configs:
            sql, sql_params = tsquery_sql("%s::regconfig", [config], self.rhs.terms)
            any_parts.append(sql)
            any_params.extend(sql_params)
        own, own_params = tsquery_sql(f"{row_config}::regconfig", [], self.rhs.terms)
        return (
            f"({vector} @@ ({' || '.join(any_parts)}) AND {vector} @@ {own})",
            [*params, *any_params, *params, *own_params],
        )


def _vector(config):
    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector("byline", weight="B", config=config)
        + SearchVector(Left("body", VECTOR_MAX_CHARS), weight="D", config=config)
    )


class Backend:
    vendor = "postgresql"

    def config_for(self, language):
        return config_for(language)

    def after_write(self, entries):
        """Compute the vectors of the rows just written: title weighs most, then byline, then text."""
        stemmed, unstemmed = _vector(F("config")), _vector(Value("simple"))
        entries.update(search_vector=Case(When(config="simple", then=unstemmed), default=stemmed + unstemmed))

    def finish_rebuild(self):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE archive_searchentry")

    def _matches(self, terms):
        return Terms(tuple(terms), tuple(configs_in_use()))

    def rows(self, terms, user):
        """The rows matching ``terms`` that ``user`` may find (through the GIN index)."""
        return SearchEntry.objects.visible_to(user).filter(search_vector__matches=self._matches(terms))

    def rank(self, terms):
        """A matching row's relevance (``ts_rank``, in the row's configuration), higher is better."""
        return SearchRank(F("search_vector"), TermsQuery(terms, F("config")))

    def hits(self, terms, user):
        query = TermsQuery(terms, F("config"))
        return (
            self.rows(terms, user)
            .annotate(
                hit_rank=self.rank(terms),
                fragment=SearchHeadline(
                    # ts_headline drops what looks like an HTML tag; a look-alike
                    # of "<" keeps the fragment a piece of the text.
                    Replace(F("body"), Value("<"), Value(HEADLINE_LT)),
                    query,
                    config=F("config"),
                    start_sel=MARK_START,
                    stop_sel=MARK_END,
                    max_words=30,
                    min_words=12,
                    short_word=2,
                    max_fragments=1,  # one piece of text, centred on the match
                ),
            )
            .order_by("-hit_rank", "pk")
        )

"""Full-text search on the document list (``?q=``), through each database's engine.

Runs on SQLite (FTS5) by default; with ``DATABASE_URL`` pointing at PostgreSQL
the same tests run against tsvector/GIN, plus the language-configuration
tests that only PostgreSQL's stemmers can pass.
"""

import re
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from archive import paging, search
from archive.forms import DocumentFilterForm
from archive.models import Claim, ClaimEvent, Document, Visibility
from archive.search.models import SearchEntry
from archive.services import annotations, imports
from archive.text import anchoring
from tests.factories import make_claim, make_document, make_person
from tests.test_admin import change_url, document_change_post

POSTGRES = connection.vendor == "postgresql"
only_postgres = pytest.mark.skipif(not POSTGRES, reason="language configurations are PostgreSQL's")


def titles(response):
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', response.content.decode())


def found(client, query, **filters):
    response = client.get("/", {"q": query, **filters})
    assert response.status_code == 200, response.content.decode()[:2000]
    return titles(response)


def archive(text, **fields):
    """A document archived the way captures are: through the imports service."""
    fields.setdefault("visibility", Visibility.PUBLISHED)
    document, _cleaned = imports.create_document(
        text, fields=fields, capture_method=Document.CaptureMethod.FILE_IMPORT
    )
    return document


def claim(document, quote, user=None, **fields):
    fields.setdefault("visibility", Visibility.PUBLISHED)
    selector = anchoring.find_quote(document.text, quote, "", "")
    return annotations.create_claim(document, selector, user=user, **fields)


FILLER = " ".join(f"Paragraph {n} is about budgets, ports and weather." for n in range(40))


@pytest.fixture
def shelf(db):
    return {
        "title_match": archive(
            "The statement was read out on Tuesday.", title="Hezbollah statement on the ceasefire"
        ),
        "passing_mention": archive(
            f"{FILLER} Someone mentioned Hezbollah once. {FILLER}", title="A long report on ports"
        ),
        "speech": archive(
            "The territories seized in Syria will be liberated by the brave youth.",
            title="Speech on the region",
        ),
        "iraq": archive("Forces left Syria and Iraq in the spring.", title="Withdrawal report"),
    }


# --- The query language -------------------------------------------------------------------


def test_a_title_match_outranks_a_passing_mention(outsider, shelf):
    assert found(outsider, "hezbollah") == ["Hezbollah statement on the ceasefire", "A long report on ports"]


def test_words_must_all_occur(outsider, shelf):
    assert found(outsider, "syria liberated") == ["Speech on the region"]
    assert sorted(found(outsider, "syria")) == ["Speech on the region", "Withdrawal report"]


def test_phrases_keep_their_word_order(outsider, shelf):
    assert found(outsider, '"will be liberated"') == ["Speech on the region"]
    assert found(outsider, '"youth brave"') == []


def test_prefixes(outsider, shelf):
    assert found(outsider, "libera*") == ["Speech on the region"]
    assert found(outsider, "libera") == []
    assert found(outsider, '"brave yo"*') == ["Speech on the region"]


def test_exclusion(outsider, shelf):
    assert found(outsider, "syria -iraq") == ["Speech on the region"]
    assert found(outsider, 'syria -"brave youth"') == ["Withdrawal report"]


def test_the_list_says_how_many_match_and_shows_marked_snippets(outsider, shelf):
    response = outsider.get("/", {"q": "liberated"})
    page = response.content.decode()
    assert "1 document matches these filters." in page
    assert "will be <mark>liberated</mark> by the brave youth" in page


def test_other_filters_apply_together_with_the_query(outsider, shelf):
    archive("Liberated towns in Syria, reported in Persian.", title="Persian report", language="fa")
    assert sorted(found(outsider, "liberated")) == ["Persian report", "Speech on the region"]
    assert found(outsider, "liberated", language="fa") == ["Persian report"]
    assert found(outsider, "liberated", kind="news") == []


def test_a_chosen_order_replaces_relevance(outsider, shelf):
    assert found(outsider, "hezbollah", sort="captured") == [
        "Hezbollah statement on the ceasefire",
        "A long report on ports",
    ]
    assert found(outsider, "hezbollah", sort="-captured") == [
        "A long report on ports",
        "Hezbollah statement on the ceasefire",
    ]


# --- Languages ----------------------------------------------------------------------------


@pytest.fixture
def languages(db):
    return {
        "fa": archive(
            "رهبر انقلاب گفت سوریه آزاد خواهد شد. ما می‌خواهیم مقاومت ادامه یابد.",
            title="سخنرانی رهبر",
            language="fa",
        ),
        "ar": archive("قالَ الرئيسُ إنَّ سوريّةَ باقيةٌ وإنّ المقاومةَ مستمرة.", title="بيان الرئاسة", language="ar"),
        "ru": archive(
            "Москва заявила, что её позиция по Сирии не изменилась. Ещё одна ёлка.",
            title="Заявление МИД",
            language="ru",
        ),
    }


@pytest.mark.parametrize(
    "query, title",
    [
        ("سوریه", "سخنرانی رهبر"),  # Persian yeh, as typed on a Persian keyboard
        ("سوريه", "سخنرانی رهبر"),  # Arabic yeh
        ("مقاومت", "سخنرانی رهبر"),
        ("می‌خواهیم", "سخنرانی رهبر"),  # with the zero-width non-joiner
        ("رهب*", "سخنرانی رهبر"),
        ("الرئيس", "بيان الرئاسة"),  # the text has harakat, the query none
        ("سورية", "بيان الرئاسة"),
        ('"سورية باقية"', "بيان الرئاسة"),
        ("Москва", "Заявление МИД"),
        ("москва", "Заявление МИД"),
        ("елка", "Заявление МИД"),  # ё typed as е
        ("ёлка", "Заявление МИД"),
        ("Сири*", "Заявление МИД"),
    ],
)
def test_persian_arabic_and_russian(outsider, languages, query, title):
    results = found(outsider, query)
    if POSTGRES:
        # The Arabic stemmer also finds the Persian word's Arabic cognate (مقاومت / المقاومة).
        assert title in results
    else:
        assert results == [title]


@only_postgres
def test_english_is_stemmed_on_postgres(outsider, shelf):
    archive("The minister gave a speech in Tehran.", title="Minister in Tehran", language="en")
    assert sorted(found(outsider, "speeches")) == ["Minister in Tehran", "Speech on the region"]
    assert found(outsider, "liberate") == ["Speech on the region"]


@only_postgres
def test_russian_is_found_by_another_form_of_the_word_on_postgres(outsider, languages):
    assert found(outsider, "Москвы") == ["Заявление МИД"]  # genitive; the text has the nominative
    assert found(outsider, "позиции") == ["Заявление МИД"]


@only_postgres
def test_each_row_uses_its_documents_configuration(db, languages):
    configs = dict(SearchEntry.objects.filter(claim=None).values_list("language", "config"))
    assert configs == {"fa": "simple", "ar": "arabic", "ru": "russian"}


# --- Snippets are inert -------------------------------------------------------------------

HOSTILE_TEXT = (
    'Intro <script>alert("pwned")</script> then Syria '
    '<img src=x onerror="alert(1)"> and <a href="javascript:alert(2)">x</a> end.'
)


def test_hostile_text_in_a_snippet_is_escaped(outsider, db):
    document = archive(HOSTILE_TEXT, title="Hostile capture")
    claim(document, "then Syria", note="<img src=x onerror=alert(3)> about Syria <script>x</script>")
    page = outsider.get("/", {"q": "syria"}).content.decode()
    assert "then <mark>Syria</mark>" in page
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "&lt;img src=x onerror=alert(3)&gt;" in page
    assert "<script>alert" not in page and "<img src=x" not in page and 'href="javascript' not in page


# --- Visibility -----------------------------------------------------------------------------


@pytest.fixture
def drafts(db):
    public = archive("A public report on the pipeline.", title="Public report")
    claim(public, "public report", note="Mentions the zeppelin.")
    claim(public, "pipeline", note="Secret codename quokka.", visibility=Visibility.DRAFT)
    hidden = archive("A draft about the marmot project.", title="Draft note", visibility=Visibility.DRAFT)
    claim(hidden, "marmot project", note="Published claim in a draft: narwhal.")
    return {"public": public, "hidden": hidden}


@pytest.mark.parametrize("client_name", ["outsider", "reader"])
def test_drafts_never_appear_to_readers(request, drafts, client_name):
    client = request.getfixturevalue(client_name)
    assert found(client, "marmot") == []
    assert found(client, "narwhal") == []
    assert found(client, "quokka") == []
    assert found(client, "zeppelin") == ["Public report"]
    page = client.get("/", {"q": "pipeline"}).content.decode()
    assert "quokka" not in page.lower()


def test_analysts_find_drafts(analyst, drafts):
    assert found(analyst, "marmot") == ["Draft note"]
    assert found(analyst, "narwhal") == ["Draft note"]
    page = analyst.get("/", {"q": "quokka"}).content.decode()
    assert titles_of(page) == ["Public report"]
    assert "codename <mark>quokka</mark>" in page


def titles_of(page):
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', page)


# --- The index follows every write -----------------------------------------------------------


def test_claim_matches_are_listed_with_their_snippets(outsider, db):
    document = archive("The envoy spoke about the corridor and the border.", title="Envoy")
    first = claim(document, "the corridor", note="The corridor runs through the valley.")
    page = outsider.get("/", {"q": "valley"}).content.decode()
    assert titles_of(page) == ["Envoy"]
    assert f'href="/claims/{first.pk}/">Claim</a>' in page
    assert "runs through the <mark>valley</mark>" in page


def test_claim_edit_move_and_delete_update_the_index(outsider, analyst_user, db):
    document = archive("The envoy spoke about the corridor and the border.", title="Envoy")
    made = claim(document, "the corridor", note="first note about otters")
    assert found(outsider, "otters") == ["Envoy"]

    annotations.update_claim(made, user=analyst_user, note="second note about beavers")
    assert found(outsider, "otters") == []
    assert found(outsider, "beavers") == ["Envoy"]

    annotations.update_claim(made, user=analyst_user, visibility=Visibility.DRAFT)
    assert found(outsider, "beavers") == []

    annotations.update_claim(made, user=analyst_user, visibility=Visibility.PUBLISHED)
    start = document.text.index("the border")
    annotations.move_claim(made, anchoring.selector_for(document.text, start, start + 10), user=analyst_user)
    assert SearchEntry.objects.get(claim=made).body.startswith("the border")

    pk = made.pk
    annotations.delete_claim(made, user=analyst_user)
    assert found(outsider, "beavers") == []
    assert not SearchEntry.objects.filter(claim_id=pk).exists()


def test_a_text_correction_reindexes_the_text_and_its_claims(outsider, analyst_user, db):
    # The claim is far enough from the correction for its context to be untouched: it moves, kept.
    tail = " The talks went on for hours and ended on Monday with a joint statement."
    document = archive("The delegation met in Muscat." + tail, title="Talks")
    made = claim(document, "on Monday", note="day")
    assert found(outsider, "muscat") == ["Talks"]
    corrected = "The delegation met in Doha, Oman." + tail
    annotations.correct_text(document, corrected, user=analyst_user, reason="Wrong city")
    assert found(outsider, "muscat") == []
    assert found(outsider, "doha") == ["Talks"]
    made.refresh_from_db()
    assert not made.orphaned and corrected[made.start : made.end] == "on Monday"
    assert SearchEntry.objects.get(claim=made).body == SearchEntry.claim_text("on Monday", "day")


def test_editing_a_document_in_the_admin_reindexes_it(outsider, analyst, db):
    document = archive("Alpha beta gamma.", title="Old heading")
    make_claim(document, "beta", visibility=Visibility.PUBLISHED, note="walrus")
    assert found(outsider, "walrus") == ["Old heading"]
    response = analyst.post(
        change_url(document), document_change_post(document, title="New heading", visibility="draft")
    )
    assert response.status_code == 302
    assert found(analyst, "heading") == ["New heading"]
    assert found(outsider, "heading") == []
    assert found(outsider, "walrus") == []  # the claim's row follows its document's visibility


def test_deleting_a_document_removes_its_rows(outsider, db):
    document = archive("Alpha beta gamma.", title="Doomed")
    make_claim(document, "beta", note="walrus")
    assert SearchEntry.objects.filter(document=document).count() == 2
    document.delete()
    assert SearchEntry.objects.count() == 0
    assert found(outsider, "walrus") == []
    assert found(outsider, "doomed") == []


def test_deleting_a_document_through_the_service_removes_its_rows(outsider, analyst_user, db):
    document = archive("Alpha beta gamma.", title="Doomed")
    claim(document, "beta", note="walrus")
    annotations.delete_document(document, user=analyst_user)
    assert SearchEntry.objects.count() == 0
    assert found(outsider, "walrus") == []


def test_reverting_a_claim_reindexes_it(outsider, analyst_user, db):
    document = archive("The envoy spoke about the corridor and the border.", title="Envoy")
    made = claim(document, "the corridor", note="first note about otters")
    created = made.events.get(action=ClaimEvent.Action.CREATED)
    annotations.update_claim(made, user=analyst_user, note="second note about beavers")
    assert found(outsider, "otters") == []
    annotations.revert_claim(made, created, user=analyst_user)
    assert found(outsider, "otters") == ["Envoy"]
    assert found(outsider, "beavers") == []


def test_moving_a_claim_to_another_document_reindexes_it_there(outsider, analyst_user, db):
    first = archive("The envoy spoke about the corridor.", title="First")
    second = archive("The minister spoke about the harbour.", title="Second")
    made = claim(first, "the corridor", note="otters")
    start = second.text.index("the harbour")
    selector = anchoring.selector_for(second.text, start, start + len("the harbour"))
    annotations.move_claim(made, selector, user=analyst_user, document=second)
    entry = SearchEntry.objects.get(claim=made)
    assert entry.document_id == second.pk and entry.body.startswith("the harbour")
    assert found(outsider, "otters") == ["Second"]


def index_rows():
    return sorted(
        (e.document_id, e.claim_id or 0, e.visibility, e.config, e.title, e.byline, e.body)
        for e in SearchEntry.objects.all()
    )


def test_claimant_and_tag_writes_leave_the_index_as_a_rebuild_makes_it(analyst_user, db):
    """Claimants and tags are not indexed: deleting a person, renaming, merging or deleting
    tags (which version and audit the claims) leaves every index row as it was."""
    from taggit.models import Tag

    from archive.services import tags as tag_service

    document = archive("The envoy spoke about the corridor and the border.", title="Envoy")
    person = make_person(name="An Envoy")
    claim(document, "the corridor", note="otters", claimant=person, tags=["Syria", "syria"])
    claim(document, "the border", note="beavers", tags=["Iraq"])
    before = index_rows()
    annotations.change_tag(Tag.objects.get(name="Iraq"), user=analyst_user, name="Iraq (country)")
    tag_service.merge_tags(
        Tag.objects.filter(name__in=["Syria", "syria"]), Tag.objects.get(name="Syria"), user=analyst_user
    )
    annotations.delete_tag(Tag.objects.get(name="Syria"), user=analyst_user)
    annotations.delete_person(person, user=analyst_user)
    assert index_rows() == before
    search.rebuild()
    assert index_rows() == before


def test_indexing_reads_the_stored_document_not_a_stale_instance(outsider, analyst_user, db):
    document = archive("The delegation met in Muscat.", title="Talks")
    stale = Document.objects.get(pk=document.pk)
    annotations.correct_text(document, "The delegation met in Doha.", user=analyst_user, reason="Wrong city")
    search.index_document(stale)  # as the admin does after saving a title it read before the correction
    assert found(outsider, "doha") == ["Talks"]
    assert found(outsider, "muscat") == []


@pytest.mark.skipif(POSTGRES, reason="FTS5's own consistency check")
def test_the_fts5_index_stays_consistent_with_its_rows(analyst_user, db):
    document = archive("The delegation met in Muscat on Monday.", title="Talks")
    made = claim(document, "met in Muscat", note="note")
    annotations.update_claim(made, user=analyst_user, note="another")
    annotations.correct_text(document, "They met in Doha on Monday.", user=analyst_user, reason="Fix")
    archive("Another text.", title="Other").delete()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO archive_search_fts(archive_search_fts) VALUES ('integrity-check')")


# --- Hostile queries -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "NEAR(syria iraq, 2)",
        "NEAR(",
        '"',
        '"syria',
        "syria*iraq",
        "*",
        "^syria",
        "title:syria",
        ":",
        "syria OR iraq",
        "OR",
        "AND NOT",
        "(syria",
        "{title}: syria",
        "syria' --",
        "'; DROP TABLE archive_document; --",
        "\\",
        "syria\ufdd0",
        "-",
    ],
)
def test_hostile_queries_never_fail(outsider, shelf, query):
    response = outsider.get("/", {"q": query})
    assert response.status_code in (200, 400)
    assert Document.objects.count() == 4


@pytest.mark.parametrize(
    "query, message",
    [
        ("-syria", "Give a word to look for"),
        ('" * :', "There is nothing to search for"),
    ],
)
def test_queries_that_cannot_run_show_a_message_and_no_results(outsider, shelf, query, message):
    response = outsider.get("/", {"q": query})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert titles(response) == []
    assert "0 documents match these filters." in page


def test_a_nul_in_the_query_is_refused_before_any_search(outsider, shelf):
    # The strict-input middleware answers first, naming the parameter.
    response = outsider.get("/", {"q": "syria\x00"})
    assert response.status_code == 400
    assert "The query parameter “q” contains a NUL character" in response.content.decode()


def test_a_lone_surrogate_is_refused_with_a_message(shelf):
    form = DocumentFilterForm(
        {"q": "syria \ud800"}, documents=Document.objects.all(), claims=Claim.objects.all()
    )
    assert list(form.filter()) == []
    assert "cannot be searched for" in form.errors["q"][0]


# --- Cost ---------------------------------------------------------------------------------


def _library(size):
    for n in range(size):
        document = make_document(
            f"Report {n} of {size} on the strait and shipping. The strait was closed on day {n}.",
            title=f"Strait report {n}",
            slug=f"strait-{size}-{n}",
            tags=["shipping"],
        )
        make_claim(document, "The strait was closed", note="A strait claim.")


@pytest.mark.parametrize("who", ["outsider", "analyst"])
def test_search_costs_the_same_queries_for_a_small_and_a_large_archive(
    request, db, django_assert_num_queries, who
):
    client = request.getfixturevalue(who)
    _library(3)
    client.get("/", {"q": "strait"})  # warm caches (sessions, configurations)
    with CaptureQueriesContext(connection) as small:
        response = client.get("/", {"q": "strait"})
    assert len(titles(response)) == 3
    _library(45)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get("/", {"q": "strait"})
    assert len(titles(response)) == 20 and "48 documents match" in response.content.decode()


def test_the_list_counts_once_and_reads_only_the_pages_documents(outsider, db, settings):
    settings.MARGINS_PAGE_SIZE = 2
    _library(5)
    with CaptureQueriesContext(connection) as context:
        response = outsider.get("/", {"q": "strait", "page": "2"})
    assert titles(response) == ["Strait report 2", "Strait report 1"]
    searching = [q["sql"] for q in context.captured_queries if "archive_search" in q["sql"]]
    # The count (capped); the page's ranked ids (the index alone, grouped by
    # document; one more than the page, to know whether there is a next page);
    # the page's matching rows (snippets).
    assert len(searching) == 3
    count, ranking, hits = searching
    assert count.startswith("SELECT COUNT(*)") and "COUNT(*)" not in ranking + hits
    assert "GROUP BY" not in count and f"LIMIT {paging.FILTERED_COUNT_CAP + 1}" in count
    assert "GROUP BY" in ranking and "LIMIT 3 OFFSET 2" in ranking
    # The page's documents are read by id alone, the search is not run again for them.
    pages = [
        q["sql"]
        for q in context.captured_queries
        if '"archive_document"."id" IN (' in q["sql"] and "archive_search" not in q["sql"]
    ]
    assert len(pages) == 1 and 'GROUP BY "archive_document"' not in pages[0]
    assert (
        sum("COUNT(*)" in q["sql"] for q in context.captured_queries if "archive_document" in q["sql"]) == 1
    )


def test_ranked_results_behave_as_a_list_in_rank_order(shelf):
    results = search.search_documents(Document.objects.all(), search.parse("hezbollah"), None)
    expected = ["Hezbollah statement on the ceasefire", "A long report on ports"]
    assert results.count() == 2 and results.exists()
    assert [document.title for document in results] == expected
    assert [document.title for document in results.with_claim_counts(None)[0:2]] == expected
    assert results[1].title == expected[1]
    with pytest.raises(IndexError):
        results[2]
    assert len(results) == 2


def test_the_migration_indexes_what_is_already_archived(db, shelf):
    """Migration 0009 indexes existing documents (a frozen copy of ``rebuild``)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("archive.migrations.0009_search_index")
    document = shelf["speech"]
    made = claim(document, "the brave youth", note="marmot")
    SearchEntry.objects.all().delete()
    # It only reads the editor's connection (SQLite's editor cannot open inside the test's transaction).
    migration.index_existing(apps, SimpleNamespace(connection=connection))
    assert SearchEntry.objects.count() == 5
    rebuilt = {(e.document_id, e.claim_id, e.visibility, e.body) for e in SearchEntry.objects.all()}
    search.rebuild()
    assert rebuilt == {(e.document_id, e.claim_id, e.visibility, e.body) for e in SearchEntry.objects.all()}
    results = search.search_documents(Document.objects.all(), search.parse("marmot"), None)
    assert [d.pk for d in results] == [document.pk] and made.pk


# --- Rebuilding ----------------------------------------------------------------------------


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("rebuild_search_index", *args, stdout=out)
    return out.getvalue()


def test_rebuild_restores_the_index(outsider, shelf):
    SearchEntry.objects.all().delete()
    assert found(outsider, "hezbollah") == []
    output = run()
    assert "Indexed 4 documents and 0 claims (4 entries) and cut" in output
    assert output.strip().endswith("(the worker embeds them: manage.py echo_worker).")
    assert found(outsider, "hezbollah") == ["Hezbollah statement on the ceasefire", "A long report on ports"]


def test_rebuild_dry_run_changes_nothing(outsider, shelf):
    SearchEntry.objects.filter(document=shelf["speech"]).delete()
    output = run("--dry-run")
    assert "Dry run: would index 4 documents and 0 claims (4 entries)" in output
    assert output.strip().endswith("nothing was saved.")
    assert found(outsider, "liberated") == []


def test_rebuild_reports_progress_on_long_work(db):
    _library(5)
    output = run("--batch-size", "2")
    assert "2 of 5 documents indexed" in output and "5 of 5 documents indexed" in output
    assert "Indexed 5 documents and 5 claims (10 entries)" in output


def test_rebuild_cuts_the_passage_index_of_a_database_filled_without_the_services(outsider, shelf):
    from archive.echoes.models import Passage

    cut = Passage.objects.count()
    Passage.objects.all().delete()  # as after loaddata, which writes no derived rows
    output = run()
    assert f"cut {cut:,} passages" in output
    assert Passage.objects.count() == cut > 0


def test_rebuild_fails_loudly_and_changes_nothing(monkeypatch, outsider, shelf):
    def broken(*args, **kwargs):
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(search, "rebuild", broken)
    with pytest.raises(CommandError, match="not rebuilt .*disk I/O error") as error:
        run()
    assert error.value.returncode == 1
    assert found(outsider, "liberated") == ["Speech on the region"]


def test_rebuild_refuses_a_bad_batch_size(db):
    with pytest.raises(CommandError, match="at least 1"):
        run("--batch-size", "0")


def test_rebuild_is_one_transaction(monkeypatch, outsider, shelf):
    """A failure half way leaves the old index in place."""
    real = search.backend().after_write
    calls = []

    def fail_on_second_batch(entries):
        calls.append(1)
        if len(calls) == 2:
            raise DatabaseError("out of space")
        real(entries)

    monkeypatch.setattr(search.backend(), "after_write", fail_on_second_batch)
    with pytest.raises(CommandError):
        run("--batch-size", "2")
    monkeypatch.undo()
    assert SearchEntry.objects.count() == 4
    assert found(outsider, "liberated") == ["Speech on the region"]

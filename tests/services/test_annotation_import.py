"""Importing W3C Web Annotations and Hypothesis exports as claims (``services.annotation_import``)."""

import json

import pytest
from taggit.models import Tag

from archive.models import Claim, ClaimEvent, Document, DocumentSlug, ImportedAnnotation, Visibility
from archive.services import annotations
from archive.services.annotation_import import (
    ORPHANED,
    PLACED,
    REFUSED,
    SKIPPED,
    UNKNOWN,
    FileRefused,
    import_annotations,
    url_key,
)
from archive.services.annotation_shapes import MAX_FILE_BYTES
from archive.text import anchoring
from archive.text.sanitize import render_note
from tests.conftest import EXPORT_HOST
from tests.factories import make_claim, make_document, make_person
from tests.paths import HYPOTHESIS_EXPORT

pytestmark = pytest.mark.django_db

HOSTS = [EXPORT_HOST, "testserver"]
SPEECH = (
    "The youth of Syria will rise. We said it then. The youth of Syria will rise, and the occupiers will "
    "leave. Nobody doubts that."
)


def export():
    return json.loads(HYPOTHESIS_EXPORT.read_text(encoding="utf-8"))


def run(value, **options):
    if isinstance(value, bytes):
        data = value
    else:
        try:
            data = json.dumps(value, ensure_ascii=False).encode()
        except UnicodeEncodeError:  # a lone surrogate: a file can only hold it escaped
            data = json.dumps(value).encode()
    options.setdefault("hosts", HOSTS)
    return import_annotations(data, name=options.pop("name", "file.json"), **options)


def stored():
    return (
        Claim.objects.count(),
        ClaimEvent.objects.count(),
        ImportedAnnotation.objects.count(),
        Tag.objects.count(),
    )


def quote_of(annotation):
    for target in annotation["target"]:
        for selector in target.get("selector", []):
            if selector["type"] == "TextQuoteSelector":
                return selector
    return None


def squeeze(text):
    return " ".join(text.split())


def expected_start(text, selector):
    """Where a reader finds the quote: the one occurrence whose surroundings read as its context
    (compared with spaces squeezed, as a web page's may differ from the reading text's)."""
    starts = [
        start
        for start in anchoring.occurrences(text, selector["exact"])
        if squeeze(text[:start]).endswith(squeeze(selector["prefix"]))
        and squeeze(text[start + len(selector["exact"]) :]).startswith(squeeze(selector["suffix"]))
    ]
    assert len(starts) == 1, selector
    return starts[0]


def annotation(target, body=(), **fields):
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": fields.pop("id", "https://elsewhere.example/annotations/1"),
        "type": "Annotation",
        "body": body if isinstance(body, dict) else list(body),
        "target": target,
        **fields,
    }


def quote_target(source, exact, prefix="", suffix="", **more):
    return {
        "source": source,
        "selector": {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix},
        **more,
    }


# --- The Hypothesis export of the seed documents -------------------------------------------


def test_every_annotation_whose_quote_is_in_a_seed_is_placed_at_exactly_that_quote(annotated_seed):
    file = export()
    summary = run(file, name="seed_export.json")
    assert not summary.refused and summary.written

    placed_exactly = 0
    for entry, raw in zip(summary.entries, file["annotations"], strict=True):
        selector = quote_of(raw)
        imported = (
            ImportedAnnotation.objects.filter(external_id=raw["id"]).select_related("claim__document").first()
        )
        if entry.outcome != PLACED or selector["exact"] not in imported.claim.document.text:
            continue
        claim = imported.claim
        text = claim.document.text
        assert text[claim.start : claim.end] == selector["exact"] == claim.quote
        assert claim.start == expected_start(text, selector)
        assert not claim.orphaned
        placed_exactly += 1
    # Every annotation of the file whose quote is in one of the seed texts was placed, but for the
    # one made on another site's copy of the article (an address no document has: annotation 16).
    seed_texts = list(Document.objects.values_list("text", flat=True))
    in_a_seed = [
        raw["id"]
        for raw in file["annotations"]
        if quote_of(raw) and any(quote_of(raw)["exact"] in text for text in seed_texts)
    ]
    assert placed_exactly == len(in_a_seed) - 1 == 9
    assert summary.entries[15].outcome == UNKNOWN


def test_the_rest_of_the_hypothesis_export_is_reported_each_for_its_reason(annotated_seed):
    summary = run(export(), name="seed_export.json")
    outcomes = {entry.index: entry.outcome for entry in summary.entries}
    assert outcomes == {
        **dict.fromkeys([1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 13], PLACED),
        9: ORPHANED,
        11: ORPHANED,
        14: SKIPPED,
        15: SKIPPED,
        16: UNKNOWN,
        17: SKIPPED,
    }
    messages = {entry.index: entry.message for entry in summary.entries}
    assert "found by its original URL" in messages[3]
    assert "found by its archived URL" in messages[10]
    assert "with different quotation marks or spaces" in messages[6]
    assert "with different quotation marks or spaces" in messages[8]
    assert "the closest passage is reworded" in messages[11]
    assert "only a TextPositionSelector" in messages[14]
    assert "page note" in messages[15]
    assert "news.example.com" in messages[16]
    assert "a reply" in messages[17]
    assert summary.counts == {PLACED: 11, ORPHANED: 2, UNKNOWN: 1, SKIPPED: 3, REFUSED: 0}


def test_a_passage_whose_spacing_or_apostrophes_differ_is_placed_on_the_same_words(annotated_seed):
    file = export()
    run(file)
    for index in (6, 8):
        raw = file["annotations"][index - 1]
        claim = ImportedAnnotation.objects.get(external_id=raw["id"]).claim
        assert squeeze(anchoring.fold(claim.quote)) == squeeze(anchoring.fold(quote_of(raw)["exact"]))
        assert claim.document.text[claim.start : claim.end] == claim.quote


def test_a_reworded_or_missing_quote_is_kept_as_an_orphaned_draft_saying_why(annotated_seed):
    file = export()
    run(file, publish=True)
    for index in (9, 11):
        raw = file["annotations"][index - 1]
        claim = ImportedAnnotation.objects.get(external_id=raw["id"]).claim
        assert claim.orphaned and claim.orphaned_on_import
        assert claim.quote == quote_of(raw)["exact"]
        assert claim.anchor_note.startswith("Not placed on import from Hypothesis: the quote does not occur")
        assert claim.visibility == Visibility.DRAFT  # even with publish: an analyst re-places it first
    reworded = ImportedAnnotation.objects.get(external_id=file["annotations"][10]["id"]).claim
    assert "The assassination of Qasem Soleimani" not in reworded.quote


def test_importing_the_export_twice_changes_nothing_the_second_time(annotated_seed):
    data = HYPOTHESIS_EXPORT.read_bytes()
    first = run(data)
    after_first = stored()
    claims = list(Claim.objects.order_by("pk").values_list("pk", "quote", "start", "end", "version"))
    second = run(data)
    assert stored() == after_first
    assert list(Claim.objects.order_by("pk").values_list("pk", "quote", "start", "end", "version")) == claims
    for before, again in zip(first.entries, second.entries, strict=True):
        if before.outcome in (PLACED, ORPHANED):
            assert again.outcome == SKIPPED
            assert again.message == f"already imported (claim {before.claim_id})"
        else:
            assert again.outcome == before.outcome


def test_an_annotation_whose_claim_was_deleted_is_not_brought_back(annotated_seed, analyst_user):
    file = export()
    run(file)
    claim = ImportedAnnotation.objects.get(external_id=file["annotations"][0]["id"]).claim
    annotations.delete_claim(claim, user=analyst_user)
    summary = run(file)
    assert summary.entries[0].outcome == SKIPPED
    assert summary.entries[0].message == "already imported (its claim has since been deleted)"
    assert not ImportedAnnotation.objects.filter(
        claim__isnull=False, external_id=file["annotations"][0]["id"]
    )


def test_an_imported_claim_is_a_draft_with_its_note_tags_and_where_it_came_from(annotated_seed, analyst_user):
    file = export()
    raw = file["annotations"][3]  # the Persian note and tag
    run(file, user=analyst_user, name="seed_export.json")
    imported = ImportedAnnotation.objects.get(external_id=raw["id"])
    claim = imported.claim
    assert claim.visibility == Visibility.DRAFT
    assert claim.note == raw["text"]
    assert sorted(claim.tags.names()) == sorted(["سوریه", "israel"])
    assert claim.created_by == analyst_user
    assert (imported.source_format, imported.outcome, imported.external_user) == (
        "hypothesis",
        "placed",
        "acct:ana_reads@hypothes.is",
    )
    assert imported.raw == raw
    assert imported.target_url == raw["uri"] and imported.file_name == "seed_export.json"
    created = claim.events.get(action=ClaimEvent.Action.CREATED)
    assert created.user == analyst_user
    assert (
        created.detail["reason"]
        == f"imported from Hypothesis annotation {raw['id']} by acct:ana_reads@hypothes.is"
    )
    assert created.detail["imported"]["target"] == raw["uri"]
    assert created.state["tags"] == sorted(["سوریه", "israel"])


def test_publishing_publishes_the_placed_claims(annotated_seed):
    summary = run(export(), publish=True)
    placed = [entry.claim_id for entry in summary.of(PLACED)]
    assert set(Claim.objects.filter(pk__in=placed).values_list("visibility", flat=True)) == {"published"}


def test_an_unknown_document_and_a_dry_run_write_nothing(annotated_seed):
    before = stored()
    summary = run(export(), dry_run=True)
    assert stored() == before
    assert not summary.written
    assert summary.line().startswith("Dry run: would place 11, keep 2 orphaned; unknown document 1")
    assert summary.entries[15].outcome == UNKNOWN


def test_without_the_archive_host_its_addresses_are_unknown(annotated_seed):
    summary = run(export(), hosts=["testserver"], dry_run=True)
    outcomes = {entry.index: entry.outcome for entry in summary.entries}
    assert outcomes[1] == UNKNOWN
    assert outcomes[3] == PLACED  # by its original URL
    assert outcomes[10] == PLACED  # by its archived URL


# --- Refusals -----------------------------------------------------------------------------


def bad_export(change):
    file = export()
    change(file["annotations"])
    return file


@pytest.mark.parametrize(
    ("change", "index", "message"),
    [
        (
            lambda a: a[1]["target"][0]["selector"][1].update(start="2510"),
            2,
            "target[0].selector[1].start: must be an integer, not a string",
        ),
        (
            lambda a: a[1]["target"][0]["selector"][1].update(end=1.0),
            2,
            "target[0].selector[1].end: must be an integer, not a number",
        ),
        (
            lambda a: a[2]["target"][0]["selector"][2].pop("exact"),
            3,
            "target[0].selector[2].exact: is required",
        ),
        (lambda a: a[0].update(tags="syria"), 1, "tags: must be an array, not a string"),
        (lambda a: a[0]["tags"].append("!!!"), 1, "tags[2]: Tag “!!!” has no letter or digit"),
        (lambda a: a[4].update(text="bad \x00 note"), 5, "text: contains a NUL character"),
        (
            lambda a: a[4]["document"]["title"].append("\ud800"),
            5,
            "document.title[1]: contains a lone surrogate",
        ),
        (lambda a: a[6].update(uri=None), 7, "uri: must be a string, not null"),
        (lambda a: a[6].pop("id"), 7, "id: is required"),
        (lambda a: a[6].update(id="x" * 501), 7, "id: must be at most 500 characters long"),
        (lambda a: a[6].update(id=a[0]["id"]), 7, "is also the id of annotation 1"),
        (lambda a: a.insert(0, ["not", "an", "annotation"]), 1, "must be an object, not an array"),
    ],
)
def test_a_refused_annotation_is_named_and_nothing_is_written(annotated_seed, change, index, message):
    file = bad_export(change)
    before = stored()
    summary = run(file)
    assert stored() == before
    assert summary.refused and not summary.written
    refused = summary.of(REFUSED)
    assert [entry.index for entry in refused] == [index]
    assert message in refused[0].message
    assert summary.line().startswith(
        "Refused: nothing was imported, as 1 annotation(s) were refused (the others:"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{", "is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2"),
        (b"\xff\xfe{}", "is not valid UTF-8 (at byte offset 0)"),
        (b"   ", "is empty"),
        (b"42", "is neither W3C Web Annotations nor a Hypothesis export (the top level is an integer)"),
        (b"[]", "holds an empty array"),
        (b'{"a": 1, "a": 2}', "the key “a” appears twice"),
        (b'{"rows": [], "total": NaN}', "NaN is not a JSON number"),
        (b"[" * 100_000 + b"]" * 100_000, "nests arrays and objects too deeply"),
        (b'{"export_date": "x", "annotations": {}}', "annotations: must be an array, not an object"),
        (
            b'{"type": "AnnotationCollection", "total": 3, "first": "https://x.example/page1"}',
            "first: must be the first page itself",
        ),
    ],
)
def test_a_file_that_is_not_annotations_is_refused_saying_why(db, data, message):
    with pytest.raises(FileRefused) as refused:
        run(data)
    assert message in str(refused.value)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(db):
    with pytest.raises(FileRefused, match=r"the largest file imported is 20,971,520 bytes \(20 MB\)"):
        run(b" " * (MAX_FILE_BYTES + 1))


def test_asking_for_the_wrong_format_is_refused(annotated_seed):
    with pytest.raises(FileRefused, match="looks like Hypothesis, not W3C Web Annotations as asked"):
        run(HYPOTHESIS_EXPORT.read_bytes(), format="w3c")


# --- W3C Web Annotations ---------------------------------------------------------------------


@pytest.fixture
def speech(db):
    return make_document(SPEECH, slug="speech", original_url="https://speeches.example/2025/youth")


def test_a_single_w3c_annotation_with_one_target_object_and_one_selector_object_is_placed(speech):
    summary = run(
        annotation(
            quote_target("https://speeches.example/2025/youth/", "The youth of Syria will rise", "then. ")
        )
    )
    claim = Claim.objects.get(pk=summary.entries[0].claim_id)
    assert (claim.start, claim.end) == (47, 75)
    assert summary.container == "one annotation" and summary.format == "w3c"


@pytest.mark.parametrize(
    "wrap",
    [
        lambda items: items,
        lambda items: {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "type": "AnnotationPage",
            "items": items,
        },
        lambda items: {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "type": "AnnotationCollection",
            "total": len(items),
            "first": {"type": "AnnotationPage", "items": items},
        },
    ],
    ids=["array", "page", "collection"],
)
def test_w3c_arrays_pages_and_collections_are_read(speech, wrap):
    items = [
        annotation(quote_target(speech.original_url, "the occupiers will leave"), id=f"urn:uuid:{n}")
        for n in (1, 2)
    ]
    items[1]["target"] = [quote_target(speech.original_url, "Nobody doubts that")]
    summary = run(wrap(items))
    assert [entry.outcome for entry in summary.entries] == [PLACED, PLACED]


def test_a_partial_collection_is_imported_with_a_note(speech):
    collection = {
        "type": "AnnotationCollection",
        "total": 40,
        "first": {
            "type": "AnnotationPage",
            "next": "https://x.example/p2",
            "items": [annotation(quote_target(speech.original_url, "Nobody doubts that"))],
        },
    }
    summary = run(collection)
    assert summary.notes == [
        "the collection holds 40 annotations but this file only its first page of 1; import the other pages' files too"
    ]


def test_w3c_bodies_give_the_note_in_markdown_and_the_tags(speech):
    body = [
        {
            "type": "TextualBody",
            "purpose": "commenting",
            "format": "text/html",
            "value": '<p>Said <em>twice</em>; see <a href="https://isw.example/r">ISW</a>.</p><script>alert(1)</script>',
        },
        {"type": "TextualBody", "purpose": "tagging", "value": "سوریه"},
        {"type": "TextualBody", "purpose": ["tagging"], "value": "youth"},
        "https://elsewhere.example/bodies/image.png",
        {"type": "Image", "id": "https://elsewhere.example/x.png"},
    ]
    summary = run(annotation(quote_target(speech.original_url, "Nobody doubts that"), body))
    claim = Claim.objects.get(pk=summary.entries[0].claim_id)
    assert claim.note == "Said *twice*; see [ISW](https://isw.example/r)."
    assert sorted(claim.tags.names()) == ["youth", "سوریه"]


def test_a_body_value_and_a_single_body_object_are_notes(speech):
    run(
        annotation(
            quote_target(speech.original_url, "Nobody doubts that"), bodyValue="Plain *words*", id="urn:a"
        )
    )
    single = annotation(quote_target(speech.original_url, "We said it then."), id="urn:b")
    single["body"] = {"type": "TextualBody", "value": "One body"}
    run(single)
    assert set(Claim.objects.values_list("note", flat=True)) == {"Plain *words*", "One body"}


def test_a_w3c_target_on_the_archive_address_is_placed_by_its_position_when_the_quote_repeats(speech):
    second = SPEECH.index("The youth of Syria will rise", 10)
    target = {
        "source": "https://testserver/documents/speech/",
        "selector": [
            {"type": "TextQuoteSelector", "exact": "The youth of Syria will rise"},
            {"type": "TextPositionSelector", "start": second, "end": second + 28},
        ],
    }
    claim = Claim.objects.get(pk=run(annotation(target)).entries[0].claim_id)
    assert claim.start == second


def test_without_a_trusted_position_a_repeated_quote_without_context_is_kept_orphaned(speech):
    summary = run(annotation(quote_target(speech.original_url, "The youth of Syria will rise")))
    assert summary.entries[0].outcome == ORPHANED
    assert "occurs 2 times and its context does not say which one" in summary.entries[0].message


def test_a_position_alone_on_the_archive_address_is_placed(speech):
    target = {
        "source": "/documents/speech/",
        "selector": {"type": "TextPositionSelector", "start": 0, "end": 9},
    }
    claim = Claim.objects.get(pk=run(annotation(target)).entries[0].claim_id)
    assert claim.quote == "The youth"


def test_an_old_slug_and_a_percent_encoded_persian_slug_find_their_document(db):
    persian = make_document("رهبر گفت که جوانان سوریه مقاومت خواهند کرد.", slug="سخنرانی", language="fa")
    persian.slug = "سخنرانی-رهبر"
    persian.save()
    assert DocumentSlug.objects.filter(slug="سخنرانی").exists()
    items = [
        annotation(
            quote_target(
                "https://testserver/documents/%D8%B3%D8%AE%D9%86%D8%B1%D8%A7%D9%86%DB%8C/", "جوانان سوریه"
            ),
            id="urn:1",
        ),
        annotation(
            quote_target("https://testserver/documents/سخنرانی-رهبر", "مقاومت خواهند کرد"), id="urn:2"
        ),
    ]
    summary = run(items)
    assert [entry.outcome for entry in summary.entries] == [PLACED, PLACED]
    assert set(Claim.objects.values_list("quote", flat=True)) == {"جوانان سوریه", "مقاومت خواهند کرد"}


def test_the_margins_extension_gives_kind_status_and_claimant(speech):
    speaker = make_person(name="Ali Khamenei", slug="ali-khamenei", aliases="Imam Khamenei")
    items = [
        annotation(
            quote_target(speech.original_url, "Nobody doubts that"),
            id="urn:1",
            **{
                "margins:kind": "prediction",
                "margins:status": "disputed",
                "margins:claimant": {"id": "https://testserver/people/ali-khamenei/", "name": "Ali Khamenei"},
            },
        ),
        annotation(
            quote_target(speech.original_url, "We said it then."),
            id="urn:2",
            kind="assertion",
            claimant="Imam Khamenei",
        ),
        annotation(
            quote_target(speech.original_url, "the occupiers will leave"), id="urn:3", claimant="Nobody Known"
        ),
    ]
    summary = run(items)
    claims = [Claim.objects.get(pk=entry.claim_id) for entry in summary.entries]
    assert (claims[0].kind, claims[0].status, claims[0].claimant) == ("prediction", "disputed", speaker)
    assert claims[1].claimant == speaker
    assert claims[2].claimant is None
    assert (
        "claimant “Nobody Known” is not a person of this archive, left unattributed"
        in summary.entries[2].message
    )


def test_an_annotation_shaped_as_margins_exports_it_is_reproduced(speech):
    """Source as an object naming the reading page (or, for an orphan, a version's page), the original
    page as scope, the note as sanitized HTML, tags as tagging bodies, the extension's terms."""
    speaker = make_person(name="Ali Khamenei", slug="ali-khamenei")
    start = SPEECH.index("the occupiers will leave")
    note = "Said *twice*, see [ISW](https://isw.example/r)"
    exported = annotation(
        {
            "type": "SpecificResource",
            "source": {
                "id": "https://elsewhere.example/documents/speech/",
                "type": "Text",
                "format": "text/html",
                "via": speech.original_url,
            },
            "scope": speech.original_url,
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": "the occupiers will leave",
                    "prefix": "rise, and ",
                    "suffix": ". Nobody",
                },
                {"type": "TextPositionSelector", "start": start, "end": start + 24},
            ],
        },
        {
            "type": "TextualBody",
            "purpose": "commenting",
            "format": "text/html",
            "value": str(render_note(note)),
        },
        id="https://elsewhere.example/claims/12/",
        motivation="highlighting",
        creator={"type": "Person", "name": "ana"},
        **{
            "margins:claimant": {
                "id": "https://elsewhere.example/people/khamenei/",
                "type": "Person",
                "name": "Ali Khamenei",
            },
            "margins:kind": "prediction",
            "margins:status": "corroborated",
            "margins:visibility": "published",
        },
    )
    orphan = json.loads(json.dumps(exported))
    orphan["id"] = "https://elsewhere.example/claims/13/"
    orphan["target"]["source"]["id"] = "https://testserver/documents/speech/versions/1/"
    orphan["target"]["selector"][1] = {"type": "TextPositionSelector", "start": 0, "end": 24}
    summary = run([exported, orphan])
    claims = [Claim.objects.get(pk=entry.claim_id) for entry in summary.entries]
    for claim in claims:
        assert (claim.start, claim.end, claim.quote) == (start, start + 24, "the occupiers will leave")
        assert (claim.kind, claim.status, claim.claimant, claim.note) == (
            "prediction",
            "corroborated",
            speaker,
            note,
        )
        assert claim.visibility == "draft"  # imported claims are drafts unless the import publishes
    assert "found by its original URL" in summary.entries[0].message
    assert "found by the address of one of its versions" in summary.entries[1].message
    assert ImportedAnnotation.objects.get(external_id=exported["id"]).external_user == "ana"


def test_an_unknown_kind_is_refused_by_its_key(speech):
    summary = run(
        annotation(quote_target(speech.original_url, "Nobody doubts that"), **{"margins:kind": "rumour"})
    )
    assert summary.of(REFUSED)[0].message.startswith("margins:kind: “rumour” is not one of assertion,")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a.update(type="Note"), "type: must be “Annotation”, not “Note”"),
        (lambda a: a.update(target=[]), "target: must not be empty"),
        (
            lambda a: a["target"].update(selector={"type": "TextPositionSelector", "start": True, "end": 3}),
            "target.selector.start: must be an integer, not true/false",
        ),
        (
            lambda a: a["target"].update(selector=[{"type": "TextPositionSelector", "start": 9, "end": 3}]),
            "target.selector[0].end: must not be less than start (9)",
        ),
        (
            lambda a: a["target"].update(selector={"type": "oa:TextQuoteSelector", "exact": ""}),
            "target.selector.exact: must not be empty",
        ),
        (lambda a: a["target"].pop("source"), "target: needs a “source”"),
        (
            lambda a: a["target"].update(source=7),
            "target.source: must be an address (a string) or an object with an “id”, not an integer",
        ),
        (
            lambda a: a.update(body=[{"type": "TextualBody", "value": 3}]),
            "body[0].value: must be a string, not an integer",
        ),
        (
            lambda a: a.update(body={"type": "TextualBody", "purpose": "tagging", "value": "?!"}),
            "body.value: Tag “?!” has no letter or digit",
        ),
        (
            lambda a: a["target"]["selector"].update(exact="x" * 20_001),
            "target: the quote is 20,001 characters long; at most 20,000",
        ),
    ],
)
def test_w3c_refusals_name_the_field_as_written(speech, change, message):
    value = annotation(quote_target(speech.original_url, "Nobody doubts that"))
    change(value)
    before = stored()
    summary = run(value)
    assert stored() == before
    assert summary.of(REFUSED)[0].message == message or summary.of(REFUSED)[0].message.startswith(message)


def test_this_archives_own_claim_is_skipped_and_links_are_not_imported(speech):
    claim = make_claim(speech, "Nobody doubts that")
    own = annotation(
        quote_target("https://testserver/documents/speech/", "Nobody doubts that"),
        id=f"https://testserver/claims/{claim.pk}/",
    )
    link = annotation(
        ["https://testserver/documents/speech/", speech.original_url], id="urn:link", motivation="linking"
    )
    summary = run([own, link])
    assert [entry.outcome for entry in summary.entries] == [SKIPPED, SKIPPED]
    assert (
        summary.entries[0].message
        == f"already in this archive as claim {claim.pk} (its id is that claim's address)"
    )
    assert "links are not imported" in summary.entries[1].message


@pytest.mark.parametrize(
    "address", ["https://[::1/documents/speech/", "urn:x-pdf:4f1c", "mailto:x@example.org"]
)
def test_an_address_that_is_no_web_page_is_an_unknown_document(speech, address):
    summary = run(annotation(quote_target(address, "Nobody doubts that")))
    assert summary.entries[0].outcome == UNKNOWN


def test_targets_on_two_documents_are_skipped(speech):
    other = make_document("Another text entirely.", slug="other")
    value = annotation(
        [
            quote_target(speech.original_url, "Nobody doubts that"),
            quote_target("/documents/other/", "Another text"),
        ]
    )
    summary = run(value)
    assert summary.entries[0].outcome == SKIPPED
    assert f"its targets name different documents (speech, {other.slug})" in summary.entries[0].message


def test_two_captures_of_one_address_take_the_one_that_holds_the_quote(db):
    make_document("First capture says the truce holds.", slug="first", original_url="https://n.example/a")
    second = make_document(
        "Second capture says the truce failed.", slug="second", original_url="https://n.example/a/"
    )
    summary = run(
        [
            annotation(quote_target("https://n.example/a", "the truce failed"), id="urn:1"),
            annotation(quote_target("https://n.example/a", "the truce"), id="urn:2"),
        ]
    )
    assert summary.entries[0].outcome == PLACED and summary.entries[0].document == second
    assert summary.entries[1].outcome == SKIPPED
    assert "the quote is in 2 of them (first, second)" in summary.entries[1].message


# --- Addresses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://example.org/a/b/", "http://example.org/a/b"),
        ("https://www.Example.org/a?utm_source=x&utm_medium=y", "https://example.org/a"),
        ("https://example.org:443/a#section-2", "https://example.org/a"),
        ("https://example.org/a?id=3&fbclid=abc", "https://example.org/a/?id=3"),
        ("https://example.org/%D8%B3%D9%88%D8%B1%DB%8C%D9%87", "https://example.org/سوریه/"),
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
    ],
)
def test_addresses_that_name_the_same_page_compare_equal(one, other):
    assert url_key(one) == url_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://example.org/a?id=3", "https://example.org/a?id=4"),
        ("https://example.org/a", "https://example.org/b"),
        ("https://example.org:8080/a", "https://example.org/a"),
        ("https://news.example.org/a", "https://example.org/a"),
    ],
)
def test_addresses_of_different_pages_differ(one, other):
    assert url_key(one) != url_key(other)


@pytest.mark.parametrize(
    "address", ["urn:x-pdf:1234", "ftp://example.org/a", "/documents/x/", "https://[::1"]
)
def test_addresses_that_are_not_web_pages_have_no_key(address):
    assert url_key(address) is None

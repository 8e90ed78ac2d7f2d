"""The W3C Web Annotation serializer on plain values: no database, no request."""

import datetime
import json
from html.parser import HTMLParser

import pytest

from archive.interop import w3c
from tests.w3c_schemas import assert_valid

SITE = "https://margins.example"
PERSIAN = "سرزمین‌های اشغال‌شده‌ی سوریه به دست جوانان غیور سوری آزاد خواهد شد"
ARABIC = "إن الأراضي المحتلة في سوريا ستحرر على أيدي الشباب السوري الشجاع"
WHEN = datetime.datetime(2025, 1, 2, 10, 30, 15, 123456, tzinfo=datetime.UTC)
TEHRAN = datetime.timezone(datetime.timedelta(hours=3, minutes=30))


def urls(name, *args):
    """Absolute IRIs of a site at ``SITE``: what ``annotation_export.urls_for`` gives a view."""
    paths = {
        "claim": "/claims/{}/",
        "link": "/annotations/links/{}.jsonld",
        "document": "/documents/{}/",
        "version": "/documents/{}/versions/{}/",
        "person": "/people/{}/",
        "context": "/ns/margins.jsonld",
    }
    return SITE + paths[name].format(*args)


def elements(html):
    """The elements of an HTML fragment with their attributes, in order."""
    found = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: found.append((tag, attrs))
    parser.feed(html)
    return found


def passage(text=PERSIAN, **fields):
    document = fields.pop(
        "document",
        w3c.Document(
            slug="khamenei-speech",
            title="سخنرانی",
            language="fa",
            original_url="https://farsi.khamenei.ir/speech-content?id=۵۸۸۷۹&سوریه",
            archived_url="https://web.archive.org/web/2024/https://farsi.khamenei.ir/speech",
        ),
    )
    values = {"quote": text, "prefix": "گفت: ", "suffix": " و این", "start": 12, "end": 12 + len(text)}
    values.update(fields)
    return w3c.Passage(document=document, **values)


def claim(**fields):
    values = {
        "pk": 7,
        "passage": passage(),
        "kind": "assertion",
        "status": "disputed",
        "visibility": "published",
        "note": "Reported by **Tasnim**; see [ISW](https://www.understandingwar.org/).",
        "tags": ("syria", "سوریه"),
        "claimant": w3c.Person("ali-khamenei", "علی خامنه‌ای"),
        "creator": "Ana Analyst",
        "created": WHEN,
        "modified": WHEN + datetime.timedelta(days=1),
    }
    values.update(fields)
    return w3c.Claim(**values)


def link(**fields):
    values = {
        "pk": 3,
        "from_claim": 8,
        "from_passage": passage(ARABIC, document=w3c.Document("report", "تقرير", "ar")),
        "to_claim": 7,
        "to_passage": passage(),
        "relation": "reports",
        "note": "Same words, a day later.",
        "creator": "",
        "created": WHEN,
    }
    values.update(fields)
    return w3c.Link(**values)


def test_a_claim_is_a_valid_annotation_of_the_archived_text_with_both_selectors():
    data = w3c.annotation(claim(), urls)
    assert_valid("annotation", data)
    assert data["@context"] == ["http://www.w3.org/ns/anno.jsonld", f"{SITE}/ns/margins.jsonld"]
    assert data["id"] == f"{SITE}/claims/7/"
    target = data["target"]
    assert target["source"]["id"] == f"{SITE}/documents/khamenei-speech/"
    assert target["source"]["language"] == "fa"
    quote, position = target["selector"]
    assert quote == {"type": "TextQuoteSelector", "exact": PERSIAN, "prefix": "گفت: ", "suffix": " و این"}
    assert position == {"type": "TextPositionSelector", "start": 12, "end": 12 + len(PERSIAN)}


def test_positions_count_code_points_so_persian_with_zero_width_joiners_keeps_its_length():
    text = "هم‌اکنون " + PERSIAN  # ZWNJ (U+200C) inside words: one code point each
    data = w3c.annotation(claim(passage=passage(text, start=0, end=len(text))), urls)
    position = data["target"]["selector"][1]
    assert position["end"] - position["start"] == len(text) == len(data["target"]["selector"][0]["exact"])


def test_the_original_and_archived_addresses_are_given_as_uris_even_in_persian():
    target = w3c.annotation(claim(), urls)["target"]
    original = "https://farsi.khamenei.ir/speech-content?id=%DB%B5%DB%B8%DB%B8%DB%B7%DB%B9&%D8%B3%D9%88%D8%B1%DB%8C%D9%87"
    assert target["scope"] == original
    assert target["source"]["margins:originalUrl"] == original
    assert (
        target["source"]["margins:archivedUrl"]
        == "https://web.archive.org/web/2024/https://farsi.khamenei.ir/speech"
    )
    assert target["source"]["via"] == [original, target["source"]["margins:archivedUrl"]]


def test_a_document_without_known_addresses_has_no_scope_and_no_via():
    bare = w3c.Document("readout", "Readout", "en")
    data = w3c.annotation(claim(passage=passage("Syria", document=bare, prefix="", suffix="")), urls)
    assert_valid("annotation", data)
    assert "scope" not in data["target"]
    assert not {"via", "margins:originalUrl", "margins:archivedUrl"} & set(data["target"]["source"])


def test_the_note_is_the_sanitized_html_the_site_shows_and_each_tag_a_tagging_body():
    note = 'Fine *print*<script>alert(1)</script> <img src=x onerror="alert(2)"> [x](javascript:alert(3))'
    bodies = w3c.annotation(claim(note=note), urls)["body"]
    comment, *tags = bodies
    assert comment["purpose"] == "commenting" and comment["format"] == "text/html"
    assert "<em>print</em>" in comment["value"]
    # No script, no image, no javascript: link: the rest is inert, escaped text.
    assert elements(comment["value"]) == [("p", []), ("em", [])]
    assert "&lt;script&gt;" in comment["value"]
    assert [(tag["purpose"], tag["value"]) for tag in tags] == [("tagging", "syria"), ("tagging", "سوریه")]


def test_a_claim_with_neither_note_nor_tags_has_no_body_and_is_still_valid():
    data = w3c.annotation(claim(note="  ", tags=()), urls)
    assert "body" not in data
    assert_valid("annotation", data)


def test_claimant_kind_status_and_visibility_come_through_the_margins_context():
    data = w3c.annotation(claim(), urls)
    assert data["margins:claimant"] == {
        "id": f"{SITE}/people/ali-khamenei/",
        "type": "Person",
        "name": "علی خامنه‌ای",
    }
    assert (data["margins:kind"], data["margins:status"], data["margins:visibility"]) == (
        "assertion",
        "disputed",
        "published",
    )
    assert "margins:claimant" not in w3c.annotation(claim(claimant=None), urls)


def test_times_are_utc_with_z_to_the_second_and_a_time_without_a_zone_is_refused():
    data = w3c.annotation(claim(created=datetime.datetime(2025, 1, 2, 14, 0, 15, tzinfo=TEHRAN)), urls)
    assert data["created"] == "2025-01-02T10:30:15Z"
    assert data["modified"] == "2025-01-03T10:30:15Z"
    with pytest.raises(ValueError, match="time zone"):
        w3c.timestamp(datetime.datetime(2025, 1, 2, 10, 30))


def test_the_creator_is_a_person_with_a_name_and_nothing_else():
    assert w3c.annotation(claim(), urls)["creator"] == {"type": "Person", "name": "Ana Analyst"}
    assert "creator" not in w3c.annotation(claim(creator=""), urls)


def test_an_orphaned_claim_targets_the_version_its_selectors_point_into():
    data = w3c.annotation(claim(passage=passage(orphaned=True, anchored_version=2)), urls)
    assert_valid("annotation", data)
    assert data["target"]["source"]["id"] == f"{SITE}/documents/khamenei-speech/versions/2/"
    assert data["margins:orphaned"] is True


def test_a_link_is_a_linking_annotation_from_one_passage_to_the_other():
    data = w3c.link_annotation(link(), urls)
    assert_valid("annotation", data)
    assert data["motivation"] == "linking"
    assert data["id"] == f"{SITE}/annotations/links/3.jsonld"
    assert data["target"]["selector"][0]["exact"] == ARABIC
    linked, comment = data["body"]
    assert linked["purpose"] == "linking"
    assert linked["selector"][0]["exact"] == PERSIAN
    assert comment == {
        "type": "TextualBody",
        "purpose": "commenting",
        "format": "text/plain",
        "value": "Same words, a day later.",
    }
    assert (data["margins:relation"], data["margins:fromClaim"], data["margins:toClaim"]) == (
        "reports",
        f"{SITE}/claims/8/",
        f"{SITE}/claims/7/",
    )


def test_a_link_without_a_note_has_the_linked_passage_as_its_only_body():
    data = w3c.link_annotation(link(note=""), urls)
    assert data["body"]["type"] == "SpecificResource"
    assert_valid("annotation", data)


def test_embedded_annotations_carry_no_context_of_their_own():
    assert "@context" not in w3c.annotation(claim(), urls, embedded=True)
    assert "@context" not in w3c.link_annotation(link(), urls, embedded=True)


def _used_terms(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            if key.startswith("margins:"):
                yield key
            yield from _used_terms(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _used_terms(inner)


def test_every_margins_term_the_exports_use_is_defined_by_the_margins_context():
    defined = w3c.margins_context(urls)["@context"]
    assert defined["margins"] == f"{SITE}/ns/margins.jsonld#"
    coll = w3c.Collection(id=f"{SITE}/annotations/", label="All", total=0, first=None, last=None)
    used = set(_used_terms(w3c.annotation(claim(passage=passage(orphaned=True, anchored_version=1)), urls)))
    used |= set(_used_terms(w3c.link_annotation(link(), urls)))
    used |= set(_used_terms(w3c.collection(coll, urls) | {"margins:linkCollection": "x"}))
    assert used - set(defined) == set()


def test_page_addresses_put_the_number_first_and_one_cursor():
    base = f"{SITE}/annotations/"
    assert w3c.page_iri(base, number=1) == f"{base}?page=1"
    assert w3c.page_iri(base, number=3, after="41", iris=True) == f"{base}?iris=1&page=3&after=41"
    assert w3c.page_iri(base, number=2, before="7~9~40") == f"{base}?page=2&before=7~9~40"


def test_a_collection_embeds_its_first_page_and_a_page_names_its_collection():
    base = f"{SITE}/annotations/"
    coll = w3c.Collection(
        id=base,
        label="Claims",
        total=2,
        first=w3c.page_iri(base, number=1),
        last=w3c.page_iri(base, number=2),
    )
    first = w3c.Page(
        id=w3c.page_iri(base, number=1),
        items=[w3c.annotation(claim(), urls, embedded=True)],
        start_index=0,
        next=w3c.page_iri(base, number=2, after="7"),
        prev=None,
    )
    data = w3c.collection(coll, urls, first)
    assert_valid("annotation-collection", data)
    assert data["first"]["partOf"] == base and "@context" not in data["first"]
    second = w3c.Page(id=first.next, items=[urls("claim", 9)], start_index=1, next=None, prev=first.id)
    page = w3c.page(second, coll, urls)
    assert_valid("annotation-page", page)
    assert page["partOf"] == {
        "id": base,
        "type": "AnnotationCollection",
        "label": "Claims",
        "total": 2,
        "first": coll.first,
        "last": coll.last,
    }
    assert json.loads(json.dumps(page)) == page


def test_an_empty_collection_has_no_first_or_last_page():
    coll = w3c.Collection(id=f"{SITE}/annotations/", label="Nothing yet", total=0, first=None, last=None)
    data = w3c.collection(coll, urls)
    assert_valid("annotation-collection", data)
    assert (data["total"], "first" in data, "last" in data) == (0, False, False)


@pytest.mark.parametrize(
    "header, wanted",
    [
        ('return=representation;include="http://www.w3.org/ns/oa#PreferContainedIRIs"', {w3c.PREFER_IRIS}),
        (
            'return=representation; include="http://www.w3.org/ns/ldp#PreferMinimalContainer '
            'http://www.w3.org/ns/oa#PreferContainedIRIs"',
            {w3c.PREFER_MINIMAL, w3c.PREFER_IRIS},
        ),
        (
            'respond-async, return=representation;include="http://www.w3.org/ns/oa#PreferContainedDescriptions"',
            {w3c.PREFER_DESCRIPTIONS},
        ),
        ('return=minimal;include="http://www.w3.org/ns/oa#PreferContainedIRIs"', set()),
        ("", set()),
        ("return=representation", set()),
        ('include="x"; return=representation', set()),
    ],
)
def test_prefer_headers_are_read_for_their_include_iris(header, wanted):
    assert w3c.parse_prefer(header) == wanted

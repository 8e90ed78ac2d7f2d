"""Strict input on every endpoint: JSON bodies of exactly the declared shape,
no NUL characters or lone surrogates anywhere, numbers in addresses bounded.
Each refusal is a 400 (or, for an address, a 404) with a message, and
nothing is stored."""

import json

import pytest
from django.urls import reverse

from archive.models import Claim, ClaimEvent, ClaimLink
from archive.text import anchoring
from tests.factories import claim_payload, make_claim, make_document

pytestmark = pytest.mark.django_db

TEXT = "The envoy said the talks had failed. He added that the border would stay closed."
HUGE = "99999999999999999999"


@pytest.fixture
def document():
    return make_document(TEXT, slug="envoy")


@pytest.fixture
def claim(document):
    return make_claim(document, "the talks had failed", note="Original note.")


def body(span="the border would stay closed", **changes):
    data = claim_payload(TEXT, span, visibility="draft")
    data.update(changes)
    return data


def post_raw(client, url, raw):
    return client.post(url, raw, content_type="application/json")


def stored():
    return Claim.objects.count(), ClaimEvent.objects.count(), ClaimLink.objects.count()


def refused(response, field, *parts):
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    for part in parts:
        assert part in errors[field][0], errors
    return errors[field][0]


# --- JSON bodies ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value, parts",
    [
        ("quote", 123, ["“quote” must be the selected text", "not a whole number"]),
        ("quote", ["the border"], ["not a list"]),
        ("quote", None, ["not null"]),
        ("quote", "", ["must not be empty"]),
        ("prefix", {"a": 1}, ["“prefix” must be", "not an object"]),
        ("suffix", False, ["not false"]),
        ("start", 1.5, ["must be whole numbers", "“start” is a number with a fraction"]),
        ("start", "12", ["must be whole numbers", "“start” is a string"]),
        ("end", True, ["must be whole numbers", "“end” is true"]),
        ("start", int(HUGE), ["“start” must be at most 2147483647"]),
        ("start", -1, ["“start” must be at least 0"]),
        ("note", {"a": 1}, ["“note” must be the analyst's note (a string), not an object"]),
        ("tags", ["syria"], ["“tags” must be comma-separated tag names", "not a list"]),
        ("kind", 3, ["“kind” must be", "not a whole number"]),
        ("claimant", "Khamenei", ["“claimant” must be a person's id"]),
        ("claimant", 1.0, ["“claimant” must be a person's id", "a number with a fraction"]),
        ("claimant", int(HUGE), ["“claimant” must be at most"]),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_naming_the_field(analyst, document, field, value, parts):
    before = stored()
    response = post_raw(
        analyst, reverse("archive:api_claim_create", args=["envoy"]), json.dumps(body(**{field: value}))
    )
    refused(response, field, *parts)
    assert stored() == before


@pytest.mark.parametrize("field", ["quote", "prefix", "note", "tags", "kind"])
@pytest.mark.parametrize(
    "bad, part", [("x\\ud800y", "lone surrogate (\\ud800)"), ("x\\u0000y", "NUL character")]
)
def test_lone_surrogates_and_nul_in_any_json_string_are_refused(analyst, document, field, bad, part):
    raw = json.dumps(body(**{field: "PLACEHOLDER"})).replace("PLACEHOLDER", bad)
    before = stored()
    response = post_raw(analyst, reverse("archive:api_claim_create", args=["envoy"]), raw)
    refused(response, field, part)
    assert stored() == before


def test_a_note_that_is_an_object_is_not_stored_as_its_repr_on_update(analyst, claim):
    response = post_raw(
        analyst,
        reverse("archive:api_claim_update", args=[claim.pk]),
        json.dumps({"kind": "threat", "status": "unverified", "visibility": "draft", "note": {"a": 1}}),
    )
    refused(response, "note", "not an object")
    claim.refresh_from_db()
    assert (claim.note, claim.kind) == ("Original note.", "assertion")
    assert not ClaimEvent.objects.exists()


def test_an_unknown_field_is_refused_naming_it(analyst, document):
    response = post_raw(
        analyst, reverse("archive:api_claim_create", args=["envoy"]), json.dumps(body(colour="red"))
    )
    refused(response, "colour", "“colour” is not a field of this request")
    assert not Claim.objects.exists()


def test_the_move_endpoint_takes_only_the_span(analyst, claim):
    response = post_raw(analyst, reverse("archive:api_claim_move", args=[claim.pk]), json.dumps(body()))
    refused(response, "kind", "not a field of this request")
    claim.refresh_from_db()
    assert claim.quote == "the talks had failed"


def test_a_missing_offset_is_refused_naming_it(analyst, document):
    data = body()
    del data["end"]
    refused(
        post_raw(analyst, reverse("archive:api_claim_create", args=["envoy"]), json.dumps(data)),
        "end",
        "required",
    )


def test_delete_takes_an_empty_object_only(analyst, claim):
    url = reverse("archive:api_claim_delete", args=[claim.pk])
    refused(post_raw(analyst, url, json.dumps({"really": True})), "really", "not a field")
    assert Claim.objects.filter(pk=claim.pk).exists()
    assert post_raw(analyst, url, "{}").status_code == 200


@pytest.mark.parametrize(
    "endpoint, data",
    [
        ("update", {"kind": "threat", "status": "unverified", "visibility": "draft"}),
        ("move", {key: value for key, value in body().items() if key in anchoring.Selector.__annotations__}),
        ("delete", {}),
    ],
)
@pytest.mark.parametrize(
    "version, parts",
    [
        ("1", ["“version” must be the version of the claim you edited", "not a string"]),
        (1.0, ["a number with a fraction"]),
        (True, ["not true"]),
        (0, ["“version” must be at least 1"]),
        (int(HUGE), ["“version” must be at most"]),
    ],
)
def test_a_version_that_is_not_a_whole_number_is_refused_naming_it(
    analyst, claim, endpoint, data, version, parts
):
    url = reverse(f"archive:api_claim_{endpoint}", args=[claim.pk])
    before = stored()
    refused(post_raw(analyst, url, json.dumps({**data, "version": version})), "version", *parts)
    assert stored() == before
    assert Claim.objects.get(pk=claim.pk).version == 1
    # The claim's own version is taken.
    assert post_raw(analyst, url, json.dumps({**data, "version": 1})).status_code == 200


def test_revert_takes_an_event_id_and_a_version_only(analyst, analyst_user, document):
    from archive.services import annotations

    start = TEXT.index("the talks had failed")
    selector = anchoring.selector_for(TEXT, start, start + len("the talks had failed"))
    claim = annotations.create_claim(document, selector, user=analyst_user, note="Original note.")
    url = reverse("archive:api_claim_revert", args=[claim.pk])
    created = claim.events.get()
    annotations.update_claim(claim, user=analyst_user, note="Changed.")
    refused(post_raw(analyst, url, json.dumps({"version": 2})), "event", "“event” is required")
    refused(
        post_raw(analyst, url, json.dumps({"event": str(created.pk), "version": 2})), "event", "not a string"
    )
    refused(post_raw(analyst, url, json.dumps({"event": created.pk, "why": "x"})), "why", "not a field")
    refused(post_raw(analyst, url, json.dumps({"event": int(HUGE)})), "event", "must be at most")
    assert Claim.objects.get(pk=claim.pk).note == "Changed."
    response = post_raw(analyst, url, json.dumps({"event": created.pk, "version": 2}))
    assert response.status_code == 200, response.content
    assert Claim.objects.get(pk=claim.pk).note == "Original note."


@pytest.mark.parametrize(
    "raw, part",
    [
        ('{"quote": "a", "quote": "b"}', "appears twice"),
        ("[" * 60_000, "nested too deeply"),
        ('{"start": ' + "1" * 5000 + "}", "not valid JSON"),
        (b"\xed\xa0\x80", "not valid UTF-8"),
        ("NaN", "must be a JSON object"),
    ],
)
def test_bodies_that_are_not_a_usable_json_object_are_refused(analyst, document, raw, part):
    response = post_raw(analyst, reverse("archive:api_claim_create", args=["envoy"]), raw)
    refused(response, "__all__", part)
    assert not Claim.objects.exists()


def test_a_body_that_is_not_json_is_refused(analyst, claim):
    response = analyst.post(reverse("archive:api_claim_update", args=[claim.pk]), {"kind": "threat"})
    refused(response, "__all__", "Send the request as JSON")
    claim.refresh_from_db()
    assert claim.kind == "assertion"


def test_the_reader_scripts_string_claimant_is_still_accepted(analyst, document):
    from tests.factories import make_person

    person = make_person()
    url = reverse("archive:api_claim_create", args=["envoy"])
    response = post_raw(analyst, url, json.dumps(body(claimant=str(person.pk))))
    assert response.status_code == 201, response.content
    assert Claim.objects.get().claimant == person
    response = post_raw(analyst, url, json.dumps(body("He added", claimant="")))
    assert response.status_code == 201, response.content


# --- Numbers in addresses --------------------------------------------------------------


def test_numbers_too_long_for_a_database_column_are_404_not_500(outsider, analyst, claim):
    for client in (outsider, analyst):
        for url in (
            f"/documents/envoy/versions/{HUGE}/",
            f"/documents/envoy/versions/1/diff/{HUGE}/",
            f"/claims/{HUGE}/",
            f"/c/{HUGE}",
            f"/claims/{HUGE}/counterparts/",
            f"/api/claims/{HUGE}/",
        ):
            assert client.get(url).status_code == 404, url
    assert (
        analyst.post(f"/api/claims/{HUGE}/delete/", "{}", content_type="application/json").status_code == 404
    )
    assert Claim.objects.filter(pk=claim.pk).exists()


# --- NUL characters in queries, forms and addresses ---------------------------------------


@pytest.mark.parametrize(
    "client_name, url, params",
    [
        ("outsider", "/compare/", {"d": "\x00"}),
        ("outsider", "/", {"q": "x\x00"}),
        ("outsider", "/documents/envoy/", {"passage": "talks\x00"}),
        ("outsider", "/tags/syria/", {"page": "\x00"}),
        ("analyst", "/api/people/", {"q": "\x00"}),
        ("analyst", "/api/tags/", {"q": "a\x00"}),
        ("analyst", "/admin/archive/claim/", {"q": "\x00"}),
        ("analyst", "/admin/archive/claim/", {"tag": "\x00"}),
        ("analyst", "/admin/archive/document/", {"q": "\x00"}),
        ("analyst", "/admin/archive/person/", {"q": "\x00"}),
        ("outsider", "/", {"\x00": "x"}),
    ],
)
def test_a_nul_in_a_query_string_is_refused_with_a_message(request, client_name, url, params, document):
    client = request.getfixturevalue(client_name)
    response = client.get(url, params)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert "default-src 'self'" in response["Content-Security-Policy"]  # the refusal passes every middleware
    if url.startswith("/api/"):
        assert "NUL character" in response.json()["errors"]["__all__"][0]


def test_a_nul_in_a_form_field_is_refused_and_nothing_is_stored(analyst, document, claim):
    other = make_document("Another text says the talks had failed.", slug="other")
    before = stored()
    response = analyst.post(
        reverse("archive:claim_create_by_quote", args=["envoy"]),
        {"quote": "the border\x00", "kind": "assertion", "status": "unverified", "visibility": "draft"},
    )
    assert response.status_code == 400 and "NUL character" in response.content.decode()
    response = analyst.post(
        reverse("archive:counterpart_accept", args=[claim.pk]),
        {"document": "other\x00", "start": "0", "end": "7", "relation": "reports"},
    )
    assert response.status_code == 400
    assert stored() == before
    assert other.claims.count() == 0


def test_a_nul_in_the_address_is_refused(analyst, claim):
    assert analyst.get(f"/admin/archive/claim/{claim.pk}%00/change/").status_code == 400


def test_a_cookie_holding_a_nul_is_ignored_not_an_error(outsider, document):
    outsider.cookies["sessionid"] = "abcdefgh\x00ijkl"
    response = outsider.get(document.get_absolute_url())
    assert response.status_code == 200

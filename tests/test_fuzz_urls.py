"""No address answers 5xx, whatever it is sent.

Every URL of the URL conf (the archive, sign-in and the admin, read from
``config.urls`` so new ones are included) receives arbitrary query strings
and bodies, as an anonymous visitor and as an analyst, by GET and by POST:
NUL characters, lone surrogates (as JSON escapes and as the UTF-8 bytes a
browser could send), huge and negative numbers, right-to-left text, HTML and
script, arbitrary JSON values and shapes. Each request runs in a savepoint
that is rolled back, so every one meets the same small archive.

The test client re-raises a view's exception, so a 500 fails with its
traceback.
"""

import json
from urllib.parse import quote

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import urlconf

pytestmark = pytest.mark.django_db

HOSTILE = [
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "99999999999999999999",
    "-1",
    "0",
    "1e400",
    "NaN",
    "1.5",
    "9" * 5000,
    "\u202eevil\u202c",
    "سوریه",
    "Иран",
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "../../etc/passwd",
    "%00",
    " ",
    "",
    "speech",
    "syria",
    "diff",
    "published",
    "the brave Syrian youth",
    "x" * 3000,
]
PARAMETERS = [
    "q",
    "d",
    "passage",
    "pre",
    "suf",
    "at",
    "page",
    "p",
    "o",
    "e",
    "tag",
    "claimant",
    "source",
    "kind",
    "language",
    "year",
    "sort",
    "mode",
    "pair",
    "suggest",
    "relation",
    "sync",
    "next",
    "document",
    "start",
    "end",
    "quote",
    "note",
    "tags",
    "visibility",
    "claimant__id__exact",
    "document__id__exact",
    "anchoring",
    "app_label",
    "model_name",
    "field_name",
    "term",
    "post",
    "action",
    "_selected_action",
]

# Text including what st.text() leaves out: lone surrogates and NUL.
texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None, categories=["Cs", "Cc", "Mn", "Lo", "Zs"]), max_size=20),
    st.integers().map(str),
)
keys = st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=12))
pairs = st.lists(st.tuples(keys, texts), max_size=6)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=12,
)
# Mostly the fields the API knows, each with any JSON value, sometimes with extra keys.
json_objects = st.one_of(
    st.dictionaries(
        st.sampled_from(
            [
                "quote",
                "prefix",
                "suffix",
                "start",
                "end",
                "claimant",
                "kind",
                "status",
                "tags",
                "note",
                "visibility",
            ]
        ),
        json_values,
    ),
    json_values,
)


def encode(pairs):
    """A query string or form body as a browser could send it: UTF-8, surrogates as their bytes."""
    return "&".join(
        f"{quote(key.encode('utf-8', 'surrogatepass'), safe='')}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}"
        for key, value in pairs
    )


@pytest.fixture
def world(superuser, analyst_user):
    built = urlconf.site(superuser)
    built["analyst"] = analyst_user
    built["urls"] = [urlconf.concrete(pattern, built) for pattern in urlconf.patterns()]
    built["visitors"] = {False: urlconf.Visitor(), True: urlconf.Visitor(analyst_user)}
    return built


def send(world, *, url, analyst, method, query, body=None, content_type=None):
    client = world["visitors"][analyst].fresh()
    with transaction.atomic():
        path = f"{url}?{query}" if query else url
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, body, content_type=content_type)
        transaction.set_rollback(True)
    assert response.status_code < 500, (method, path, body, response.status_code)
    return response


SLOW = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@SLOW
@given(data=st.data(), query=pairs, analyst=st.booleans())
def test_no_address_answers_5xx_to_an_arbitrary_query(world, data, query, analyst):
    url = data.draw(st.sampled_from(world["urls"]), label="url")
    send(world, url=url, analyst=analyst, method="GET", query=encode(query))


@SLOW
@given(data=st.data(), query=pairs, payload=json_objects, analyst=st.booleans())
def test_no_address_answers_5xx_to_an_arbitrary_json_post(world, data, query, payload, analyst):
    url = data.draw(st.sampled_from(world["urls"]), label="url")
    body = json.dumps(payload)  # lone surrogates become \\udXXX escapes, as a script could send
    send(
        world,
        url=url,
        analyst=analyst,
        method="POST",
        query=encode(query),
        body=body,
        content_type="application/json",
    )


@SLOW
@given(data=st.data(), form=pairs, analyst=st.booleans())
def test_no_address_answers_5xx_to_an_arbitrary_form_post(world, data, form, analyst):
    url = data.draw(st.sampled_from(world["urls"]), label="url")
    send(
        world,
        url=url,
        analyst=analyst,
        method="POST",
        query="",
        body=encode(form),
        content_type="application/x-www-form-urlencoded",
    )


# --- The claim API: a valid body with arbitrary values in some fields -----------------------

FIELDS = [
    "quote",
    "prefix",
    "suffix",
    "start",
    "end",
    "claimant",
    "kind",
    "status",
    "tags",
    "note",
    "visibility",
]


def valid_body(world):
    from archive.text import anchoring

    text = world["document"].text
    start = text.index("Nothing more")
    selector = anchoring.selector_for(text, start, start + len("Nothing more"))
    return {
        "quote": selector.quote,
        "prefix": selector.prefix,
        "suffix": selector.suffix,
        "start": selector.start,
        "end": selector.end,
        "claimant": world["person"].pk,
        "kind": "assertion",
        "status": "unverified",
        "tags": "syria",
        "note": "",
        "visibility": "draft",
    }


# What the version-checked endpoints take besides.
VERSION_FIELDS = ["version", "event"]


@SLOW
@given(
    endpoint=st.sampled_from(["create", "update", "move", "delete", "revert"]),
    changes=st.dictionaries(
        st.one_of(st.sampled_from(FIELDS + VERSION_FIELDS), texts), json_values, min_size=1, max_size=3
    ),
)
def test_the_claim_api_answers_2xx_or_400_and_a_refusal_writes_nothing(world, endpoint, changes):
    from archive.models import Claim, ClaimEvent

    body = valid_body(world)
    claim = world["claim"]
    if endpoint == "update":
        body = {key: body[key] for key in FIELDS[5:]}
    elif endpoint == "move":
        body = {key: body[key] for key in FIELDS[:5]}
    elif endpoint == "delete":
        body = {}
    elif endpoint == "revert":
        body = {"event": claim.events.order_by("pk").first().pk}
    if endpoint != "create":
        body["version"] = Claim.objects.get(pk=claim.pk).version
    body.update(changes)
    url = {
        "create": f"/api/documents/{world['document'].slug}/claims/",
        "update": f"/api/claims/{claim.pk}/",
        "move": f"/api/claims/{claim.pk}/move/",
        "delete": f"/api/claims/{claim.pk}/delete/",
        "revert": f"/api/claims/{claim.pk}/revert/",
    }[endpoint]
    client = world["visitors"][True].fresh()
    with transaction.atomic():
        before = (
            Claim.objects.count(),
            ClaimEvent.objects.count(),
            list(Claim.objects.values().order_by("pk")),
        )
        response = client.post(url, json.dumps(body), content_type="application/json")
        after = (
            Claim.objects.count(),
            ClaimEvent.objects.count(),
            list(Claim.objects.values().order_by("pk")),
        )
        transaction.set_rollback(True)
    assert response.status_code in {200, 201, 400, 409}, (url, body, response.content[:300])
    if response.status_code == 400:
        assert after == before, body
        assert response.json()["errors"]
    if response.status_code == 409:  # a version that is not the claim's
        assert after == before, body
        assert response.json()["conflict"] is True


# --- Every address, once each way ------------------------------------------------------------

SWEEP_QUERY = encode(
    [
        ("q", "\u202e<script>alert(1)</script>"),
        ("d", "speech"),
        ("d", "99999999999999999999"),
        ("passage", "the brave Syrian yuoth " * 3),
        ("at", "99999999999999999999"),
        ("page", "-1"),
        ("tag", "سوریه"),
        ("claimant", "\ud800"),
        ("pair", "99999999999999999999"),
        ("suggest", "1"),
        ("mode", "diff"),
        ("p", "99999999999999999999"),
        ("o", "1.-99"),
        ("claimant__id__exact", "99999999999999999999"),
        ("document__id__exact", "abc"),
    ]
)
SWEEP_JSON = json.dumps(
    {
        "quote": "x\ud800y",
        "prefix": {"a": 1},
        "start": 1.5,
        "end": 10**20,
        "claimant": "Иран",
        "note": ["<script>"],
        "extra": None,
    }
)
SWEEP_FORM = encode(
    [
        ("document", "speech"),
        ("start", "99999999999999999999"),
        ("end", "-5"),
        ("relation", "<b>"),
        ("next", "//evil.example/"),
        ("from_claim", "99999999999999999999"),
        ("to_claim", "abc"),
        ("quote", "\u202eyouth"),
        ("text", ""),
        ("post", "no"),
        ("event", "99999999999999999999"),
        ("version", "1e400"),
    ]
)


@pytest.mark.parametrize("analyst", [False, True], ids=["anonymous", "analyst"])
def test_every_address_survives_hostile_input_each_way(world, analyst):
    for url in world["urls"]:
        send(world, url=url, analyst=analyst, method="GET", query=SWEEP_QUERY)
        if url.startswith("/api/"):  # elsewhere a JSON body is no form at all: the form post below covers it
            send(
                world,
                url=url,
                analyst=analyst,
                method="POST",
                query="",
                body=SWEEP_JSON,
                content_type="application/json",
            )
        send(
            world,
            url=url,
            analyst=analyst,
            method="POST",
            query=SWEEP_QUERY,
            body=SWEEP_FORM,
            content_type="application/x-www-form-urlencoded",
        )

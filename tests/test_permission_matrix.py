"""Who may do what, for every URL of the URL conf.

Each URL pattern (the archive, sign-in and the admin, read from ``config.urls``)
is requested by GET and by POST as an anonymous visitor, a signed-in reader
outside Analysts, an analyst and a superuser, and the class of each answer is
checked against the table below, keyed by URL name. A URL added without a line
in the table fails ``test_every_url_has_a_line_in_the_table``; a line whose
answers change fails the matrix for that role, listing every difference.

Requests run in savepoints that are rolled back, so a POST that writes (a
delete in the admin, a sign-out) leaves the next request the same archive.
"""

import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.test import Client
from django.urls import reverse

from archive.models import Claim, ClaimEvent, ClaimLink
from archive.text import similarity
from tests import urlconf
from tests.conftest import PASSWORD
from tests.factories import make_claim, make_document

pytestmark = pytest.mark.django_db

OK, REDIRECT, LOGIN = "200", "302", "302 to sign-in"
BAD, FORBIDDEN, MISSING, NOT_ALLOWED = "400", "403", "404", "405"
ROLES = ("anonymous", "reader", "analyst", "superuser")


def answers(anonymous, reader, analyst, superuser):
    """Per role, the (GET, POST) classes."""
    return dict(zip(ROLES, (anonymous, reader, analyst, superuser), strict=True))


def everyone(get, post):
    return answers((get, post), (get, post), (get, post), (get, post))


def analysts_only(analyst, refused=(FORBIDDEN, FORBIDDEN)):
    """Refused to anyone outside Analysts (403, no sign-in redirect); ``analyst`` for analysts."""
    return answers(refused, refused, analyst, analyst)


def staff_only(analyst, superuser=None):
    """The admin: anyone who is not staff is sent to its sign-in page."""
    return answers((LOGIN, LOGIN), (LOGIN, LOGIN), analyst, superuser or analyst)


PUBLIC = everyone(OK, OK)
JSON_WRITE = analysts_only(
    (NOT_ALLOWED, BAD), refused=(NOT_ALLOWED, FORBIDDEN)
)  # an empty form body is not JSON
JSON_SEARCH = analysts_only((OK, NOT_ALLOWED), refused=(FORBIDDEN, NOT_ALLOWED))
JSON_READ = JSON_SEARCH

TABLE = {
    # Reading: public, drafts filtered by the querysets.
    "archive:document_list": PUBLIC,
    "archive:document_detail": PUBLIC,
    "archive:document_raw": PUBLIC,
    "archive:document_version": PUBLIC,
    "archive:document_version_diff": PUBLIC,
    "archive:claim_detail": PUBLIC,
    "archive:claim_short": everyone(REDIRECT, REDIRECT),
    "archive:tag_detail": PUBLIC,
    "archive:person_detail": PUBLIC,
    "archive:source_detail": PUBLIC,
    "archive:compare": PUBLIC,
    # Citations as files: public, drafts filtered by the querysets; read only.
    "archive:document_cite_csl": everyone(OK, NOT_ALLOWED),
    "archive:document_cite_bib": everyone(OK, NOT_ALLOWED),
    "archive:document_cite_ris": everyone(OK, NOT_ALLOWED),
    "archive:claim_cite_csl": everyone(OK, NOT_ALLOWED),
    "archive:claim_cite_bib": everyone(OK, NOT_ALLOWED),
    "archive:claim_cite_ris": everyone(OK, NOT_ALLOWED),
    # Atom feeds, the sitemap and robots.txt: public, published material only; read only.
    "archive:feed_documents": everyone(OK, NOT_ALLOWED),
    "archive:feed_claims": everyone(OK, NOT_ALLOWED),
    "archive:tag_feed": everyone(OK, NOT_ALLOWED),
    "archive:person_feed": everyone(OK, NOT_ALLOWED),
    "archive:source_feed": everyone(OK, NOT_ALLOWED),
    "archive:sitemap_index": everyone(OK, NOT_ALLOWED),
    "archive:sitemap_section": everyone(OK, NOT_ALLOWED),
    "archive:robots_txt": everyone(OK, NOT_ALLOWED),
    # Writing from the public pages: analysts only.
    "archive:document_correct": analysts_only((OK, OK)),
    "archive:claim_create_by_quote": analysts_only((NOT_ALLOWED, BAD)),
    "archive:counterpart_accept": analysts_only((NOT_ALLOWED, REDIRECT)),
    "archive:claim_revert": analysts_only((NOT_ALLOWED, REDIRECT)),  # no event chosen: back with a message
    # Echoes: unreviewed machine output, analysts only (an empty decision: back with a message).
    "archive:echo_decide": analysts_only((NOT_ALLOWED, REDIRECT)),
    "archive:passage_echoes": analysts_only((OK, NOT_ALLOWED)),
    "archive:echo_inbox": analysts_only((OK, NOT_ALLOWED)),
    "archive:claim_link_create": analysts_only((NOT_ALLOWED, REDIRECT)),
    "archive:annotation_import": analysts_only((OK, BAD)),  # an empty upload form is refused
    "archive:api_claim_create": JSON_WRITE,
    "archive:api_claim_update": JSON_WRITE,
    "archive:api_claim_move": JSON_WRITE,
    "archive:api_claim_delete": JSON_WRITE,
    "archive:api_claim_revert": JSON_WRITE,
    "archive:api_claim_state": JSON_READ,
    "archive:api_people": JSON_SEARCH,
    "archive:api_tags": JSON_SEARCH,
    # W3C Web Annotations: read-only for everyone (GET, HEAD, OPTIONS), drafts filtered by the querysets.
    "archive:claim_annotation": everyone(OK, NOT_ALLOWED),
    "archive:link_annotation": everyone(OK, NOT_ALLOWED),
    "archive:annotation_collection": everyone(OK, NOT_ALLOWED),
    "archive:link_collection": everyone(OK, NOT_ALLOWED),
    "archive:document_annotations": everyone(OK, NOT_ALLOWED),
    "archive:margins_context": everyone(OK, NOT_ALLOWED),
    # The compare choosers' type-ahead: public, drafts filtered by the querysets.
    "archive:api_document_suggest": everyone(OK, NOT_ALLOWED),
    # A passage's link: public (a draft is missing for readers); without offsets, 400.
    "archive:api_passage_link": everyone(BAD, NOT_ALLOWED),
    # Signing in and out.
    "login": everyone(OK, OK),
    "logout": everyone(NOT_ALLOWED, REDIRECT),
    # Password reset by e-mail: open to anyone (an empty form is shown again with its errors).
    "password_reset": everyone(OK, OK),
    "password_reset_done": everyone(OK, NOT_ALLOWED),
    "password_reset_confirm": everyone(OK, OK),  # a link that is not valid says so
    "password_reset_complete": everyone(OK, NOT_ALLOWED),
    "admin_password_reset": everyone(REDIRECT, REDIRECT),
    # The admin site itself.
    "admin:index": staff_only((OK, OK)),
    "admin:login": answers((OK, OK), (OK, OK), (REDIRECT, OK), (REDIRECT, OK)),
    "admin:logout": answers(
        (REDIRECT, REDIRECT), (REDIRECT, REDIRECT), (NOT_ALLOWED, REDIRECT), (NOT_ALLOWED, REDIRECT)
    ),
    "admin:password_change": staff_only((OK, OK)),
    "admin:password_change_done": staff_only((OK, NOT_ALLOWED)),
    "admin:autocomplete": staff_only((FORBIDDEN, NOT_ALLOWED)),  # without its parameters
    "admin:jsi18n": staff_only((OK, NOT_ALLOWED)),
    "admin:view_on_site": staff_only((REDIRECT, REDIRECT)),
    "admin:app_list": staff_only((OK, OK)),
    "admin/(?P<url>.*)$": staff_only((MISSING, MISSING)),
    "admin:auth_user_password_change": staff_only((FORBIDDEN, FORBIDDEN), (OK, OK)),
    # Sign-in records have nothing to edit: saving one changes nothing and goes back to the list.
    "admin:axes_accessattempt_change": staff_only((FORBIDDEN, FORBIDDEN), (OK, REDIRECT)),
    "admin:axes_accesslog_change": staff_only((FORBIDDEN, FORBIDDEN), (OK, REDIRECT)),
    "admin:axes_accessfailurelog_change": staff_only((FORBIDDEN, FORBIDDEN), (OK, REDIRECT)),
    # No task is queued in the matrix's archive: a missing task's page sends back to the list.
    "admin:django_tasks_database_dbtaskresult_history": staff_only((REDIRECT, REDIRECT)),
    "admin:django_tasks_database_dbtaskresult_change": staff_only(
        (FORBIDDEN, FORBIDDEN), (REDIRECT, FORBIDDEN)
    ),
}

# What the Analysts group may do with each model in the admin (tests/test_permissions.py
# checks the group's grants); a superuser may do everything the admin offers. The
# history models are read-only for everybody: nobody adds or edits them there.
ADMIN_MODELS = {
    "archive_source": {"view", "add", "change"},
    "archive_person": {"view", "add", "change"},
    "archive_document": {"view", "add", "change"},
    "archive_documentrelation": {"view", "add", "change", "delete"},
    "archive_claim": {"view", "add", "change", "delete"},
    "archive_claimlink": {"view", "add", "change", "delete"},
    "archive_documentversion": {"view"},
    "archive_claimevent": {"view"},
    "archive_tagredirect": set(),  # written by merging tags; the superuser may look
    "taggit_tag": {"view", "add", "change"},
    "auth_user": set(),
    "auth_group": set(),
    # Sign-in throttling (django-axes): the superuser's to look at and clear.
    "axes_accessattempt": set(),
    "axes_accesslog": set(),
    "axes_accessfailurelog": set(),
    # The background worker's queue (django-tasks-db): the superuser's to look at.
    "django_tasks_database_dbtaskresult": set(),
}
TASKS = "django_tasks_database_dbtaskresult"
READ_ONLY_IN_ADMIN = {"archive_documentversion", "archive_claimevent", "archive_tagredirect", TASKS}
# The audit trail is append-only: not even a superuser deletes an event. Tasks are the worker's.
NEVER_DELETED = {"archive_claimevent", TASKS}
# Sign-in records are made by signing in, never typed in; tasks by the archive's writes.
NEVER_ADDED = {"axes_accessattempt", "axes_accesslog", "axes_accessfailurelog", TASKS}
ADMIN_VIEWS = ("changelist", "add", "history", "delete", "change")


def _admin_model_answers(model, view, may):
    """(GET, POST) for a staff member holding the permissions ``may`` on ``model``."""
    sees = bool(may & {"view", "change"})
    edits = "change" in may and model not in READ_ONLY_IN_ADMIN
    allowed = {
        "changelist": (sees, sees),
        "add": ("add" in may and model not in READ_ONLY_IN_ADMIN | NEVER_ADDED,) * 2,
        "history": (sees, sees),
        "delete": ("delete" in may and model not in NEVER_DELETED,) * 2,
        "change": (sees, edits),
    }[view]
    return tuple(OK if ok else FORBIDDEN for ok in allowed)


def expected(key):
    """The answers for the URL ``key``; KeyError when the table has no line for it."""
    if key in TABLE:
        return TABLE[key]
    match = re.fullmatch(r"admin:(\w+?)_(\w+)_(changelist|add|history|delete|change)", key)
    if match:
        model, view = f"{match.group(1)}_{match.group(2)}", match.group(3)
        if model in ADMIN_MODELS:
            every = {"view", "add", "change", "delete"}
            return staff_only(
                _admin_model_answers(model, view, ADMIN_MODELS[model]),
                _admin_model_answers(model, view, every),
            )
    match = re.fullmatch(r"admin/(\w+)/(\w+)/<path:object_id>/", key)
    if match and f"{match.group(1)}_{match.group(2)}" in ADMIN_MODELS:
        # The old change address redirects to the change page (which then checks).
        return staff_only((REDIRECT, REDIRECT))
    raise KeyError(key)


def answer_class(response):
    if response.status_code == 302:
        path = response["Location"].split("?")[0]
        return LOGIN if path.endswith("/login/") else REDIRECT
    return str(response.status_code)


@pytest.fixture
def world(superuser, analyst_user, reader_user):
    built = urlconf.site(superuser)
    built["users"] = {
        "anonymous": None,
        "reader": reader_user,
        "analyst": analyst_user,
        "superuser": superuser,
    }
    return built


def test_every_url_has_a_line_in_the_table():
    missing = []
    for pattern in urlconf.patterns():
        try:
            expected(pattern.key)
        except KeyError:
            missing.append(pattern.key)
    assert not missing, f"URLs without a line in the permission table: {missing}"


def test_every_admin_model_is_in_the_table():
    from django.contrib import admin

    registered = {f"{model._meta.app_label}_{model._meta.model_name}" for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS)


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, role):
    visitor = urlconf.Visitor(world["users"][role])
    differences = []
    for pattern in urlconf.patterns():
        url = urlconf.concrete(pattern, world)
        for method, want in zip(("GET", "POST"), expected(pattern.key)[role], strict=True):
            client = visitor.fresh()
            with transaction.atomic():
                response = client.get(url) if method == "GET" else client.post(url)
                transaction.set_rollback(True)
            got = answer_class(response)
            if got != want:
                differences.append(f"{method} {url} ({pattern.key}): expected {want}, got {got}")
    assert not differences, "\n".join(differences)


# --- Each write needs the permission for that very action --------------------------------


def user_with(*codenames):
    """A signed-in user holding ``archive.view_draft`` (so an analyst) and exactly ``codenames``."""
    user = User.objects.create_user(f"partial-{'-'.join(codenames) or 'none'}", password=PASSWORD)
    permissions = Permission.objects.filter(
        content_type__app_label="archive", codename__in=["view_draft", *codenames]
    )
    assert permissions.count() == len(codenames) + 1
    user.user_permissions.set(permissions)
    client = Client()
    client.force_login(user)
    return client


SPEECH = "Syria will be liberated by its youth. The weather in the capital was mild."
REPORT = "Markets were calm. The youth of Syria will liberate the country, the leader said. Oil fell."


@pytest.fixture
def suggestion(db):
    make_document(REPORT, slug="report", tags=["syria"])
    claim = make_claim(
        make_document(SPEECH, slug="speech", tags=["syria"]), "Syria will be liberated by its youth."
    )
    best = similarity.Index(REPORT).suggest(claim.quote, limit=1)[0]
    return claim, {"document": "report", "start": best.start, "end": best.end, "relation": "reports"}


def stored():
    return Claim.objects.count(), ClaimLink.objects.count(), ClaimEvent.objects.count()


def test_add_claimlink_alone_cannot_create_a_claim_by_accepting_a_suggestion(suggestion):
    claim, fields = suggestion
    before = stored()
    client = user_with("add_claimlink")
    response = client.post(reverse("archive:counterpart_accept", args=[claim.pk]), fields)
    assert response.status_code == 403
    assert stored() == before
    assert "Accept and link" not in client.get(claim.get_absolute_url()).content.decode()


def test_add_claim_and_add_claimlink_together_accept_a_suggestion(suggestion):
    claim, fields = suggestion
    client = user_with("add_claim", "add_claimlink")
    assert "Accept and link" in client.get(claim.get_absolute_url()).content.decode()
    response = client.post(reverse("archive:counterpart_accept", args=[claim.pk]), fields)
    assert response.status_code == 302
    assert ClaimLink.objects.filter(to_claim=claim, relation="reports").exists()


def json_post(client, url, data):
    import json

    return client.post(url, json.dumps(data), content_type="application/json")


def test_change_claim_alone_edits_and_moves_but_cannot_create_or_delete_through_the_api():
    text = "The envoy said the talks had failed. He added that the border would stay closed."
    document = make_document(text, slug="envoy")
    claim = make_claim(document, "the talks had failed")
    client = user_with("change_claim")
    start = text.index("the border")
    span = {"quote": "the border", "prefix": "", "suffix": "", "start": start, "end": start + 10}
    fields = {"kind": "threat", "status": "unverified", "visibility": "draft", "tags": "", "note": ""}
    before = stored()
    create = json_post(client, reverse("archive:api_claim_create", args=["envoy"]), {**span, **fields})
    assert create.status_code == 403 and "archive.add_claim" in create.json()["error"]
    delete = json_post(client, reverse("archive:api_claim_delete", args=[claim.pk]), {})
    assert delete.status_code == 403 and "archive.delete_claim" in delete.json()["error"]
    assert stored() == before
    assert json_post(client, reverse("archive:api_claim_update", args=[claim.pk]), fields).status_code == 200
    assert json_post(client, reverse("archive:api_claim_move", args=[claim.pk]), span).status_code == 200
    claim.refresh_from_db()
    assert (claim.kind, claim.quote) == ("threat", "the border")


@pytest.mark.parametrize(
    "codename, allowed",
    [("add_claim", {"create"}), ("delete_claim", {"delete"}), ("view_claim", set())],
)
def test_each_api_write_needs_its_own_permission(codename, allowed):
    text = "The envoy said the talks had failed."
    document = make_document(text, slug="envoy")
    claim = make_claim(document, "the talks had failed")
    client = user_with(codename)
    fields = {"kind": "threat", "status": "unverified", "visibility": "draft", "tags": "", "note": ""}
    span = {"quote": "envoy", "prefix": "", "suffix": "", "start": 4, "end": 9}
    requests = {
        "create": (reverse("archive:api_claim_create", args=["envoy"]), {**span, **fields}),
        "update": (reverse("archive:api_claim_update", args=[claim.pk]), fields),
        "move": (reverse("archive:api_claim_move", args=[claim.pk]), span),
        "delete": (reverse("archive:api_claim_delete", args=[claim.pk]), {}),
    }
    for action, (url, data) in requests.items():
        with transaction.atomic():
            status = json_post(client, url, data).status_code
            transaction.set_rollback(True)
        assert (status != 403) == (action in allowed), (action, status)


def test_a_user_outside_analysts_is_refused_even_with_model_permissions():
    """The model permissions alone do not make an analyst: reading drafts does."""
    user = User.objects.create_user("no-drafts", password=PASSWORD)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="archive", codename__in=["add_claim", "change_claim"]
        )
    )
    client = Client()
    client.force_login(user)
    document = make_document("The envoy said the talks had failed.", slug="envoy")
    span = {"quote": "envoy", "prefix": "", "suffix": "", "start": 4, "end": 9}
    response = json_post(client, reverse("archive:api_claim_create", args=[document.slug]), span)
    assert response.status_code == 403
    assert not Group.objects.get(name="Analysts").user_set.filter(pk=user.pk).exists()

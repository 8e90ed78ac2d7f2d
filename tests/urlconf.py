"""Every address of the project, read from the URL conf, made concrete.

The permission matrix and the input fuzzer both walk the URL conf itself
(``config.urls``: the archive, sign-in and the whole admin), so a URL added
later is tested without anyone remembering to list it. ``site()`` builds the
small world the addresses point into; ``concrete(pattern, site)`` turns a
route such as ``documents/<uslug:slug>/versions/<num:number>/`` into
``/documents/speech/versions/1/``.
"""

import datetime
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie

from axes.models import AccessAttempt, AccessFailureLog
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.urls import URLResolver, get_resolver
from taggit.models import Tag

from archive.models import ClaimLink, DocumentRelation, TagRedirect, Visibility
from archive.services import annotations
from tests.factories import make_claim, make_document, make_person, make_source


@dataclass(frozen=True)
class Pattern:
    key: str  # the URL name ("archive:claim_detail", "admin:index"), or the route when unnamed
    route: str
    name: str | None


def patterns():
    """Every URL pattern of the project, in URL-conf order."""

    def walk(entries, prefix, namespace):
        for entry in entries:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            else:
                route = prefix + str(entry.pattern)
                name = f"{namespace}{entry.name}" if entry.name else None
                yield Pattern(name or route, route, name)

    return list(walk(get_resolver().url_patterns, "", ""))


def site(superuser):
    """A small archive with one of everything; returns the values addresses need."""
    source = make_source(name="Leader's Office", slug="leader-office")
    person = make_person(name="Ali Khamenei", slug="ali-khamenei", role="Supreme Leader")
    speech = make_document(
        "The territories seized in Syria will be liberated by the brave Syrian youth. Nothing else was said.",
        title="Speech",
        slug="speech",
        source=source,
        tags=["syria"],
        published_at=datetime.datetime(2024, 12, 11, tzinfo=datetime.UTC),
        published_precision="day",
    )
    report = make_document(
        "Khamenei said the Syrian youth would liberate the seized territories, a report said.",
        title="Report",
        slug="report",
        tags=["syria"],
    )
    make_document(
        "A draft readout.", title="Draft readout", slug="draft-readout", visibility=Visibility.DRAFT
    )
    claim = make_claim(speech, "will be liberated by the brave Syrian youth", claimant=person, tags=["syria"])
    other = make_claim(report, "the Syrian youth would liberate the seized territories", claimant=person)
    link = ClaimLink.objects.create(from_claim=other, to_claim=claim, relation="reports")
    DocumentRelation.objects.create(document=report, kind="reports_on", target=speech)
    annotations.correct_text(
        speech, speech.text.replace("Nothing else", "Nothing more"), user=superuser, reason="Typo"
    )
    speech.refresh_from_db()
    claim.refresh_from_db()
    annotations.update_claim(claim, user=superuser, note="Checked.")
    syria = Tag.objects.get(slug="syria")
    TagRedirect.objects.create(slug="suriya", name="Suriya", tag=syria, merged_by=superuser)
    # A wrong password, as django-axes records it.
    sign_in = {
        "ip_address": "192.0.2.1",
        "username": "someone",
        "user_agent": "test",
        "path_info": "/accounts/login/",
    }
    AccessAttempt.objects.create(**sign_in, get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**sign_in)
    return {
        "document": speech,
        "claim": claim,
        "person": person,
        "source": source,
        "tag": syria,
        "user": superuser,
        "link": link,
    }


def _object_pk(route, world):
    match = re.match(r"admin/(\w+)/(\w+)/<path:object_id>/", route)
    model = apps.get_model(match.group(1), match.group(2))
    if model is User:
        return world["user"].pk
    if model is Group:
        return Group.objects.get(name="Analysts").pk
    return model._default_manager.order_by("pk").values_list("pk", flat=True).first()


def concrete(pattern, world):
    """The address of ``pattern`` with real slugs and ids from ``world``."""
    route = pattern.route
    if pattern.key == "admin:app_list":
        return "/admin/archive/"
    if pattern.key == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    values = {
        "number": "1",
        "other": "2",
        "pk": str(world["claim"].pk),
        "link": str(world["link"].pk),
        "id": str(world["user"].pk),
        "content_type_id": str(ContentType.objects.get_for_model(world["document"]).pk),
        # A password-reset link that is not valid (the page says so).
        "uidb64": "MQ",
        "token": "not-a-token",
        "section": "documents",  # a sitemap section
    }
    if "<path:object_id>" in route:
        values["object_id"] = str(
            world["document"].pk if pattern.key == "admin:view_on_site" else _object_pk(route, world)
        )
    slug_of = {"tags/": world["tag"].slug, "people/": world["person"].slug, "sources/": world["source"].slug}
    values["slug"] = next(
        (slug for prefix, slug in slug_of.items() if route.startswith(prefix)), world["document"].slug
    )

    def substitute(match):
        return values[match.group("name")]

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", substitute, route)
    assert "<" not in path and "(?" not in path, f"cannot make {route!r} concrete"
    return "/" + path


class Visitor:
    """One test client signed in (or not) once, whose cookies are put back before
    each request: a request that signs out or rotates the session, rolled back in
    the database, leaves the next request signed in as before. One client also
    means the middleware (and whitenoise's file list) is loaded once."""

    def __init__(self, user=None):
        from django.test import Client

        self.client = Client()
        if user is not None:
            self.client.force_login(user)
        self._cookies = {key: morsel.value for key, morsel in self.client.cookies.items()}

    def fresh(self):
        self.client.cookies = SimpleCookie()
        for key, value in self._cookies.items():
            self.client.cookies[key] = value
        return self.client

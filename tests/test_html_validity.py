"""Every kind of page, public, analysts' and the admin's, is valid HTML according to the Nu HTML checker."""

import json
import subprocess

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from archive.models import ClaimLink, Document, DocumentVersion
from archive.services.annotations import correct_text
from tests.checkers import VNU, require
from tests.conftest import PASSWORD


def _pages(client, documents):
    first, second, third = documents[0], documents[1], documents[2]
    claim = first.claims.order_by("pk").first()
    link = ClaimLink.objects.order_by("pk").first()
    compare = reverse("archive:compare") + f"?d={first.slug}&d={second.slug}&d={third.slug}"
    urls = [
        reverse("archive:document_list"),
        reverse("archive:document_list") + "?kind=news&sort=captured",
        reverse("archive:document_list") + "?q=syria+resist*",  # search: snippets, claim matches
        first.get_absolute_url(),
        first.get_absolute_url() + "?passage=" + claim.quote[:40].replace(" ", "+"),
        claim.get_absolute_url(),
        reverse("archive:tag_detail", args=["syria"]),
        claim.claimant.get_absolute_url() if claim.claimant else reverse("archive:document_list"),
        reverse("archive:compare"),
        compare,
        compare + f"&pair={link.pk}&suggest={link.to_claim_id}",
        reverse("archive:compare") + f"?d={first.slug}&d={second.slug}&mode=diff",
        reverse("archive:document_version", args=[first.slug, 1]),
        reverse("login"),
        first.source.get_absolute_url() if first.source else reverse("archive:document_list"),
    ]
    corrected = DocumentVersion.objects.filter(number=2).select_related("document").first()
    if corrected is not None:
        urls.append(reverse("archive:document_version_diff", args=[corrected.document.slug, 1, 2]))
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content
    missing = client.get("/documents/no-such-document/")
    assert missing.status_code == 404
    pages["404"] = missing.content
    return pages


@pytest.fixture
def corrected(seeded):
    """A seed document with a second version, so that the version diff page has two to show."""
    user = User.objects.create_user("corrector")
    document = Document.objects.order_by("pk").last()
    correct_text(document, document.text + "\n\n(Corrected.)", user=user, reason="A validity check")
    return document


def _validate(tmp_path, pages):
    files = []
    for number, (url, content) in enumerate(pages.items()):
        path = tmp_path / f"page{number}.html"
        path.write_bytes(content)
        files.append((str(path), url))
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *[path for path, _url in files]],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    by_file = {path: url for path, url in files}
    return [
        f"{by_file.get(m.get('url', '').removeprefix('file:'), m.get('url'))}: line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]


def test_public_pages_are_valid_html(corrected, tmp_path):
    require(VNU, "The Nu HTML checker (vnu-jar)")
    errors = _validate(tmp_path, _pages(Client(), Document.objects.order_by("pk")))
    assert not errors, "\n".join(errors)


def test_analyst_pages_with_the_highlighting_tools_are_valid_html(corrected, tmp_path):
    require(VNU, "The Nu HTML checker (vnu-jar)")
    user = User.objects.create_user("val", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Analysts"))
    client = Client()
    client.force_login(user)
    documents = Document.objects.order_by("pk")
    document = documents[0]
    pages = _pages(client, documents)
    response = client.get(reverse("archive:document_correct", args=[document.slug]))
    pages["correct"] = response.content
    # The admin pages analysts work in, including the claim add page with a document chosen.
    user.is_superuser = True
    user.save()
    for name, url in {
        "admin index": reverse("admin:index"),
        "admin document": reverse("admin:archive_document_change", args=[document.pk]),
        "admin claims": reverse("admin:archive_claim_changelist"),
        "admin claim add": reverse("admin:archive_claim_add") + f"?document={document.pk}",
    }.items():
        response = client.get(url)
        assert response.status_code == 200, url
        pages[name] = response.content
    errors = _validate(tmp_path, pages)
    assert not errors, "\n".join(errors)

"""Every kind of public page is valid HTML according to the Nu HTML checker."""

import json
import subprocess

from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from archive.models import ClaimLink, Document
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
    ]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content
    return pages


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


def test_public_pages_are_valid_html(seeded, tmp_path):
    require(VNU, "The Nu HTML checker (vnu-jar)")
    errors = _validate(tmp_path, _pages(Client(), Document.objects.order_by("pk")))
    assert not errors, "\n".join(errors)


def test_analyst_pages_with_the_highlighting_tools_are_valid_html(seeded, tmp_path):
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
    errors = _validate(tmp_path, pages)
    assert not errors, "\n".join(errors)

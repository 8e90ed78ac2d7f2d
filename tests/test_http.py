"""HTTP behaviour every page shares: compression and conditional GET, with the CSP intact."""

import pytest

pytestmark = pytest.mark.django_db


def test_html_is_sent_compressed_with_the_csp_header(seeded, client):
    plain = client.get("/")
    compressed = client.get("/", headers={"accept-encoding": "gzip"})
    assert compressed.status_code == 200
    assert compressed["Content-Encoding"] == "gzip"
    assert len(compressed.content) < len(plain.content) / 2
    assert "script-src 'self'" in compressed["Content-Security-Policy"]
    assert "Accept-Encoding" in compressed["Vary"]


def test_a_revisit_of_an_unchanged_page_gets_304_not_modified(seeded, client):
    first = client.get("/")
    assert first.has_header("ETag")
    again = client.get("/", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""

"""The pages a worker keeps in front of the shared cache (``archive.caching.Recent``)."""

from archive.caching import Recent


def test_recent_pages_are_forgotten_oldest_first_past_the_size():
    recent = Recent(size=2)
    recent.set("a", {"page": "a"}, 60)
    recent.set("b", {"page": "b"}, 60)
    assert recent.get("a") == {"page": "a"}  # now the newest used
    recent.set("c", {"page": "c"}, 60)
    assert recent.get("b") is None
    assert recent.get("a") == {"page": "a"} and recent.get("c") == {"page": "c"}


def test_a_recent_page_past_its_time_is_not_served(monkeypatch):
    recent = Recent(size=2)
    now = [1000.0]
    monkeypatch.setattr("archive.caching.time.monotonic", lambda: now[0])
    recent.set("a", {"page": "a"}, 5)
    now[0] += 4
    assert recent.get("a") == {"page": "a"}
    now[0] += 2
    assert recent.get("a") is None

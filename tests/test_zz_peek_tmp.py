import pytest
from archive.seed import load_seed
from archive.models import Document, Claim
from archive import annotations
@pytest.mark.django_db
def test_peek():
    load_seed()
    d = Document.objects.get(slug="caliber-az-khamenei-urges-syrian-youth-to-resist")
    t = d.text
    new = t.replace(", emphasizing that Syrian youth would resist foreign occupiers in the country", "")
    new = new + "\n\nAnalysts doubted that Syrian youth would resist foreign occupiers in the country for long.\n"
    p = annotations.preview_correction(d, new)
    print("lookalike2", [(c.pk, r.outcome.value, r.reason, r.selector and r.selector.quote) for c, r in p.results if r.outcome.value != "kept"])
    new = t.replace("emphasizing that Syrian youth would resist foreign occupiers in the country", "saying young Syrians will fight")
    p = annotations.preview_correction(d, new)
    print("lookalike3", [(c.pk, r.outcome.value, r.reason, r.selector and r.selector.quote) for c, r in p.results if r.outcome.value != "kept"])

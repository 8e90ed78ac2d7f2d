"""The echo inbox on the seed: importing a capture that echoes published claims files entries."""

from archive.echoes import tasks
from archive.echoes.models import EchoCandidate
from archive.models import Claim, Document, Visibility
from archive.services import annotations, imports
from tests.paths import CAPTURES


def test_importing_a_seed_capture_that_echoes_published_claims_files_inbox_entries(seeded, analyst_user):
    envoy = Document.objects.get(title__contains="pumped new blood")
    annotations.delete_document(envoy, user=analyst_user)
    Claim.objects.update(visibility=Visibility.PUBLISHED)
    raw = next(CAPTURES.glob("003_*.txt")).read_text(encoding="utf-8")
    document, _cleaned = imports.create_document(
        raw,
        fields={"slug": "envoy-again", "visibility": Visibility.PUBLISHED},
        capture_method=Document.CaptureMethod.FILE_IMPORT,
    )
    tasks.process(document.pk)  # the job the import queued, as the worker runs it
    filed = {c.claim.quote: c for c in EchoCandidate.objects.filter(document=document)}
    # The speech's "the US will be expelled" said again by the envoy, in other words.
    echo = filed["the US will be expelled from the region by the Resistance Front"]
    assert "will hasten America’s ultimate expulsion from the Middle East" in echo.text
    assert echo.semantic, "the passage was embedded by the job before the scan: meaning entered the score"
    assert echo.status == EchoCandidate.Status.OPEN

"""The background worker's jobs (django-tasks, database backend; ``manage.py echo_worker``).

Every job is *state-driven and idempotent*: what is left to do is read from
the tables (passages without an embedding, documents whose current version
was not scanned), never from the job's arguments alone. A worker killed in the
middle (``kill -9``) leaves committed batches committed and the rest pending;
``catch_up``, queued each time a worker starts, finds and finishes it. A
passage's embedding is written only if it is still empty and its document
still has the version it was cut from, checked under the document's lock in
the writing transaction: a document corrected while it is being embedded
ends with embeddings of its new text only, each computed once.
"""

import contextlib
import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django_tasks import task

from archive.echoes import index, meaning
from archive.echoes.models import EchoScan, Passage
from archive.models import Document

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def _document_claimed(document_id):
    """On PostgreSQL, one worker per document at a time (a session advisory lock, released if the
    worker dies); SQLite runs a single worker. Yields whether this worker may go on."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [0x6563686F, document_id])
        (claimed,) = cursor.fetchone()
    try:
        yield claimed
    finally:
        if claimed:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [0x6563686F, document_id])


def embed_document(document_id, *, encoder=None, batch=None):
    """Embed the passages of ``document_id``'s current text that have none. Returns how many it wrote."""
    encoder = encoder or meaning.encoder()
    if encoder is None:
        return 0
    batch = batch or settings.ECHOES_EMBED_BATCH
    model = meaning.model_sha256()
    written = 0
    with _document_claimed(document_id) as claimed:
        if not claimed:
            return 0
        while True:
            version = Document.objects.filter(pk=document_id).values_list("version", flat=True).first()
            if version is None:
                return written
            rows = list(
                Passage.objects.filter(document=document_id, version=version, embedding__isnull=True)
                .order_by("pk")
                .values_list("pk", "text")[:batch]
            )
            if not rows:
                return written
            # Encoded outside any transaction: no writer waits for the model.
            vectors = encoder.encode([text for _pk, text in rows])
            with transaction.atomic():
                current = (
                    Document.objects.select_for_update()
                    .filter(pk=document_id)
                    .values_list("version", flat=True)
                    .first()
                )
                if current != version:
                    return written  # corrected meanwhile: the correction queued the new text's embedding
                for (pk, _text), vector in zip(rows, vectors, strict=True):
                    written += Passage.objects.filter(pk=pk, version=version, embedding__isnull=True).update(
                        embedding=meaning.pack(vector), model_sha256=model
                    )


def index_if_missing(document_id):
    """Cut the passages of a document that has none of its current version (archived before the index)."""
    with transaction.atomic():
        document = (
            Document.objects.select_for_update().filter(pk=document_id).only("pk", "text", "version").first()
        )
        if document is None:
            return 0
        if Passage.objects.filter(document=document_id, version=document.version).exists():
            return 0
        return index.index_document(document, enqueue=False)


def process(document_id):
    """Embed a document's pending passages, then look for echoes of published claims in it."""
    from archive.echoes import scanning

    embedded = embed_document(document_id)
    found = scanning.scan_document(document_id)
    return {"document": document_id, "embedded": embedded, "echoes": found}


@task()
def process_document(document_id):
    return process(document_id)


def outstanding():
    """Documents with work left: passages missing or not embedded, or their current text not scanned."""
    current_passages = Passage.objects.filter(document=OuterRef("pk"), version=OuterRef("version"))
    pending = Passage.objects.filter(document=OuterRef("pk"), embedding__isnull=True)
    scanned = EchoScan.objects.filter(document=OuterRef("pk"), version=OuterRef("version"))
    documents = Document.objects.order_by("pk")
    unindexed = documents.filter(~Exists(current_passages)).values_list("pk", flat=True)
    if meaning.available():
        embedding = documents.filter(Exists(pending)).values_list("pk", flat=True)
    else:
        embedding = []
    unscanned = documents.filter(~Exists(scanned)).values_list("pk", flat=True)
    return sorted(set(unindexed) | set(embedding) | set(unscanned))


def catch_up(progress=None):
    """Finish whatever a stopped (or killed) worker left, and index documents archived before the index."""
    done = []
    work = outstanding()
    for n, document_id in enumerate(work, 1):
        index_if_missing(document_id)
        done.append(process(document_id))
        if progress:
            progress(n, len(work))
    return done


@task()
def catch_up_task():
    return {"documents": len(catch_up())}

"""Writing the passage index: a document's sentences and adjacent pairs, their terms, the term counts.

``index_document`` runs inside the transaction of the write that changed the
text (an import, a correction), after the document row is locked: the old
rows go, rows of the new text come, the archive-wide term counts follow, and a
task to embed the new rows is queued in the same transaction (so a rolled back
import queues nothing). Embeddings are never computed here.
"""

import re
import unicodedata
from collections import Counter

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F, Value

from archive.echoes.models import Passage, PassageTerm
from archive.text import similarity

ALL = ""  # PassageTerm row counting every passage
_APOSTROPHE = re.compile(r"['’]")


_WORD = re.compile(r"\w+")
# Letters Persian and Arabic text write two ways (Arabic yeh and kaf, alef with hamza or madda):
# folded to one so that a quote typed on either keyboard finds the passage.
_ARABIC_FOLD = str.maketrans(
    {"ي": "ی", "ى": "ی", "ك": "ک", "أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ـ": None}
)


def _other_scripts(text):
    """Words with a letter outside ASCII, case- and mark-folded, unstemmed (``similarity.analyze``
    keeps English words only): Persian, Arabic, Russian … passages are found by their words."""
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    ).translate(_ARABIC_FOLD)
    return [word[:64] for word in _WORD.findall(unicodedata.normalize("NFC", folded)) if not word.isascii()]


def terms(text):
    """The words of ``text`` as the passage index holds them: English words as ``similarity.analyze``
    folds them, then the words of other scripts (FTS-safe: letters and digits only)."""
    return [_APOSTROPHE.sub("", term) for term in similarity.analyze(text)] + _other_scripts(text)


def spans(text):
    """Sentences, then adjacent pairs within one paragraph: ``[(start, end, sentences)]``."""
    found = [(span.start, span.end, 1) for span in similarity.sentences(text)]
    sentences = list(found)
    for (start, end, _), (next_start, next_end, _) in zip(sentences, sentences[1:], strict=False):
        if "\n" not in text[end:next_start]:
            found.append((start, next_end, 2))
    return found


def passages_for(document_id, version, text):
    rows = []
    for start, end, count in spans(text):
        passage_text = text[start:end]
        rows.append(
            Passage(
                document_id=document_id,
                version=version,
                start=start,
                end=end,
                sentences=count,
                text=passage_text,
                terms=" ".join(terms(passage_text)),
            )
        )
    return rows


def _document_frequencies(rows):
    counts = Counter()
    for row in rows:
        counts.update(set(row.terms.split()))
    counts[ALL] = len(rows)
    return counts


def _adjust(counts, sign):
    """Add (or take away) term counts. Terms in sorted order: concurrent writers lock rows in one order."""
    if not counts:
        return
    if sign > 0:
        PassageTerm.objects.bulk_create(
            [PassageTerm(term=term, passages=0) for term in sorted(counts)],
            ignore_conflicts=True,
            batch_size=500,
        )
    by_amount = {}
    for term, n in counts.items():
        by_amount.setdefault(n, []).append(term)
    for n, group in sorted(by_amount.items()):
        group.sort()
        for at in range(0, len(group), 500):
            PassageTerm.objects.filter(term__in=group[at : at + 500]).update(
                passages=F("passages") + sign * n
            )


@transaction.atomic
def index_document(document, *, enqueue=True):
    """Replace ``document``'s passages with those of its current text (``document.text``, ``.version``).

    The caller holds the document's row locked (the services do), so that the
    text, its version and these rows move together.
    """
    old = list(Passage.objects.filter(document=document.pk).only("pk", "terms"))
    if old:
        _adjust(_document_frequencies(old), -1)
        Passage.objects.filter(pk__in=[row.pk for row in old]).delete()
    rows = passages_for(document.pk, document.version, document.text)
    Passage.objects.bulk_create(rows, batch_size=500)
    _adjust(_document_frequencies(rows), +1)
    if connection.vendor == "postgresql":
        Passage.objects.filter(document=document.pk).update(
            search_vector=SearchVector("terms", config=Value("simple"))
        )
    if enqueue:
        from archive.echoes import tasks

        tasks.process_document.enqueue(document.pk)
    return len(rows)


def rebuild(progress=None):
    """Cut every document's passages again from its current text, in one transaction.

    For a database filled without the services (``loaddata``, a restore): the
    rows come back without embeddings, which the worker computes when it starts.
    Returns the number of passages cut.
    """
    from archive.models import Document

    cut = 0
    with transaction.atomic():
        documents = Document.objects.order_by("pk").only("pk", "text", "version")
        for n, document in enumerate(documents.iterator(chunk_size=200), 1):
            cut += index_document(document, enqueue=False)
            if progress:
                progress(n)
    return cut

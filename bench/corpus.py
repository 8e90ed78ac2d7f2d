"""The synthetic compare corpus shared by ``bench/compare.py``, ``bench/render.py`` and the
size test of the compare page (``tests/test_reader_scale.py``): documents of one-sentence
claims, the first document's claims each reported by one of the others.

Importing it sets nothing up: call it once Django is ready.
"""

from archive.models import Claim, ClaimLink, Document, Visibility


def build_compare_corpus(documents=4, claims=500, links=500, first_id=None):
    """``documents`` published texts of ``claims`` claims each and ``links`` links; ``[(document, claims)]``.

    ``first_id``: number claims and links from it, so that a page's weight does not depend on
    which ids the database happens to hand out (a grown archive's are six or seven digits)."""
    built = []
    for d in range(documents):
        sentences = [
            f"Point {i} of text {d} concerns matter {i * 7 % 13} and its region." for i in range(claims)
        ]
        text = " ".join(sentences)
        document = Document.objects.create(
            title=f"Bench text {d}",
            slug=f"bench-{d}",
            raw_text=text,
            text=text,
            capture_method=Document.CaptureMethod.FILE_IMPORT,
            visibility=Visibility.PUBLISHED,
        )
        rows, offset = [], 0
        for i, sentence in enumerate(sentences):
            claim = Claim(document=document, visibility=Visibility.PUBLISHED)
            if first_id is not None:
                claim.pk = first_id + d * claims + i
            claim.set_span(text, offset, offset + len(sentence))
            rows.append(claim)
            offset += len(sentence) + 1
        built.append((document, Claim.objects.bulk_create(rows)))
    ClaimLink.objects.bulk_create(
        ClaimLink(
            pk=None if first_id is None else first_id + k,
            from_claim=built[1 + k % (documents - 1)][1][k],
            to_claim=built[0][1][k],
            relation="reports",
        )
        for k in range(links)
    )
    return built

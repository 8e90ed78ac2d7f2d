"""Small builders for test data. They go through the models' own rules
(selectors are computed by ``anchoring``), never around them, and index what
they save for search as the services do."""

import datetime
import itertools
import json

from django.utils import timezone

from archive import search
from archive.echoes import index as echo_index
from archive.models import Claim, Document, Person, Source, Visibility
from archive.text import anchoring

_counter = itertools.count(1)


def make_source(**fields):
    n = next(_counter)
    fields.setdefault("name", f"Outlet {n}")
    fields.setdefault("slug", f"outlet-{n}")
    return Source.objects.create(**fields)


def make_person(**fields):
    n = next(_counter)
    fields.setdefault("name", f"Speaker {n}")
    fields.setdefault("slug", f"speaker-{n}")
    return Person.objects.create(**fields)


def make_document(text=None, *, tags=(), **fields):
    n = next(_counter)
    text = text if text is not None else f"Document {n} says that the sky is blue. It also says water is wet."
    fields.setdefault("title", f"Document {n}")
    fields.setdefault("slug", f"document-{n}")
    fields.setdefault("raw_text", text)
    fields.setdefault("text", text)
    fields.setdefault("capture_method", Document.CaptureMethod.FILE_IMPORT)
    fields.setdefault("visibility", Visibility.PUBLISHED)
    fields.setdefault("captured_at", timezone.now())
    document = Document.objects.create(**fields)
    if tags:
        document.tags.add(*tags)
    search.index_document(document)
    echo_index.index_document(document)
    return document


def claim_at(document, start, end, **fields):
    """An unsaved claim on ``document.text[start:end]`` (for ``bulk_create``)."""
    fields.setdefault("visibility", Visibility.PUBLISHED)
    claim = Claim(document=document, **fields)
    claim.set_span(document.text, start, end)
    return claim


def _saved(claim, tags):
    claim.save()
    if tags:
        claim.tags.add(*tags)
    search.index_claim(claim)
    return claim


def make_claim(document, quote, *, prefix="", suffix="", tags=(), **fields):
    selector = anchoring.find_quote(document.text, quote, prefix, suffix)
    return _saved(claim_at(document, selector.start, selector.end, **fields), tags)


def make_claim_at(document, start, end, *, tags=(), **fields):
    return _saved(claim_at(document, start, end, **fields), tags)


def admin_claim_post(document, quote, **overrides):
    """The POST of the admin's claim add page for ``quote`` in ``document``, with no links."""
    data = {
        "document": document.pk,
        "quote": quote,
        "prefix": "",
        "suffix": "",
        "claimant": "",
        "kind": Claim.Kind.ASSERTION,
        "status": Claim.Status.UNVERIFIED,
        "note": "",
        "tags": "",
        "visibility": Visibility.DRAFT,
        # The claim-links inline (empty here).
        "links_out-TOTAL_FORMS": "0",
        "links_out-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def claim_payload(text, quote, **extra):
    """The JSON the reader sends to create a claim on ``quote`` (its first occurrence in ``text``)."""
    start = text.index(quote)
    selector = anchoring.selector_for(text, start, start + len(quote))
    payload = {
        "quote": selector.quote,
        "prefix": selector.prefix,
        "suffix": selector.suffix,
        "start": selector.start,
        "end": selector.end,
        "kind": "assertion",
        "status": "unverified",
        "visibility": "published",
        "tags": "",
        "note": "",
    }
    payload.update(extra)
    return payload


def post_json(client, url, payload):
    """POST ``payload`` as JSON (a str or bytes body is sent as it is)."""
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(url, body, content_type="application/json")


# Persian and Arabic as captured: Windows line ends, a zero-width non-joiner
# (U+200C), a right-to-left mark (U+200F), Arabic diacritics (combining marks).
PERSIAN_CAPTURE = (
    "خبرگزاری فارس\r\n"
    "رهبر انقلاب: «جوانان شجاع سوریه سرزمین‌های اشغالی را آزاد خواهند کرد.»\r\n"
    "\u200fقَالَ المُتَحَدِّثُ: إِنَّ المُقَاوَمَةَ بَاقِيَةٌ.\r\n"
    "او می‌گوید که آمریکا از منطقه اخراج خواهد شد.\r\n"
)


def make_varied_archive(analyst, other):
    """The seed corpus (loaded first) plus what months of work leave behind,
    through the services: a Persian capture with Arabic quotes, claims edited,
    moved, reverted, linked, unlinked and deleted (their events outlive them),
    a corrected text (version 2, re-anchored claims), a renamed document (an
    old slug), merged tags (a redirect), a deleted document (a gap in the ids),
    drafts, an external relation, and users with groups and a permission."""
    from django.contrib.auth.models import Permission
    from taggit.models import Tag

    from archive.models import DocumentRelation
    from archive.services import annotations, imports, tags

    outlet = make_source(name="خبرگزاری فارس", slug="خبرگزاری-فارس", kind=Source.Kind.STATE_MEDIA)
    leader = make_person(name="علی خامنه‌ای", slug="علی-خامنه-ای", aliases="Ali Khamenei\nرهبر انقلاب")
    persian, _cleaned = imports.create_document(
        PERSIAN_CAPTURE,
        fields={
            "title": "رهبر انقلاب دربارهٔ سوریه",
            "slug": "رهبر-انقلاب-سوریه",
            "language": "fa",
            "source": outlet,
            "published_at": datetime.datetime(2024, 12, 11, 9, 30, 15, 123456, tzinfo=datetime.UTC),
            "published_precision": Document.DatePrecision.TIME,
            "published_time_zone_stated": True,
            "original_url": "https://www.farsnews.ir/news/14030921000123/رهبر-انقلاب",
            "tags": ["سوریه", "مقاومت"],
            "visibility": Visibility.PUBLISHED,
        },
        capture_method=Document.CaptureMethod.UPLOAD,
        created_by=analyst,
    )
    text = persian.text
    quote = "سرزمین‌های اشغالی را آزاد خواهند کرد"
    start = text.index(quote)
    liberate = annotations.create_claim(
        persian,
        anchoring.selector_for(text, start, start + len(quote)),
        user=analyst,
        tags=["سوریه"],
        claimant=leader,
        kind=Claim.Kind.PREDICTION,
        visibility=Visibility.PUBLISHED,
    )
    arabic = "إِنَّ المُقَاوَمَةَ بَاقِيَةٌ"
    start = text.index(arabic)
    remains = annotations.create_claim(
        persian,
        anchoring.selector_for(text, start, start + len(arabic)),
        user=other,
        tags=["مقاومت"],
        note="نقل قول *عربی* در متن فارسی",
    )
    annotations.update_claim(
        liberate, user=analyst, status=Claim.Status.DISPUTED, note="گزارش **ایسنا**", reason="منبع دوم"
    )
    first_state = liberate.events.order_by("pk").first()
    annotations.update_claim(liberate, user=other, kind=Claim.Kind.THREAT, tags=["سوریه", "تهدید"])
    annotations.revert_claim(liberate, first_state, user=analyst)
    expelled = "آمریکا از منطقه اخراج خواهد شد"
    start = text.index(expelled)
    annotations.move_claim(remains, anchoring.selector_for(text, start, start + len(expelled)), user=other)

    seed_claim = (
        Claim.objects.filter(document__slug="khamenei-speech-on-recent-developments-in-syria-and-region")
        .order_by("pk")
        .first()
    )
    link = annotations.link_claims(liberate, seed_claim, "repeats", user=analyst, note="همان ادعا")
    annotations.link_claims(remains, seed_claim, "paraphrases", user=analyst)
    annotations.unlink_claims(link, user=other)
    doomed = Claim.objects.filter(
        document__slug="khamenei-speech-on-recent-developments-in-syria-and-region"
    ).order_by("pk")[1]
    annotations.delete_claim(doomed, user=analyst)

    corrected = Document.objects.get(slug="iran-faces-setbacks-in-syria-us-presence-in-iraq")
    annotations.correct_text(
        corrected,
        corrected.text.replace("Esbati", "Esbati (Behrouz)", 1),
        user=analyst,
        reason="Name in full, as the original has it",
    )
    corrected.refresh_from_db()
    corrected.slug = "iran-setbacks-in-syria"
    corrected.save()

    merged = list(Tag.objects.filter(slug__in=["us-israel", "israel"]))
    tags.merge_tags(merged, Tag.objects.get(slug="israel"), user=analyst)

    DocumentRelation.objects.create(
        document=persian,
        kind=DocumentRelation.Kind.REPORTS_ON,
        external_title="بیانات در دیدار جمعی از مردم",
        external_url="https://farsi.khamenei.ir/speech-content?id=58611",
        external_date=datetime.date(2024, 12, 11),
        external_date_precision=Document.DatePrecision.DAY,
        note="متن کامل",
    )
    draft = make_document(
        "A draft capture, never published. Its claim is a draft too.",
        title="Draft",
        slug="draft-capture",
        visibility=Visibility.DRAFT,
        tags=["draft-only"],
    )
    make_claim(draft, "never published", visibility=Visibility.DRAFT)
    gone = make_document("A capture deleted later; its claim's events stay.", slug="deleted-later")
    gone_claim = annotations.create_claim(
        gone, anchoring.selector_for(gone.text, 2, 9), user=analyst, visibility=Visibility.PUBLISHED
    )
    annotations.delete_document(gone, user=analyst)

    other.user_permissions.add(Permission.objects.get(codename="view_claimevent"))
    other.first_name, other.last_name, other.is_active = "نرگس", "محمدی", False
    other.save()
    return {"persian": persian, "liberate": liberate, "remains": remains, "deleted_claim_pk": gone_claim.pk}

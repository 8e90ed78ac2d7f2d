"""Correcting a reading text on the correction page: real edits of the seed
documents, what happens to their claims, the versions kept, and slug changes."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from archive.models import Claim, ClaimEvent, Document, DocumentSlug, DocumentVersion
from archive.services.seed import load_seed
from tests.factories import make_claim, make_document

SETBACKS = "iran-faces-setbacks-in-syria-us-presence-in-iraq"
CALIBER = "caliber-az-khamenei-urges-syrian-youth-to-resist"
NETWORKS = "We can activate all the networks we have worked with over the years."
PLANS = (
    "The general revealed that Iran had even submitted plans to Assad detailing how it could use its "
    "military resources within Syria to target Israel. "
)
YOUTH = "emphasizing that Syrian youth would resist foreign occupiers in the country"


@pytest.fixture
def seed(db):
    load_seed()


def correct_url(slug):
    return reverse("archive:document_correct", args=[slug])


def correct(client, slug, new_text, reason="Fix the text", action="save"):
    return client.post(correct_url(slug), {"text": new_text, "reason": reason, action: "1"})


def claim_with(quote_start):
    return Claim.objects.get(quote__startswith=quote_start)


def spans(document):
    return {c.pk: (c.start, c.end, c.quote) for c in document.claims.all()}


def assert_every_claim_sits_on_its_quote(document):
    document.refresh_from_db()
    for claim in document.claims.filter(orphaned=False):
        assert document.text[claim.start : claim.end] == claim.quote, claim.pk


# --- versions -----------------------------------------------------------------


def test_correction_saves_next_version_and_keeps_old_text_readable(seed, analyst, analyst_user):
    document = Document.objects.get(slug=SETBACKS)
    old_text = document.text
    new_text = old_text.replace("\nhile acknowledging", "\nWhile acknowledging")

    response = correct(analyst, SETBACKS, new_text, reason="Restore the W cut off in capture")

    assert response.status_code == 302
    assert response["Location"] == f"/documents/{SETBACKS}/?corrected=2"
    version = document.versions.get(number=2)
    assert (version.text, version.reason, version.created_by) == (
        new_text,
        "Restore the W cut off in capture",
        analyst_user,
    )
    page = analyst.get(response["Location"])
    assert "saved as version 2" in page.content.decode()
    old_page = analyst.get(f"/documents/{SETBACKS}/versions/1/")
    assert old_page.status_code == 200
    html = old_page.content.decode()
    assert "\nhile acknowledging" in html
    assert "This is an earlier reading text" in html
    current = analyst.get(f"/documents/{SETBACKS}/versions/2/").content.decode()
    assert "This is the current reading text" in current
    assert "Restore the W cut off in capture" in current


def test_preview_counts_match_what_saving_does(seed, analyst):
    document = Document.objects.get(slug=SETBACKS)
    new_text = document.text.replace(NETWORKS, NETWORKS.replace("all the", "all of the")).replace(PLANS, "")

    preview = correct(analyst, SETBACKS, new_text, action="preview")

    assert preview.status_code == 200
    html = preview.content.decode()
    counts = {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', html)}
    assert counts == {"kept": 2, "moved": 1, "changed": 1, "orphaned": 1}
    assert 'name="save"' in html
    assert document.versions.count() == 1, "a preview saves nothing"
    assert not ClaimEvent.objects.filter(action__in=["reanchored", "orphaned"]).exists()

    correct(analyst, SETBACKS, new_text)

    events = ClaimEvent.objects.filter(document=document, action__in=["reanchored", "orphaned"])
    saved = {
        outcome: sum(1 for e in events if e.detail["outcome"] == outcome)
        for outcome in ("kept", "moved", "changed", "orphaned")
    }
    assert saved == counts


# --- real edits of seed documents -----------------------------------------------


def test_typo_fix_moves_later_claims_by_one_character(seed, analyst):
    document = Document.objects.get(slug=SETBACKS)
    before = spans(document)
    correct(analyst, SETBACKS, document.text.replace("\nhile acknowledging", "\nWhile acknowledging"))
    after = spans(document)
    later = claim_with("Khamenei condemned the U.S.")
    for pk, (start, end, quote) in before.items():
        shift = 1 if pk == later.pk else 0
        assert after[pk] == (start + shift, end + shift, quote)
    assert_every_claim_sits_on_its_quote(document)


def test_removing_a_line_above_claims_moves_all_of_them_up(seed, analyst):
    document = Document.objects.get(slug=SETBACKS)
    before = spans(document)
    correct(analyst, SETBACKS, document.text.replace("12:26 PM\n", ""), reason="Drop the capture time")
    after = spans(document)
    assert after == {pk: (s - 9, e - 9, q) for pk, (s, e, q) in before.items()}
    assert not document.claims.filter(orphaned=True).exists()
    assert_every_claim_sits_on_its_quote(document)


def test_inserting_a_paragraph_before_a_claim_moves_it_down(seed, analyst):
    document = Document.objects.get(slug=SETBACKS)
    added = "\nThe remarks were reported by several outlets on the same day."
    anchor = "\nEsbati further explained"
    insert_at = document.text.index(anchor)
    before = spans(document)
    correct(analyst, SETBACKS, document.text.replace(anchor, added + anchor))
    after = spans(document)
    for pk, (start, end, quote) in before.items():
        shift = len(added) if start > insert_at else 0
        assert after[pk] == (start + shift, end + shift, quote)
    assert_every_claim_sits_on_its_quote(document)


def test_rewording_the_quoted_sentence_changes_the_claims_quote(seed, analyst):
    document = Document.objects.get(slug=SETBACKS)
    claim = claim_with(NETWORKS)
    reworded = NETWORKS.replace("all the", "all of the")
    correct(analyst, SETBACKS, document.text.replace(NETWORKS, reworded))
    claim.refresh_from_db()
    assert claim.quote == reworded
    assert not claim.orphaned
    event = claim.events.get(action=ClaimEvent.Action.REANCHORED)
    assert event.detail["outcome"] == "changed"
    assert event.detail["old"]["quote"] == NETWORKS
    assert_every_claim_sits_on_its_quote(document)
    page = analyst.get(document.get_absolute_url()).content.decode()
    assert re.search(rf'<mark id="claim-{claim.pk}" data-key="{claim.pk}"', page)


def test_deleting_the_quoted_sentence_orphans_the_claim_but_keeps_it(seed, analyst, outsider):
    document = Document.objects.get(slug=SETBACKS)
    claim = claim_with("Iran had even submitted plans")
    quote = claim.quote
    correct(analyst, SETBACKS, document.text.replace(PLANS, ""), reason="Sentence was not in the original")
    claim.refresh_from_db()
    assert claim.orphaned
    assert claim.anchored_version == document.versions.get(number=1)
    assert claim.quote == quote

    reader_page = outsider.get(document.get_absolute_url()).content.decode()
    assert f'data-key="{claim.pk}"' not in reader_page
    assert "1 claim is not highlighted because the text was corrected" in reader_page
    assert (
        "Not highlighted: the text was corrected and this claim's passage could not be placed again"
        in reader_page
    )
    assert "We could not find this passage in the text as it is now" in reader_page
    # The figures behind that verdict are for analysts, not for a visitor.
    assert "minimum" not in reader_page and "score" not in reader_page and "For analysts" not in reader_page
    assert f'id="card-claim-{claim.pk}"' in reader_page

    claim_page = outsider.get(claim.get_absolute_url()).content.decode()
    assert "This claim is not highlighted in the current text" in claim_page
    assert "We could not find this passage in the text as it is now" in claim_page
    assert f'href="/documents/{SETBACKS}/versions/1/">version 1</a>' in claim_page
    assert re.search(r"<mark[^>]*>Iran had even submitted plans to Assad", claim_page)
    assert "Open in document" not in claim_page

    version_page = outsider.get(f"/documents/{SETBACKS}/versions/1/").content.decode()
    assert f'data-key="{claim.pk}"' in version_page
    assert "1 orphaned claim is shown highlighted" in version_page


def test_claim_does_not_jump_to_a_look_alike_sentence(seed, analyst):
    document = Document.objects.get(slug=CALIBER)
    claim = claim_with(YOUTH)
    look_alike = "Analysts doubted that Syrian youth would resist foreign occupiers in the country for long."
    new_text = document.text.replace(", " + YOUTH, "") + "\n\n" + look_alike + "\n"

    correct(analyst, CALIBER, new_text)

    claim.refresh_from_db()
    assert claim.orphaned
    assert claim.quote == YOUTH
    assert claim.anchored_version.number == 1
    neighbour = claim_with("Khamenei further asserted that Syrian youth")
    assert not neighbour.orphaned
    assert_every_claim_sits_on_its_quote(document)


# --- refusals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("new_text", "reason", "field", "message"),
    [
        (None, "", "reason", "This field is required."),
        (None, "   ", "reason", "This field is required."),
        ("same", "Nothing", "text", "identical to the current text"),
        ("", "Blank", "text", "This field is required."),
    ],
)
def test_correction_refusals_show_form_error_and_change_nothing(
    analyst, db, new_text, reason, field, message
):
    document = make_document("The minister said the talks had failed.")
    make_claim(document, "the talks had failed")
    text = (
        document.text + " Added." if new_text is None else (document.text if new_text == "same" else new_text)
    )

    response = correct(analyst, document.slug, text, reason=reason)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert message in " ".join(response.context["form"].errors[field])
    document.refresh_from_db()
    assert document.text == "The minister said the talks had failed."
    assert DocumentVersion.objects.filter(document=document).count() == 1
    assert not ClaimEvent.objects.exists()


def test_whitespace_only_text_is_refused(analyst, db):
    document = make_document("The minister said the talks had failed.")
    response = correct(analyst, document.slug, " \n  \n", reason="Blank")
    assert response.status_code == 400
    document.refresh_from_db()
    assert document.text == "The minister said the talks had failed."
    assert document.versions.count() == 1


def test_textarea_line_ends_do_not_make_unchanged_text_look_edited(analyst, db):
    document = make_document("Line one.\nLine two.")
    response = correct(analyst, document.slug, "Line one.\r\nLine two.", reason="Nothing really")
    assert response.status_code == 400
    assert "identical to the current text" in response.content.decode()


def test_only_users_who_may_change_documents_open_the_correction_page(analyst, reader, outsider, db):
    document = make_document()
    assert analyst.get(correct_url(document.slug)).status_code == 200
    assert reader.get(correct_url(document.slug)).status_code == 403
    anonymous = outsider.get(correct_url(document.slug))
    assert anonymous.status_code == 403 or anonymous["Location"].startswith("/accounts/login/")
    response = reader.post(correct_url(document.slug), {"text": "Changed.", "reason": "x", "save": "1"})
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.text != "Changed."


# --- slugs -------------------------------------------------------------------------------


def test_old_slug_redirects_permanently_keeping_the_query_string(outsider, db):
    document = make_document("The minister said the talks had failed.", slug="old-name")
    document.slug = "new-name"
    document.save()

    response = outsider.get("/documents/old-name/?passage=the+talks+had+failed&pre=said+&at=18")

    assert response.status_code == 301
    assert response["Location"] == "/documents/new-name/?passage=the+talks+had+failed&pre=said+&at=18"
    page = outsider.get(response["Location"]).content.decode()
    assert '<mark id="passage" data-key="passage" class="hl passage hl-start hl-end">' in page
    followed = outsider.get("/documents/old-name/?passage=the+talks+had+failed", follow=True)
    assert 'id="passage"' in followed.content.decode()


def test_old_slug_of_a_version_page_redirects_too(outsider, db):
    document = make_document("The minister said the talks had failed.", slug="old-name")
    document.slug = "new-name"
    document.save()
    response = outsider.get("/documents/old-name/versions/1/")
    assert response.status_code == 301
    assert response["Location"] == "/documents/new-name/versions/1/"


def test_new_document_cannot_take_a_retired_slug(db):
    document = make_document(slug="old-name")
    document.slug = "new-name"
    document.save()
    assert DocumentSlug.objects.filter(slug="old-name", document=document).exists()

    newcomer = Document(
        title="Other",
        slug="old-name",
        raw_text="Other text.",
        text="Other text.",
        capture_method="file_import",
    )
    with pytest.raises(ValidationError) as raised:
        newcomer.full_clean()
    assert "Another document used this slug before" in raised.value.message_dict["slug"][0]


def test_a_document_may_return_to_its_own_old_slug(outsider, db):
    document = make_document(slug="first")
    document.slug = "second"
    document.save()
    document.slug = "first"
    document.full_clean()
    document.save()
    assert outsider.get("/documents/first/").status_code == 200
    assert outsider.get("/documents/second/").status_code == 301

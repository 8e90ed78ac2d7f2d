"""Forms of the archive's pages."""

from django import forms
from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q
from taggit.models import Tag
from taggit.utils import parse_tags

from archive import paging, search
from archive.models import Claim, ClaimLink, Document, Person, Source, Visibility
from archive.services import annotation_shapes, annotations, imports
from archive.text import anchoring, capture
from archive.validators import tag_name_problem, validate_tag_names

# --- Public reading site -------------------------------------------------


# How many names a filter's type-ahead list offers: the page's size must not grow with the archive.
SUGGESTIONS = 50


class NamedFilterField(forms.CharField):
    """A filter typed as a slug or a name, offered with a bounded list of suggestions."""

    def __init__(self, *, label, placeholder, **kwargs):
        super().__init__(label=label, required=False, max_length=200, strip=True, **kwargs)
        self.widget.attrs.update({"placeholder": placeholder, "autocomplete": "off"})


class DocumentFilterForm(forms.Form):
    """Filters of the document list.

    Sources, tags and claimants are typed (a slug or a name) with a bounded
    type-ahead list rather than listed whole: the archive may hold tens of
    thousands. Both the suggestions and what a typed value may resolve to
    come from what the reader may see, so neither ever reveals a draft.
    """

    SORTS = {
        "-published": (F("published_at").desc(nulls_last=True), "-captured_at", "-pk"),
        "published": (F("published_at").asc(nulls_last=True), "captured_at", "pk"),
        "-captured": ("-captured_at", "-pk"),
        "captured": ("captured_at", "pk"),
    }
    DEFAULT_SORT = "-published"

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        strip=True,
        help_text="Words (all must occur), “a phrase”, word* for any ending, -word to leave out.",
    )
    source = NamedFilterField(label="Source", placeholder="Any source")
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Document.Kind.choices])
    tag = NamedFilterField(label="Tag", placeholder="Any tag")
    claimant = NamedFilterField(label="Claimant", placeholder="Anyone")
    language = forms.RegexField(
        required=False,
        max_length=35,
        regex=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$",
        error_messages={"invalid": "Enter a language code such as “fa”, “ar”, “ru” or “en”."},
        widget=forms.TextInput(attrs={"placeholder": "Any language", "autocomplete": "off"}),
    )
    year = forms.IntegerField(
        required=False,
        min_value=1000,
        max_value=9999,
        widget=forms.NumberInput(attrs={"placeholder": "Any year"}),
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Best match first (when searching)"),
            ("-published", "Newest published first"),
            ("published", "Oldest published first"),
            ("-captured", "Newest capture first"),
            ("captured", "Oldest capture first"),
        ],
    )

    def __init__(self, data, *, documents, claims, user=None):
        super().__init__(data)
        # ``user`` decides which claims a search may match (readers: published ones only).
        self.documents, self.claims, self.user = documents, claims, user
        self.search_terms = None
        self.datalists = []
        for name, suggestions in (
            ("source", self._sources),
            ("tag", self._tags),
            ("claimant", self._claimants),
        ):
            list_id = f"{name}-suggestions"
            self.fields[name].widget.attrs["list"] = list_id
            self.datalists.append((list_id, suggestions))

    # What a visitor may filter by: only what has something they may see. Each
    # is an EXISTS per row, walked in name order and stopped at the page's bound.
    def _sources(self):
        visible = self.documents.filter(source=OuterRef("pk"))
        return Source.objects.filter(Exists(visible)).order_by("name")

    def _tags(self):
        visible = self.documents.filter(tags=OuterRef("pk"))
        return Tag.objects.filter(Exists(visible)).order_by("name")

    def _claimants(self):
        visible = self.claims.filter(claimant=OuterRef("pk"))
        return Person.objects.filter(Exists(visible)).order_by("name")

    def suggestions(self):
        """``(datalist id, [(slug, name), …])`` for the page, at most ``SUGGESTIONS`` each."""
        return [
            (list_id, list(queryset().values_list("slug", "name")[:SUGGESTIONS]))
            for list_id, queryset in self.datalists
        ]

    def _resolve(self, name, queryset, missing):
        value = self.cleaned_data[name]
        if not value:
            return ""
        found = queryset.filter(Q(slug=value) | Q(name__iexact=value)).values_list("slug", flat=True)[:2]
        found = list(found)
        if len(found) != 1:
            raise forms.ValidationError(
                missing.format(value=value)
                if not found
                else f"“{value}” names more than one; choose one from the list."
            )
        return found[0]

    def clean_source(self):
        return self._resolve("source", self._sources(), "No published document comes from “{value}”.")

    def clean_tag(self):
        return self._resolve("tag", self._tags(), "No published document is tagged “{value}”.")

    def clean_claimant(self):
        return self._resolve("claimant", self._claimants(), "No published claim is by “{value}”.")

    def clean_q(self):
        query = self.cleaned_data["q"]
        if query:
            try:
                self.search_terms = search.parse(query)
            except search.SearchSyntaxError as error:
                raise forms.ValidationError(str(error)) from None
        return query

    @property
    def ordering(self):
        """The list's order, or None for best match first (ranked search results)."""
        self.is_valid()
        sort = self.cleaned_data.get("sort")
        if self.search_terms and not sort:
            return None
        return self.SORTS[sort or self.DEFAULT_SORT]

    def filter(self):
        """The visible documents matching the valid filters; invalid ones are left out.

        A search (``q``) that cannot be run matches nothing; one that can ranks
        the documents by relevance unless another order is chosen.
        """
        self.is_valid()
        data = self.cleaned_data
        documents = self.documents
        if "q" in self.errors:
            return documents.none()
        if data.get("source"):
            documents = documents.filter(source__slug=data["source"])
        if data.get("kind"):
            documents = documents.filter(kind=data["kind"])
        if data.get("tag"):
            documents = documents.filter(tags__slug=data["tag"])
        if data.get("claimant"):
            # Asked document by document (on the claims' claimant-document index): the
            # page walks the documents in order, never reading all of a prolific claimant's claims.
            claims = self.claims.filter(claimant__slug=data["claimant"], document=OuterRef("pk"))
            documents = documents.alias(by_claimant=paging.has_row(claims)).filter(by_claimant__isnull=False)
        if data.get("language"):
            documents = documents.filter(language=data["language"])
        if data.get("year") is not None:
            documents = documents.filter(published_at__year=data["year"])
        order = self.SORTS[data.get("sort") or self.DEFAULT_SORT]
        if self.search_terms:
            if not data.get("sort"):  # best match first
                return search.search_documents(documents.order_by(*order), self.search_terms, self.user)
            documents = search.search_documents(documents, self.search_terms, self.user, ranked=False)
        return documents.order_by(*order)


# --- Analysts' admin -------------------------------------------------------


def stale_message(what, version, current):
    return (
        f"This {what} was changed by someone else since this form was opened (the form is for version "
        f"{version}, it is now at version {current}). Nothing was saved; reload to see the change, "
        "then make your edit again."
    )


# What an analyst gives about a capture: exactly what the importer accepts.
DOCUMENT_PROVENANCE_FIELDS = list(imports.FIELDS)


class CheckedTagsMixin:
    """Refuses, before anything is stored, a tag that could not have a page
    (``>``, ``!!!``) or is too long; tags in any script are welcome."""

    def clean_tags(self):
        names = self.cleaned_data["tags"] or []
        validate_tag_names(names)
        return names


class TextareaField(forms.CharField):
    """A CharField that drops the CRLF line ends browsers submit textareas with.

    HTML form serialization turns every line end into CRLF whatever was typed
    or pasted; they are not part of the text, and unchanged text must not look
    edited.
    """

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


class DocumentCaptureForm(CheckedTagsMixin, forms.ModelForm):
    """Archive a new capture: pasted text or an uploaded file, plus its provenance.

    The capture goes through ``archive.services.imports`` like every other import: decoded
    exactly, cleaned, refused when already archived. ``save()`` archives it
    in one step (``commit=False`` cannot defer that); set ``created_by`` first.
    """

    paste = TextareaField(
        label="Paste capture",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="The page's text exactly as captured. Fill this or upload a file, not both.",
    )
    upload = forms.FileField(
        label="Or upload a file",
        required=False,
        allow_empty_file=True,
        help_text="A UTF-8 text file.",
    )

    class Meta:
        model = Document
        fields = DOCUMENT_PROVENANCE_FIELDS

    created_by = None
    cleaned = None

    def clean(self):
        cleaned_data = super().clean()
        paste, upload = cleaned_data.get("paste", ""), cleaned_data.get("upload")
        if paste and upload:
            raise forms.ValidationError("Paste the capture or upload a file, not both.")
        if not paste and upload is None:
            raise forms.ValidationError("Paste the capture or upload a file.")
        limit = settings.MARGINS_MAX_CAPTURE_BYTES
        if upload is not None:
            field, self.capture_name = "upload", upload.name
            self.capture_method = Document.CaptureMethod.UPLOAD
            # Never read a huge file whole just to refuse it; the importer's check still
            # applies to what is read, the size reported is the file's own.
            if upload.size > limit:
                self.add_error(
                    field,
                    str(
                        capture.CaptureError(
                            f"{upload.size:,} bytes is over the {limit:,}-byte limit "
                            "(MARGINS_MAX_CAPTURE_BYTES)",
                            upload.name,
                        )
                    ),
                )
                return cleaned_data
            data = upload.read()
        else:
            field, self.capture_name = "paste", "pasted text"
            self.capture_method = Document.CaptureMethod.ADMIN_PASTE
            data = paste.encode("utf-8")
        try:
            self.raw_text = capture.decode_capture(data, self.capture_name, limit)
            if not self.errors:
                # Refuses a capture archived before, or one that is all boilerplate,
                # while the form can still say so.
                fields = {k: v for k, v in self._provenance().items() if k != "slug"}
                imports.create_document(
                    self.raw_text,
                    fields=fields,
                    capture_method=self.capture_method,
                    dry_run=True,
                    name=self.capture_name,
                )
        except capture.CaptureError as error:
            self.add_error(field, str(error))
        return cleaned_data

    def _provenance(self):
        return {name: self.cleaned_data.get(name) for name in DOCUMENT_PROVENANCE_FIELDS}

    def save(self, commit=True):
        self.instance, self.cleaned = imports.create_document(
            self.raw_text,
            fields=self._provenance(),
            capture_method=self.capture_method,
            created_by=self.created_by,
            name=self.capture_name,
        )
        # The imports service stored the tags with the document.
        self.save_m2m = lambda: None
        return self.instance


class DocumentChangeForm(CheckedTagsMixin, forms.ModelForm):
    """Edit a document's identity and provenance. The reading text is not edited
    here: corrections go through the correction page, which saves a new version
    and re-anchors the claims (``annotations.correct_text``)."""

    class Meta:
        model = Document
        fields = DOCUMENT_PROVENANCE_FIELDS


# How a claim is placed by quote in the admin: the typed passage and its context.
CLAIM_QUOTE_FIELDS = ("document", "quote", "prefix", "suffix")


class UnlabelledHiddenInput(forms.HiddenInput):
    """A hidden input the admin lists among a fieldset's fields: its label points at no
    control (a label ``for`` a hidden input is invalid HTML), and its row stays hidden."""

    def id_for_label(self, id_):
        return None


class ClaimAdminForm(CheckedTagsMixin, forms.ModelForm):
    """A claim placed by its quote: the analyst types or pastes the passage
    (with a few words before or after when it occurs more than once) and the
    form finds it in the reading text. It never guesses between occurrences."""

    quote = TextareaField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Copy the passage exactly from the document's reading text.",
    )
    # Textareas, not text inputs: an input drops the line breaks that context
    # running across a paragraph break contains, and then it no longer matches.
    prefix = TextareaField(
        required=False,
        strip=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Text just before the quote, when the quote occurs more than once.",
    )
    suffix = TextareaField(
        required=False,
        strip=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Text just after the quote, when the quote occurs more than once.",
    )
    # Filled by static/archive/admin-select.js when the analyst re-places the
    # claim by selecting its passage. Kept as text so that a malformed offset
    # gets the same precise message as any other bad selector.
    new_quote = TextareaField(required=False, strip=False, widget=forms.HiddenInput)
    new_prefix = TextareaField(required=False, strip=False, widget=forms.HiddenInput)
    new_suffix = TextareaField(required=False, strip=False, widget=forms.HiddenInput)
    new_start = forms.CharField(required=False, widget=forms.HiddenInput)
    new_end = forms.CharField(required=False, widget=forms.HiddenInput)

    REPLACEMENT_FIELDS = ("new_quote", "new_prefix", "new_suffix", "new_start", "new_end")

    # The claim's version when the form was rendered: a form for an older
    # version is refused rather than undoing a change its author never saw.
    # (Not named ``version``: a ModelForm may not list the non-editable model field.)
    edited_version = forms.IntegerField(required=False, min_value=1, widget=UnlabelledHiddenInput)

    class Meta:
        model = Claim
        fields = [*CLAIM_QUOTE_FIELDS, *Claim.DETAIL_FIELDS]

    # The checked selector of a re-placement by selection, for the admin to
    # pass to ``annotations.move_claim``; None when the span is not changed that way.
    replacement = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "edited_version" in self.fields:
            self.fields["edited_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        version = cleaned_data.get("edited_version")
        if self.instance.pk is not None and version is not None and version != self.instance.version:
            raise forms.ValidationError(stale_message("claim", version, self.instance.version))
        if any(cleaned_data.get(name) for name in self.REPLACEMENT_FIELDS):
            self.replacement = self._replacement(cleaned_data)
            return cleaned_data
        document = cleaned_data.get("document") or getattr(self.instance, "document", None)
        quote = cleaned_data.get("quote")
        if document is None or not quote:
            return cleaned_data
        unchanged = self.instance.pk is not None and not set(CLAIM_QUOTE_FIELDS) & set(self.changed_data)
        if unchanged:
            return cleaned_data
        try:
            selector = anchoring.find_quote(
                document.text, cleaned_data["quote"], cleaned_data["prefix"], cleaned_data["suffix"]
            )
        except (anchoring.QuoteNotFound, anchoring.QuoteAmbiguous) as error:
            self.add_error("quote", str(error))
            return cleaned_data
        cleaned_data.update(quote=selector.quote, prefix=selector.prefix, suffix=selector.suffix)
        self.instance.start, self.instance.end = selector.start, selector.end
        return cleaned_data

    def _replacement(self, cleaned_data):
        """The span selected in the current reading text, or None after adding the error."""
        if self.instance.pk is None:
            self.add_error(None, "Only a saved claim can be re-placed by selecting its passage.")
            return None
        if set(CLAIM_QUOTE_FIELDS) & set(self.changed_data):
            self.add_error(
                None, "Re-place the claim by selecting its passage or edit its quote, not both in one save."
            )
            return None
        try:
            return annotations.checked_selector(
                self.instance.document,
                quote=cleaned_data.get("new_quote"),
                prefix=cleaned_data.get("new_prefix"),
                suffix=cleaned_data.get("new_suffix"),
                start=cleaned_data.get("new_start"),
                end=cleaned_data.get("new_end"),
            )
        except annotations.SelectorError as error:
            self.add_error(None, f"The claim was not re-placed: {error}")
            return None


# --- Highlighting in the reader ---------------------------------------------


class ClaimFieldsForm(forms.Form):
    """A claim's editable fields (``Claim.DETAIL_FIELDS``), as the reader's highlighting tool sends them.

    The span itself is checked separately (``annotations.checked_selector``):
    the browser sends offsets, the server verifies them against the text.
    """

    claimant = forms.ModelChoiceField(Person.objects.all(), required=False, empty_label="Unattributed")
    kind = forms.ChoiceField(choices=Claim.Kind.choices, initial=Claim.Kind.ASSERTION)
    status = forms.ChoiceField(choices=Claim.Status.choices, initial=Claim.Status.UNVERIFIED)
    tags = forms.CharField(
        required=False, max_length=500, help_text="Comma-separated, e.g. syria, resistance-front."
    )
    note = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    visibility = forms.ChoiceField(choices=Claim._meta.get_field("visibility").choices, initial="draft")

    def clean_tags(self):
        names = parse_tags(self.cleaned_data["tags"])
        validate_tag_names(names)
        return names

    def details(self):
        """The cleaned fields as ``annotations.create_claim`` and ``update_claim`` take them."""
        return {name: self.cleaned_data[name] for name in Claim.DETAIL_FIELDS}


class QuoteClaimForm(ClaimFieldsForm):
    """A claim typed or pasted by quote (keyboard users, no JavaScript needed).

    The quote is looked up in the text exactly as in the admin: found once, or
    the form asks for more context; it never guesses.
    """

    quote = forms.CharField(strip=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=20000)
    prefix = forms.CharField(required=False, strip=False, max_length=200, label="Text just before (optional)")
    suffix = forms.CharField(required=False, strip=False, max_length=200, label="Text just after (optional)")

    field_order = ["quote", "prefix", "suffix", *ClaimFieldsForm.base_fields]

    def __init__(self, *args, document, **kwargs):
        super().__init__(*args, **kwargs)
        self.document = document
        self.selector = None

    def clean(self):
        cleaned = super().clean()
        quote = (cleaned.get("quote") or "").replace("\r\n", "\n")
        if quote:
            try:
                self.selector = anchoring.find_quote(
                    self.document.text, quote, cleaned.get("prefix", ""), cleaned.get("suffix", "")
                )
            except (anchoring.QuoteNotFound, anchoring.QuoteAmbiguous) as error:
                self.add_error("quote", str(error))
        return cleaned


class CorrectionForm(forms.Form):
    text = TextareaField(
        strip=False, widget=forms.Textarea(attrs={"rows": 24}), label="Corrected reading text"
    )
    reason = forms.CharField(max_length=500, help_text="Say what was wrong, e.g. “typo in paragraph 3”.")
    # The document's version when the page was opened; a correction of an older text is refused.
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, document, **kwargs):
        kwargs.setdefault("initial", {}).update(text=document.text, version=document.version)
        super().__init__(*args, **kwargs)
        self.document = document

    def clean(self):
        cleaned = super().clean()
        version = cleaned.get("version")
        if version is not None and version != self.document.version:
            raise forms.ValidationError(stale_message("text", version, self.document.version))
        return cleaned


def resolve_person(name):
    """The one person called ``name`` (their name or one of their aliases, any case), or ValueError."""
    wanted = " ".join(name.split()).casefold()
    candidates = Person.objects.filter(Q(name__iexact=wanted) | Q(aliases__icontains=wanted))
    found = [
        person
        for person in candidates
        if person.name.casefold() == wanted or wanted in (alias.casefold() for alias in person.alias_list)
    ]
    if not found:
        raise ValueError(
            f"No person is called “{name}” (by name or alias); add them first or leave it empty."
        )
    if len(found) > 1:
        names = ", ".join(person.name for person in found)
        raise ValueError(f"“{name}” names {len(found)} people ({names}); type the full name.")
    return found[0]


# --- Side by side ----------------------------------------------------------------


class PassageSpanForm(forms.Form):
    """A passage of a document's reading text by its offsets (code points), as the
    reader's selection gives them."""

    start = forms.IntegerField(min_value=0, max_value=10**9)
    end = forms.IntegerField(min_value=1, max_value=10**9)

    def __init__(self, *args, text_length, **kwargs):
        super().__init__(*args, **kwargs)
        self.text_length = text_length

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start is None or end is None:
            return data
        if end <= start:
            raise forms.ValidationError(f"The passage ends ({end}) where or before it starts ({start}).")
        if end > self.text_length:
            raise forms.ValidationError(
                f"The passage ends at {end}, after the end of the text ({self.text_length} characters)."
            )
        return data


class CompareForm(forms.Form):
    """The compare page's state, all of it in the URL so it can be sent to a colleague.

    ``d`` is validated by the view (it needs the visible documents); the rest
    here. Unknown filter values are form errors, never silently ignored.
    """

    MODES = [("columns", "Columns with linked claims"), ("diff", "Word-level differences (2 documents)")]

    tag = forms.SlugField(required=False, allow_unicode=True)
    claimant = forms.SlugField(required=False, allow_unicode=True)
    relation = forms.ChoiceField(required=False, choices=[("", "Any relation"), *ClaimLink.Relation.choices])
    pair = forms.IntegerField(required=False, min_value=1)
    suggest = forms.IntegerField(required=False, min_value=1, label="Suggest counterparts for claim")
    mode = forms.ChoiceField(required=False, choices=MODES)
    sync = forms.BooleanField(required=False)


class ClaimLinkForm(forms.ModelForm):
    """Link two claims from the compare page (analysts)."""

    class Meta:
        model = ClaimLink
        fields = ["from_claim", "relation", "to_claim", "note"]
        labels = {"from_claim": "This claim (number)", "to_claim": "that claim (number)"}
        # Claim numbers, not a select of every claim in view (thousands on a large
        # comparison): clicking a highlight fills them, and the page offers a bounded
        # list of claims (``CLAIM_CHOICES``) in the <datalist> ``DATALIST``.
        widgets = {
            "from_claim": forms.NumberInput(attrs={"min": 1, "list": "claims-in-view"}),
            "to_claim": forms.NumberInput(attrs={"min": 1, "list": "claims-in-view"}),
        }

    DATALIST = "claims-in-view"
    CLAIM_CHOICES = 50

    def __init__(self, *args, claims=None, **kwargs):
        super().__init__(*args, **kwargs)
        if claims is not None:
            self.fields["from_claim"].queryset = claims
            self.fields["to_claim"].queryset = claims
        self.claims = claims

    def claim_choices(self):
        """At most ``CLAIM_CHOICES`` claims as ``(pk, label)`` for the datalist."""
        if self.claims is None:
            return []
        return [
            (claim.pk, f"{claim.document.title[:30]} — “{anchoring.excerpt(claim.quote, 50)}”")
            for claim in self.claims[: self.CLAIM_CHOICES]
        ]

    def clean(self):
        cleaned = super().clean()
        left, right = cleaned.get("from_claim"), cleaned.get("to_claim")
        if left and right and left.pk == right.pk:
            raise forms.ValidationError(
                "A claim cannot be linked to itself; choose a claim in another document."
            )
        return cleaned


class TagAdminForm(forms.ModelForm):
    """A tag added or renamed in the admin: a name that can have a page, in any script."""

    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self):
        name = self.cleaned_data["name"]
        problem = tag_name_problem(name)
        if problem:
            raise forms.ValidationError(problem)
        return name


class TagMergeForm(forms.Form):
    """Which of the selected tags to keep when merging them (the admin's merge action)."""

    into = forms.ModelChoiceField(
        queryset=Tag.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Keep this tag",
        help_text="The others are merged into it and deleted; their pages redirect to its page.",
    )

    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        tags = tags.annotate(uses=Count("taggit_taggeditem_items")).order_by("-uses", "name")
        self.fields["into"].queryset = tags
        self.fields["into"].label_from_instance = lambda tag: (
            f"{tag.name} ({tag.slug}, used {tag.uses} times)"
        )
        first = tags.first()
        if first is not None:
            self.fields["into"].initial = first.pk


# --- Importing annotations from other tools ---------------------------------


class AnnotationImportForm(forms.Form):
    """The upload page's file and choices; the file's contents are checked by the import itself."""

    file = forms.FileField(
        label="Annotations file (JSON)",
        help_text=f"W3C Web Annotations or a Hypothesis export, at most "
        f"{annotation_shapes.MAX_FILE_BYTES // (1024 * 1024)} MB.",
    )
    format = forms.ChoiceField(
        choices=[("auto", "Recognise it from the file"), *annotation_shapes.FORMATS.items()],
        initial="auto",
        required=False,
    )
    publish = forms.BooleanField(
        required=False, label="Publish the placed claims (orphaned ones stay drafts; default: drafts)"
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = annotation_shapes.MAX_FILE_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"“{upload.name}” is {upload.size:,} bytes; the largest file imported is {limit:,} bytes "
                f"({limit // (1024 * 1024)} MB): split it."
            )
        return upload

    def clean_format(self):
        return self.cleaned_data["format"] or "auto"


# --- Echoes ----------------------------------------------------------------------


class EchoPassageForm(forms.Form):
    """A passage of a document, by its words, to look for elsewhere ("Where else was this said?")."""

    quote = forms.CharField(
        max_length=anchoring.PASSAGE_MAX_CHARS,
        label="Passage",
        help_text="Paste or type the words of the passage (a sentence or two).",
    )


class EchoDecisionForm(forms.Form):
    """An analyst's decision on one suggested echo of a claim."""

    decision = forms.ChoiceField(choices=[("accept", "accept"), ("reject", "reject")])
    document = forms.CharField(max_length=200)
    start = forms.IntegerField(min_value=0, max_value=10**9)
    end = forms.IntegerField(min_value=1, max_value=10**9)
    relation = forms.ChoiceField(choices=ClaimLink.Relation.choices, required=False)
    claimant = forms.CharField(max_length=200, required=False, strip=True)
    visibility = forms.ChoiceField(choices=Visibility.choices, required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") is not None and data.get("end") is not None and data["end"] <= data["start"]:
            raise forms.ValidationError("The passage is empty: its end must come after its start.")
        if data.get("decision") == "accept" and not data.get("relation"):
            self.add_error("relation", "Choose how the passage relates to the claim.")
        return data

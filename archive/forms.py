"""Forms of the archive's pages."""

from django import forms
from django.db.models import F, Q
from taggit.models import Tag

from archive.models import Document, Person, Source

# --- Public reading site -------------------------------------------------


class DocumentFilterForm(forms.Form):
    """Filters of the document list. Every option comes from the documents
    the reader may see, so the choices never reveal a draft."""

    SORTS = {
        "-published": (F("published_at").desc(nulls_last=True), "-captured_at", "-pk"),
        "published": (F("published_at").asc(nulls_last=True), "captured_at", "pk"),
        "-captured": ("-captured_at", "-pk"),
        "captured": ("captured_at", "pk"),
    }
    DEFAULT_SORT = "-published"

    q = forms.CharField(label="Search", required=False, max_length=200, strip=True)
    source = forms.ChoiceField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Document.Kind.choices])
    tag = forms.ChoiceField(required=False)
    claimant = forms.ChoiceField(required=False)
    language = forms.ChoiceField(required=False)
    year = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("-published", "Newest published first"),
            ("published", "Oldest published first"),
            ("-captured", "Newest capture first"),
            ("captured", "Oldest capture first"),
        ],
    )

    def __init__(self, data, *, documents, claims):
        super().__init__(data)
        self.documents, self.claims = documents, claims
        visible_ids = documents.values("pk")
        self.fields["source"].choices = [("", "Any source")] + [
            (s.slug, s.name) for s in Source.objects.filter(documents__in=visible_ids).distinct()
        ]
        self.fields["tag"].choices = [("", "Any tag")] + [
            (t.slug, t.name) for t in Tag.objects.filter(document__in=visible_ids).distinct().order_by("name")
        ]
        self.fields["claimant"].choices = [("", "Anyone")] + [
            (p.slug, p.name) for p in Person.objects.filter(claims__in=claims.values("pk")).distinct()
        ]
        languages = documents.order_by("language").values_list("language", flat=True).distinct()
        self.fields["language"].choices = [("", "Any language")] + [(code, code) for code in languages]
        years = documents.filter(published_at__isnull=False).datetimes("published_at", "year", order="DESC")
        self.fields["year"].choices = [("", "Any year")] + [(y.year, y.year) for y in years]

    def filter(self):
        """The visible documents matching the valid filters; invalid ones are left out."""
        self.is_valid()
        data = self.cleaned_data
        documents = self.documents
        if data.get("q"):
            q = data["q"]
            documents = documents.filter(Q(title__icontains=q) | Q(byline__icontains=q) | Q(text__icontains=q))
        if data.get("source"):
            documents = documents.filter(source__slug=data["source"])
        if data.get("kind"):
            documents = documents.filter(kind=data["kind"])
        if data.get("tag"):
            documents = documents.filter(tags__slug=data["tag"])
        if data.get("claimant"):
            documents = documents.filter(
                pk__in=self.claims.filter(claimant__slug=data["claimant"]).values("document")
            )
        if data.get("language"):
            documents = documents.filter(language=data["language"])
        if data.get("year") is not None:
            documents = documents.filter(published_at__year=data["year"])
        return documents.order_by(*self.SORTS[data.get("sort") or self.DEFAULT_SORT])

    @property
    def is_filtered(self):
        self.is_valid()
        return any(value not in (None, "") for name, value in self.cleaned_data.items() if name != "sort")

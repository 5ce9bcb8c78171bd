"""Forms for posted jobs and quotes: they turn requests into values; jobs/services.py decides."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms

from listings.models import Category, Subcategory
from marketplace.fields import DateField
from marketplace.widgets import TimeInput


class JobKindField(forms.ChoiceField):
    """The kind of job: one subcategory (its id), or a whole category ("category-<id>"),
    grouped by category. Cleans to the Subcategory or Category chosen."""

    CATEGORY_PREFIX = "category-"

    def load(self) -> None:
        subcategories = Subcategory.objects.select_related("category").order_by(
            "category__position", "category__name", "position", "name"
        )
        groups: dict[Category, list[tuple[str, str]]] = {}
        self.kinds: dict[str, Category | Subcategory] = {}
        for sub in subcategories:
            options = groups.setdefault(sub.category, [])
            if not options:
                value = f"{self.CATEGORY_PREFIX}{sub.category.pk}"
                options.append((value, f"{sub.category.name}: any kind"))
                self.kinds[value] = sub.category
            options.append((str(sub.pk), f"{sub.category.name}: {sub.name}"))
            self.kinds[str(sub.pk)] = sub
        self.choices = [("", "Choose one"), *((c.name, o) for c, o in groups.items())]

    def clean(self, value: object) -> Category | Subcategory | None:
        value = super().clean(value)
        return self.kinds.get(value) if value else None


class JobForm(forms.Form):
    subcategory = JobKindField(
        label="Kind of job",
        help_text="Not sure which? Choose “any kind” in the category: it reaches all of them.",
    )
    title = forms.CharField(
        label="Job title", max_length=120, help_text="A few words, e.g. “Fix a leaking tap”."
    )
    description = forms.CharField(
        label="What needs doing",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Sizes, access, materials, photos you can send later: anything that helps "
        "providers price it.",
    )
    place = forms.CharField(
        label="Suburb or town", max_length=80, help_text="Where the job is, e.g. Bondi."
    )
    budget_min = forms.DecimalField(
        label="Budget from (AUD)", required=False, min_value=0, decimal_places=2
    )
    budget_max = forms.DecimalField(
        label="Budget up to (AUD)", required=False, min_value=0, decimal_places=2
    )
    date_from = DateField(label="Earliest date", required=False)
    date_to = DateField(label="Latest date", required=False)

    def __init__(self, *args, addressed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if addressed:
            # Asking one provider from their listing: the listing sets the kind of job.
            del self.fields["subcategory"]
        else:
            self.fields["subcategory"].load()

    def kind(self) -> dict[str, Category | Subcategory | None]:
        """The job_post arguments for the kind chosen (none when the listing sets it)."""
        chosen = self.cleaned_data.get("subcategory")
        if isinstance(chosen, Category):
            return {"subcategory": None, "category": chosen}
        return {"subcategory": chosen}


class QuoteForm(forms.Form):
    price = forms.DecimalField(
        label="Your price (AUD, including GST)", min_value=1, max_digits=9, decimal_places=2
    )
    date = DateField(label="Start date")
    time = forms.TimeField(label="Start time", widget=TimeInput)
    duration_minutes = forms.TypedChoiceField(
        label="How long it takes",
        coerce=int,
        choices=[
            (30, "30 minutes"), (60, "1 hour"), (90, "1½ hours"), (120, "2 hours"),
            (180, "3 hours"), (240, "4 hours"), (360, "6 hours"), (480, "8 hours"),
        ],
    )  # fmt: skip
    message = forms.CharField(
        label="Message to the customer",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the price includes, and anything you need to know first.",
    )

    def __init__(self, *args, zone: ZoneInfo, **kwargs):
        self.zone = zone
        super().__init__(*args, **kwargs)

    def start(self) -> datetime:
        """The start as an aware datetime in the job's city."""
        data = self.cleaned_data
        return datetime.combine(data["date"], data["time"]).replace(tzinfo=self.zone)

    def values(self) -> dict[str, object]:
        """The quote_send / quote_revise arguments the form holds."""
        data = self.cleaned_data
        return {
            "price": data["price"],
            "start": self.start(),
            "message": data["message"],
            "duration_minutes": data["duration_minutes"],
        }


class AskNewTimeForm(forms.Form):
    note = forms.CharField(
        label="Note for the provider",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="E.g. “Any weekday after 3 pm”.",
    )

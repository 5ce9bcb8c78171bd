"""Forms of the provider portal: a listing and its photos. Rules live in services.py."""

from collections.abc import Mapping

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.models import ProviderProfile
from marketplace.errors import DomainError, Invalid
from marketplace.images import ACCEPT as IMAGE_ACCEPT
from marketplace.images import image_limits_text
from marketplace.pages import form_add_error
from places.models import City

from .images import MIN_PHOTO_SIDE
from .models import Service, Subcategory
from .policies import POLICY_SUMMARIES, CancellationPolicy
from .services import MAX_PHOTOS_PER_SERVICE, service_attributes_clean

# Extra (schema) fields are named with this prefix so they never clash with the listing's own.
ATTRIBUTE_PREFIX = "attr_"


def attribute_fields(*, subcategory: Subcategory | None) -> dict[str, forms.Field]:
    """Form fields for a subcategory's attribute schema, keyed by their form field name.

    They are all optional to Django: service_attributes_clean decides what is required, so the
    portal and the API say the same thing. `schema_required` drives the "(optional)" marker.
    """
    fields: dict[str, forms.Field] = {}
    for spec in subcategory.attribute_schema if subcategory else []:
        kind = spec["type"]
        label = spec["label"]
        required = bool(spec.get("required"))
        if kind == "boolean":
            field = forms.BooleanField(label=label, required=False)
        elif kind == "choice":
            field = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", "Choose one")] + [(choice, choice) for choice in spec["choices"]],
            )
        elif kind == "number":
            field = forms.CharField(
                label=label,
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        else:
            field = forms.CharField(label=label, required=False, max_length=200)
        field.schema_required = required
        if required and kind != "boolean":
            field.widget.attrs["aria-required"] = "true"
        fields[ATTRIBUTE_PREFIX + spec["name"]] = field
    return fields


def attribute_initial(*, attributes: Mapping[str, object]) -> dict[str, object]:
    """A listing's stored attributes as initial values of the form's extra fields."""
    initial: dict[str, object] = {}
    for name, value in attributes.items():
        if isinstance(value, bool):
            initial[ATTRIBUTE_PREFIX + name] = value
        else:
            initial[ATTRIBUTE_PREFIX + name] = "" if value is None else str(value)
    return initial


class SubcategoryChoiceField(forms.ChoiceField):
    """Subcategories grouped under their categories (<optgroup>), from one query."""

    def __init__(self, *, groups: list[tuple[str, list[Subcategory]]], **kwargs):
        self.by_id = {sub.pk: sub for _, subs in groups for sub in subs}
        choices = [("", "Choose a service type")] + [
            (category, [(sub.pk, sub.name) for sub in subs]) for category, subs in groups
        ]
        super().__init__(choices=choices, **kwargs)

    def clean(self, value) -> Subcategory | None:
        value = super().clean(value)
        if value in ("", None):
            return None
        try:
            return self.by_id[int(value)]
        except (KeyError, ValueError) as error:
            raise ValidationError("Choose a service type from the list.") from error

    def subcategory_for(self, value: object) -> Subcategory | None:
        """The subcategory a raw (posted or initial) value names, or None."""
        if isinstance(value, Subcategory):
            return value
        try:
            return self.by_id.get(int(value))
        except (TypeError, ValueError):
            return None


class ServiceForm(forms.Form):
    subcategory = forms.Field()  # replaced in __init__ with the grouped choices
    city = forms.ModelChoiceField(
        label="City",
        queryset=City.objects.order_by("name"),
        empty_label="Choose a city",
        error_messages={
            "required": "Choose the city this listing is for.",
            "invalid_choice": "Choose a city from the list.",
        },
        help_text="The city this listing appears under. Customers further away see the distance.",
    )
    title = forms.CharField(
        label="Title",
        max_length=120,
        error_messages={"required": "Give your listing a title."},
        help_text="What you do, in a few words, e.g. “Switchboard upgrades and safety switches”.",
    )
    description = forms.CharField(
        label="Description",
        max_length=5000,
        error_messages={"required": "Describe what you offer."},
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What is included, how you work and what customers should know before booking.",
    )
    price_type = forms.ChoiceField(
        label="How you charge",
        choices=Service.PriceType.choices,
        initial=Service.PriceType.FIXED,
        widget=forms.RadioSelect,
    )
    price = forms.DecimalField(
        label="Price (AUD)",
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text="Including GST. Leave blank when you charge “On quote”.",
    )
    duration_minutes = forms.IntegerField(
        label="How long a typical job takes (minutes)",
        min_value=15,
        max_value=60 * 24 * 14,
        initial=60,
    )
    instant_book = forms.BooleanField(
        label="Customers can book instantly",
        required=False,
        help_text="Bookings are confirmed straight away, without waiting for you to accept.",
    )
    cancellation_policy = forms.ChoiceField(
        label="Cancellation policy",
        choices=[
            (value, f"{label}: {POLICY_SUMMARIES[value]}")
            for value, label in CancellationPolicy.choices
        ],
        initial=CancellationPolicy.MODERATE,
        widget=forms.RadioSelect,
        help_text="What a customer pays if they cancel a confirmed booking late.",
    )
    service_radius_km = forms.IntegerField(
        label="How far you travel for this service (km)",
        min_value=1,
        max_value=settings.PROVIDER_MAX_SERVICE_RADIUS_KM,
    )

    def __init__(
        self,
        *args,
        provider: ProviderProfile,
        groups: list[tuple[str, list[Subcategory]]],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.fields["subcategory"] = SubcategoryChoiceField(
            groups=groups,
            label="Service type",
            error_messages={
                "required": "Choose the type of service.",
                "invalid_choice": "Choose a service type from the list.",
            },
            help_text="Each type asks for a few details of its own.",
        )
        self.fields["service_radius_km"].help_text = (
            f"Customers within this distance of the listing can find it (at most "
            f"{settings.PROVIDER_MAX_SERVICE_RADIUS_KM} km)."
        )
        self.chosen_subcategory = self._chosen_subcategory()
        self.fields.update(attribute_fields(subcategory=self.chosen_subcategory))
        self.attributes: dict = {}

    def _chosen_subcategory(self) -> Subcategory | None:
        field: SubcategoryChoiceField = self.fields["subcategory"]
        raw = (
            self.data.get(self.add_prefix("subcategory"))
            if self.is_bound
            else self.initial.get("subcategory")
        )
        return field.subcategory_for(raw)

    def attribute_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(ATTRIBUTE_PREFIX)]

    def main_field_errors(self) -> bool:
        return any(self[name].errors for name in self.fields if name != "subcategory")

    def clean(self):
        cleaned = super().clean()
        price_type = cleaned.get("price_type")
        needs_price = price_type and price_type != Service.PriceType.QUOTE
        if needs_price and cleaned.get("price") is None and "price" not in self.errors:
            self.add_error("price", "Enter a price, or choose “On quote”.")
        subcategory = cleaned.get("subcategory")
        if subcategory is None:
            return cleaned
        raw = {
            name.removeprefix(ATTRIBUTE_PREFIX): cleaned.get(name)
            for name in self.fields
            if name.startswith(ATTRIBUTE_PREFIX)
        }
        try:
            self.attributes = service_attributes_clean(subcategory=subcategory, raw=raw)
        except Invalid as error:
            self.add_attribute_errors(subcategory=subcategory, messages=error.messages)
        return cleaned

    def add_attribute_errors(self, *, subcategory: Subcategory, messages: list[str]) -> None:
        """Put each "Label: problem" message next to its field (or at the top if unknown)."""
        for message in messages:
            for spec in subcategory.attribute_schema:
                name = ATTRIBUTE_PREFIX + spec["name"]
                prefix = f"{spec['label']}: "
                if message.startswith(prefix) and name in self.fields:
                    text = message.removeprefix(prefix)
                    self.add_error(name, text[:1].upper() + text[1:])
                    break
            else:
                self.add_error(None, message)

    def add_service_error(self, error: DomainError) -> None:
        """Show a refusal from the service layer on the matching fields; the extra
        attributes' messages go next to each attribute's own field."""
        fields = dict(error.fields) if isinstance(error, Invalid) else {}
        attribute_messages = fields.pop("attributes", [])
        if isinstance(error, Invalid):
            error = Invalid(error.general, fields=fields)
        form_add_error(self, error)
        if self.chosen_subcategory is not None:
            self.add_attribute_errors(
                subcategory=self.chosen_subcategory, messages=attribute_messages
            )
        else:
            for message in attribute_messages:
                self.add_error(None, message)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "subcategory": data["subcategory"],
            "city": data["city"],
            "title": data["title"],
            "description": data["description"],
            "price_type": data["price_type"],
            "price": data["price"],
            "duration_minutes": data["duration_minutes"],
            "instant_book": data["instant_book"],
            "cancellation_policy": data["cancellation_policy"],
            "service_radius_km": data["service_radius_km"],
            "attributes": self.attributes,
        }

    @staticmethod
    def initial_for_new(*, provider: ProviderProfile) -> dict:
        return {
            "city": provider.base_city_id,
            "service_radius_km": provider.service_radius_km,
            "price_type": Service.PriceType.FIXED,
            "duration_minutes": 60,
            "cancellation_policy": CancellationPolicy.MODERATE,
        }

    @staticmethod
    def initial_from(*, service: Service) -> dict:
        return {
            "subcategory": service.subcategory_id,
            "city": service.city_id,
            "title": service.title,
            "description": service.description,
            "price_type": service.price_type,
            "price": service.price,
            "duration_minutes": service.duration_minutes,
            "instant_book": service.instant_book,
            "cancellation_policy": service.cancellation_policy,
            "service_radius_km": service.service_radius_km,
        } | attribute_initial(attributes=service.attributes)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type="file" multiple>; cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise ValidationError("Choose at least one photo to upload.")
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class PhotoUploadForm(forms.Form):
    photos = MultipleFileField(
        label="Add photos",
        widget=MultipleFileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text=(
            f"JPEG, PNG or WebP, up to {settings.PHOTO_MAX_UPLOAD_BYTES // (1024 * 1024)} MB "
            f"each, at least {MIN_PHOTO_SIDE} pixels a side and {image_limits_text()}. You can "
            f"choose several at once; a listing holds up to {MAX_PHOTOS_PER_SERVICE}."
        ),
    )

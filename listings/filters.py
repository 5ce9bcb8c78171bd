# ruff: noqa: RUF001 - messages use the typographic apostrophe, as the templates do
"""The search form's filters (django-filter), shared by the search page and the API.

The plain filters (category, subcategory, city, price, rating, instant book, verified) narrow
the queryset here. The words, the place and the sort are validated here and applied by
listings.search, which needs them together (ranking, service areas, nearest first).
"""

from decimal import Decimal

import django_filters
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.forms.renderers import Jinja2
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

from accounts.selectors import provider_verified_q
from places.models import City

from .models import Category, Service, Subcategory
from .search import SORTS
from .selectors import CATALOGUE_LISTS_TTL, CATEGORY_CHOICES_KEY, CITY_CHOICES_KEY

RATING_CHOICES = [("4.5", "4.5 stars and up"), ("4", "4 stars and up"), ("3", "3 stars and up")]

# What the page says about a value it cannot use (the value is then ignored).
PROBLEMS = {
    "category": "We don’t have that category. Choose one from the list.",
    "subcategory": "That type of service isn’t in the list for the chosen category.",
    "city": "We don’t have that city. Choose one from the list.",
    "min_rating": "Choose a minimum rating from the list.",
    "price_min": "Minimum price: enter an amount in dollars, such as 80.",
    "price_max": "Maximum price: enter an amount in dollars, such as 250.",
    "lat": "Your location could not be read. Press “Near me” again or type a suburb.",
    "lng": "Your location could not be read. Press “Near me” again or type a suburb.",
    "radius_km": (
        f"Distance: enter a number of kilometres from 1 to "
        f"{settings.PROVIDER_MAX_SERVICE_RADIUS_KM}."
    ),
    "sort": "Choose a sort order from the list.",
    "q": "Keep your search under 100 characters.",
    "where": "Keep the place under 100 characters.",
}


class CachedChoiceIterator(ModelChoiceIterator):
    """The options as cached (value, label) pairs, built from the queryset when missing: the
    category and city lists are drawn on every search page and change only in the admin
    (listings.selectors.catalogue_lists_forget). Rendering needs no query and no model
    instances; a chosen value is still looked up in the queryset when the form is cleaned."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        choices = cache.get(self.field.choices_key)
        if choices is None:
            choices = [
                (self.field.prepare_value(row), self.field.label_from_instance(row))
                for row in self.queryset
            ]
            cache.set(self.field.choices_key, choices, CATALOGUE_LISTS_TTL)
        yield from choices


class CachedModelChoiceField(ModelChoiceField):
    iterator = CachedChoiceIterator

    def __init__(self, *args, choices_key: str, **kwargs):
        self.choices_key = choices_key
        super().__init__(*args, **kwargs)


class CachedModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = CachedModelChoiceField


class SearchForm(forms.Form):
    # The page draws only this form's widgets (the fields' markup is the page's own), and
    # Django's Jinja2 copies of the widget templates render them in half the time.
    default_renderer = Jinja2()


def _ignore(queryset: QuerySet, name: str, value) -> QuerySet:
    """Validated here, applied by listings.search."""
    return queryset


class ServiceSearchFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="What do you need?", method=_ignore, max_length=100, strip=True
    )
    where = django_filters.CharFilter(label="Where?", method=_ignore, max_length=100, strip=True)
    lat = django_filters.NumberFilter(
        label="Latitude", method=_ignore, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    lng = django_filters.NumberFilter(
        label="Longitude", method=_ignore, min_value=-180, max_value=180, widget=forms.HiddenInput
    )
    radius_km = django_filters.NumberFilter(
        label="Within (km)",
        method=_ignore,
        min_value=1,
        max_value=settings.PROVIDER_MAX_SERVICE_RADIUS_KM,
        decimal_places=1,
    )
    category = CachedModelChoiceFilter(
        choices_key=CATEGORY_CHOICES_KEY,
        label="Category",
        queryset=Category.objects.only("name", "slug"),
        to_field_name="slug",
        method="filter_category",
        empty_label="All categories",
    )
    subcategory = django_filters.ModelChoiceFilter(
        label="Type of service",
        queryset=Subcategory.objects.only("name", "slug", "category_id"),
        to_field_name="slug",
        field_name="subcategory",
        empty_label="All types",
    )
    city = CachedModelChoiceFilter(
        choices_key=CITY_CHOICES_KEY,
        label="City",
        queryset=City.objects.only("name", "slug", "state"),
        to_field_name="slug",
        field_name="city",
        empty_label="All cities",
    )
    min_rating = django_filters.ChoiceFilter(
        label="Rating",
        choices=RATING_CHOICES,
        method="filter_min_rating",
        empty_label="Any rating",
    )
    price_min = django_filters.NumberFilter(
        label="Min price ($)", field_name="price", lookup_expr="gte", min_value=0
    )
    price_max = django_filters.NumberFilter(
        label="Max price ($)", field_name="price", lookup_expr="lte", min_value=0
    )
    instant_book = django_filters.BooleanFilter(
        label="Instant book", method="filter_instant_book", widget=forms.CheckboxInput
    )
    verified = django_filters.BooleanFilter(
        label="Verified providers only", method="filter_verified", widget=forms.CheckboxInput
    )
    sort = django_filters.ChoiceFilter(label="Sort by", choices=list(SORTS.items()), method=_ignore)

    class Meta:
        model = Service
        fields: list[str] = []
        form = SearchForm

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        category = (data or {}).get("category")
        if category:
            # The type list follows the chosen category.
            self.filters["subcategory"].queryset = Subcategory.objects.filter(
                category__slug=category
            ).only("name", "slug", "category_id")
        elif not (data or {}).get("subcategory"):
            # No category chosen: the type list is hidden, so nothing to load.
            self.filters["subcategory"].queryset = Subcategory.objects.none()

    def filter_category(self, queryset: QuerySet, name: str, value: Category) -> QuerySet:
        return queryset.filter(subcategory__category_id=value.pk)

    def filter_min_rating(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(rating_average__gte=Decimal(value))

    def filter_instant_book(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        return queryset.filter(instant_book=True) if value else queryset

    def filter_verified(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(provider_verified_q(prefix="provider__"))


def search_filters_bind(
    data, *, queryset: QuerySet[Service]
) -> tuple[ServiceSearchFilter, list[str]]:
    """The bound filters, and a message for each value that could not be used.

    Bad values are dropped (and the form bound again without them), so a mistyped price or
    an old link with an unknown category still shows results instead of an error page.
    """
    filterset = ServiceSearchFilter(data, queryset=queryset)
    if filterset.is_valid():
        low, high = (filterset.form.cleaned_data.get(name) for name in ("price_min", "price_max"))
        if low is None or high is None or low <= high:
            return filterset, []
        swapped = data.copy()
        swapped["price_min"], swapped["price_max"] = data["price_max"], data["price_min"]
        filterset = ServiceSearchFilter(swapped, queryset=queryset)
        filterset.is_valid()
        return filterset, ["The minimum price was above the maximum, so we swapped them."]
    bad = list(filterset.form.errors)
    problems = list(dict.fromkeys(PROBLEMS.get(name, "Check the search form.") for name in bad))
    cleaned = data.copy()
    for name in bad:
        cleaned.pop(name, None)
    if "lat" in bad or "lng" in bad:
        cleaned.pop("lat", None)
        cleaned.pop("lng", None)
    filterset = ServiceSearchFilter(cleaned, queryset=queryset)
    filterset.is_valid()
    return filterset, problems

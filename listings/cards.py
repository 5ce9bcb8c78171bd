"""Service cards: what a card on a public list shows, read as plain values (a selector).

Public lists (category x city, the category's best rated, a provider's profile, search and
near-me) show up to 20 cards a page. Reading them as model instances cost more than the
query: four model instances a card (service, provider, subcategory, city), a GEOS point
parsed for each, a prefetch query for the photos, and template lookups on model attributes.
A card is instead one row of one query (its first photo's thumbnail a subquery), turned
into a small frozen dataclass with everything already formatted that the template shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    FloatField,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.urls import reverse

from accounts.models import ProviderProfile, monogram_colour_for, monogram_initials_for
from accounts.selectors import provider_verified_q

from .models import Service, ServicePhoto

# The row a card is made of: a service's own columns and its provider's, subcategory's and
# city's, joined in the one query.
_CARD_COLUMNS = (
    "id",
    "slug",
    "title",
    "price_type",
    "price",
    "rating_average",
    "rating_count",
    "provider_id",
    "provider__business_name",
    "provider__logo",
    "subcategory__name",
    "city__name",
)


@dataclass(frozen=True, slots=True)
class ProviderBadge:
    """Who offers a listing, as its card and the provider logo partial show them."""

    pk: int
    business_name: str
    logo_url: str
    monogram_initials: str
    monogram_colour: str
    is_verified: bool


@dataclass(frozen=True, slots=True)
class ServiceCard:
    pk: int
    title: str
    url: str
    provider: ProviderBadge
    subcategory_name: str
    city_name: str
    price_type: str
    price: Decimal | None
    rating_average: Decimal
    rating_count: int
    thumbnail_url: str = ""
    distance_km: float | None = None
    latitude: float | None = None
    longitude: float | None = None
    # The queryset's other annotations by name (search's "exact", "rank"...).
    annotations: dict[str, Any] = field(default_factory=dict)


# Where the files live (local disk or S3): the same storages the file fields use.
_THUMBNAILS = ServicePhoto._meta.get_field("thumbnail").storage
_LOGOS = ProviderProfile._meta.get_field("logo").storage


class _Coordinate(Func):
    """ST_Y or ST_X of the geography point: a float, with no GEOS object built in Python."""

    template = "%(function)s(%(expressions)s::geometry)"
    output_field = FloatField()


def _first_thumbnail() -> Subquery:
    return Subquery(
        ServicePhoto.objects.filter(service_id=OuterRef("pk"))
        .order_by("position", "id")
        .values("thumbnail")[:1]
    )


def _service_url_pattern() -> tuple[str, str]:
    """The listing URL with placeholders, reversed once a page instead of once a card."""
    return reverse("service_detail", kwargs={"pk": 1, "slug": "slug"}), "1-slug"


def service_card_list(
    queryset: QuerySet[Service], *, with_point: bool = False
) -> list[ServiceCard]:
    """`queryset` (ordered and sliced as wanted) read as cards, in one query.

    Annotations on `queryset` are kept: `distance_m` becomes `distance_km`, the others go
    to `annotations`. `with_point` adds the latitude and longitude (the search map).
    """
    extra = list(queryset.query.annotations)
    coordinates = (
        {
            "latitude": _Coordinate("point", function="ST_Y"),
            "longitude": _Coordinate("point", function="ST_X"),
        }
        if with_point
        else {}
    )
    rows = queryset.values(
        *_CARD_COLUMNS,
        *extra,
        card_thumbnail=_first_thumbnail(),
        card_verified=ExpressionWrapper(
            provider_verified_q(prefix="provider__"), output_field=BooleanField()
        ),
        **coordinates,
    )
    url, placeholder = _service_url_pattern()
    return [
        _card(row, url.replace(placeholder, f"{row['id']}-{row['slug']}"), extra) for row in rows
    ]


def _card(row: dict, url: str, extra: list[str]) -> ServiceCard:
    thumbnail, logo, distance = row["card_thumbnail"], row["provider__logo"], row.get("distance_m")
    return ServiceCard(
        pk=row["id"],
        title=row["title"],
        url=url,
        provider=ProviderBadge(
            pk=row["provider_id"],
            business_name=row["provider__business_name"],
            logo_url=_LOGOS.url(logo) if logo else "",
            monogram_initials=monogram_initials_for(row["provider__business_name"]),
            monogram_colour=monogram_colour_for(row["provider_id"]),
            is_verified=row["card_verified"],
        ),
        subcategory_name=row["subcategory__name"],
        city_name=row["city__name"],
        price_type=row["price_type"],
        price=row["price"],
        rating_average=row["rating_average"],
        rating_count=row["rating_count"],
        thumbnail_url=_THUMBNAILS.url(thumbnail) if thumbnail else "",
        distance_km=None if distance is None else distance / 1000,
        latitude=row.get("latitude"),
        longitude=row.get("longitude"),
        annotations={name: row[name] for name in extra if name != "distance_m"},
    )

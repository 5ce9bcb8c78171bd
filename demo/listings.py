"""Demo listings: each demo provider offers several services in its trade, with photos.

`provider_service_plans` is pure (no database): provider number *i* always gets the same listings,
whatever the scale, drawn from the offers and words of `data/offers.yaml`; the demo account's own
listings are written by hand in `data/demo_accounts.yaml`. `services_seed` writes listings for
the demo providers that have none yet,
in chunks, with `bulk_create` and no per-row queries; then it points `ServicePhoto` rows at the
shared demo pictures and refreshes search vectors and the search lexicon once. Listings start
with no rating: demo/reviews.py writes the reviews each plan asks for and reviews.aggregates
computes the figures from them.
"""

import random
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.contrib.gis.geos import Point
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from accounts.models import ProviderProfile
from listings.models import CancellationPolicy, Service, ServicePhoto, Subcategory
from listings.services import (
    search_terms_refresh,
    service_attributes_clean,
    service_search_vectors_refresh,
)

from .cities import largest_cities
from .dataset import QUOTE, Offer, ServicePlan, demo_data
from .photos import DemoPhoto, demo_photos_ensure, demo_photos_in_use, photo_variant
from .providers import PROVIDER_EMAIL_DOMAIN, provider_plans

SERVICES_PER_PROVIDER = (11, 18)  # inclusive; about 14 a provider on average
PROVIDERS_PER_CHUNK = 500
# Below this many new listings, only their search vectors are computed; above, all in one pass.
REFRESH_ALL_FROM = 5000
VAGUE_CHOICES = {"Not sure", "Not sure yet", "Something else"}

Status = Service.Status


# Most listings take the moderate policy; some flexible, some strict. Derived from the title
# (not the random stream) so adding it changed no other demo value.
_POLICIES = (
    CancellationPolicy.FLEXIBLE,
    CancellationPolicy.MODERATE,
    CancellationPolicy.MODERATE,
    CancellationPolicy.STRICT,
)


def _policy_for(title: str) -> str:
    return _POLICIES[zlib.crc32(title.encode()) % len(_POLICIES)]


@dataclass
class ServicesReport:
    services: int = 0
    photos: int = 0
    timings: dict[str, float] = field(default_factory=dict)


# --- Generation (pure) --------------------------------------------------------------------------


def _number(subcategory_slug: str, name: str, rng: random.Random) -> float:
    return rng.choice(demo_data().listing_words.number_values(subcategory_slug, name))


def attributes_for(subcategory_slug: str, schema: Sequence[dict], rng: random.Random) -> dict:
    """Values for a listing's extra fields, built from the schema: required ones always."""
    values: dict[str, object] = {}
    for spec in schema:
        if not spec.get("required") and rng.random() < 0.35:
            continue
        name, kind = spec["name"], spec["type"]
        if kind == "choice":
            choices = [c for c in spec["choices"] if c not in VAGUE_CHOICES] or spec["choices"]
            if name == "to_state" and values.get("from_state") in choices:
                choices = [c for c in choices if c != values["from_state"]] or choices
            values[name] = rng.choice(choices)
        elif kind == "number":
            values[name] = _number(subcategory_slug, name, rng)
        elif kind == "boolean":
            values[name] = rng.random() < 0.6
        else:
            values[name] = rng.choice(demo_data().listing_words.texts[name])
    return values


def _display(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _price(offer: Offer, attributes: dict, subcategory_slug: str, rng: random.Random) -> Decimal:
    low, high = offer.price_range
    amount = rng.uniform(low, high)
    if offer.price_grows_with:
        values = demo_data().listing_words.number_values(subcategory_slug, offer.price_grows_with)
        extra = float(attributes.get(offer.price_grows_with, min(values))) - min(values)
        amount *= 1 + offer.growth * extra
    if offer.price_type == "hourly":
        return Decimal(int(round(amount / 5) * 5))
    if amount >= 1000:
        amount = round(amount / 10) * 10
        return Decimal(amount - (10 if rng.random() < 0.4 else 0))
    amount = round(amount / 5) * 5
    return Decimal(amount - (1 if rng.random() < 0.3 else 0))


# Reviews a listing has had: none for one in five, else about eight and at most 120 (fewer
# are written for a provider approved in the last two years: none from before it joined).
REVIEWS_MEAN = 8
REVIEWS_MAX = 120


def _reviews_planned(rng: random.Random) -> tuple[int, float]:
    """How many reviews the listing has had and the stars its customers give on average.

    The same draws, in the same order, as the rating figures this replaced, so no other value
    of the demo data changed (the figures are now computed from the reviews written).
    """
    if rng.random() < 0.2:
        return 0, 0.0  # new on the site, no reviews yet
    count = min(REVIEWS_MAX, int(rng.expovariate(1 / REVIEWS_MEAN)) + 1)
    stars = max(3.0, min(5.0, rng.gauss(4.62, 0.28)))
    return count, round(stars, 2)


def _status(provider_status: str, rng: random.Random) -> str:
    if provider_status in (ProviderProfile.Status.PENDING, ProviderProfile.Status.REJECTED):
        return Status.DRAFT  # providers prepare drafts before they are approved
    roll = rng.random()
    if roll < 0.9:
        return Status.ACTIVE
    if roll < 0.95:
        return Status.DRAFT
    if roll < 0.99:
        return Status.PAUSED
    return Status.HIDDEN


def _area(city_slug: str, city_name: str, rng: random.Random) -> tuple[str, str]:
    """(area as a sentence says it, area as a title says it): "the Inner West", "Inner West"."""
    areas = demo_data().places.city_areas.get(city_slug)
    if areas and rng.random() < 0.6:
        area = rng.choice(areas)
        return area, area.removeprefix("the ").removesuffix(" area")
    return city_name, city_name


def _description(offer: Offer, *, rng: random.Random, area: str, city: str, radius_km: int) -> str:
    words = demo_data().listing_words
    details = rng.sample(offer.details, k=min(len(offer.details), rng.randint(2, 3)))
    sentences = [*details, rng.choice(words.price_lines[offer.price_type])]
    if rng.random() < 0.7:
        sentences.append(rng.choice(words.trust_lines))
    sentences.append(rng.choice(words.area_lines).format(area=area, city=city, radius=radius_km))
    return " ".join(sentences)


def provider_service_plans(
    *, index: int, trade: str, city_slug: str, provider_status: str, radius_km: int
) -> list[ServicePlan]:
    """The listings of demo provider `index`; pure and deterministic."""
    rng = random.Random(f"nearhand-demo-services-{index}")
    data = demo_data()
    offers = data.offers
    category = data.category(trade)
    city_name = next((c.name for c in largest_cities() if c.slug == city_slug), city_slug)
    subcategories = list(category.subcategories)
    rng.shuffle(subcategories)
    # Most providers focus on a few of their trade's subcategories; some do everything.
    focus = subcategories[: rng.randint(min(3, len(subcategories)), len(subcategories))]
    count = rng.randint(*SERVICES_PER_PROVIDER)
    titles_left = {sub.slug: rng.sample(offers[sub.slug].titles, k=len(offers[sub.slug].titles))
                   for sub in focus}  # fmt: skip
    used_titles: set[str] = set()
    plans: list[ServicePlan] = []
    for number in range(count):
        sub = focus[number % len(focus)]
        offer = offers[sub.slug]
        area, place = _area(city_slug, city_name, rng)
        for _attempt in range(6):
            attributes = attributes_for(sub.slug, sub.schema, rng)
            if not titles_left[sub.slug]:
                titles_left[sub.slug] = rng.sample(offer.titles, k=len(offer.titles))
            template = titles_left[sub.slug].pop()
            words = {name: _display(value) for name, value in attributes.items()}
            title = template.format(place=place, city=city_name, **words)
            if title not in used_titles:
                break
        else:
            title = f"{title} ({number + 1})"
        used_titles.add(title)
        price = None if offer.price_type == QUOTE else _price(offer, attributes, sub.slug, rng)
        reviews, stars = _reviews_planned(rng)
        others = [other.slug for other in category.subcategories if other.slug != sub.slug]
        plans.append(
            ServicePlan(
                subcategory_slug=sub.slug,
                title=title[:120],
                description=_description(
                    offer, rng=rng, area=area, city=city_name, radius_km=radius_km
                ),
                price_type=offer.price_type,
                price=price,
                duration_minutes=rng.choice(offer.durations),
                instant_book=offer.price_type != QUOTE and rng.random() < offer.instant_share,
                attributes=attributes,
                status=_status(provider_status, rng),
                reviews=reviews,
                stars=stars,
                extra_photo=rng.choice(others) if others and rng.random() < 0.3 else "",
            )
        )
    return plans


class DemoProviderRow(Protocol):
    """A demo provider as a seed step read it from the database."""

    index: int  # 0 for the demo account
    status: str
    city_slug: str
    radius_km: int


def demo_provider_plans(provider: DemoProviderRow, trades: dict[int, str]) -> Sequence[ServicePlan]:
    """The listings of a demo provider (its trade looked up in `trades` by index), or the demo
    account's own, written by hand."""
    if provider.index == 0:
        return demo_data().demo_provider.listings
    return provider_service_plans(
        index=provider.index,
        trade=trades[provider.index],
        city_slug=provider.city_slug,
        provider_status=provider.status,
        radius_km=provider.radius_km,
    )


# --- Writing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Provider:
    pk: int
    index: int  # 0 for the demo account
    status: str
    city_id: int
    city_slug: str
    point: Point
    radius_km: int


def _providers_without_services() -> list[_Provider]:
    """Demo providers (generated ones and the demo account) that have no listings yet."""
    demo_slug = demo_data().demo_provider.slug
    demo = Q(user__email__endswith=f"@{PROVIDER_EMAIL_DOMAIN}") | Q(slug=demo_slug)
    missing = (
        ProviderProfile.objects.filter(demo, services__isnull=True)
        .values_list(
            "pk", "slug", "user__email", "status", "base_city_id", "base_city__slug",
            "base_point", "service_radius_km",
        )
        .order_by("pk")
    )  # fmt: skip
    providers = []
    for pk, slug, email, status, city_id, city_slug, point, radius in missing:
        index = 0 if slug == demo_slug else int(email.split("@")[0].rsplit("-", 1)[1])
        providers.append(_Provider(pk, index, status, city_id, city_slug, point, radius))
    return providers


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def photo_keys(index: int, plan: ServicePlan) -> list[tuple[str, int]]:
    """The demo pictures of a listing of provider `index` (0: the demo account), in order: its
    subcategory's, then maybe one of a sibling's; each in a variant chosen by the listing."""
    slugs = filter(None, (plan.subcategory_slug, plan.extra_photo))
    return [(slug, photo_variant(key=f"{index}:{plan.title}:{slug}")) for slug in slugs]


def _write(
    batch: list[tuple[_Provider, ServicePlan]],
    *,
    subcategories: dict[str, Subcategory],
    photos: dict[str, DemoPhoto],
) -> tuple[int, int]:
    services = []
    for provider, plan in batch:
        subcategory = subcategories[plan.subcategory_slug]
        services.append(
            Service(
                provider_id=provider.pk,
                subcategory=subcategory,
                city_id=provider.city_id,
                title=plan.title,
                slug=slugify(plan.title)[:140] or "service",
                description=plan.description,
                price_type=plan.price_type,
                price=plan.price,
                duration_minutes=plan.duration_minutes,
                point=provider.point,
                service_radius_km=provider.radius_km,
                # Checked like the portal checks them; a bad value fails loudly here.
                attributes=service_attributes_clean(subcategory=subcategory, raw=plan.attributes),
                status=plan.status,
                instant_book=plan.instant_book,
                cancellation_policy=_policy_for(plan.title),
            )
        )
    Service.objects.bulk_create(services, batch_size=2000)
    rows = []
    for service, (provider, plan) in zip(services, batch, strict=True):
        for position, key in enumerate(photo_keys(provider.index, plan)):
            photo = photos[key]
            rows.append(
                ServicePhoto(
                    service_id=service.pk,
                    image=photo.image,
                    thumbnail=photo.thumbnail,
                    width=photo.width,
                    height=photo.height,
                    alt_text=photo.alt_text,
                    position=position,
                )
            )
    ServicePhoto.objects.bulk_create(rows, batch_size=5000)
    return len(services), len(rows)


@transaction.atomic
def services_seed(*, log: Callable[[str], None] | None = None) -> ServicesReport:
    """Listings (with photos) for every demo provider that has none; returns what it wrote.

    Cheap when nothing is missing: two queries, and a check that the pictures in use exist.
    """
    report = ServicesReport()
    started = time.perf_counter()
    # Always: the pictures are shared, and deleting one listing's photo in the portal deletes
    # the file, so a run of the seed redraws whatever listings point at and is missing.
    photos = demo_photos_ensure(keys=demo_photos_in_use())
    providers = _providers_without_services()
    if not providers:
        return report
    checked = time.perf_counter() - started
    drawing = 0.0  # seconds spent drawing pictures for the new listings
    subcategories = {sub.slug: sub for sub in Subcategory.objects.all()}
    highest = max(provider.index for provider in providers)
    trades = {plan.index: plan.trade for plan in provider_plans(highest)} if highest else {}
    step = time.perf_counter()
    for chunk in _chunks(providers, PROVIDERS_PER_CHUNK):
        batch: list[tuple[_Provider, ServicePlan]] = []
        for provider in chunk:
            plans = demo_provider_plans(provider, trades)
            batch.extend((provider, plan) for plan in plans)
        # Each subcategory's picture is drawn the first time a listing needs it.
        drawn = time.perf_counter()
        needed = {key for provider, plan in batch for key in photo_keys(provider.index, plan)}
        photos.update(demo_photos_ensure(keys=needed - set(photos)))
        drawing += time.perf_counter() - drawn
        services, photo_rows = _write(batch, subcategories=subcategories, photos=photos)
        report.services += services
        report.photos += photo_rows
        if log:
            log(f"  ... {report.services} services, {report.photos} photos")
    new_ids = [provider.pk for provider in providers]
    report.timings["photos"] = checked + drawing
    report.timings["services"] = time.perf_counter() - step - drawing

    step = time.perf_counter()
    if report.services < REFRESH_ALL_FROM:
        service_search_vectors_refresh(
            service_ids=Service.objects.filter(provider_id__in=new_ids).values_list("pk", flat=True)
        )
    else:
        service_search_vectors_refresh()
    report.timings["search vectors"] = time.perf_counter() - step

    step = time.perf_counter()
    search_terms_refresh()
    report.timings["lexicon"] = time.perf_counter() - step
    return report

"""Demo providers: plausible Australian trade businesses, generated deterministically.

`provider_plans` is pure (no database): provider number *i* always comes out the same, whatever
the scale, so a bigger ``--scale`` later only adds providers. The words come from
`data/providers.yaml` and `data/places.yaml`. `providers_seed` writes the ones that are missing
with `bulk_create`.
"""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils.text import slugify

from accounts.models import ProviderProfile, ProviderStatusEvent, User
from places.models import City

from .cities import CityData, largest_cities
from .dataset import CategoryData, demo_data

PROVIDERS_PER_SCALE = 200
PROVIDER_EMAIL_DOMAIN = "demo.nearhand.test"
# A fixed "today" for dates in the demo data, so two databases seeded on different days match.
DEMO_TODAY = date(2026, 11, 1)
SCATTER_KM = 15
# Every city gets at least this share of the providers, however small it is.
MIN_CITY_SHARE = 0.012

Status = ProviderProfile.Status


def provider_email(index: int) -> str:
    return f"provider-{index:04d}@{PROVIDER_EMAIL_DOMAIN}"


@dataclass(frozen=True)
class ProviderPlan:
    """Everything about one demo provider, decided before anything is written."""

    index: int
    email: str
    name: str
    phone: str
    trade: str  # the category slug of the provider's trade; the services step will use it
    business_name: str
    slug: str
    bio: str
    city_slug: str
    latitude: float
    longitude: float
    service_radius_km: int
    status: str
    status_reason: str
    licence_number: str
    insurance_provider: str
    insurance_policy_number: str
    insurance_expires_on: date | None
    licence_verified: bool
    insurance_verified: bool
    approved_at: datetime | None


# --- Generation ---------------------------------------------------------------------------------


def city_sequence(cities: Sequence[CityData], count: int) -> list[CityData]:
    """The home cities of providers 1..count, in order, spread roughly by population.

    Smooth weighted round-robin: the sequence never depends on `count`, so provider *i* keeps its
    city when the scale grows, and every prefix is as close to the weights as it can be. Small
    cities get a minimum share so each one has providers.
    """
    total = sum(city.population for city in cities)
    weights = [max(city.population, total * MIN_CITY_SHARE) for city in cities]
    weight_sum = sum(weights)
    current = [0.0] * len(cities)
    sequence: list[CityData] = []
    for _ in range(count):
        for position, weight in enumerate(weights):
            current[position] += weight
        chosen = max(range(len(cities)), key=lambda position: current[position])
        current[chosen] -= weight_sum
        sequence.append(cities[chosen])
    return sequence


def _scatter(rng: random.Random, city: CityData) -> tuple[float, float]:
    """A point within SCATTER_KM of the city centre, on the land side for coastal cities."""
    start, end = demo_data().places.land_bearings.get(city.slug, (0, 360))
    bearing = math.radians(rng.uniform(start, end) % 360)
    distance = SCATTER_KM * math.sqrt(rng.random())
    latitude = city.latitude + (distance * math.cos(bearing)) / 111.32
    longitude = city.longitude + (distance * math.sin(bearing)) / (
        111.32 * math.cos(math.radians(city.latitude))
    )
    return round(latitude, 6), round(longitude, 6)


def _licence_number(rng: random.Random, trade: str, state: str) -> str:
    digits = rng.randrange(10**5, 10**6)
    if trade == "electricians":
        prefixes = {"NSW": f"{digits}C", "VIC": f"REC {digits}", "QLD": f"EC{digits}",
                    "WA": f"EC{digits}", "SA": f"PGE {digits}", "TAS": f"{digits}",
                    "ACT": f"{digits}", "NT": f"C{digits}"}  # fmt: skip
        return prefixes[state]
    if trade == "air-conditioning":
        return f"AU{digits}"  # ARCtick refrigerant handling licence
    if trade == "pest-control":
        return f"{state} PMT {digits}"  # pest management technician licence
    if trade == "locksmiths":
        return f"{state}-SEC-{digits}"
    if state == "NSW":
        return f"{digits}C"
    if state == "QLD":
        return f"QBCC {digits + rng.randrange(10) * 10**6}"
    if state == "VIC":
        return f"VBA {digits}"
    return f"{state} {digits}"


def _phone(rng: random.Random, state: str) -> str:
    words = demo_data().provider_words
    if rng.random() < 0.7:
        return rng.choice(words.mobiles)
    block = rng.choice(("5550", "7010"))
    return f"({words.area_codes[state]}) {block} {rng.randrange(10000):04d}"


def _business_name(rng: random.Random, trade: str, first: str, surname: str, city: CityData) -> str:
    data = demo_data()
    suffix = rng.choice(data.provider_words.trades[trade].suffixes)
    pattern = rng.random()
    if pattern < 0.45:
        return f"{rng.choice(data.provider_words.name_words)} {suffix}"
    if pattern < 0.6:
        return f"{first}'s {suffix}"
    if pattern < 0.7:
        return f"{surname} {rng.choice(('& Sons', 'Bros', '& Co'))} {suffix}"
    if pattern < 0.8:
        return f"{first[0]}{surname[0]} {suffix}"
    areas = data.places.city_areas.get(city.slug)
    if areas and rng.random() < 0.6:
        place = rng.choice(areas).removeprefix("the ").removesuffix(" area")
    else:
        place = city.name
    return f"{place} {suffix}"


# Draws of a business name before a provider falls back to one with the owner's surname.
NAME_DRAWS = 12


def _unused_business_name(
    rng: random.Random,
    trade: str,
    first: str,
    surname: str,
    city: CityData,
    used: set[tuple[str, str]],
) -> str:
    """A business name no other demo provider in `city` has (two "Hills District Electrical"
    side by side on a results page read as a bug); records it in `used`."""
    # Drawn one at a time: a provider whose first name is free draws exactly as before.
    for _ in range(NAME_DRAWS):
        name = _business_name(rng, trade, first, surname, city)
        if (city.slug, name.casefold()) not in used:
            break
    else:
        suffix = rng.choice(demo_data().provider_words.trades[trade].suffixes)
        base, number = f"{first} {surname} {suffix}", 1
        name = base
        while (city.slug, name.casefold()) in used:
            number += 1
            name = f"{base} {number}"
    used.add((city.slug, name.casefold()))
    return name


def _bio(
    rng: random.Random,
    *,
    category: CategoryData,
    business_name: str,
    first: str,
    city: CityData,
    licensed_and_insured: bool,
) -> str:
    data = demo_data()
    trade = data.provider_words.trades[category.slug]
    one, many = trade.person, trade.people
    areas = data.places.city_areas.get(city.slug)
    area = rng.choice(areas) if areas and rng.random() < 0.5 else city.name
    since = DEMO_TODAY.year - rng.randint(2, 30)
    openers = (
        f"{first} started {business_name} in {since} after years with one of "
        f"{city.name}'s bigger outfits.",
        f"Family owned and operated, we've looked after homes across {area} since {since}.",
        f"Local {one} servicing {area} and surrounds, with "
        f"{DEMO_TODAY.year - since} years' experience.",
        f"We're a small team of {many} based in {area}, and most of our work comes from repeat "
        "customers and word of mouth.",
        f"G'day, I'm {first}. I run {business_name} out of {area} and I'm on every job myself.",
        f"{business_name} is a {city.name} crew known for turning up on time and leaving the "
        "place tidier than we found it.",
    )
    closers = [closer.format(area=area) for closer in data.provider_words.closers]
    if licensed_and_insured:
        closers.extend(data.provider_words.licensed_closers)
    return " ".join((rng.choice(openers), rng.choice(trade.bio_lines), rng.choice(closers)))


def _unique_slug(business_name: str, city: CityData, used: set[str]) -> str:
    base = slugify(business_name)[:120] or "provider"
    for candidate in (base, f"{base}-{city.slug}"):
        if candidate not in used:
            return candidate
    suffix = 2
    while f"{base}-{city.slug}-{suffix}" in used:
        suffix += 1
    return f"{base}-{city.slug}-{suffix}"


def provider_plans(
    count: int, *, reserved_slugs: frozenset[str] = frozenset()
) -> list[ProviderPlan]:
    """Plans for demo providers 1..count; pure and deterministic (plan *i* ignores count)."""
    data = demo_data()
    words = data.provider_words
    insurers = tuple(words.insurers)
    cities = largest_cities()
    categories = data.categories
    trade_weights = [category.provider_weight for category in categories]
    used_slugs = set(reserved_slugs)
    demo_provider = data.demo_provider
    used_names = {(demo_provider.city_slug, demo_provider.business_name.casefold())}
    plans: list[ProviderPlan] = []
    for index, city in enumerate(city_sequence(cities, count), start=1):
        rng = random.Random(f"nearhand-demo-provider-{index}")
        category = rng.choices(categories, weights=trade_weights)[0]
        first, surname = rng.choice(words.first_names), rng.choice(words.surnames)
        business_name = _unused_business_name(rng, category.slug, first, surname, city, used_names)
        slug = _unique_slug(business_name, city, used_slugs)
        used_slugs.add(slug)

        roll = rng.random()
        if roll < 0.85:
            status, reason = Status.APPROVED, ""
        elif roll < 0.95:
            status, reason = Status.PENDING, ""
        elif roll < 0.98:
            status, reason = Status.REJECTED, rng.choice(words.rejection_reasons)
        else:
            status, reason = Status.SUSPENDED, rng.choice(words.suspension_reasons)
        approved = status == Status.APPROVED

        licence = _licence_number(rng, category.slug, city.state) if category.licensed else ""
        insured = rng.random() < 0.85
        insurer = rng.choice(insurers) if insured else ""
        policy = f"{words.insurers[insurer]}-{rng.randrange(10**7, 10**8)}" if insured else ""
        expires = DEMO_TODAY + timedelta(days=rng.randint(45, 540)) if insured else None
        licence_verified = bool(licence) and approved and rng.random() < 0.8
        insurance_verified = insured and approved and rng.random() < 0.75
        approved_at = None
        if approved:
            approved_on = DEMO_TODAY - timedelta(days=rng.randint(1, 900))
            approved_at = datetime.combine(approved_on, time(rng.randint(0, 7), 0), tzinfo=UTC)

        latitude, longitude = _scatter(rng, city)
        bio = _bio(
            rng,
            category=category,
            business_name=business_name,
            first=first,
            city=city,
            licensed_and_insured=bool(licence) and insured,
        )
        plans.append(
            ProviderPlan(
                index=index,
                email=provider_email(index),
                name=f"{first} {surname}",
                phone=_phone(rng, city.state),
                trade=category.slug,
                business_name=business_name,
                slug=slug,
                bio=bio,
                city_slug=city.slug,
                latitude=latitude,
                longitude=longitude,
                service_radius_km=rng.choice((10, 15, 20, 25, 30, 40, 50, 60)),
                status=status,
                status_reason=reason,
                licence_number=licence,
                insurance_provider=insurer,
                insurance_policy_number=policy,
                insurance_expires_on=expires,
                licence_verified=licence_verified,
                insurance_verified=insurance_verified,
                approved_at=approved_at,
            )
        )
    return plans


# --- Writing ------------------------------------------------------------------------------------


def demo_provider_emails() -> set[str]:
    """Emails of the generated demo providers that already exist."""
    return set(
        User.objects.filter(
            email__endswith=f"@{PROVIDER_EMAIL_DOMAIN}", provider_profile__isnull=False
        ).values_list("email", flat=True)
    )


@transaction.atomic
def providers_seed(
    *, count: int, actor: User | None = None, reserved_slugs: frozenset[str] = frozenset()
) -> list[ProviderPlan]:
    """Create demo providers 1..count that do not exist yet; returns the plans it wrote.

    Cheap when nothing is missing: one query, no generation.
    """
    existing = demo_provider_emails()
    if all(provider_email(index) in existing for index in range(1, count + 1)):
        return []
    missing = [
        plan for plan in provider_plans(count, reserved_slugs=reserved_slugs)
        if plan.email not in existing
    ]  # fmt: skip
    # A person signed up earlier with a demo address but no profile: reuse the account.
    users_by_email = {
        user.email: user for user in User.objects.filter(email__in=[plan.email for plan in missing])
    }
    # Slugs taken by real providers since the plans were drawn get a numeric suffix.
    taken = set(
        ProviderProfile.objects.filter(slug__in=[plan.slug for plan in missing]).values_list(
            "slug", flat=True
        )
    )
    city_ids = dict(City.objects.values_list("slug", "pk"))
    unusable_password = make_password(None)  # demo providers cannot sign in
    new_users = [
        User(
            email=plan.email,
            name=plan.name,
            phone=plan.phone,
            password=unusable_password,
            wants_to_offer_services=True,
        )
        for plan in missing
        if plan.email not in users_by_email
    ]
    for user in User.objects.bulk_create(new_users, batch_size=1000):
        users_by_email[user.email] = user
    profiles = []
    for plan in missing:
        slug = plan.slug
        suffix = 2
        while slug in taken:
            slug = f"{plan.slug}-{suffix}"
            suffix += 1
        taken.add(slug)
        profiles.append(
            ProviderProfile(
                user=users_by_email[plan.email],
                business_name=plan.business_name,
                slug=slug,
                bio=plan.bio,
                status=plan.status,
                status_reason=plan.status_reason,
                base_city_id=city_ids[plan.city_slug],
                base_point=Point(plan.longitude, plan.latitude, srid=4326),
                service_radius_km=plan.service_radius_km,
                licence_number=plan.licence_number,
                insurance_provider=plan.insurance_provider,
                insurance_policy_number=plan.insurance_policy_number,
                insurance_expires_on=plan.insurance_expires_on,
                licence_verified=plan.licence_verified,
                insurance_verified=plan.insurance_verified,
                approved_at=plan.approved_at,
            )
        )
    ProviderProfile.objects.bulk_create(profiles, batch_size=1000)
    ProviderStatusEvent.objects.bulk_create(
        [
            ProviderStatusEvent(
                profile=profile,
                from_status=Status.PENDING,
                to_status=profile.status,
                actor=actor,
                reason=profile.status_reason,
            )
            for profile in profiles
            if profile.status != Status.PENDING
        ],
        batch_size=1000,
    )
    return missing

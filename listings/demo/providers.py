"""Demo providers: plausible Australian trade businesses, generated deterministically.

`provider_plans` is pure (no database): provider number *i* always comes out the same, whatever
the scale, so a bigger ``--scale`` later only adds providers. `providers_seed` writes the ones
that are missing with `bulk_create`.
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

from .catalogue import CATEGORIES, CategoryData
from .cities import LAND_BEARINGS, CityData, largest_cities

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


# --- Word lists ---------------------------------------------------------------------------------

FIRST_NAMES = (
    "Jack", "Oliver", "Liam", "Noah", "Will", "Thomas", "James", "Lachlan", "Cooper", "Riley",
    "Mitchell", "Brendan", "Daniel", "Matt", "Josh", "Ben", "Sam", "Luke", "Nathan", "Ryan",
    "Dave", "Mick", "Steve", "Craig", "Shane", "Darren", "Troy", "Brett", "Wayne", "Glenn",
    "Charlotte", "Olivia", "Amelia", "Isla", "Mia", "Chloe", "Sophie", "Emily", "Grace", "Ruby",
    "Jess", "Kate", "Sarah", "Rachel", "Michelle", "Leanne", "Kylie", "Tania", "Bec", "Hannah",
    "Minh", "Tuan", "Wei", "Jun", "Arjun", "Raj", "Harpreet", "Gurpreet", "Mohammed", "Ali",
    "Giorgos", "Nikos", "Marco", "Luca", "Sione", "Tevita", "Aroha", "Ngaire", "Priya", "Anjali",
)  # fmt: skip
SURNAMES = (
    "Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Johnson", "White", "Martin",
    "Anderson", "Thompson", "Walker", "Harris", "Ryan", "Kelly", "Murphy", "O'Brien", "Sullivan",
    "McDonald", "Campbell", "Stewart", "Robertson", "Mitchell", "Clarke", "Baker", "Hughes",
    "Cooper", "Fraser", "Henderson", "Bell", "Nguyen", "Tran", "Le", "Pham", "Chen", "Wang",
    "Li", "Zhang", "Singh", "Kaur", "Patel", "Sharma", "Papadopoulos", "Nikolaidis", "Rossi",
    "Russo", "Ferrari", "Haddad", "Khoury", "Fifita", "Ngata", "Edwards", "Lewis", "Young",
    "King", "Wright", "Scott", "Green", "Hall", "Wood",
)  # fmt: skip

# Names businesses borrow from Australian places, plants, animals and the landscape.
NAME_WORDS = (
    "Harbourside", "Koala", "Jacaranda", "Wattle", "Banksia", "Southern Cross", "Coastal",
    "Bayside", "Red Gum", "Ironbark", "Blue Wren", "Kookaburra", "Sandstone", "Eucalypt",
    "Wombat", "Bottlebrush", "Lyrebird", "Magpie", "Saltwater", "Waratah", "Grevillea",
    "Brolga", "Currawong", "Galah", "Paperbark", "Spotted Gum", "Blackbutt", "Mangrove",
    "Outback", "Red Centre", "True Blue", "Fair Dinkum", "Ridgeline", "Riverbend", "Tidewater",
    "Sunburnt", "Cockatoo", "Platypus", "Echidna", "Bluegum", "Boomerang", "Dingo",
    "Lilly Pilly", "Kurrajong", "Illawarra", "Northside", "Southside", "Westside", "Eastside",
    "Hilltop", "Headland", "Seabreeze", "Greenfield", "Summit", "Keystone", "Cornerstone",
    "Trusty", "Reliable", "Honest", "Precision", "Allstar", "Ace", "Prime", "Pinnacle",
    "Anchor", "Compass", "Horizon", "Lighthouse", "Surfside", "Sundown", "Silky Oak",
)  # fmt: skip

# How each trade names its businesses, what its people are called, and what it does.
TRADE_SUFFIXES: dict[str, tuple[str, ...]] = {
    "electricians": ("Electrical", "Electrical Services", "Electrics", "Electrical Contracting",
                     "Sparkies", "Power & Lighting"),
    "plumbers": ("Plumbing", "Plumbing & Gas", "Plumbing Services", "Plumbing & Drainage",
                 "Plumbers"),
    "pest-control": ("Pest Control", "Pest Management", "Pest Solutions", "Termite & Pest"),
    "cleaning": ("Cleaning", "Cleaning Co.", "Home Cleaning", "Cleaning Services",
                 "Bond Cleaning"),
    "carpet-cleaning": ("Carpet Cleaning", "Carpet Care", "Carpet & Upholstery Care",
                        "Steam Cleaning"),
    "removalists": ("Removals", "Removalists", "Movers", "Moving Co.", "Transport & Removals"),
    "gardening-lawns": ("Gardens", "Lawns & Gardens", "Landscapes", "Garden Care",
                        "Mowing & Gardening", "Lawn Care"),
    "arborists": ("Tree Services", "Arborists", "Tree Care", "Tree Lopping & Removal"),
    "handyman": ("Handyman Services", "Home Maintenance", "Handyman", "Property Maintenance",
                 "Odd Jobs"),
    "painters": ("Painting", "Painters", "Painting & Decorating", "Paint Co."),
    "locksmiths": ("Locksmiths", "Lock & Key", "Locksmithing", "Security & Locks"),
    "roofing": ("Roofing", "Roof Restorations", "Roofing & Guttering", "Roof Repairs"),
    "air-conditioning": ("Air Conditioning", "Heating & Cooling", "Air", "Climate Control",
                         "Refrigeration & Air"),
    "building-renovation": ("Building & Renovations", "Constructions", "Builders",
                            "Renovations", "Carpentry & Building", "Homes"),
}  # fmt: skip
TRADE_PEOPLE: dict[str, tuple[str, str]] = {
    # (one person, several people)
    "electricians": ("electrician", "electricians"),
    "plumbers": ("plumber", "plumbers"),
    "pest-control": ("pest technician", "pest technicians"),
    "cleaning": ("cleaner", "cleaners"),
    "carpet-cleaning": ("carpet cleaner", "carpet cleaners"),
    "removalists": ("removalist", "removalists"),
    "gardening-lawns": ("gardener", "gardeners"),
    "arborists": ("arborist", "arborists"),
    "handyman": ("handyman", "handymen"),
    "painters": ("painter", "painters"),
    "locksmiths": ("locksmith", "locksmiths"),
    "roofing": ("roofer", "roofers"),
    "air-conditioning": ("air conditioning technician", "air conditioning technicians"),
    "building-renovation": ("builder", "builders"),
}
TRADE_LINES: dict[str, tuple[str, ...]] = {
    "electricians": (
        "We do everything from switchboard upgrades and safety switches to LED lighting, "
        "ceiling fans and EV chargers.",
        "Most of our work is renovations, extra power points, smoke alarm compliance for "
        "rentals and fault finding when the power keeps tripping.",
        "No job is too small: a single power point, a new light or a full rewire.",
    ),
    "plumbers": (
        "Blocked drains, leaking taps, burst pipes and hot water systems: we carry most parts "
        "on the van, so we can usually fix it on the first visit.",
        "We install and repair gas, electric and heat pump hot water systems, and our drain "
        "camera finds the problem before we dig.",
        "From a dripping tap to a full bathroom rough-in, every job is done to code and "
        "signed off.",
    ),
    "pest-control": (
        "We treat cockroaches, spiders, ants and rodents with products that are safe for kids "
        "and pets once dry, and every treatment comes with a warranty.",
        "Termite inspections are our speciality: thermal imaging, moisture meters and a "
        "written report the same day.",
        "General pest treatments, termite barriers and humane possum relocation for homes, "
        "strata and small businesses.",
    ),
    "cleaning": (
        "Regular house cleans, one-off spring cleans and end-of-lease bond cleans done to the "
        "agent's checklist.",
        "We bring our own eco-friendly products and equipment, and we're police checked.",
        "Weekly and fortnightly cleans for busy families, with the same cleaner every time.",
    ),
    "carpet-cleaning": (
        "Our truck-mounted steam cleaning lifts deep dirt, allergens and most stains, and "
        "carpets are dry in a few hours.",
        "Carpets, rugs, couches and mattresses cleaned, with pet odour and stain treatments "
        "available.",
    ),
    "removalists": (
        "Local and interstate moves with padded trucks, trolleys and an experienced crew who "
        "treat your furniture like their own.",
        "From a studio apartment to a five-bedroom house, we wrap, load and unload with care "
        "and can supply boxes.",
        "Single items, Marketplace pick-ups and small moves are welcome too.",
    ),
    "gardening-lawns": (
        "Mowing, edging, hedging, weeding and mulching on a regular round or as a one-off tidy-up.",
        "We design and build gardens with natives that cope with our summers, plus turf, "
        "paving and irrigation.",
        "Green waste taken away, and we leave the paths blown clean.",
    ),
    "arborists": (
        "Our AQF level 5 arborists handle tree removals, pruning to AS 4373 and stump "
        "grinding, with full clean-up.",
        "Storm damage, dangerous limbs and tight-access removals near houses and power lines "
        "are our bread and butter.",
        "We also write arborist reports for council applications.",
    ),
    "handyman": (
        "Flat-pack assembly, TV mounting, door repairs, shelves and all those jobs on the "
        "fridge list.",
        "We handle small repairs for homeowners, landlords and property managers, and we "
        "turn up when we say we will.",
        "Fence repairs, gutter cleans, silicone and caulking, and general maintenance around "
        "the house.",
    ),
    "painters": (
        "Interior and exterior repaints with proper preparation, quality paints and clean lines.",
        "We paint homes, rentals between tenants and small commercial spaces, and we protect "
        "your floors and furniture.",
        "Decks oiled, fences stained and feature walls done in a day.",
    ),
    "locksmiths": (
        "Lockouts, lock changes, rekeys, smart locks and car keys: our vans are fully stocked "
        "for most jobs.",
        "We install deadlocks, window locks and restricted key systems for homes and businesses.",
    ),
    "roofing": (
        "Roof leaks found and fixed, broken tiles replaced, ridge caps repointed and gutters "
        "cleared.",
        "Full roof restorations and Colorbond re-roofs, with a written workmanship warranty.",
        "We clean gutters and install gutter guard before storm and bushfire season.",
    ),
    "air-conditioning": (
        "Split systems and ducted reverse-cycle air conditioning supplied, installed and "
        "serviced by ARCtick-licensed technicians.",
        "We service and repair all major brands and can usually get you cool again the same day.",
    ),
    "building-renovation": (
        "Bathroom and kitchen renovations, extensions, decks and pergolas, managed from plans "
        "to handover.",
        "We're registered builders who look after council approvals, trades and inspections, "
        "with one point of contact.",
        "Quality carpentry, tiling and renovation work with fixed-price contracts.",
    ),
}
CLOSERS = (
    "Free quotes and upfront pricing, with no surprises on the invoice.",
    "Pensioner and seniors discounts available.",
    "We're available on weekends and after hours by arrangement.",
    "Have a look at our reviews and send us a message for a quote.",
    "We're punctual, tidy and easy to deal with.",
    "Call-outs are free within {area}.",
    "Most jobs are booked within 48 hours.",
)
LICENSED_CLOSERS = (
    "Fully licensed and insured for your peace of mind.",
    "Licensed, insured and all work guaranteed.",
)

# Regions of the larger cities that businesses name themselves after and bios mention.
CITY_AREAS: dict[str, tuple[str, ...]] = {
    # As a bio would mention them; business names drop "the" and "area".
    "sydney": ("the Inner West", "the Northern Beaches", "the Eastern Suburbs",
               "the Hills District", "the Sutherland Shire", "the North Shore", "Western Sydney",
               "the St George area"),
    "melbourne": ("the Inner North", "Bayside", "the Eastern Suburbs", "the Mornington Peninsula",
                  "the Western Suburbs", "the Yarra Valley", "the South East"),
    "brisbane": ("the Northside", "the Southside", "the Redlands", "Moreton Bay",
                 "the Western Suburbs", "Logan"),
    "perth": ("the Northern Suburbs", "the Southern Suburbs", "the Perth Hills", "Fremantle",
              "Joondalup", "the Swan Valley"),
    "adelaide": ("the Eastern Suburbs", "the Northern Suburbs", "the Southern Suburbs",
                 "the Adelaide Hills", "the Western Suburbs"),
    "gold-coast": ("the Northern Gold Coast", "the Southern Gold Coast", "the Hinterland"),
    "newcastle": ("Lake Macquarie", "the Lower Hunter", "Port Stephens"),
    "canberra": ("Belconnen", "Tuggeranong", "Woden", "Gungahlin", "the Inner North"),
}  # fmt: skip

INSURERS = ("QBE", "Allianz", "CGU", "Zurich", "Vero", "BizCover", "Suncorp", "NRMA Business",
            "AAMI Business", "Chubb")  # fmt: skip
INSURER_CODES = {
    "QBE": "QBE", "Allianz": "ALZ", "CGU": "CGU", "Zurich": "ZUR", "Vero": "VER",
    "BizCover": "BZC", "Suncorp": "SUN", "NRMA Business": "NRB", "AAMI Business": "AMB",
    "Chubb": "CHB",
}  # fmt: skip

# Phone numbers from the ranges ACMA sets aside for fiction, so no real business is rung.
FICTIONAL_MOBILES = (
    "0491 570 006", "0491 570 156", "0491 570 157", "0491 570 158", "0491 570 159",
    "0491 570 110", "0491 570 313", "0491 570 737", "0491 571 266", "0491 571 491",
    "0491 571 804", "0491 572 549", "0491 572 665", "0491 572 983", "0491 573 770",
    "0491 573 087", "0491 574 118", "0491 574 632", "0491 575 254", "0491 575 789",
    "0491 576 398", "0491 576 801", "0491 577 426", "0491 577 644", "0491 578 957",
    "0491 578 148", "0491 578 888", "0491 579 212", "0491 579 760", "0491 579 455",
)  # fmt: skip
AREA_CODES = {"NSW": "02", "ACT": "02", "VIC": "03", "TAS": "03", "QLD": "07", "SA": "08",
              "WA": "08", "NT": "08"}  # fmt: skip

REJECTION_REASONS = (
    "The licence number you gave does not match the public register. Please check it and "
    "apply again.",
    "We could not verify your business details. Please add your ABN and a certificate of "
    "currency for your insurance.",
    "Your profile photo and bio need to show your own business.",
)
SUSPENSION_REASONS = (
    "Your public liability insurance has expired. Upload a current certificate of currency to "
    "be reinstated.",
    "Several customers reported no-shows on confirmed bookings; we are looking into it.",
    "Your profile is paused while we review a complaint about pricing.",
)


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
    start, end = LAND_BEARINGS.get(city.slug, (0, 360))
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
    if rng.random() < 0.7:
        return rng.choice(FICTIONAL_MOBILES)
    block = rng.choice(("5550", "7010"))
    return f"({AREA_CODES[state]}) {block} {rng.randrange(10000):04d}"


def _business_name(rng: random.Random, trade: str, first: str, surname: str, city: CityData) -> str:
    suffix = rng.choice(TRADE_SUFFIXES[trade])
    pattern = rng.random()
    if pattern < 0.45:
        return f"{rng.choice(NAME_WORDS)} {suffix}"
    if pattern < 0.6:
        return f"{first}'s {suffix}"
    if pattern < 0.7:
        return f"{surname} {rng.choice(('& Sons', 'Bros', '& Co'))} {suffix}"
    if pattern < 0.8:
        return f"{first[0]}{surname[0]} {suffix}"
    areas = CITY_AREAS.get(city.slug)
    if areas and rng.random() < 0.6:
        place = rng.choice(areas).removeprefix("the ").removesuffix(" area")
    else:
        place = city.name
    return f"{place} {suffix}"


def _bio(
    rng: random.Random,
    *,
    category: CategoryData,
    business_name: str,
    first: str,
    city: CityData,
    licensed_and_insured: bool,
) -> str:
    one, many = TRADE_PEOPLE[category.slug]
    areas = CITY_AREAS.get(city.slug)
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
    closers = [closer.format(area=area) for closer in CLOSERS]
    if licensed_and_insured:
        closers.extend(LICENSED_CLOSERS)
    return " ".join(
        (rng.choice(openers), rng.choice(TRADE_LINES[category.slug]), rng.choice(closers))
    )


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
    cities = largest_cities()
    trade_weights = [category.provider_weight for category in CATEGORIES]
    used_slugs = set(reserved_slugs)
    plans: list[ProviderPlan] = []
    for index, city in enumerate(city_sequence(cities, count), start=1):
        rng = random.Random(f"nearhand-demo-provider-{index}")
        category = rng.choices(CATEGORIES, weights=trade_weights)[0]
        first, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        business_name = _business_name(rng, category.slug, first, surname, city)
        slug = _unique_slug(business_name, city, used_slugs)
        used_slugs.add(slug)

        roll = rng.random()
        if roll < 0.85:
            status, reason = Status.APPROVED, ""
        elif roll < 0.95:
            status, reason = Status.PENDING, ""
        elif roll < 0.98:
            status, reason = Status.REJECTED, rng.choice(REJECTION_REASONS)
        else:
            status, reason = Status.SUSPENDED, rng.choice(SUSPENSION_REASONS)
        approved = status == Status.APPROVED

        licence = _licence_number(rng, category.slug, city.state) if category.licensed else ""
        insured = rng.random() < 0.85
        insurer = rng.choice(INSURERS) if insured else ""
        policy = f"{INSURER_CODES[insurer]}-{rng.randrange(10**7, 10**8)}" if insured else ""
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

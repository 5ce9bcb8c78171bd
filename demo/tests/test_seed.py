import hashlib
import random
import re
import string
from collections import Counter
from decimal import Decimal
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import available_timezones

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.test import override_settings

from accounts.models import ProviderProfile, ProviderStatusEvent, User
from demo.cities import largest_cities
from demo.dataset import demo_data
from demo.listings import attributes_for, provider_service_plans
from demo.photos import PHOTO_SIZE, demo_picture
from demo.providers import PROVIDERS_PER_SCALE, provider_plans
from demo.seed import demo_seed
from demo.suburbs import SUBURB_RADIUS_KM, suburbs_near_cities
from listings.attributes import validate_attribute_schema
from listings.models import (
    RESERVED_SLUGS,
    Category,
    SearchTerm,
    Service,
    ServicePhoto,
    Subcategory,
)
from listings.selectors import service_public
from listings.services import service_attributes_clean
from places.models import City, Suburb

STATES = {"ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA"}
CATEGORIES = demo_data().categories
OFFERS = demo_data().offers
DEMO_ACCOUNTS = demo_data().accounts
DEMO_PROVIDER_SLUG = demo_data().demo_provider.slug
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def seeded_db(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data seeded once for this module, inside a transaction rolled back at the end.

    Each test still runs in its own savepoint (the `db` fixture), so what a test writes is undone.
    """
    media = tmp_path_factory.mktemp("seed-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHERS),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield SimpleNamespace(report=demo_seed(), media=Path(media))
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def seeded(seeded_db, db):
    return seeded_db.report


def _snapshot() -> dict[str, object]:
    """Counts of everything the seed writes, and a checksum of the names."""
    names = [
        *Category.objects.order_by("slug").values_list("slug", "name"),
        *Subcategory.objects.order_by("slug").values_list("slug", "name"),
        *City.objects.order_by("slug").values_list("slug", "name"),
        *ProviderProfile.objects.order_by("slug").values_list("slug", "business_name"),
        *User.objects.order_by("email").values_list("email", "name"),
    ]
    return {
        "categories": Category.objects.count(),
        "subcategories": Subcategory.objects.count(),
        "cities": City.objects.count(),
        "users": User.objects.count(),
        "providers": ProviderProfile.objects.count(),
        "events": ProviderStatusEvent.objects.count(),
        "email_addresses": EmailAddress.objects.count(),
        "suburbs": Suburb.objects.count(),
        "services": Service.objects.count(),
        "photos": ServicePhoto.objects.count(),
        "checksum": hashlib.sha256(repr(names).encode()).hexdigest(),
        "services_checksum": _services_checksum(),
    }


def _services_checksum() -> str:
    """Everything about the listings that the seed decides, keyed by provider, not by id."""
    rows = Service.objects.order_by("provider__slug", "title").values_list(
        "provider__slug", "subcategory__slug", "city__slug", "title", "slug", "description",
        "price_type", "price", "duration_minutes", "attributes", "status", "instant_book",
        "rating_average", "rating_count", "service_radius_km",
    )  # fmt: skip
    photos = ServicePhoto.objects.order_by(
        "service__provider__slug", "service__title", "position"
    ).values_list("service__title", "image", "thumbnail", "position")
    suburbs = Suburb.objects.order_by("name", "state").values_list("name", "state", "city__slug")
    return hashlib.sha256(repr((list(rows), list(photos), list(suburbs))).encode()).hexdigest()


# --- The data itself (no database) ---------------------------------------------------------------


def test_catalogue_slugs_are_unique_across_categories_and_subcategories_and_not_reserved():
    slugs = demo_data().catalogue_slugs()
    assert len(CATEGORIES) >= 12
    assert len(slugs) - len(CATEGORIES) >= 60
    assert len(slugs) == len(set(slugs))
    assert not set(slugs) & RESERVED_SLUGS


def test_every_attribute_schema_is_valid_and_most_subcategories_have_one():
    subcategories = [sub for category in CATEGORIES for sub in category.subcategories]
    for sub in subcategories:
        try:
            validate_attribute_schema(sub.schema)
        except ValidationError as error:  # pragma: no cover - the message names the culprit
            pytest.fail(f"{sub.slug}: {error.messages}")
    assert sum(bool(sub.schema) for sub in subcategories) >= 0.9 * len(subcategories)


def test_the_thirty_largest_cities_have_real_states_and_timezones():
    cities = largest_cities()
    assert len(cities) == 30
    by_name = {city.name: city for city in cities}
    for name in ("Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide", "Gold Coast",
                 "Newcastle", "Canberra", "Hobart", "Darwin", "Cairns", "Launceston"):  # fmt: skip
        assert name in by_name
    # Parts of larger cities are not cities of their own.
    for part in ("City of Port Phillip", "Tuggeranong", "Logan City", "Caloundra"):
        assert part not in by_name
    assert (by_name["Perth"].state, by_name["Perth"].timezone) == ("WA", "Australia/Perth")
    assert (by_name["Darwin"].state, by_name["Darwin"].timezone) == ("NT", "Australia/Darwin")
    assert (by_name["Canberra"].state, by_name["Hobart"].state) == ("ACT", "TAS")
    zones = available_timezones()
    for city in cities:
        assert city.state in STATES
        assert city.timezone in zones and city.timezone.startswith("Australia/")
        assert -44 < city.latitude < -10 and 112 < city.longitude < 154


def test_provider_plans_do_not_depend_on_the_scale():
    small, large = provider_plans(50), provider_plans(120)
    assert large[:50] == small
    assert len({plan.slug for plan in large}) == 120


# --- Seeding the database -------------------------------------------------------------------------


def test_seed_meets_the_minimums(seeded):
    assert Category.objects.count() >= 12
    assert Subcategory.objects.count() >= 60
    assert City.objects.count() == 30
    demo = ProviderProfile.objects.filter(user__email__endswith="@demo.nearhand.test")
    assert demo.count() == PROVIDERS_PER_SCALE
    assert seeded.totals["providers"] == PROVIDERS_PER_SCALE
    approved = demo.filter(status=ProviderProfile.Status.APPROVED).count()
    pending = demo.filter(status=ProviderProfile.Status.PENDING).count()
    assert approved >= 0.75 * PROVIDERS_PER_SCALE
    assert pending >= 0.03 * PROVIDERS_PER_SCALE
    assert demo.filter(status__in=["rejected", "suspended"]).exclude(status_reason="").exists()
    assert not demo.filter(status__in=["rejected", "suspended"], status_reason="").exists()
    # Every city has providers, and the biggest has the most.
    assert City.objects.filter(providers__isnull=True).count() == 0
    assert (
        demo.filter(base_city__slug="sydney").count()
        > demo.filter(base_city__slug="hobart").count()
    )
    assert not demo.filter(service_radius_km__lt=10).exists()
    assert not demo.filter(service_radius_km__gt=60).exists()
    assert not User.objects.filter(
        email__endswith="@demo.nearhand.test", wants_to_offer_services=False
    ).exists()
    assert not any(
        user.has_usable_password()
        for user in User.objects.filter(email__endswith="@demo.nearhand.test")
    )
    for profile in demo.select_related("user")[:25]:
        profile.full_clean()
        profile.user.full_clean()
    # One moderation event per provider that is not pending, from pending.
    non_pending = demo.exclude(status=ProviderProfile.Status.PENDING)
    events = ProviderStatusEvent.objects.filter(profile__in=non_pending)
    assert events.count() == non_pending.count()
    assert set(events.values_list("from_status", flat=True)) == {"pending"}


def test_seeded_slugs_are_unique_across_the_url_space(seeded):
    slugs = [
        *Category.objects.values_list("slug", flat=True),
        *Subcategory.objects.values_list("slug", flat=True),
    ]
    assert len(slugs) == len(set(slugs))
    assert not set(slugs) & RESERVED_SLUGS
    for subcategory in Subcategory.objects.all():
        subcategory.full_clean()  # runs the schema validator and the shared-slug check


def test_seeded_cities_carry_states_and_timezones(seeded):
    perth = City.objects.get(slug="perth")
    assert (perth.state, perth.timezone) == ("WA", "Australia/Perth")
    darwin = City.objects.get(slug="darwin")
    assert (darwin.state, darwin.timezone) == ("NT", "Australia/Darwin")
    assert darwin.point.y == pytest.approx(-12.46, abs=0.05)


def test_a_second_run_creates_nothing(seeded):
    before = _snapshot()
    report = demo_seed()
    assert not report.created_anything
    assert _snapshot() == before


def test_a_bigger_scale_only_adds_providers(seeded):
    first_slugs = set(ProviderProfile.objects.values_list("slug", flat=True))
    services_before = Service.objects.count()
    report = demo_seed(scale=2)
    created = dict(report.created)
    services, photos = created.pop("services"), created.pop("photos")
    assert services >= 10 * PROVIDERS_PER_SCALE
    assert photos >= services
    assert created.pop("working hours") == 11 * PROVIDERS_PER_SCALE  # the demo week each
    assert created == {
        "categories": 0,
        "subcategories": 0,
        "cities": 0,
        "suburbs": 0,
        "demo accounts": 0,
        "providers": PROVIDERS_PER_SCALE,
    }
    assert first_slugs < set(ProviderProfile.objects.values_list("slug", flat=True))
    assert report.totals["providers"] == 2 * PROVIDERS_PER_SCALE
    assert report.totals["services"] == services_before + report.created["services"]
    # The new providers' listings are searchable too.
    assert not Service.objects.filter(search_vector__isnull=True).exists()


def test_demo_accounts_can_sign_in_and_the_demo_provider_is_approved(seeded, client):
    for account in DEMO_ACCOUNTS:
        user = authenticate(email=account.email, password=account.password)
        assert user is not None, account.email
        assert user.name == account.name
        assert EmailAddress.objects.filter(
            user=user, email=account.email, verified=True, primary=True
        ).exists()
    admin = User.objects.get(email="admin@nearhand.test")
    assert admin.is_staff and admin.is_superuser
    assert client.login(email="customer@nearhand.test", password="nearhand-customer")
    profile = ProviderProfile.objects.get(user__email="provider@nearhand.test")
    assert profile.business_name == "Priya's Electrical"
    assert profile.status == ProviderProfile.Status.APPROVED
    assert profile.is_verified and profile.approved_at is not None
    assert profile.base_city.slug == "sydney"


def test_the_command_prints_counts_timings_and_the_demo_accounts(seeded):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    output = out.getvalue()
    assert "nothing created" in output
    assert "Providers" in output and str(PROVIDERS_PER_SCALE) in output
    assert re.search(r"Services\s+(\d+)", output).group(1) == str(Service.objects.count())
    assert "Suburbs" in output and "Timings:" in output and "total" in output
    for account in DEMO_ACCOUNTS:
        assert account.email in output and account.password in output


# --- Suburbs --------------------------------------------------------------------------------------


def test_suburbs_near_the_cities_are_known_places_and_skip_the_cities_themselves():
    suburbs = suburbs_near_cities()
    assert len(suburbs) > 1000
    by_name = {(suburb.name, suburb.state): suburb for suburb in suburbs}
    assert by_name[("Bondi", "NSW")].city_slug == "sydney"
    assert by_name[("Fremantle", "WA")].city_slug == "perth"
    assert by_name[("Frankston", "VIC")].city_slug == "melbourne"
    assert len(by_name) == len(suburbs)  # one per name and state
    cities = {(city.name, city.state) for city in largest_cities()}
    assert not cities & set(by_name)
    assert not any(name.startswith("City of ") for name, _state in by_name)


def test_seeded_suburbs_resolve_to_the_nearest_city_within_the_radius(seeded):
    assert Suburb.objects.get(name="Bondi", state="NSW").city.slug == "sydney"
    assert Suburb.objects.get(name="Fremantle", state="WA").city.slug == "perth"
    assert Suburb.objects.count() == len(suburbs_near_cities())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM listings_suburb AS s JOIN listings_city AS c ON c.id = s.city_id "
            "WHERE NOT ST_DWithin(s.point, c.point, %s)",
            [SUBURB_RADIUS_KM * 1000 + 500],
        )
        assert cursor.fetchone()[0] == 0
    # Every seeded city has suburbs, and the lexicon knows their names for typo correction.
    assert not City.objects.filter(suburbs__isnull=True).exists()
    assert SearchTerm.objects.filter(word="fremantle").exists()


# --- Services -------------------------------------------------------------------------------------


def test_every_subcategory_has_an_offer_whose_titles_fill_in():
    subcategories = {sub.slug: sub for category in CATEGORIES for sub in category.subcategories}
    assert set(OFFERS) == set(subcategories)
    rng = random.Random(7)
    for slug, offer in OFFERS.items():
        sub = subcategories[slug]
        required = {field["name"] for field in sub.schema if field.get("required")}
        for template in offer.titles:
            names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
            assert names <= required | {"place", "city"}, (slug, template)
            attributes = attributes_for(slug, sub.schema, rng)
            assert template.format(place="Inner West", city="Sydney", **attributes)
        assert offer.price_type in {"fixed", "hourly", "quote"}
        assert (offer.price_range is None) == (offer.price_type == "quote"), slug
        assert len(offer.details) >= 3 and all(d >= 15 for d in offer.durations)


def test_service_plans_are_pure_and_do_not_depend_on_the_scale():
    plan = provider_plans(30)[29]
    kwargs = {"index": plan.index, "trade": plan.trade, "city_slug": plan.city_slug,
              "provider_status": "approved", "radius_km": 25}  # fmt: skip
    first = provider_service_plans(**kwargs)
    assert first == provider_service_plans(**kwargs)
    assert 11 <= len(first) <= 18
    assert len({service.title for service in first}) == len(first)
    category = next(c for c in CATEGORIES if c.slug == plan.trade)
    assert {s.subcategory_slug for s in first} <= {sub.slug for sub in category.subcategories}


def test_scale_one_has_over_2000_public_services_across_categories_and_cities(seeded):
    public = service_public()
    assert public.count() >= 2000
    assert seeded.totals["services"] == Service.objects.count() >= 2000
    public = public.order_by()
    assert public.values("subcategory__category").distinct().count() == len(CATEGORIES)
    assert public.values("subcategory").distinct().count() >= 75
    # A small city whose few providers all await approval may have none yet.
    assert public.values("city").distinct().count() >= City.objects.count() - 2
    statuses = Counter(Service.objects.values_list("status", flat=True))
    assert statuses["active"] > 0.75 * sum(statuses.values())
    assert statuses["draft"] and statuses["paused"]
    # Pending providers only have drafts.
    assert not Service.objects.filter(provider__status="pending").exclude(status="draft").exists()


def test_services_take_the_providers_place_radius_and_city(seeded):
    assert not Service.objects.exclude(service_radius_km=F("provider__service_radius_km")).exists()
    assert not Service.objects.exclude(city_id=F("provider__base_city_id")).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM listings_service AS s "
            "JOIN accounts_providerprofile AS p ON p.id = s.provider_id "
            "WHERE NOT ST_Equals(s.point::geometry, p.base_point::geometry)"
        )
        assert cursor.fetchone()[0] == 0


def test_titles_descriptions_and_prices_look_real(seeded):
    services = list(
        Service.objects.values_list(
            "provider_id", "title", "slug", "description", "price_type", "price",
            "duration_minutes", "instant_book", "rating_average", "rating_count",
        )
    )  # fmt: skip
    titles_by_provider = Counter((provider, title) for provider, title, *_ in services)
    assert max(titles_by_provider.values()) == 1  # no provider lists the same title twice
    assert len({title for _, title, *_ in services}) > 300
    descriptions = [row[3] for row in services]
    assert len(set(descriptions)) > 0.95 * len(descriptions)
    assert all(description.count(". ") >= 2 for description in descriptions)
    assert Service.objects.filter(title="Emergency electrician \u2013 24/7 call-outs").exists()
    assert Service.objects.filter(title__startswith="End of lease clean, ").exists()
    price_types = Counter(row[4] for row in services)
    assert set(price_types) == {"fixed", "hourly", "quote"}
    for _, title, slug, _, price_type, price, duration, instant, average, count in services:
        assert slug and len(title) <= 120
        assert duration >= 15
        if price_type == "quote":
            assert price is None and not instant
        elif price_type == "hourly":
            assert Decimal(50) <= price <= Decimal(350), title
        else:
            assert Decimal(50) <= price <= Decimal(5000), title
        assert (count == 0) == (average == 0)
        assert Decimal(0) <= average <= Decimal(5)
    assert any(row[7] for row in services) and not all(row[7] for row in services)
    assert 0.1 < sum(row[9] == 0 for row in services) / len(services) < 0.35
    # Cleaning is sold at fixed prices, renovations on quote, electricians by the hour.
    assert not Service.objects.filter(
        subcategory__slug="end-of-lease-cleaning").exclude(price_type="fixed").exists()  # fmt: skip
    assert not Service.objects.filter(
        subcategory__slug="bathroom-renovations").exclude(price_type="quote").exists()  # fmt: skip


def test_attributes_are_valid_against_each_schema(seeded):
    subcategories = {sub.pk: sub for sub in Subcategory.objects.all()}
    for subcategory_id, attributes in Service.objects.values_list("subcategory_id", "attributes"):
        subcategory = subcategories[subcategory_id]
        assert service_attributes_clean(subcategory=subcategory, raw=attributes) == attributes
        required = {f["name"] for f in subcategory.attribute_schema if f.get("required")}
        assert required <= set(attributes)


def test_search_vectors_and_lexicon_are_filled(seeded):
    assert not Service.objects.filter(search_vector__isnull=True).exists()
    assert service_public().filter(search_vector="electrician").count() > 50
    words = set(SearchTerm.objects.values_list("word", flat=True))
    assert {"electrician", "plumbing", "cleaning", "bondi"} <= words


def test_every_active_service_has_a_photo_pointing_at_shared_files(seeded, seeded_db):
    assert not Service.objects.filter(status="active", photos__isnull=True).exists()
    assert ServicePhoto.objects.count() >= Service.objects.count()
    images = set(ServicePhoto.objects.values_list("image", flat=True))
    assert len(images) <= Subcategory.objects.count()  # shared: one picture per subcategory
    photo = ServicePhoto.objects.select_related("service").first()
    assert (photo.width, photo.height) == PHOTO_SIZE and photo.alt_text
    for name in (photo.image.name, photo.thumbnail.name):
        assert (seeded_db.media / name).is_file()
    assert photo.image.name.startswith("demo/photos/")
    assert ServicePhoto.objects.filter(position=1).exists()  # some listings have two


def test_demo_pictures_are_drawn_not_downloaded():
    picture = demo_picture(style=demo_data().category("plumbers").photo, label="Blocked drains")
    assert picture.size == PHOTO_SIZE and picture.mode == "RGB"
    colours = picture.resize((24, 18)).getcolors(24 * 18)
    assert colours and len(colours) > 20  # a gradient and a motif, not a flat colour


def test_the_demo_provider_has_its_own_listings(seeded):
    profile = ProviderProfile.objects.get(slug=DEMO_PROVIDER_SLUG)
    listings = Service.objects.filter(provider=profile)
    assert listings.filter(status="active").count() >= 4
    assert listings.filter(status="draft").exists()
    assert set(listings.values_list("subcategory__category__slug", flat=True)) == {"electricians"}
    assert not listings.filter(status="active", photos__isnull=True).exists()
    assert service_public().filter(provider=profile, search_vector="switchboard").exists()
    assert profile.__class__.objects.get(pk=profile.pk).rating_count > 0


def test_seeding_is_deterministic(seeded):
    """Listings, photos and suburbs written again from nothing come out exactly the same."""
    before = _services_checksum()
    count = Service.objects.count()
    Service.objects.all().delete()
    Suburb.objects.all().delete()
    report = demo_seed()
    assert report.created["services"] == count
    assert _services_checksum() == before


def test_a_second_run_redraws_a_shared_picture_that_was_deleted(seeded, seeded_db, settings):
    settings.MEDIA_ROOT = seeded_db.media
    photo = ServicePhoto.objects.first()
    (seeded_db.media / photo.thumbnail.name).unlink()
    report = demo_seed()
    assert not report.created_anything
    assert (seeded_db.media / photo.thumbnail.name).is_file()
    assert (seeded_db.media / photo.image.name).is_file()


def test_demo_providers_get_working_hours_so_their_listings_can_be_booked(seeded):
    from accounts.tests.factories import ProviderProfileFactory
    from bookings.models import WeeklyAvailability
    from demo.availability import availability_seed

    priya = ProviderProfile.objects.get(user__email="provider@nearhand.test")
    assert WeeklyAvailability.objects.filter(provider=priya, weekday=0).count() == 2
    real = ProviderProfileFactory()
    assert availability_seed() == 0  # nothing missing; and a real provider sets their own
    assert not WeeklyAvailability.objects.filter(provider=real).exists()

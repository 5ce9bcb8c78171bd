import hashlib
from io import StringIO
from zoneinfo import available_timezones

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.management import call_command

from accounts.models import ProviderProfile, ProviderStatusEvent, User
from listings.attributes import validate_attribute_schema
from listings.demo import demo_seed
from listings.demo.catalogue import CATEGORIES, catalogue_slugs
from listings.demo.cities import largest_cities
from listings.demo.demo_accounts import DEMO_ACCOUNTS
from listings.demo.providers import PROVIDERS_PER_SCALE, provider_plans
from listings.models import RESERVED_SLUGS, Category, City, Subcategory

STATES = {"ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seeded(db):
    return demo_seed()


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
        "checksum": hashlib.sha256(repr(names).encode()).hexdigest(),
    }


# --- The data itself (no database) ---------------------------------------------------------------


def test_catalogue_slugs_are_unique_across_categories_and_subcategories_and_not_reserved():
    slugs = catalogue_slugs()
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
    report = demo_seed(scale=2)
    assert report.created == {
        "categories": 0,
        "subcategories": 0,
        "cities": 0,
        "demo accounts": 0,
        "providers": PROVIDERS_PER_SCALE,
    }
    assert first_slugs < set(ProviderProfile.objects.values_list("slug", flat=True))
    assert report.totals["providers"] == 2 * PROVIDERS_PER_SCALE


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


def test_the_command_prints_counts_and_the_demo_accounts(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    output = out.getvalue()
    assert "Providers" in output and str(PROVIDERS_PER_SCALE) in output
    for account in DEMO_ACCOUNTS:
        assert account.email in output and account.password in output
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "nothing created" in out.getvalue()

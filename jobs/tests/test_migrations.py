"""A database from before the places and jobs apps migrates forward and keeps every row.

City and Suburb moved from listings to places, JobRequest and Quote from bookings to jobs,
with state-only migrations: this test builds data with the models as they were, migrates to
the latest state and reads the same rows through today's models.
"""

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from psycopg.types.range import Range

# The last migrations before the moves.
BEFORE = [
    ("accounts", "0002_provider_status_emailed_at"),
    ("bookings", "0002_jobs_and_quotes"),
    ("listings", "0004_service_cancellation_policy"),
    ("places", None),
    ("jobs", None),
]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _old_rows(apps) -> dict[str, int]:
    """One of everything the moves touch, written with the models of before the change."""
    City = apps.get_model("listings", "City")
    Suburb = apps.get_model("listings", "Suburb")
    point = Point(151.2, -33.87, srid=4326)
    city = City.objects.create(
        name="Sydney", slug="sydney", state="NSW", point=point, timezone="Australia/Sydney"
    )
    suburb = Suburb.objects.create(city=city, name="Bondi", state="NSW", point=point)
    User = apps.get_model("accounts", "User")
    customer = User.objects.create(email="old-customer@example.com", password="!")
    owner = User.objects.create(email="old-provider@example.com", password="!")
    provider = apps.get_model("accounts", "ProviderProfile").objects.create(
        user=owner, business_name="Old Sparks", slug="old-sparks", status="approved",
        base_city=city, base_point=point, service_radius_km=30,
    )  # fmt: skip
    category = apps.get_model("listings", "Category").objects.create(name="Trade", slug="trade")
    subcategory = apps.get_model("listings", "Subcategory").objects.create(
        category=category, name="Sparks", slug="sparks"
    )
    service = apps.get_model("listings", "Service").objects.create(
        provider=provider, subcategory=subcategory, city=city, title="Rewiring", slug="rewiring",
        description="Old wiring out.", price=120, point=point, service_radius_km=30,
        status="active",
    )  # fmt: skip
    start = timezone.now() + timezone.timedelta(days=3)
    booking = apps.get_model("bookings", "Booking").objects.create(
        customer=customer, provider=provider, service=service,
        period=Range(start, start + timezone.timedelta(hours=1), "[)"), address="1 Beach Rd",
        point=point, price_type="fixed", price=120, cancellation_policy="moderate",
        status="accepted",
    )  # fmt: skip
    job = apps.get_model("bookings", "JobRequest").objects.create(
        customer=customer, subcategory=subcategory, title="Fix lights", description="Dark.",
        place_name="Bondi, NSW", point=point, city=city, expires_at=start, status="accepted",
    )  # fmt: skip
    quote = apps.get_model("bookings", "Quote").objects.create(
        job=job, provider=provider, service=service, price=150, start=start,
        valid_until=start, status="accepted", booking=booking,
    )  # fmt: skip
    return {
        "city": city.pk,
        "suburb": suburb.pk,
        "provider": provider.pk,
        "service": service.pk,
        "booking": booking.pk,
        "job": job.pk,
        "quote": quote.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_the_moves_keep_every_row():
    from django.contrib.contenttypes.models import ContentType

    executor = _migrate(BEFORE)
    ContentType.objects.get_or_create(app_label="listings", model="city")
    old_state = executor.loader.project_state([node for node in BEFORE if node[1]])
    rows = _old_rows(old_state.apps)

    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())

    from accounts.models import ProviderProfile
    from bookings.models import Booking
    from jobs.models import JobRequest, Quote
    from listings.models import Service
    from places.models import City, Suburb

    city = City.objects.get(pk=rows["city"])
    assert Suburb.objects.get(pk=rows["suburb"]).city == city
    assert ProviderProfile.objects.get(pk=rows["provider"]).base_city == city
    assert Service.objects.get(pk=rows["service"]).city == city
    quote = Quote.objects.select_related("job", "booking").get(pk=rows["quote"])
    assert quote.job == JobRequest.objects.get(pk=rows["job"], city=city)
    assert quote.booking == Booking.objects.get(pk=rows["booking"], service_id=rows["service"])
    # Admin history and permissions follow the models to their new apps.
    assert ContentType.objects.filter(app_label="places", model="city").exists()
    assert not ContentType.objects.filter(app_label="listings", model="city").exists()

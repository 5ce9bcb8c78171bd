"""With Redis stopped, or hung, the site keeps working: every journey answers within a few
seconds and without a server error, the work a task would have done is not lost, and only
/healthz says Redis is gone.

The test runs its own Redis (marketplace.testing.RedisServer) and points the cache, the
channel layer and the Celery broker at it; tasks are queued for real (not run eagerly), so
queuing them meets the broker that is down. Requests commit (transactional database), so the
on-commit hooks that queue tasks run inside the requests, as in production.
"""

import time
from datetime import timedelta

import pytest
import redis
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ProviderProfile, ProviderStatusEvent
from accounts.services import unsent_provider_status_emails_sweep
from accounts.tests.factories import PASSWORD, ProviderProfileFactory
from bookings.models import Booking
from bookings.tests.conftest import free_slots
from bookings.tests.factories import open_all_week
from jobs.models import JobRequest
from listings.tests.factories import CategoryFactory, ServiceFactory, SubcategoryFactory
from marketplace.celery import app
from marketplace.testing import RedisServer
from notifications.models import Notification
from notifications.services import unsent_notification_emails_sweep

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]

# What a person may wait for any one page while Redis is away.
BUDGET_SECONDS = 3.0


def _use_broker(url: str, *, eager: bool) -> None:
    """Point Celery at `url`; its cached connection pools are for the old broker."""
    app.conf.broker_url = url
    app.conf.task_always_eager = eager
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def own_redis(settings):
    previous = (app.conf.broker_url, app.conf.task_always_eager)
    with RedisServer() as server:
        url = server.url()
        settings.REDIS_URL = url
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": url}}
        settings.CHANNEL_LAYERS = {
            "default": {**settings.CHANNEL_LAYERS["default"], "CONFIG": {"hosts": [url]}}
        }
        settings.CELERY_BROKER_URL = url
        _use_broker(url, eager=False)
        try:
            yield server
        finally:
            _use_broker(previous[0], eager=previous[1])


@pytest.fixture
def catalogue(places):
    electricians = CategoryFactory(name="Electricians", slug="electricians")
    subcategory = SubcategoryFactory(
        category=electricians, name="Switchboards", slug="switchboards"
    )
    service = ServiceFactory(
        subcategory=subcategory, title="Switchboard upgrade", duration_minutes=60
    )
    open_all_week(service.provider)
    return service


class Journeys:
    """Each request is timed and must not be a server error."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    def __call__(self, label: str, request, *, status: int | None = None):
        start = time.monotonic()
        response = request()
        self.timings[label] = took = time.monotonic() - start
        if status is not None:
            assert response.status_code == status, (label, response.status_code)
        else:
            assert response.status_code < 500, (label, response.status_code)
        assert took < BUDGET_SECONDS, f"{label} took {took:.2f} s"
        return response


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("outage", ["stopped", "hung"])
def test_every_journey_works_while_redis_is_down(
    own_redis, outage, catalogue, customer, admin_user, mailoutbox
):
    service = catalogue
    pending = ProviderProfileFactory()
    journey = Journeys()

    # Redis up: the pages work and use it.
    assert journey("category, Redis up", lambda: Client().get("/electricians/")).status_code == 200
    up = journey("category in a city, Redis up", lambda: Client().get("/electricians/sydney/"))
    assert up.status_code == 200
    assert redis.Redis.from_url(own_redis.url()).dbsize() > 0

    own_redis.stop() if outage == "stopped" else own_redis.pause()

    visitor = Client()
    right = journey(
        "sign-in, right password",
        lambda: visitor.post(
            reverse("account_login"), {"login": customer.email, "password": PASSWORD}
        ),
    )
    assert right.status_code == 302 and visitor.session["_auth_user_id"] == str(customer.pk)

    wrong = journey(
        "sign-in, wrong password",
        lambda: Client().post(
            reverse("account_login"), {"login": customer.email, "password": "not-it"}
        ),
    )
    assert wrong.status_code == 200 and "not correct" in wrong.content.decode()

    page = journey("category", lambda: Client().get("/electricians/"))
    assert page.status_code == 200 and "Switchboards" in page.content.decode()
    page = journey("category in a city", lambda: Client().get("/electricians/sydney/"))
    assert page.status_code == 200 and "Switchboard upgrade" in page.content.decode()
    page = journey("search", lambda: Client().get("/search/?q=switchboard"))
    assert page.status_code == 200 and "Switchboard upgrade" in page.content.decode()

    booker = signed_in(customer)
    slot = free_slots(service)[0]
    day = f"{slot.local_start.date():%Y-%m-%d}"
    page = journey("booking page", lambda: booker.get(f"/bookings/new/{service.pk}/?date={day}"))
    assert page.status_code == 200 and slot.value in page.content.decode()
    booked = journey(
        "booking",
        lambda: booker.post(
            f"/bookings/new/{service.pk}/",
            {
                "date": day,
                "start": slot.value,
                "street_address": "12 Campbell Parade",
                "place": "bondi",
                "notes": "",
            },
        ),
    )
    booking = Booking.objects.get()
    assert booked.status_code == 302 and booked.url == f"/bookings/{booking.pk}/"

    posted = journey(
        "job posting",
        lambda: booker.post(
            "/jobs/new/",
            {
                "subcategory": service.subcategory.pk,
                "title": "Safety switch keeps tripping",
                "description": "Since the storm.",
                "place": "Bondi",
            },
        ),
    )
    job = JobRequest.objects.get()
    assert posted.status_code == 302 and posted.url == f"/jobs/{job.pk}/"

    moderator = signed_in(admin_user)
    approved = journey(
        "moderator approves a provider",
        lambda: moderator.post(
            reverse("admin:accounts_providerprofile_changelist"),
            {"action": "approve", "_selected_action": [pending.pk]},
        ),
    )
    assert approved.status_code == 302
    pending.refresh_from_db()
    assert pending.status == ProviderProfile.Status.APPROVED

    health = journey("/healthz", lambda: Client().get("/healthz"), status=503)
    assert health.json() == {"status": "unavailable", "database": "ok", "redis": "unavailable"}

    # No email could be queued, and none is lost: the sweepers send them.
    assert mailoutbox == []
    assert Notification.objects.filter(email_sent_at__isnull=True).exists()
    later = timezone.now() + timedelta(minutes=3)
    assert unsent_provider_status_emails_sweep(now=later) == 1
    assert unsent_notification_emails_sweep(now=later) == Notification.objects.count()
    assert pending.user.email in {address for email in mailoutbox for address in email.to}
    assert not ProviderStatusEvent.objects.filter(
        profile=pending, to_status="approved", emailed_at__isnull=True
    ).exists()

    print(f"\nRedis {outage}: " + ", ".join(f"{k} {v:.2f} s" for k, v in journey.timings.items()))

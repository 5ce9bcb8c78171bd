"""One rule, one place: for every job and quote state and every person, the job pages offer
exactly the actions the services accept (withdraw a job; accept, withdraw, ask for a new time on
or revise a quote; send a quote), and nothing else."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from jobs import services
from jobs.models import JobRequest, Quote
from listings.tests.factories import ServiceFactory, SubcategoryFactory
from marketplace.testing import service_accepts as accepts

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)

# (job status, job expires in, quote status, quote valid for)
STATES = {
    "open job, waiting quote": ("open", 10 * DAY, "pending", 5 * DAY),
    "open job, quote past its validity": ("open", 10 * DAY, "pending", -DAY),
    "open job past its expiry, waiting quote": ("open", -DAY, "pending", 5 * DAY),
    "open job, declined quote": ("open", 10 * DAY, "declined", 5 * DAY),
    "open job, new time asked for": ("open", 10 * DAY, "asked", 5 * DAY),
    "open job past its expiry, new time asked for": ("open", -DAY, "asked", 5 * DAY),
    "open job, revised quote": ("open", 10 * DAY, "revised", 5 * DAY),
    "open job, withdrawn quote": ("open", 10 * DAY, "withdrawn", 5 * DAY),
    "open job, expired quote": ("open", 10 * DAY, "expired", -DAY),
    "accepted job, accepted quote": ("accepted", 10 * DAY, "accepted", 5 * DAY),
    "withdrawn job, declined quote": ("withdrawn", 10 * DAY, "declined", 5 * DAY),
    "expired job, expired quote": ("expired", -DAY, "expired", -DAY),
}


def _start() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + 6 * DAY


@pytest.fixture
def world(customer, places):
    """A job in Bondi, a quote on it from one plumber, and a second plumber who could quote."""
    subcategory = SubcategoryFactory(name="Tap repair")
    quoting = ServiceFactory(subcategory=subcategory, title="Tap fixing").provider
    other = ServiceFactory(subcategory=subcategory, title="Leaks fixed").provider
    job = services.job_post(
        customer=customer, subcategory=subcategory, title="Fix a tap", description="Drips.",
        place="Bondi",
    )  # fmt: skip
    quote = services.quote_send(job=job, provider=quoting, price=Decimal("150"), start=_start())
    return {"job": job, "quote": quote, "quoting": quoting, "other": other}


def _set_state(world, state: str) -> None:
    job_status, expires_in, quote_status, valid_for = STATES[state]
    now = timezone.now()
    JobRequest.objects.filter(pk=world["job"].pk).update(
        status=job_status, expires_at=now + expires_in
    )
    Quote.objects.filter(pk=world["quote"].pk).update(
        status=quote_status, valid_until=now + valid_for
    )


def _fresh(world) -> tuple[JobRequest, Quote]:
    return (
        JobRequest.objects.get(pk=world["job"].pk),
        Quote.objects.select_related("job").get(pk=world["quote"].pk),
    )


def accepted_actions(world, user, provider) -> set[str]:
    job, quote = _fresh(world)
    done = set()
    if accepts(services.job_withdraw, job=job, actor=user):
        done.add("withdraw job")
    if accepts(services.quote_accept, quote=quote, actor=user):
        done.add("accept quote")
    if accepts(services.quote_withdraw, quote=quote, actor=user):
        done.add("withdraw quote")
    if accepts(services.quote_ask_new_time, quote=quote, actor=user):
        done.add("ask for a new time")
    if accepts(
        services.quote_revise, quote=quote, actor=user, price=Decimal("130"), start=_start() + DAY
    ):
        done.add("revise quote")
    if provider is not None and accepts(
        services.quote_send, job=job, provider=provider, price=Decimal("120"), start=_start()
    ):
        done.add("send quote")
    return done


def offered_to_customer(page: str, world) -> set[str]:
    job, quote = world["job"], world["quote"]
    offers = {
        "withdraw job": f'action="/jobs/{job.pk}/withdraw/"',
        "accept quote": f'action="/jobs/{job.pk}/quotes/{quote.pk}/accept/"',
        "ask for a new time": f'action="/jobs/{job.pk}/quotes/{quote.pk}/ask/"',
    }
    return {name for name, offer in offers.items() if offer in page}


def offered_to_provider(page: str, world) -> set[str]:
    offers = {
        "withdraw quote": f'action="/portal/jobs/quotes/{world["quote"].pk}/withdraw/"',
        "revise quote": f'action="/portal/jobs/quotes/{world["quote"].pk}/revise/"',
        "send quote": r"<button[^>]*>Send quote</button>",
    }
    return {name for name, offer in offers.items() if re.search(offer, page)}


@pytest.mark.parametrize("state", list(STATES))
def test_the_pages_offer_exactly_what_the_services_accept(client, customer, world, state):
    _set_state(world, state)
    job = world["job"]

    expected = accepted_actions(world, customer, provider=None)
    client.force_login(customer)
    page = client.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200
    assert offered_to_customer(page.content.decode(), world) == expected, state

    for name in ("quoting", "other"):
        provider = world[name]
        expected = accepted_actions(world, provider.user, provider=provider)
        client.force_login(provider.user)
        page = client.get(f"/portal/jobs/{job.pk}/")
        if page.status_code == 404:
            # A job the provider can no longer see offers them nothing.
            assert expected == set(), (state, name)
            continue
        assert page.status_code == 200
        assert offered_to_provider(page.content.decode(), world) == expected, (state, name)
        assert client.get(f"/jobs/{job.pk}/").status_code == 404

    stranger = UserFactory()
    assert accepted_actions(world, stranger, provider=None) == set()
    client.force_login(stranger)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404


def test_every_state_is_walked():
    job_statuses = {job for job, _, _, _ in STATES.values()}
    quote_statuses = {quote for _, _, quote, _ in STATES.values()}
    assert job_statuses == set(JobRequest.Status.values)
    assert quote_statuses == set(Quote.Status.values)

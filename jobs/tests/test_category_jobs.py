"""A job posted in a whole category reaches the providers of every subcategory under it whose
area covers the job; a job in a subcategory reaches that subcategory's only (issue 9)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point

from jobs import selectors
from jobs import services as job_services
from jobs.models import JobRequest
from listings.tests.factories import CategoryFactory, ServiceFactory, SubcategoryFactory
from notifications.models import Notification

pytestmark = pytest.mark.django_db

PERTH = Point(115.8605, -31.9505, srid=4326)


@pytest.fixture
def plumbing(places):
    category = CategoryFactory(name="Plumbing")
    taps = SubcategoryFactory(category=category, name="Tap repair")
    drains = SubcategoryFactory(category=category, name="Blocked drains")
    return {
        "category": category,
        "taps": taps,
        "drains": drains,
        "tap_fixer": ServiceFactory(subcategory=taps).provider,
        "drain_fixer": ServiceFactory(subcategory=drains).provider,
        # The right trade, too far away: a Perth listing does not cover Bondi.
        "far": ServiceFactory(subcategory=drains, point=PERTH).provider,
        # Near, another trade.
        "painter": ServiceFactory(subcategory=SubcategoryFactory(name="Painting")).provider,
    }


def _post(customer, **kind):
    return job_services.job_post(
        customer=customer, title="Water everywhere", description="Not sure what it is.",
        place="Bondi", **kind,
    )  # fmt: skip


def _start():
    return datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0) + timedelta(5)


def test_a_category_job_reaches_every_subcategory_under_it(customer, plumbing):
    job = _post(customer, category=plumbing["category"], subcategory=None)
    assert job.category == plumbing["category"] and job.subcategory is None
    for name in ("tap_fixer", "drain_fixer"):
        provider = plumbing[name]
        assert job in selectors.jobs_near_provider(provider=provider), name
        assert selectors.job_for_provider(provider=provider, pk=job.pk) == job
        job_services.quote_send(job=job, provider=provider, price=Decimal("100"), start=_start())
    for name in ("far", "painter"):
        provider = plumbing[name]
        assert job not in selectors.jobs_near_provider(provider=provider), name
        assert selectors.job_for_provider(provider=provider, pk=job.pk) is None


def test_a_subcategory_job_reaches_that_subcategory_only(customer, plumbing):
    job = _post(customer, subcategory=plumbing["taps"])
    assert job in selectors.jobs_near_provider(provider=plumbing["tap_fixer"])
    assert job not in selectors.jobs_near_provider(provider=plumbing["drain_fixer"])


def test_posting_tells_the_providers_it_reaches_once_each(customer, plumbing):
    ServiceFactory(  # a second listing of the same provider: still one notification
        provider=plumbing["drain_fixer"], subcategory=plumbing["taps"]
    )
    job = _post(customer, category=plumbing["category"], subcategory=None)
    told = Notification.objects.filter(kind="job_posted")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [plumbing["tap_fixer"].user_id, plumbing["drain_fixer"].user_id]
    )
    assert all(n.url == f"/portal/jobs/{job.pk}/" for n in told)

    Notification.objects.all().delete()
    _post(customer, subcategory=plumbing["drains"])  # the tap fixer does no drains
    assert list(told.values_list("recipient_id", flat=True)) == [plumbing["drain_fixer"].user_id]


def test_a_category_job_through_the_page(client, customer, plumbing):
    client.force_login(customer)
    page = client.get("/jobs/new/").content.decode()
    value = f"category-{plumbing['category'].pk}"
    assert f'value="{value}"' in page and "Plumbing: any kind" in page
    response = client.post(
        "/jobs/new/",
        {"subcategory": value, "title": "Leak", "description": "Somewhere", "place": "Bondi"},
    )
    assert response.status_code == 302
    job = JobRequest.objects.get()
    assert job.category == plumbing["category"] and job.subcategory is None
    assert "Plumbing: any kind" in client.get(response.url).content.decode()
    client.force_login(plumbing["drain_fixer"].user)
    assert "Leak" in client.get("/portal/jobs/").content.decode()

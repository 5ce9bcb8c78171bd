"""Fixtures the job tests share: a trade, two plumbers in Sydney, a job in Bondi."""

from decimal import Decimal

import pytest

from jobs import services as job_services
from listings.tests.factories import ServiceFactory, SubcategoryFactory


@pytest.fixture
def subcategory(db):
    return SubcategoryFactory(name="Tap repair")


@pytest.fixture
def plumbers(places, subcategory):
    """Two approved providers in Sydney whose listings cover Bondi."""
    return [
        ServiceFactory(subcategory=subcategory, title="Tap fixing", duration_minutes=90).provider,
        ServiceFactory(subcategory=subcategory, title="Leaks fixed").provider,
    ]


@pytest.fixture
def job(customer, subcategory, places):
    return job_services.job_post(
        customer=customer,
        subcategory=subcategory,
        title="Fix a leaking tap",
        description="The kitchen tap drips all night.",
        place="Bondi",
        budget_min=Decimal("100"),
        budget_max=Decimal("300"),
    )

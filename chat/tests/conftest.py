"""Fixtures the chat tests share: a customer, a provider with a listing, their conversation."""

import pytest

from chat import services
from jobs.tests.conftest import job, plumbers, subcategory  # noqa: F401 (shared fixtures)
from listings.tests.factories import ServiceFactory


@pytest.fixture
def service(db):
    return ServiceFactory(title="Switchboard upgrade")


@pytest.fixture
def pro(service):
    """The provider's user (its profile is `pro.provider_profile`)."""
    return service.provider.user


@pytest.fixture
def conversation(customer, service):
    return services.conversation_open(user=customer, provider=service.provider, about=service)


@pytest.fixture
def stranger(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(name="Sam Stranger")

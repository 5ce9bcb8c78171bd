"""The lockout page under ASGI (daphne, as `make run` serves): django-axes' middleware takes
another path there (and hands its lockout callable its arguments in another order)."""

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections
from django.test import AsyncClient
from django.urls import reverse

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest_asyncio.fixture
async def asgi_client():
    yield AsyncClient()
    # The views ran in asgiref's shared thread: close the connections it opened there.
    await sync_to_async(connections.close_all)()


async def test_a_locked_pair_gets_the_429_page_under_asgi(customer, asgi_client):
    client = asgi_client
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = await client.post(
            reverse("account_login"),
            {"login": customer.email, "password": "not-the-password"},
            REMOTE_ADDR="203.0.113.66",
        )
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert response.status_code == 429
    assert f"Try again in {minutes} minutes" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= settings.AXES_COOLOFF_TIME.total_seconds()

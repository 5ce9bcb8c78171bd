"""The notifications API: one's own list, newest first in cursor pages, and marking read."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from marketplace.params import MAX_ID
from notifications.models import Notification
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(customer):
    client = APIClient()
    client.force_authenticate(customer)
    return client


def test_the_list_is_ones_own_newest_first_in_cursor_pages(api, customer):
    mine = NotificationFactory.create_batch(3, recipient=customer)
    NotificationFactory(recipient=UserFactory())

    first = api.get("/api/notifications/", {"page_size": 2})

    assert first.status_code == 200
    body = first.json()
    assert [row["id"] for row in body["results"]] == [mine[2].pk, mine[1].pk]
    assert body["results"][0]["unread"] is True
    assert body["next"]
    rest = api.get(body["next"]).json()
    assert [row["id"] for row in rest["results"]] == [mine[0].pk]
    assert rest["next"] is None


@pytest.mark.parametrize("rows", [1, 25])
def test_the_list_reads_in_one_query_however_many_rows(
    api, customer, rows, django_assert_num_queries
):
    NotificationFactory.create_batch(rows, recipient=customer)

    with django_assert_num_queries(1):
        response = api.get("/api/notifications/")

    assert len(response.json()["results"]) == rows


def test_bad_paging_input_is_no_error(api, customer):
    NotificationFactory(recipient=customer)

    for params in ({"cursor": "not-a-cursor"}, {"page_size": "9" * 40}, {"page_size": "-1"}):
        response = api.get("/api/notifications/", params)
        assert response.status_code in (200, 404), params
        if response.status_code == 404:
            assert response.json()["code"] == "not_found"


def test_reading_one_marks_it_read(api, customer):
    notification = NotificationFactory(recipient=customer)

    response = api.post(f"/api/notifications/{notification.pk}/read/")

    assert response.status_code == 200
    assert response.json()["unread"] is False
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize("pk", ["other", MAX_ID, MAX_ID + 1, 10**30])
def test_another_persons_or_no_notification_is_not_found(api, pk):
    other = NotificationFactory(recipient=UserFactory())
    target = other.pk if pk == "other" else pk

    response = api.post(f"/api/notifications/{target}/read/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    other.refresh_from_db()
    assert other.read_at is None


def test_read_all_marks_only_ones_own(api, customer):
    NotificationFactory.create_batch(2, recipient=customer)
    other = NotificationFactory(recipient=UserFactory())

    response = api.post("/api/notifications/read-all/")

    assert response.json() == {"marked": 2}
    assert not Notification.objects.filter(recipient=customer, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    assert api.post("/api/notifications/read-all/").json() == {"marked": 0}


def test_notifications_need_a_sign_in(customer):
    notification = NotificationFactory(recipient=customer)
    anonymous = APIClient()

    assert anonymous.get("/api/notifications/").status_code == 401
    assert anonymous.post(f"/api/notifications/{notification.pk}/read/").status_code == 401
    assert anonymous.post("/api/notifications/read-all/").status_code == 401


def test_fields_posted_to_the_read_action_are_ignored(api, customer):
    notification = NotificationFactory(recipient=customer, title="Booked")

    response = api.post(
        f"/api/notifications/{notification.pk}/read/",
        {"title": "Changed", "recipient": 1, "read_at": None},
        format="json",
    )

    assert response.status_code == 200
    notification.refresh_from_db()
    assert notification.title == "Booked"
    assert notification.recipient_id == customer.pk

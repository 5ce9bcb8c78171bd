from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/notifications/"
# session, user, the header's provider check, the unread count, the Messages count, the page
# of notifications
LIST_QUERIES = 6


@pytest.fixture
def signed_in(client, customer):
    client.force_login(customer)
    return client


def test_the_url_contract():
    assert reverse("notifications_list") == LIST_URL
    assert reverse("notification_open", args=[3]) == "/notifications/3/open/"


def test_the_list_needs_sign_in(client):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_list_shows_newest_first_with_unread_marked(signed_in, customer, provider):
    old = NotificationFactory(recipient=customer, title="Older one", read_at=timezone.now())
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=1))
    new = NotificationFactory(recipient=customer, title="Newer one")
    NotificationFactory(recipient=provider, title="Someone else's")

    response = signed_in.get(LIST_URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["notifications"]) == [new, old]
    assert page.index("Newer one") < page.index("Older one")
    assert "Someone else" not in page
    assert page.count("notification--unread") == 1
    assert "Unread: </span>Newer one" in page
    assert reverse("notification_open", args=[new.pk]) in page
    assert "Mark all as read" in page


def test_the_empty_state(signed_in):
    page = signed_in.get(LIST_URL).content.decode()
    assert "Nothing yet" in page
    assert "Mark all as read" not in page


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_makes_the_same_number_of_queries_for_1_and_20(
    signed_in, customer, count, django_assert_num_queries
):
    NotificationFactory.create_batch(count, recipient=customer)
    with django_assert_num_queries(LIST_QUERIES):
        response = signed_in.get(LIST_URL)
    assert len(response.context["notifications"]) == count


def test_the_list_pages_by_30(signed_in, customer):
    NotificationFactory.create_batch(31, recipient=customer)
    first = signed_in.get(LIST_URL)
    assert len(first.context["notifications"]) == 30
    assert first.context["has_next"]
    second = signed_in.get(LIST_URL, {"page": 2})
    assert len(second.context["notifications"]) == 1
    assert not second.context["has_next"]
    assert signed_in.get(LIST_URL, {"page": "x"}).status_code == 200


@pytest.mark.parametrize(
    "number", ["99999999999999999999", str(2**63 // 30 + 1), "²", "٣", "-1", "0", "1e309", ""]
)
def test_a_page_that_is_no_page_number_is_the_first(signed_in, customer, number):
    NotificationFactory(recipient=customer, title="The only one")
    response = signed_in.get(LIST_URL, {"page": number})
    assert response.status_code == 200
    assert response.context["page_number"] == 1
    assert "The only one" in response.content.decode()


def test_a_page_past_the_last_is_empty_but_answers(signed_in, customer):
    NotificationFactory(recipient=customer)
    response = signed_in.get(LIST_URL, {"page": str(2**63 // 30)})  # the last page
    assert response.status_code == 200
    assert response.context["notifications"] == []
    assert response.context["has_previous"]


def test_opening_marks_it_read_and_goes_to_its_page(signed_in, customer):
    notification = NotificationFactory(recipient=customer, url="/accounts/profile/")
    response = signed_in.get(reverse("notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_by_post_works_too(signed_in, customer):
    notification = NotificationFactory(recipient=customer, url="/accounts/profile/")
    response = signed_in.post(reverse("notification_open", args=[notification.pk]))
    assert response["Location"] == "/accounts/profile/"


def test_another_persons_notification_is_a_404(signed_in, provider):
    theirs = NotificationFactory(recipient=provider)
    assert signed_in.get(reverse("notification_open", args=[theirs.pk])).status_code == 404
    assert signed_in.post(reverse("notification_open", args=[theirs.pk])).status_code == 404
    assert signed_in.get(reverse("notification_open", args=[999999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example", "javascript:alert(1)", "abc", ""]
)
def test_a_url_that_is_no_path_on_this_site_is_never_followed(signed_in, customer, url):
    # Services write paths; an admin's edit (or an old row) may leave anything. "abc" would be
    # a view name to Django's redirect().
    notification = NotificationFactory(recipient=customer, url=url)
    response = signed_in.get(reverse("notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == LIST_URL


def test_mark_all_read(signed_in, customer, provider):
    NotificationFactory.create_batch(2, recipient=customer)
    theirs = NotificationFactory(recipient=provider)
    assert signed_in.get(reverse("notifications_mark_all_read")).status_code == 405
    response = signed_in.post(reverse("notifications_mark_all_read"), follow=True)
    assert response.redirect_chain == [(LIST_URL, 302)]
    assert "All notifications marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=customer, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_header_bell_shows_the_unread_count(signed_in, customer, provider):
    NotificationFactory.create_batch(3, recipient=customer)
    NotificationFactory(recipient=customer, read_at=timezone.now())
    NotificationFactory.create_batch(2, recipient=provider)
    page = signed_in.get(reverse("home")).content.decode()
    assert 'aria-label="Notifications, 3 unread"' in page
    assert 'class="notification-bell__count" aria-hidden="true">3<' in page


def test_the_bell_caps_the_count(signed_in, customer):
    NotificationFactory.create_batch(12, recipient=customer)
    page = signed_in.get(reverse("home")).content.decode()
    assert 'aria-label="Notifications, 9+ unread"' in page


def test_the_bell_without_unread_has_no_count(signed_in):
    page = signed_in.get(reverse("home")).content.decode()
    assert 'aria-label="Notifications"' in page
    assert "notification-bell__count" not in page


def test_anonymous_visitors_get_no_bell_and_no_count_query(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("home")).content.decode()
    assert "notification-bell" not in page
    assert not any("notifications_notification" in q["sql"] for q in queries.captured_queries)

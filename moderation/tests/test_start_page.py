"""The admin's start page: what needs a moderator's attention, with counts (one query each)
and links to the change lists that show exactly those rows."""

import re
from datetime import timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import ProviderProfileFactory, UserFactory
from accounts.tests.moderators import moderator_make, plain_staff_make
from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from chat import services as chat
from chat.models import MessageReport
from listings.tests.factories import ServiceFactory
from reviews.models import FraudSignal, Review, ReviewReport
from reviews.tests.factories import ReviewFactory
from support.tests.factories import CaseFactory, finished_booking

pytestmark = pytest.mark.django_db
START = reverse("admin:index")


def _rows(html: str) -> dict[str, tuple[str, int]]:
    """label -> (link, count) of the "Needs attention" table."""
    found = re.findall(r'<th scope="row"><a href="([^"]+)">([^<]+)</a></th>\s*<td>(\d+)</td>', html)
    return {unescape(label): (unescape(url), int(count)) for url, label, count in found}


def _today_at_noon_or_later():
    """A moment later today in the site's zone (now when that is past noon)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    now = timezone.localtime(timezone.now(), zone)
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    return max(now, noon).replace(microsecond=0)


@pytest.fixture
def work(db):
    """Two of each thing that needs attention, beside the same things that do not."""
    ProviderProfileFactory.create_batch(2)
    ProviderProfileFactory(approved=True)
    ReviewFactory.create_batch(2, status=Review.Status.HELD)
    reported = ReviewFactory.create_batch(3)
    for review in reported[:2]:
        ReviewReport.objects.create(review=review, reporter=UserFactory(), reason="fake")
    ReviewReport.objects.create(review=reported[0], reporter=UserFactory(), reason="offensive")
    ReviewReport.objects.create(
        review=reported[2], reporter=UserFactory(), reason="fake", status="dismissed"
    )
    for number, status in enumerate(["open", "open", "dismissed"]):
        FraudSignal.objects.create(
            rule="burst", score=20, key=f"burst:{number}", status=status, review=reported[0]
        )
    service = ServiceFactory()
    customer = UserFactory()
    conversation = chat.conversation_open(user=customer, provider=service.provider, about=service)
    for number in range(3):
        message = chat.message_send(conversation=conversation, sender=customer, body=f"Hi {number}")
        report = chat.message_report(message=message, reporter=service.provider.user, reason="Rude")
        if number == 2:
            MessageReport.objects.filter(pk=report.pk).update(status="dismissed")
    today = _today_at_noon_or_later()
    BookingFactory(service=service, start=today, status=Booking.Status.ACCEPTED)
    BookingFactory(service=service, start=today - timedelta(minutes=1), status="completed")
    BookingFactory(service=service, start=today, status=Booking.Status.CANCELLED)
    BookingFactory(service=service, start=today + timedelta(days=1))
    for state in ("open", "open", "closed"):  # on jobs done days ago, not today's bookings
        CaseFactory(
            booking=finished_booking(at=timezone.now() - timedelta(days=3)),
            state=state,
            outcome="" if state == "open" else "no_action",
            closed_at=None if state == "open" else timezone.now(),
        )


def test_the_start_page_counts_what_needs_attention_with_links(client, work):
    client.force_login(moderator_make())

    rows = _rows(client.get(START).text)

    assert {label: count for label, (url, count) in rows.items()} == {
        "Providers waiting for approval": 2,
        "Held reviews": 2,
        "Reported reviews": 2,
        "Reported chat messages": 2,
        "Open fraud signals": 2,
        "Today's bookings": 2,
        "Open support cases": 2,
    }
    for label, (url, count) in rows.items():
        listed = client.get(url)
        assert listed.status_code == 200, label
        assert listed.context["cl"].result_count == count, label


def test_the_start_page_runs_a_fixed_number_of_queries(client, work, django_assert_num_queries):
    client.force_login(moderator_make())
    client.get(START)  # the admin's first page load reads the content types once

    # Session, user, two permission reads, seven counts, the recent actions box.
    with django_assert_num_queries(12):
        client.get(START)


def test_plain_staff_see_no_counts_and_no_lists(client, work):
    client.force_login(plain_staff_make())

    page = client.get(START)

    assert page.status_code == 200
    assert _rows(page.text) == {}
    for url in (
        reverse("admin:reviews_review_changelist"),
        reverse("admin:chat_messagereport_changelist"),
        reverse("admin:bookings_booking_changelist"),
        reverse("admin:support_case_changelist"),
    ):
        assert client.get(url).status_code == 403


def test_the_public_and_customers_are_sent_to_the_admin_sign_in(client):
    assert client.get(START)["Location"].startswith(reverse("admin:login"))
    client.force_login(UserFactory())
    assert client.get(START)["Location"].startswith(reverse("admin:login"))

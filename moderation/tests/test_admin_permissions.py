"""The other moderation actions for a moderator, and 403 for a staff member outside the
group: listings (hide and unhide with a reason, the edit form), reported chat messages (each
action writes the trail; suspending a customer is a full suspension), bookings (read only)."""

import pytest
from django.urls import reverse

from accounts.models import ModerationAction
from accounts.tests.factories import UserFactory
from accounts.tests.moderators import moderator_make, plain_staff_make
from bookings.tests.factories import BookingFactory
from chat import services as chat
from chat.models import MessageReport
from listings.models import Service
from listings.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db
LISTINGS = reverse("admin:listings_service_changelist")
MESSAGE_REPORTS = reverse("admin:chat_messagereport_changelist")
BOOKINGS = reverse("admin:bookings_booking_changelist")


def _act(client, url, action, rows, **extra):
    return client.post(
        url, {"action": action, "_selected_action": [row.pk for row in rows], **extra}, follow=True
    )


@pytest.fixture
def listings(db):
    return ServiceFactory.create_batch(2)


@pytest.fixture
def reported(db):
    """A customer's message reported by the provider they wrote to."""
    service = ServiceFactory()
    customer = UserFactory(name="Rude Ron")
    conversation = chat.conversation_open(user=customer, provider=service.provider, about=service)
    message = chat.message_send(conversation=conversation, sender=customer, body="Pay me cash")
    return chat.message_report(message=message, reporter=service.provider.user, reason="Off-site")


def test_a_moderator_hides_and_unhides_listings_in_bulk(client, listings):
    moderator = moderator_make()
    client.force_login(moderator)

    _act(client, LISTINGS, "hide", listings, apply="1", reason="Copied photos")

    assert set(Service.objects.values_list("status", flat=True)) == {"hidden"}
    trail = ModerationAction.objects.filter(action="hide_listing", actor=moderator)
    assert {line.target_id for line in trail} == {service.pk for service in listings}
    _act(client, LISTINGS, "unhide", listings, apply="1", reason="Photos replaced")
    assert set(Service.objects.values_list("status", flat=True)) == {"paused"}


def test_a_moderator_edits_a_listing_through_its_form(client, listings):
    client.force_login(moderator_make())
    url = reverse("admin:listings_service_change", args=[listings[0].pk])

    page = client.get(url)

    assert page.status_code == 200 and 'name="_save"' in page.content.decode()
    assert "/delete/" not in page.content.decode()


def test_a_moderator_handles_reported_messages_and_the_trail_records_it(
    client, reported, django_capture_on_commit_callbacks
):
    moderator = moderator_make()
    client.force_login(moderator)
    sender = reported.message.sender

    with django_capture_on_commit_callbacks(execute=True):
        _act(client, MESSAGE_REPORTS, "suspend_sender", [reported], apply="1", reason="Scam")

    reported.refresh_from_db()
    sender.refresh_from_db()
    assert reported.status == MessageReport.Status.ACTIONED
    assert (sender.is_active, sender.suspension_reason) == (False, "Scam")
    actions = set(ModerationAction.objects.filter(user=sender).values_list("action", flat=True))
    assert actions == {"suspend", "suspend_message_sender"}


def test_dismissing_a_reported_message_is_recorded(client, reported):
    moderator = moderator_make()
    client.force_login(moderator)

    _act(client, MESSAGE_REPORTS, "dismiss", [reported])

    line = ModerationAction.objects.get()
    assert (line.action, line.actor, line.user) == (
        "dismiss_message_report",
        moderator,
        reported.message.sender,
    )
    assert line.reason == "Reported: Off-site"


def test_a_moderator_reads_bookings_but_cannot_change_them(client):
    booking = BookingFactory()
    client.force_login(moderator_make())

    assert client.get(BOOKINGS).status_code == 200
    page = client.get(reverse("admin:bookings_booking_change", args=[booking.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:bookings_booking_add")).status_code == 403


def test_plain_staff_get_403_on_listings_and_message_reports(client, listings, reported):
    client.force_login(plain_staff_make())

    for url in (LISTINGS, MESSAGE_REPORTS, BOOKINGS):
        assert client.get(url).status_code == 403
    assert _act(client, LISTINGS, "hide", listings, apply="1", reason="x").status_code == 403
    assert _act(client, MESSAGE_REPORTS, "dismiss", [reported]).status_code == 403
    assert set(Service.objects.values_list("status", flat=True)) == {"active"}
    assert MessageReport.objects.get().status == "open"

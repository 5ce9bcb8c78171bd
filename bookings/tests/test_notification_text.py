"""What a booking's notifications say in the app and in the email: only the email has the
calendar file, so only the email says so."""

import pytest
from django.core import mail

from bookings import services
from bookings.tests.conftest import free_slots
from notifications.models import Notification
from notifications.services import notification_email_send

pytestmark = pytest.mark.django_db


def _accepted(service, customer):
    slot = free_slots(service)[0]
    booking = services.booking_create(
        customer=customer,
        service=service,
        start=slot.start,
        street_address="12 Campbell Parade",
        place="Bondi",
        notes="",
    )
    return services.booking_accept(booking=booking, actor=service.provider.user)


def test_the_in_app_acceptance_does_not_say_a_file_is_attached(client, service, customer):
    _accepted(service, customer)
    accepted = Notification.objects.get(recipient=customer, kind="booking_accepted")
    assert "attached" not in accepted.body.lower()
    client.force_login(customer)
    page = client.get("/notifications/").content.decode()
    assert accepted.title.split(":")[0] in page
    assert "attached" not in page.lower()


def test_the_acceptance_email_has_the_file_and_says_so(service, customer):
    _accepted(service, customer)
    accepted = Notification.objects.get(recipient=customer, kind="booking_accepted")
    mail.outbox.clear()
    assert notification_email_send(notification_id=accepted.pk)
    (email,) = mail.outbox
    assert email.attachments[0][0] == f"booking-{accepted.url.strip('/').split('/')[-1]}.ics"
    assert "attached a calendar invite" in email.body
    assert email.body.lower().count("attached") == 1


def test_no_booking_notification_in_the_app_mentions_an_attachment(service, customer):
    _accepted(service, customer)
    bodies = Notification.objects.values_list("body", flat=True)
    assert bodies and not [body for body in bodies if "attach" in body.lower()]

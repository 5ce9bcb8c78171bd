"""The booking lifecycle: who may do what from which status; refusals change nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from psycopg.types.range import Range

from accounts.tests.factories import UserFactory
from bookings import services, tasks
from bookings.locking import SlotTaken
from bookings.models import Booking, BookingEvent
from bookings.policies import booking_cancellation_terms, booking_total
from bookings.tests.conftest import free_slots
from listings.tests.factories import ServiceFactory
from marketplace.errors import Invalid, NotAllowed, WrongState
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def book(service, customer, slot=None, **kwargs):
    slot = slot or free_slots(service)[0]
    return services.booking_create(
        customer=customer,
        service=service,
        start=slot.start,
        street_address=kwargs.pop("street_address", "12 Campbell Parade"),
        place=kwargs.pop("place", "Bondi"),
        notes=kwargs.pop("notes", "Side gate is open."),
        **kwargs,
    )


def snapshot(booking):
    booking = Booking.objects.get(pk=booking.pk)
    return (booking.status, booking.period, booking.proposed_period, booking.events.count())


def test_a_request_waits_for_the_provider_and_tells_them(service, customer):
    booking = book(service, customer)
    assert booking.status == Booking.Status.PENDING
    assert booking.address == "12 Campbell Parade, Bondi, NSW"
    assert booking.price == Decimal("120.00") and booking.price_type == "fixed"
    assert booking.cancellation_policy == "moderate"
    event = booking.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "requested", "", "pending", customer
    )  # fmt: skip
    note = Notification.objects.get()
    assert note.recipient == service.provider.user
    assert note.kind == "booking_requested"
    assert note.url == f"/bookings/{booking.pk}/"


def test_instant_book_is_accepted_at_once_with_a_calendar_file(service, customer):
    service.instant_book = True
    service.save()
    booking = book(service, customer)
    assert booking.status == Booking.Status.ACCEPTED
    assert booking.events.get().action == "instant"
    to_customer = Notification.objects.get(recipient=customer)
    assert "BEGIN:VCALENDAR" in to_customer.ics
    assert Notification.objects.filter(recipient=service.provider.user).exists()


def test_an_address_outside_the_service_area_is_refused(service, customer):
    with pytest.raises(Invalid) as refused:
        book(service, customer, place="Wollongong")
    assert "outside" in str(refused.value) and "service area" in str(refused.value)
    with pytest.raises(Invalid, match="could not find"):
        book(service, customer, place="Xq")
    assert not Booking.objects.exists() and not Notification.objects.exists()


def test_only_free_slots_can_be_booked(service, customer):
    slot = free_slots(service)[0]
    book(service, customer, slot=slot)
    with pytest.raises(SlotTaken):
        book(service, UserFactory(), slot=slot)
    with pytest.raises(SlotTaken):
        services.booking_create(
            customer=customer,
            service=service,
            start=slot.start + timedelta(minutes=7),
            street_address="1 Road",
            place="Bondi",
        )
    assert Booking.objects.count() == 1


def test_nobody_books_their_own_service_or_a_hidden_one(service, customer):
    with pytest.raises(NotAllowed, match="your own"):
        book(service, service.provider.user)
    paused = ServiceFactory(provider=service.provider, status="paused")
    with pytest.raises(WrongState, match="not taking bookings"):
        book(paused, customer, slot=free_slots(service)[0])


def test_the_provider_accepts_and_the_customer_gets_the_invite(service, customer):
    booking = book(service, customer)
    before = snapshot(booking)
    for intruder in (customer, UserFactory()):
        with pytest.raises(NotAllowed, match="Only the provider"):
            services.booking_accept(booking=booking, actor=intruder)
    assert snapshot(booking) == before
    booking = services.booking_accept(booking=booking, actor=service.provider.user)
    assert booking.status == Booking.Status.ACCEPTED
    assert list(booking.events.values_list("action", flat=True)) == ["requested", "accepted"]
    accepted = Notification.objects.get(recipient=customer, kind="booking_accepted")
    assert accepted.ics_filename == f"booking-{booking.pk}.ics"
    with pytest.raises(WrongState, match="cannot be accepted"):
        services.booking_accept(booking=booking, actor=service.provider.user)
    with pytest.raises(WrongState, match="cannot be declined"):
        services.booking_decline(booking=booking, actor=service.provider.user)


def test_a_declined_request_frees_the_slot(service, customer):
    slot = free_slots(service)[0]
    booking = book(service, customer, slot=slot)
    services.booking_decline(booking=booking, actor=service.provider.user, reason="Fully booked")
    event = booking.events.last()
    assert (event.to_status, event.reason) == ("declined", "Fully booked")
    assert Notification.objects.filter(recipient=customer, kind="booking_declined").exists()
    assert book(service, UserFactory(), slot=slot).status == "pending"


def test_a_booking_keeps_the_policy_its_listing_had_when_booked(service, customer):
    service.cancellation_policy = "strict"
    service.save(update_fields=["cancellation_policy"])
    booking = book(service, customer)
    services.booking_accept(booking=booking, actor=service.provider.user)
    booking.refresh_from_db()
    # The provider relaxing the policy later does not change what this customer agreed to.
    service.cancellation_policy = "flexible"
    service.save(update_fields=["cancellation_policy"])
    three_days_before = booking.start - timedelta(days=3)
    assert booking.cancellation_policy == "strict"
    assert booking_fee(booking, customer, three_days_before) == Decimal("60.00")


def test_cancelling_charges_the_policy_fee_shown_beforehand(service, customer):
    booking = book(service, customer)
    services.booking_accept(booking=booking, actor=service.provider.user)
    booking.refresh_from_db()
    early = booking.start - timedelta(days=3)
    late = booking.start - timedelta(hours=5)
    assert booking_fee(booking, customer, early) == Decimal("0.00")
    terms = booking_cancellation_terms(booking=booking, actor=customer, now=late)
    assert (terms.fee, terms.percent) == (Decimal("60.00"), 50)
    assert "$60.00" in terms.explanation
    assert booking_fee(booking, service.provider.user, late) == Decimal("0.00")
    with pytest.raises(Invalid) as refused:
        services.booking_cancel(booking=booking, actor=customer, reason="  ", now=late)
    assert refused.value.fields == {"reason": ["Tell the other side why you are cancelling."]}
    with pytest.raises(NotAllowed):
        services.booking_cancel(booking=booking, actor=UserFactory(), reason="x", now=late)
    assert Booking.objects.get(pk=booking.pk).status == "accepted"
    booking = services.booking_cancel(booking=booking, actor=customer, reason="Away", now=late)
    assert booking.status == "cancelled"
    assert booking.cancellation_fee == Decimal("60.00")
    assert booking.cancelled_by == customer
    assert "Cancellation fee: $60.00" in booking.events.last().reason
    assert Notification.objects.filter(
        recipient=service.provider.user, kind="booking_cancelled"
    ).exists()
    with pytest.raises(WrongState, match="cannot be cancelled"):
        services.booking_cancel(booking=booking, actor=customer, reason="again")


def booking_fee(booking, actor, now):
    return booking_cancellation_terms(booking=booking, actor=actor, now=now).fee


def test_a_strict_policy_and_an_hourly_price(service, customer):
    service.price_type = "hourly"
    service.price = Decimal("90.00")
    service.duration_minutes = 90
    service.save()
    booking = book(service, customer)
    Booking.objects.filter(pk=booking.pk).update(status="accepted", cancellation_policy="strict")
    booking.refresh_from_db()
    assert booking_total(booking=booking) == Decimal("135.00")
    at = booking.start - timedelta(days=3)
    assert booking_fee(booking, customer, at) == Decimal("67.50")
    assert booking_fee(booking, customer, booking.start - timedelta(hours=1)) == Decimal("135.00")


def test_the_customer_can_withdraw_a_request_but_the_provider_declines_it(service, customer):
    booking = book(service, customer)
    with pytest.raises(WrongState, match="Decline"):
        services.booking_cancel(booking=booking, actor=service.provider.user, reason="No")
    booking = services.booking_cancel(booking=booking, actor=customer, reason="Found someone")
    assert booking.cancellation_fee == Decimal("0.00")


def test_a_new_time_is_proposed_by_one_side_and_accepted_by_the_other(service, customer):
    first, *_, later = free_slots(service)
    booking = book(service, customer, slot=first)
    provider = service.provider.user
    with pytest.raises(WrongState, match="confirmed"):
        services.booking_reschedule_propose(booking=booking, actor=customer, start=later.start)
    services.booking_accept(booking=booking, actor=provider)
    booking = services.booking_reschedule_propose(
        booking=booking, actor=customer, start=later.start
    )
    assert booking.proposed_period.lower == later.start
    assert booking.period.lower == first.start  # unchanged until accepted
    with pytest.raises(NotAllowed, match="other side"):
        services.booking_reschedule_accept(booking=booking, actor=customer)
    booking = services.booking_reschedule_accept(booking=booking, actor=provider)
    assert booking.period.lower == later.start and booking.proposed_period is None
    actions = list(booking.events.values_list("action", flat=True))
    assert actions[-2:] == ["resched_proposed", "resched_accepted"]
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"booking_reschedule_proposed", "booking_rescheduled"} <= kinds


def test_a_declined_proposal_keeps_the_time(service, customer):
    first, second, *_ = free_slots(service)
    booking = book(service, customer, slot=first)
    provider = service.provider.user
    services.booking_accept(booking=booking, actor=provider)
    services.booking_reschedule_propose(booking=booking, actor=provider, start=second.start)
    with pytest.raises(NotAllowed, match="other side"):
        services.booking_reschedule_decline(booking=booking, actor=provider)
    booking = services.booking_reschedule_decline(booking=booking, actor=customer, reason="Busy")
    assert booking.period.lower == first.start and booking.proposed_period is None
    assert Notification.objects.filter(
        recipient=provider, kind="booking_reschedule_declined"
    ).exists()
    with pytest.raises(WrongState, match="no new time"):
        services.booking_reschedule_accept(booking=booking, actor=customer)


def test_a_proposal_that_lost_its_slot_is_refused_cleanly(service, customer):
    first, second, *_ = free_slots(service)
    booking = book(service, customer, slot=first)
    provider = service.provider.user
    services.booking_accept(booking=booking, actor=provider)
    services.booking_reschedule_propose(booking=booking, actor=customer, start=second.start)
    book(service, UserFactory(), slot=second)  # someone else takes it meanwhile
    with pytest.raises(SlotTaken):
        services.booking_reschedule_accept(booking=booking, actor=provider)
    assert Booking.objects.get(pk=booking.pk).period.lower == first.start


def test_the_provider_completes_a_started_job(service, customer):
    booking = book(service, customer)
    provider = service.provider.user
    services.booking_accept(booking=booking, actor=provider)
    with pytest.raises(WrongState, match="once it has started"):
        services.booking_complete(booking=booking, actor=provider)
    after = booking.start + timedelta(hours=1)
    with pytest.raises(NotAllowed, match="Only the provider"):
        services.booking_complete(booking=booking, actor=customer, now=after)
    booking = services.booking_complete(booking=booking, actor=provider, now=after)
    assert booking.status == "completed"
    assert Notification.objects.filter(recipient=customer, kind="booking_completed").exists()


def test_stale_requests_expire_through_the_task_once(service, customer):
    stale = book(service, customer)
    fresh = book(service, UserFactory(), slot=free_slots(service)[2])
    Booking.objects.filter(pk=stale.pk).update(created_at=stale.created_at - timedelta(hours=49))
    with pytest.raises(WrongState, match="not expired"):
        services.booking_expire(booking=fresh)
    assert tasks.expire_stale_booking_requests() == 1
    assert tasks.expire_stale_booking_requests() == 0
    assert Booking.objects.get(pk=stale.pk).status == "expired"
    assert Booking.objects.get(pk=fresh.pk).status == "pending"
    event = Booking.objects.get(pk=stale.pk).events.last()
    assert (event.from_status, event.to_status, event.actor) == ("pending", "expired", None)


def test_reminders_go_once_a_day_before(service, customer):
    booking = book(service, customer)
    services.booking_accept(booking=booking, actor=service.provider.user)
    # Half a day from now, whatever the hour: the slot three days ahead is 2.4 to 3.4 days away.
    start = timezone.now() + timedelta(hours=12)
    soon = Range(start, start + timedelta(hours=1), "[)")
    Booking.objects.filter(pk=booking.pk).update(period=soon)
    assert tasks.send_booking_reminders() == 1
    assert tasks.send_booking_reminders() == 0
    reminders = Notification.objects.filter(kind="booking_reminder")
    assert sorted(reminders.values_list("recipient_id", flat=True)) == sorted(
        [customer.pk, service.provider.user_id]
    )
    assert Booking.objects.get(pk=booking.pk).reminder_sent_at is not None


def test_every_transition_is_on_the_timeline(service, customer):
    booking = book(service, customer)
    services.booking_accept(booking=booking, actor=service.provider.user)
    services.booking_cancel(booking=booking, actor=service.provider.user, reason="Van broke down")
    events = list(BookingEvent.objects.filter(booking=booking))
    assert [(e.from_status, e.to_status) for e in events] == [
        ("", "pending"), ("pending", "accepted"), ("accepted", "cancelled")
    ]  # fmt: skip

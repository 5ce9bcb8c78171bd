"""A booking's transitions after it is made: one function per transition.

Each locks the booking row, asks bookings.rules whether the person may do it now (the same
rules the pages show), writes the change and a BookingEvent, records notifications in the same
transaction (their emails go after commit) and sends its domain event after commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from psycopg.types.range import Range

from accounts.models import User
from marketplace.errors import Invalid, WrongState
from marketplace.events import send_on_commit

from .. import notifications as tell
from .. import signals
from ..locking import (
    MOVED_SLOT_TAKEN,
    SlotTaken,
    booking_lock,
    period_taken,
    provider_lock,
    slot_guard,
)
from ..models import Booking, BookingEvent
from ..policies import booking_cancellation_terms
from ..rules import BookingAction, booking_check
from ..slots import booking_when, slot_find
from ..timeline import event_record

NO_PROPOSAL = ["proposed_period", "proposed_by"]


def _clear_proposal(booking: Booking) -> None:
    booking.proposed_period = None
    booking.proposed_by = None


def booking_accept(*, booking: Booking, actor: User, now: datetime | None = None) -> Booking:
    with transaction.atomic():
        booking = booking_lock(booking)
        booking_check(booking=booking, user=actor, action=BookingAction.ACCEPT, now=now)
        booking.status = Booking.Status.ACCEPTED
        booking.save(update_fields=["status", "updated_at"])
        event_record(
            booking, action=BookingEvent.Action.ACCEPTED, from_status="pending", actor=actor
        )
        tell.notify_booking_accepted(booking=booking)
        send_on_commit(signals.booking_accepted, sender=Booking, booking=booking, actor=actor)
    return booking


def booking_decline(*, booking: Booking, actor: User, reason: str = "") -> Booking:
    with transaction.atomic():
        booking = booking_lock(booking)
        booking_check(booking=booking, user=actor, action=BookingAction.DECLINE)
        booking.status = Booking.Status.DECLINED
        booking.save(update_fields=["status", "updated_at"])
        event_record(
            booking,
            action=BookingEvent.Action.DECLINED,
            from_status="pending",
            actor=actor,
            reason=reason,
        )
        tell.notify_booking_declined(booking=booking, reason=reason)
        send_on_commit(signals.booking_declined, sender=Booking, booking=booking, actor=actor)
    return booking


def booking_cancel(
    *, booking: Booking, actor: User, reason: str, now: datetime | None = None
) -> Booking:
    """Cancel a request (the customer) or a confirmed booking (either side), with a reason;
    the fee from the booking's cancellation policy is recorded."""
    now = now or timezone.now()
    reason = " ".join(reason.split())
    with transaction.atomic():
        booking = booking_lock(booking)
        booking_check(booking=booking, user=actor, action=BookingAction.CANCEL, now=now)
        if not reason:
            raise Invalid(fields={"reason": "Tell the other side why you are cancelling."})
        terms = booking_cancellation_terms(booking=booking, actor=actor, now=now)
        _cancellation_write(booking, cancelled_by=actor, reason=reason, fee=terms.fee, actor=actor)
    return booking


def booking_reschedule_propose(
    *, booking: Booking, actor: User, start: datetime, now: datetime | None = None
) -> Booking:
    """Either side proposes a new free time for a confirmed booking; the other side answers."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = booking_lock(booking)
        booking_check(booking=booking, user=actor, action=BookingAction.RESCHEDULE, now=now)
        slot = slot_find(
            service=booking.service, start=start, now=now, ignore_booking_id=booking.pk
        )
        if slot is None or slot.start == booking.start:
            raise Invalid(
                fields={"start": "That time is not available. Please pick one of the free times."}
            )
        booking.proposed_period = Range(slot.start, slot.end, "[)")
        booking.proposed_by = actor
        booking.save(update_fields=[*NO_PROPOSAL, "updated_at"])
        event_record(
            booking,
            action=BookingEvent.Action.RESCHEDULE_PROPOSED,
            from_status=booking.status,
            actor=actor,
            reason=f"New time: {booking_when(booking, booking.proposed_period)}",
        )
        tell.notify_reschedule_proposed(booking=booking, actor=actor)
    return booking


def booking_reschedule_accept(
    *, booking: Booking, actor: User, now: datetime | None = None
) -> Booking:
    """The other side accepts the proposed time: the booking moves, under the provider lock."""
    now = now or timezone.now()
    with slot_guard(MOVED_SLOT_TAKEN), transaction.atomic():
        provider_lock(booking.provider_id)
        booking = booking_lock(booking)
        booking_check(booking=booking, user=actor, action=BookingAction.RESCHEDULE_ACCEPT, now=now)
        new = booking.proposed_period
        if new.lower <= now or period_taken(
            provider_id=booking.provider_id, start=new.lower, end=new.upper, ignore_pk=booking.pk
        ):
            raise SlotTaken(MOVED_SLOT_TAKEN)
        old_when = booking_when(booking)
        booking.period = new
        _clear_proposal(booking)
        booking.reminder_sent_at = None
        booking.save(update_fields=["period", *NO_PROPOSAL, "reminder_sent_at", "updated_at"])
        event_record(
            booking,
            action=BookingEvent.Action.RESCHEDULE_ACCEPTED,
            from_status=booking.status,
            actor=actor,
            reason=f"Moved from {old_when} to {booking_when(booking)}",
        )
        tell.notify_rescheduled(booking=booking, old_when=old_when)
        send_on_commit(signals.booking_rescheduled, sender=Booking, booking=booking, actor=actor)
    return booking


def booking_reschedule_decline(
    *, booking: Booking, actor: User, reason: str = "", now: datetime | None = None
) -> Booking:
    with transaction.atomic():
        booking = booking_lock(booking)
        booking_check(booking=booking, user=actor, action=BookingAction.RESCHEDULE_DECLINE, now=now)
        new_when = booking_when(booking, booking.proposed_period)
        proposer = booking.proposed_by
        _clear_proposal(booking)
        booking.save(update_fields=[*NO_PROPOSAL, "updated_at"])
        event_record(
            booking,
            action=BookingEvent.Action.RESCHEDULE_DECLINED,
            from_status=booking.status,
            actor=actor,
            reason=(f"{new_when}. {reason}" if reason else new_when),
        )
        if proposer is not None:
            tell.notify_reschedule_declined(
                booking=booking, proposer=proposer, new_when=new_when, reason=reason
            )
    return booking


def booking_complete(*, booking: Booking, actor: User, now: datetime | None = None) -> Booking:
    with transaction.atomic():
        booking = booking_lock(booking)
        booking_check(booking=booking, user=actor, action=BookingAction.COMPLETE, now=now)
        booking.status = Booking.Status.COMPLETED
        _clear_proposal(booking)
        booking.save(update_fields=["status", *NO_PROPOSAL, "updated_at"])
        event_record(
            booking, action=BookingEvent.Action.COMPLETED, from_status="accepted", actor=actor
        )
        tell.notify_booking_completed(booking=booking)
        send_on_commit(signals.booking_completed, sender=Booking, booking=booking, actor=actor)
    return booking


def booking_expire(*, booking: Booking, now: datetime | None = None) -> Booking:
    """A request nobody answered: older than BOOKING_REQUEST_EXPIRY_HOURS, or its time passed."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = booking_lock(booking)
        if booking.status != Booking.Status.PENDING:
            raise WrongState("Only a waiting request can expire.")
        cutoff = now - timedelta(hours=settings.BOOKING_REQUEST_EXPIRY_HOURS)
        if booking.created_at > cutoff and booking.start > now:
            raise WrongState("This request has not expired yet.")
        booking.status = Booking.Status.EXPIRED
        booking.save(update_fields=["status", "updated_at"])
        event_record(booking, action=BookingEvent.Action.EXPIRED, from_status="pending", actor=None)
        tell.notify_booking_expired(booking=booking)
        send_on_commit(signals.booking_expired, sender=Booking, booking=booking, actor=None)
    return booking


def booking_reminder_send(*, booking_id: int, now: datetime | None = None) -> bool:
    """Remind both sides of a confirmed booking starting within 24 hours; once only."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("service__city", "provider__user", "customer")
            .filter(
                pk=booking_id,
                status=Booking.Status.ACCEPTED,
                reminder_sent_at__isnull=True,
                period__startswith__gt=now,
                period__startswith__lte=now + timedelta(hours=settings.BOOKING_REMINDER_HOURS),
            )
            .first()
        )
        if booking is None:
            return False
        tell.notify_booking_reminder(booking=booking)
        booking.reminder_sent_at = now
        booking.save(update_fields=["reminder_sent_at", "updated_at"])
    return True


SUSPENSION_REASON = "account suspended"


def bookings_cancel_for_suspension(
    *, customer: User | None = None, provider_id: int | None = None, now: datetime | None = None
) -> int:
    """Cancel the open future bookings of a suspended customer or provider; returns how many.

    Each is cancelled on the suspended side's behalf, with no fee (the other side did nothing
    wrong), the reason "account suspended", a timeline event by the system, the other side
    told as for any cancellation, and booking_cancelled sent after commit. A booking that
    changed meanwhile is skipped.
    """
    now = now or timezone.now()
    open_bookings = Booking.objects.filter(status__in=Booking.ACTIVE, period__startswith__gt=now)
    if customer is not None:
        open_bookings = open_bookings.filter(customer=customer)
    elif provider_id is not None:
        open_bookings = open_bookings.filter(provider_id=provider_id)
    else:
        return 0
    cancelled = 0
    for booking_id in open_bookings.order_by("pk").values_list("pk", flat=True):
        cancelled += _cancel_for_suspension(booking_id=booking_id, customer=customer, now=now)
    return cancelled


def _cancel_for_suspension(*, booking_id: int, customer: User | None, now: datetime) -> bool:
    with transaction.atomic():
        booking = booking_lock(Booking(pk=booking_id))
        if not booking.is_active or booking.start <= now:
            return False
        suspended = customer if customer is not None else booking.provider.user
        _cancellation_write(
            booking, cancelled_by=suspended, reason=SUSPENSION_REASON, fee=Decimal("0"), actor=None
        )
    return True


def _cancellation_write(
    booking: Booking, *, cancelled_by: User, reason: str, fee: Decimal, actor: User | None
) -> None:
    """Cancel the locked `booking` on `cancelled_by`'s side: its fields, the timeline event by
    `actor` (None: the system), the other side told, booking_cancelled after commit."""
    from_status = booking.status
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_by = cancelled_by
    booking.cancellation_reason = reason[:300]
    booking.cancellation_fee = fee
    _clear_proposal(booking)
    booking.save(
        update_fields=[
            "status", "cancelled_by", "cancellation_reason", "cancellation_fee",
            *NO_PROPOSAL, "updated_at",
        ]
    )  # fmt: skip
    event_record(
        booking,
        action=BookingEvent.Action.CANCELLED,
        from_status=from_status,
        actor=actor,
        reason=reason + tell.fee_note(fee),
    )
    tell.notify_booking_cancelled(booking=booking, actor=cancelled_by, reason=reason)
    send_on_commit(signals.booking_cancelled, sender=Booking, booking=booking, actor=actor)

"""Every write on bookings and availability: one function per transition.

Each transition locks the booking row, checks who is asking and from which status, writes the
change and a BookingEvent in one transaction, and records notifications in that same
transaction (their emails go after commit). Anything else raises ValidationError with a
message for people, and changes nothing.

No double booking: booking_create (and moving a booking to a new time) locks the provider's
row, re-checks that the slot is free, then writes; the exclusion constraint `booking_no_overlap`
is the last guarantee. A lost race, a lock timeout or a deadlock raises SlotTaken.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from psycopg.types.range import Range

from accounts.models import ProviderProfile, User
from listings.models import CANCELLATION_POLICY_SUMMARIES, Service
from listings.search import services_covering
from listings.selectors import service_public
from places.selectors import place_resolve

from .models import (
    AvailabilityException,
    Booking,
    BookingEvent,
    CancellationPolicy,
    WeeklyAvailability,
)
from .slots import slot_find, when_label

SLOT_TAKEN_MESSAGE = "That slot was just taken. Please pick another time."
MOVED_SLOT_TAKEN = "That new time is no longer free. Please propose another time."
# PostgreSQL error codes that mean "someone else got there first".
_RACE_SQLSTATES = {
    "23P01",  # exclusion_violation: the overlap constraint refused the row
    "55P03",  # lock_not_available: lock_timeout passed while waiting for the provider row
    "40P01",  # deadlock_detected
    "40001",  # serialization_failure
}


class SlotTaken(ValidationError):
    """Another booking holds this time (or we could not make sure it does not)."""

    def __init__(self, message: str = SLOT_TAKEN_MESSAGE):
        super().__init__(message, code="slot_taken")


# --- Cancellation policies -------------------------------------------------------------------

# (notice needed, fee percent when less notice is given), most notice first.
POLICY_RULES: dict[str, list[tuple[timedelta, int]]] = {
    CancellationPolicy.FLEXIBLE: [(timedelta(hours=24), 0), (timedelta(0), 25)],
    CancellationPolicy.MODERATE: [(timedelta(hours=48), 0), (timedelta(0), 50)],
    CancellationPolicy.STRICT: [
        (timedelta(days=7), 0), (timedelta(hours=48), 50), (timedelta(0), 100)
    ],
}  # fmt: skip
POLICY_SUMMARIES = CANCELLATION_POLICY_SUMMARIES


def booking_total(*, booking: Booking) -> Decimal | None:
    """The agreed price: fixed, or hourly rate times the booked hours; None on quote."""
    if booking.price is None:
        return None
    if booking.price_type == Service.PriceType.HOURLY:
        hours = Decimal((booking.end - booking.start).total_seconds()) / Decimal(3600)
        return (booking.price * hours).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return booking.price


@dataclass(frozen=True)
class CancellationTerms:
    fee: Decimal
    percent: int
    explanation: str


def booking_cancellation_terms(
    *, booking: Booking, actor: User, now: datetime | None = None
) -> CancellationTerms:
    """What cancelling now would cost `actor` (shown before confirming, then recorded).

    Only a customer cancelling a confirmed booking pays a fee; a request not yet accepted, or
    a provider cancelling, costs the customer nothing.
    """
    now = now or timezone.now()
    if booking.status != Booking.Status.ACCEPTED or actor.pk != booking.customer_id:
        return CancellationTerms(Decimal("0.00"), 0, "No cancellation fee applies.")
    notice = booking.start - now
    percent = 0
    for needed, fee_percent in POLICY_RULES[booking.cancellation_policy]:
        if notice >= needed:
            percent = fee_percent
            break
    else:
        percent = POLICY_RULES[booking.cancellation_policy][-1][1]
    total = booking_total(booking=booking)
    if not percent:
        return CancellationTerms(Decimal("0.00"), 0, "You can cancel for free now.")
    if total is None:
        return CancellationTerms(
            Decimal("0.00"), percent, "No fee: the price was never agreed in advance."
        )
    fee = (total * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return CancellationTerms(
        fee,
        percent,
        f"Cancelling now costs ${fee:,.2f} AUD ({percent}% of ${total:,.2f}) under the "
        f"{booking.get_cancellation_policy_display().lower()} policy.",
    )


# --- Helpers ---------------------------------------------------------------------------------


def _when(booking: Booking, period: Range | None = None) -> str:
    period = period or booking.period
    return when_label(
        start=period.lower, end=period.upper, zone=booking.zone, city_name=booking.service.city.name
    )


def _notify(*, recipient: User, kind: str, title: str, body: str, booking: Booking, ics=False):
    from notifications.services import notify

    extra = {}
    if ics:
        from notifications.calendar import booking_ics

        extra = {
            "ics": booking_ics(
                uid=f"booking-{booking.pk}@nearhand",
                start=booking.start,
                end=booking.end,
                summary=f"{booking.service.title} ({booking.provider.business_name})",
                location=booking.address,
                description=booking.notes[:500],
                url=settings.SITE_URL.rstrip("/") + booking.get_absolute_url(),
            ),
            "ics_filename": f"booking-{booking.pk}.ics",
        }
    notify(
        recipient=recipient,
        kind=kind,
        title=title,
        body=body,
        url=booking.get_absolute_url(),
        **extra,
    )


def _other_side(booking: Booking, actor: User) -> User:
    return booking.provider.user if actor.pk == booking.customer_id else booking.customer


def _is_provider(booking: Booking, actor: User) -> bool:
    return actor.pk == booking.provider.user_id


def _is_customer(booking: Booking, actor: User) -> bool:
    return actor.pk == booking.customer_id


def _locked(booking: Booking) -> Booking:
    """The booking's current row, locked until the transaction ends."""
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("service__city", "provider__user", "customer")
        .get(pk=booking.pk)
    )


def _record(
    booking: Booking,
    *,
    action: str,
    from_status: str,
    actor: User | None,
    reason: str = "",
) -> BookingEvent:
    return BookingEvent.objects.create(
        booking=booking,
        action=action,
        from_status=from_status,
        to_status=booking.status,
        actor=actor,
        reason=reason[:300],
    )


def _set_lock_timeout() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = {int(settings.BOOKING_LOCK_TIMEOUT_MS)}")


def _lost_race(error: Exception) -> bool:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) in _RACE_SQLSTATES


def _lock_provider(provider_id: int) -> ProviderProfile:
    _set_lock_timeout()
    return ProviderProfile.objects.select_for_update().get(pk=provider_id)


def _period_taken(*, provider_id: int, start: datetime, end: datetime, ignore_pk=None) -> bool:
    buffer = timedelta(minutes=settings.BOOKING_BUFFER_MINUTES)
    taken = Booking.objects.filter(
        provider_id=provider_id,
        status__in=Booking.ACTIVE,
        period__overlap=(start - buffer, end + buffer),
    )
    if ignore_pk:
        taken = taken.exclude(pk=ignore_pk)
    return taken.exists()


@contextmanager
def _slot_guard(message: str = SLOT_TAKEN_MESSAGE):
    """A lost race (the exclusion constraint, a lock timeout, a deadlock) becomes SlotTaken.

    Wrap it around the transaction, so the failed transaction is rolled back first."""
    try:
        yield
    except (IntegrityError, OperationalError) as error:
        if _lost_race(error):
            raise SlotTaken(message) from error
        raise


def _insert_booking(
    *,
    customer: User,
    service: Service,
    start: datetime,
    end: datetime,
    address: str,
    point,
    price_type: str,
    price: Decimal | None,
    notes: str,
    status: str,
    action: str,
    reason: str = "",
) -> Booking:
    """The one way a booking row is written: lock the provider, re-check the period, insert,
    record the event. Runs inside the caller's transaction (under _slot_guard)."""
    _lock_provider(service.provider_id)
    if _period_taken(provider_id=service.provider_id, start=start, end=end):
        raise SlotTaken()
    booking = Booking.objects.create(
        customer=customer,
        provider_id=service.provider_id,
        service=service,
        period=Range(start, end, "[)"),
        address=address[:250],
        point=point,
        price_type=price_type,
        price=price,
        cancellation_policy=service.cancellation_policy,
        notes=notes.strip(),
        status=status,
    )
    booking = Booking.objects.select_related("service__city", "provider__user", "customer").get(
        pk=booking.pk
    )
    _record(booking, action=action, from_status="", actor=customer, reason=reason)
    return booking


# --- Creating a booking ----------------------------------------------------------------------


def booking_create(
    *,
    customer: User,
    service: Service,
    start: datetime,
    street_address: str,
    place: str,
    notes: str = "",
    now: datetime | None = None,
) -> Booking:
    """Book `service` from `start` (UTC) at an address inside its service area.

    An instant-book service is accepted at once; otherwise the request waits for the provider.
    """
    now = now or timezone.now()
    if not service_public().filter(pk=service.pk).exists():
        raise ValidationError("This service is not taking bookings right now.")
    if service.provider.user_id == customer.pk:
        raise ValidationError("You cannot book your own service.")
    if service.price_type == Service.PriceType.QUOTE:
        raise ValidationError("This service is priced on quote: ask the provider for a quote.")
    street_address = " ".join(street_address.split())
    if not street_address:
        raise ValidationError({"street_address": "Enter the street address for the job."})
    found = place_resolve(text=place)
    if found is None:
        raise ValidationError(
            {"place": "We could not find that suburb or town. Check the spelling, e.g. “Bondi”."}
        )
    covering = services_covering(services=Service.objects.filter(pk=service.pk), here=found.point)
    if not covering.exists():
        raise ValidationError(
            {
                "place": f"{found.label} is outside {service.provider.business_name}'s service "
                f"area ({service.service_radius_km} km around {service.city.name}). "
                "Choose a provider closer to you."
            }
        )
    slot = slot_find(service=service, start=start, now=now)
    if slot is None:
        raise SlotTaken("That time is not available. Please pick one of the free times.")

    instant = service.instant_book
    with _slot_guard(), transaction.atomic():
        booking = _insert_booking(
            customer=customer,
            service=service,
            start=slot.start,
            end=slot.end,
            address=f"{street_address}, {found.label}",
            point=found.point,
            price_type=service.price_type,
            price=service.price,
            notes=notes,
            status=Booking.Status.ACCEPTED if instant else Booking.Status.PENDING,
            action=BookingEvent.Action.INSTANT if instant else BookingEvent.Action.REQUESTED,
        )
        when = _when(booking)
        who = customer.name or customer.email
        if instant:
            _notify(
                recipient=booking.provider.user,
                kind="booking_confirmed",
                title=f"New booking: {service.title}, {when}",
                body=f"{who} booked {service.title} for {when} at {booking.address}.",
                booking=booking,
                ics=True,
            )
            _notify(
                recipient=customer,
                kind="booking_confirmed",
                title=f"Your booking is confirmed for {when}",
                body=f"{service.provider.business_name} will see you at {booking.address}.",
                booking=booking,
                ics=True,
            )
        else:
            _notify(
                recipient=booking.provider.user,
                kind="booking_requested",
                title=f"New booking request: {service.title}, {when}",
                body=(
                    f"{who} asked for {service.title} on {when} at {booking.address}. "
                    f"Please accept or decline within {settings.BOOKING_REQUEST_EXPIRY_HOURS} "
                    "hours."
                ),
                booking=booking,
            )
    return booking


# --- Transitions -----------------------------------------------------------------------------


def _refuse(message: str) -> None:
    raise ValidationError(message)


def _status_message(booking: Booking, verb: str) -> str:
    return f"This booking is {booking.get_status_display().lower()}: it cannot be {verb}."


def booking_accept(*, booking: Booking, actor: User, now: datetime | None = None) -> Booking:
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        if not _is_provider(booking, actor):
            _refuse("Only the provider can accept this booking.")
        if booking.status != Booking.Status.PENDING:
            _refuse(_status_message(booking, "accepted"))
        if booking.start <= now:
            _refuse("This booking's time has passed: it cannot be accepted.")
        from_status = booking.status
        booking.status = Booking.Status.ACCEPTED
        booking.save(update_fields=["status", "updated_at"])
        _record(booking, action=BookingEvent.Action.ACCEPTED, from_status=from_status, actor=actor)
        when = _when(booking)
        _notify(
            recipient=booking.customer,
            kind="booking_accepted",
            title=f"Your booking is confirmed for {when}",
            body=(
                f"{booking.provider.business_name} accepted your booking for "
                f"{booking.service.title} on {when} at {booking.address}. "
                "The calendar file is attached."
            ),
            booking=booking,
            ics=True,
        )
    return booking


def booking_decline(*, booking: Booking, actor: User, reason: str = "") -> Booking:
    with transaction.atomic():
        booking = _locked(booking)
        if not _is_provider(booking, actor):
            _refuse("Only the provider can decline this booking.")
        if booking.status != Booking.Status.PENDING:
            _refuse(_status_message(booking, "declined"))
        from_status = booking.status
        booking.status = Booking.Status.DECLINED
        booking.save(update_fields=["status", "updated_at"])
        _record(
            booking,
            action=BookingEvent.Action.DECLINED,
            from_status=from_status,
            actor=actor,
            reason=reason,
        )
        _notify(
            recipient=booking.customer,
            kind="booking_declined",
            title=f"{booking.provider.business_name} declined your booking request",
            body=(
                f"Your request for {booking.service.title} on {_when(booking)} was declined."
                + (f" Reason: {reason}" if reason else "")
                + " You have not been charged. Try another time or another provider."
            ),
            booking=booking,
        )
    return booking


def booking_cancel(
    *, booking: Booking, actor: User, reason: str, now: datetime | None = None
) -> Booking:
    """Cancel a request (the customer) or a confirmed booking (either side), with a reason;
    the fee from the booking's cancellation policy is recorded."""
    now = now or timezone.now()
    reason = " ".join(reason.split())
    with transaction.atomic():
        booking = _locked(booking)
        if not (_is_customer(booking, actor) or _is_provider(booking, actor)):
            _refuse("You cannot cancel this booking.")
        if booking.status == Booking.Status.PENDING and _is_provider(booking, actor):
            _refuse("Decline the request instead of cancelling it.")
        if booking.status not in Booking.ACTIVE:
            _refuse(_status_message(booking, "cancelled"))
        if booking.start <= now:
            _refuse("This booking has started: it can no longer be cancelled.")
        if not reason:
            raise ValidationError({"reason": "Tell the other side why you are cancelling."})
        terms = booking_cancellation_terms(booking=booking, actor=actor, now=now)
        from_status = booking.status
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_by = actor
        booking.cancellation_reason = reason[:300]
        booking.cancellation_fee = terms.fee
        booking.proposed_period = None
        booking.proposed_by = None
        booking.save(
            update_fields=[
                "status", "cancelled_by", "cancellation_reason", "cancellation_fee",
                "proposed_period", "proposed_by", "updated_at",
            ]
        )  # fmt: skip
        fee_note = f" Cancellation fee: ${terms.fee:,.2f} AUD." if terms.fee else ""
        _record(
            booking,
            action=BookingEvent.Action.CANCELLED,
            from_status=from_status,
            actor=actor,
            reason=reason + fee_note,
        )
        who = (
            booking.provider.business_name
            if _is_provider(booking, actor)
            else (actor.name or actor.email)
        )
        _notify(
            recipient=_other_side(booking, actor),
            kind="booking_cancelled",
            title=f"{who} cancelled the booking for {_when(booking)}",
            body=f"{booking.service.title} on {_when(booking)} is cancelled. Reason: {reason}."
            + fee_note,
            booking=booking,
        )
    return booking


def booking_reschedule_propose(
    *, booking: Booking, actor: User, start: datetime, now: datetime | None = None
) -> Booking:
    """Either side proposes a new free time for a confirmed booking; the other side answers."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        if not (_is_customer(booking, actor) or _is_provider(booking, actor)):
            _refuse("You cannot change this booking.")
        if booking.status != Booking.Status.ACCEPTED:
            _refuse("Only a confirmed booking can be moved to a new time.")
        if booking.start <= now:
            _refuse("This booking has started: it can no longer be moved.")
        slot = slot_find(
            service=booking.service, start=start, now=now, ignore_booking_id=booking.pk
        )
        if slot is None or slot.start == booking.start:
            raise ValidationError(
                {"start": "That time is not available. Please pick one of the free times."}
            )
        booking.proposed_period = Range(slot.start, slot.end, "[)")
        booking.proposed_by = actor
        booking.save(update_fields=["proposed_period", "proposed_by", "updated_at"])
        new_when = _when(booking, booking.proposed_period)
        _record(
            booking,
            action=BookingEvent.Action.RESCHEDULE_PROPOSED,
            from_status=booking.status,
            actor=actor,
            reason=f"New time: {new_when}",
        )
        _notify(
            recipient=_other_side(booking, actor),
            kind="booking_reschedule_proposed",
            title=f"New time proposed: {new_when}",
            body=(
                f"{actor.name or actor.email} would like to move {booking.service.title} from "
                f"{_when(booking)} to {new_when}. Accept or decline it on the booking page."
            ),
            booking=booking,
        )
    return booking


def _proposal_answerable(booking: Booking, actor: User) -> None:
    if not (_is_customer(booking, actor) or _is_provider(booking, actor)):
        _refuse("You cannot change this booking.")
    if booking.status != Booking.Status.ACCEPTED or booking.proposed_period is None:
        _refuse("There is no new time waiting for an answer.")
    if booking.proposed_by_id == actor.pk:
        _refuse("The other side answers your proposal.")


def booking_reschedule_accept(
    *, booking: Booking, actor: User, now: datetime | None = None
) -> Booking:
    now = now or timezone.now()
    with _slot_guard(MOVED_SLOT_TAKEN), transaction.atomic():
        _lock_provider(booking.provider_id)
        booking = _locked(booking)
        _proposal_answerable(booking, actor)
        new = booking.proposed_period
        if new.lower <= now or _period_taken(
            provider_id=booking.provider_id,
            start=new.lower,
            end=new.upper,
            ignore_pk=booking.pk,
        ):
            raise SlotTaken(MOVED_SLOT_TAKEN)
        old_when = _when(booking)
        booking.period = new
        booking.proposed_period = None
        booking.proposed_by = None
        booking.reminder_sent_at = None
        booking.save(
            update_fields=[
                "period", "proposed_period", "proposed_by", "reminder_sent_at", "updated_at",
            ]
        )  # fmt: skip
        when = _when(booking)
        _record(
            booking,
            action=BookingEvent.Action.RESCHEDULE_ACCEPTED,
            from_status=booking.status,
            actor=actor,
            reason=f"Moved from {old_when} to {when}",
        )
        for recipient in (booking.customer, booking.provider.user):
            _notify(
                recipient=recipient,
                kind="booking_rescheduled",
                title=f"Booking moved to {when}",
                body=f"{booking.service.title} now takes place on {when} (was {old_when}).",
                booking=booking,
                ics=True,
            )
    return booking


def booking_reschedule_decline(*, booking: Booking, actor: User, reason: str = "") -> Booking:
    with transaction.atomic():
        booking = _locked(booking)
        _proposal_answerable(booking, actor)
        new_when = _when(booking, booking.proposed_period)
        proposer = booking.proposed_by
        booking.proposed_period = None
        booking.proposed_by = None
        booking.save(update_fields=["proposed_period", "proposed_by", "updated_at"])
        _record(
            booking,
            action=BookingEvent.Action.RESCHEDULE_DECLINED,
            from_status=booking.status,
            actor=actor,
            reason=(f"{new_when}. {reason}" if reason else new_when),
        )
        if proposer is not None:
            _notify(
                recipient=proposer,
                kind="booking_reschedule_declined",
                title=f"New time declined: {new_when}",
                body=(
                    f"The booking stays at {_when(booking)}."
                    + (f" Reason: {reason}" if reason else "")
                ),
                booking=booking,
            )
    return booking


def booking_complete(*, booking: Booking, actor: User, now: datetime | None = None) -> Booking:
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        if not _is_provider(booking, actor):
            _refuse("Only the provider can mark this job completed.")
        if booking.status != Booking.Status.ACCEPTED:
            _refuse("Only a confirmed booking can be marked completed.")
        if booking.start > now:
            _refuse("You can mark the job completed once it has started.")
        booking.status = Booking.Status.COMPLETED
        booking.proposed_period = None
        booking.proposed_by = None
        booking.save(update_fields=["status", "proposed_period", "proposed_by", "updated_at"])
        _record(
            booking,
            action=BookingEvent.Action.COMPLETED,
            from_status=Booking.Status.ACCEPTED,
            actor=actor,
        )
        _notify(
            recipient=booking.customer,
            kind="booking_completed",
            title=f"{booking.provider.business_name} marked the job completed",
            body=f"{booking.service.title} on {_when(booking)} is done. Thanks for booking.",
            booking=booking,
        )
    return booking


def booking_expire(*, booking: Booking, now: datetime | None = None) -> Booking:
    """A request nobody answered: older than BOOKING_REQUEST_EXPIRY_HOURS, or its time passed."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        if booking.status != Booking.Status.PENDING:
            _refuse("Only a waiting request can expire.")
        cutoff = now - timedelta(hours=settings.BOOKING_REQUEST_EXPIRY_HOURS)
        if booking.created_at > cutoff and booking.start > now:
            _refuse("This request has not expired yet.")
        booking.status = Booking.Status.EXPIRED
        booking.save(update_fields=["status", "updated_at"])
        _record(booking, action=BookingEvent.Action.EXPIRED, from_status="pending", actor=None)
        when = _when(booking)
        _notify(
            recipient=booking.customer,
            kind="booking_expired",
            title=f"Your booking request for {when} expired",
            body=(
                f"{booking.provider.business_name} did not answer in time, so the request for "
                f"{booking.service.title} expired. You have not been charged."
            ),
            booking=booking,
        )
        _notify(
            recipient=booking.provider.user,
            kind="booking_expired",
            title=f"A booking request expired: {when}",
            body="You did not answer it in time. Answer requests quickly to win more work.",
            booking=booking,
        )
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
        when = _when(booking)
        _notify(
            recipient=booking.customer,
            kind="booking_reminder",
            title=f"Reminder: {booking.service.title}, {when}",
            body=f"{booking.provider.business_name} is booked to come to {booking.address}.",
            booking=booking,
        )
        _notify(
            recipient=booking.provider.user,
            kind="booking_reminder",
            title=f"Reminder: {booking.service.title}, {when}",
            body=f"You are booked at {booking.address}.",
            booking=booking,
        )
        booking.reminder_sent_at = now
        booking.save(update_fields=["reminder_sent_at", "updated_at"])
    return True


# --- Availability ----------------------------------------------------------------------------


def _check_range(start: time, end: time) -> None:
    if end <= start:
        raise ValidationError({"end_time": "The end time must be after the start time."})


def weekly_hours_add(
    *, provider: ProviderProfile, weekday: int, start_time: time, end_time: time
) -> WeeklyAvailability:
    _check_range(start_time, end_time)
    with transaction.atomic():
        ProviderProfile.objects.select_for_update().get(pk=provider.pk)
        overlapping = WeeklyAvailability.objects.filter(
            provider=provider, weekday=weekday, start_time__lt=end_time, end_time__gt=start_time
        ).first()
        if overlapping:
            raise ValidationError(
                f"These hours overlap {overlapping}. Change or remove those hours first."
            )
        return WeeklyAvailability.objects.create(
            provider=provider, weekday=weekday, start_time=start_time, end_time=end_time
        )


def weekly_hours_delete(*, provider: ProviderProfile, pk: int) -> bool:
    deleted, _ = WeeklyAvailability.objects.filter(provider=provider, pk=pk).delete()
    return bool(deleted)


def availability_exception_add(
    *,
    provider: ProviderProfile,
    day: date,
    kind: str,
    start_time: time | None = None,
    end_time: time | None = None,
    today: date | None = None,
) -> AvailabilityException:
    today = today or timezone.localdate()
    if day < today:
        raise ValidationError({"date": "Choose today or a later date."})
    if kind not in AvailabilityException.Kind.values:
        raise ValidationError({"kind": "Choose a day off or extra hours."})
    with transaction.atomic():
        ProviderProfile.objects.select_for_update().get(pk=provider.pk)
        same_day = AvailabilityException.objects.filter(provider=provider, date=day)
        if kind == AvailabilityException.Kind.DAY_OFF:
            if same_day.filter(kind=kind).exists():
                raise ValidationError({"date": "That day is already a day off."})
            return AvailabilityException.objects.create(provider=provider, date=day, kind=kind)
        if start_time is None or end_time is None:
            raise ValidationError({"start_time": "Enter the start and end of the extra hours."})
        _check_range(start_time, end_time)
        if same_day.filter(kind=kind, start_time__lt=end_time, end_time__gt=start_time).exists():
            raise ValidationError("These extra hours overlap extra hours already on that day.")
        return AvailabilityException.objects.create(
            provider=provider, date=day, kind=kind, start_time=start_time, end_time=end_time
        )


def availability_exception_delete(*, provider: ProviderProfile, pk: int) -> bool:
    deleted, _ = AvailabilityException.objects.filter(provider=provider, pk=pk).delete()
    return bool(deleted)


# --- For accepted quotes ---


def booking_insert_accepted(
    *,
    customer: User,
    service: Service,
    start: datetime,
    end: datetime,
    address: str,
    point,
    price: Decimal,
    notes: str = "",
    reason: str = "",
) -> Booking:
    """Insert a confirmed booking at an agreed time and price (an accepted quote), under the
    same provider lock, re-check and constraint as booking_create. Raises SlotTaken when the
    time is held by another booking. Notifies nobody: the caller does, in its transaction."""
    with _slot_guard(), transaction.atomic():
        return _insert_booking(
            customer=customer,
            service=service,
            start=start,
            end=end,
            address=address,
            point=point,
            price_type=Service.PriceType.FIXED,
            price=price,
            notes=notes,
            status=Booking.Status.ACCEPTED,
            action=BookingEvent.Action.ACCEPTED,
            reason=reason,
        )

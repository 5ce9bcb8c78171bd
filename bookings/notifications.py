"""What each side is told when a booking changes: the wording, and the calendar invite.

Each function records notifications in the caller's transaction (notifications.services.notify
is the outbox; the emails go after commit). The services decide; this module only words it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from accounts.models import User
from notifications.calendar import booking_ics
from notifications.services import notify

from .models import Booking
from .slots import booking_when


def booking_invite(*, booking: Booking, summary: str = "") -> dict[str, str]:
    """The .ics invite for a booking, as notify()'s `ics` and `ics_filename` arguments."""
    return {
        "ics": booking_ics(
            uid=f"booking-{booking.pk}@nearhand",
            start=booking.start,
            end=booking.end,
            summary=summary or f"{booking.service.title} ({booking.provider.business_name})",
            location=booking.address,
            description=booking.notes[:500],
            url=settings.SITE_URL.rstrip("/") + booking.get_absolute_url(),
        ),
        "ics_filename": f"booking-{booking.pk}.ics",
    }


def _tell(
    recipient: User, *, kind: str, title: str, body: str, booking: Booking, invite: bool = False
) -> None:
    """`body` is the in-app text and the email's: it never mentions the calendar file, which
    only the email carries (its template says so when `invite` attaches one)."""
    extra = booking_invite(booking=booking) if invite else {}
    notify(
        recipient=recipient,
        kind=kind,
        title=title,
        body=body,
        url=booking.get_absolute_url(),
        **extra,
    )


def _name(user: User) -> str:
    return user.name or user.email


def notify_booking_created(*, booking: Booking) -> None:
    """A request to the provider, or (instant book) a confirmation to both sides."""
    service, when, who = booking.service, booking_when(booking), _name(booking.customer)
    if booking.status == Booking.Status.ACCEPTED:
        _tell(
            booking.provider.user,
            kind="booking_confirmed",
            title=f"New booking: {service.title}, {when}",
            body=f"{who} booked {service.title} for {when} at {booking.address}.",
            booking=booking,
            invite=True,
        )
        _tell(
            booking.customer,
            kind="booking_confirmed",
            title=f"Your booking is confirmed for {when}",
            body=f"{booking.provider.business_name} will see you at {booking.address}.",
            booking=booking,
            invite=True,
        )
        return
    _tell(
        booking.provider.user,
        kind="booking_requested",
        title=f"New booking request: {service.title}, {when}",
        body=(
            f"{who} asked for {service.title} on {when} at {booking.address}. "
            f"Please accept or decline within {settings.BOOKING_REQUEST_EXPIRY_HOURS} hours."
        ),
        booking=booking,
    )


def notify_booking_accepted(*, booking: Booking) -> None:
    when = booking_when(booking)
    _tell(
        booking.customer,
        kind="booking_accepted",
        title=f"Your booking is confirmed for {when}",
        body=(
            f"{booking.provider.business_name} accepted your booking for "
            f"{booking.service.title} on {when} at {booking.address}."
        ),
        booking=booking,
        invite=True,
    )


def notify_booking_declined(*, booking: Booking, reason: str) -> None:
    _tell(
        booking.customer,
        kind="booking_declined",
        title=f"{booking.provider.business_name} declined your booking request",
        body=(
            f"Your request for {booking.service.title} on {booking_when(booking)} was declined."
            + (f" Reason: {reason}" if reason else "")
            + " You have not been charged. Try another time or another provider."
        ),
        booking=booking,
    )


def other_side(booking: Booking, actor: User) -> User:
    return booking.provider.user if actor.pk == booking.customer_id else booking.customer


def fee_note(fee: Decimal | None) -> str:
    return f" Cancellation fee: ${fee:,.2f} AUD." if fee else ""


def notify_booking_cancelled(*, booking: Booking, actor: User, reason: str) -> None:
    who = booking.provider.business_name if actor.pk == booking.provider.user_id else _name(actor)
    when = booking_when(booking)
    _tell(
        other_side(booking, actor),
        kind="booking_cancelled",
        title=f"{who} cancelled the booking for {when}",
        body=f"{booking.service.title} on {when} is cancelled. Reason: {reason}."
        + fee_note(booking.cancellation_fee),
        booking=booking,
    )


def notify_reschedule_proposed(*, booking: Booking, actor: User) -> None:
    new_when = booking_when(booking, booking.proposed_period)
    _tell(
        other_side(booking, actor),
        kind="booking_reschedule_proposed",
        title=f"New time proposed: {new_when}",
        body=(
            f"{_name(actor)} would like to move {booking.service.title} from "
            f"{booking_when(booking)} to {new_when}. Accept or decline it on the booking page."
        ),
        booking=booking,
    )


def notify_rescheduled(*, booking: Booking, old_when: str) -> None:
    when = booking_when(booking)
    for recipient in (booking.customer, booking.provider.user):
        _tell(
            recipient,
            kind="booking_rescheduled",
            title=f"Booking moved to {when}",
            body=f"{booking.service.title} now takes place on {when} (was {old_when}).",
            booking=booking,
            invite=True,
        )


def notify_reschedule_declined(
    *, booking: Booking, proposer: User, new_when: str, reason: str
) -> None:
    _tell(
        proposer,
        kind="booking_reschedule_declined",
        title=f"New time declined: {new_when}",
        body=f"The booking stays at {booking_when(booking)}."
        + (f" Reason: {reason}" if reason else ""),
        booking=booking,
    )


def notify_booking_completed(*, booking: Booking) -> None:
    _tell(
        booking.customer,
        kind="booking_completed",
        title=f"{booking.provider.business_name} marked the job completed",
        body=f"{booking.service.title} on {booking_when(booking)} is done. Thanks for booking.",
        booking=booking,
    )


def notify_booking_expired(*, booking: Booking) -> None:
    when = booking_when(booking)
    _tell(
        booking.customer,
        kind="booking_expired",
        title=f"Your booking request for {when} expired",
        body=(
            f"{booking.provider.business_name} did not answer in time, so the request for "
            f"{booking.service.title} expired. You have not been charged."
        ),
        booking=booking,
    )
    _tell(
        booking.provider.user,
        kind="booking_expired",
        title=f"A booking request expired: {when}",
        body="You did not answer it in time. Answer requests quickly to win more work.",
        booking=booking,
    )


def notify_booking_reminder(*, booking: Booking) -> None:
    title = f"Reminder: {booking.service.title}, {booking_when(booking)}"
    _tell(
        booking.customer,
        kind="booking_reminder",
        title=title,
        body=f"{booking.provider.business_name} is booked to come to {booking.address}.",
        booking=booking,
    )
    _tell(
        booking.provider.user,
        kind="booking_reminder",
        title=title,
        body=f"You are booked at {booking.address}.",
        booking=booking,
    )

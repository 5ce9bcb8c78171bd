"""Who may do what to a booking, and when: the one place that decides.

The services call `booking_check` as their guard (inside the transaction, on the locked row);
pages, and later the API and chat, call `booking_allowed_actions` to show only what is
possible. Both read `_refusal`, so what a page offers is exactly what a service accepts.
Input checks (a reason, a free new time) stay in the services: they are not about who or when.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from django.utils import timezone

from accounts.models import User
from marketplace.errors import DomainError, NotAllowed, WrongState

from .models import Booking


class BookingAction(StrEnum):
    """The transitions a person can ask for (the values are the booking page's URL slugs)."""

    ACCEPT = "accept"
    DECLINE = "decline"
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"
    RESCHEDULE_ACCEPT = "reschedule-accept"
    RESCHEDULE_DECLINE = "reschedule-decline"
    COMPLETE = "complete"


def is_customer(booking: Booking, user: User) -> bool:
    return user.is_authenticated and user.pk == booking.customer_id


def is_provider(booking: Booking, user: User) -> bool:
    return user.is_authenticated and user.pk == booking.provider.user_id


def _status_refusal(booking: Booking, verb: str) -> WrongState:
    return WrongState(
        f"This booking is {booking.get_status_display().lower()}: it cannot be {verb}."
    )


def _accept(booking: Booking, user: User, now: datetime) -> DomainError | None:
    if not is_provider(booking, user):
        return NotAllowed("Only the provider can accept this booking.")
    if booking.status != Booking.Status.PENDING:
        return _status_refusal(booking, "accepted")
    if booking.start <= now:
        return WrongState("This booking's time has passed: it cannot be accepted.")
    return None


def _decline(booking: Booking, user: User, now: datetime) -> DomainError | None:
    if not is_provider(booking, user):
        return NotAllowed("Only the provider can decline this booking.")
    if booking.status != Booking.Status.PENDING:
        return _status_refusal(booking, "declined")
    return None


def _cancel(booking: Booking, user: User, now: datetime) -> DomainError | None:
    if not (is_customer(booking, user) or is_provider(booking, user)):
        return NotAllowed("You cannot cancel this booking.")
    if booking.status == Booking.Status.PENDING and is_provider(booking, user):
        return WrongState("Decline the request instead of cancelling it.")
    if booking.status not in Booking.ACTIVE:
        return _status_refusal(booking, "cancelled")
    if booking.start <= now:
        return WrongState("This booking has started: it can no longer be cancelled.")
    return None


def _reschedule(booking: Booking, user: User, now: datetime) -> DomainError | None:
    if not (is_customer(booking, user) or is_provider(booking, user)):
        return NotAllowed("You cannot change this booking.")
    if booking.status != Booking.Status.ACCEPTED:
        return WrongState("Only a confirmed booking can be moved to a new time.")
    if booking.start <= now:
        return WrongState("This booking has started: it can no longer be moved.")
    return None


def _answer_proposal(booking: Booking, user: User, now: datetime) -> DomainError | None:
    if not (is_customer(booking, user) or is_provider(booking, user)):
        return NotAllowed("You cannot change this booking.")
    if booking.status != Booking.Status.ACCEPTED or booking.proposed_period is None:
        return WrongState("There is no new time waiting for an answer.")
    if booking.proposed_by_id == user.pk:
        return NotAllowed("The other side answers your proposal.")
    if booking.start <= now:
        return WrongState("This booking has started: it can no longer be moved.")
    return None


def _complete(booking: Booking, user: User, now: datetime) -> DomainError | None:
    if not is_provider(booking, user):
        return NotAllowed("Only the provider can mark this job completed.")
    if booking.status != Booking.Status.ACCEPTED:
        return WrongState("Only a confirmed booking can be marked completed.")
    if booking.start > now:
        return WrongState("You can mark the job completed once it has started.")
    return None


_RULES: dict[BookingAction, Callable[[Booking, User, datetime], DomainError | None]] = {
    BookingAction.ACCEPT: _accept,
    BookingAction.DECLINE: _decline,
    BookingAction.CANCEL: _cancel,
    BookingAction.RESCHEDULE: _reschedule,
    BookingAction.RESCHEDULE_ACCEPT: _answer_proposal,
    BookingAction.RESCHEDULE_DECLINE: _answer_proposal,
    BookingAction.COMPLETE: _complete,
}


def booking_refusal(
    *, booking: Booking, user: User, action: BookingAction, now: datetime | None = None
) -> DomainError | None:
    """Why `user` may not take `action` on `booking` now, or None when they may."""
    return _RULES[action](booking, user, now or timezone.now())


def booking_check(
    *, booking: Booking, user: User, action: BookingAction, now: datetime | None = None
) -> None:
    """Raise NotAllowed or WrongState unless `user` may take `action` on `booking` now."""
    refusal = booking_refusal(booking=booking, user=user, action=action, now=now)
    if refusal is not None:
        raise refusal


def booking_allowed_actions(
    *, booking: Booking, user: User, now: datetime | None = None
) -> frozenset[BookingAction]:
    """Every action `user` may take on `booking` now (what its page offers)."""
    now = now or timezone.now()
    return frozenset(
        action for action in BookingAction if _RULES[action](booking, user, now) is None
    )

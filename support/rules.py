"""Who may report a problem, see a case, write in it and settle it, and when: the one place
that decides.

Each `*_refusal` returns the domain error that refuses the action now, or None. The services
raise it (on the locked row, in the transaction); pages and the API call the same functions to
offer only what a service would accept. Input checks (text, photos, amounts) stay in the
services.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from accounts.models import User
from accounts.selectors import MODERATOR_GROUP
from bookings.models import Booking
from marketplace.errors import DomainError, NotAllowed, WrongState

from .models import Case

# A problem is reported within this many days of the job's completion or cancellation.
REPORT_WINDOW_DAYS = 7
# The bookings a problem can be reported on, once they have ended one way or the other.
REPORTABLE = (Booking.Status.COMPLETED, Booking.Status.CANCELLED)

ONE_OPEN_CASE = "There is already an open case on this booking: add to it instead."
NOT_YOUR_BOOKING = "Only the customer and the provider of this booking can report a problem."


def report_window_ends(*, finished_at: datetime) -> datetime:
    return finished_at + timedelta(days=REPORT_WINDOW_DAYS)


def is_party(*, booking: Booking, user: User) -> bool:
    """The booking's customer or its provider."""
    return user.is_authenticated and user.pk in (booking.customer_id, booking.provider.user_id)


def is_moderator(user: User) -> bool:
    """Staff in the Moderators group (or a superuser); remembered on the user object, so a
    page asks the database once."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_support_moderator", None)
    if cached is None:
        cached = user.groups.filter(name=MODERATOR_GROUP).exists()
        user._support_moderator = cached
    return cached


def case_open_refusal(
    *,
    booking: Booking,
    user: User,
    finished_at: datetime | None,
    has_open_case: bool,
    now: datetime,
) -> DomainError | None:
    """Why `user` may not report a problem on `booking` now (cheapest first), or None.
    `finished_at`: when the job was completed or the booking cancelled."""
    if not is_party(booking=booking, user=user):
        return NotAllowed(NOT_YOUR_BOOKING)
    if booking.status not in REPORTABLE or finished_at is None:
        return WrongState(
            "You can report a problem once the job is marked completed or the booking is "
            "cancelled.",
            code="not_finished",
        )
    if has_open_case:
        return WrongState(ONE_OPEN_CASE, code="case_already_open")
    if now > report_window_ends(finished_at=finished_at):
        return WrongState(
            f"Problems can be reported for {REPORT_WINDOW_DAYS} days after the job is completed "
            "or the booking cancelled; that time has passed for this booking.",
            code="report_window_closed",
        )
    return None


def case_visible(*, case: Case, user: User) -> bool:
    """The two parties of the booking and the moderators see a case; nobody else."""
    return is_party(booking=case.booking, user=user) or is_moderator(user)


def case_post_refusal(*, case: Case, user: User) -> DomainError | None:
    if not case_visible(case=case, user=user):
        return NotAllowed("Only the two parties and the moderators can write in this case.")
    if not case.is_open:
        return WrongState("This case is closed.", code="case_closed")
    return None


def case_settle_refusal(*, case: Case, user: User) -> DomainError | None:
    """Refunding through a case and closing it: moderators, on an open case."""
    if not is_moderator(user):
        return NotAllowed("Only moderators can refund or close a case.")
    if not case.is_open:
        return WrongState("This case is already closed.", code="case_closed")
    return None

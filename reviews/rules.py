"""Who may review, reply, report and rate, and when: the one place that decides.

Each `*_refusal` returns the domain error that refuses the action now, or None. The services
raise it (on the locked row, in the transaction); pages call the same functions to show only
what a service would accept. Input checks (stars, text, photos) stay in the services.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from accounts.models import User
from bookings.models import Booking
from marketplace.errors import DomainError, NotAllowed, WrongState

from .models import Review, ReviewResponse

# A review is written within this many days of the booking's completion.
REVIEW_WINDOW_DAYS = 14
# The author may change a review, and the provider a reply, for this many hours.
REVIEW_EDIT_HOURS = 48

NOT_YOUR_BOOKING = "Only the customer of this booking can review it."


def review_window_ends(*, completed_at: datetime) -> datetime:
    return completed_at + timedelta(days=REVIEW_WINDOW_DAYS)


def edit_window_ends(*, created_at: datetime) -> datetime:
    return created_at + timedelta(hours=REVIEW_EDIT_HOURS)


def review_refusal(
    *,
    booking: Booking,
    user: User,
    completed_at: datetime | None,
    reviewed: bool,
    now: datetime,
) -> DomainError | None:
    """Why `user` may not review `booking` now (cheapest first), or None."""
    if not user.is_authenticated or user.pk != booking.customer_id:
        return NotAllowed(NOT_YOUR_BOOKING)
    if booking.status != Booking.Status.COMPLETED or completed_at is None:
        return WrongState("You can review a booking once the job is marked completed.")
    if reviewed:
        return WrongState("You have already reviewed this booking.", code="already_reviewed")
    if now > review_window_ends(completed_at=completed_at):
        return WrongState(
            f"Reviews can be written for {REVIEW_WINDOW_DAYS} days after the job is completed; "
            "the time to review this one has passed.",
            code="review_window_closed",
        )
    return None


def review_edit_refusal(*, review: Review, user: User, now: datetime) -> DomainError | None:
    if not user.is_authenticated or user.pk != review.author_id:
        return NotAllowed("Only the author can change this review.")
    if now > edit_window_ends(created_at=review.created_at):
        return WrongState(
            f"A review can be changed for {REVIEW_EDIT_HOURS} hours after it is written.",
            code="edit_window_closed",
        )
    return None


def is_review_provider(*, review: Review, user: User) -> bool:
    return user.is_authenticated and user.pk == review.provider.user_id


def reply_refusal(*, review: Review, user: User, replied: bool) -> DomainError | None:
    if not is_review_provider(review=review, user=user):
        return NotAllowed("Only the provider who was reviewed can reply.")
    if review.status != Review.Status.PUBLISHED:
        return WrongState("You can reply once the review is published.")
    if replied:
        return WrongState("You have already replied to this review; edit your reply instead.")
    return None


def reply_edit_refusal(
    *, response: ReviewResponse, user: User, now: datetime
) -> DomainError | None:
    if not user.is_authenticated or user.pk != response.author_id:
        return NotAllowed("Only the provider who wrote this reply can change it.")
    if now > edit_window_ends(created_at=response.created_at):
        return WrongState(
            f"A reply can be changed for {REVIEW_EDIT_HOURS} hours after it is written.",
            code="edit_window_closed",
        )
    return None


def report_refusal(*, review: Review, user: User) -> DomainError | None:
    if not user.is_authenticated:
        return NotAllowed("Sign in to report a review.")
    if user.pk == review.author_id:
        return NotAllowed("You cannot report your own review.")
    if review.status != Review.Status.PUBLISHED:
        return WrongState("This review is not shown on the site.")
    return None


def customer_rate_refusal(*, booking: Booking, user: User, rated: bool) -> DomainError | None:
    if not user.is_authenticated or user.pk != booking.provider.user_id:
        return NotAllowed("Only the provider of this booking can rate its customer.")
    if booking.status != Booking.Status.COMPLETED:
        return WrongState("You can rate the customer once the job is marked completed.")
    if rated:
        return WrongState("You have already rated the customer of this booking.")
    return None

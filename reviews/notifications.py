"""What people are told about reviews: the wording only (the services decide).

Each function records notifications in the caller's transaction (notifications.services.notify
is the outbox; the emails go after commit).
"""

from __future__ import annotations

from django.urls import reverse

from bookings.models import Booking
from notifications.services import notify

from .models import Review, ReviewResponse
from .rules import REVIEW_WINDOW_DAYS


def _first_name(review: Review) -> str:
    name = (review.author.name or "").split()
    return name[0] if name else "A customer"


def notify_review_invited(*, booking: Booking) -> None:
    notify(
        recipient=booking.customer,
        kind="review_invited",
        title=f"How did it go? Review {booking.service.title}",
        body=(
            f"{booking.provider.business_name} marked your job completed. Tell other customers "
            f"how it went: you can review it for the next {REVIEW_WINDOW_DAYS} days."
        ),
        url=reverse("review_new", args=[booking.pk]),
    )


def notify_review_published(*, review: Review) -> None:
    notify(
        recipient=review.provider.user,
        kind="review_published",
        title=f"New {review.rating}-star review of {review.service.title}",
        body=(
            f"{_first_name(review)} reviewed {review.service.title}. You can reply once, "
            "publicly, from your reviews in the portal."
        ),
        url=reverse("portal_review_list"),
    )


_STATUS_WORDS = {
    Review.Status.PUBLISHED: ("Your review is published", "It is now shown on the listing."),
    Review.Status.HELD: (
        "Your review is being checked",
        "Our moderators are checking it before it is shown.",
    ),
    Review.Status.HIDDEN: (
        "Your review was hidden by our moderators",
        "It is no longer shown on the site.",
    ),
}


def notify_review_status(*, review: Review, reason: str) -> None:
    title, sentence = _STATUS_WORDS[review.status]
    notify(
        recipient=review.author,
        kind=f"review_{review.status}",
        title=f"{title}: {review.service.title}",
        body=sentence + (f" Reason: {reason}" if reason else ""),
        url=review.booking.get_absolute_url(),
    )


def notify_review_replied(*, response: ReviewResponse) -> None:
    review = response.review
    notify(
        recipient=review.author,
        kind="review_replied",
        title=f"{review.provider.business_name} replied to your review",
        body=f"Their reply is shown under your review of {review.service.title}.",
        url=review.service.get_absolute_url(),
    )

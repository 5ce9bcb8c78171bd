"""Every write of the reviews app: reviews, replies, reports, moderators' status changes and
providers' ratings of customers.

Keyword-only, typed, raising marketplace.errors types (never HTTP). Refusals come cheapest
first (who, state, input, photos) and a failure saves nothing and deletes any stored file.
The rating figures change only through reviews.aggregates, in the transaction that publishes,
hides or restores a review.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import moderation_record
from bookings.models import Booking, BookingEvent
from bookings.timeline import event_record
from listings.photo_uploads import photos_check, photos_delete, photos_store
from marketplace.client_address import ClientInfo
from marketplace.errors import Conflict, Invalid, WrongState
from marketplace.page_cache import pages_changed
from marketplace.params import parse_int

from . import fraud, notifications, rules, selectors
from .aggregates import ratings_refresh
from .models import (
    PRIVATE_NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    REPORT_DETAILS_MAX_LENGTH,
    REVIEW_MAX_PHOTOS,
    REVIEW_TEXT_MAX_LENGTH,
    REVIEW_TEXT_MIN_LENGTH,
    CustomerRating,
    Review,
    ReviewPhoto,
    ReviewReport,
    ReviewResponse,
)

SUB_RATINGS = ("quality", "punctuality", "communication", "value")
_SUB_LABELS = {
    "quality": "Quality",
    "punctuality": "Punctuality",
    "communication": "Communication",
    "value": "Value",
}


def _clean(text: object) -> str:
    """Text people send with line ends made \\n and control characters other than newlines and
    tabs dropped (PostgreSQL refuses NUL; the others only hide things), trimmed."""
    if not isinstance(text, str):
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()


def _stars(value: object) -> int | None:
    """1 to 5 as a whole number (an int, or its ASCII digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= 5 else None
    return parse_int(value.strip() if isinstance(value, str) else None, minimum=1, maximum=5)


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_ratings(rating: object, subs: dict[str, object]) -> tuple[int, dict[str, int | None]]:
    errors: dict[str, str] = {}
    stars = _stars(rating)
    if stars is None:
        errors["rating"] = "Choose from 1 to 5 stars."
    parsed: dict[str, int | None] = {}
    for name, value in subs.items():
        parsed[name] = None if _empty(value) else _stars(value)
        if not _empty(value) and parsed[name] is None:
            errors[name] = f"{_SUB_LABELS[name]}: choose from 1 to 5 stars, or leave it out."
    if errors:
        raise Invalid(fields=errors)
    return stars, parsed


def _check_text(text: object, *, field: str = "text", minimum: int, maximum: int) -> str:
    cleaned = _clean(text)
    if len(cleaned) < minimum:
        raise Invalid(
            fields={
                field: f"Write at least {minimum} characters"
                + (f" (this has {len(cleaned)})." if cleaned else ".")
            }
        )
    if len(cleaned) > maximum:
        raise Invalid(
            fields={field: f"Keep it to {maximum:,} characters (this has {len(cleaned):,})."}
        )
    return cleaned


def _review_input(
    *, rating: object, text: object, subs: dict[str, object]
) -> tuple[int, dict[str, int | None], str]:
    errors: dict[str, list[str]] = {}
    stars, parsed, cleaned = None, {}, ""
    try:
        stars, parsed = _check_ratings(rating, subs)
    except Invalid as error:
        errors.update(error.fields)
    try:
        cleaned = _check_text(text, minimum=REVIEW_TEXT_MIN_LENGTH, maximum=REVIEW_TEXT_MAX_LENGTH)
    except Invalid as error:
        errors.update(error.fields)
    if errors:
        raise Invalid("Nothing was saved: correct what is marked below.", fields=errors)
    return stars, parsed, cleaned


# The end of every refusal of a review's photos.
NOTHING_SAVED = "Nothing was saved."


def _check_photos(photos: Sequence[UploadedFile]) -> None:
    """Count, bytes, then headers (before anything is decoded)."""
    photos_check(
        photos,
        most=REVIEW_MAX_PHOTOS,
        too_many=f"Add at most {REVIEW_MAX_PHOTOS} photos to a review.",
        refused=NOTHING_SAVED,
    )


def _store_photos(photos: Sequence[UploadedFile]) -> list[ReviewPhoto]:
    """Decode, re-encode and store each photo (one decoded at a time); rows not saved yet."""
    return photos_store(
        photos, make=lambda position: ReviewPhoto(position=position), refused=NOTHING_SAVED
    )


def _refresh_figures(review: Review) -> None:
    ratings_refresh(service_ids=[review.service_id], provider_ids=[review.provider_id])


def _held_by_score(score: int) -> bool:
    return score >= settings.FRAUD_HOLD_THRESHOLD


def _save_review(
    *,
    booking: Booking,
    author: User,
    stars: int,
    subs: dict[str, int | None],
    text: str,
    photos: list[ReviewPhoto],
    client: ClientInfo,
    now: datetime,
) -> Review:
    review = Review.objects.create(
        booking=booking,
        service_id=booking.service_id,
        provider_id=booking.provider_id,
        author=author,
        rating=stars,
        text=text,
        ip_address=client.ip_address,
        user_agent=(client.user_agent or "")[:300],
        device_id=(client.device_id or "")[:64],
        **subs,
    )
    for photo in photos:
        photo.review = review
    ReviewPhoto.objects.bulk_create(photos)
    event_record(
        booking,
        action=BookingEvent.Action.REVIEWED,
        from_status=Booking.Status.COMPLETED,
        actor=author,
    )
    review.fraud_score = fraud.review_assess(review=review)
    if _held_by_score(review.fraud_score):
        review.status = Review.Status.HELD
    else:
        review.status, review.published_at = Review.Status.PUBLISHED, now
    review.save(update_fields=["fraud_score", "status", "published_at"])
    if review.status == Review.Status.PUBLISHED:
        _refresh_figures(review)
        notifications.notify_review_published(review=review)
    return review


def review_submit(
    *,
    booking: Booking,
    author: User,
    rating: int | str,
    text: str,
    quality: int | str | None = None,
    punctuality: int | str | None = None,
    communication: int | str | None = None,
    value: int | str | None = None,
    photos: Sequence[UploadedFile] = (),
    client: ClientInfo,
    now: datetime | None = None,
) -> Review:
    """`author` reviews their completed `booking`: published, or held for a moderator when the
    fraud rules score it at FRAUD_HOLD_THRESHOLD or more (review.status says which)."""
    now = now or timezone.now()
    photos = list(photos)
    refusal = rules.review_refusal(
        booking=booking,
        user=author,
        completed_at=selectors.completed_at(booking=booking),
        reviewed=Review.objects.filter(booking=booking).exists(),
        now=now,
    )
    if refusal is not None:
        raise refusal
    subs = {
        "quality": quality,
        "punctuality": punctuality,
        "communication": communication,
        "value": value,
    }
    stars, parsed, cleaned = _review_input(rating=rating, text=text, subs=subs)
    _check_photos(photos)
    stored = _store_photos(photos)
    try:
        with transaction.atomic():
            return _save_review(
                booking=booking,
                author=author,
                stars=stars,
                subs=parsed,
                text=cleaned,
                photos=stored,
                client=client,
                now=now,
            )
    except IntegrityError as error:
        photos_delete(stored)
        raise Conflict("This booking has just been reviewed.", code="already_reviewed") from error
    except BaseException:
        photos_delete(stored)
        raise


def review_edit(
    *,
    review: Review,
    author: User,
    rating: int | str,
    text: str,
    quality: int | str | None = None,
    punctuality: int | str | None = None,
    communication: int | str | None = None,
    value: int | str | None = None,
    now: datetime | None = None,
) -> Review:
    """The author changes their review within REVIEW_EDIT_HOURS. The fraud rules look again:
    a published review that now scores at the threshold is held."""
    now = now or timezone.now()
    refusal = rules.review_edit_refusal(review=review, user=author, now=now)
    if refusal is not None:
        raise refusal
    subs = {
        "quality": quality,
        "punctuality": punctuality,
        "communication": communication,
        "value": value,
    }
    stars, parsed, cleaned = _review_input(rating=rating, text=text, subs=subs)
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        refusal = rules.review_edit_refusal(review=locked, user=author, now=now)
        if refusal is not None:
            raise refusal
        locked.rating, locked.text, locked.edited_at = stars, cleaned, now
        for name, stars_given in parsed.items():
            setattr(locked, name, stars_given)
        locked.fraud_score = fraud.review_assess(review=locked)
        if locked.status == Review.Status.PUBLISHED and _held_by_score(locked.fraud_score):
            locked.status = Review.Status.HELD
        locked.save()
        _refresh_figures(locked)
    return locked


_STATUS_ACTIONS = {
    (Review.Status.HELD, Review.Status.PUBLISHED): "publish_review",
    (Review.Status.HIDDEN, Review.Status.PUBLISHED): "restore_review",
    (Review.Status.PUBLISHED, Review.Status.HIDDEN): "hide_review",
    (Review.Status.HELD, Review.Status.HIDDEN): "hide_review",
    (Review.Status.PUBLISHED, Review.Status.HELD): "hold_review",
    (Review.Status.HIDDEN, Review.Status.HELD): "hold_review",
}


def review_set_status(
    *, review: Review, status: str, actor: User | None, reason: str = ""
) -> Review:
    """A moderator (or the fraud scan, actor None) publishes, hides, holds or restores (back
    to published) a review. The figures change in the same transaction; the moderation trail
    records it when there is an actor; the author is told, with the reason."""
    if status not in Review.Status.values:
        raise Invalid(fields={"status": "Choose published, held or hidden."})
    reason = _clean(reason)
    if status in (Review.Status.HIDDEN, Review.Status.HELD) and not reason:
        raise Invalid(fields={"reason": "Give a reason: the author is shown it."})
    if len(reason) > REASON_MAX_LENGTH:
        raise Invalid(fields={"reason": f"Keep the reason to {REASON_MAX_LENGTH} characters."})
    with transaction.atomic():
        locked = (
            Review.objects.select_for_update()
            .select_related("author", "provider__user", "service", "booking")
            .get(pk=review.pk)
        )
        action = _STATUS_ACTIONS.get((locked.status, status))
        if action is None:
            raise WrongState(f"This review is already {locked.get_status_display().lower()}.")
        locked.status, locked.status_reason = status, reason
        if status == Review.Status.PUBLISHED and locked.published_at is None:
            locked.published_at = timezone.now()
        locked.save(update_fields=["status", "status_reason", "published_at"])
        _refresh_figures(locked)
        if actor is not None:
            moderation_record(
                actor=actor,
                action=action,
                reason=reason,
                user=locked.author,
                provider=locked.provider,
                target=locked,
            )
        notifications.notify_review_status(review=locked, reason=reason)
        if action == "publish_review":
            # Held until now: the provider hears of it as of any newly published review.
            notifications.notify_review_published(review=locked)
    review.status, review.status_reason, review.published_at = (
        locked.status,
        locked.status_reason,
        locked.published_at,
    )
    return locked


def review_reply(*, review: Review, user: User, text: str) -> ReviewResponse:
    """The reviewed provider's one public reply to a published review."""
    refusal = rules.reply_refusal(
        review=review, user=user, replied=ReviewResponse.objects.filter(review=review).exists()
    )
    if refusal is not None:
        raise refusal
    cleaned = _check_text(text, minimum=1, maximum=REPLY_MAX_LENGTH)
    try:
        with transaction.atomic():
            response = ReviewResponse.objects.create(review=review, author=user, text=cleaned)
            notifications.notify_review_replied(response=response)
            pages_changed()
    except IntegrityError as error:
        raise Conflict("You have already replied to this review.") from error
    return response


def review_reply_edit(
    *, response: ReviewResponse, user: User, text: str, now: datetime | None = None
) -> ReviewResponse:
    now = now or timezone.now()
    refusal = rules.reply_edit_refusal(response=response, user=user, now=now)
    if refusal is not None:
        raise refusal
    cleaned = _check_text(text, minimum=1, maximum=REPLY_MAX_LENGTH)
    with transaction.atomic():
        ReviewResponse.objects.filter(pk=response.pk).update(text=cleaned, edited_at=now)
        response.text, response.edited_at = cleaned, now
        notifications.notify_review_replied(response=response)
        pages_changed()
    return response


ALREADY_REPORTED = "You have already reported this review; our moderators will look at it."


def review_report(
    *, review: Review, reporter: User, reason: str, details: str = ""
) -> ReviewReport:
    """Any signed-in user but the author reports a published review to the moderators."""
    refusal = rules.report_refusal(review=review, user=reporter)
    if refusal is not None:
        raise refusal
    if reason not in ReviewReport.Reason.values:
        raise Invalid(fields={"reason": "Choose what is wrong with this review."})
    details = _clean(details)
    if len(details) > REPORT_DETAILS_MAX_LENGTH:
        raise Invalid(
            fields={"details": f"Keep the details to {REPORT_DETAILS_MAX_LENGTH} characters."}
        )
    if selectors.open_report_exists(review=review, user=reporter):
        raise WrongState(ALREADY_REPORTED, code="already_reported")
    try:
        with transaction.atomic():
            return ReviewReport.objects.create(
                review=review, reporter=reporter, reason=reason, details=details
            )
    except IntegrityError as error:
        raise WrongState(ALREADY_REPORTED, code="already_reported") from error


def customer_rate(
    *, booking: Booking, user: User, rating: int | str, private_note: str = ""
) -> CustomerRating:
    """The booking's provider rates its customer, once, when the job is completed. The note is
    for the platform only."""
    refusal = rules.customer_rate_refusal(
        booking=booking, user=user, rated=CustomerRating.objects.filter(booking=booking).exists()
    )
    if refusal is not None:
        raise refusal
    stars = _stars(rating)
    if stars is None:
        raise Invalid(fields={"rating": "Choose from 1 to 5 stars."})
    note = _clean(private_note)
    if len(note) > PRIVATE_NOTE_MAX_LENGTH:
        raise Invalid(
            fields={"private_note": f"Keep the note to {PRIVATE_NOTE_MAX_LENGTH:,} characters."}
        )
    try:
        with transaction.atomic():
            return CustomerRating.objects.create(
                booking=booking,
                customer_id=booking.customer_id,
                provider_id=booking.provider_id,
                rating=stars,
                private_note=note,
            )
    except IntegrityError as error:
        raise Conflict("The customer of this booking has just been rated.") from error

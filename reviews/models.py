"""Reviews of completed bookings, the provider's reply, the provider's rating of the customer,
reports, and the fraud signals raised against reviews and accounts.

Every write goes through reviews/services.py (and reviews/fraud.py for signals). The rating
aggregates on `listings.Service` and `accounts.ProviderProfile` are written only there, in the
same transaction as a review is published, hidden or restored.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from marketplace.storage import private_storage

REVIEW_TEXT_MIN_LENGTH = 20
REVIEW_TEXT_MAX_LENGTH = 2000
REVIEW_MAX_PHOTOS = 4
REPLY_MAX_LENGTH = 2000
REPORT_DETAILS_MAX_LENGTH = 500
PRIVATE_NOTE_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 300


def _photo_path(instance: "ReviewPhoto", filename: str) -> str:
    return f"reviews/{uuid.uuid4().hex}.jpg"


def _stars(field: str) -> Q:
    return Q(**{f"{field}__gte": 1, f"{field}__lte": 5})


class Review(models.Model):
    """A customer's review of one completed booking (one per booking)."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        # Held by the fraud rules (or a moderator) until a moderator publishes it.
        HELD = "held", "Being checked"
        HIDDEN = "hidden", "Hidden by moderators"

    booking = models.OneToOneField(
        "bookings.Booking", on_delete=models.PROTECT, related_name="review"
    )
    # Copied from the booking so that lists and aggregates need no join through it.
    service = models.ForeignKey(
        "listings.Service", on_delete=models.PROTECT, related_name="reviews"
    )
    provider = models.ForeignKey(
        "accounts.ProviderProfile", on_delete=models.PROTECT, related_name="reviews"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_written"
    )
    rating = models.PositiveSmallIntegerField()
    quality = models.PositiveSmallIntegerField(null=True, blank=True)
    punctuality = models.PositiveSmallIntegerField(null=True, blank=True)
    communication = models.PositiveSmallIntegerField(null=True, blank=True)
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(max_length=REVIEW_TEXT_MAX_LENGTH)
    status = models.CharField(max_length=9, choices=Status, default=Status.HELD, db_index=True)
    # Shown to the author when a moderator holds, hides or restores the review.
    status_reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)
    # The sum of the scores of the fraud signals raised when it was submitted.
    fraud_score = models.PositiveIntegerField(default=0)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    device_id = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_stars("rating"), name="review_rating_1_to_5"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True}) | _stars(field),
                    name=f"review_{field}_1_to_5",
                )
                for field in ("quality", "punctuality", "communication", "value")
            ],
        ]
        indexes = [
            models.Index(fields=["service", "status", "-created_at"], name="review_service_list"),
            models.Index(fields=["provider", "status", "-created_at"], name="review_provider_list"),
            models.Index(fields=["ip_address"], name="review_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ for {self.service_id} by {self.author_id}"


class ReviewPhoto(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    image = models.ImageField(upload_to=_photo_path, storage=private_storage)
    thumbnail = models.ImageField(upload_to=_photo_path, storage=private_storage)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"Photo {self.position + 1} of review {self.review_id}"


class ReviewResponse(models.Model):
    """The provider's one public reply to a review."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="response")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=REPLY_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Reply to review {self.review_id}"


class CustomerRating(models.Model):
    """The provider's rating of the customer of a completed booking, seen by providers only."""

    booking = models.OneToOneField(
        "bookings.Booking", on_delete=models.CASCADE, related_name="customer_rating"
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings_received"
    )
    provider = models.ForeignKey(
        "accounts.ProviderProfile", on_delete=models.CASCADE, related_name="customer_ratings"
    )
    rating = models.PositiveSmallIntegerField()
    # For the platform only: never shown to the customer or other providers.
    private_note = models.TextField(max_length=PRIVATE_NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=_stars("rating"), name="customer_rating_1_to_5")
        ]
        indexes = [models.Index(fields=["customer"], name="customer_rating_customer")]

    def __str__(self) -> str:
        return f"{self.rating}★ for customer {self.customer_id}"


class ReviewReport(models.Model):
    class Reason(models.TextChoices):
        FAKE = "fake", "It looks fake or paid for"
        OFFENSIVE = "offensive", "It is offensive or abusive"
        PRIVATE = "private", "It shares private information"
        UNRELATED = "unrelated", "It is not about this job"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        ACTIONED = "actioned", "Actioned"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_reports"
    )
    reason = models.CharField(max_length=9, choices=Reason)
    details = models.TextField(max_length=REPORT_DETAILS_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=9, choices=Status, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open report per person and review: reporting twice changes nothing.
            models.UniqueConstraint(
                fields=["review", "reporter"],
                condition=Q(status="open"),
                name="review_report_one_open_per_reporter",
            )
        ]

    def __str__(self) -> str:
        return f"Report of review {self.review_id}: {self.get_reason_display()}"


class FraudSignal(models.Model):
    """Evidence that a review or an account may be fake, raised by a rule in reviews/fraud.py."""

    class Rule(models.TextChoices):
        SHARED_IDENTITY = "shared_identity", "Reviewer shares an IP, device or email domain"
        REPEAT_REVIEWER = "repeat_reviewer", "Several reviews from one IP or device"
        BURST = "burst", "Far more reviews in a day than usual"
        DUPLICATE_TEXT = "duplicate_text", "Near-duplicate review text"
        NEW_ACCOUNT = "new_account", "Brand-new account leaving 5 stars"
        SIGNUP_CLUSTER = "signup_cluster", "Several accounts from one IP or device"
        DISPOSABLE_EMAIL = "disposable_email", "Disposable email domain"
        ODD_BOOKING = "odd_booking", "Booking completed unusually"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        CONFIRMED = "confirmed", "Confirmed"

    rule = models.CharField(max_length=16, choices=Rule)
    score = models.PositiveSmallIntegerField()
    # What the signal is about: a review (then also its author and provider) or an account.
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, null=True, blank=True, related_name="fraud_signals"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="fraud_signals",
    )
    provider = models.ForeignKey(
        "accounts.ProviderProfile",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="fraud_signals",
    )
    evidence = models.JSONField(default=dict)
    # Makes raising idempotent: a re-scan finds the same key and raises nothing new.
    key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=9, choices=Status, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} ({self.score})"

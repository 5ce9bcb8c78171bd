"""Support cases: a problem reported on a booking by one of its two parties, the conversation
between them and the moderators (with photos), and every step of it (CaseEvent).

Every write goes through support/services.py. While a case is open the provider's earning on
the booking is held from payouts (payments.services.refunds.payment_payout_hold).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from marketplace.storage import private_storage

DESCRIPTION_MIN_LENGTH = 10
DESCRIPTION_MAX_LENGTH = 2000
MESSAGE_MAX_LENGTH = 2000
OUTCOME_NOTE_MAX_LENGTH = 1000
# Photos with the report, and with each message.
CASE_MAX_PHOTOS = 4
EVENT_DETAIL_MAX_LENGTH = 300


def _photo_path(instance: "CasePhoto", filename: str) -> str:
    # Never shown: pages link the checked view by `key`; support/media_urls.py refuses these.
    return f"support/{uuid.uuid4().hex}.jpg"


class Case(models.Model):
    class Reason(models.TextChoices):
        NOT_DONE = "not_done", "The job was not done"
        POOR_QUALITY = "poor_quality", "Poor quality work"
        DAMAGE = "damage", "Something was damaged"
        NO_SHOW = "no_show", "The other party did not show up"
        BILLING = "billing", "A problem with the payment"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        FOR_CUSTOMER = "customer", "Resolved for the customer"
        FOR_PROVIDER = "provider", "Resolved for the provider"
        NO_ACTION = "no_action", "No action needed"

    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.PROTECT, related_name="support_cases"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="support_cases_opened"
    )
    reason = models.CharField(max_length=12, choices=Reason)
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH)
    state = models.CharField(max_length=6, choices=State, default=State.OPEN)
    outcome = models.CharField(max_length=9, choices=Outcome, blank=True)
    outcome_note = models.TextField(max_length=OUTCOME_NOTE_MAX_LENGTH, blank=True)
    # What the moderators refunded through this case (payments.Refund holds each refund).
    refunded_cents = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(state="open"),
                name="support_one_open_case_per_booking",
            ),
            models.CheckConstraint(
                condition=Q(state="open", outcome="", closed_at__isnull=True)
                | (Q(state="closed", closed_at__isnull=False) & ~Q(outcome="")),
                name="support_outcome_when_closed",
            ),
        ]
        indexes = [
            models.Index(
                fields=["opened_at"], condition=Q(state="open"), name="support_open_queue_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} on booking {self.booking_id}: {self.get_reason_display()}"

    def get_absolute_url(self) -> str:
        return reverse("case_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class CaseMessage(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="support_messages"
    )
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Message {self.pk} on case {self.case_id}"


class CasePhoto(models.Model):
    """A photo sent with the report (no message) or with a message."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    message = models.ForeignKey(
        CaseMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    # What URLs name (never the storage path): a random uuid, so a photo cannot be guessed.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    image = models.ImageField(upload_to=_photo_path, storage=private_storage)
    thumbnail = models.ImageField(upload_to=_photo_path, storage=private_storage)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"Photo {self.key} of case {self.case_id}"


class CaseEvent(models.Model):
    """The case's trail: every step, who took it, when, and what it was."""

    class Action(models.TextChoices):
        OPENED = "opened", "Reported the problem"
        MESSAGE = "message", "Wrote a message"
        REFUND = "refund", "Refunded the customer"
        CLOSED = "closed", "Closed the case"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=7, choices=Action)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.CharField(max_length=EVENT_DETAIL_MAX_LENGTH, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Case {self.case_id}: {self.get_action_display()}"

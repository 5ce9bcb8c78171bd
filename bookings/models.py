"""Availability and bookings. Every status change goes through bookings/services.py."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.urls import reverse

from listings.policies import CancellationPolicy


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WeeklyAvailability(models.Model):
    """A provider's regular working hours: one range on one weekday (several a day allowed).

    Times are wall-clock times in the city of the service being booked.
    """

    provider = models.ForeignKey(
        "accounts.ProviderProfile", on_delete=models.CASCADE, related_name="weekly_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        verbose_name_plural = "weekly availability"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="weekly_hours_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class AvailabilityException(models.Model):
    """A day off, or extra hours on one date."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", "Day off"
        EXTRA = "extra", "Extra hours"

    provider = models.ForeignKey(
        "accounts.ProviderProfile", on_delete=models.CASCADE, related_name="availability_exceptions"
    )
    date = models.DateField()
    kind = models.CharField(max_length=7, choices=Kind)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "start_time"]
        indexes = [models.Index(fields=["provider", "date"], name="availability_exception_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="day_off")
                | models.Q(
                    start_time__isnull=False,
                    end_time__isnull=False,
                    end_time__gt=models.F("start_time"),
                ),
                name="availability_extra_has_hours",
            )
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.DAY_OFF:
            return f"{self.date}: day off"
        return f"{self.date}: extra hours {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class Booking(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the provider"
        ACCEPTED = "accepted", "Confirmed"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"

    # Statuses that hold the provider's time (the exclusion constraint covers only these).
    ACTIVE = (Status.PENDING, Status.ACCEPTED)

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    provider = models.ForeignKey(
        "accounts.ProviderProfile", on_delete=models.PROTECT, related_name="bookings"
    )
    service = models.ForeignKey(
        "listings.Service", on_delete=models.PROTECT, related_name="bookings"
    )
    period = DateTimeRangeField(help_text="When the job takes place, stored in UTC.")
    address = models.CharField(max_length=250)
    point = models.PointField(geography=True, srid=4326)
    # Snapshots taken when booking: later edits to the listing change nothing here.
    price_type = models.CharField(max_length=6)
    price = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    cancellation_policy = models.CharField(max_length=8, choices=CancellationPolicy)
    # The platform's commission on this job, from its category (or PLATFORM_FEE_PERCENT).
    platform_fee_percent = models.DecimalField(max_digits=4, decimal_places=2, default=0)
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=9, choices=Status, default=Status.PENDING)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancellation_fee = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    cancellation_reason = models.CharField(max_length=300, blank=True)
    proposed_period = DateTimeRangeField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="booking_customer_idx"),
            models.Index(fields=["provider", "status"], name="booking_provider_status_idx"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="pending"),
                name="booking_pending_created_idx",
            ),
        ]
        constraints = [
            # The last guarantee against double booking: two active bookings of one provider
            # never overlap, whatever the application does.
            ExclusionConstraint(
                name="booking_no_overlap",
                index_type="GIST",
                expressions=[
                    ("provider", RangeOperators.EQUAL),
                    ("period", RangeOperators.OVERLAPS),
                ],
                condition=models.Q(status__in=["pending", "accepted"]),
            ),
        ]

    def __str__(self) -> str:
        return f"Booking {self.pk}: {self.service_id} at {self.start:%Y-%m-%d %H:%M} UTC"

    def get_absolute_url(self) -> str:
        return reverse("booking_detail", kwargs={"pk": self.pk})

    @property
    def start(self) -> datetime:
        return self.period.lower

    @property
    def end(self) -> datetime:
        return self.period.upper

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.service.city.timezone)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class BookingEvent(models.Model):
    """The booking's timeline: every transition, who made it, when and why."""

    class Action(models.TextChoices):
        REQUESTED = "requested", "Requested the booking"
        INSTANT = "instant", "Booked (instant booking)"
        ACCEPTED = "accepted", "Accepted the booking"
        DECLINED = "declined", "Declined the booking"
        EXPIRED = "expired", "Expired without an answer"
        CANCELLED = "cancelled", "Cancelled the booking"
        COMPLETED = "completed", "Marked the job completed"
        RESCHEDULE_PROPOSED = "resched_proposed", "Proposed a new time"
        RESCHEDULE_ACCEPTED = "resched_accepted", "Accepted the new time"
        RESCHEDULE_DECLINED = "resched_declined", "Declined the new time"
        # Written by reviews.services when the customer's review is submitted; the status
        # stays completed.
        REVIEWED = "reviewed", "Reviewed the job"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=Action)
    from_status = models.CharField(max_length=9, choices=Booking.Status, blank=True)
    to_status = models.CharField(max_length=9, choices=Booking.Status)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.from_status or 'new'} → {self.to_status}"

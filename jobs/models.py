"""Posted jobs and quotes. Every status change goes through jobs/services.py.

The tables keep the names they had in the bookings app (bookings_jobrequest, bookings_quote),
so databases from before the jobs app migrate without moving a row.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.gis.db import models
from django.urls import reverse


class JobRequest(models.Model):
    """A job a customer posts for providers nearby to quote on (or asks one provider about).

    Every status change goes through jobs/services.py.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open for quotes"
        ACCEPTED = "accepted", "Quote accepted"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_requests"
    )
    # The kind of job: a subcategory, or (subcategory empty) a whole category, which reaches
    # the providers of every subcategory under it (jobs.selectors.listing_takes_job).
    subcategory = models.ForeignKey(
        "listings.Subcategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="job_requests",
    )
    category = models.ForeignKey(
        "listings.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="job_requests",
    )
    # Set when the customer asked one provider (from a listing): only that provider sees it.
    provider = models.ForeignKey(
        "accounts.ProviderProfile",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="job_requests_addressed",
    )
    service = models.ForeignKey(
        "listings.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="job_requests",
    )
    title = models.CharField(max_length=120)
    description = models.TextField()
    place_name = models.CharField(max_length=120, help_text="The suburb or town, as resolved.")
    point = models.PointField(geography=True, srid=4326)
    # The nearest city: its timezone is the one every time on the job is shown in.
    city = models.ForeignKey("places.City", on_delete=models.PROTECT, related_name="+")
    budget_min = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    budget_max = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=9, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "bookings_jobrequest"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="job_customer_idx"),
            models.Index(
                fields=["subcategory", "-created_at"],
                condition=models.Q(status="open"),
                name="job_open_subcategory_idx",
            ),
            models.Index(
                fields=["expires_at"], condition=models.Q(status="open"), name="job_open_expiry_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subcategory__isnull=False, category__isnull=True)
                | models.Q(subcategory__isnull=True, category__isnull=False),
                name="job_one_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(budget_min__isnull=True)
                | models.Q(budget_max__isnull=True)
                | models.Q(budget_min__lte=models.F("budget_max")),
                name="job_budget_min_le_max",
            ),
            models.CheckConstraint(
                condition=models.Q(date_from__isnull=True)
                | models.Q(date_to__isnull=True)
                | models.Q(date_from__lte=models.F("date_to")),
                name="job_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Job {self.pk}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("job_detail", kwargs={"pk": self.pk})

    @property
    def kind_name(self) -> str:
        """The kind of job as pages show it (select_related subcategory and category)."""
        if self.subcategory_id:
            return self.subcategory.name
        return f"{self.category.name}: any kind"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.city.timezone)


class Quote(models.Model):
    """A provider's price and time for a posted job. Accepting it books the job."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the customer"
        # The customer asked the provider for another time: it waits for their revision.
        ASKED = "asked", "New time asked for"
        # A revised quote replaced it (the newer one points back at it): history only.
        REVISED = "revised", "Replaced by a revised quote"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    job = models.ForeignKey(JobRequest, on_delete=models.CASCADE, related_name="quotes")
    provider = models.ForeignKey(
        "accounts.ProviderProfile", on_delete=models.CASCADE, related_name="quotes"
    )
    # The provider's listing the booking is made under once the quote is accepted.
    service = models.ForeignKey("listings.Service", on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(max_digits=9, decimal_places=2)
    message = models.TextField(blank=True)
    start = models.DateTimeField(help_text="Proposed start, stored in UTC.")
    duration_minutes = models.PositiveIntegerField(default=120)
    valid_until = models.DateTimeField()
    status = models.CharField(max_length=9, choices=Status, default=Status.PENDING)
    # What the customer wrote when asking for a new time (status "asked").
    change_note = models.CharField(max_length=500, blank=True)
    # The quote this one revised: the job page shows the chain as the quote's history.
    replaces = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="revision"
    )
    booking = models.OneToOneField(
        "bookings.Booking", on_delete=models.SET_NULL, null=True, blank=True, related_name="quote"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "bookings_quote"
        ordering = ["price", "created_at", "id"]
        indexes = [
            models.Index(fields=["provider", "-created_at"], name="quote_provider_idx"),
            models.Index(
                fields=["valid_until"],
                condition=models.Q(status="pending"),
                name="quote_pending_valid_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "provider"],
                condition=models.Q(status="pending"),
                name="quote_one_pending_per_provider",
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="quote_price_positive"),
        ]

    # Still open for the customer's answer or the provider's revision.
    WAITING = (Status.PENDING, Status.ASKED)

    def __str__(self) -> str:
        return f"Quote {self.pk} on job {self.job_id}: ${self.price}"

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration_minutes)

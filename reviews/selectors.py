"""The reads of the reviews app: the public lists, the 5-to-1 breakdown, what the booking page
and "My bookings" need, and a customer's standing for providers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import ProviderProfile, User
from bookings.models import Booking, BookingEvent
from listings.models import Service
from marketplace.params import MAX_ID

from . import rules
from .models import CustomerRating, Review, ReviewPhoto, ReviewReport

PAGE_SIZE = 10


def completed_at(*, booking: Booking) -> datetime | None:
    """When the job was marked completed: its COMPLETED timeline event (the booking's end for a
    booking completed without one, as imported or older data may be); None when not completed."""
    if booking.status != Booking.Status.COMPLETED:
        return None
    at = (
        BookingEvent.objects.filter(booking=booking, action=BookingEvent.Action.COMPLETED)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return at or booking.period.upper


def _completed_at_expression():
    event = BookingEvent.objects.filter(
        booking=OuterRef("pk"), action=BookingEvent.Action.COMPLETED
    ).order_by("-at")
    return Coalesce(Subquery(event.values("at")[:1]), F("period__endswith"))


def reviews_to_write(*, user: User, now: datetime | None = None) -> list[Booking]:
    """`user`'s completed bookings still in the review window and not reviewed (1 query)."""
    if not user.is_authenticated:
        return []
    now = now or timezone.now()
    opened = now - timedelta(days=rules.REVIEW_WINDOW_DAYS)
    return list(
        Booking.objects.filter(customer=user, status=Booking.Status.COMPLETED, review__isnull=True)
        .annotate(completed=_completed_at_expression())
        .filter(completed__gte=opened)
        .select_related("service", "provider")
        .order_by("-completed")
    )


# What a list of reviews shows of the joined rows: the author's name, the listing's title and
# link. A whole user and a whole listing (its description, search vector and map point, built
# into a GEOS object) cost more to build than the review itself.
_REVIEW_FIELDS = tuple(field.attname for field in Review._meta.concrete_fields)
_JOINED_FIELDS = ("author__name", "response", "service__title", "service__slug")


def _public_list(queryset: QuerySet[Review]) -> QuerySet[Review]:
    return (
        queryset.filter(status=Review.Status.PUBLISHED)
        .select_related("author", "response", "service")
        .only(*_REVIEW_FIELDS, *_JOINED_FIELDS)
        .prefetch_related("photos")
        .order_by("-created_at", "-id")
    )


@dataclass
class ReviewPage:
    reviews: list[Review]
    page_number: int
    has_previous: bool
    has_next: bool


def _page(queryset: QuerySet[Review], *, page: int) -> ReviewPage:
    """One page of reviews: PAGE_SIZE + 1 rows say whether there is a next (no COUNT query)."""
    page = max(1, page)
    offset = (page - 1) * PAGE_SIZE
    rows = list(queryset[offset : offset + PAGE_SIZE + 1])
    return ReviewPage(
        reviews=rows[:PAGE_SIZE],
        page_number=page,
        has_previous=page > 1,
        has_next=len(rows) > PAGE_SIZE,
    )


def service_reviews(*, service: Service, page: int = 1) -> ReviewPage:
    """A listing's published reviews, newest first (2 queries: reviews, photos)."""
    return _page(_public_list(Review.objects.filter(service=service)), page=page)


def provider_reviews(*, provider: ProviderProfile, page: int = 1) -> ReviewPage:
    """A provider's published reviews across their listings, newest first (2 queries): their
    public page and the portal's list (held ones stay out of the provider's sight until a
    moderator decides)."""
    return _page(_public_list(Review.objects.filter(provider=provider)), page=page)


@dataclass(frozen=True)
class BreakdownRow:
    stars: int
    count: int
    total: int


def rating_breakdown(*, service: Service | None = None, provider: ProviderProfile | None = None):
    """How many published reviews gave 5, 4, 3, 2 and 1 stars (one grouped query)."""
    reviews = Review.objects.filter(status=Review.Status.PUBLISHED)
    reviews = reviews.filter(service=service) if service is not None else reviews
    reviews = reviews.filter(provider=provider) if provider is not None else reviews
    counts = dict(reviews.order_by().values_list("rating").annotate(n=Count("pk")))
    total = sum(counts.values())
    return [BreakdownRow(stars=s, count=counts.get(s, 0), total=total) for s in range(5, 0, -1)]


def review_public_get(*, pk: int) -> Review | None:
    """A published review (what a report is about)."""
    if pk > MAX_ID:
        return None
    return (
        Review.objects.filter(pk=pk, status=Review.Status.PUBLISHED)
        .select_related("service", "provider", "author")
        .first()
    )


def review_for_author(*, user: User, pk: int) -> Review | None:
    if not user.is_authenticated or pk > MAX_ID:
        return None
    return (
        Review.objects.filter(pk=pk, author=user)
        .select_related("service", "provider", "booking")
        .first()
    )


def review_for_provider(*, provider: ProviderProfile, pk: int) -> Review | None:
    if pk > MAX_ID:
        return None
    return (
        Review.objects.filter(pk=pk, provider=provider)
        .select_related("provider", "author", "response")
        .first()
    )


def photo_visible(*, user: User, key) -> ReviewPhoto | None:
    """A review's photo: anyone's while its review is published; its author's and moderators'
    otherwise."""
    photo = ReviewPhoto.objects.filter(key=key).select_related("review").first()
    if photo is None:
        return None
    if photo.review.status == Review.Status.PUBLISHED:
        return photo
    if user.is_authenticated and (
        user.pk == photo.review.author_id or user.has_perm("reviews.change_review")
    ):
        return photo
    return None


@dataclass(frozen=True)
class CustomerStanding:
    average: float | None
    ratings: int
    completed: int


def customer_standing(*, customer: User) -> CustomerStanding:
    """What providers see of a customer: the average of providers' ratings of them (None when
    none yet), how many ratings, and how many bookings they completed (2 queries)."""
    ratings = CustomerRating.objects.filter(customer=customer).aggregate(
        average=Avg("rating"), count=Count("pk")
    )
    completed = Booking.objects.filter(customer=customer, status=Booking.Status.COMPLETED).count()
    average = ratings["average"]
    return CustomerStanding(
        average=round(float(average), 1) if average is not None else None,
        ratings=ratings["count"],
        completed=completed,
    )


@dataclass
class BookingReviewPanel:
    """What the booking page shows of reviews, for the person looking at it."""

    review: Review | None = None
    can_review: bool = False
    review_ends: datetime | None = None
    can_edit: bool = False
    can_rate_customer: bool = False
    customer_rating: CustomerRating | None = None
    standing: CustomerStanding | None = None


def booking_review_panel(
    *, booking: Booking, user: User, now: datetime | None = None
) -> BookingReviewPanel:
    now = now or timezone.now()
    panel = BookingReviewPanel()
    is_customer = user.is_authenticated and user.pk == booking.customer_id
    is_provider = user.is_authenticated and user.pk == booking.provider.user_id
    if booking.status == Booking.Status.COMPLETED:
        panel.review = Review.objects.filter(booking=booking).select_related("response").first()
        if (
            panel.review is not None
            and not is_customer
            and panel.review.status != Review.Status.PUBLISHED
        ):
            panel.review = None  # the provider sees it only once it is published
    if is_customer and booking.status == Booking.Status.COMPLETED:
        if panel.review is None:
            finished = completed_at(booking=booking)
            refusal = rules.review_refusal(
                booking=booking, user=user, completed_at=finished, reviewed=False, now=now
            )
            panel.can_review = refusal is None
            panel.review_ends = rules.review_window_ends(completed_at=finished)
        else:
            panel.can_edit = (
                rules.review_edit_refusal(review=panel.review, user=user, now=now) is None
            )
    if is_provider:
        panel.standing = customer_standing(customer=booking.customer)
        if booking.status == Booking.Status.COMPLETED:
            panel.customer_rating = CustomerRating.objects.filter(booking=booking).first()
            panel.can_rate_customer = panel.customer_rating is None
    return panel


def open_report_exists(*, review: Review, user: User) -> bool:
    return review.reports.filter(reporter=user, status=ReviewReport.Status.OPEN).exists()


def customer_rated(*, booking: Booking) -> bool:
    return CustomerRating.objects.filter(booking=booking).exists()

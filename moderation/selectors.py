"""What needs a moderator's attention: the admin start page's counts, one query each."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from accounts.models import ProviderProfile, User
from bookings.models import Booking
from bookings.selectors import bookings_today
from chat.models import MessageReport
from reviews.models import FraudSignal, Review, ReviewReport
from support.models import Case


@dataclass(frozen=True)
class Attention:
    """One line of the start page: how many, and the change list that shows exactly them."""

    label: str
    count: int
    url: str


def _admin_list(model, query: str) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + "?" + query


def reviews_with_open_reports() -> QuerySet[Review]:
    open_reports = ReviewReport.objects.filter(
        review=OuterRef("pk"), status=ReviewReport.Status.OPEN
    )
    return Review.objects.filter(Exists(open_reports))


# (label, model, the change list's filter, the queryset counted: the same rows).
_ITEMS = [
    (
        "Providers waiting for approval",
        ProviderProfile,
        "status__exact=pending",
        lambda: ProviderProfile.objects.filter(status=ProviderProfile.Status.PENDING),
    ),
    (
        "Held reviews",
        Review,
        "status__exact=held",
        lambda: Review.objects.filter(status=Review.Status.HELD),
    ),
    ("Reported reviews", Review, "open_reports=yes", reviews_with_open_reports),
    (
        "Reported chat messages",
        MessageReport,
        "status__exact=open",
        lambda: MessageReport.objects.filter(status=MessageReport.Status.OPEN),
    ),
    (
        "Open fraud signals",
        FraudSignal,
        "status__exact=open",
        lambda: FraudSignal.objects.filter(status=FraudSignal.Status.OPEN),
    ),
    ("Today's bookings", Booking, "starts=today", bookings_today),
    (
        "Open support cases",
        Case,
        "state__exact=open",
        lambda: Case.objects.filter(state=Case.State.OPEN),
    ),
]


def attention_items(*, user: User) -> list[Attention]:
    """The start page's lines this moderator may open (view permission on the model), each
    counted in one query."""
    items = []
    for label, model, query, rows in _ITEMS:
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        items.append(Attention(label=label, count=rows().count(), url=_admin_list(model, query)))
    return items

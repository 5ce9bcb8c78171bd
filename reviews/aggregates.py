"""The rating figures on listings and providers, computed from published reviews.

`Service.rating_average` / `rating_count` and `ProviderProfile.rating_average` /
`rating_count` are written here and nowhere else: by the review services in the same
transaction as a review is published, hidden or restored, by the demo seed after it wrote its
reviews, and by `manage.py reviews_recompute`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Avg, Count, DecimalField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Round

from accounts.models import ProviderProfile
from listings.models import Service
from marketplace.page_cache import pages_changed

from .models import Review

_PUBLISHED = Review.Status.PUBLISHED
_AVERAGE = DecimalField(max_digits=3, decimal_places=2)


@dataclass(frozen=True)
class Drift:
    """A stored figure that disagrees with the published reviews."""

    kind: str  # "service" or "provider"
    pk: int
    stored: tuple[Decimal, int]
    computed: tuple[Decimal, int]


def _published_of(field: str):
    return Review.objects.filter(**{field: OuterRef("pk")}, status=_PUBLISHED).values(field)


def _count(field: str):
    return Coalesce(Subquery(_published_of(field).annotate(n=Count("pk")).values("n")), 0)


def _average(field: str):
    average = _published_of(field).annotate(a=Cast(Round(Avg("rating"), 2), _AVERAGE)).values("a")
    return Coalesce(Subquery(average), Value(Decimal("0.00")), output_field=_AVERAGE)


def ratings_refresh(*, service_ids: Iterable[int], provider_ids: Iterable[int]) -> None:
    """Recompute the figures of these services and providers from their published reviews.

    Called inside the transaction that changed a review's status. The rows are locked first
    (providers, then services: one order everywhere, so two refreshes cannot deadlock) and the
    UPDATE runs after the lock is held, so under READ COMMITTED it reads every review that a
    concurrent transaction committed before us: no count is lost to a race.
    """
    service_ids, provider_ids = sorted(set(service_ids)), sorted(set(provider_ids))
    with transaction.atomic():
        list(ProviderProfile.objects.filter(pk__in=provider_ids).select_for_update().values("pk"))
        list(Service.objects.filter(pk__in=service_ids).select_for_update().values("pk"))
        Service.objects.filter(pk__in=service_ids).update(
            rating_count=_count("service"), rating_average=_average("service")
        )
        ProviderProfile.objects.filter(pk__in=provider_ids).update(
            rating_count=_count("provider"), rating_average=_average("provider")
        )
    # Every review change comes through here: the listing and provider pages show the reviews
    # and their figures, the lists the figures.
    pages_changed()


def _drifted(queryset, field: str):
    return (
        queryset.annotate(computed_count=_count(field), computed_average=_average(field))
        .filter(~Q(rating_count=F("computed_count")) | ~Q(rating_average=F("computed_average")))
        .values_list("pk", "rating_average", "rating_count", "computed_average", "computed_count")
    )


def ratings_drift() -> list[Drift]:
    """Every service and provider whose stored figures disagree with its published reviews."""
    return [
        Drift(kind=kind, pk=pk, stored=(avg, count), computed=(new_avg, new_count))
        for kind, queryset, field in (
            ("service", Service.objects.all(), "service"),
            ("provider", ProviderProfile.objects.all(), "provider"),
        )
        for pk, avg, count, new_avg, new_count in _drifted(queryset, field)
    ]


@transaction.atomic
def ratings_recompute_all() -> list[Drift]:
    """Recompute every figure; returns what had drifted (empty when all were right)."""
    drift = ratings_drift()
    ratings_refresh(
        service_ids=[d.pk for d in drift if d.kind == "service"],
        provider_ids=[d.pk for d in drift if d.kind == "provider"],
    )
    return drift

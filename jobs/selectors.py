"""Reading posted jobs and quotes: for the customer who posted them and for providers.

A provider sees an open job when it was addressed to them, or when one of their public
listings takes its kind (listing_takes_job: the job's subcategory, or any subcategory of the
category a job was posted in) and its service area covers the job's point; and any
job they have quoted on. Every list here is a fixed number of queries whatever its length.
"""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from accounts.models import ProviderProfile, User
from listings.models import Service
from listings.search import services_covering
from listings.selectors import service_public
from marketplace.times import when_label

from .models import JobRequest, Quote

LIST_LIMIT = 50
# The most providers told about one new job (the nearest ones).
FAN_OUT_LIMIT = 100


def quote_when(*, quote: Quote, job: JobRequest) -> str:
    """The quote's proposed time in the job's city, with the city named."""
    return when_label(start=quote.start, end=quote.end, zone=job.zone, city_name=job.city.name)


def listing_takes_job(*, subcategory_id: object, category_id: object) -> Q:
    """Which listings take a job of this kind: those in its subcategory, or, for a job posted
    in a whole category, those in any subcategory under it. The one rule for who sees, may
    quote on and is told about a job: given a job's values (Value(...)) or, in a query over
    many jobs, OuterRef("subcategory_id") / OuterRef("category_id"). A NULL matches nothing."""
    return Q(subcategory_id=subcategory_id) | Q(subcategory__category_id=category_id)


def _takes(job: JobRequest) -> Q:
    return listing_takes_job(
        subcategory_id=Value(job.subcategory_id, output_field=IntegerField()),
        category_id=Value(job.category_id, output_field=IntegerField()),
    )


def services_for_job(*, job: JobRequest) -> QuerySet[Service]:
    """The public listings that can take an open job (its kind, an area covering it), each
    annotated with `distance_m`, nearest first."""
    return services_covering(services=service_public().filter(_takes(job)), here=job.point)


def quoting_services(*, provider: ProviderProfile, job: JobRequest) -> QuerySet[Service]:
    """The provider's public listings that can take `job`, nearest first: the listing the job
    was addressed to, else those services_for_job finds."""
    if job.provider_id is not None:
        if job.provider_id != provider.pk:
            return Service.objects.none()
        mine = service_public().filter(provider=provider)
        if job.service_id:
            return mine.filter(pk=job.service_id)
        return mine.filter(subcategory_id=job.subcategory_id)
    return services_for_job(job=job).filter(provider=provider).order_by("distance_m")


def providers_to_tell(*, job: JobRequest, limit: int = FAN_OUT_LIMIT) -> list[User]:
    """The users of the providers a newly posted open job reaches (services_for_job), nearest
    first, each once, not the customer; at most `limit` (two queries)."""
    user_ids: list[int] = []
    rows = services_for_job(job=job).order_by("distance_m").values_list("provider__user_id")
    for (user_id,) in rows[: limit * 4]:  # a provider may have a few listings in reach
        if user_id != job.customer_id and user_id not in user_ids:
            user_ids.append(user_id)
    user_ids = user_ids[:limit]
    users = User.objects.in_bulk(user_ids)
    return [users[pk] for pk in user_ids if pk in users]


def has_waiting_quote(*, provider: ProviderProfile, job: JobRequest) -> bool:
    """A quote of theirs still waits on the job (for an answer, or for their revision)."""
    return Quote.objects.filter(job=job, provider=provider, status__in=Quote.WAITING).exists()


def quote_histories(*, quotes: list[Quote]) -> list[Quote]:
    """The current quotes (not replaced by a revision), each with `.history`: the versions it
    replaced, newest first. From the rows given: no queries."""
    by_pk = {quote.pk: quote for quote in quotes}
    current = [quote for quote in quotes if quote.status != Quote.Status.REVISED]
    for quote in current:
        quote.history = []
        older = by_pk.get(quote.replaces_id)
        while older is not None and older not in quote.history:
            quote.history.append(older)
            older = by_pk.get(older.replaces_id)
    return current


def job_list_for_customer(*, customer: User) -> dict[str, list[JobRequest]]:
    """My jobs, in three groups: open, accepted, past (withdrawn or expired). One query."""
    jobs = (
        JobRequest.objects.filter(customer=customer)
        .select_related("subcategory", "category", "city")
        .annotate(quote_count=Count("quotes", filter=Q(quotes__status__in=Quote.WAITING)))
        .order_by("-created_at", "-id")[:200]
    )
    board: dict[str, list[JobRequest]] = {"open": [], "accepted": [], "past": []}
    for job in jobs:
        if job.status == JobRequest.Status.OPEN:
            board["open"].append(job)
        elif job.status == JobRequest.Status.ACCEPTED:
            board["accepted"].append(job)
        else:
            board["past"].append(job)
    return board


def job_for_customer(*, customer: User, pk: int) -> JobRequest | None:
    """The customer's own job with its quotes, providers and any booking (three queries)."""
    return (
        JobRequest.objects.filter(customer=customer, pk=pk)
        .select_related("subcategory__category", "category", "city", "provider")
        .prefetch_related(
            Prefetch(
                "quotes",
                queryset=Quote.objects.exclude(status=Quote.Status.WITHDRAWN)
                .select_related("provider", "booking")
                .order_by("price", "created_at", "id"),
            )
        )
        .first()
    )


def _covering(provider: ProviderProfile) -> Exists:
    """One of the provider's public listings can take the job (its kind and area).

    The provider's few listings are found by provider first; ST_DWithin on geography then
    tests each one's own radius (the same test as listings.search.services_covering)."""
    return Exists(
        service_public()
        .filter(provider=provider)
        .filter(
            listing_takes_job(
                subcategory_id=OuterRef("subcategory_id"), category_id=OuterRef("category_id")
            )
        )
        .annotate(
            covers=Func(
                F("point"),
                OuterRef("point"),
                F("service_radius_km") * 1000,
                function="ST_DWithin",
                output_field=BooleanField(),
            )
        )
        .filter(covers=True)
    )


def _open_for(provider: ProviderProfile) -> Q:
    return Q(status=JobRequest.Status.OPEN, expires_at__gt=timezone.now()) & (
        Q(provider=provider) | (Q(provider__isnull=True) & Q(covered=True))
    )


def jobs_near_provider(
    *, provider: ProviderProfile, offset: int = 0, limit: int = LIST_LIMIT
) -> list[JobRequest]:
    """Open jobs this provider can quote on and has not quoted on yet, newest first: the
    rows from `offset`, at most `limit` (one query)."""
    if provider.status != ProviderProfile.Status.APPROVED:
        return []
    quoted = Quote.objects.filter(
        job=OuterRef("pk"), provider=provider, status__in=[*Quote.WAITING, Quote.Status.ACCEPTED]
    )
    return list(
        JobRequest.objects.annotate(covered=_covering(provider))
        .filter(_open_for(provider))
        .exclude(customer_id=provider.user_id)
        .exclude(Exists(quoted))
        .select_related("subcategory", "category", "city")
        .order_by("-created_at", "-id")[offset : offset + limit]
    )


def job_for_provider(*, provider: ProviderProfile, pk: int) -> JobRequest | None:
    """A job this provider may see: open and theirs to quote on, or one they quoted on."""
    quoted = Quote.objects.filter(job=OuterRef("pk"), provider=provider)
    return (
        JobRequest.objects.annotate(covered=_covering(provider), quoted=Exists(quoted))
        .filter(pk=pk)
        .filter(_open_for(provider) | Q(quoted=True))
        .exclude(customer_id=provider.user_id)
        .select_related("subcategory__category", "category", "city", "customer")
        .first()
    )


def quotes_for_job_and_provider(*, provider: ProviderProfile, job: JobRequest) -> list[Quote]:
    return list(
        Quote.objects.filter(job=job, provider=provider)
        .select_related("provider")
        .order_by("-created_at", "-id")
    )


def quote_for_provider(*, provider: ProviderProfile, pk: int) -> Quote | None:
    """One of the provider's own quotes (another provider's is a 404)."""
    return Quote.objects.filter(pk=pk, provider=provider).select_related("provider", "job").first()


def quotes_for_provider(*, provider: ProviderProfile) -> QuerySet[Quote]:
    """Your quotes, newest first, with their jobs (one query)."""
    return (
        Quote.objects.filter(provider=provider)
        .select_related("job__city", "job__subcategory", "job__category", "booking")
        .order_by("-created_at", "-id")[:LIST_LIMIT]
    )


def expired_job_ids(*, limit: int = 500) -> list[int]:
    return list(
        JobRequest.objects.filter(status=JobRequest.Status.OPEN, expires_at__lte=timezone.now())
        .order_by("expires_at")
        .values_list("pk", flat=True)[:limit]
    )


def expired_quote_ids(*, limit: int = 500) -> list[int]:
    return list(
        Quote.objects.filter(status__in=Quote.WAITING, valid_until__lte=timezone.now())
        .order_by("valid_until")
        .values_list("pk", flat=True)[:limit]
    )

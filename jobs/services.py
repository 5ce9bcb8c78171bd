"""Every write on posted jobs and quotes: one function per transition.

Each function locks the job (and the quote) row, checks who is asking and from which status,
writes, and records notifications in the same transaction (emails go after commit). Anything
else raises ValidationError with a message for people, and changes nothing.

Accepting a quote books the provider through bookings.services.booking_insert_accepted: the
provider lock, the re-check and the exclusion constraint that keep bookings from overlapping.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ProviderProfile, User
from bookings.services import booking_insert_accepted
from bookings.slots import when_label
from listings.models import Service, Subcategory
from listings.search import services_covering
from listings.selectors import service_public
from places.selectors import place_city, place_resolve

from .models import JobRequest, Quote

JOB_OPEN_DAYS = 14
QUOTE_VALID_DAYS = 7
DEFAULT_DURATION_MINUTES = 120
MAX_PRICE = Decimal("1000000")


def _refuse(message: str) -> None:
    raise ValidationError(message)


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


def quote_when(*, quote: Quote, job: JobRequest) -> str:
    return when_label(start=quote.start, end=quote.end, zone=job.zone, city_name=job.city.name)


def _notify(*, recipient: User, kind: str, title: str, body: str, url: str, **extra) -> None:
    from notifications.services import notify

    notify(recipient=recipient, kind=kind, title=title, body=body, url=url, **extra)


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _portal_job_url(job: JobRequest) -> str:
    from django.urls import reverse

    return reverse("portal_job_detail", kwargs={"pk": job.pk})


# --- Who may quote ----------------------------------------------------------------------------


def quoting_services(*, provider: ProviderProfile, job: JobRequest):
    """The provider's public listings that can take `job`, nearest first: the listing the job
    was addressed to, else those in the job's subcategory whose service area covers it."""
    if job.provider_id is not None:
        if job.provider_id != provider.pk:
            return Service.objects.none()
        mine = service_public().filter(provider=provider)
        if job.service_id:
            return mine.filter(pk=job.service_id)
        return mine.filter(subcategory_id=job.subcategory_id)
    return services_covering(
        services=service_public().filter(provider=provider, subcategory_id=job.subcategory_id),
        here=job.point,
    ).order_by("distance_m")


# --- Jobs -------------------------------------------------------------------------------------


def job_post(
    *,
    customer: User,
    subcategory: Subcategory | None,
    title: str,
    description: str,
    place: str,
    budget_min: Decimal | None = None,
    budget_max: Decimal | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    service: Service | None = None,
    now: datetime | None = None,
) -> JobRequest:
    """Post a job for providers nearby, or (with `service`) ask that listing's provider only."""
    now = now or timezone.now()
    title = " ".join(title.split())
    description = description.strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Give the job a short title, e.g. “Fix a leaking tap”."
    if not description:
        errors["description"] = "Describe the job so providers can price it."
    for name, value in (("budget_min", budget_min), ("budget_max", budget_max)):
        if value is not None and not (0 <= value < MAX_PRICE):
            errors[name] = "Enter an amount in dollars, e.g. 250."
    if budget_min is not None and budget_max is not None and budget_min > budget_max:
        errors["budget_max"] = "The most you would pay must not be less than the least."
    today = now.date()
    if date_from and date_from < today:
        errors["date_from"] = "Choose today or a later date."
    if date_from and date_to and date_to < date_from:
        errors["date_to"] = "The last date must be on or after the first date."
    found = place_resolve(text=place) if place.strip() else None
    if found is None:
        errors["place"] = "We could not find that suburb or town. Check the spelling, e.g. “Bondi”."
    if service is not None:
        if not service_public().filter(pk=service.pk).exists():
            errors["__all__"] = "This provider is not taking requests right now."
        elif service.provider.user_id == customer.pk:
            errors["__all__"] = "You cannot ask yourself for a quote."
        else:
            subcategory = service.subcategory
    if subcategory is None and "__all__" not in errors:
        errors["subcategory"] = "Choose the kind of job."
    if errors:
        raise ValidationError(errors)
    city = place_city(place=found)
    if city is None:
        _refuse("We do not cover that area yet.")
    with transaction.atomic():
        job = JobRequest.objects.create(
            customer=customer,
            subcategory=subcategory,
            provider_id=service.provider_id if service else None,
            service=service,
            title=title[:120],
            description=description,
            place_name=found.label[:120],
            point=found.point,
            city=city,
            budget_min=budget_min,
            budget_max=budget_max,
            date_from=date_from,
            date_to=date_to,
            expires_at=now + timedelta(days=JOB_OPEN_DAYS),
        )
        if service is not None:
            _notify(
                recipient=service.provider.user,
                kind="job_quote_requested",
                title=f"Quote requested: {job.title}",
                body=f"{customer.name or customer.email} asked you for a quote for a job in "
                f"{job.place_name}.",
                url=_portal_job_url(job),
            )
    return job


def _locked_job(job: JobRequest) -> JobRequest:
    return (
        JobRequest.objects.select_for_update(of=("self",))
        .select_related("city", "customer", "subcategory")
        .get(pk=job.pk)
    )


def _decline_waiting_quotes(*, job: JobRequest, kind: str, title: str, body: str) -> None:
    """Decline the job's waiting quotes and tell each of their providers why."""
    waiting = list(
        Quote.objects.select_for_update(of=("self",))
        .select_related("provider__user")
        .filter(job=job, status=Quote.Status.PENDING)
    )
    Quote.objects.filter(pk__in=[q.pk for q in waiting]).update(
        status=Quote.Status.DECLINED, updated_at=timezone.now()
    )
    for quote in waiting:
        _notify(
            recipient=quote.provider.user,
            kind=kind,
            title=title,
            body=body,
            url=_portal_job_url(job),
        )


def job_withdraw(*, job: JobRequest, actor: User) -> JobRequest:
    """The customer withdraws an open job; its waiting quotes are declined."""
    with transaction.atomic():
        job = _locked_job(job)
        if job.customer_id != actor.pk:
            _refuse("Only the customer who posted this job can withdraw it.")
        if job.status != JobRequest.Status.OPEN:
            _refuse(f"This job is {job.get_status_display().lower()}: it cannot be withdrawn.")
        job.status = JobRequest.Status.WITHDRAWN
        job.save(update_fields=["status", "updated_at"])
        _decline_waiting_quotes(
            job=job,
            kind="job_withdrawn",
            title=f"Job withdrawn: {job.title}",
            body="The customer withdrew this job, so your quote is closed. Thanks for quoting.",
        )
    return job


def job_expire(*, job: JobRequest, now: datetime | None = None) -> JobRequest:
    """An open job past its expiry closes, with its waiting quotes."""
    now = now or timezone.now()
    with transaction.atomic():
        job = _locked_job(job)
        if job.status != JobRequest.Status.OPEN:
            _refuse("Only an open job can expire.")
        if job.expires_at > now:
            _refuse("This job has not expired yet.")
        job.status = JobRequest.Status.EXPIRED
        job.save(update_fields=["status", "updated_at"])
        Quote.objects.filter(job=job, status=Quote.Status.PENDING).update(
            status=Quote.Status.EXPIRED, updated_at=now
        )
    return job


# --- Quotes -----------------------------------------------------------------------------------


def quote_send(
    *,
    job: JobRequest,
    provider: ProviderProfile,
    price: Decimal,
    start: datetime,
    message: str = "",
    duration_minutes: int | None = None,
    now: datetime | None = None,
) -> Quote:
    """An approved provider who can do the job prices it and proposes a time."""
    now = now or timezone.now()
    message = message.strip()
    with transaction.atomic():
        job = _locked_job(job)
        if provider.status != ProviderProfile.Status.APPROVED:
            _refuse("Your profile must be approved before you can send quotes.")
        if job.customer_id == provider.user_id:
            _refuse("You cannot quote on your own job.")
        if job.status != JobRequest.Status.OPEN or job.expires_at <= now:
            _refuse("This job is no longer taking quotes.")
        service = quoting_services(provider=provider, job=job).first()
        if service is None:
            _refuse("You can quote only on jobs in your listings' categories and service areas.")
        if Quote.objects.filter(job=job, provider=provider, status=Quote.Status.PENDING).exists():
            _refuse("You have already sent a quote for this job. Withdraw it to send another.")
        errors: dict[str, str] = {}
        if price is None or not (Decimal("1") <= price < MAX_PRICE):
            errors["price"] = "Enter your price in dollars, at least $1."
        if start is None or start <= now + timedelta(hours=1):
            errors["start"] = "Propose a start time at least an hour from now."
        duration = duration_minutes or service.duration_minutes or DEFAULT_DURATION_MINUTES
        if not (15 <= duration <= 24 * 60):
            errors["duration_minutes"] = "A job takes between 15 minutes and 24 hours."
        if errors:
            raise ValidationError(errors)
        quote = Quote.objects.create(
            job=job,
            provider=provider,
            service=service,
            price=price,
            message=message,
            start=start,
            duration_minutes=duration,
            valid_until=min(now + timedelta(days=QUOTE_VALID_DAYS), start),
        )
        _notify(
            recipient=job.customer,
            kind="quote_received",
            title=f"New quote for {job.title}: {_money(price)}",
            body=f"{provider.business_name} quoted {_money(price)} AUD for "
            f"{quote_when(quote=quote, job=job)}. Compare quotes on your job page.",
            url=job.get_absolute_url(),
        )
    return quote


def _locked_quote(quote: Quote) -> Quote:
    return (
        Quote.objects.select_for_update(of=("self",))
        .select_related("provider__user", "service__city")
        .get(pk=quote.pk)
    )


def quote_withdraw(*, quote: Quote, provider: ProviderProfile) -> Quote:
    with transaction.atomic():
        quote = _locked_quote(quote)
        if quote.provider_id != provider.pk:
            _refuse("Only the provider who sent this quote can withdraw it.")
        if quote.status != Quote.Status.PENDING:
            _refuse(f"This quote is {quote.get_status_display().lower()}: it cannot be withdrawn.")
        quote.status = Quote.Status.WITHDRAWN
        quote.save(update_fields=["status", "updated_at"])
    return quote


def quote_accept(*, quote: Quote, actor: User, now: datetime | None = None) -> Quote:
    """The job's customer accepts a quote: a confirmed booking at its price and time, the
    other waiting quotes declined, the job closed, and everyone told."""
    from notifications.calendar import booking_ics

    now = now or timezone.now()
    with transaction.atomic():
        job = _locked_job(quote.job)
        quote = _locked_quote(quote)
        if job.customer_id != actor.pk or quote.job_id != job.pk:
            _refuse("Only the customer who posted this job can accept its quotes.")
        if job.status != JobRequest.Status.OPEN or job.expires_at <= now:
            _refuse("This job is no longer open: its quotes cannot be accepted.")
        if quote.status != Quote.Status.PENDING:
            _refuse(f"This quote is {quote.get_status_display().lower()}: it cannot be accepted.")
        if quote.valid_until <= now or quote.start <= now:
            _refuse("This quote has expired. Ask the provider for a new one.")
        booking = booking_insert_accepted(
            customer=actor,
            service=quote.service,
            start=quote.start,
            end=quote.end,
            address=job.place_name,
            point=job.point,
            price=quote.price,
            notes=f"{job.title}\n\n{job.description}",
            reason=f"Quote accepted: {_money(quote.price)} AUD",
        )
        quote.status = Quote.Status.ACCEPTED
        quote.booking = booking
        quote.save(update_fields=["status", "booking", "updated_at"])
        job.status = JobRequest.Status.ACCEPTED
        job.save(update_fields=["status", "updated_at"])
        when = quote_when(quote=quote, job=job)
        who = actor.name or actor.email
        _notify(
            recipient=quote.provider.user,
            kind="quote_accepted",
            title=f"Quote accepted: {job.title}, {when}",
            body=f"{who} accepted your quote of {_money(quote.price)} AUD. The job is booked "
            f"for {when} in {job.place_name}. The calendar file is attached.",
            url=booking.get_absolute_url(),
            ics=booking_ics(
                uid=f"booking-{booking.pk}@nearhand",
                start=booking.start,
                end=booking.end,
                summary=f"{job.title} ({quote.provider.business_name})",
                location=booking.address,
                description=job.description[:500],
                url=_site_url(booking.get_absolute_url()),
            ),
            ics_filename=f"booking-{booking.pk}.ics",
        )
        _decline_waiting_quotes(
            job=job,
            kind="quote_declined",
            title=f"Quote declined: {job.title}",
            body="The customer chose another quote for this job. Thanks for quoting.",
        )
    return quote


def quote_expire(*, quote: Quote, now: datetime | None = None) -> Quote:
    now = now or timezone.now()
    with transaction.atomic():
        quote = _locked_quote(quote)
        if quote.status != Quote.Status.PENDING:
            _refuse("Only a waiting quote can expire.")
        if quote.valid_until > now:
            _refuse("This quote has not expired yet.")
        quote.status = Quote.Status.EXPIRED
        quote.save(update_fields=["status", "updated_at"])
    return quote

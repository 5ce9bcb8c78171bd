"""Every write on posted jobs and quotes: one function per transition.

Each function locks the job (and the quote) row, asks jobs.rules whether the person may do it
now (the same rules the pages show), writes, and records notifications in the same
transaction (the emails go after commit). A refusal raises a marketplace.errors domain error
and changes nothing.

Accepting a quote books the provider through bookings.services.booking_insert_accepted: the
provider lock, the re-check and the exclusion constraint that keep bookings from overlapping.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import ProviderProfile, User
from bookings.locking import SlotTaken
from bookings.services import booking_insert_accepted
from bookings.services.availability import provider_time_clash
from listings.models import Category, Service, Subcategory
from listings.selectors import service_public
from marketplace.errors import Conflict, Invalid, NotAllowed, WrongState
from places.selectors import place_city, place_resolve

from . import notifications as tell
from .models import JobRequest, Quote
from .rules import JobAction, QuoteAction, job_check, quote_check, quote_send_check
from .selectors import has_waiting_quote, providers_to_tell, quoting_services

JOB_OPEN_DAYS = 14
QUOTE_VALID_DAYS = 7
DEFAULT_DURATION_MINUTES = 120
MAX_PRICE = Decimal("1000000")
PLACE_NOT_FOUND = "We could not find that suburb or town. Check the spelling, e.g. “Bondi”."


# --- Jobs -------------------------------------------------------------------------------------


def _job_field_errors(
    *,
    title: str,
    description: str,
    budget_min: Decimal | None,
    budget_max: Decimal | None,
    date_from: date | None,
    date_to: date | None,
    today: date,
) -> dict[str, str]:
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
    if date_from and date_from < today:
        errors["date_from"] = "Choose today or a later date."
    if date_from and date_to and date_to < date_from:
        errors["date_to"] = "The last date must be on or after the first date."
    return errors


def _check_addressed(*, customer: User, service: Service) -> None:
    """Asking one provider from their listing: it must be public and not your own."""
    if not service_public().filter(pk=service.pk).exists():
        raise WrongState("This provider is not taking requests right now.")
    if service.provider.user_id == customer.pk:
        raise NotAllowed("You cannot ask yourself for a quote.")


def job_post(
    *,
    customer: User,
    subcategory: Subcategory | None,
    title: str,
    description: str,
    place: str,
    category: Category | None = None,
    budget_min: Decimal | None = None,
    budget_max: Decimal | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    service: Service | None = None,
    now: datetime | None = None,
) -> JobRequest:
    """Post a job for providers nearby, or (with `service`) ask that listing's provider only.

    Its kind is `subcategory`, or (without one) all of `category`: then it reaches the
    providers of every subcategory under it. The providers it reaches are told."""
    now = now or timezone.now()
    title = " ".join(title.split())
    description = description.strip()
    if service is not None:
        _check_addressed(customer=customer, service=service)
        subcategory = service.subcategory
    if subcategory is not None:
        category = None
    errors = _job_field_errors(
        title=title,
        description=description,
        budget_min=budget_min,
        budget_max=budget_max,
        date_from=date_from,
        date_to=date_to,
        today=now.date(),
    )
    found = place_resolve(text=place) if place.strip() else None
    if found is None:
        errors["place"] = PLACE_NOT_FOUND
    if subcategory is None and category is None:
        errors["subcategory"] = "Choose the kind of job."
    if errors:
        raise Invalid(fields=errors)
    city = place_city(place=found)
    if city is None:
        raise Invalid(fields={"place": "We do not cover that area yet."})
    with transaction.atomic():
        job = JobRequest.objects.create(
            customer=customer,
            subcategory=subcategory,
            category=category,
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
            tell.notify_quote_requested(job=job, provider_user=service.provider.user)
        else:
            tell.notify_job_posted(job=job, provider_users=providers_to_tell(job=job))
    return job


def _locked_job(job: JobRequest) -> JobRequest:
    return (
        JobRequest.objects.select_for_update(of=("self",))
        .select_related("city", "customer", "subcategory", "category")
        .get(pk=job.pk)
    )


def _close_waiting_quotes(*, job: JobRequest, accepted: bool) -> None:
    """Decline the job's waiting quotes and tell each of their providers why."""
    waiting = list(
        Quote.objects.select_for_update(of=("self",))
        .select_related("provider__user")
        .filter(job=job, status__in=Quote.WAITING)
    )
    Quote.objects.filter(pk__in=[q.pk for q in waiting]).update(
        status=Quote.Status.DECLINED, updated_at=timezone.now()
    )
    tell.notify_quotes_closed(job=job, quotes=waiting, accepted=accepted)


def job_withdraw(*, job: JobRequest, actor: User) -> JobRequest:
    """The customer withdraws an open job; its waiting quotes are declined."""
    with transaction.atomic():
        job = _locked_job(job)
        job_check(job=job, user=actor, action=JobAction.WITHDRAW)
        job.status = JobRequest.Status.WITHDRAWN
        job.save(update_fields=["status", "updated_at"])
        _close_waiting_quotes(job=job, accepted=False)
    return job


def job_expire(*, job: JobRequest, now: datetime | None = None) -> JobRequest:
    """An open job past its expiry closes, with its waiting quotes."""
    now = now or timezone.now()
    with transaction.atomic():
        job = _locked_job(job)
        if job.status != JobRequest.Status.OPEN:
            raise WrongState("Only an open job can expire.")
        if job.expires_at > now:
            raise WrongState("This job has not expired yet.")
        job.status = JobRequest.Status.EXPIRED
        job.save(update_fields=["status", "updated_at"])
        Quote.objects.filter(job=job, status__in=Quote.WAITING).update(
            status=Quote.Status.EXPIRED, updated_at=now
        )
    return job


# --- Quotes -----------------------------------------------------------------------------------


def _quote_field_errors(
    *, price: Decimal | None, start: datetime | None, duration: int, now: datetime
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if price is None or not (Decimal("1") <= price < MAX_PRICE):
        errors["price"] = "Enter your price in dollars, at least $1."
    if start is None or start <= now + timedelta(hours=1):
        errors["start"] = "Propose a start time at least an hour from now."
    if not (15 <= duration <= 24 * 60):
        errors["duration_minutes"] = "A job takes between 15 minutes and 24 hours."
    return errors


def _job_dates_label(job: JobRequest) -> str:
    first = f"{job.date_from:%a %-d %b}" if job.date_from else None
    last = f"{job.date_to:%a %-d %b}" if job.date_to else None
    if first and last:
        return f"{first} to {last}"
    return f"from {first}" if first else f"until {last}"


def _outside_job_dates(*, job: JobRequest, start: datetime, end: datetime) -> bool:
    """Whether start-end leaves the job's preferred dates (in the job's city)."""
    first = start.astimezone(job.zone).date()
    last = (end - timedelta(seconds=1)).astimezone(job.zone).date()
    return bool((job.date_from and first < job.date_from) or (job.date_to and last > job.date_to))


def _quote_time_errors(
    *, job: JobRequest, provider_id: int, start: datetime, end: datetime
) -> dict[str, str]:
    """A new or revised quote must fit the job's dates and the provider's calendar."""
    if _outside_job_dates(job=job, start=start, end=end):
        return {"date": f"Propose a time within the job's dates ({_job_dates_label(job)})."}
    clash = provider_time_clash(provider_id=provider_id, start=start, end=end, zone=job.zone)
    if clash == "booked":
        return {"start": "You are already booked at that time. Propose another time."}
    if clash == "day_off":
        return {"start": "That date is a day off in your calendar. Propose another day."}
    return {}


def _quote_errors(
    *,
    job: JobRequest,
    provider_id: int,
    price: Decimal | None,
    start: datetime | None,
    duration: int,
    now: datetime,
) -> dict[str, str]:
    errors = _quote_field_errors(price=price, start=start, duration=duration, now=now)
    if "start" not in errors and "duration_minutes" not in errors:
        end = start + timedelta(minutes=duration)
        errors |= _quote_time_errors(job=job, provider_id=provider_id, start=start, end=end)
    return errors


def _booked_message(name: str) -> str:
    return (
        f"{name} is already booked at that time. Ask them for a new time, or accept another quote."
    )


def _check_quote_still_fits(*, quote: Quote, job: JobRequest) -> None:
    """At accept: the time may have left the job's dates (an old quote) or been taken since
    it was sent; the customer can ask the provider for a new time."""
    name = quote.provider.business_name
    if _outside_job_dates(job=job, start=quote.start, end=quote.end):
        raise Invalid(
            f"This quote is not within the job's dates ({_job_dates_label(job)}). Ask "
            f"{name} for a new time."
        )
    clash = provider_time_clash(
        provider_id=quote.provider_id, start=quote.start, end=quote.end, zone=job.zone
    )
    if clash == "booked":
        raise SlotTaken(_booked_message(name))
    if clash == "day_off":
        raise Conflict(
            f"{name} is not working that day. Ask them for a new time, or accept another quote."
        )


def _quote_create(
    *,
    job: JobRequest,
    provider: ProviderProfile,
    service: Service,
    price: Decimal,
    start: datetime,
    duration: int,
    message: str,
    now: datetime,
    replaces: Quote | None = None,
) -> Quote:
    """Write a checked quote: valid for a week, or until its start if that is sooner."""
    return Quote.objects.create(
        job=job,
        provider=provider,
        service=service,
        price=price,
        message=message.strip(),
        start=start,
        duration_minutes=duration,
        valid_until=min(now + timedelta(days=QUOTE_VALID_DAYS), start),
        replaces=replaces,
    )


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
    with transaction.atomic():
        job = _locked_job(job)
        service = quoting_services(provider=provider, job=job).first()
        quote_send_check(
            job=job,
            provider=provider,
            can_do_job=service is not None,
            has_waiting_quote=has_waiting_quote(provider=provider, job=job),
            now=now,
        )
        duration = duration_minutes or service.duration_minutes or DEFAULT_DURATION_MINUTES
        errors = _quote_errors(
            job=job, provider_id=provider.pk, price=price, start=start, duration=duration, now=now
        )
        if errors:
            raise Invalid(fields=errors)
        quote = _quote_create(
            job=job, provider=provider, service=service, price=price, start=start,
            duration=duration, message=message, now=now,
        )  # fmt: skip
        tell.notify_quote_received(quote=quote, job=job)
    return quote


def _locked_quote(quote: Quote) -> Quote:
    return (
        Quote.objects.select_for_update(of=("self",))
        .select_related("provider__user", "service__city")
        .get(pk=quote.pk)
    )


def quote_withdraw(*, quote: Quote, actor: User) -> Quote:
    """The provider who sent a waiting quote takes it back."""
    with transaction.atomic():
        quote = _locked_quote(quote)
        quote_check(quote=quote, job=quote.job, user=actor, action=QuoteAction.WITHDRAW)
        quote.status = Quote.Status.WITHDRAWN
        quote.save(update_fields=["status", "updated_at"])
    return quote


def quote_accept(*, quote: Quote, actor: User, now: datetime | None = None) -> Quote:
    """The job's customer accepts a quote: a confirmed booking at its price and time, the
    other waiting quotes declined, the job closed, and everyone told."""
    now = now or timezone.now()
    with transaction.atomic():
        job = _locked_job(quote.job)
        quote = _locked_quote(quote)
        quote_check(quote=quote, job=job, user=actor, action=QuoteAction.ACCEPT, now=now)
        _check_quote_still_fits(quote=quote, job=job)
        try:
            booking = booking_insert_accepted(
                customer=actor,
                service=quote.service,
                start=quote.start,
                end=quote.end,
                address=job.place_name,
                point=job.point,
                price=quote.price,
                notes=f"{job.title}\n\n{job.description}",
                reason=f"Quote accepted: {tell.money(quote.price)} AUD",
            )
        except SlotTaken as race:
            # Taken in the same instant, after the check above: the same way out.
            raise SlotTaken(_booked_message(quote.provider.business_name)) from race
        quote.status = Quote.Status.ACCEPTED
        quote.booking = booking
        quote.save(update_fields=["status", "booking", "updated_at"])
        job.status = JobRequest.Status.ACCEPTED
        job.save(update_fields=["status", "updated_at"])
        tell.notify_quote_accepted(quote=quote, job=job, booking=booking)
        _close_waiting_quotes(job=job, accepted=True)
    return quote


NOTE_MAX = 500


def quote_ask_new_time(
    *, quote: Quote, actor: User, note: str = "", now: datetime | None = None
) -> Quote:
    """The job's customer asks the provider for another time on a waiting quote: the quote
    waits for the provider's revision (it cannot be accepted meanwhile); the provider is told."""
    now = now or timezone.now()
    note = " ".join(note.split())
    with transaction.atomic():
        job = _locked_job(quote.job)
        quote = _locked_quote(quote)
        quote_check(quote=quote, job=job, user=actor, action=QuoteAction.ASK_NEW_TIME, now=now)
        if len(note) > NOTE_MAX:
            raise Invalid(fields={"note": f"Keep the note under {NOTE_MAX} characters."})
        quote.status = Quote.Status.ASKED
        quote.change_note = note
        quote.save(update_fields=["status", "change_note", "updated_at"])
        tell.notify_new_time_asked(quote=quote, job=job)
    return quote


def quote_revise(
    *,
    quote: Quote,
    actor: User,
    price: Decimal,
    start: datetime,
    message: str = "",
    duration_minutes: int | None = None,
    now: datetime | None = None,
) -> Quote:
    """The provider replaces their waiting quote (asked for a new time, or not) with a new one,
    checked like a new quote. The old one is kept as "revised" in the quote's history."""
    now = now or timezone.now()
    with transaction.atomic():
        job = _locked_job(quote.job)
        quote = _locked_quote(quote)
        quote_check(quote=quote, job=job, user=actor, action=QuoteAction.REVISE, now=now)
        duration = duration_minutes or quote.duration_minutes
        errors = _quote_errors(
            job=job, provider_id=quote.provider_id, price=price, start=start, duration=duration,
            now=now,
        )  # fmt: skip
        if errors:
            raise Invalid(fields=errors)
        # The old one first: one waiting quote per provider and job (quote_one_pending_...).
        quote.status = Quote.Status.REVISED
        quote.save(update_fields=["status", "updated_at"])
        revised = _quote_create(
            job=job, provider=quote.provider, service=quote.service, price=price,
            start=start, duration=duration, message=message, now=now, replaces=quote,
        )  # fmt: skip
        tell.notify_quote_revised(quote=revised, job=job)
    return revised


def quote_expire(*, quote: Quote, now: datetime | None = None) -> Quote:
    now = now or timezone.now()
    with transaction.atomic():
        quote = _locked_quote(quote)
        if quote.status not in Quote.WAITING:
            raise WrongState("Only a waiting quote can expire.")
        if quote.valid_until > now:
            raise WrongState("This quote has not expired yet.")
        quote.status = Quote.Status.EXPIRED
        quote.save(update_fields=["status", "updated_at"])
    return quote

"""What customers and providers are told about posted jobs and quotes: the wording only.

Each function records notifications in the caller's transaction (the emails go after commit).
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from accounts.models import User
from bookings.models import Booking
from bookings.notifications import booking_invite
from notifications.services import notify

from .models import JobRequest, Quote
from .selectors import quote_when


def money(value: Decimal) -> str:
    return f"${value:,.2f}"


def _portal_job_url(job: JobRequest) -> str:
    return reverse("portal_job_detail", kwargs={"pk": job.pk})


def _name(user: User) -> str:
    return user.name or user.email


def notify_quote_requested(*, job: JobRequest, provider_user: User) -> None:
    notify(
        recipient=provider_user,
        kind="job_quote_requested",
        title=f"Quote requested: {job.title}",
        body=f"{_name(job.customer)} asked you for a quote for a job in {job.place_name}.",
        url=_portal_job_url(job),
    )


def notify_job_posted(*, job: JobRequest, provider_users: list[User]) -> None:
    """Tell the providers a new open job reaches (jobs.selectors.providers_to_tell)."""
    for user in provider_users:
        notify(
            recipient=user,
            kind="job_posted",
            title=f"New job near you: {job.title}",
            body=f"{job.kind_name} in {job.place_name}. Send a quote from the job page.",
            url=_portal_job_url(job),
        )


def notify_quotes_closed(*, job: JobRequest, quotes: list[Quote], accepted: bool) -> None:
    """Tell the providers of waiting quotes that the job went to another quote, or was
    withdrawn."""
    if accepted:
        kind, title = "quote_declined", f"Quote declined: {job.title}"
        body = "The customer chose another quote for this job. Thanks for quoting."
    else:
        kind, title = "job_withdrawn", f"Job withdrawn: {job.title}"
        body = "The customer withdrew this job, so your quote is closed. Thanks for quoting."
    for quote in quotes:
        notify(
            recipient=quote.provider.user,
            kind=kind,
            title=title,
            body=body,
            url=_portal_job_url(job),
        )


def notify_quote_received(*, quote: Quote, job: JobRequest) -> None:
    notify(
        recipient=job.customer,
        kind="quote_received",
        title=f"New quote for {job.title}: {money(quote.price)}",
        body=f"{quote.provider.business_name} quoted {money(quote.price)} AUD for "
        f"{quote_when(quote=quote, job=job)}. Compare quotes on your job page.",
        url=job.get_absolute_url(),
    )


def notify_new_time_asked(*, quote: Quote, job: JobRequest) -> None:
    note = f" They wrote: “{quote.change_note}”" if quote.change_note else ""
    notify(
        recipient=quote.provider.user,
        kind="quote_new_time_asked",
        title=f"New time asked for: {job.title}",
        body=f"{_name(job.customer)} asked you for another time than "
        f"{quote_when(quote=quote, job=job)}.{note} Revise your quote on the job page.",
        url=_portal_job_url(job),
    )


def notify_quote_revised(*, quote: Quote, job: JobRequest) -> None:
    notify(
        recipient=job.customer,
        kind="quote_revised",
        title=f"Revised quote for {job.title}: {money(quote.price)}",
        body=f"{quote.provider.business_name} revised their quote: {money(quote.price)} AUD "
        f"for {quote_when(quote=quote, job=job)}. You can accept it on your job page.",
        url=job.get_absolute_url(),
    )


def notify_quote_accepted(*, quote: Quote, job: JobRequest, booking: Booking) -> None:
    when = quote_when(quote=quote, job=job)
    notify(
        recipient=quote.provider.user,
        kind="quote_accepted",
        title=f"Quote accepted: {job.title}, {when}",
        body=f"{_name(job.customer)} accepted your quote of {money(quote.price)} AUD. The job "
        f"is booked for {when} in {job.place_name}.",
        url=booking.get_absolute_url(),
        **booking_invite(booking=booking, summary=f"{job.title} ({quote.provider.business_name})"),
    )

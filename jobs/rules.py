"""Who may do what to a posted job or a quote, and when: the one place that decides.

The services call the `*_check` functions as their guard (inside the transaction, on locked
rows); pages, and later the API and chat, call the `*_allowed_actions` functions and
`quote_send_refusal` to show only what is possible, with the reason when it is not.
Input checks (a price, a start time) stay in the services: they are not about who or when.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from django.utils import timezone

from accounts.models import ProviderProfile, User
from marketplace.errors import Conflict, DomainError, NotAllowed, WrongState

from .models import JobRequest, Quote


class JobAction(StrEnum):
    WITHDRAW = "withdraw"


class QuoteAction(StrEnum):
    ACCEPT = "accept"
    WITHDRAW = "withdraw"
    ASK_NEW_TIME = "ask"  # the customer asks the provider for another time
    REVISE = "revise"  # the provider replaces their waiting quote with a new one


def job_is_open(job: JobRequest, now: datetime) -> bool:
    return job.status == JobRequest.Status.OPEN and job.expires_at > now


def _status(thing: JobRequest | Quote) -> str:
    return thing.get_status_display().lower()


def job_refusal(
    *, job: JobRequest, user: User, action: JobAction, now: datetime | None = None
) -> DomainError | None:
    """Why `user` may not take `action` on `job` now, or None when they may."""
    if job.customer_id != user.pk:
        return NotAllowed("Only the customer who posted this job can withdraw it.")
    if job.status != JobRequest.Status.OPEN:
        return WrongState(f"This job is {_status(job)}: it cannot be withdrawn.")
    return None


def _accept_refusal(quote: Quote, job: JobRequest, user: User, now: datetime) -> DomainError | None:
    if job.customer_id != user.pk or quote.job_id != job.pk:
        return NotAllowed("Only the customer who posted this job can accept its quotes.")
    if not job_is_open(job, now):
        return WrongState("This job is no longer open: its quotes cannot be accepted.")
    if quote.status == Quote.Status.ASKED:
        return WrongState(
            "You asked for a new time: you can accept the revised quote when it arrives."
        )
    if quote.status != Quote.Status.PENDING:
        return WrongState(f"This quote is {_status(quote)}: it cannot be accepted.")
    if quote.valid_until <= now or quote.start <= now:
        return WrongState("This quote has expired. Ask the provider for a new one.")
    return None


def _ask_refusal(quote: Quote, job: JobRequest, user: User, now: datetime) -> DomainError | None:
    if job.customer_id != user.pk or quote.job_id != job.pk:
        return NotAllowed("Only the customer who posted this job can ask for a new time.")
    if not job_is_open(job, now):
        return WrongState("This job is no longer open.")
    if quote.status != Quote.Status.PENDING:
        return WrongState(f"This quote is {_status(quote)}: you cannot ask for a new time.")
    if quote.valid_until <= now:
        return WrongState("This quote has expired.")
    return None


def _withdraw_refusal(quote: Quote, user: User) -> DomainError | None:
    if quote.provider.user_id != user.pk:
        return NotAllowed("Only the provider who sent this quote can withdraw it.")
    if quote.status not in Quote.WAITING:
        return WrongState(f"This quote is {_status(quote)}: it cannot be withdrawn.")
    return None


def _revise_refusal(quote: Quote, job: JobRequest, user: User, now: datetime) -> DomainError | None:
    if quote.provider.user_id != user.pk:
        return NotAllowed("Only the provider who sent this quote can revise it.")
    if not job_is_open(job, now):
        return WrongState("This job is no longer taking quotes.")
    if quote.status not in Quote.WAITING:
        return WrongState(f"This quote is {_status(quote)}: it cannot be revised.")
    return None


def quote_refusal(
    *,
    quote: Quote,
    job: JobRequest,
    user: User,
    action: QuoteAction,
    now: datetime | None = None,
) -> DomainError | None:
    """Why `user` may not take `action` on `quote` (of `job`) now, or None when they may."""
    now = now or timezone.now()
    if action == QuoteAction.ACCEPT:
        return _accept_refusal(quote, job, user, now)
    if action == QuoteAction.ASK_NEW_TIME:
        return _ask_refusal(quote, job, user, now)
    if action == QuoteAction.REVISE:
        return _revise_refusal(quote, job, user, now)
    return _withdraw_refusal(quote, user)


def quote_send_refusal(
    *,
    job: JobRequest,
    provider: ProviderProfile,
    can_do_job: bool,
    has_waiting_quote: bool,
    now: datetime | None = None,
) -> DomainError | None:
    """Why `provider` may not quote on `job` now, or None when they may.

    `can_do_job`: one of their public listings takes the job (jobs.selectors.quoting_services);
    `has_waiting_quote`: they already have a quote waiting on it.
    """
    if provider.status != ProviderProfile.Status.APPROVED:
        return NotAllowed("Your profile must be approved before you can send quotes.")
    if job.customer_id == provider.user_id:
        return NotAllowed("You cannot quote on your own job.")
    if not job_is_open(job, now or timezone.now()):
        return WrongState("This job is no longer taking quotes.")
    if not can_do_job:
        return NotAllowed(
            "You can quote only on jobs in your listings' categories and service areas."
        )
    if has_waiting_quote:
        return Conflict(
            "You have already sent a quote for this job. Revise it, or withdraw it to send another."
        )
    return None


def _raise(refusal: DomainError | None) -> None:
    if refusal is not None:
        raise refusal


def job_check(
    *, job: JobRequest, user: User, action: JobAction, now: datetime | None = None
) -> None:
    _raise(job_refusal(job=job, user=user, action=action, now=now))


def quote_check(
    *,
    quote: Quote,
    job: JobRequest,
    user: User,
    action: QuoteAction,
    now: datetime | None = None,
) -> None:
    _raise(quote_refusal(quote=quote, job=job, user=user, action=action, now=now))


def quote_send_check(
    *,
    job: JobRequest,
    provider: ProviderProfile,
    can_do_job: bool,
    has_waiting_quote: bool,
    now: datetime | None = None,
) -> None:
    _raise(
        quote_send_refusal(
            job=job,
            provider=provider,
            can_do_job=can_do_job,
            has_waiting_quote=has_waiting_quote,
            now=now,
        )
    )


def job_allowed_actions(
    *, job: JobRequest, user: User, now: datetime | None = None
) -> frozenset[JobAction]:
    return frozenset(
        action
        for action in JobAction
        if job_refusal(job=job, user=user, action=action, now=now) is None
    )


def quote_allowed_actions(
    *, quote: Quote, job: JobRequest, user: User, now: datetime | None = None
) -> frozenset[QuoteAction]:
    now = now or timezone.now()
    return frozenset(
        action
        for action in QuoteAction
        if quote_refusal(quote=quote, job=job, user=user, action=action, now=now) is None
    )

"""Who may open a conversation, send in it, block or report, and when: the one place that
decides. Services raise the refusals as their guard; pages call them to show
only what is possible.

A customer may message any approved provider (about one of its listings, their booking, their
job or a quote on it, or nothing). A provider may only answer: it opens a conversation only
about something the customer started with it (a booking, a quote it sent, a job it can quote
on), never cold; once a conversation exists either side may write in it.
"""

from __future__ import annotations

from enum import StrEnum

from accounts.models import ProviderProfile, User
from bookings.models import Booking
from jobs.models import JobRequest, Quote
from listings.models import Service
from marketplace.errors import DomainError, NotAllowed, WrongState

from .models import Conversation, Message

About = Service | Booking | JobRequest | Quote


class Role(StrEnum):
    CUSTOMER = "customer"
    PROVIDER = "provider"


def role_of(*, conversation: Conversation, user: User) -> Role | None:
    """The side `user` is on in the conversation, or None for anyone else."""
    if user is None or not user.is_authenticated:
        return None
    if conversation.customer_id == user.pk:
        return Role.CUSTOMER
    if conversation.provider.user_id == user.pk:
        return Role.PROVIDER
    return None


def about_belongs(*, about: About, customer: User, provider: ProviderProfile) -> bool:
    """Whether `about` is a thing between this customer and this provider."""
    if isinstance(about, Service):
        return about.provider_id == provider.pk
    if isinstance(about, Booking):
        return about.customer_id == customer.pk and about.provider_id == provider.pk
    if isinstance(about, JobRequest):
        return about.customer_id == customer.pk and about.provider_id in (None, provider.pk)
    if isinstance(about, Quote):
        return about.provider_id == provider.pk and about.job.customer_id == customer.pk
    return False


_NOT_THEIRS = "That is not something between you and this person."
COLD = (
    "Providers can reply to customers, or write about a booking, a quote or a job the "
    "customer posted: not start a conversation out of the blue."
)


def _customer_open_refusal(
    *, customer: User, provider: ProviderProfile, about: About | None, existing: bool
) -> DomainError | None:
    if provider.user_id == customer.pk:
        return NotAllowed("You cannot message yourself.")
    if not existing and provider.status != ProviderProfile.Status.APPROVED:
        return WrongState("This provider is not taking messages.")
    if about is not None and not about_belongs(about=about, customer=customer, provider=provider):
        return NotAllowed(_NOT_THEIRS)
    return None


def _provider_open_refusal(
    *,
    provider: ProviderProfile,
    customer: User,
    about: About | None,
    existing: bool,
    job_reachable: bool,
) -> DomainError | None:
    if provider.user_id == customer.pk:
        return NotAllowed("You cannot message yourself.")
    if provider.status != ProviderProfile.Status.APPROVED:
        return NotAllowed("Your profile must be approved before you can message customers.")
    if about is None:
        return None if existing else NotAllowed(COLD)
    if isinstance(about, Service):
        # A listing is the customer's way in, not the provider's.
        return None if existing else NotAllowed(COLD)
    if not about_belongs(about=about, customer=customer, provider=provider):
        return NotAllowed(_NOT_THEIRS)
    if isinstance(about, JobRequest) and not job_reachable:
        return NotAllowed("You can message a customer about a job only when you can quote on it.")
    return None


def open_refusal(
    *,
    user: User,
    customer: User,
    provider: ProviderProfile,
    about: About | None,
    existing: bool,
    job_reachable: bool = False,
) -> DomainError | None:
    """Why `user` may not open (or reopen about `about`) the conversation between `customer`
    and `provider`, or None. `existing`: the conversation already exists; `job_reachable`:
    `about` is a job the provider may quote on (jobs.selectors.job_for_provider)."""
    if not user.is_active:
        return NotAllowed("Your account is not active.")
    if user.pk == customer.pk:
        return _customer_open_refusal(
            customer=customer, provider=provider, about=about, existing=existing
        )
    if user.pk == provider.user_id:
        return _provider_open_refusal(
            provider=provider,
            customer=customer,
            about=about,
            existing=existing,
            job_reachable=job_reachable,
        )
    return NotAllowed("You can only open your own conversations.")


def send_refusal(*, conversation: Conversation, sender: User, blocked: bool) -> DomainError | None:
    """Why `sender` may not send in `conversation` now, or None. `blocked`: either side has
    blocked the other."""
    role = role_of(conversation=conversation, user=sender)
    if role is None:
        return NotAllowed("You can only write in your own conversations.")
    if not sender.is_active:
        return NotAllowed("Your account is not active.")
    if conversation.provider.status == ProviderProfile.Status.SUSPENDED:
        if role == Role.PROVIDER:
            return NotAllowed("Your profile is suspended: you cannot send messages.")
        return WrongState("This provider's profile is suspended: it cannot take messages.")
    if blocked:
        return NotAllowed(BLOCKED)
    return None


BLOCKED = "Messages are blocked between you and this person."


def block_refusal(*, blocker: User, blocked: User) -> DomainError | None:
    if blocker.pk == blocked.pk:
        return NotAllowed("You cannot block yourself.")
    return None


def report_refusal(*, message: Message, reporter: User) -> DomainError | None:
    if role_of(conversation=message.conversation, user=reporter) is None:
        return NotAllowed("You can only report messages in your own conversations.")
    if message.sender_id == reporter.pk:
        return NotAllowed("You cannot report your own message.")
    return None


def _raise(refusal: DomainError | None) -> None:
    if refusal is not None:
        raise refusal


def send_check(*, conversation: Conversation, sender: User, blocked: bool) -> None:
    _raise(send_refusal(conversation=conversation, sender=sender, blocked=blocked))


def block_check(*, blocker: User, blocked: User) -> None:
    _raise(block_refusal(blocker=blocker, blocked=blocked))


def report_check(*, message: Message, reporter: User) -> None:
    _raise(report_refusal(message=message, reporter=reporter))

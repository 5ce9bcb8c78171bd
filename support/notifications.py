"""What the parties are told about their case: the wording only (the services decide). Each
function records notifications in the caller's transaction (notifications.services.notify is
the outbox: the emails and live pushes go after commit)."""

from __future__ import annotations

from accounts.models import User
from notifications.services import notify
from payments.money import dollars

from .models import Case


def _parties(case: Case) -> list[User]:
    return [case.booking.customer, case.booking.provider.user]


def _tell(case: Case, *, kind: str, title: str, body: str, skip: User | None = None) -> None:
    for person in _parties(case):
        if skip is not None and person.pk == skip.pk:
            continue
        notify(recipient=person, kind=kind, title=title, body=body, url=case.get_absolute_url())


def notify_case_opened(*, case: Case) -> None:
    title = case.booking.service.title
    _tell(
        case,
        kind="support_case_opened",
        title=f"A problem was reported on {title}",
        body=(
            f"“{case.get_reason_display()}”. A moderator will look at it and write in the case; "
            "both of you can add details and photos there. The provider's earning on this job "
            "is held until the case is closed."
        ),
    )


def notify_case_message(*, case: Case, author: User, moderator: bool) -> None:
    who = "A moderator" if moderator else "The other party"
    _tell(
        case,
        kind="support_case_message",
        title=f"{who} wrote in the case on {case.booking.service.title}",
        body="Open the case to read it and answer.",
        skip=author,
    )


def notify_case_refund(*, case: Case, amount_cents: int) -> None:
    _tell(
        case,
        kind="support_case_refund",
        title=f"{dollars(amount_cents)} refunded on {case.booking.service.title}",
        body=(
            f"A moderator refunded {dollars(amount_cents)} to the customer's card through the "
            "support case. Banks take a few days to show it."
        ),
    )


def notify_case_closed(*, case: Case) -> None:
    note = f" The moderator's note: {case.outcome_note}" if case.outcome_note else ""
    _tell(
        case,
        kind="support_case_closed",
        title=f"The case on {case.booking.service.title} is closed",
        body=f"Outcome: {case.get_outcome_display()}.{note}",
    )

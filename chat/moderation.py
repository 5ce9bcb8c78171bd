"""What moderators do with reported messages (the admin's actions call these), and the
conversation around each reported message that they read first.

Every action handles an open report once: it is locked, checked to be still open, and marked
dismissed or actioned with who did it and when. Blocking uses chat's own block (the reporter
blocks the sender: no more messages either way); suspending reuses accounts' moderation (a
provider's profile is suspended with the reason shown to them, through
accounts.services.provider_set_status), and a customer's account is deactivated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import ProviderProfile, User
from accounts.services import moderation_record, provider_set_status, user_suspend
from marketplace.errors import Invalid, WrongState

from .models import Message, MessageReport
from .services import user_block

# Messages shown before and after a reported one.
CONTEXT_AROUND = 5


def _handle(*, report: MessageReport, moderator: User, status: str) -> MessageReport:
    """Lock the report, refuse it when handled already, and record who handled it (inside the
    caller's transaction)."""
    locked = (
        MessageReport.objects.select_for_update(of=("self",))
        .select_related("message__sender", "reporter")
        .get(pk=report.pk)
    )
    if locked.status != MessageReport.Status.OPEN:
        raise WrongState(f"Report {locked.pk} was handled already ({locked.get_status_display()}).")
    locked.status = status
    locked.handled_by = moderator
    locked.handled_at = timezone.now()
    locked.save(update_fields=["status", "handled_by", "handled_at"])
    return locked


@transaction.atomic
def report_dismiss(*, report: MessageReport, moderator: User) -> MessageReport:
    """Nothing wrong with the message: the report is closed and nothing else changes."""
    handled = _handle(report=report, moderator=moderator, status=MessageReport.Status.DISMISSED)
    _record(handled, moderator=moderator, action="dismiss_message_report")
    return handled


def _record(report: MessageReport, *, moderator: User, action: str, reason: str = "") -> None:
    """The moderation trail's line: on the message's sender, about the reported message."""
    moderation_record(
        actor=moderator,
        action=action,
        reason=reason or f"Reported: {report.reason}",
        user=report.message.sender,
        target=report,
    )


@transaction.atomic
def report_block_sender(*, report: MessageReport, moderator: User) -> MessageReport:
    """The reporter blocks the message's sender on the moderator's word: no more messages
    between the two, either way (the reporter may lift it from their own page)."""
    handled = _handle(report=report, moderator=moderator, status=MessageReport.Status.ACTIONED)
    user_block(blocker=handled.reporter, blocked=handled.message.sender)
    _record(handled, moderator=moderator, action="block_message_sender")
    return handled


@transaction.atomic
def report_suspend_sender(*, report: MessageReport, moderator: User, reason: str) -> MessageReport:
    """Stop the sender sending to anyone: a provider's profile is suspended (they are told
    `reason`), a customer's account suspended (accounts.services.user_suspend: no more
    signing in, their sessions end, their open bookings are cancelled)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid(fields={"reason": "Give a reason: a provider is shown it."})
    handled = _handle(report=report, moderator=moderator, status=MessageReport.Status.ACTIONED)
    sender = handled.message.sender
    profile = ProviderProfile.objects.filter(user=sender).first()
    if profile is not None:
        provider_set_status(
            profile=profile, status=ProviderProfile.Status.SUSPENDED, actor=moderator, reason=reason
        )
    elif sender.suspended_at is None:
        user_suspend(user=sender, actor=moderator, reason=reason)
    _record(handled, moderator=moderator, action="suspend_message_sender", reason=reason)
    return handled


def reports_context(*, reports: Iterable[MessageReport]) -> dict[int, list[Message]]:
    """For each report (with its message loaded), the messages of its conversation from
    CONTEXT_AROUND before to CONTEXT_AROUND after the reported one, oldest first, with their
    senders: one query for all of them."""
    reports = list(reports)
    if not reports:
        return {}
    wanted = Q()
    for report in reports:
        seq = report.message.seq
        wanted |= Q(
            conversation_id=report.message.conversation_id,
            seq__range=(seq - CONTEXT_AROUND, seq + CONTEXT_AROUND),
        )
    by_conversation: dict[int, list[Message]] = defaultdict(list)
    for message in Message.objects.filter(wanted).select_related("sender").order_by("seq"):
        by_conversation[message.conversation_id].append(message)
    return {
        report.pk: [
            message
            for message in by_conversation[report.message.conversation_id]
            if abs(message.seq - report.message.seq) <= CONTEXT_AROUND
        ]
        for report in reports
    }

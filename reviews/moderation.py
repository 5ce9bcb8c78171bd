"""What moderators do with review reports and fraud signals (the admin's actions call these).

Each handles an open report or signal once: it is locked, checked to be still open, marked
with who handled it and when, and written to the moderation trail with the reason.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import moderation_record
from marketplace.errors import Invalid, WrongState

from .models import REASON_MAX_LENGTH, FraudSignal, ReviewReport


def _reason_clean(reason: str, *, shown_to: str = "") -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        suffix = f": {shown_to} is shown it" if shown_to else " for the record"
        raise Invalid(fields={"reason": f"Give a reason{suffix}."})
    if len(reason) > REASON_MAX_LENGTH:
        raise Invalid(fields={"reason": f"Keep the reason to {REASON_MAX_LENGTH} characters."})
    return reason


def _open_report(report: ReviewReport) -> ReviewReport:
    locked = (
        ReviewReport.objects.select_for_update(of=("self",))
        .select_related("review__author", "review__provider")
        .get(pk=report.pk)
    )
    if locked.status != ReviewReport.Status.OPEN:
        raise WrongState(f"Report {locked.pk} was handled already ({locked.get_status_display()}).")
    return locked


@transaction.atomic
def review_report_dismiss(*, report: ReviewReport, actor: User, reason: str) -> ReviewReport:
    """Nothing wrong with the review: the report is closed, the review stays as it is."""
    reason = _reason_clean(reason)
    locked = _open_report(report)
    locked.status = ReviewReport.Status.DISMISSED
    locked.handled_by = actor
    locked.handled_at = timezone.now()
    locked.save(update_fields=["status", "handled_by", "handled_at"])
    moderation_record(
        actor=actor,
        action="dismiss_review_report",
        reason=reason,
        user=locked.review.author,
        provider=locked.review.provider,
        target=locked,
    )
    return locked


@transaction.atomic
def fraud_signal_dismiss(*, signal: FraudSignal, actor: User, reason: str) -> FraudSignal:
    """A moderator looked and found nothing wrong: the signal is closed with the reason (a
    re-scan raises nothing new: the signal's key is kept)."""
    reason = _reason_clean(reason)
    locked = (
        FraudSignal.objects.select_for_update(of=("self",))
        .select_related("user", "provider", "review__author")
        .get(pk=signal.pk)
    )
    if locked.status != FraudSignal.Status.OPEN:
        raise WrongState(f"Signal {locked.pk} was handled already ({locked.get_status_display()}).")
    locked.status = FraudSignal.Status.DISMISSED
    locked.handled_by = actor
    locked.handled_at = timezone.now()
    locked.handled_reason = reason
    locked.save(update_fields=["status", "handled_by", "handled_at", "handled_reason"])
    moderation_record(
        actor=actor,
        action="dismiss_signal",
        reason=reason,
        user=locked.user or (locked.review.author if locked.review else None),
        provider=locked.provider,
        target=locked,
    )
    return locked

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

from .models import REASON_MAX_LENGTH, FraudSignal, Review, ReviewReport
from .services import review_set_status


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


# How a moderator closes a report.
RESOLUTIONS = (ReviewReport.Status.DISMISSED, ReviewReport.Status.ACTIONED)


@transaction.atomic
def review_report_resolve(
    *, report: ReviewReport, actor: User, outcome: str, reason: str
) -> ReviewReport:
    """Close an open report: DISMISSED (nothing wrong, the review stays as it is) or ACTIONED
    (the review is hidden through reviews.services.review_set_status, its author shown
    `reason`; the review's other open reports are closed with this one)."""
    if outcome not in RESOLUTIONS:
        raise Invalid(fields={"outcome": "Dismiss the report or hide the review."})
    reason = _reason_clean(reason, shown_to="" if outcome == RESOLUTIONS[0] else "the author")
    locked = _open_report(report)
    review = locked.review
    if outcome == ReviewReport.Status.ACTIONED and review.status != Review.Status.HIDDEN:
        review_set_status(review=review, status=Review.Status.HIDDEN, actor=actor, reason=reason)
    closing = ReviewReport.objects.filter(pk=locked.pk)
    if outcome == ReviewReport.Status.ACTIONED:
        closing = ReviewReport.objects.filter(review=review, status=ReviewReport.Status.OPEN)
    closing.update(status=outcome, handled_by=actor, handled_at=timezone.now())
    moderation_record(
        actor=actor,
        action=f"{'dismiss' if outcome == RESOLUTIONS[0] else 'action'}_review_report",
        reason=reason,
        user=review.author,
        provider=review.provider,
        target=locked,
    )
    locked.refresh_from_db()
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

"""Reads of the support app: the pages, the API, the admin and the booking page's panel share
these. Every case is scoped to whoever may see it (anyone else gets None, then a 404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking, BookingEvent
from marketplace.params import MAX_ID
from payments.models import Payment
from payments.money import dollars

from . import rules
from .models import Case, CaseEvent, CaseMessage, CasePhoto


def booking_finished_at(*, booking: Booking) -> datetime | None:
    """When the job was marked completed or the booking cancelled (its timeline event; the
    booking's end, or last change, for older rows without one); None while it is neither."""
    action = {
        Booking.Status.COMPLETED: BookingEvent.Action.COMPLETED,
        Booking.Status.CANCELLED: BookingEvent.Action.CANCELLED,
    }.get(booking.status)
    if action is None:
        return None
    at = (
        BookingEvent.objects.filter(booking=booking, action=action)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    if at is not None:
        return at
    return booking.period.upper if action == BookingEvent.Action.COMPLETED else booking.updated_at


def booking_for_party(*, user: User, pk: int) -> Booking | None:
    """One of `user`'s bookings, as customer or provider."""
    if not user.is_authenticated or not 0 < pk <= MAX_ID:
        return None
    return (
        Booking.objects.filter(Q(customer=user) | Q(provider__user=user), pk=pk)
        .select_related("service", "provider", "customer")
        .first()
    )


def case_open_on(*, booking: Booking) -> Case | None:
    return Case.objects.filter(booking=booking, state=Case.State.OPEN).first()


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related(
        "booking__service__city", "booking__provider", "booking__customer", "opened_by"
    )


def cases_for_user(*, user: User) -> QuerySet[Case]:
    """The cases on `user`'s bookings (as customer or provider), newest first."""
    return _cases().filter(Q(booking__customer=user) | Q(booking__provider__user=user))


def case_for_viewer(*, user: User, pk: int) -> Case | None:
    """The case when `user` is one of its booking's parties or a moderator, else None."""
    if not user.is_authenticated or not 0 < pk <= MAX_ID:
        return None
    case = _cases().filter(pk=pk).first()
    if case is None or not rules.case_visible(case=case, user=user):
        return None
    return case


def case_messages(*, case: Case) -> QuerySet[CaseMessage]:
    """The conversation, oldest first, with authors and photos (2 queries)."""
    return (
        CaseMessage.objects.filter(case=case)
        .select_related("author")
        .prefetch_related(Prefetch("photos", queryset=CasePhoto.objects.order_by("position")))
    )


def case_report_photos(*, case: Case) -> QuerySet[CasePhoto]:
    """The photos sent with the report itself."""
    return CasePhoto.objects.filter(case=case, message__isnull=True)


def case_events(*, case: Case) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=case).select_related("actor")


def photo_for_viewer(*, user: User, key: UUID) -> CasePhoto | None:
    photo = CasePhoto.objects.filter(key=key).select_related("case__booking__provider").first()
    if photo is None or not rules.case_visible(case=photo.case, user=user):
        return None
    return photo


def cases_with_amount() -> QuerySet[Case]:
    """Cases with their booking's amount (`amount_cents`: the payment's, None without one)."""
    amount = Payment.objects.filter(booking=OuterRef("booking")).values("amount_cents")[:1]
    return Case.objects.annotate(amount_cents=Subquery(amount))


def case_open_queue() -> QuerySet[Case]:
    """The moderators' queue: open cases, the longest-waiting first."""
    return cases_with_amount().filter(state=Case.State.OPEN).order_by("opened_at", "id")


def case_refund_blocker(*, payment: Payment | None) -> str:
    """Why the case's booking cannot be refunded now, in words for moderators; "" when it
    can (the payment was charged and something is left after earlier refunds)."""
    if payment is None:
        return "This booking has no card payment: there is nothing to refund."
    if payment.state == Payment.State.PAID:
        if payment.net_cents <= 0:
            return "Everything the customer paid has already been refunded."
        return ""
    if payment.state == Payment.State.HELD:
        return (
            "The payment is only held on the card, not charged yet: there is nothing to "
            "refund. The case can still be closed."
        )
    return (
        f"The payment is “{payment.get_state_display()}”: nothing was charged, so there is "
        "nothing to refund. The case can still be closed."
    )


def case_payment(*, case: Case) -> Payment | None:
    return Payment.objects.filter(booking_id=case.booking_id).first()


def payment_summary(*, payment: Payment | None) -> str:
    if payment is None:
        return "No card payment"
    text = f"{dollars(payment.amount_cents)}: {payment.get_state_display()}"
    if payment.refunded_cents:
        text += f", {dollars(payment.refunded_cents)} refunded"
    return text


@dataclass(frozen=True)
class BookingPanel:
    """What the booking page shows about support: the open case, or the way to report one."""

    case: Case | None
    can_report: bool
    report_ends: datetime | None


def booking_support_panel(*, booking: Booking, user: User) -> BookingPanel:
    """At most 2 queries: the open case, then (when there is none) when the booking ended."""
    if not rules.is_party(booking=booking, user=user):
        return BookingPanel(case=None, can_report=False, report_ends=None)
    case = case_open_on(booking=booking)
    if case is not None or booking.status not in rules.REPORTABLE:
        return BookingPanel(case=case, can_report=False, report_ends=None)
    finished_at = booking_finished_at(booking=booking)
    refusal = rules.case_open_refusal(
        booking=booking,
        user=user,
        finished_at=finished_at,
        has_open_case=False,
        now=timezone.now(),
    )
    ends = rules.report_window_ends(finished_at=finished_at) if finished_at else None
    return BookingPanel(case=None, can_report=refusal is None, report_ends=ends)

"""Every write of the support app: reporting a problem, writing in a case, refunding through
it and closing it.

Keyword-only, typed, raising marketplace.errors types (never HTTP). Refusals come cheapest
first (who, state, input, photo headers); photos are decoded and stored only then, and a
failure saves nothing and deletes any stored file. Every step writes a CaseEvent and tells
both parties (notifications are rows in the same transaction, sent after commit).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from chat.text import text_clean
from listings.photo_uploads import photos_check, photos_delete, photos_store
from marketplace.errors import Invalid, WrongState
from payments.models import Refund
from payments.money import dollars
from payments.services.refunds import payment_payout_hold, payment_refund

from . import notifications, rules, selectors
from .models import (
    CASE_MAX_PHOTOS,
    DESCRIPTION_MAX_LENGTH,
    DESCRIPTION_MIN_LENGTH,
    EVENT_DETAIL_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    OUTCOME_NOTE_MAX_LENGTH,
    Case,
    CaseEvent,
    CaseMessage,
    CasePhoto,
)

NOTHING_SENT = "Nothing was sent."


def _one_open_case() -> WrongState:
    return WrongState(rules.ONE_OPEN_CASE, code="case_already_open")


# --- input ---------------------------------------------------------------------------------


def _text(value: object, *, field: str, minimum: int, maximum: int, what: str) -> str:
    cleaned = text_clean(value if isinstance(value, str) else "")
    if len(cleaned) < minimum:
        raise Invalid(fields={field: f"{what}: write at least {minimum} characters."})
    if len(cleaned) > maximum:
        raise Invalid(
            fields={field: f"Keep it to {maximum:,} characters (this has {len(cleaned):,})."}
        )
    return cleaned


def _check_photos(photos: Sequence[UploadedFile]) -> None:
    photos_check(photos, most=CASE_MAX_PHOTOS, refused=NOTHING_SENT)


def _store_photos(photos: Sequence[UploadedFile]) -> list[CasePhoto]:
    """Rows not saved yet: the case (and message) are set when they are."""
    return photos_store(
        photos, make=lambda position: CasePhoto(position=position), refused=NOTHING_SENT
    )


def _save_photos(photos: list[CasePhoto], *, case: Case, message: CaseMessage | None) -> None:
    for photo in photos:
        photo.case, photo.message = case, message
    CasePhoto.objects.bulk_create(photos)


def _event(case: Case, *, action: str, actor: User | None, detail: str = "") -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, action=action, actor=actor, detail=detail[:EVENT_DETAIL_MAX_LENGTH]
    )


def _case_lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("booking__service", "booking__provider__user", "booking__customer")
        .get(pk=case.pk)
    )


# --- opening -------------------------------------------------------------------------------


def _open_refusal(*, booking: Booking, user: User, now: datetime):
    return rules.case_open_refusal(
        booking=booking,
        user=user,
        finished_at=selectors.booking_finished_at(booking=booking),
        has_open_case=selectors.case_open_on(booking=booking) is not None,
        now=now,
    )


def case_open(
    *,
    booking: Booking,
    user: User,
    reason: str,
    description: str,
    photos: Sequence[UploadedFile] = (),
    now: datetime | None = None,
) -> Case:
    """Report a problem on `booking` (a party, within the window, one open case at a time):
    the case, its photos and its first event; the provider's earning held from payouts."""
    now = now or timezone.now()
    photos = list(photos)
    if (refusal := _open_refusal(booking=booking, user=user, now=now)) is not None:
        raise refusal
    errors: dict[str, list[str]] = {}
    if reason not in Case.Reason.values:
        errors["reason"] = ["Choose what went wrong."]
    try:
        description = _text(
            description,
            field="description",
            minimum=DESCRIPTION_MIN_LENGTH,
            maximum=DESCRIPTION_MAX_LENGTH,
            what="Say what happened",
        )
    except Invalid as error:
        errors.update(error.fields)
    if errors:
        raise Invalid("Nothing was sent: correct what is marked below.", fields=errors)
    _check_photos(photos)
    stored = _store_photos(photos)
    try:
        case = _case_create(
            booking=booking, user=user, reason=reason, description=description, photos=stored
        )
    except BaseException:
        photos_delete(stored)
        raise
    return case


def _case_create(
    *, booking: Booking, user: User, reason: str, description: str, photos: list[CasePhoto]
) -> Case:
    try:
        with transaction.atomic():
            # Two reports at once on one booking: the second waits here, then is refused.
            Booking.objects.select_for_update().filter(pk=booking.pk).first()
            if selectors.case_open_on(booking=booking) is not None:
                raise _one_open_case()
            case = Case.objects.create(
                booking=booking, opened_by=user, reason=reason, description=description
            )
            _save_photos(photos, case=case, message=None)
            _event(
                case, action=CaseEvent.Action.OPENED, actor=user, detail=case.get_reason_display()
            )
            payment_payout_hold(booking_id=booking.pk, held=True)
            notifications.notify_case_opened(case=case)
    except IntegrityError as error:  # the constraint, should a writer skip the lock
        raise _one_open_case() from error
    return case


# --- the conversation ----------------------------------------------------------------------


def case_post(
    *, case: Case, author: User, body: str, photos: Sequence[UploadedFile] = ()
) -> CaseMessage:
    """A message (and up to CASE_MAX_PHOTOS photos) from a party or a moderator."""
    photos = list(photos)
    if (refusal := rules.case_post_refusal(case=case, user=author)) is not None:
        raise refusal
    body = text_clean(body if isinstance(body, str) else "")
    if not body and not photos:
        raise Invalid(fields={"body": "Write a message or attach a photo."})
    if len(body) > MESSAGE_MAX_LENGTH:
        raise Invalid(
            fields={
                "body": f"A message can be at most {MESSAGE_MAX_LENGTH:,} characters "
                f"(this one has {len(body):,})."
            }
        )
    _check_photos(photos)
    stored = _store_photos(photos)
    try:
        with transaction.atomic():
            locked = _case_lock(case)
            if (refusal := rules.case_post_refusal(case=locked, user=author)) is not None:
                raise refusal
            message = CaseMessage.objects.create(case=locked, author=author, body=body)
            _save_photos(stored, case=locked, message=message)
            _event(locked, action=CaseEvent.Action.MESSAGE, actor=author, detail=body[:120])
            moderator = not rules.is_party(booking=locked.booking, user=author)
            notifications.notify_case_message(case=locked, author=author, moderator=moderator)
    except BaseException:
        photos_delete(stored)
        raise
    return message


# --- settling ------------------------------------------------------------------------------


def case_refund(*, case: Case, actor: User, amount_cents: int, note: str = "") -> Refund:
    """Refund part or all of what the customer paid, through payments (only once the payment
    was charged; a held payment is not charged yet and cannot be refunded)."""
    if (refusal := rules.case_settle_refusal(case=case, user=actor)) is not None:
        raise refusal
    payment = selectors.case_payment(case=case)
    blocker = selectors.case_refund_blocker(payment=payment)
    if payment is None or blocker:
        raise WrongState(blocker, code="not_refundable")
    note = text_clean(note if isinstance(note, str) else "")[:200]
    reason = f"Support case {case.pk}" + (f": {note}" if note else "")
    with transaction.atomic():
        locked = _case_lock(case)
        if (refusal := rules.case_settle_refusal(case=locked, user=actor)) is not None:
            raise refusal
        refund = payment_refund(
            payment_id=payment.pk, amount_cents=amount_cents, reason=reason, actor=actor
        )
        locked.refunded_cents += refund.amount_cents
        locked.save(update_fields=["refunded_cents", "updated_at"])
        _event(
            locked,
            action=CaseEvent.Action.REFUND,
            actor=actor,
            detail=f"{dollars(refund.amount_cents)}" + (f": {note}" if note else ""),
        )
        notifications.notify_case_refund(case=locked, amount_cents=refund.amount_cents)
    case.refunded_cents = locked.refunded_cents
    return refund


def case_close(*, case: Case, actor: User, outcome: str, note: str = "") -> Case:
    """Close the case with an outcome and a note both parties see; the provider's earning is
    released to payouts again."""
    if (refusal := rules.case_settle_refusal(case=case, user=actor)) is not None:
        raise refusal
    if outcome not in Case.Outcome.values:
        raise Invalid(fields={"outcome": "Choose the outcome."})
    note = text_clean(note if isinstance(note, str) else "")
    if len(note) > OUTCOME_NOTE_MAX_LENGTH:
        raise Invalid(fields={"note": f"Keep the note to {OUTCOME_NOTE_MAX_LENGTH:,} characters."})
    with transaction.atomic():
        locked = _case_lock(case)
        if (refusal := rules.case_settle_refusal(case=locked, user=actor)) is not None:
            raise refusal
        locked.state, locked.outcome, locked.outcome_note = Case.State.CLOSED, outcome, note
        locked.closed_at, locked.closed_by = timezone.now(), actor
        locked.save()
        _event(
            locked,
            action=CaseEvent.Action.CLOSED,
            actor=actor,
            detail=locked.get_outcome_display() + (f": {note}" if note else ""),
        )
        payment_payout_hold(booking_id=locked.booking_id, held=False)
        notifications.notify_case_closed(case=locked)
    return locked

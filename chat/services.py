"""Every write of the chat app: opening conversations, sending, reading, blocking, reporting.

Keyword-only, typed, raising marketplace.errors types (never HTTP). A message is saved in
PostgreSQL first; the live parts hear of it from chat.events once the transaction commits.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Least
from django.utils import timezone

from accounts.models import ProviderProfile, User
from bookings.models import Booking
from jobs.models import JobRequest, Quote
from jobs.selectors import job_for_provider
from listings.models import Service
from listings.photo_uploads import photos_check, photos_delete, photos_store
from marketplace.errors import Invalid, NotAllowed

from . import events, rules
from .models import (
    MESSAGE_MAX_LENGTH,
    MESSAGE_MAX_PHOTOS,
    REPORT_REASON_MAX_LENGTH,
    Block,
    Conversation,
    Message,
    MessagePhoto,
    MessageReport,
)
from .rules import About, Role
from .text import text_clean

logger = logging.getLogger(__name__)

# A burst limit per sender across all their conversations (people type; scripts flood).
RATE_LIMIT_MESSAGES = 20
RATE_LIMIT_WINDOW = timedelta(minutes=1)
RATE_LIMITED = "You are sending messages too fast. Wait a minute, then send again."


def _job_reachable(provider: ProviderProfile, about: About | None) -> bool:
    if not isinstance(about, JobRequest):
        return False
    return job_for_provider(provider=provider, pk=about.pk) is not None


def _pair_for(
    *, user: User, provider: ProviderProfile | None, customer: User | None
) -> tuple[User, ProviderProfile]:
    if (provider is None) == (customer is None):
        raise Invalid("Say who the conversation is with: a provider or a customer.")
    if provider is not None:
        return user, provider
    profile = ProviderProfile.objects.filter(user=user).first()
    if profile is None:
        raise NotAllowed("Only providers can start a conversation with a customer.")
    return customer, profile


def conversation_open(
    *,
    user: User,
    provider: ProviderProfile | None = None,
    customer: User | None = None,
    about: About | None = None,
) -> Conversation:
    """The one conversation between `user` as customer and `provider`, or between `user`'s
    provider profile and `customer`, created when it does not exist yet.

    `about` (a Service, Booking, JobRequest or Quote between them) is what the next message
    will be about; a provider may open only about something the customer started."""
    customer, provider = _pair_for(user=user, provider=provider, customer=customer)
    existing = Conversation.objects.filter(customer=customer, provider=provider).first()
    refusal = rules.open_refusal(
        user=user,
        customer=customer,
        provider=provider,
        about=about,
        existing=existing is not None,
        job_reachable=user.pk == provider.user_id and _job_reachable(provider, about),
    )
    if refusal is not None:
        raise refusal
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Conversation.objects.create(customer=customer, provider=provider)
    except IntegrityError:
        # Both sides opened it in the same instant: the other insert won; use that row.
        return Conversation.objects.get(customer=customer, provider=provider)


def users_blocked(*, one: User | int, other: User | int) -> bool:
    """Either of the two has blocked the other."""
    a, b = (getattr(one, "pk", one), getattr(other, "pk", other))
    return Block.objects.filter(
        Q(blocker_id=a, blocked_id=b) | Q(blocker_id=b, blocked_id=a)
    ).exists()


def _check_input(body: str, photos: Sequence[UploadedFile]) -> None:
    if not body and not photos:
        raise Invalid(fields={"body": "Write a message or attach a photo."})
    if len(body) > MESSAGE_MAX_LENGTH:
        raise Invalid(
            fields={
                "body": f"A message can be at most {MESSAGE_MAX_LENGTH:,} characters "
                f"(this one has {len(body):,})."
            }
        )
    photos_check(
        photos,
        most=MESSAGE_MAX_PHOTOS,
        too_many=f"Attach at most {MESSAGE_MAX_PHOTOS} photos a message.",
        refused="Nothing was sent.",
    )


def _rate_key(sender: User, now: datetime) -> str:
    window = int(now.timestamp() // RATE_LIMIT_WINDOW.total_seconds())
    return f"chat:rate:{sender.pk}:{window}"


def _rate_check(*, sender: User, now: datetime) -> None:
    """At most RATE_LIMIT_MESSAGES a window per sender. Counted in Redis; while Redis is down
    (the degrading cache answers `incr` with None) the sender's messages of the last window
    are counted in PostgreSQL instead, so the limit holds through an outage."""
    key = _rate_key(sender, now)
    seconds = int(RATE_LIMIT_WINDOW.total_seconds())
    try:
        cache.add(key, 0, timeout=seconds * 2)
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        count = None
    if count is None:
        count = (
            1
            + Message.objects.filter(sender=sender, created_at__gt=now - RATE_LIMIT_WINDOW).count()
        )
    if count > RATE_LIMIT_MESSAGES:
        raise Invalid(RATE_LIMITED, code="rate_limited")


def _store_photos(photos: Sequence[UploadedFile]) -> list[MessagePhoto]:
    """Decode, re-encode and store each photo (one decoded at a time), rows not saved yet."""
    return photos_store(photos, make=lambda position: MessagePhoto(position=position), refused="")


def _context_fields(about: About | None) -> dict[str, object]:
    if about is None:
        return {}
    if isinstance(about, Quote):
        return {"quote": about, "job_id": about.job_id}
    field = {Service: "service", Booking: "booking", JobRequest: "job"}[type(about)]
    return {field: about}


def _check_about(conversation: Conversation, about: About | None) -> None:
    if about is not None and not rules.about_belongs(
        about=about, customer=conversation.customer, provider=conversation.provider
    ):
        raise NotAllowed("That is not something between you and this person.")


def _save_message(
    *,
    conversation: Conversation,
    sender: User,
    body: str,
    photos: list[MessagePhoto],
    about: About | None,
    now: datetime,
) -> Message:
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    seq = locked.last_seq + 1
    message = Message.objects.create(
        conversation=locked, seq=seq, sender=sender, body=body, **_context_fields(about)
    )
    for photo in photos:
        photo.message = message
    MessagePhoto.objects.bulk_create(photos)
    # Whoever writes has read everything up to what they wrote.
    read_field = (
        "customer_read_seq"
        if rules.role_of(conversation=conversation, user=sender) == Role.CUSTOMER
        else "provider_read_seq"
    )
    Conversation.objects.filter(pk=locked.pk).update(
        last_seq=seq, last_message_at=now, **{read_field: seq}
    )
    conversation.last_seq, conversation.last_message_at = seq, now
    setattr(conversation, read_field, seq)
    return message


def message_send(
    *,
    conversation: Conversation,
    sender: User,
    body: str,
    photos: Sequence[UploadedFile] = (),
    about: About | None = None,
    now: datetime | None = None,
) -> Message:
    """Save a message (text and up to MESSAGE_MAX_PHOTOS photos) as the next seq of the
    conversation; chat.events.message_created runs once it is committed.

    Cheapest refusals first: who may send, the body, the photos' sizes and headers, the rate
    limit; only then are photos decoded and stored, and a short transaction locks the
    conversation, takes the next seq and adds the rows. Any failure saves nothing and deletes
    the stored files."""
    now = now or timezone.now()
    photos = list(photos)
    if body is not None and not isinstance(body, str):
        raise Invalid(fields={"body": "A message is text."})
    blocked = users_blocked(one=conversation.customer_id, other=conversation.provider.user_id)
    rules.send_check(conversation=conversation, sender=sender, blocked=blocked)
    body = text_clean(body)
    _check_input(body, photos)
    _check_about(conversation, about)
    _rate_check(sender=sender, now=now)
    stored = _store_photos(photos)
    try:
        with transaction.atomic():
            message = _save_message(
                conversation=conversation,
                sender=sender,
                body=body,
                photos=stored,
                about=about,
                now=now,
            )
            transaction.on_commit(lambda: events.message_created(message))
    except BaseException:
        photos_delete(stored)
        raise
    return message


def conversation_mark_read(*, conversation: Conversation, reader: User, up_to_seq: int) -> int:
    """Move `reader`'s read position forward to `up_to_seq` (never back, never past the last
    message) and return it; chat.events.conversation_read runs on commit when it moved."""
    role = rules.role_of(conversation=conversation, user=reader)
    if role is None:
        raise NotAllowed("You can only read your own conversations.")
    if isinstance(up_to_seq, bool) or not isinstance(up_to_seq, int):
        raise Invalid(fields={"up_to_seq": "Say which message was read, by its number."})
    field = "customer_read_seq" if role == Role.CUSTOMER else "provider_read_seq"
    if getattr(conversation, field) >= up_to_seq:
        # Read positions only move forward: nothing to write (a page reloaded, a repeat).
        return getattr(conversation, field)
    # Never past the last message, never backwards: one conditional UPDATE decides both.
    target = Least(Value(max(0, min(up_to_seq, 2**31 - 1))), F("last_seq"))
    with transaction.atomic():
        moved = (
            Conversation.objects.filter(pk=conversation.pk)
            .filter(**{f"{field}__lt": target})
            .update(**{field: target})
        )
        seq = Conversation.objects.values_list(field, flat=True).get(pk=conversation.pk)
        setattr(conversation, field, seq)
        if moved:
            conversation_id, reader_id = conversation.pk, reader.pk
            transaction.on_commit(lambda: events.conversation_read(conversation_id, reader_id, seq))
    return seq


def user_block(*, blocker: User, blocked: User) -> Block:
    """`blocker` blocks `blocked`: no more messages either way. Blocking twice is one block."""
    rules.block_check(blocker=blocker, blocked=blocked)
    block, _ = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    return block


def user_unblock(*, blocker: User, blocked: User) -> bool:
    """Lift `blocker`'s block of `blocked` (theirs of you stays); whether there was one."""
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return bool(deleted)


def message_report(*, message: Message, reporter: User, reason: str) -> MessageReport:
    """Report someone else's message to the moderators, with a reason. Reporting it again
    while the first report is open returns that report."""
    rules.report_check(message=message, reporter=reporter)
    reason = text_clean(reason)
    if not reason:
        raise Invalid(fields={"reason": "Say what is wrong with this message."})
    if len(reason) > REPORT_REASON_MAX_LENGTH:
        raise Invalid(
            fields={"reason": f"Keep the reason under {REPORT_REASON_MAX_LENGTH} characters."}
        )
    try:
        with transaction.atomic():
            return MessageReport.objects.create(message=message, reporter=reporter, reason=reason)
    except IntegrityError:
        return MessageReport.objects.get(
            message=message, reporter=reporter, status=MessageReport.Status.OPEN
        )

"""The unread-message email: one per conversation and stretch of unread messages, not one per
message, sent through the notification outbox (notifications.services.notify).

Someone who has not read a conversation's messages 10 minutes after the first of them arrived
is told once, with the latest few (masked as everywhere, through chat.selectors) and a link
back. `UnreadEmail.notified_seq` records how far they were told; they are told again only
about messages after something they have read since, so a burst while away is one email and a
new burst after reading is another. Reading is what "online" means here: whoever has the
conversation open marks it read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from notifications.services import notify

from .models import Conversation, Message, UnreadEmail
from .rules import Role
from .selectors import messages_after

# How long a message may wait unread before its reader is emailed.
UNREAD_EMAIL_AFTER = timedelta(minutes=10)
# Conversations looked at per run per side; the next run (beat, every 2 minutes) takes the rest.
UNREAD_EMAIL_BATCH = 200
# The latest unread messages quoted in the email, and how much of each.
QUOTED_MESSAGES = 5
QUOTE_MAX_CHARS = 300

KIND = "chat_unread"


@dataclass(frozen=True)
class _Side:
    role: Role
    read_field: str
    recipient_field: str  # the recipient's user id, as a path from Conversation

    def recipient(self, conversation: Conversation) -> User:
        if self.role == Role.CUSTOMER:
            return conversation.customer
        return conversation.provider.user


_SIDES = (
    _Side(Role.CUSTOMER, "customer_read_seq", "customer_id"),
    _Side(Role.PROVIDER, "provider_read_seq", "provider__user_id"),
)


def _due(side: _Side, *, cutoff: datetime):
    """Conversations where this side's first unread message is older than `cutoff` and they
    have read up to what they were last emailed about (or were never emailed).

    Every message after the reader's read seq is the other side's (sending marks one's own
    read), and seqs have no gaps, so the first unread one is read seq + 1."""
    notified = UnreadEmail.objects.filter(
        conversation=OuterRef("pk"), recipient_id=OuterRef(side.recipient_field)
    ).values("notified_seq")[:1]
    first_unread = Message.objects.filter(
        conversation=OuterRef("pk"),
        seq=OuterRef(side.read_field) + 1,
        created_at__lte=cutoff,
    )
    return (
        Conversation.objects.filter(last_seq__gt=F(side.read_field))
        .annotate(notified=Coalesce(Subquery(notified, output_field=IntegerField()), 0))
        .filter(notified__lte=F(side.read_field))
        .filter(Exists(first_unread))
        .order_by("last_message_at", "pk")
        .values_list("pk", flat=True)[:UNREAD_EMAIL_BATCH]
    )


def unread_message_emails_send(*, now: datetime | None = None) -> int:
    """Email everyone whose unread messages have waited UNREAD_EMAIL_AFTER; returns how many
    emails were queued. Safe to run twice at once (each one is decided under a row lock)."""
    cutoff = (now or timezone.now()) - UNREAD_EMAIL_AFTER
    sent = 0
    for side in _SIDES:
        for conversation_id in list(_due(side, cutoff=cutoff)):
            sent += unread_message_email_send(
                conversation_id=conversation_id, role=side.role, cutoff=cutoff
            )
    return sent


def _side(role: Role) -> _Side:
    return next(side for side in _SIDES if side.role == role)


def unread_message_email_send(*, conversation_id: int, role: Role, cutoff: datetime) -> bool:
    """Tell one side of one conversation about its unread messages, unless it has been told
    already (checked again on the locked UnreadEmail row); whether an email was queued."""
    side = _side(role)
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_related("customer", "provider__user", "provider__base_city")
            .filter(pk=conversation_id)
            .first()
        )
        if conversation is None:
            return False
        recipient = side.recipient(conversation)
        # get_or_create survives a concurrent insert (the unique constraint); the lock makes
        # a second run wait for the first and then see what it recorded.
        UnreadEmail.objects.get_or_create(conversation=conversation, recipient=recipient)
        mark = UnreadEmail.objects.select_for_update().get(
            conversation=conversation, recipient=recipient
        )
        read_seq = getattr(conversation, side.read_field)
        if not _still_due(conversation, recipient, read_seq, mark, cutoff):
            return False
        latest = messages_after(
            conversation=conversation,
            viewer=recipient,
            after_seq=max(read_seq, conversation.last_seq - QUOTED_MESSAGES),
            limit=QUOTED_MESSAGES,
        )
        _notify(
            conversation=conversation,
            recipient=recipient,
            count=conversation.last_seq - read_seq,
            latest=latest,
        )
        mark.notified_seq = conversation.last_seq
        mark.notified_at = timezone.now()
        mark.save(update_fields=["notified_seq", "notified_at"])
    return True


def _still_due(
    conversation: Conversation, recipient: User, read_seq: int, mark: UnreadEmail, cutoff
) -> bool:
    if not recipient.is_active or conversation.last_seq <= read_seq:
        return False
    if mark.notified_seq > read_seq:
        return False
    return Message.objects.filter(
        conversation=conversation, seq=read_seq + 1, created_at__lte=cutoff
    ).exists()


def _quote(payload: dict) -> str:
    body = " ".join(payload["body"].split())
    if len(body) > QUOTE_MAX_CHARS:
        body = body[: QUOTE_MAX_CHARS - 1].rstrip() + "…"
    photos = len(payload["photos"])
    if photos:
        body = f"{body} [{photos} photo{'s' if photos > 1 else ''}]".strip()
    return f"{payload['sender_name']}: {body}"


def _notify(*, conversation: Conversation, recipient: User, count: int, latest: list) -> None:
    """The wording: who wrote, how many, the latest few as plain text (the email is plain
    text; the in-app list escapes it like every other notification)."""
    if recipient.pk == conversation.customer_id:
        other = conversation.provider.business_name
    else:
        other = conversation.customer.name or conversation.customer.get_short_name()
    title = f"{count} unread message{'s' if count != 1 else ''} from {other}"
    lines = [_quote(view.payload()) for view in latest]
    if count > len(lines):
        lines.insert(0, f"The last {len(lines)} of them:")
    notify(
        recipient=recipient,
        kind=KIND,
        title=title,
        body="\n".join(lines),
        url=conversation.get_absolute_url(),
    )

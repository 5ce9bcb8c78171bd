"""The reads of the chat app, shared by pages and the live socket.

`messages_after` returns `MessageView`s whose `payload()` is the one shape a message has
everywhere: rendered in the page (chat/_message.html), embedded as JSON for the live script,
and sent over the socket. Bodies are plain text (escaped by whoever renders them) and masked
(chat.masking) until a booking between the two is confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Case, F, IntegerField, Prefetch, Q, Sum, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.models import User
from bookings.models import Booking
from marketplace.params import MAX_ID

from .masking import contact_details_mask
from .models import Conversation, Message, MessagePhoto
from .rules import Role, role_of

# Bookings whose confirmation shares contact details between the two.
CONFIRMED = (Booking.Status.ACCEPTED, Booking.Status.COMPLETED)


def _participant(user: User) -> Q:
    return Q(customer=user) | Q(provider__user=user)


def conversation_for_participant(*, user: User, pk: int) -> Conversation | None:
    """The conversation `pk` when `user` is one of its two people, else None (a 404)."""
    if not user.is_authenticated or not 0 < pk <= MAX_ID:
        return None
    return (
        Conversation.objects.filter(_participant(user), pk=pk)
        .select_related("customer", "provider__user", "provider__base_city")
        .first()
    )


def contact_details_shared(*, conversation: Conversation) -> bool:
    """A booking between the two has been confirmed: contact details show as typed."""
    return Booking.objects.filter(
        customer_id=conversation.customer_id,
        provider_id=conversation.provider_id,
        status__in=CONFIRMED,
    ).exists()


def conversation_zone(conversation: Conversation) -> ZoneInfo:
    """Times in a conversation are shown in the provider's city's timezone (both people
    are near it)."""
    return ZoneInfo(conversation.provider.base_city.timezone)


def time_label(moment, zone: ZoneInfo) -> str:
    local = timezone.localtime(moment, zone)
    return date_format(local, "j M, g:i a")


def _context(message: Message, role: Role) -> dict | None:
    """The chip of what the message was sent from, linking to the viewer's page of it."""
    provider = role == Role.PROVIDER
    if message.quote_id and message.quote is not None:
        job = message.quote.job
        url = reverse("portal_job_detail" if provider else "job_detail", kwargs={"pk": job.pk})
        return {"kind": "quote", "label": f"Quote: {job.title}", "url": url}
    if message.job_id and message.job is not None:
        url = reverse(
            "portal_job_detail" if provider else "job_detail", kwargs={"pk": message.job_id}
        )
        return {"kind": "job", "label": f"Job: {message.job.title}", "url": url}
    if message.booking_id and message.booking is not None:
        booking = message.booking
        when = time_label(booking.start, booking.zone)
        return {
            "kind": "booking",
            "label": f"Booking: {booking.service.title}, {when}",
            "url": booking.get_absolute_url(),
        }
    if message.service_id and message.service is not None:
        return {
            "kind": "listing",
            "label": f"Listing: {message.service.title}",
            "url": message.service.get_absolute_url(),
        }
    return None


def photo_urls(photo: MessagePhoto) -> dict[str, str]:
    return {
        "thumb_url": reverse("chat_photo_thumb", kwargs={"key": photo.key}),
        "full_url": reverse("chat_photo", kwargs={"key": photo.key}),
    }


@dataclass
class MessageView:
    message: Message
    mine: bool
    body: str  # masked when contact details are not shared yet
    hidden: bool  # something was masked (the page shows why)
    context: dict | None
    created_label: str

    def payload(self) -> dict:
        message = self.message
        return {
            "seq": message.seq,
            "id": message.pk,
            "mine": self.mine,
            "sender_name": message.sender.name or message.sender.get_short_name(),
            "body": self.body,
            "hidden": self.hidden,
            "created_at": message.created_at.isoformat(),
            "created_label": self.created_label,
            "photos": [photo_urls(photo) for photo in message.photos.all()],
            "context": self.context,
        }


def message_views(
    *, conversation: Conversation, viewer: User, messages: list[Message]
) -> list[MessageView]:
    """Views of `messages` (with photos and context prefetched) as `viewer` sees them."""
    role = role_of(conversation=conversation, user=viewer)
    shared = contact_details_shared(conversation=conversation)
    zone = conversation_zone(conversation)
    views = []
    for message in messages:
        masked = contact_details_mask(message.body)
        views.append(
            MessageView(
                message=message,
                mine=message.sender_id == viewer.pk,
                body=message.body if shared else masked.text,
                hidden=not shared and masked.hidden,
                context=_context(message, role),
                created_label=time_label(message.created_at, zone),
            )
        )
    return views


def messages_after(
    *, conversation: Conversation, viewer: User, after_seq: int = 0, limit: int = 200
) -> list[MessageView]:
    """The conversation's messages with a seq after `after_seq`, oldest first, at most
    `limit` (four queries whatever the number: messages, photos, the confirmed booking)."""
    if role_of(conversation=conversation, user=viewer) is None:
        return []
    messages = list(
        Message.objects.filter(conversation=conversation, seq__gt=max(0, after_seq))
        .select_related("sender", "service", "booking__service__city", "job", "quote__job")
        .prefetch_related(Prefetch("photos", queryset=MessagePhoto.objects.order_by("position")))
        .order_by("seq")[: max(0, limit)]
    )
    return message_views(conversation=conversation, viewer=viewer, messages=messages)


def messages_last(
    *, conversation: Conversation, viewer: User, limit: int = 200
) -> list[MessageView]:
    """The last `limit` messages, oldest first (what the conversation page opens on)."""
    first = max(0, conversation.last_seq - limit)
    return messages_after(conversation=conversation, viewer=viewer, after_seq=first, limit=limit)


def read_state(*, conversation: Conversation, viewer: User) -> dict:
    """How far the other person has read, for "Seen" under the viewer's last message."""
    role = role_of(conversation=conversation, user=viewer)
    other = (
        conversation.provider_read_seq if role == Role.CUSTOMER else conversation.customer_read_seq
    )
    return {"other_read_seq": other}


def unread_total(*, user: User) -> int:
    """Messages from others not read yet, over all of the user's conversations (one query)."""
    if not user.is_authenticated:
        return 0
    unread = Case(
        When(customer=user, then=F("last_seq") - F("customer_read_seq")),
        default=F("last_seq") - F("provider_read_seq"),
        output_field=IntegerField(),
    )
    total = Conversation.objects.filter(_participant(user)).aggregate(
        total=Coalesce(Sum(unread), 0)
    )["total"]
    return int(total)


def photo_for_participant(*, user: User, key) -> MessagePhoto | None:
    """A message photo, only for the two people of its conversation (anyone else: None)."""
    if not user.is_authenticated:
        return None
    return (
        MessagePhoto.objects.filter(key=key)
        .filter(
            Q(message__conversation__customer=user) | Q(message__conversation__provider__user=user)
        )
        .first()
    )

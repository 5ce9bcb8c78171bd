"""The reads of the chat app, shared by pages and the live socket.

`messages_after` returns `MessageView`s whose `payload()` is the one shape a message has
everywhere: rendered in the page (chat/_message.html), embedded as JSON for the live script,
and sent over the socket. Bodies are plain text (escaped by whoever renders them) and masked
(chat.masking) until a booking between the two is confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from jobs.models import JobRequest, Quote
from listings.models import Service
from marketplace.params import MAX_ID, parse_id
from marketplace.times import clock

from .masking import Masked, contact_details_mask
from .models import Block, Conversation, Message, MessagePhoto
from .rules import About, Role, about_belongs, role_of
from .text import search_clean

# The most messages one read returns (a client asking for more gets them in turns).
MESSAGES_MAX = 500

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
    """2 Dec, 12:30 pm: the site's clock (marketplace.times), in the conversation's city."""
    local = timezone.localtime(moment, zone)
    return f"{local.day} {local:%b}, {clock(local)}"


def about_chip(about: About, role: Role | None) -> dict:
    """The chip of what a message is about, linking to the viewer's own page of it."""
    provider = role == Role.PROVIDER
    if isinstance(about, Quote):
        job = about.job
        url = reverse("portal_job_detail" if provider else "job_detail", kwargs={"pk": job.pk})
        return {"kind": "quote", "label": f"Quote: {job.title}", "url": url}
    if isinstance(about, JobRequest):
        url = reverse("portal_job_detail" if provider else "job_detail", kwargs={"pk": about.pk})
        return {"kind": "job", "label": f"Job: {about.title}", "url": url}
    if isinstance(about, Booking):
        when = time_label(about.start, about.zone)
        return {
            "kind": "booking",
            "label": f"Booking: {about.service.title}, {when}",
            "url": about.get_absolute_url(),
        }
    return {
        "kind": "listing",
        "label": f"Listing: {about.title}",
        "url": about.get_absolute_url(),
    }


def message_about(message: Message) -> About | None:
    """What the message was sent from (the most specific one when several are set)."""
    return message.quote or message.job or message.booking or message.service


def _context(message: Message, role: Role) -> dict | None:
    about = message_about(message)
    return about_chip(about, role) if about is not None else None


_ABOUT_KINDS: dict[str, type] = {
    "listing": Service,
    "booking": Booking,
    "job": JobRequest,
    "quote": Quote,
}


def about_token(about: About) -> str:
    """How a page names `about` in a link or a form field: "booking:12"."""
    kind = next(kind for kind, model in _ABOUT_KINDS.items() if isinstance(about, model))
    return f"{kind}:{about.pk}"


def about_lookup(token: str | None) -> About | None:
    """The Service, Booking, JobRequest or Quote a token names, or None for anything else.
    Whose it is, is for chat.rules to decide."""
    kind, _, raw_pk = (token or "").partition(":")
    model = _ABOUT_KINDS.get(kind)
    pk = parse_id(raw_pk)
    if model is None or pk is None:
        return None
    related = {
        Service: ("provider",),
        Booking: ("service__city",),
        JobRequest: (),
        Quote: ("job",),
    }[model]
    return model.objects.select_related(*related).filter(pk=pk).first()


def about_for_conversation(*, conversation: Conversation, token: str | None) -> About | None:
    """The thing a token names when it is between the conversation's two people, else None."""
    about = about_lookup(token)
    if about is None or not about_belongs(
        about=about, customer=conversation.customer, provider=conversation.provider
    ):
        return None
    return about


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
            # Someone else's message can be reported to the moderators.
            "report_url": None
            if self.mine
            else reverse(
                "chat_report",
                kwargs={"pk": message.conversation_id, "message_pk": message.pk},
            ),
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
    `limit` (and MESSAGES_MAX); three queries whatever the number: the messages with their
    context, their photos, whether a booking between the two is confirmed."""
    if role_of(conversation=conversation, user=viewer) is None:
        return []
    messages = list(
        Message.objects.filter(conversation=conversation, seq__gt=max(0, after_seq))
        .select_related("sender", "service", "booking__service__city", "job", "quote__job")
        .prefetch_related(Prefetch("photos", queryset=MessagePhoto.objects.order_by("position")))
        .order_by("seq")[: max(0, min(limit, MESSAGES_MAX))]
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


@dataclass
class InboxRow:
    conversation: Conversation
    viewer: User
    role: Role
    other_name: str
    preview: str  # masked unless contact details are shared; escaped by the template
    hidden: bool  # something in the preview was masked (the page says why)
    unread: int
    when: str  # the last message's time, in the conversation's city

    @property
    def other_user(self) -> User:
        return other_user(conversation=self.conversation, user=self.viewer)


def _confirmed_between() -> Exists:
    return Exists(
        Booking.objects.filter(
            customer_id=OuterRef("customer_id"),
            provider_id=OuterRef("provider_id"),
            status__in=CONFIRMED,
        )
    )


def _preview(body: str | None, has_photo: bool, shared: bool) -> Masked:
    if not body:
        return Masked(text="Sent a photo" if has_photo else "", hidden=False)
    return Masked(text=body, hidden=False) if shared else contact_details_mask(body)


def _inbox_row(conversation: Conversation, user: User) -> InboxRow:
    role = role_of(conversation=conversation, user=user)
    read = (
        conversation.customer_read_seq if role == Role.CUSTOMER else conversation.provider_read_seq
    )
    preview = _preview(conversation.last_body, conversation.last_has_photo, conversation.shared)
    return InboxRow(
        conversation=conversation,
        viewer=user,
        role=role,
        other_name=other_name(conversation=conversation, role=role),
        preview=preview.text,
        hidden=preview.hidden,
        unread=conversation.last_seq - read,
        when=time_label(conversation.last_message_at, conversation_zone(conversation))
        if conversation.last_message_at
        else "",
    )


def conversation_inbox(
    *, user: User, query: str = "", offset: int = 0, limit: int = 20
) -> list[InboxRow]:
    """The user's conversations that have messages, newest first, with the other person's
    name, the last message (masked) and the unread count; rows from `offset`, at most `limit`.
    `query` narrows to the other person's name. One query whatever the number of rows."""
    last = Message.objects.filter(conversation=OuterRef("pk"), seq=OuterRef("last_seq"))
    rows = (
        Conversation.objects.filter(_participant(user), last_message_at__isnull=False)
        .select_related("customer", "provider__user", "provider__base_city")
        .annotate(
            last_body=Subquery(last.values("body")[:1]),
            last_has_photo=Exists(
                MessagePhoto.objects.filter(
                    message__conversation=OuterRef("pk"), message__seq=OuterRef("last_seq")
                )
            ),
            shared=_confirmed_between(),
        )
        .order_by("-last_message_at", "-id")
    )
    query = search_clean(query)
    if query:
        rows = rows.filter(
            Q(customer=user, provider__business_name__icontains=query)
            | Q(provider__user=user, customer__name__icontains=query)
        )
    return [_inbox_row(conversation, user) for conversation in rows[offset : offset + limit]]


def other_user(*, conversation: Conversation, user: User) -> User:
    """The other person of the conversation, as seen by `user` (a participant)."""
    if role_of(conversation=conversation, user=user) == Role.PROVIDER:
        return conversation.customer
    return conversation.provider.user


def other_name(*, conversation: Conversation, role: Role | None) -> str:
    if role == Role.PROVIDER:
        return conversation.customer.name or "A customer"
    return conversation.provider.business_name


@dataclass(frozen=True)
class Blocks:
    mine: bool  # the user blocked the other
    theirs: bool  # the other blocked the user


def blocks_between(*, user: User, other: User) -> Blocks:
    """Which way blocks stand between two people (one query)."""
    pairs = set(
        Block.objects.filter(
            Q(blocker=user, blocked=other) | Q(blocker=other, blocked=user)
        ).values_list("blocker_id", flat=True)
    )
    return Blocks(mine=user.pk in pairs, theirs=other.pk in pairs)


def message_in(*, conversation: Conversation, pk: int) -> Message | None:
    if not 0 < pk <= MAX_ID:
        return None
    return (
        Message.objects.filter(conversation=conversation, pk=pk)
        .select_related("sender", "service", "booking__service__city", "job", "quote__job")
        .first()
    )


def message_payload_for_broadcast(message: Message) -> dict:
    """The part of `MessageView.payload()` that is the same for every viewer, built once when the
    message is committed so the open sockets need not read it back (chat.events sends it).

    The viewer's own parts are left to `viewer_payload`: `mine` and `report_url` from
    `sender_id`, and the context chip from `contexts` (each side links to its own page).
    Masking is one decision for both people, taken now: a booking confirmed later shows new
    messages unmasked, and the older ones unmasked on the next read from the database.
    Two queries: the conversation with its provider, city and whether a booking is confirmed
    (left on `message.conversation`), and the photos (the sender and what it is about came
    with the saved message)."""
    conversation = (
        Conversation.objects.select_related("provider__base_city")
        .annotate(shared=_confirmed_between())
        .get(pk=message.conversation_id)
    )
    # The caller (chat.events) finds the recipient on it: the row just read serves both.
    message.conversation = conversation
    sender = message.sender  # the sender's row came with the message when it was saved
    masked = contact_details_mask(message.body)
    about = message_about(message)
    photos = MessagePhoto.objects.filter(message_id=message.pk).order_by("position")
    return {
        "seq": message.seq,
        "id": message.pk,
        "sender_id": message.sender_id,
        "sender_name": sender.name or sender.get_short_name(),
        "body": message.body if conversation.shared else masked.text,
        "hidden": not conversation.shared and masked.hidden,
        "created_at": message.created_at.isoformat(),
        "created_label": time_label(message.created_at, conversation_zone(conversation)),
        "photos": [photo_urls(photo) for photo in photos],
        "contexts": {
            role.value: about_chip(about, role) if about is not None else None for role in Role
        },
    }


def viewer_payload(broadcast: dict, *, conversation_id: int, viewer_id: int, role: Role) -> dict:
    """`message_payload_for_broadcast` as `viewer_id` (on side `role`) sees it: the same dict
    `MessageView.payload()` gives, with no query."""
    payload = {
        key: value for key, value in broadcast.items() if key not in ("sender_id", "contexts")
    }
    mine = broadcast["sender_id"] == viewer_id
    payload["mine"] = mine
    payload["context"] = broadcast["contexts"][role.value]
    payload["report_url"] = (
        None
        if mine
        else reverse("chat_report", kwargs={"pk": conversation_id, "message_pk": broadcast["id"]})
    )
    return payload

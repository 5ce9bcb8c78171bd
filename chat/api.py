"""The chat API: the inbox, opening a conversation, its messages (newest first, paged
backwards by seq), sending, and marking read.

Thin, as the pages are: chat.selectors scopes every conversation to its two people (anyone
else gets a 404), MessageView.payload() is the one shape of a message (the page, the socket
and this API share it), and chat.services decides (blocks, suspensions, the rate limit),
raising the errors marketplace.api maps.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ProviderProfile, User
from marketplace.api import validated
from marketplace.params import MAX_ID

from . import selectors, services
from .models import MESSAGE_MAX_LENGTH, MESSAGE_MAX_PHOTOS, Conversation

INBOX_PAGE_SIZE = 20
INBOX_MAX_PAGE = 10_000
MESSAGES_PAGE_SIZE = 50
MESSAGES_MAX_PAGE_SIZE = 100
SEQ_MAX = 2**31 - 1
ABOUT_MAX_LENGTH = 40
QUERY_MAX_LENGTH = 100


# --- output ------------------------------------------------------------------------------


class InboxRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="conversation.pk")
    role = serializers.CharField()
    other_name = serializers.CharField()
    preview = serializers.CharField()
    hidden = serializers.BooleanField(help_text="Contact details in the preview were masked.")
    unread = serializers.IntegerField()
    last_message_at = serializers.DateTimeField(source="conversation.last_message_at")
    when = serializers.CharField(help_text="The last message's time, in the conversation's city.")


class InboxPageSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InboxRowSerializer(many=True)


class ConversationSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.business_name")
    customer_name = serializers.CharField(source="customer.name")

    class Meta:
        model = Conversation
        fields = [
            "id",
            "customer",
            "customer_name",
            "provider",
            "provider_name",
            "last_seq",
            "last_message_at",
        ]
        read_only_fields = fields


class PhotoUrlsSerializer(serializers.Serializer):
    thumb_url = serializers.CharField()
    full_url = serializers.CharField()


class MessagePayloadSerializer(serializers.Serializer):
    """Documents chat.selectors.MessageView.payload(), the shape returned as it is."""

    seq = serializers.IntegerField()
    id = serializers.IntegerField()
    mine = serializers.BooleanField()
    sender_name = serializers.CharField()
    body = serializers.CharField(help_text="Masked until a booking between the two is confirmed.")
    hidden = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    created_label = serializers.CharField()
    photos = PhotoUrlsSerializer(many=True)
    context = serializers.DictField(allow_null=True)
    report_url = serializers.CharField(allow_null=True)


class MessagePageSerializer(serializers.Serializer):
    next = serializers.URLField(
        allow_null=True, help_text="The older messages (`before` the oldest shown)."
    )
    other_read_seq = serializers.IntegerField(help_text="How far the other person has read.")
    results = MessagePayloadSerializer(many=True)


class ReadStateSerializer(serializers.Serializer):
    read_seq = serializers.IntegerField()


# --- input -------------------------------------------------------------------------------


class InboxQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(
        min_value=1, max_value=INBOX_MAX_PAGE, required=False, default=1
    )
    q = serializers.CharField(
        max_length=QUERY_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class OpenInputSerializer(serializers.Serializer):
    provider = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )
    customer = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )
    about = serializers.CharField(
        max_length=ABOUT_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text='What it is about, as the pages name it: "listing:12", "booking:3", '
        '"job:7" or "quote:9".',
    )


class MessagesQuerySerializer(serializers.Serializer):
    before = serializers.IntegerField(min_value=1, max_value=SEQ_MAX, required=False)
    page_size = serializers.IntegerField(
        min_value=1, max_value=MESSAGES_MAX_PAGE_SIZE, required=False, default=MESSAGES_PAGE_SIZE
    )


class MessageInputSerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default="",
    )
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        max_length=MESSAGE_MAX_PHOTOS,
        required=False,
        default=list,
    )
    about = serializers.CharField(
        max_length=ABOUT_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class ReadInputSerializer(serializers.Serializer):
    up_to_seq = serializers.IntegerField(
        min_value=0,
        max_value=SEQ_MAX,
        required=False,
        help_text="Read up to this message (the last one when left out).",
    )


def _conversation(request: Request, pk: int) -> Conversation:
    conversation = selectors.conversation_for_participant(user=request.user, pk=pk)
    if conversation is None:
        raise Http404("No such conversation.")
    return conversation


def _url(request: Request, **params) -> str:
    query = request.query_params.copy()
    for name, value in params.items():
        query[name] = str(value)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


# --- views -------------------------------------------------------------------------------


class ConversationListView(APIView):
    """The signed-in user's inbox (GET) and opening a conversation (POST), as the inbox and
    the "Message" buttons do."""

    @extend_schema(
        operation_id="conversations_list",
        parameters=[InboxQuerySerializer],
        responses={200: InboxPageSerializer},
    )
    def get(self, request: Request) -> Response:
        query = validated(InboxQuerySerializer, request.query_params)
        page = query["page"]
        rows = selectors.conversation_inbox(
            user=request.user,
            query=query["q"],
            offset=(page - 1) * INBOX_PAGE_SIZE,
            limit=INBOX_PAGE_SIZE + 1,
        )
        body = {
            "page": page,
            "next": _url(request, page=page + 1) if len(rows) > INBOX_PAGE_SIZE else None,
            "previous": _url(request, page=page - 1) if page > 1 else None,
            "results": rows[:INBOX_PAGE_SIZE],
        }
        return Response(InboxPageSerializer(body).data)

    @extend_schema(
        operation_id="conversations_create",
        request=OpenInputSerializer,
        responses={200: ConversationSerializer},
        description="A customer opens one with a `provider` (profile id), a provider with a "
        "`customer` (user id); the one conversation between the two, created when new.",
    )
    def post(self, request: Request) -> Response:
        data = validated(OpenInputSerializer, request.data)
        provider_pk, customer_pk = data.get("provider"), data.get("customer")
        if (provider_pk is None) == (customer_pk is None):
            raise serializers.ValidationError("Say who to message: a provider or a customer.")
        provider = customer = None
        if provider_pk is not None:
            provider = get_object_or_404(ProviderProfile, pk=provider_pk)
        else:
            customer = get_object_or_404(User, pk=customer_pk, is_active=True)
        about = selectors.about_lookup(data["about"])
        if data["about"] and about is None:
            raise Http404("No such thing to message about.")
        conversation = services.conversation_open(
            user=request.user, provider=provider, customer=customer, about=about
        )
        conversation = selectors.conversation_for_participant(user=request.user, pk=conversation.pk)
        return Response(ConversationSerializer(conversation).data)


class MessageListView(APIView):
    """A conversation's messages, newest first, `page_size` at a time; `next` pages back
    (`before` = the oldest seq shown). Reading them does not mark them read: POST read/."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="conversations_messages_list",
        parameters=[MessagesQuerySerializer],
        responses={200: MessagePageSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        conversation = _conversation(request, pk)
        query = validated(MessagesQuerySerializer, request.query_params)
        before = query.get("before")
        last = conversation.last_seq if before is None else min(before - 1, conversation.last_seq)
        first = max(0, last - query["page_size"])
        views = selectors.messages_after(
            conversation=conversation, viewer=request.user, after_seq=first, limit=last - first
        )
        payloads = [view.payload() for view in reversed(views)]
        state = selectors.read_state(conversation=conversation, viewer=request.user)
        body = {
            "next": _url(request, before=payloads[-1]["seq"]) if payloads and first > 0 else None,
            "other_read_seq": state["other_read_seq"],
            "results": payloads,
        }
        return Response(body)

    @extend_schema(
        operation_id="conversations_messages_create",
        request={
            "application/json": MessageInputSerializer,
            "multipart/form-data": MessageInputSerializer,
        },
        responses={201: MessagePayloadSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        conversation = _conversation(request, pk)
        data = validated(MessageInputSerializer, request.data)
        about = selectors.about_for_conversation(conversation=conversation, token=data["about"])
        message = services.message_send(
            conversation=conversation,
            sender=request.user,
            body=data["body"],
            photos=data["photos"],
            about=about,
        )
        view = selectors.message_views(
            conversation=conversation, viewer=request.user, messages=[message]
        )[0]
        return Response(view.payload(), status=status.HTTP_201_CREATED)


class ConversationReadView(APIView):
    """Mark the conversation read up to a message (the last one by default)."""

    @extend_schema(
        operation_id="conversations_read_create",
        request=ReadInputSerializer,
        responses={200: ReadStateSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        conversation = _conversation(request, pk)
        data = validated(ReadInputSerializer, request.data)
        seq = services.conversation_mark_read(
            conversation=conversation,
            reader=request.user,
            up_to_seq=data.get("up_to_seq", conversation.last_seq),
        )
        return Response({"read_seq": seq})

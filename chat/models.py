"""Conversations between one customer and one provider, their messages, photos, blocks and
reports. Every write goes through chat/services.py.

A message's `seq` counts 1, 2, 3... within its conversation, assigned under a row lock on the
conversation (`Conversation.last_seq`): a client that reconnects asks for what came after the
last seq it has, and read positions (`customer_read_seq`, `provider_read_seq`) are seqs too, so
unread counts are a subtraction, not a count over messages.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from marketplace.storage import private_storage

MESSAGE_MAX_LENGTH = 4000
MESSAGE_MAX_PHOTOS = 4
REPORT_REASON_MAX_LENGTH = 500


def _photo_path(instance: "MessagePhoto", filename: str) -> str:
    # The storage name is never shown: pages link the participant-checked view by `key`.
    return f"chat/{uuid.uuid4().hex}.jpg"


class Conversation(models.Model):
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    provider = models.ForeignKey(
        "accounts.ProviderProfile", on_delete=models.CASCADE, related_name="conversations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_seq = models.PositiveIntegerField(default=0)
    customer_read_seq = models.PositiveIntegerField(default=0)
    provider_read_seq = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "provider"], name="chat_one_per_pair"),
        ]
        indexes = [
            models.Index(fields=["customer", "-last_message_at"], name="chat_customer_inbox_idx"),
            models.Index(fields=["provider", "-last_message_at"], name="chat_provider_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk}: {self.customer_id} x {self.provider_id}"

    def get_absolute_url(self) -> str:
        return reverse("chat_conversation", kwargs={"pk": self.pk})


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveIntegerField()
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages"
    )
    # Plain text, stored as typed (masking happens when it is shown, so acceptance reveals it).
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH, blank=True)
    service = models.ForeignKey(
        "listings.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    job = models.ForeignKey(
        "jobs.JobRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    quote = models.ForeignKey(
        "jobs.Quote", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="chat_message_seq"),
        ]
        # The database fallback of the per-user rate limit counts a sender's recent messages.
        indexes = [models.Index(fields=["sender", "-created_at"], name="chat_sender_recent_idx")]

    def __str__(self) -> str:
        return f"Message {self.conversation_id}#{self.seq}"


class MessagePhoto(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="photos")
    # What URLs name (never the storage path): a random uuid, so a photo cannot be guessed.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    image = models.ImageField(upload_to=_photo_path, storage=private_storage)
    thumbnail = models.ImageField(upload_to=_photo_path, storage=private_storage)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["message", "position", "id"]

    def __str__(self) -> str:
        return f"Photo {self.key} of message {self.message_id}"


class Block(models.Model):
    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="chat_block_once"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="chat_block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class MessageReport(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        ACTIONED = "actioned", "Actioned"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_reports"
    )
    reason = models.TextField(max_length=REPORT_REASON_MAX_LENGTH)
    status = models.CharField(max_length=9, choices=Status, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open report per person and message: reporting twice changes nothing.
            models.UniqueConstraint(
                fields=["message", "reporter"],
                condition=models.Q(status="open"),
                name="chat_report_open_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} on message {self.message_id}"


class UnreadEmail(models.Model):
    """How far one person of a conversation has been emailed about unread messages
    (chat.notifications): one email per stretch of unread messages, not one per message."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The conversation's last seq when they were last emailed (0: never).
    notified_seq = models.PositiveIntegerField(default=0)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "recipient"], name="chat_unread_email_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Unread email {self.conversation_id} to {self.recipient_id}: {self.notified_seq}"

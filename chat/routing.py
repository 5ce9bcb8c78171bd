"""The chat app's websocket routes (marketplace.asgi mounts them)."""

from django.urls import path

from .consumers import ChatConsumer, HeaderConsumer

websocket_urlpatterns = [
    path("ws/chat/<int:conversation_id>/", ChatConsumer.as_asgi()),
    # The header's live counts: notifications, and the chat app's unread messages.
    path("ws/notifications/", HeaderConsumer.as_asgi()),
]

"""The chat API (views in chat/api.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("conversations/", api.ConversationListView.as_view(), name="api_conversations"),
    path(
        "conversations/<int:pk>/messages/",
        api.MessageListView.as_view(),
        name="api_conversation_messages",
    ),
    path(
        "conversations/<int:pk>/read/",
        api.ConversationReadView.as_view(),
        name="api_conversation_read",
    ),
]

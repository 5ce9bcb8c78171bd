"""Message photos on local disk are never served as plain media files: only the
participant-checked views (chat_photo, chat_photo_thumb) read them. Included under MEDIA_URL
before the catch-all file server."""

from django.urls import path

from . import views

urlpatterns = [
    path("chat/<path:name>", views.media_refused),
]

"""Review photos on local disk are never served as plain media files: only the checked views
(review_photo, review_photo_thumb) read them, so a hidden review's photos are hidden too.
Included under MEDIA_URL before the catch-all file server."""

from django.urls import path

from . import views

urlpatterns = [
    path("reviews/<path:name>", views.media_refused),
]

"""Case photos on local disk are never served as plain media files: only the checked views
(case_photo, case_photo_thumb) read them, for the case's parties and the moderators.
Included under MEDIA_URL before the catch-all file server."""

from django.urls import path

from . import views

urlpatterns = [
    path("support/<path:name>", views.media_refused),
]

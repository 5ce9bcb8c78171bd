"""A listing's uploaded photos, included under MEDIA_URL when the site serves its own files."""

from django.urls import path

from . import views

urlpatterns = [
    path("services/<int:service_id>/<path:name>", views.service_photo_file),
]

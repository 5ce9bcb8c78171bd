"""The provider portal's listing pages, included at /portal/listings/."""

from django.urls import path

from . import portal_views as views

urlpatterns = [
    path("", views.portal_service_list, name="portal_service_list"),
    path("new/", views.portal_service_create, name="portal_service_create"),
    path("attributes/", views.portal_service_attributes, name="portal_service_attributes"),
    path("<int:pk>/edit/", views.portal_service_edit, name="portal_service_edit"),
    path("<int:pk>/status/", views.portal_service_status, name="portal_service_status"),
    path("<int:pk>/delete/", views.portal_service_delete, name="portal_service_delete"),
    path("<int:pk>/photos/", views.portal_service_photos, name="portal_service_photos"),
    path(
        "<int:pk>/photos/<int:photo_pk>/move/",
        views.portal_service_photo_move,
        name="portal_service_photo_move",
    ),
    path(
        "<int:pk>/photos/<int:photo_pk>/delete/",
        views.portal_service_photo_delete,
        name="portal_service_photo_delete",
    ),
]

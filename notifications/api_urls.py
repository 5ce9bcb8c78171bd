"""The notifications API (views in notifications/api.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("notifications/", api.NotificationList.as_view(), name="api_notifications"),
    path(
        "notifications/read-all/",
        api.NotificationsReadAll.as_view(),
        name="api_notifications_read_all",
    ),
    path(
        "notifications/<int:pk>/read/", api.NotificationRead.as_view(), name="api_notification_read"
    ),
]

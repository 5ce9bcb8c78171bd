"""The notifications API: the signed-in person's notifications, newest first, and marking
them read (the services the notification pages use)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import CursorPagination
from marketplace.params import MAX_ID

from . import selectors, services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.BooleanField(source="is_unread")

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "unread"]
        read_only_fields = fields


class NewestFirst(CursorPagination):
    # The list page's order (and its index: recipient, -created_at, -id).
    ordering = ("-created_at", "-id")


class NotificationList(generics.ListAPIView):
    """The signed-in person's notifications, newest first (cursor pages)."""

    serializer_class = NotificationSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no one signed in
            return Notification.objects.none()
        return selectors.notifications_for(user=self.request.user)


class NotificationRead(APIView):
    """Mark one of the signed-in person's notifications read; another's is not found."""

    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request, pk: int):
        notification = None
        if pk <= MAX_ID:
            notification = services.notification_open(user=request.user, notification_id=pk)
        if notification is None:
            raise Http404("No such notification.")
        return Response(NotificationSerializer(notification).data)


class NotificationsReadAll(APIView):
    """Mark every unread notification of the signed-in person read."""

    @extend_schema(
        request=None,
        responses=inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()}),
    )
    def post(self, request):
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})

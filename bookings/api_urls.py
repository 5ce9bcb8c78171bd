"""The bookings API under /api/ (marketplace.api_urls includes it)."""

from django.urls import path

from . import api

urlpatterns = [
    path("bookings/", api.BookingListView.as_view(), name="api_booking_list"),
    path("bookings/slots/", api.SlotsView.as_view(), name="api_booking_slots"),
    path("bookings/<int:pk>/", api.BookingDetailView.as_view(), name="api_booking_detail"),
    path(
        "bookings/<int:pk>/cancellation/",
        api.CancellationView.as_view(),
        name="api_booking_cancellation",
    ),
    path("bookings/<int:pk>/accept/", api.AcceptView.as_view(), name="api_booking_accept"),
    path("bookings/<int:pk>/decline/", api.DeclineView.as_view(), name="api_booking_decline"),
    path("bookings/<int:pk>/cancel/", api.CancelView.as_view(), name="api_booking_cancel"),
    path(
        "bookings/<int:pk>/reschedule/", api.RescheduleView.as_view(), name="api_booking_reschedule"
    ),
    path(
        "bookings/<int:pk>/reschedule/accept/",
        api.RescheduleAcceptView.as_view(),
        name="api_booking_reschedule_accept",
    ),
    path(
        "bookings/<int:pk>/reschedule/decline/",
        api.RescheduleDeclineView.as_view(),
        name="api_booking_reschedule_decline",
    ),
    path("bookings/<int:pk>/complete/", api.CompleteView.as_view(), name="api_booking_complete"),
]

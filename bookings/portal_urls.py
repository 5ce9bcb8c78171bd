"""The provider portal's booking pages, included at /portal/bookings/."""

from django.urls import path

from . import portal_views as views

urlpatterns = [
    path("", views.portal_booking_list, name="portal_booking_list"),
    path("calendar/", views.portal_booking_calendar, name="portal_booking_calendar"),
    path("availability/", views.portal_availability, name="portal_availability"),
    path(
        "availability/hours/<int:pk>/delete/",
        views.portal_weekly_hours_delete,
        name="portal_weekly_hours_delete",
    ),
    path(
        "availability/exceptions/<int:pk>/delete/",
        views.portal_exception_delete,
        name="portal_exception_delete",
    ),
]

"""A signed-in person's bookings, included at /bookings/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.booking_list, name="booking_list"),
    path("new/<int:service_pk>/", views.booking_new, name="booking_new"),
    path("<int:pk>/", views.booking_detail, name="booking_detail"),
    path("<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("<int:pk>/reschedule/", views.booking_reschedule, name="booking_reschedule"),
    path("<int:pk>/<slug:action>/", views.booking_action, name="booking_action"),
]

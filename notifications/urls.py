from django.urls import path

from . import views

urlpatterns = [
    path("", views.notifications_list, name="notifications_list"),
    path("<int:pk>/open/", views.notification_open, name="notification_open"),
    path("read-all/", views.notifications_mark_all_read, name="notifications_mark_all_read"),
]

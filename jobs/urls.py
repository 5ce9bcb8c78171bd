"""A customer's posted jobs, included at /jobs/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("new/", views.job_new, name="job_new"),
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/withdraw/", views.job_withdraw, name="job_withdraw"),
    path("<int:pk>/quotes/<int:quote_pk>/accept/", views.quote_accept, name="quote_accept"),
    path(
        "<int:pk>/quotes/<int:quote_pk>/ask/", views.quote_ask_new_time, name="quote_ask_new_time"
    ),
]

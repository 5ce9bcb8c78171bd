"""The provider portal's job pages, included at /portal/jobs/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.portal_job_list, name="portal_job_list"),
    path("quotes/", views.portal_quote_list, name="portal_quote_list"),
    path(
        "quotes/<int:quote_pk>/withdraw/",
        views.portal_quote_withdraw,
        name="portal_quote_withdraw",
    ),
    path("quotes/<int:quote_pk>/revise/", views.portal_quote_revise, name="portal_quote_revise"),
    path("<int:pk>/", views.portal_job_detail, name="portal_job_detail"),
]

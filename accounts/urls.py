"""A person's own account pages, included at /accounts/ (beside allauth's)."""

from django.urls import path

from . import views

urlpatterns = [
    path("profile/", views.account_details, name="account_details"),
    path("profile/photo/", views.account_avatar, name="account_avatar"),
]

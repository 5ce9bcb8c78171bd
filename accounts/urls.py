from django.urls import path

from . import views

account_patterns = [
    path("profile/", views.account_details, name="account_details"),
    path("profile/photo/", views.account_avatar, name="account_avatar"),
]

portal_patterns = [
    path("", views.portal_home, name="portal_home"),
    path("onboarding/", views.portal_onboarding, name="portal_onboarding"),
    path("profile/", views.portal_profile_edit, name="portal_profile_edit"),
]

"""The provider portal's home, onboarding and profile, included at /portal/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.portal_home, name="portal_home"),
    path("onboarding/", views.portal_onboarding, name="portal_onboarding"),
    path("profile/", views.portal_profile_edit, name="portal_profile_edit"),
    path("profile/logo/", views.portal_profile_logo, name="portal_profile_logo"),
]

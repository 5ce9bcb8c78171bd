"""The accounts API (views in accounts/api.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("auth/signup/", api.SignupView.as_view(), name="api_signup"),
    path("auth/verify-email/", api.VerifyEmailView.as_view(), name="api_verify_email"),
    path("auth/token/", api.TokenView.as_view(), name="api_token"),
    path("auth/token/refresh/", api.TokenRefresh.as_view(), name="api_token_refresh"),
    path("auth/logout/", api.LogoutView.as_view(), name="api_logout"),
    path("auth/password/change/", api.PasswordChangeView.as_view(), name="api_password_change"),
    path("auth/password/reset/", api.PasswordResetView.as_view(), name="api_password_reset"),
    path(
        "auth/password/reset/confirm/",
        api.PasswordResetConfirmView.as_view(),
        name="api_password_reset_confirm",
    ),
    path("users/me/", api.MeView.as_view(), name="api_me"),
    path("users/me/avatar/", api.MeAvatarView.as_view(), name="api_me_avatar"),
    path("providers/<slug:slug>/", api.ProviderPublicView.as_view(), name="api_provider"),
]

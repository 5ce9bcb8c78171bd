from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from .selectors import user_needs_onboarding


class AccountAdapter(DefaultAccountAdapter):
    """Sends people who signed up to offer services on to onboarding until they have a profile."""

    def _onboarding_or(self, request, default: str) -> str:
        if user_needs_onboarding(user=request.user):
            return reverse("portal_onboarding")
        return default

    def get_login_redirect_url(self, request) -> str:
        return self._onboarding_or(request, super().get_login_redirect_url(request))

    def get_signup_redirect_url(self, request) -> str:
        return self._onboarding_or(request, super().get_signup_redirect_url(request))

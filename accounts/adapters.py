from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from .selectors import user_needs_onboarding


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request) -> str:
        if user_needs_onboarding(user=request.user):
            return reverse("portal_onboarding")
        return super().get_login_redirect_url(request)

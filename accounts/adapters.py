from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from marketplace.client_address import client_ip

from .selectors import user_needs_onboarding

# Where the sign-in keeps a suspended account's reason for the inactive page to show.
SUSPENSION_REASON_SESSION_KEY = "account_suspension_reason"


class AccountAdapter(DefaultAccountAdapter):
    """Sends people who signed up to offer services on to onboarding until they have a profile,
    and gives allauth (its rate limits above all) the client's address as the site reads it."""

    def get_client_ip(self, request) -> str:
        address = client_ip(request)
        if address is None:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        """allauth calls this after a completed password reset to clear the failed sign-ins
        counted for that email. We count none per email (settings: ACCOUNT_RATE_LIMITS), only
        per address, and one account's reset must not clear its address's count: that would
        buy an address more guesses at everyone else's passwords. So nothing is cleared."""

    def _onboarding_or(self, request, default: str) -> str:
        if user_needs_onboarding(user=request.user):
            return reverse("portal_onboarding")
        return default

    def get_login_redirect_url(self, request) -> str:
        return self._onboarding_or(request, super().get_login_redirect_url(request))

    def get_signup_redirect_url(self, request) -> str:
        return self._onboarding_or(request, super().get_signup_redirect_url(request))

    def respond_user_inactive(self, request, user):
        """The inactive page says why a suspended account cannot sign in; only someone who
        has just given its password gets here, so the moderator's reason is theirs to read."""
        if user.suspended_at is not None:
            request.session[SUSPENSION_REASON_SESSION_KEY] = user.suspension_reason
        return super().respond_user_inactive(request, user)

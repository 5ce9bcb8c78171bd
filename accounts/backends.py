"""The first authentication backend: django-axes' check of the (account, address) lock."""

from axes.backends import AxesStandaloneBackend


class SignInThrottleBackend(AxesStandaloneBackend):
    """Refuses a locked (account, address) pair before any password is checked.

    A call without a request (a management command, the test client's `login()`) comes from no
    address, so there is no pair to count: it is let through to the next backend instead of
    raising, as django-axes' own backend does. Every sign-in over HTTP passes its request
    (allauth's forms, which the admin's login also uses, and DRF's authentication)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

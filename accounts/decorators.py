"""View decorators every app's pages use for who may open them."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .selectors import provider_profile_for_user

ProviderView = Callable[..., HttpResponse]


def provider_required(view: ProviderView) -> ProviderView:
    """Signed in (else the login page) with a provider profile (else onboarding); the view
    receives the profile after the request."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        provider = provider_profile_for_user(user=request.user)
        if provider is None:
            messages.info(request, "Set up your provider profile first, then add your listings.")
            return redirect("portal_onboarding")
        request.user.provider_profile = provider  # so the header asks no second time
        return view(request, provider, *args, **kwargs)

    return wrapper

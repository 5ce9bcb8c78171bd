from django.http import HttpRequest

from .selectors import user_needs_onboarding


def onboarding(request: HttpRequest) -> dict:
    """`needs_onboarding`, asked only by the pages that show the prompt (a lazy callable)."""
    return {"needs_onboarding": lambda: user_needs_onboarding(user=request.user)}

from django.conf import settings
from django.http import HttpRequest

from accounts.selectors import user_needs_onboarding


def site(request: HttpRequest) -> dict:
    return {
        "SITE_NAME": "Nearhand",
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "needs_onboarding": lambda: user_needs_onboarding(user=request.user),
    }

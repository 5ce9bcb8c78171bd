from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """Site-wide settings that pages show (each from its one source in settings)."""
    return {
        "SITE_NAME": "Nearhand",
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "booking_request_expiry_hours": settings.BOOKING_REQUEST_EXPIRY_HOURS,
    }

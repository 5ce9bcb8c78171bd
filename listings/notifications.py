"""What providers are told about their listings (the wording; notifications delivers it)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse

from .models import Service


def draft_expiring_message(*, service: Service, removal_after: datetime, idle_days: int) -> dict:
    """The notice that an untouched draft will be removed unless its provider edits it, as the
    arguments of notifications.services.notify."""
    when = removal_after.astimezone(ZoneInfo(service.city.timezone))
    return {
        "recipient": service.provider.user,
        "kind": "draft_listing_expiring",
        "title": f"Your draft listing “{service.title}” will be removed",
        "body": (
            f"You started the listing “{service.title}” but have not changed it in "
            f"{idle_days} days, and it has never been published. We will remove it after "
            f"{when:%a %-d %b %Y}. To keep it, edit it (or publish it) before then."
        ),
        "url": reverse("portal_service_edit", kwargs={"pk": service.pk}),
    }

"""What providers are told about their account (the wording; notifications delivers it)."""

from django.urls import reverse

from .models import ProviderProfile


def insurance_expiring_message(*, profile: ProviderProfile, days_left: int) -> dict:
    """The in-app notification (and its email) warning that a policy expires soon, as the
    arguments of notifications.services.notify."""
    expires_on = profile.insurance_expires_on
    when = "tomorrow" if days_left == 1 else f"in {days_left} days"
    return {
        "recipient": profile.user,
        "kind": "insurance_expiring",
        "title": f"Your public liability insurance expires {when}",
        "body": (
            f"Your policy {profile.insurance_policy_number} with {profile.insurance_provider} "
            f'expires on {expires_on:%a %-d %b %Y}. On that day the "Insurance checked" badge '
            "comes off your listings. Add your renewed policy to your profile so our team can "
            "check it again."
        ),
        "url": reverse("portal_profile_edit"),
    }

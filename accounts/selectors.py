from .models import ProviderProfile, User


def provider_profile_for_user(*, user: User) -> ProviderProfile | None:
    if not user.is_authenticated:
        return None
    return ProviderProfile.objects.select_related("base_city", "user").filter(user=user).first()


def user_needs_onboarding(*, user: User) -> bool:
    """A person who chose "I offer services" at sign-up and has no provider profile yet."""
    return bool(user.is_authenticated and user.wants_to_offer_services and not user.is_provider)

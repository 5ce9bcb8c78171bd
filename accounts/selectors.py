from datetime import datetime

from allauth.account.models import EmailAddress
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from .models import ProviderProfile, User, insurance_badge_today

# The staff group moderation's migration creates: its members moderate from the admin.
MODERATOR_GROUP = "Moderators"


def provider_profile_for_user(*, user: User) -> ProviderProfile | None:
    if not user.is_authenticated:
        return None
    return ProviderProfile.objects.select_related("base_city", "user").filter(user=user).first()


def user_roles(*, user: User) -> list[str]:
    """The roles the API's access token claims: "provider" with a provider profile, else
    "customer"; "moderator" for the Moderators group; "admin" for a superuser."""
    roles = ["provider" if user.is_provider else "customer"]
    if user.groups.filter(name=MODERATOR_GROUP).exists():
        roles.append("moderator")
    if user.is_superuser:
        roles.append("admin")
    return roles


def provider_public_by_slug(*, slug: str) -> ProviderProfile | None:
    """An approved provider's public profile (pending, rejected and suspended ones are not
    public), with its city and person, for the API's provider page."""
    return (
        ProviderProfile.objects.filter(slug=slug, status=ProviderProfile.Status.APPROVED)
        .select_related("base_city", "user")
        .first()
    )


def user_needs_onboarding(*, user: User) -> bool:
    """A person who chose "I offer services" at sign-up and has no provider profile yet."""
    return bool(user.is_authenticated and user.wants_to_offer_services and not user.is_provider)


def sign_in_lock_ends_at(*, username: str | None, ip_address: str | None) -> datetime | None:
    """When the lock on an (account, address) pair lifts at the latest: a cool-off after its
    last counted failure (django-axes' records). None when it has no failures on record."""
    last = AccessAttempt.objects.filter(username=username, ip_address=ip_address).aggregate(
        last=Max("attempt_time")
    )["last"]
    return last + settings.AXES_COOLOFF_TIME if last else None


def provider_verified_q(*, prefix: str = "") -> Q:
    """`ProviderProfile.is_verified` as a query filter (licence checked, insurance checked and not
    expired), so a search filter counts a policy gone today even before the hourly task runs.
    `prefix` reaches the profile through a relation, e.g. "provider__"."""
    current = Q(**{f"{prefix}insurance_expires_on__isnull": True}) | Q(
        **{f"{prefix}insurance_expires_on__gt": insurance_badge_today()}
    )
    return Q(**{f"{prefix}licence_verified": True, f"{prefix}insurance_verified": True}) & current


def users_unverified_since(*, joined_before: datetime) -> QuerySet[User]:
    """Accounts that signed up (allauth recorded an address) before `joined_before`, never
    verified any address and have not signed in since: the clean-up's candidates. Staff,
    superusers and suspended accounts (a moderator's decision, with its trail) are never among
    them, nor accounts created without an address (the admin, commands, the demo seed)."""
    addresses = EmailAddress.objects.filter(user=OuterRef("pk"))
    return (
        User.objects.filter(
            Exists(addresses),
            ~Exists(addresses.filter(verified=True)),
            date_joined__lt=joined_before,
            is_staff=False,
            is_superuser=False,
            suspended_at__isnull=True,
        )
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=joined_before))
        .order_by("pk")
    )

"""Three accounts to sign in with on a development site, from `data/demo_accounts.yaml`.

The passwords are for development only.
"""

from allauth.account.models import EmailAddress
from django.contrib.gis.geos import Point
from django.db import transaction

from accounts.models import ProviderProfile, ProviderStatusEvent, User
from places.models import City

from .dataset import DemoAccount, demo_data


def _user(account: DemoAccount, **extra: object) -> tuple[User, bool]:
    user = User.objects.filter(email=account.email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(account.email, account.password, name=account.name, **extra)
    if not EmailAddress.objects.filter(user=user, email__iexact=account.email).exists():
        EmailAddress.objects.create(user=user, email=account.email, verified=True, primary=True)
    return user, created


def _demo_provider_profile(user: User, *, actor: User) -> bool:
    if ProviderProfile.objects.filter(user=user).exists():
        return False
    data = demo_data().demo_provider
    profile = ProviderProfile.objects.create(
        user=user,
        business_name=data.business_name,
        slug=data.slug,
        bio=data.bio,
        status=ProviderProfile.Status.APPROVED,
        base_city=City.objects.get(slug=data.city_slug),
        base_point=Point(data.longitude, data.latitude, srid=4326),
        service_radius_km=data.service_radius_km,
        licence_number=data.licence_number,
        insurance_provider=data.insurance_provider,
        insurance_policy_number=data.insurance_policy_number,
        insurance_expires_on=data.insurance_expires_on,
        licence_verified=data.licence_verified,
        insurance_verified=data.insurance_verified,
        approved_at=data.approved_at,
    )
    ProviderStatusEvent.objects.create(
        profile=profile,
        from_status=ProviderProfile.Status.PENDING,
        to_status=ProviderProfile.Status.APPROVED,
        actor=actor,
    )
    return True


@transaction.atomic
def demo_accounts_seed() -> tuple[User, int]:
    """Create whichever demo accounts are missing (existing ones are left alone, passwords too).

    Returns the admin account (the actor of demo moderation events) and how many were created.
    """
    data = demo_data()
    admin, admin_created = _user(data.account("admin"), is_staff=True, is_superuser=True)
    _customer, customer_created = _user(data.account("customer"))
    provider, provider_created = _user(
        data.account("provider"), phone=data.demo_provider.phone, wants_to_offer_services=True
    )
    _demo_provider_profile(provider, actor=admin)
    return admin, sum((admin_created, customer_created, provider_created))

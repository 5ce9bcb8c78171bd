"""Three accounts to sign in with on a development site. The passwords are for development only."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.gis.geos import Point
from django.db import transaction

from accounts.models import ProviderProfile, ProviderStatusEvent, User
from places.models import City

from .providers import DEMO_TODAY


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str
    name: str


ADMIN = DemoAccount("admin", "admin@nearhand.test", "nearhand-admin", "Ada Admin")
CUSTOMER = DemoAccount("customer", "customer@nearhand.test", "nearhand-customer", "Casey Customer")
PROVIDER = DemoAccount("provider", "provider@nearhand.test", "nearhand-provider", "Priya Provider")
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (CUSTOMER, PROVIDER, ADMIN)

DEMO_PROVIDER_BUSINESS = "Priya's Electrical"
DEMO_PROVIDER_SLUG = "priyas-electrical"
DEMO_PROVIDER_CITY = "sydney"


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
    sydney = City.objects.get(slug=DEMO_PROVIDER_CITY)
    profile = ProviderProfile.objects.create(
        user=user,
        business_name=DEMO_PROVIDER_BUSINESS,
        slug=DEMO_PROVIDER_SLUG,
        bio=(
            "I'm Priya, a licensed electrician based in Sydney's Inner West. I look after "
            "lighting, power points, switchboard upgrades and EV chargers for homes across "
            "Sydney. Fully licensed and insured, upfront pricing, and I always clean up."
        ),
        status=ProviderProfile.Status.APPROVED,
        base_city=sydney,
        base_point=Point(151.1543, -33.8976, srid=4326),  # Marrickville
        service_radius_km=30,
        licence_number="312458C",
        insurance_provider="QBE",
        insurance_policy_number="QBE-48213377",
        insurance_expires_on=DEMO_TODAY + timedelta(days=300),
        licence_verified=True,
        insurance_verified=True,
        approved_at=datetime(2026, 3, 2, 23, 0, tzinfo=UTC),
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
    admin, admin_created = _user(ADMIN, is_staff=True, is_superuser=True)
    _customer, customer_created = _user(CUSTOMER)
    provider, provider_created = _user(PROVIDER, phone="0491 570 156", wants_to_offer_services=True)
    _demo_provider_profile(provider, actor=admin)
    return admin, sum((admin_created, customer_created, provider_created))

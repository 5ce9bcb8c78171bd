"""`demo_seed`: the whole demo data set, in order, each step creating only what is missing."""

from dataclasses import dataclass, field
from typing import TextIO

from django.db import transaction
from django.db.models import Count

from accounts.models import ProviderProfile
from listings.models import Category, City, Subcategory

from .catalogue import catalogue_seed
from .cities import cities_seed
from .demo_accounts import DEMO_ACCOUNTS, DEMO_PROVIDER_SLUG, DemoAccount, demo_accounts_seed
from .providers import PROVIDER_EMAIL_DOMAIN, PROVIDERS_PER_SCALE, providers_seed


@dataclass
class SeedReport:
    """What a run created, and what the demo data set holds afterwards."""

    scale: int
    created: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    provider_statuses: dict[str, int] = field(default_factory=dict)
    accounts: tuple[DemoAccount, ...] = DEMO_ACCOUNTS

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())


def _log(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def demo_seed(*, scale: int = 1, stdout: TextIO | None = None) -> SeedReport:
    """Seed the catalogue, 30 cities, demo accounts and `200 * scale` providers.

    Deterministic (fixed seeds) and idempotent: each step creates only what is missing, so a
    second run changes nothing and a bigger scale later only adds providers. Steps run in order
    because each uses the one before (providers need cities; services, when they exist, will
    need providers and subcategories).
    """
    if scale < 1:
        raise ValueError("The scale must be at least 1.")
    report = SeedReport(scale=scale)
    with transaction.atomic():
        categories, subcategories = catalogue_seed()
        report.created["categories"] = categories
        report.created["subcategories"] = subcategories
        _log(stdout, f"Catalogue: {categories} categories, {subcategories} subcategories created.")

        report.created["cities"] = cities_seed()
        _log(stdout, f"Cities: {report.created['cities']} created.")

        admin, report.created["demo accounts"] = demo_accounts_seed()
        _log(stdout, f"Demo accounts: {report.created['demo accounts']} created.")

        plans = providers_seed(
            count=PROVIDERS_PER_SCALE * scale,
            actor=admin,
            reserved_slugs=frozenset({DEMO_PROVIDER_SLUG}),
        )
        report.created["providers"] = len(plans)
        _log(stdout, f"Providers: {len(plans)} created.")
        # Next: a services step, listings in each provider's trade (`ProviderPlan.trade`) for
        # the providers of `provider_plans(count)`, created the same way: only what is missing.

    demo_providers = ProviderProfile.objects.filter(
        user__email__endswith=f"@{PROVIDER_EMAIL_DOMAIN}"
    )
    report.totals = {
        "categories": Category.objects.count(),
        "subcategories": Subcategory.objects.count(),
        "cities": City.objects.count(),
        "providers": demo_providers.count(),
    }
    counts = dict(demo_providers.values_list("status").annotate(count=Count("pk")).order_by())
    report.provider_statuses = {
        status.value: counts.get(status.value, 0) for status in ProviderProfile.Status
    }
    return report

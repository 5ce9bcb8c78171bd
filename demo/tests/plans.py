"""What the demo seed plans for the first providers, without a database."""

from dataclasses import dataclass

from demo.dataset import ServicePlan, demo_data
from demo.listings import provider_service_plans
from demo.providers import ProviderPlan, provider_plans


@dataclass(frozen=True)
class ScalePlans:
    providers: list[ProviderPlan]
    # Every listing with the plan of the provider it belongs to (the demo account's
    # own listings included, with provider None).
    listings: list[tuple[ProviderPlan | None, ServicePlan]]


def scale_plans(count: int) -> ScalePlans:
    """The plans of demo providers 1..count and of all their listings."""
    providers = provider_plans(count)
    listings: list[tuple[ProviderPlan | None, ServicePlan]] = [
        (None, plan) for plan in demo_data().demo_provider.listings
    ]
    for provider in providers:
        plans = provider_service_plans(
            index=provider.index,
            trade=provider.trade,
            city_slug=provider.city_slug,
            provider_status=provider.status,
            radius_km=provider.service_radius_km,
        )
        listings.extend((provider, plan) for plan in plans)
    return ScalePlans(providers=providers, listings=listings)

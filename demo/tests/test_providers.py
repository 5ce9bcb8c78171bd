"""Demo provider plans (no database)."""

from collections import Counter

from demo import dataset
from demo.cities import largest_cities
from demo.providers import PROVIDERS_PER_SCALE, provider_plans


def test_provider_plans_do_not_depend_on_the_scale():
    small, large = provider_plans(50), provider_plans(120)
    assert large[:50] == small
    assert len({plan.slug for plan in large}) == 120


def test_scale_one_meets_the_minimums(scale_one):
    providers = scale_one.providers
    assert len(providers) == PROVIDERS_PER_SCALE
    statuses = Counter(plan.status for plan in providers)
    assert statuses["approved"] >= 0.75 * PROVIDERS_PER_SCALE
    assert statuses["pending"] >= 0.03 * PROVIDERS_PER_SCALE
    assert statuses["rejected"] and statuses["suspended"]
    for plan in providers:
        # Rejected and suspended providers are told why; nobody else has a reason.
        assert bool(plan.status_reason) == (plan.status in {"rejected", "suspended"})
        assert (plan.approved_at is not None) == (plan.status == "approved")
        assert 10 <= plan.service_radius_km <= 60
        assert plan.email.endswith("@demo.nearhand.test")
        assert not (plan.licence_verified or plan.insurance_verified) or plan.status == "approved"
    # Every city has providers, and the biggest has the most.
    cities = Counter(plan.city_slug for plan in providers)
    assert set(cities) == {city.slug for city in largest_cities()}
    assert cities["sydney"] == max(cities.values()) > cities["hobart"]
    # Every trade is represented, and business names and slugs read like businesses.
    assert {plan.trade for plan in providers} == {c.slug for c in dataset.demo_data().categories}
    assert len({plan.slug for plan in providers}) == len(providers)
    assert len({plan.business_name for plan in providers}) > 0.9 * len(providers)


def test_licences_follow_the_trade_and_the_state(scale_one):
    licensed = {c.slug for c in dataset.demo_data().categories if c.licensed}
    for plan in scale_one.providers:
        assert bool(plan.licence_number) == (plan.trade in licensed), plan.slug
    electricians = {p.city_slug: p.licence_number for p in scale_one.providers
                    if p.trade == "electricians"}  # fmt: skip
    assert electricians["sydney"].endswith("C")
    assert electricians["melbourne"].startswith("REC ")


def test_business_names_are_unique_in_each_city_across_the_whole_dataset():
    # Scale 10 (2,000 providers) and the demo account: at scale 1 two "Hills District
    # Electrical" sat side by side in Sydney; larger scales collided in five cities.
    plans = provider_plans(10 * PROVIDERS_PER_SCALE)
    demo = dataset.demo_data().demo_provider
    names = Counter((plan.city_slug, plan.business_name.casefold()) for plan in plans)
    names[(demo.city_slug, demo.business_name.casefold())] += 1
    assert [name for name, count in names.items() if count > 1] == []
    assert all(plan.business_name.strip() == plan.business_name for plan in plans)

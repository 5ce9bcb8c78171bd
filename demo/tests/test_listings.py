"""Demo listing plans (no database): what every provider's listings will be."""

import random
import string
from collections import Counter
from decimal import Decimal

from django.utils.text import slugify

from demo import dataset
from demo.listings import attributes_for, provider_service_plans
from demo.providers import PROVIDERS_PER_SCALE, provider_plans
from listings.models import Subcategory
from listings.services import service_attributes_clean

from .plans import scale_plans


def _subcategories() -> dict[str, dataset.SubcategoryData]:
    return {sub.slug: sub for sub in dataset.demo_data().subcategories()}


def test_every_subcategory_has_an_offer_whose_titles_fill_in():
    data = dataset.demo_data()
    subcategories = _subcategories()
    assert set(data.offers) == set(subcategories)
    rng = random.Random(7)
    for slug, offer in data.offers.items():
        sub = subcategories[slug]
        required = sub.required_fields()
        for template in offer.titles:
            names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
            assert names <= required | {"place", "city"}, (slug, template)
            attributes = attributes_for(slug, sub.schema, rng)
            assert template.format(place="Inner West", city="Sydney", **attributes)
        assert offer.price_type in {"fixed", "hourly", "quote"}
        assert (offer.price_range is None) == (offer.price_type == "quote"), slug
        assert len(offer.details) >= 3 and all(d >= 15 for d in offer.durations)


def test_service_plans_are_pure_and_do_not_depend_on_the_scale():
    plan = provider_plans(30)[29]
    kwargs = {"index": plan.index, "trade": plan.trade, "city_slug": plan.city_slug,
              "provider_status": "approved", "radius_km": 25}  # fmt: skip
    first = provider_service_plans(**kwargs)
    assert first == provider_service_plans(**kwargs)
    assert 11 <= len(first) <= 18
    assert len({service.title for service in first}) == len(first)
    category = dataset.demo_data().category(plan.trade)
    assert {s.subcategory_slug for s in first} <= {sub.slug for sub in category.subcategories}
    assert scale_plans(40).listings == scale_plans(30).listings + [
        listing for listing in scale_plans(40).listings if listing[0] and listing[0].index > 30
    ]


def test_the_plans_are_the_same_every_time_the_data_is_read(scale_one):
    """Deterministic: the whole scale-1 data set (providers and their listings), planned again
    from freshly read files."""
    dataset.demo_data.cache_clear()
    assert scale_plans(PROVIDERS_PER_SCALE) == scale_one


def test_scale_one_has_over_2000_public_listings_across_categories_and_cities(scale_one):
    listings = scale_one.listings
    # Public: active listings of approved providers (the demo account is approved).
    public = [
        (provider, service)
        for provider, service in listings
        if service.status == "active" and (provider is None or provider.status == "approved")
    ]
    assert len(public) >= 2000
    subcategories = _subcategories()
    category_of = {
        sub.slug: c.slug for c in dataset.demo_data().categories for sub in c.subcategories
    }
    categories = {category_of[service.subcategory_slug] for _, service in public}
    assert len(categories) == len(dataset.demo_data().categories)
    assert len({s.subcategory_slug for _, s in public}) >= 75
    assert {s.subcategory_slug for _, s in listings} <= set(subcategories)
    # A small city whose few providers all await approval may have none yet.
    assert len({p.city_slug for p, _ in public if p}) >= 28
    statuses = Counter(s.status for _, s in listings)
    assert statuses["active"] > 0.75 * len(listings)
    assert statuses["draft"] and statuses["paused"] and statuses["hidden"]
    # Pending and rejected providers only have drafts.
    for provider, service in listings:
        if provider and provider.status in {"pending", "rejected"}:
            assert service.status == "draft"


def test_titles_descriptions_and_prices_look_real(scale_one):
    listings = scale_one.listings
    titles_by_provider = Counter((p.index if p else 0, s.title) for p, s in listings)
    assert max(titles_by_provider.values()) == 1  # no provider lists the same title twice
    assert len({s.title for _, s in listings}) > 300
    descriptions = [s.description for _, s in listings]
    assert len(set(descriptions)) > 0.95 * len(descriptions)
    assert all(description.count(". ") >= 2 for description in descriptions)
    titles = {s.title for _, s in listings}
    assert "Emergency electrician \u2013 24/7 call-outs" in titles
    assert any(title.startswith("End of lease clean, ") for title in titles)
    assert set(Counter(s.price_type for _, s in listings)) == {"fixed", "hourly", "quote"}
    for provider, s in listings:
        assert slugify(s.title) and len(s.title) <= 120
        assert s.duration_minutes >= 15
        if s.price_type == "quote":
            assert s.price is None and not s.instant_book
        elif s.price_type == "hourly":
            assert Decimal(50) <= s.price <= Decimal(350), s.title
        else:
            assert Decimal(50) <= s.price <= Decimal(5000), s.title
        assert 0 <= s.reviews <= 120
        assert (s.reviews == 0) == (s.stars == 0) or provider is None
        assert s.reviews == 0 or 3 <= s.stars <= 5
    instant = [s.instant_book for _, s in listings]
    assert any(instant) and not all(instant)
    # A fifth of the listings have had no reviews; the others about eight (exponential).
    assert 0.1 < sum(s.reviews == 0 for _, s in listings) / len(listings) < 0.35
    reviewed = [s.reviews for _, s in listings if s.reviews]
    assert 7 < sum(reviewed) / len(reviewed) < 10
    # Cleaning is sold at fixed prices, renovations on quote, electricians by the hour.
    by_subcategory = {(s.subcategory_slug, s.price_type) for _, s in listings}
    assert {t for slug, t in by_subcategory if slug == "end-of-lease-cleaning"} == {"fixed"}
    assert {t for slug, t in by_subcategory if slug == "bathroom-renovations"} == {"quote"}
    # A second picture comes from another subcategory of the same trade.
    for provider, s in listings:
        if s.extra_photo:
            trade = dataset.demo_data().category(provider.trade)
            assert s.extra_photo in {sub.slug for sub in trade.subcategories} - {s.subcategory_slug}


def test_attributes_are_valid_against_each_schema(scale_one):
    """The check the portal and the seed run on every listing, here without a database."""
    subcategories = {sub.slug: Subcategory(slug=sub.slug, attribute_schema=sub.schema)
                     for sub in dataset.demo_data().subcategories()}  # fmt: skip
    for _, service in scale_one.listings:
        subcategory = subcategories[service.subcategory_slug]
        cleaned = service_attributes_clean(subcategory=subcategory, raw=service.attributes)
        # Every planned value is kept as it is; a boolean left out is stored as false.
        assert {name: cleaned[name] for name in service.attributes} == service.attributes
        assert all(cleaned[name] is False for name in set(cleaned) - set(service.attributes))
        assert service_attributes_clean(subcategory=subcategory, raw=cleaned) == cleaned
        required = {f["name"] for f in subcategory.attribute_schema if f.get("required")}
        assert required <= set(service.attributes)


def test_the_demo_providers_own_listings_are_an_electricians(scale_one):
    own = [s for p, s in scale_one.listings if p is None]
    assert len([s for s in own if s.status == "active"]) >= 4
    assert any(s.status == "draft" for s in own)
    electrical = {sub.slug for sub in dataset.demo_data().category("electricians").subcategories}
    assert {s.subcategory_slug for s in own} <= electrical

"""`demo_seed`: the whole demo data set, in order, each step creating only what is missing."""

import time
from dataclasses import dataclass, field
from typing import TextIO

from django.db import transaction
from django.db.models import Count

from accounts.models import ProviderProfile
from chat.models import Conversation, Message
from listings.models import Category, Service, ServicePhoto, Subcategory
from listings.selectors import catalogue_lists_forget
from marketplace.page_cache import pages_changed
from places.models import City, Suburb
from reviews.models import Review

from .availability import availability_seed
from .catalogue import catalogue_seed
from .cities import cities_seed
from .conversations import conversations_seed
from .dataset import DemoAccount, demo_data
from .demo_accounts import demo_accounts_seed
from .listings import services_seed
from .logos import provider_logos_seed
from .payments import payments_seed
from .providers import PROVIDER_EMAIL_DOMAIN, PROVIDERS_PER_SCALE, providers_seed
from .reviews import reviews_seed
from .suburbs import suburbs_seed


@dataclass
class SeedReport:
    """What a run created, and what the demo data set holds afterwards."""

    scale: int
    created: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    provider_statuses: dict[str, int] = field(default_factory=dict)
    service_statuses: dict[str, int] = field(default_factory=dict)
    # Seconds each step took, in order.
    timings: dict[str, float] = field(default_factory=dict)
    accounts: tuple[DemoAccount, ...] = ()

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())


def _log(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def demo_seed(
    *,
    scale: int = 1,
    providers_per_scale: int = PROVIDERS_PER_SCALE,
    stdout: TextIO | None = None,
) -> SeedReport:
    """Seed the catalogue, 30 cities and their suburbs, demo accounts, `providers_per_scale *
    scale` providers (200 a scale step) and their listings (about 14 each, with photos), and
    their past customers' completed jobs and reviews (about 65 a provider), from which every
    rating figure is computed.

    Deterministic (fixed seeds) and idempotent: each step creates only what is missing, so a
    second run changes nothing and a bigger scale later only adds providers. Steps run in order
    because each uses the one before (providers need cities; services need providers and
    subcategories). Fewer providers a scale step (tests) give the same first providers.
    """
    if scale < 1 or providers_per_scale < 1:
        raise ValueError("The scale and the providers per scale step must be at least 1.")
    data = demo_data()
    report = SeedReport(scale=scale, accounts=data.accounts)
    started = step = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal step
        now = time.perf_counter()
        report.timings[name] = now - step
        step = now

    with transaction.atomic():
        categories, subcategories = catalogue_seed()
        report.created["categories"] = categories
        report.created["subcategories"] = subcategories
        _log(stdout, f"Catalogue: {categories} categories, {subcategories} subcategories created.")

        report.created["cities"] = cities_seed()
        _log(stdout, f"Cities: {report.created['cities']} created.")
        if categories or subcategories or report.created["cities"]:
            # Written in bulk, so no signal tells the cached lists of the catalogue.
            transaction.on_commit(catalogue_lists_forget)
        lap("catalogue and cities")

        report.created["suburbs"] = suburbs_seed()
        _log(stdout, f"Suburbs: {report.created['suburbs']} created.")
        lap("suburbs")

        admin, report.created["demo accounts"] = demo_accounts_seed()
        _log(stdout, f"Demo accounts: {report.created['demo accounts']} created.")

        plans = providers_seed(
            count=providers_per_scale * scale,
            actor=admin,
            reserved_slugs=frozenset({data.demo_provider.slug}),
        )
        report.created["providers"] = len(plans)
        _log(stdout, f"Providers: {len(plans)} created.")
        lap("accounts and providers")

        report.created["logos"] = provider_logos_seed()
        _log(stdout, f"Logos: {report.created['logos']} monograms drawn.")
        lap("logos")

        # Listings for every demo provider (and the demo account) that has none yet.
        services = services_seed(log=(lambda line: _log(stdout, line)) if stdout else None)
        report.created["services"] = services.services
        report.created["photos"] = services.photos
        _log(stdout, f"Services: {services.services} created, {services.photos} photos.")
        if services.timings:
            report.timings.update(services.timings)
            step = time.perf_counter()
        else:
            lap("services")

        report.created["working hours"] = availability_seed()
        _log(stdout, f"Working hours: {report.created['working hours']} weekly ranges created.")
        lap("working hours")

        # After the working hours: the demo customer books one of the demo provider's slots.
        report.created["conversations"] = conversations_seed()
        _log(stdout, f"Conversations: {report.created['conversations']} created.")
        lap("conversations")

        # Past customers' completed jobs and reviews; every rating is computed from them.
        reviews = reviews_seed(log=(lambda line: _log(stdout, line)) if stdout else None)
        report.created["customers"] = reviews.customers
        report.created["past jobs"] = reviews.bookings
        report.created["reviews"] = reviews.reviews
        report.created["held reviews"] = reviews.held
        report.created["replies"] = reviews.replies
        report.created["customer ratings"] = reviews.customer_ratings
        _log(
            stdout,
            f"Reviews: {reviews.reviews} created for {reviews.bookings} past jobs of "
            f"{reviews.customers} new customers ({reviews.held} held by the fraud rules); "
            f"{reviews.replies} replies, {reviews.customer_ratings} customer ratings.",
        )
        if reviews.timings:
            report.timings.update(reviews.timings)
            step = time.perf_counter()
        else:
            lap("reviews")

        # After the reviews (which seed only providers with no completed job yet): Casey's card
        # pays her request to Priya, and one past job of Priya's was paid through the site.
        report.created["paid bookings"] = payments_seed()
        _log(stdout, f"Payments: {report.created['paid bookings']} paid bookings created.")
        lap("payments")
        if any(report.created.values()):
            # Written in bulk past every service: the cached pages are rendered afresh.
            pages_changed()

    report.timings["total"] = time.perf_counter() - started
    demo_providers = ProviderProfile.objects.filter(
        user__email__endswith=f"@{PROVIDER_EMAIL_DOMAIN}"
    )
    report.totals = {
        "categories": Category.objects.count(),
        "subcategories": Subcategory.objects.count(),
        "cities": City.objects.count(),
        "providers": demo_providers.count(),
        "suburbs": Suburb.objects.count(),
        "services": Service.objects.count(),
        "photos": ServicePhoto.objects.count(),
        "conversations": Conversation.objects.count(),
        "messages": Message.objects.count(),
        "reviews": Review.objects.count(),
    }
    counts = dict(demo_providers.values_list("status").annotate(count=Count("pk")).order_by())
    report.provider_statuses = {
        status.value: counts.get(status.value, 0) for status in ProviderProfile.Status
    }
    counts = dict(Service.objects.values_list("status").annotate(count=Count("pk")).order_by())
    report.service_statuses = {
        status.value: counts.get(status.value, 0) for status in Service.Status
    }
    return report

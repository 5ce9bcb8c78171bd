"""The review parts of other apps' pages, as inclusion tags: the listing and the provider's
public page (average, breakdown, newest reviews, paged by ?page=), the booking page's panel,
"My bookings"' waiting panel and a customer's standing for providers.

Lower apps' views cannot import reviews; their templates load these tags instead, so each
page's review queries are made here (and only when there is something to show).
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from accounts.models import ProviderProfile, User
from bookings.models import Booking
from listings.models import Service
from marketplace.jinja2 import macros
from marketplace.params import parse_int

from .. import selectors

register = template.Library()

MAX_PAGE = 10_000


def _page_number(context) -> int:
    request = context.get("request")
    value = request.GET.get("page") if request is not None else None
    return parse_int(value, minimum=1, maximum=MAX_PAGE) or 1


def _section(context, *, figures, provider_name: str, page_loader, breakdown_of: dict):
    shown = {
        "figures": figures,
        "provider_name": provider_name,
        "show_service": "provider" in breakdown_of,
        "request": context.get("request"),
        "user": context.get("user"),
        "SITE_NAME": context.get("SITE_NAME"),
        "page": None,
        "breakdown": [],
    }
    if figures.rating_count:  # else no published review: nothing to query
        shown["page"] = page_loader(_page_number(context))
        shown["breakdown"] = selectors.rating_breakdown(**breakdown_of)
    return shown


@register.inclusion_tag("reviews/_reviews_section.html", takes_context=True)
def service_reviews_section(context, service: Service):
    """A listing's reviews (3 queries when it has any: breakdown, reviews, photos)."""
    return _section(
        context,
        figures=service,
        provider_name=service.provider.business_name,
        page_loader=lambda page: selectors.service_reviews(service=service, page=page),
        breakdown_of={"service": service},
    )


@register.inclusion_tag("reviews/_reviews_section.html", takes_context=True)
def provider_reviews_section(context, provider: ProviderProfile):
    """A provider's reviews across their listings (3 queries when there are any)."""
    return _section(
        context,
        figures=provider,
        provider_name=provider.business_name,
        page_loader=lambda page: selectors.provider_reviews(provider=provider, page=page),
        breakdown_of={"provider": provider},
    )


@register.inclusion_tag("reviews/_booking_panel.html", takes_context=True)
def booking_review_panel(context, booking: Booking):
    user = context["user"]
    return {
        "booking": booking,
        "panel": selectors.booking_review_panel(booking=booking, user=user),
        "viewer_is_provider": user.pk == booking.provider.user_id,
        "SITE_NAME": context.get("SITE_NAME"),
    }


@register.inclusion_tag("reviews/_waiting_panel.html", takes_context=True)
def reviews_waiting_panel(context):
    """ "Waiting for your review" on My bookings (1 query)."""
    return {"bookings": selectors.reviews_to_write(user=context["user"])}


@register.inclusion_tag("reviews/_customer_standing.html", takes_context=True)
def customer_standing(context, customer: User):
    """A customer's rating by providers and completed jobs, for providers (2 queries)."""
    return {
        "standing": selectors.customer_standing(customer=customer),
        "SITE_NAME": context.get("SITE_NAME"),
    }


@register.simple_tag(takes_context=True)
def review_list(context, reviews, show_service: bool, provider_name: str) -> SafeString:
    """A page of reviews, drawn by the Jinja2 macro of jinja_templates/reviews.html."""
    user = context.get("user")
    rows = [(review, short_name(review.author)) for review in reviews]
    viewer_pk = user.pk if user is not None else None
    drawn = macros("reviews.html").review_list(rows, show_service, provider_name, viewer_pk)
    return mark_safe(drawn)  # Jinja2 escaped it already


@register.filter
def short_name(user: User) -> str:
    """How a review's author is shown: first name and initial ("Priya S."), never the email."""
    words = (user.name or "").split()
    if not words:
        return "A customer"
    if len(words) == 1:
        return words[0]
    return f"{words[0]} {words[-1][0]}."

"""The support part of the booking page, as an inclusion tag: bookings cannot import support,
so its template loads this tag, and the queries are made here (at most 2)."""

from __future__ import annotations

from django import template

from bookings.models import Booking

from .. import selectors

register = template.Library()


@register.inclusion_tag("support/_booking_panel.html", takes_context=True)
def booking_support_panel(context, booking: Booking):
    """ "Report a problem" within the window, or the open case."""
    return {
        "booking": booking,
        "panel": selectors.booking_support_panel(booking=booking, user=context["user"]),
    }

"""Times on booking pages, in the service city's timezone with the zone named."""

from datetime import datetime

from django import template

from marketplace.times import DASH, clock, day_label, zone_name

from ..models import Booking
from ..selectors import booking_status_label
from ..slots import booking_when

register = template.Library()


@register.filter
def when(booking: Booking) -> str:
    """Tue 3 Dec 2026, 9:00 am to 10:00 am, with an en dash (Perth time)."""
    return booking_when(booking)


@register.filter
def proposed_when(booking: Booking) -> str:
    return booking_when(booking, booking.proposed_period) if booking.proposed_period else ""


@register.filter
def local_clock(moment: datetime, booking: Booking) -> str:
    """A moment (an event's time) as '3 Dec 2026, 9:00 am' in the booking's city."""
    local = moment.astimezone(booking.zone)
    return f"{day_label(local)}, {clock(local)}"


@register.filter
def start_clock(booking: Booking) -> str:
    local = booking.start.astimezone(booking.zone)
    return f"{clock(local)} {DASH} {clock(booking.end.astimezone(booking.zone))}"


@register.filter
def zone_of(booking: Booking) -> str:
    return zone_name(booking.service.city.name)


@register.filter(name="clock")
def clock_filter(moment) -> str:
    """A time of day as '9:00 am'."""
    return clock(moment) if moment is not None else ""


@register.filter
def status_for(booking: Booking, viewer) -> str:
    """The booking's status as the viewer reads it ("Waiting for you: ..." for its provider)."""
    return booking_status_label(booking=booking, viewer=viewer)

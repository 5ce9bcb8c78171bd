"""Which day the booking and reschedule pages show, and what they say when it is not the day
asked for: past days, days beyond the booking window, the ends of the calendar, garbage."""

from datetime import timedelta

import pytest

from bookings import selectors
from bookings.models import Booking
from bookings.slots import local_today
from bookings.tests.factories import BookingFactory
from marketplace.times import day_label

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, customer):
    client.force_login(customer)
    return client


def test_a_day_beyond_the_window_says_how_far_ahead_and_links_the_last_day(
    signed_in, service, settings
):
    settings.BOOKING_HORIZON_DAYS = 60
    last_day = selectors.booking_last_day(service=service)
    page = signed_in.get(f"/bookings/new/{service.pk}/?date=2099-12-31")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Bookings open 60 days ahead" in html
    assert "Thu 31 Dec 2099 cannot be booked yet" in html
    assert f'href="?date={last_day:%Y-%m-%d}"' in html
    assert "No free times on Thu 31 Dec 2099" not in html
    assert page.context["day"] == local_today(service=service)


def test_the_window_comes_from_its_setting(signed_in, service, settings):
    settings.BOOKING_HORIZON_DAYS = 30
    far = local_today(service=service) + timedelta(days=45)
    html = signed_in.get(f"/bookings/new/{service.pk}/?date={far:%Y-%m-%d}").content.decode()
    assert "Bookings open 30 days ahead" in html


def test_the_last_bookable_day_is_shown_as_asked(signed_in, service):
    last_day = selectors.booking_last_day(service=service)
    page = signed_in.get(f"/bookings/new/{service.pk}/?date={last_day:%Y-%m-%d}")
    assert page.context["day"] == last_day
    assert "data-day-notice" not in page.content.decode()
    # The strip of days ends at the last bookable day, and there is no "next day" past it.
    assert page.context["strip"][-1]["day"] == last_day
    assert page.context["next_day"] is None


def test_a_past_day_says_it_has_passed(signed_in, service):
    yesterday = local_today(service=service) - timedelta(days=1)
    page = signed_in.get(f"/bookings/new/{service.pk}/?date={yesterday:%Y-%m-%d}")
    assert page.context["day"] == local_today(service=service)
    assert f"{day_label(yesterday)} has passed; showing today." in page.content.decode()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("0001-01-01", "Mon 1 Jan 0001 has passed; showing today."),
        ("9999-12-31", "Fri 31 Dec 9999 cannot be booked yet"),
        ("2026-02-30", "That is not a date we can read"),
        ("not-a-date", "That is not a date we can read"),
        ("²", "That is not a date we can read"),
    ],
)
def test_the_ends_of_the_calendar_and_garbage_get_a_clear_message(signed_in, service, value, says):
    page = signed_in.get(f"/bookings/new/{service.pk}/", {"date": value})
    assert page.status_code == 200
    assert says in page.content.decode()
    assert page.context["day"] == local_today(service=service)


def test_the_date_picker_offers_the_booking_window(signed_in, service):
    last_day = selectors.booking_last_day(service=service)
    html = signed_in.get(f"/bookings/new/{service.pk}/").content.decode()
    today = local_today(service=service)
    assert f'min="{today:%Y-%m-%d}"' in html and f'max="{last_day:%Y-%m-%d}"' in html


def test_no_date_asked_shows_no_notice(signed_in, service):
    page = signed_in.get(f"/bookings/new/{service.pk}/")
    assert "data-day-notice" not in page.content.decode()


def test_the_reschedule_page_uses_the_same_rule(signed_in, customer, service):
    booking = BookingFactory(service=service, customer=customer, status=Booking.Status.ACCEPTED)
    url = f"/bookings/{booking.pk}/reschedule/"
    html = signed_in.get(url, {"date": "2099-12-31"}).content.decode()
    assert "cannot be booked yet" in html
    yesterday = local_today(service=service) - timedelta(days=1)
    html = signed_in.get(url, {"date": f"{yesterday:%Y-%m-%d}"}).content.decode()
    assert "has passed; showing today." in html


def test_the_rule_itself(service):
    today = local_today(service=service)
    assert selectors.booking_day_choose(service=service, asked=None).notice == ""
    assert selectors.booking_day_choose(service=service, asked=today.isoformat()).day == today
    chosen = selectors.booking_day_choose(service=service, asked="2099-12-31")
    assert chosen.too_far and chosen.day == today
    assert chosen.last_day == selectors.booking_last_day(service=service)

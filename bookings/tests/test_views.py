"""Booking pages: booking a slot, lists, detail and actions, the portal; 404 for others."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.gis.geos import Point

from accounts.tests.factories import ProviderProfileFactory, UserFactory
from bookings.models import AvailabilityException, Booking, WeeklyAvailability
from bookings.slots import local_today, service_slots
from bookings.tests.conftest import free_slots
from bookings.tests.factories import BookingFactory
from listings.tests.factories import ServiceFactory
from places.tests.factories import CityFactory, SuburbFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, customer):
    client.force_login(customer)
    return client


def test_the_listing_has_a_book_button(client, service):
    page = client.get(service.get_absolute_url())
    assert f'href="/bookings/new/{service.pk}/"' in page.content.decode()


def test_booking_a_slot_without_javascript(signed_in, service, customer):
    slot = free_slots(service)[0]
    day = slot.local_start.date()
    page = signed_in.get(f"/bookings/new/{service.pk}/?date={day:%Y-%m-%d}")
    assert page.status_code == 200
    assert slot.value in page.content.decode()
    assert "Sydney time" in page.content.decode()
    response = signed_in.post(
        f"/bookings/new/{service.pk}/",
        {
            "date": f"{day:%Y-%m-%d}",
            "start": slot.value,
            "street_address": "12 Campbell Parade",
            "place": "bondi",
            "notes": "",
        },
    )
    booking = Booking.objects.get()
    assert response.status_code == 302 and response.url == f"/bookings/{booking.pk}/"
    assert booking.customer == customer
    detail = signed_in.get(response.url).content.decode()
    assert "Request sent" in detail and "Requested the booking".lower() in detail.lower()


def test_a_taken_slot_is_a_409_with_a_message_and_fresh_times(signed_in, service):
    slot = free_slots(service)[0]
    BookingFactory(service=service, start=slot.start)
    response = signed_in.post(
        f"/bookings/new/{service.pk}/",
        {
            "date": f"{slot.local_start.date():%Y-%m-%d}",
            "start": slot.value,
            "street_address": "12 Campbell Parade",
            "place": "Bondi",
        },
    )
    assert response.status_code == 409
    assert "That slot was just taken. Please pick another time." in response.content.decode()
    assert Booking.objects.count() == 1


def test_an_address_outside_the_area_is_a_form_error(signed_in, service):
    slot = free_slots(service)[0]
    response = signed_in.post(
        f"/bookings/new/{service.pk}/",
        {
            "date": f"{slot.local_start.date():%Y-%m-%d}",
            "start": slot.value,
            "street_address": "1 Crown Street",
            "place": "Wollongong",
        },
    )
    assert response.status_code == 400
    assert "outside" in response.content.decode()
    assert not Booking.objects.exists()


def test_a_perth_booking_shows_perth_time_to_a_sydney_customer(signed_in):
    perth = CityFactory(
        name="Perth",
        state="WA",
        timezone="Australia/Perth",
        point=Point(115.8605, -31.9505, srid=4326),
    )
    SuburbFactory(city=perth, name="Subiaco", state="WA", point=Point(115.826, -31.949))
    service = ServiceFactory(
        provider__base_city=perth, provider__base_point=perth.point, duration_minutes=60
    )
    for day in range(7):
        WeeklyAvailability.objects.create(
            provider=service.provider, weekday=day, start_time="09:00", end_time="10:00"
        )
    slot = free_slots(service)[0]
    assert slot.start.astimezone(UTC).hour == 1  # 9:00 am in Perth (+8) is 11:00 am in Sydney
    response = signed_in.post(
        f"/bookings/new/{service.pk}/",
        {
            "date": f"{slot.local_start.date():%Y-%m-%d}",
            "start": slot.value,
            "street_address": "5 Rokeby Road",
            "place": "Subiaco",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "9:00 am \u2013 10:00 am (Perth time)" in page
    assert "11:00 am" not in page


def test_other_people_get_404_for_a_booking_and_its_actions(client, service):
    booking = BookingFactory(service=service)
    stranger = UserFactory()
    other_provider = ProviderProfileFactory(approved=True).user
    for person in (stranger, other_provider):
        client.force_login(person)
        for url in (
            f"/bookings/{booking.pk}/",
            f"/bookings/{booking.pk}/cancel/",
            f"/bookings/{booking.pk}/reschedule/",
        ):
            assert client.get(url).status_code == 404, url
        assert client.post(f"/bookings/{booking.pk}/accept/").status_code == 404
    assert Booking.objects.get().status == "pending"
    client.force_login(booking.customer)
    assert client.get(f"/bookings/{booking.pk}/").status_code == 200
    client.force_login(service.provider.user)
    assert client.get(f"/bookings/{booking.pk}/").status_code == 200


def test_the_provider_accepts_from_the_portal_and_the_customer_may_not(client, service):
    booking = BookingFactory(service=service)
    client.force_login(booking.customer)
    client.post(f"/bookings/{booking.pk}/accept/")
    assert Booking.objects.get().status == "pending"
    client.force_login(service.provider.user)
    listing = client.get("/portal/bookings/").content.decode()
    assert "Needs your answer" in listing and service.title in listing
    response = client.post(
        f"/bookings/{booking.pk}/accept/", {"next": "/portal/bookings/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/portal/bookings/"
    assert "Booking accepted" in response.content.decode()
    assert Booking.objects.get().status == "accepted"


def test_cancel_shows_the_fee_first(client, service):
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=20)
    booking = BookingFactory(service=service, start=start, status="accepted")
    client.force_login(booking.customer)
    page = client.get(f"/bookings/{booking.pk}/cancel/").content.decode()
    assert "Cancellation fee: $60.00 AUD" in page
    response = client.post(f"/bookings/{booking.pk}/cancel/", {"reason": "Sick"}, follow=True)
    assert "A cancellation fee of $60.00 AUD applies" in response.content.decode()
    assert Booking.objects.get().cancellation_fee == 60


def test_the_availability_editor(client, service):
    provider = service.provider
    client.force_login(provider.user)
    assert client.get("/portal/bookings/availability/").status_code == 200
    before = WeeklyAvailability.objects.count()
    response = client.post(
        "/portal/bookings/availability/",
        {
            "form": "hours",
            "hours-weekday": 0,
            "hours-start_time": "07:00",
            "hours-end_time": "09:00",
        },
    )
    assert response.status_code == 409  # a Conflict: it overlaps 8:00-18:00
    assert "overlap" in response.content.decode()
    client.post(
        "/portal/bookings/availability/",
        {
            "form": "hours",
            "hours-weekday": 0,
            "hours-start_time": "19:00",
            "hours-end_time": "21:00",
        },
    )
    assert WeeklyAvailability.objects.count() == before + 1
    day = free_slots(service)[0].local_start.date()
    client.post(
        "/portal/bookings/availability/",
        {"form": "exception", "exception-date": f"{day:%Y-%m-%d}", "exception-kind": "day_off"},
    )
    assert AvailabilityException.objects.get().kind == "day_off"
    assert service_slots(service=service, day=day) == []
    hours = WeeklyAvailability.objects.first()
    client.force_login(ProviderProfileFactory(approved=True).user)
    assert client.post(f"/portal/bookings/availability/hours/{hours.pk}/delete/").status_code == 404
    client.force_login(provider.user)
    client.post(f"/portal/bookings/availability/hours/{hours.pk}/delete/")
    assert not WeeklyAvailability.objects.filter(pk=hours.pk).exists()


def test_the_week_calendar(client, service):
    slot = free_slots(service)[0]
    BookingFactory(service=service, start=slot.start, status="accepted")
    client.force_login(service.provider.user)
    day = slot.local_start.date()
    page = client.get(f"/portal/bookings/calendar/?week={day:%Y-%m-%d}").content.decode()
    assert service.title in page and "Confirmed" in page
    page = client.get(f"/portal/bookings/calendar/?week={day + timedelta(days=7):%Y-%m-%d}")
    assert service.title not in page.content.decode()
    assert client.get("/portal/bookings/calendar/?week=nonsense").status_code == 200


def _many(service, customer, count) -> list[Booking]:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    return [
        BookingFactory(
            service=service,
            customer=customer,
            start=start + timedelta(hours=2 * index),
            status=["pending", "accepted", "cancelled"][index % 3],
        )
        for index in range(count)
    ]


# session, user, unread notifications, unread messages, bookings waiting for a review (the
# reviews app's panel), then upcoming and past bookings
MY_BOOKINGS_QUERIES = 8
# session, user, provider profile, unread notifications, unread messages, upcoming and past
# bookings
PORTAL_LIST_QUERIES = 7
CALENDAR_QUERIES = 6


@pytest.mark.parametrize("count", [1, 20])
def test_my_bookings_query_count(client, customer, service, count, django_assert_num_queries):
    _many(service, customer, count)
    client.force_login(customer)
    with django_assert_num_queries(MY_BOOKINGS_QUERIES):
        page = client.get("/bookings/")
    assert page.content.decode().count('class="booking-row"') == count


@pytest.mark.parametrize("count", [1, 20])
def test_portal_list_query_count(client, customer, service, count, django_assert_num_queries):
    _many(service, customer, count)
    client.force_login(service.provider.user)
    with django_assert_num_queries(PORTAL_LIST_QUERIES):
        page = client.get("/portal/bookings/")
    assert page.content.decode().count('class="booking-row"') == count


@pytest.mark.parametrize("count", [1, 20])
def test_calendar_query_count(client, customer, service, count, django_assert_num_queries):
    bookings = _many(service, customer, count)
    client.force_login(service.provider.user)
    zone = bookings[0].zone
    day = bookings[0].start.astimezone(zone).date()
    monday = day - timedelta(days=day.weekday())
    shown = [  # the calendar shows waiting, confirmed and completed bookings of that week
        booking
        for booking in bookings
        if booking.status != "cancelled"
        and 0 <= (booking.start.astimezone(zone).date() - monday).days < 7
    ]
    assert shown
    with django_assert_num_queries(CALENDAR_QUERIES):
        page = client.get(f"/portal/bookings/calendar/?week={day:%Y-%m-%d}")
    assert page.content.decode().count('class="week__item ') == len(shown)


def test_the_answer_window_shown_comes_from_its_setting(client, settings, service, customer):
    settings.BOOKING_REQUEST_EXPIRY_HOURS = 72
    booking = BookingFactory(service=service, customer=customer)
    client.force_login(customer)
    assert (
        "has 72 hours to accept your request"
        in client.get(f"/bookings/new/{service.pk}/").content.decode()
    )
    assert (
        "the provider has 72 hours to accept"
        in client.get(service.get_absolute_url()).content.decode()
    )
    client.force_login(service.provider.user)
    assert (
        "expire 72 hours after they are made"
        in client.get(f"/bookings/{booking.pk}/").content.decode()
    )
    assert "within 72 hours or they expire" in client.get("/portal/bookings/").content.decode()
    assert "within 72 hours" in client.get("/portal/").content.decode()


# --- Bad input: a clear answer, never a 500 ------------------------------------------------------

FAR_DATES = ["9999-12-20", "9999-12-31", "0001-01-01", "2026-02-30", "²", "2101-01-01"]


@pytest.mark.parametrize("value", FAR_DATES)
def test_a_day_out_of_range_shows_today(signed_in, service, value):
    today = local_today(service=service)
    response = signed_in.get(f"/bookings/new/{service.pk}/", {"date": value})
    assert response.status_code == 200
    assert response.context["day"] == today
    response = signed_in.post(f"/bookings/new/{service.pk}/", {"date": value, "start": "x"})
    assert response.status_code == 400
    assert response.context["day"] == today
    response = signed_in.post(f"/bookings/new/{service.pk}/?date={value}")  # an empty form
    assert response.status_code == 400
    assert response.context["day"] == today
    assert not Booking.objects.exists()


@pytest.mark.parametrize("value", FAR_DATES)
def test_a_new_time_on_a_day_out_of_range_shows_today(signed_in, customer, service, value):
    booking = BookingFactory(service=service, customer=customer, status="accepted")
    today = local_today(service=service)
    response = signed_in.get(f"/bookings/{booking.pk}/reschedule/", {"date": value})
    assert response.status_code == 200
    assert response.context["day"] == today
    response = signed_in.post(f"/bookings/{booking.pk}/reschedule/", {"date": value})
    assert response.status_code == 400
    booking.refresh_from_db()
    assert booking.proposed_period is None


@pytest.mark.parametrize("next_url", ["abc", "booking_list", "//evil.example", "javascript:x", ""])
def test_an_action_with_a_next_that_is_no_path_returns_to_the_booking(client, service, next_url):
    booking = BookingFactory(service=service)
    client.force_login(service.provider.user)
    response = client.post(f"/bookings/{booking.pk}/accept/", {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{booking.pk}/"
    assert Booking.objects.get().status == "accepted"


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31", "2026-02-30", "20261201", "²"])
def test_a_week_out_of_range_shows_this_week(client, service, week):
    client.force_login(service.provider.user)
    response = client.get("/portal/bookings/calendar/", {"week": week})
    assert response.status_code == 200
    today = local_today(service=service)
    assert response.context["week_start"] == today - timedelta(days=today.weekday())


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2101-01-01"])
def test_a_day_off_out_of_range_is_a_form_error(client, service, value):
    client.force_login(service.provider.user)
    response = client.post(
        "/portal/bookings/availability/",
        {"form": "exception", "exception-date": value, "exception-kind": "day_off"},
    )
    assert response.status_code == 400
    assert "Enter a date from 1 January 2000 to 31 December 2100." in response.content.decode()
    assert not AvailabilityException.objects.exists()

"""A provider looking at a request they must answer: their own wording, and the answer
buttons inside the request's card."""

from html.parser import HTMLParser

import pytest

from bookings.models import Booking
from bookings.selectors import booking_answer_by
from bookings.tests.factories import BookingFactory
from marketplace.times import moment_label

pytestmark = pytest.mark.django_db

VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr"}


class ButtonPlaces(HTMLParser):
    """For each button: its text and the classes of every element around it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[set[str]] = []
        self.buttons: list[tuple[str, set[str]]] = []
        self._button: list[str] | None = None
        self._around: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "button":
            self._button = []
            self._around = set().union(*self.stack) if self.stack else set()
        self.stack.append(classes)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if tag == "button" and self._button is not None:
            self.buttons.append((" ".join("".join(self._button).split()), self._around))
            self._button = None
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self._button is not None:
            self._button.append(data)


def buttons(html: str) -> list[tuple[str, set[str]]]:
    parser = ButtonPlaces()
    parser.feed(html)
    return parser.buttons


@pytest.fixture
def request_(service, customer):
    return BookingFactory(service=service, customer=customer, status=Booking.Status.PENDING)


def test_the_provider_sees_it_waits_for_them_with_the_deadline(client, request_):
    client.force_login(request_.provider.user)
    html = client.get(f"/bookings/{request_.pk}/").content.decode()
    deadline = moment_label(booking_answer_by(booking=request_).astimezone(request_.zone))
    assert f"Waiting for you: accept or decline by {deadline}" in html
    assert "Waiting for the provider" not in html


def test_the_customer_still_sees_it_waits_for_the_provider(client, request_, customer):
    client.force_login(customer)
    html = client.get(f"/bookings/{request_.pk}/").content.decode()
    assert "Waiting for the provider" in html
    assert "Waiting for you" not in html


def test_the_portal_list_says_it_waits_for_the_provider(client, request_):
    client.force_login(request_.provider.user)
    html = client.get("/portal/bookings/").content.decode()
    assert "Waiting for you: accept or decline by" in html
    assert "Waiting for the provider" not in html


def test_accept_and_decline_are_inside_the_request_card(client, request_):
    client.force_login(request_.provider.user)
    html = client.get("/portal/bookings/").content.decode()
    answers = [
        (text, around) for text, around in buttons(html) if text.startswith(("Accept", "Decline"))
    ]
    assert [text.split()[0] for text, _ in answers] == ["Accept", "Decline"]
    for _, around in answers:
        assert "booking-row" in around


def test_on_the_booking_page_the_answer_buttons_are_in_the_card(client, request_):
    client.force_login(request_.provider.user)
    html = client.get(f"/bookings/{request_.pk}/").content.decode()
    answers = [
        (text, around) for text, around in buttons(html) if text.startswith(("Accept", "Decline"))
    ]
    assert answers
    for _, around in answers:
        assert "card" in around


def test_the_deadline_is_the_start_when_that_comes_first(service, customer, settings):
    settings.BOOKING_REQUEST_EXPIRY_HOURS = 24 * 365
    booking = BookingFactory(service=service, customer=customer, status=Booking.Status.PENDING)
    assert booking_answer_by(booking=booking) == booking.start


def test_the_week_calendar_says_it_waits_for_the_provider(client, request_):
    client.force_login(request_.provider.user)
    day = request_.start.astimezone(request_.zone).date()
    html = client.get(f"/portal/bookings/calendar/?week={day:%Y-%m-%d}").content.decode()
    assert "Waiting for you: accept or decline by" in html
    assert "Waiting for the provider" not in html

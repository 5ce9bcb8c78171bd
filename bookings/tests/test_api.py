"""The bookings API: slots, booking, lists, detail and every transition, on the pages' rules."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from psycopg.types.range import Range
from rest_framework.test import APIClient

from accounts.tests.factories import ProviderProfileFactory, UserFactory
from bookings.locking import SLOT_TAKEN_MESSAGE
from bookings.models import Booking
from bookings.tests.conftest import free_slots
from bookings.tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def provider(service):
    """The user behind the service's provider (the conftest's provider has no listing)."""
    return service.provider.user


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def booking_body(slot, listing, **extra) -> dict:
    return {
        "service": listing.pk,
        "start": slot.value,
        "street_address": "12 Campbell Parade",
        "place": "Bondi",
        **extra,
    }


# --- Slots and booking -------------------------------------------------------------------------


def test_free_slots_then_book_one(service, customer):
    client = as_user(customer)
    day = free_slots(service)[0].local_start.date()
    answer = client.get(
        "/api/bookings/slots/",
        {"service": service.pk, "date_from": day.isoformat(), "date_to": day.isoformat()},
    )
    assert answer.status_code == 200
    days = answer.json()["days"]
    assert [d["date"] for d in days] == [day.isoformat()]
    values = [slot["value"] for slot in days[0]["slots"]]
    assert values == [slot.value for slot in free_slots(service)]

    created = client.post(
        "/api/bookings/", booking_body(free_slots(service)[0], service), format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    booking = Booking.objects.get()
    assert body["id"] == booking.pk and body["status"] == "pending"
    assert booking.customer == customer and booking.address == "12 Campbell Parade, Bondi, NSW"
    assert body["allowed_actions"] == ["cancel"]
    assert [event["action"] for event in body["timeline"]] == ["requested"]
    # The booked time is no longer free.
    again = client.get("/api/bookings/slots/", {"service": service.pk, "date_from": str(day)})
    assert values[0] not in [s["value"] for s in again.json()["days"][0]["slots"]]


def test_the_slot_range_is_bounded_and_read_like_the_pages(service, customer):
    client = as_user(customer)
    today = timezone.localdate()
    last = today + timedelta(days=14)
    too_long = {"service": service.pk, "date_from": str(today), "date_to": str(last)}
    answer = client.get("/api/bookings/slots/", too_long)
    assert answer.status_code == 400 and "date_to" in answer.json()["fields"]
    for query in [{"date_to": "2100-12-31"}, {"date_from": str(last), "date_to": str(today)}]:
        answer = client.get("/api/bookings/slots/", {"service": service.pk, **query})
        assert answer.status_code == 400 and "date_to" in answer.json()["fields"], query
    arabic_digits = "\u0662\u0660\u0662\u0666-01-01"
    for bad in ["2026-02-30", "1999-12-31", arabic_digits, "x" * 5000, "2026-1-1"]:
        answer = client.get("/api/bookings/slots/", {"service": service.pk, "date_from": bad})
        assert answer.status_code == 400, bad
        assert answer.json()["code"] == "invalid" and "date_from" in answer.json()["fields"]
    for bad in ["9" * 40, "-1", "abc"]:
        assert client.get("/api/bookings/slots/", {"service": bad}).status_code == 400
    assert client.get("/api/bookings/slots/", {"service": 2**62}).status_code == 404
    default = client.get("/api/bookings/slots/", {"service": service.pk}).json()
    assert len(default["days"]) == 14 and default["zone"] == "Australia/Sydney"


def test_status_owner_and_price_fields_posted_are_ignored(service, customer, provider):
    slot = free_slots(service)[0]
    other = UserFactory()
    body = booking_body(
        slot,
        service,
        status="accepted",
        customer=other.pk,
        provider=provider.provider_profile.pk,
        price="0.01",
        cancellation_fee="999",
        id=424242,
    )
    answer = as_user(customer).post("/api/bookings/", body, format="json")
    assert answer.status_code == 201
    booking = Booking.objects.get()
    assert booking.status == "pending" and booking.customer == customer
    assert booking.provider == service.provider and booking.price == service.price
    assert booking.cancellation_fee is None and booking.pk != 424242


def test_a_time_taken_before_booking_is_a_409_with_the_pages_message(client, service, customer):
    slot = free_slots(service)[0]
    BookingFactory(service=service, start=slot.start)
    answer = as_user(customer).post("/api/bookings/", booking_body(slot, service), format="json")
    assert answer.status_code == 409
    assert answer.json() == {"code": "slot_taken", "message": SLOT_TAKEN_MESSAGE, "fields": {}}
    assert Booking.objects.count() == 1

    client.force_login(customer)
    page = client.post(
        reverse("booking_new", args=[service.pk]),
        {**booking_body(slot, service), "date": slot.start.date().isoformat()},
    )
    assert page.status_code == 409
    assert SLOT_TAKEN_MESSAGE in page.content.decode()


def test_a_lost_race_answers_409_with_the_pages_message(service, customer, monkeypatch):
    """The time was free when checked and is taken when the row is written (the page's race)."""
    slot = free_slots(service)[0]
    BookingFactory(service=service, start=slot.start)
    monkeypatch.setattr("bookings.services.creation.slot_find", lambda **kwargs: slot)
    answer = as_user(customer).post("/api/bookings/", booking_body(slot, service), format="json")
    assert answer.status_code == 409
    assert answer.json() == {"code": "slot_taken", "message": SLOT_TAKEN_MESSAGE, "fields": {}}
    assert Booking.objects.count() == 1


def test_bad_booking_input_is_a_400_never_a_500(service, customer):
    client = as_user(customer)
    slot = free_slots(service)[0]
    cases = [
        booking_body(slot, service, service=2**70),
        booking_body(slot, service, service="seven"),
        booking_body(slot, service, start="tomorrow"),
        booking_body(slot, service, start=["x"]),
        booking_body(slot, service, street_address="x" * 151),
        booking_body(slot, service, notes="n" * 100_000),
        booking_body(slot, service, place="Atlantis"),
        booking_body(slot, service, place="Wollongong"),
        booking_body(slot, service, street_address="   "),
        {"service": service.pk},
        [],
    ]
    for body in cases:
        answer = client.post("/api/bookings/", body, format="json")
        assert answer.status_code == 400, (body, answer.content)
        assert set(answer.json()) == {"code", "message", "fields"}
    bad_json = client.post("/api/bookings/", "{", content_type="application/json")
    assert bad_json.status_code == 400
    wrong_type = client.post("/api/bookings/", "service=1", content_type="text/plain")
    assert wrong_type.status_code == 415
    assert Booking.objects.count() == 0


def test_anonymous_callers_are_refused(api, service):
    assert api.get("/api/bookings/").status_code == 401
    assert api.get("/api/bookings/slots/", {"service": service.pk}).status_code == 401


# --- Lists and detail --------------------------------------------------------------------------


def test_the_list_is_ones_own_filtered_by_role_and_status(service, customer, provider):
    mine = BookingFactory(service=service, customer=customer)
    accepted = BookingFactory(
        service=service, customer=customer, status="accepted", start=mine.start + timedelta(1)
    )
    BookingFactory(service=service, start=mine.start + timedelta(2))  # someone else's
    other_service_booking = BookingFactory(customer=provider)  # the provider as a customer

    def ids(client, **query):
        answer = client.get("/api/bookings/", query)
        assert answer.status_code == 200
        return {row["id"] for row in answer.json()["results"]}

    assert ids(as_user(customer)) == {mine.pk, accepted.pk}
    assert ids(as_user(customer), status="accepted") == {accepted.pk}
    assert ids(as_user(customer), role="provider") == set()
    assert len(ids(as_user(provider), role="provider")) == 3
    assert ids(as_user(provider), role="customer") == {other_service_booking.pk}
    assert as_user(customer).get("/api/bookings/", {"status": "bogus"}).status_code == 400
    assert as_user(customer).get("/api/bookings/", {"role": "admin"}).status_code == 400


@pytest.mark.parametrize("rows", [1, 5])
def test_the_list_asks_a_constant_number_of_queries(
    service, customer, rows, django_assert_num_queries
):
    start = free_slots(service)[0].start
    for n in range(rows):
        BookingFactory(service=service, customer=customer, start=start + timedelta(days=n))
    client = as_user(customer)
    with django_assert_num_queries(2):  # the count and the page
        answer = client.get("/api/bookings/")
    assert len(answer.json()["results"]) == rows


def test_another_users_booking_is_404_everywhere(service, customer):
    booking = BookingFactory(service=service)
    client = as_user(customer)
    other_provider = ProviderProfileFactory(approved=True).user
    for user in [customer, other_provider]:
        client = as_user(user)
        assert client.get(f"/api/bookings/{booking.pk}/").status_code == 404
        assert client.get(f"/api/bookings/{booking.pk}/cancellation/").status_code == 404
        for action in ["accept", "decline", "cancel", "complete", "reschedule/accept"]:
            answer = client.post(f"/api/bookings/{booking.pk}/{action}/", {"reason": "x"})
            assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    booking.refresh_from_db()
    assert booking.status == "pending"


# --- Transitions -------------------------------------------------------------------------------


def test_the_provider_accepts_and_the_customer_may_not(service, customer, provider):
    booking = BookingFactory(service=service, customer=customer)
    refused = as_user(customer).post(f"/api/bookings/{booking.pk}/accept/")
    assert refused.status_code == 403
    assert refused.json()["message"] == "Only the provider can accept this booking."
    answer = as_user(provider).post(f"/api/bookings/{booking.pk}/accept/")
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    assert [e["action"] for e in answer.json()["timeline"]] == ["requested", "accepted"]
    again = as_user(provider).post(f"/api/bookings/{booking.pk}/accept/")
    assert again.status_code == 409 and again.json()["code"] == "wrong_state"


def test_the_provider_declines_with_a_reason(service, customer, provider):
    booking = BookingFactory(service=service, customer=customer)
    answer = as_user(provider).post(
        f"/api/bookings/{booking.pk}/decline/", {"reason": "Fully booked that week."}
    )
    assert answer.status_code == 200 and answer.json()["status"] == "declined"
    assert answer.json()["timeline"][-1]["reason"] == "Fully booked that week."


def test_the_fee_is_shown_first_then_cancelling_needs_a_reason(service, customer):
    start = timezone.now().replace(microsecond=0) + timedelta(hours=30)
    booking = BookingFactory(service=service, customer=customer, status="accepted", start=start)
    client = as_user(customer)
    preview = client.get(f"/api/bookings/{booking.pk}/cancellation/")
    assert preview.status_code == 200
    terms = preview.json()
    assert terms["percent"] == 50 and "50%" in terms["explanation"]
    assert terms["fee_timeline"]

    no_reason = client.post(f"/api/bookings/{booking.pk}/cancel/", {"reason": "  "})
    assert no_reason.status_code == 400
    assert no_reason.json()["fields"] == {"reason": ["Tell the other side why you are cancelling."]}
    answer = client.post(f"/api/bookings/{booking.pk}/cancel/", {"reason": "Moving house."})
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    assert answer.json()["cancellation_fee"] == terms["fee"]
    assert client.get(f"/api/bookings/{booking.pk}/cancellation/").status_code == 409


def test_a_new_time_is_proposed_and_accepted_by_the_other_side(service, customer, provider):
    first, second = free_slots(service)[:2]
    booking = BookingFactory(
        service=service, customer=customer, status="accepted", start=first.start
    )
    proposed = as_user(customer).post(
        f"/api/bookings/{booking.pk}/reschedule/", {"start": second.value}
    )
    assert proposed.status_code == 200
    assert proposed.json()["proposed_by_me"] is True
    assert "reschedule-accept" not in proposed.json()["allowed_actions"]
    own_answer = as_user(customer).post(f"/api/bookings/{booking.pk}/reschedule/accept/")
    assert own_answer.status_code == 403
    seen = as_user(provider).get(f"/api/bookings/{booking.pk}/").json()
    assert {"reschedule-accept", "reschedule-decline"} <= set(seen["allowed_actions"])
    moved = as_user(provider).post(f"/api/bookings/{booking.pk}/reschedule/accept/")
    assert moved.status_code == 200
    booking.refresh_from_db()
    assert booking.start == second.start and booking.proposed_period is None


def test_a_proposal_can_be_declined_and_bad_times_are_refused(service, customer, provider):
    first, second = free_slots(service)[:2]
    booking = BookingFactory(
        service=service, customer=customer, status="accepted", start=first.start
    )
    client = as_user(provider)
    for bad in [first.value, "2026-13-01T10:00Z", "", "x" * 21]:
        answer = client.post(f"/api/bookings/{booking.pk}/reschedule/", {"start": bad})
        assert answer.status_code == 400 and "start" in answer.json()["fields"], bad
    client.post(f"/api/bookings/{booking.pk}/reschedule/", {"start": second.value})
    declined = as_user(customer).post(
        f"/api/bookings/{booking.pk}/reschedule/decline/", {"reason": "Too early for me."}
    )
    assert declined.status_code == 200 and declined.json()["proposed_start"] is None


def test_completing_a_pending_booking_page_and_api_refuse_alike(client, service, provider):
    booking = BookingFactory(service=service)
    client.force_login(provider)
    page = client.post(f"/bookings/{booking.pk}/complete/")
    flashed = [str(message) for message in get_messages(page.wsgi_request)]

    answer = as_user(provider).post(f"/api/bookings/{booking.pk}/complete/")

    assert answer.status_code == 409 and answer.json()["code"] == "wrong_state"
    assert flashed == [answer.json()["message"]]
    assert answer.json()["message"] == "Only a confirmed booking can be marked completed."
    booking.refresh_from_db()
    assert booking.status == "pending"


def test_the_provider_completes_a_started_job(service, customer, provider):
    start = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    booking = BookingFactory(service=service, customer=customer, status="accepted", start=start)
    booking.period = Range(start, start + timedelta(hours=1), "[)")
    booking.save(update_fields=["period"])
    answer = as_user(provider).post(f"/api/bookings/{booking.pk}/complete/", {"status": "x"})
    assert answer.status_code == 200 and answer.json()["status"] == "completed"

"""No double booking: many people at once, each on their own database connection."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from psycopg.types.range import Range

from accounts.tests.factories import UserFactory
from bookings import services
from bookings.locking import SlotTaken, is_lost_race
from bookings.models import Booking
from bookings.tests.conftest import free_slots
from marketplace.testing import database_pool

ATTEMPTS = 24


@pytest.fixture(autouse=True)
def a_connection_for_every_thread(transactional_db):
    """Every attempt holds its own connection at the same moment (the barriers), so the pool
    needs one for each and one for the test's thread; the default pool is smaller and would
    leave the extra threads waiting for connections that the waiting threads hold."""
    with database_pool(max_size=ATTEMPTS + 1):
        yield


def _in_thread(work):
    """Run `work` on this thread's own connection, and close it afterwards."""

    def run(*args):
        try:
            return work(*args)
        finally:
            connection.close()

    return run


@pytest.mark.django_db(transaction=True)
def test_one_slot_many_customers_exactly_one_booking(service):
    customers = [UserFactory() for _ in range(ATTEMPTS)]
    slot = free_slots(service)[0]

    # --- Control: check-then-insert without the provider lock. Every thread checks first,
    # then all insert together: more than one sees the slot free, so without a guarantee
    # in the database there would be several bookings. The exclusion constraint keeps one.
    checked = threading.Barrier(ATTEMPTS, timeout=30)
    saw_free = []

    @_in_thread
    def unlocked(customer):
        free = not Booking.objects.filter(
            provider_id=service.provider_id,
            status__in=Booking.ACTIVE,
            period__overlap=(slot.start, slot.end),
        ).exists()
        saw_free.append(free)
        checked.wait()
        if not free:
            return "refused"
        try:
            with transaction.atomic():
                Booking.objects.create(
                    customer=customer,
                    provider_id=service.provider_id,
                    service=service,
                    period=Range(slot.start, slot.end, "[)"),
                    address="1 Test Street, Bondi, NSW",
                    point=service.point,
                    price_type=service.price_type,
                    price=service.price,
                    cancellation_policy="moderate",
                )
        except (IntegrityError, OperationalError) as error:
            # Two inserts checking the constraint against each other's uncommitted rows can
            # also end in a deadlock, which PostgreSQL breaks by refusing one of them.
            assert is_lost_race(error), error
            return "constraint"
        return "booked"

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        control = list(pool.map(unlocked, customers))
    assert sum(saw_free) > 1, "the race did not happen: every thread but one saw it taken"
    assert control.count("booked") == 1
    assert control.count("constraint") == sum(saw_free) - 1
    Booking.objects.all().delete()

    # --- The real thing: booking_create locks the provider row, re-checks, inserts.
    start = threading.Barrier(ATTEMPTS, timeout=30)

    @_in_thread
    def attempt(customer):
        start.wait()
        try:
            services.booking_create(
                customer=customer,
                service=service,
                start=slot.start,
                street_address="1 Test Street",
                place="Bondi",
            )
        except SlotTaken as taken:
            return taken.messages[0]
        return "booked"

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        results = list(pool.map(attempt, customers))
    assert results.count("booked") == 1
    refusals = [result for result in results if result != "booked"]
    assert len(refusals) == ATTEMPTS - 1
    assert set(refusals) <= {
        "That slot was just taken. Please pick another time.",
        "That time is not available. Please pick one of the free times.",
    }
    assert Booking.objects.count() == 1
    assert Booking.objects.get().events.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_lock_timeout_becomes_slot_taken(service, settings):
    settings.BOOKING_LOCK_TIMEOUT_MS = 200
    slot = free_slots(service)[0]
    customer = UserFactory()
    holding = threading.Event()
    release = threading.Event()

    @_in_thread
    def hold_the_provider_row():
        with transaction.atomic():
            list(type(service.provider).objects.select_for_update().filter(pk=service.provider_id))
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_provider_row)
    holder.start()
    try:
        assert holding.wait(10)
        with pytest.raises(SlotTaken) as taken:
            services.booking_create(
                customer=customer,
                service=service,
                start=slot.start,
                street_address="1 Test Street",
                place="Bondi",
            )
        assert taken.value.messages == ["That slot was just taken. Please pick another time."]
    finally:
        release.set()
        holder.join()
    assert not Booking.objects.exists()

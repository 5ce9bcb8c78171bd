"""One open case per booking even when both parties report at the same moment, each on its
own database connection: one case, the other told there is already one."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from marketplace.errors import WrongState
from marketplace.testing import database_pool
from support import services
from support.models import Case, CaseEvent
from support.tests.factories import finished_booking

ATTEMPTS = 6


@pytest.mark.django_db(transaction=True)
def test_reports_at_the_same_moment_make_one_case(places):
    booking = finished_booking()
    people = [booking.customer, booking.provider.user] * (ATTEMPTS // 2)
    ready = threading.Barrier(ATTEMPTS, timeout=30)

    def report(person):
        try:
            ready.wait()
            services.case_open(
                booking=booking,
                user=person,
                reason="no_show",
                description="Nobody was there at the agreed time.",
            )
            return "opened"
        except WrongState as error:
            return error.code
        finally:
            connection.close()

    with database_pool(max_size=ATTEMPTS + 1), ThreadPoolExecutor(ATTEMPTS) as pool:
        outcomes = sorted(pool.map(report, people))

    assert outcomes == ["case_already_open"] * (ATTEMPTS - 1) + ["opened"]
    assert Case.objects.filter(booking=booking).count() == 1
    assert CaseEvent.objects.filter(action="opened").count() == 1

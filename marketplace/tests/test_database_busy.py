"""No connection to be had: a 503 page with Retry-After and a warning, never a 500."""

import logging
import threading

import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import Client
from psycopg_pool import PoolTimeout

from marketplace.middleware import RETRY_AFTER_SECONDS, database_busy_reason
from marketplace.testing import database_pool, no_database_pool


def _get_from_another_thread(path: str):
    """A request on a thread of its own, as every request is under daphne: it needs a
    connection of its own."""
    answer = {}

    def get():
        try:
            answer["response"] = Client().get(path)
        except Exception as error:  # re-raised below, on the test's thread
            answer["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=get)
    thread.start()
    thread.join(30)
    if "error" in answer:
        raise answer["error"]
    return answer["response"]


def _assert_busy_page(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-cache" in response["Cache-Control"]
    page = response.content.decode()
    assert "We are busy right now" in page
    assert "css/site.css" in page and 'class="site-header"' in page  # the site's look


@pytest.mark.django_db(transaction=True)
def test_a_request_that_cannot_get_a_connection_in_time_is_a_503(caplog):
    with database_pool(min_size=1, max_size=1, timeout=0.2):
        connection.ensure_connection()  # this thread holds the pool's only connection
        with caplog.at_level(logging.WARNING, logger="django.request"):
            response = _get_from_another_thread("/")
        _assert_busy_page(response)
        [record] = caplog.records
        assert record.levelno == logging.WARNING
        assert record.getMessage() == "Database busy (no connection free in the pool): GET /"

        connection.close()  # gives it back: the same page is served again
        assert _get_from_another_thread("/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_postgresql_refusing_a_connection_is_a_503(caplog):
    """A real refusal: the test database's own connection limit, reached by this thread."""
    name = connection.settings_dict["NAME"]
    with no_database_pool():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name])
            [open_now] = cursor.fetchone()
            cursor.execute(f'ALTER DATABASE "{name}" CONNECTION LIMIT {open_now}')
        try:
            with caplog.at_level(logging.WARNING, logger="django.request"):
                response = _get_from_another_thread("/")
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f'ALTER DATABASE "{name}" CONNECTION LIMIT -1')
    _assert_busy_page(response)
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "Database busy (PostgreSQL refused another connection): GET /"


@pytest.mark.parametrize(
    "message",
    [
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
        "FATAL:  sorry, too many clients already",
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
        "FATAL:  remaining connection slots are reserved for non-replication superuser "
        "connections",
    ],
)
def test_the_server_being_full_is_busy(message):
    """The wording PostgreSQL 15 uses when every slot is taken, as Django raises it (wrapping
    psycopg's error); filling the shared server to see it would hurt everybody else on it."""
    try:
        try:
            raise psycopg.OperationalError(message)
        except psycopg.OperationalError as driver_error:
            raise OperationalError(*driver_error.args) from driver_error
    except OperationalError as error:
        assert database_busy_reason(error) == "PostgreSQL refused another connection"


def test_the_pool_running_out_is_busy():
    try:
        raise OperationalError("couldn't get a connection") from PoolTimeout("after 5.00 sec")
    except OperationalError as error:
        assert database_busy_reason(error) == "no connection free in the pool"


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("connection failed: Connection refused"),  # the database is down
        OperationalError("canceling statement due to lock timeout"),
        ValueError("too many clients already"),  # not from the database at all
    ],
)
def test_other_errors_are_not_busy(error):
    assert database_busy_reason(error) is None

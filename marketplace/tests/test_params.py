"""marketplace.params and marketplace.fields: one way to read numbers, dates and `next` URLs."""

from datetime import date

import pytest
from django import forms
from django.test import RequestFactory

from marketplace.fields import DateField
from marketplace.params import (
    DATE_MAX,
    DATE_MIN,
    MAX_ID,
    local_url,
    parse_date,
    parse_id,
    parse_int,
    redirect_next,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", 0), ("7", 7), ("007", 7), (str(MAX_ID), MAX_ID), ("0" * 5000 + "42", 42)],
)
def test_whole_numbers_are_ascii_digits_within_bounds(raw, expected):
    assert parse_int(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "²",  # isdigit() says yes; int() refuses it
        "٣",  # int() would read 3
        "1²",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1.0",
        "1e3",
        "1e309",
        "0x10",
        "1_000",
        "1\x00",
        str(MAX_ID + 1),
        "9" * 5000,  # int() of this many digits is refused, and slow
    ],
)
def test_anything_else_is_no_number(raw):
    assert parse_int(raw) is None


def test_bounds_are_the_callers():
    assert parse_int("0", minimum=1) is None
    assert parse_int("250", minimum=1, maximum=250) == 250
    assert parse_int("251", minimum=1, maximum=250) is None
    assert parse_id("0") is None
    assert parse_id("1") == 1
    assert parse_id(str(MAX_ID + 1)) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-14", date(2026, 3, 14)),
        (DATE_MIN.isoformat(), DATE_MIN),
        (DATE_MAX.isoformat(), DATE_MAX),
        ("2028-02-29", date(2028, 2, 29)),
    ],
)
def test_dates_are_iso_and_within_the_range(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "0001-01-01",
        "9999-12-31",
        "1999-12-31",
        "2101-01-01",
        "2026-02-30",
        "2026-13-01",
        "20260314",  # fromisoformat() reads these; people's links never carry them
        "2026-W11-6",
        "2026-03-14T10:00",
        "\uff12\uff10\uff12\uff16-03-14",  # fullwidth digits
        "2026-03-14\x00",
        " 2026-03-14",
    ],
)
def test_anything_else_is_no_date(raw):
    assert parse_date(raw) is None


def test_date_bounds_can_be_narrowed():
    assert parse_date("2026-03-14", minimum=date(2026, 3, 15)) is None
    assert parse_date("2026-03-14", maximum=date(2026, 3, 14)) == date(2026, 3, 14)


@pytest.fixture
def request_():
    return RequestFactory().post("/portal/listings/1/status/")


@pytest.mark.parametrize(
    "value", ["/portal/listings/", "/portal/listings/?page=2#top", "/s%C3%A9", "/"]
)
def test_next_may_be_a_path_on_this_site(request_, value):
    assert local_url(request_, value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "abc",  # redirect() would look up a view called "abc"
        "portal_service_list",
        "../admin/",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "http://testserver/portal/",  # our own host, but not a path
        "javascript:alert(1)",
        "/portal/\x00",
        "/portal/\r\nSet-Cookie: a=b",
        "/" + "x" * 2000,
    ],
)
def test_next_is_nothing_else(request_, value):
    assert local_url(request_, value) is None


def test_redirect_next_falls_back_to_a_url_never_a_view_name(request_):
    assert redirect_next(request_, "/bookings/", fallback="/portal/")["Location"] == "/bookings/"
    for value in ("abc", "//evil.example", None):
        response = redirect_next(request_, value, fallback="/portal/")
        assert response.status_code == 302
        assert response["Location"] == "/portal/"


class _DayForm(forms.Form):
    day = DateField()


@pytest.mark.parametrize("raw", ["1999-12-31", "0001-01-01", "9999-12-31", "2101-01-01"])
def test_the_shared_date_field_refuses_dates_out_of_range(raw):
    form = _DayForm({"day": raw})
    assert not form.is_valid()
    assert form.errors["day"] == ["Enter a date from 1 January 2000 to 31 December 2100."]


@pytest.mark.parametrize(("raw", "expected"), [("2000-01-01", DATE_MIN), ("2100-12-31", DATE_MAX)])
def test_the_shared_date_field_takes_the_ends_of_the_range(raw, expected):
    form = _DayForm({"day": raw})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == expected


def test_the_shared_date_field_tells_the_browser_its_range():
    html = str(_DayForm()["day"])
    assert 'type="date"' in html
    assert 'min="2000-01-01"' in html
    assert 'max="2100-12-31"' in html

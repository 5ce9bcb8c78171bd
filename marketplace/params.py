"""Reading what people send: whole numbers, dates and `next` URLs. One way each, for every view.

Query strings and form fields are text anybody can type, so each reader here returns a value
the caller can use or None (the caller then falls back to its default, shows a message or
answers 404); none of them raises.

- Whole numbers are ASCII digits only, within bounds: `str.isdigit()` accepts "²", which
  `int()` refuses, and `int()` accepts "٣" and " 7 "; ids and offsets must fit PostgreSQL's
  bigint.
- Dates are ISO `YYYY-MM-DD` between DATE_MIN and DATE_MAX, so arithmetic on them (the week
  after, a day's slots, a quote's end) can never leave Python's or PostgreSQL's calendar.
  Forms get the same bounds from `marketplace.fields.DateField`.
- `next` URLs are paths on this site only, checked with `url_has_allowed_host_and_scheme` and
  answered with `HttpResponseRedirect`: Django's `redirect()` would take a string that is not a
  URL ("abc") for a view name and fail with NoReverseMatch.
"""

from __future__ import annotations

import re
from datetime import date

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

# The largest value of PostgreSQL's bigint: ids, and anything multiplied into an OFFSET.
MAX_ID = 2**63 - 1
# Dates people may send. Wide enough for any booking, job or insurance policy, and far enough
# from Python's date.min / date.max (years 1 and 9999) that adding weeks or days cannot overflow.
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)

# Longer `next` values are not links this site made.
MAX_URL_LENGTH = 2000

_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def parse_int(value: str | None, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """`value` as a whole number from `minimum` to `maximum`, or None.

    Only ASCII digits: no sign, no spaces, no "²" or "٣", no exponent.
    """
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    # Compare lengths first: int() of thousands of digits is slow, then refused.
    digits = value.lstrip("0") or "0"
    if len(digits) > len(str(maximum)):
        return None
    number = int(digits)
    return number if minimum <= number <= maximum else None


def parse_id(value: str | None) -> int | None:
    """A database id (1 to bigint's largest), or None."""
    return parse_int(value, minimum=1, maximum=MAX_ID)


def date_in_range(day: date, *, minimum: date = DATE_MIN, maximum: date = DATE_MAX) -> bool:
    return minimum <= day <= maximum


def parse_date(
    value: str | None, *, minimum: date = DATE_MIN, maximum: date = DATE_MAX
) -> date | None:
    """An ISO date (2026-03-14) from `minimum` to `maximum`, or None (for 2026-02-30 too)."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if date_in_range(day, minimum=minimum, maximum=maximum) else None


def local_url(request: HttpRequest, value: str | None) -> str | None:
    """`value` when it is a path on this site ("/portal/listings/"), else None.

    Not "abc" (a relative path, or to redirect() a view name), "//evil.example",
    "https://evil.example/", "javascript:alert(1)", nor anything with a host, even ours.
    """
    if not isinstance(value, str) or not value.startswith("/") or len(value) > MAX_URL_LENGTH:
        return None
    if any(ord(character) < 32 or ord(character) == 127 for character in value):
        return None
    if not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return value


def redirect_next(
    request: HttpRequest, value: str | None, *, fallback: str
) -> HttpResponseRedirect:
    """Redirect to `value` when it is a path on this site, else to `fallback` (a URL, not a
    view name: resolve it with reverse() or get_absolute_url() first)."""
    return HttpResponseRedirect(local_url(request, value) or fallback)

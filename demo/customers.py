"""Demo customers: the people who booked the demo providers and reviewed them.

A customer lives in one city and is known by a number: customer *n* of city *c* is always the
same person (`customer_number`), named from `data/reviews.yaml` so that no two customers share a
name (`customer_name`: every first name and surname pair once, in a scrambled order, then the
same pairs with a middle initial). A provider's customers come from its city, from a pool that
grows with the number of providers there (`customer_pool`), so people in a big city book several
providers and nobody in Perth reviews a plumber in Hobart. `customers_ensure` creates the ones
a seed step needs and returns their user ids.
"""

import string
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password

from accounts.models import User

from .dataset import demo_data

# The domain of every demo customer (the conversations' three have names as their local part).
CUSTOMER_EMAIL_DOMAIN = "customers.nearhand.test"
# A city's pool of customers: this many, and this many more for each demo provider based there
# (so a provider has a few repeat customers, not dozens).
CUSTOMERS_PER_CITY = 60
CUSTOMERS_PER_PROVIDER = 30
# A large prime: stepping through the name pairs by it scrambles their order (it shares no
# factor with the number of pairs; the test checks).
_NAME_STEP = 7919


def customer_number(*, city_position: int, number: int, city_count: int) -> int:
    """The global number (from 1) of customer `number` (from 1) of the city at `city_position`
    among `city_count` cities: one to one, so each customer has an email and a name of its own."""
    return (number - 1) * city_count + city_position + 1


def customer_email(number: int) -> str:
    return f"customer-{number:06d}@{CUSTOMER_EMAIL_DOMAIN}"


def _initials(position: int) -> str:
    """ "A.", "B.", ... "Z.", then "A. A.", "A. B."...: the middle initials of later customers."""
    letters = string.ascii_uppercase
    if position < len(letters):
        return f"{letters[position]}."
    first, second = divmod(position - len(letters), len(letters))
    return f"{letters[first % len(letters)]}. {letters[second]}."


def customer_name(number: int) -> str:
    """The name of customer `number` (from 1): no two numbers share one."""
    words = demo_data().customer_words
    firsts, surnames = words.first_names, words.surnames
    pairs = len(firsts) * len(surnames)
    middle, position = divmod(number - 1, pairs)
    first, surname = divmod(position * _NAME_STEP % pairs, len(surnames))
    if middle == 0:
        return f"{firsts[first]} {surnames[surname]}"
    return f"{firsts[first]} {_initials(middle - 1)} {surnames[surname]}"


def customer_pool(*, providers_in_city: int) -> int:
    """How many customers a provider can draw from: its city's pool when it is the
    `providers_in_city`-th demo provider there (it never depends on the scale)."""
    return CUSTOMERS_PER_CITY + CUSTOMERS_PER_PROVIDER * max(1, providers_in_city)


def customers_ensure(
    numbers: Iterable[int], *, joined_before: datetime
) -> tuple[dict[int, int], int]:
    """The user id of each demo customer in `numbers`, creating those that do not exist, and
    how many it created.

    They joined a while before `joined_before` (their first booking) and cannot sign in.
    Two queries and one bulk insert, whatever the number.
    """
    wanted = sorted(set(numbers))
    emails = {customer_email(number): number for number in wanted}
    found = dict(User.objects.filter(email__in=list(emails)).values_list("email", "pk"))
    unusable_password = make_password(None)
    new = [
        User(
            email=email,
            name=customer_name(number),
            password=unusable_password,
            date_joined=joined_before - timedelta(days=30 + number % 300, hours=number % 24),
        )
        for email, number in emails.items()
        if email not in found
    ]
    for user in User.objects.bulk_create(new, batch_size=2000):
        found[user.email] = user.pk
    return {number: found[email] for email, number in emails.items()}, len(new)

"""Working hours for demo providers, so demo listings have free slots to book."""

import datetime as dt

from django.db.models import Q

from accounts.models import ProviderProfile
from bookings.models import WeeklyAvailability

from .dataset import demo_data
from .providers import PROVIDER_EMAIL_DOMAIN

# Weekdays 8 am to 5 pm with a lunch break, Saturday mornings: a typical tradie's week.
_WEEK = [
    *((weekday, dt.time(8), dt.time(12)) for weekday in range(5)),
    *((weekday, dt.time(13), dt.time(17)) for weekday in range(5)),
    (5, dt.time(9), dt.time(13)),
]


def availability_seed() -> int:
    """Give every demo provider without working hours the demo week (real providers set their
    own); returns the rows created."""
    demo_account = demo_data().account("provider")
    demo = Q(user__email__endswith=f"@{PROVIDER_EMAIL_DOMAIN}") | Q(user__email=demo_account.email)
    missing = (
        ProviderProfile.objects.filter(demo, weekly_hours__isnull=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    rows = [
        WeeklyAvailability(provider_id=provider_id, weekday=weekday, start_time=start, end_time=end)
        for provider_id in missing.iterator()
        for weekday, start, end in _WEEK
    ]
    WeeklyAvailability.objects.bulk_create(rows, batch_size=2000)
    return len(rows)

"""How times read on pages and in emails: always in a city's own time, with the city named.

Times are stored in UTC; every page shows them where the job is ("9:00 am (Perth time)").
"""

from datetime import datetime
from zoneinfo import ZoneInfo

DASH = "\u2013"  # an en dash between two times


def clock(moment: datetime) -> str:
    """9:00 am, 12:30 pm."""
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'am' if moment.hour < 12 else 'pm'}"


def day_label(moment: datetime) -> str:
    """Tue 3 Dec 2026 (and Mon 1 Jan 0001: strftime's %Y drops the leading zeros)."""
    return f"{moment:%a} {moment.day} {moment:%b} {moment.year:04d}"


def moment_label(moment: datetime) -> str:
    """Tue 1 Dec 9:00 am: a moment soon enough that its year goes without saying."""
    return f"{moment:%a} {moment.day} {moment:%b} {clock(moment)}"


def zone_name(city_name: str) -> str:
    return f"{city_name} time"


def when_label(*, start: datetime, end: datetime, zone: ZoneInfo, city_name: str) -> str:
    """Tue 3 Dec 2026, 9:00 am to 10:00 am, with an en dash (Perth time)."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return (
        f"{day_label(local_start)}, {clock(local_start)} {DASH} {clock(local_end)} "
        f"({zone_name(city_name)})"
    )

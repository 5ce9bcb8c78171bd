"""Calendar invites (RFC 5545 iCalendar) attached to booking emails."""

from datetime import UTC, datetime

from django.utils import timezone

PRODID = "-//Nearhand//Bookings//EN"
_FOLD_AT = 75  # octets per line, not counting the CRLF


def booking_ics(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    summary: str,
    location: str,
    description: str,
    url: str,
    stamp: datetime | None = None,
) -> str:
    """One event as an .ics file: CRLF lines, folded at 75 octets, times in UTC."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{_text(uid)}",
        f"DTSTAMP:{_utc(stamp or timezone.now())}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(end)}",
        f"SUMMARY:{_text(summary)}",
    ]
    if location:
        lines.append(f"LOCATION:{_text(location)}")
    if description:
        lines.append(f"DESCRIPTION:{_text(description)}")
    if url:
        lines.append(f"URL:{_uri(url)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(_fold(line) + "\r\n" for line in lines)


def _utc(moment: datetime) -> str:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return "".join(ch for ch in value if ch == "\t" or (ord(ch) >= 0x20 and ord(ch) != 0x7F))


def _uri(value: str) -> str:
    """A URI value is not escaped, but must stay on its (folded) line: drop control characters."""
    return "".join(ch for ch in value if ord(ch) > 0x20 and ord(ch) != 0x7F)


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, never splitting a UTF-8 character (RFC 5545 3.1)."""
    if len(line.encode()) <= _FOLD_AT:
        return line
    parts: list[str] = []
    current, size, limit = "", 0, _FOLD_AT
    for ch in line:
        width = len(ch.encode())
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, _FOLD_AT - 1  # continuation lines start with a space
        current += ch
        size += width
    parts.append(current)
    return "\r\n ".join(parts)

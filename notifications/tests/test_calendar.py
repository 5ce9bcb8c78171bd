from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from notifications.calendar import booking_ics

SYDNEY = ZoneInfo("Australia/Sydney")


def make(**overrides) -> str:
    values = {
        "uid": "booking-42@nearhand",
        "start": datetime(2026, 3, 10, 9, 0, tzinfo=SYDNEY),
        "end": datetime(2026, 3, 10, 11, 30, tzinfo=SYDNEY),
        "summary": "Plumbing, Blocked drains; with Pat",
        "location": "12 Smith St, Newtown NSW",
        "description": "Bring a ladder.\nGate code 1234, thanks",
        "url": "https://nearhand.example/bookings/42/?a=1,2",
        "stamp": datetime(2026, 3, 1, 0, 0, tzinfo=UTC),
    }
    return booking_ics(**(values | overrides))


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_it_is_a_calendar_with_one_event_and_crlf_lines():
    text = make()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # no bare line feeds
    lines = unfold(text)
    assert lines.count("BEGIN:VEVENT") == 1
    assert "UID:booking-42@nearhand" in lines


def test_times_are_utc_with_z():
    lines = unfold(make())
    # 9 am in Sydney on 10 March 2026 (daylight saving, UTC+11) is 10 pm the day before in UTC.
    assert "DTSTART:20260309T220000Z" in lines
    assert "DTEND:20260310T003000Z" in lines
    assert "DTSTAMP:20260301T000000Z" in lines


def test_text_values_are_escaped_and_urls_are_not():
    lines = unfold(make())
    assert "SUMMARY:Plumbing\\, Blocked drains\\; with Pat" in lines
    assert "LOCATION:12 Smith St\\, Newtown NSW" in lines
    assert "DESCRIPTION:Bring a ladder.\\nGate code 1234\\, thanks" in lines
    assert "URL:https://nearhand.example/bookings/42/?a=1,2" in lines


def test_backslashes_are_escaped_first():
    assert "SUMMARY:a\\\\b\\;c" in unfold(make(summary="a\\b;c"))


def test_long_lines_fold_at_75_octets_without_splitting_characters():
    description = "Dépannage électrique — " * 20
    text = make(description=description)
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    folded = [line for line in text.split("\r\n") if line.startswith(" ")]
    assert folded  # it did fold
    # Folding is by whole characters, so unfolding gives the text back exactly.
    assert "DESCRIPTION:" + description in unfold(text)


def test_empty_optional_properties_are_left_out():
    lines = unfold(make(location="", description="", url=""))
    assert not any(line.startswith(("LOCATION", "DESCRIPTION", "URL")) for line in lines)

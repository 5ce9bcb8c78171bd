"""Every write on bookings and availability (the modules below hold them; this is the door).

- creation: booking_create (the booking page) and booking_insert_accepted (an accepted quote)
- transitions: accept, decline, cancel, reschedule (propose / accept / decline), complete,
  expire, reminders
- availability: weekly hours and exceptions

Who may do what is bookings.rules; no double booking is bookings.locking; fees are
bookings.policies; what people are told is bookings.notifications.
"""

from .availability import (
    availability_exception_add,
    availability_exception_delete,
    weekly_hours_add,
    weekly_hours_delete,
)
from .creation import booking_create, booking_insert_accepted
from .transitions import (
    booking_accept,
    booking_cancel,
    booking_complete,
    booking_decline,
    booking_expire,
    booking_reminder_send,
    booking_reschedule_accept,
    booking_reschedule_decline,
    booking_reschedule_propose,
)

__all__ = [
    "availability_exception_add",
    "availability_exception_delete",
    "booking_accept",
    "booking_cancel",
    "booking_complete",
    "booking_create",
    "booking_decline",
    "booking_expire",
    "booking_insert_accepted",
    "booking_reminder_send",
    "booking_reschedule_accept",
    "booking_reschedule_decline",
    "booking_reschedule_propose",
    "weekly_hours_add",
    "weekly_hours_delete",
]

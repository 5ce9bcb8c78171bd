"""Booking events, sent once the change is committed (marketplace.events.send_on_commit).

Every signal is sent with `sender=Booking` and `booking=` the booking as committed; `actor=`
is the person who made the change (None when the system did: an expiry). Receivers must be
quick and must not fail the sender: queue a Celery task for anything slow.

- `booking_created`: a new booking, pending (a request) or accepted (instant book or an
  accepted quote).
- `booking_accepted`: the provider accepted a request.
- `booking_declined`: the provider declined a request.
- `booking_cancelled`: either side cancelled (the fee is on `booking.cancellation_fee`).
- `booking_rescheduled`: the booking moved to a new time both sides agreed.
- `booking_completed`: the provider marked the job done (reviews open here).
- `booking_expired`: a request nobody answered in time.
"""

from django.dispatch import Signal

booking_created = Signal()
booking_accepted = Signal()
booking_declined = Signal()
booking_cancelled = Signal()
booking_rescheduled = Signal()
booking_completed = Signal()
booking_expired = Signal()

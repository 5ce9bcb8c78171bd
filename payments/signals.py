"""Payment events, sent once the change is committed (marketplace.events.send_on_commit), with
`sender=Payment` and `payment=` the payment as committed.

- `payment_captured`: the customer was charged (the job was completed, or a cancellation fee);
  the invoices are issued from here.
- `payment_failed`: an authorisation failed; the customer is asked to pay again.
"""

from django.dispatch import Signal

payment_captured = Signal()
payment_failed = Signal()

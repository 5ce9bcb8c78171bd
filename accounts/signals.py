"""Accounts' domain events, for upper apps that must react without accounts importing them."""

from django.dispatch import Signal

# A provider's insurance policy expires soon. Sent inside the transaction that records the
# notice (plain `send`, not after commit), so the in-app notification a receiver writes commits
# or rolls back with that record: a notice is either sent and recorded, or neither.
# Arguments: profile (ProviderProfile), expires_on (date), days_left (int).
insurance_expiring = Signal()

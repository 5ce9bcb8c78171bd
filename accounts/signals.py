"""Accounts' domain events, for upper apps that must react without accounts importing them."""

from django.dispatch import Signal

# A provider's insurance policy expires soon. Sent inside the transaction that records the
# notice (plain `send`, not after commit), so the in-app notification a receiver writes commits
# or rolls back with that record: a notice is either sent and recorded, or neither.
# Arguments: profile (ProviderProfile), expires_on (date), days_left (int).
insurance_expiring = Signal()

# A moderator suspended an account (sent after commit: marketplace.events.send_on_commit).
# Bookings cancels the open bookings the person made as a customer. Arguments: user (User, as
# committed), actor (User: the moderator), reason (str).
user_suspended = Signal()

# A provider profile was suspended, on its own or with its account (sent after commit).
# Bookings cancels the provider's open bookings. Arguments: profile (ProviderProfile), actor
# (User or None), reason (str).
provider_suspended = Signal()

"""Reviews open when a booking completes: the customer is asked to review it."""

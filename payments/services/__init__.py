"""Writes to payments, one module per concern. Each function runs in a transaction, locks the
rows it changes (payments.services.locking) and raises the domain errors of payments.errors and
marketplace.errors, never HTTP or form objects."""

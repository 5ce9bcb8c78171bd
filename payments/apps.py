from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self) -> None:
        # Bookings' domain events open, authorise, capture and release payments.
        # A charged payment issues its invoices.
        from . import (
            invoice_receivers,  # noqa: F401
            receivers,  # noqa: F401
            stripe_api,
        )

        stripe_api.configure()

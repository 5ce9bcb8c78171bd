from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        # Reviews open when a booking completes (bookings' domain events); the fraud rules
        # look at every sign-up.
        from . import fraud_receivers, receivers  # noqa: F401

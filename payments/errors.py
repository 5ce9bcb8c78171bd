"""The payments' domain errors (marketplace.errors maps their bases to HTTP statuses)."""

from marketplace.errors import Invalid, Unavailable


class CardDeclined(Invalid):
    """The card was refused (Stripe's message for people is the message)."""

    code = "card_declined"


class PaymentsUnavailable(Unavailable):
    """Stripe could not be reached or refused the request for a reason the person cannot fix."""

    code = "payments_unavailable"

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "We could not reach our payment provider. Nothing was charged; try again in a "
            "few minutes."
        )

"""Every call Nearhand makes to Stripe, through the official `stripe` library.

Services call these functions, never `stripe` directly, so that:
- every write carries an idempotency key the caller derives from our own row (a retry of the
  same step can never charge twice on Stripe);
- Stripe's errors become the project's domain errors: a declined card is `CardDeclined` with
  Stripe's message for people, anything else (network, Stripe down, a bad key) is
  `PaymentsUnavailable`;
- offline, `STRIPE_API_BASE` points the library at localstripe (`make run` / `make test` start
  it), which answers the same calls.
"""

from __future__ import annotations

import logging
from typing import Any

import stripe
from django.conf import settings

from marketplace.errors import Invalid

from .errors import CardDeclined, PaymentsUnavailable

logger = logging.getLogger(__name__)


def configure() -> None:
    """Point the library at Stripe (or localstripe), with our key and a bounded timeout."""
    stripe.api_key = settings.STRIPE_SECRET_KEY
    if settings.STRIPE_API_BASE:
        stripe.api_base = settings.STRIPE_API_BASE
    # The library retries network failures with the same idempotency key.
    stripe.max_network_retries = 2
    stripe.default_http_client = stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS)


def _call(function: Any, *args: Any, missing: str = "", **kwargs: Any) -> Any:
    """`function(*args, **kwargs)` with Stripe's errors as domain errors; with `missing`, an
    object Stripe does not know (an id someone sent us) is `Invalid` with that message."""
    try:
        return function(*args, **kwargs)
    except stripe.InvalidRequestError as error:
        if missing and error.http_status == 404:
            raise Invalid(missing) from error
        logger.warning("Stripe call %s failed: %s", getattr(function, "__qualname__", ""), error)
        raise PaymentsUnavailable() from error
    except stripe.CardError as error:
        raise CardDeclined(
            error.user_message or "Your card was declined.", code=error.code or "card_declined"
        ) from error
    except stripe.StripeError as error:
        logger.warning("Stripe call %s failed: %s", getattr(function, "__qualname__", ""), error)
        raise PaymentsUnavailable() from error


def customer_create(*, email: str, name: str, user_id: int) -> Any:
    return _call(
        stripe.Customer.create,
        email=email,
        name=name,
        metadata={"user_id": str(user_id)},
        idempotency_key=f"customer-{user_id}",
    )


def setup_intent_create(*, customer_id: str) -> Any:
    """A SetupIntent to save a card for later, off-session charges."""
    return _call(
        stripe.SetupIntent.create,
        customer=customer_id,
        usage="off_session",
        payment_method_types=["card"],
    )


def setup_intent_retrieve(setup_intent_id: str) -> Any:
    # The id comes from the browser: one Stripe does not know is bad input, not an outage.
    return _call(
        stripe.SetupIntent.retrieve,
        setup_intent_id,
        missing="That card could not be saved: enter it again.",
    )


def payment_method_retrieve(payment_method_id: str) -> Any:
    return _call(stripe.PaymentMethod.retrieve, payment_method_id)


def payment_method_attach(*, payment_method_id: str, customer_id: str) -> Any:
    """Attach a confirmed card to the customer (Stripe does it on confirming a SetupIntent
    made for that customer; localstripe does not, and attaching again changes nothing)."""
    return _call(
        stripe.PaymentMethod.attach,
        payment_method_id,
        customer=customer_id,
        idempotency_key=f"attach-{payment_method_id}-{customer_id}",
    )


def payment_method_detach(payment_method_id: str) -> Any:
    return _call(
        stripe.PaymentMethod.detach,
        payment_method_id,
        idempotency_key=f"detach-{payment_method_id}",
    )


def intent_authorise(
    *,
    amount_cents: int,
    customer_id: str,
    payment_method_id: str,
    idempotency_key: str,
    metadata: dict[str, str],
    capture: bool = False,
) -> Any:
    """Charge a saved card off-session: held for a later capture (`capture=False`), or taken
    at once."""
    return _call(
        stripe.PaymentIntent.create,
        amount=amount_cents,
        currency=settings.PAYMENTS_CURRENCY,
        customer=customer_id,
        payment_method=payment_method_id,
        capture_method="automatic" if capture else "manual",
        confirm=True,
        off_session=True,
        metadata=metadata,
        idempotency_key=idempotency_key,
    )


def intent_retrieve(payment_intent_id: str) -> Any:
    return _call(stripe.PaymentIntent.retrieve, payment_intent_id)


def intent_capture(*, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> Any:
    return _call(
        stripe.PaymentIntent.capture,
        payment_intent_id,
        amount_to_capture=amount_cents,
        idempotency_key=idempotency_key,
    )


def intent_cancel(*, payment_intent_id: str, idempotency_key: str) -> Any:
    """Release an authorisation: nothing is charged."""
    return _call(stripe.PaymentIntent.cancel, payment_intent_id, idempotency_key=idempotency_key)


def refund_create(
    *, payment_intent_id: str, amount_cents: int, idempotency_key: str, metadata: dict[str, str]
) -> Any:
    return _call(
        stripe.Refund.create,
        payment_intent=payment_intent_id,
        amount=amount_cents,
        metadata=metadata,
        idempotency_key=idempotency_key,
    )


def charge_retrieve(charge_id: str) -> Any:
    return _call(stripe.Charge.retrieve, charge_id)


def webhook_event(*, payload: bytes, signature: str) -> Any:
    """The event in a webhook request, if Stripe signed it with our secret; raises
    `ValueError` (bad JSON) or `stripe.SignatureVerificationError` otherwise."""
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)

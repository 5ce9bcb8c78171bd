"""Test helpers: what Stripe.js does in the browser, done against localstripe from Python.

Stripe.js confirms a SetupIntent with the card the person typed (localstripe's stand-in posts
the number to localstripe); these helpers post the same request, so tests save real cards on
the real (local) Stripe and then go through the same services the pages use.
"""

from __future__ import annotations

import json

import requests
from django.conf import settings

from accounts.models import User

from .models import SavedCard
from .services.cards import card_save, card_setup_start

# Stripe's test cards (localstripe knows the same numbers).
CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000002"  # refused when it is saved
CARD_CHARGE_DECLINED = "4000000000000341"  # saved fine; every charge on it is declined


def setup_intent_confirm(client_secret: str, number: str) -> requests.Response:
    """Confirm a SetupIntent with a card number, as localstripe's Stripe.js does."""
    setup_intent_id = client_secret.split("_secret_")[0]
    return requests.post(
        f"{settings.STRIPE_API_BASE}/v1/setup_intents/{setup_intent_id}/confirm",
        data=json.dumps(
            {
                "key": settings.STRIPE_PUBLISHABLE_KEY,
                "use_stripe_sdk": True,
                "client_secret": client_secret,
                "payment_method_data": {
                    "type": "card",
                    "card": {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"},
                    "billing_details": {"address": {"postal_code": "2000"}},
                },
            }
        ),
        timeout=10,
    )


def card_saved(user: User, number: str = CARD_OK) -> SavedCard:
    """Save a test card for `user` through the real flow (their default card from now on)."""
    client_secret = card_setup_start(user=user)
    response = setup_intent_confirm(client_secret, number)
    response.raise_for_status()
    return card_save(user=user, setup_intent_id=client_secret.split("_secret_")[0])

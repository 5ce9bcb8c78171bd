"""Saved cards: a customer enters a card once (Stripe.js confirms a SetupIntent in the browser,
so the number never reaches us) and it is saved to their Stripe customer for next time."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from accounts.models import User
from marketplace.errors import Invalid, NotAllowed, WrongState

from .. import stripe_api
from ..errors import PaymentsUnavailable
from ..models import Payment, SavedCard, StripeCustomer

logger = logging.getLogger(__name__)

# A person rarely has more; the bound keeps one account from filling Stripe with cards.
MAX_SAVED_CARDS = 10
ACTIVE_PAYMENT_STATES = (Payment.State.SCHEDULED, Payment.State.HELD, Payment.State.FAILED)


def stripe_customer_for(user: User) -> StripeCustomer:
    """The person's Stripe customer, made on Stripe the first time (the idempotency key makes
    two concurrent first times one customer)."""
    existing = StripeCustomer.objects.filter(user=user).first()
    if existing:
        return existing
    remote = stripe_api.customer_create(
        email=user.email, name=user.get_full_name(), user_id=user.pk
    )
    try:
        with transaction.atomic():
            return StripeCustomer.objects.create(user=user, stripe_id=remote.id)
    except IntegrityError:
        return StripeCustomer.objects.get(user=user)


def card_setup_start(*, user: User) -> str:
    """A SetupIntent's client secret for the card form (Stripe.js confirms it)."""
    if SavedCard.objects.filter(user=user).count() >= MAX_SAVED_CARDS:
        raise Invalid(f"You can save up to {MAX_SAVED_CARDS} cards: remove one first.")
    customer = stripe_customer_for(user)
    return stripe_api.setup_intent_create(customer_id=customer.stripe_id).client_secret


def card_save(*, user: User, setup_intent_id: str) -> SavedCard:
    """Save the card a confirmed SetupIntent collected, as the person's default card.

    The SetupIntent must be this person's and succeeded: anything else is refused, so nobody
    can save someone else's card by sending its id."""
    customer = StripeCustomer.objects.filter(user=user).first()
    if customer is None or not setup_intent_id.startswith("seti_") or len(setup_intent_id) > 255:
        raise Invalid("That card could not be saved: enter it again.")
    intent = stripe_api.setup_intent_retrieve(setup_intent_id)
    if intent.customer != customer.stripe_id:
        raise Invalid("That card could not be saved: enter it again.")
    if intent.status != "succeeded" or not intent.payment_method:
        raise Invalid("Your card was not confirmed: enter it again.")
    method = stripe_api.payment_method_retrieve(intent.payment_method)
    if method.customer is None:
        stripe_api.payment_method_attach(
            payment_method_id=method.id, customer_id=customer.stripe_id
        )
    elif method.customer != customer.stripe_id:
        raise Invalid("That card could not be saved: enter it again.")
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        card = SavedCard.objects.filter(stripe_payment_method_id=method.id).first()
        if card is not None and card.user_id != user.pk:
            raise Invalid("That card could not be saved: enter it again.")
        if card is None:
            if SavedCard.objects.filter(user=user).count() >= MAX_SAVED_CARDS:
                raise Invalid(f"You can save up to {MAX_SAVED_CARDS} cards: remove one first.")
            card = SavedCard(
                user=user,
                stripe_payment_method_id=method.id,
                brand=str(method.card.brand)[:20],
                last4=str(method.card.last4)[:4],
                exp_month=int(method.card.exp_month),
                exp_year=int(method.card.exp_year),
            )
        _make_default(user, card)
    return card


def _make_default(user: User, card: SavedCard) -> None:
    SavedCard.objects.filter(user=user, is_default=True).exclude(pk=card.pk).update(
        is_default=False
    )
    card.is_default = True
    card.save()


def card_make_default(*, user: User, card_id: int) -> SavedCard:
    """New bookings will be paid with this card."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        card = SavedCard.objects.filter(user=user, pk=card_id).first()
        if card is None:
            raise NotAllowed("That card is not one of yours.")
        _make_default(user, card)
    return card


def card_remove(*, user: User, card_id: int) -> None:
    """Forget a card, on Stripe too. A card still paying for a booking stays until that
    booking has another card or is settled."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        card = SavedCard.objects.filter(user=user, pk=card_id).first()
        if card is None:
            raise NotAllowed("That card is not one of yours.")
        if card.payments.filter(state__in=ACTIVE_PAYMENT_STATES).exists():
            raise WrongState(
                "This card pays for a booking that is not settled yet: pay that booking with "
                "another card first."
            )
        was_default = card.is_default
        payment_method_id = card.stripe_payment_method_id
        card.delete()
        if was_default:
            successor = SavedCard.objects.filter(user=user).order_by("-created_at").first()
            if successor:
                _make_default(user, successor)
        transaction.on_commit(lambda: _detach_quietly(payment_method_id))


def _detach_quietly(payment_method_id: str) -> None:
    # The card is gone from our side; Stripe keeping it a while longer harms nobody.
    try:
        stripe_api.payment_method_detach(payment_method_id)
    except PaymentsUnavailable:
        logger.warning("Could not detach %s from its Stripe customer", payment_method_id)

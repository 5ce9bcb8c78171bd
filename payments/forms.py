"""The payments' forms: they turn requests into values; payments.services decides."""

from __future__ import annotations

from django import forms

from marketplace.params import MAX_ID

# Stripe's ids are short ("seti_" and some 24 characters); the service checks the rest.
SETUP_INTENT_MAX_LENGTH = 255


class SetupIntentForm(forms.Form):
    """The SetupIntent Stripe.js confirmed in the browser (card_save checks it is yours)."""

    setup_intent = forms.CharField(
        max_length=SETUP_INTENT_MAX_LENGTH,
        error_messages={"required": "The card was not confirmed: enter it again."},
    )


class PayCardForm(forms.Form):
    """Which of the person's saved cards pays: one of theirs, checked by the service."""

    card = forms.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            "required": "Choose a card, or add a new one.",
            "invalid": "Choose one of your cards.",
            "min_value": "Choose one of your cards.",
            "max_value": "Choose one of your cards.",
        },
    )

    def clean_card(self) -> int:
        # IntegerField takes "٣" (int() does); only ASCII digits name a card.
        raw = self.data.get("card", "")
        if not str(raw).strip().isascii():
            raise forms.ValidationError("Choose one of your cards.")
        return self.cleaned_data["card"]

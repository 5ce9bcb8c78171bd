"""The Earnings pages' forms. They only read the request: payments.services.payout_accounts
checks every value (and says what is wrong), so the fields are plain and carry the service's
argument names."""

from django import forms

from .services.payout_accounts import ACCOUNT_NAME_MAX_LENGTH

# Room for what people type around the digits ("062-000", "1234 5678", "51 824 753 556").
_TYPED_MAX_LENGTH = 20


def _digits_field(label: str, help_text: str, *, autocomplete: str = "off") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=_TYPED_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": autocomplete}),
        help_text=help_text,
    )


class PayoutAccountForm(forms.Form):
    account_name = forms.CharField(
        label="Account name",
        max_length=ACCOUNT_NAME_MAX_LENGTH * 2,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="As your bank shows it.",
    )
    bsb = _digits_field("BSB", "6 digits, like 062-000.")
    account_number = _digits_field("Account number", "5 to 9 digits.")
    abn = _digits_field(
        "ABN",
        "Your 11-digit Australian Business Number: your tax invoices show it.",
        autocomplete="on",
    )
    gst_registered = forms.BooleanField(
        label="I am registered for GST",
        required=False,
        help_text="Your invoices then say “Tax invoice” and show the GST (1/11 of the price).",
    )

"""The Earnings pages' forms. They only read the request: payments.services.payout_accounts
checks every value (and says what is wrong), so the fields are plain and carry the service's
argument names."""

from django import forms

from .services.payout_accounts import ACCOUNT_NAME_MAX_LENGTH

# Room for what people type around the digits ("062-000", "1234 5678", "51 824 753 556").
_TYPED_MAX_LENGTH = 20


class PayoutAccountForm(forms.Form):
    account_name = forms.CharField(
        label="Account name",
        max_length=ACCOUNT_NAME_MAX_LENGTH * 2,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="As your bank shows it.",
    )
    bsb = forms.CharField(
        label="BSB",
        max_length=_TYPED_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text="6 digits, like 062-000.",
    )
    account_number = forms.CharField(
        label="Account number",
        max_length=_TYPED_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text="5 to 9 digits.",
    )
    abn = forms.CharField(
        label="ABN",
        max_length=_TYPED_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text="Your 11-digit Australian Business Number: your tax invoices show it.",
    )
    gst_registered = forms.BooleanField(
        label="I am registered for GST",
        required=False,
        help_text="Your invoices then say “Tax invoice” and show the GST (1/11 of the price).",
    )

"""A provider's payout details: the Australian bank account their weekly payout goes to, and the
ABN and GST registration their tax invoices show.

Only ASCII digits count as digits here: `str.isdigit()` and `int()` accept "²" or "٣", which no
bank file can carry, so those are refused with the same message as any other wrong character.
"""

from __future__ import annotations

import re

from django.db import transaction
from stdnum.au import abn as abn_number

from accounts.models import ProviderProfile
from marketplace.errors import Invalid

from ..models import PayoutAccount

ACCOUNT_NAME_MAX_LENGTH = PayoutAccount._meta.get_field("account_name").max_length
# What banks' bulk-payment files accept in a name; it starts with a letter or digit, so a
# spreadsheet opening the export never reads it as a formula.
_ACCOUNT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 &'().,/-]*")
_SEPARATORS = re.compile(r"[ -]")
_DIGITS = re.compile(r"[0-9]+")


def _digits(value: str) -> str | None:
    """`value` without spaces and dashes when what is left is ASCII digits, else None."""
    value = _SEPARATORS.sub("", value.strip())
    return value if _DIGITS.fullmatch(value) else None


def _account_name_error(name: str) -> str | None:
    if not name:
        return "Enter the name on the bank account."
    if len(name) > ACCOUNT_NAME_MAX_LENGTH:
        return f"Banks take at most {ACCOUNT_NAME_MAX_LENGTH} characters: shorten the name."
    if not _ACCOUNT_NAME.fullmatch(name):
        return (
            "Use plain letters (A to Z), digits, spaces and & ' ( ) . , / - only, starting "
            "with a letter or digit, as your bank shows the name."
        )
    return None


def _bsb_error(bsb: str | None) -> str | None:
    if bsb is None or len(bsb) != 6:
        return "A BSB is 6 digits, like 062-000."
    return None


def _account_number_error(number: str | None) -> str | None:
    if number is None or not 5 <= len(number) <= 9:
        return "An account number is 5 to 9 digits."
    return None


def _abn_error(abn: str | None, *, gst_registered: bool) -> str | None:
    if abn == "":
        return "Enter your ABN: GST registration needs one." if gst_registered else None
    if abn is None or len(abn) != 11 or not abn_number.is_valid(abn):
        return "That is not a valid ABN: check the 11 digits on the Australian Business Register."
    return None


def payout_account_save(
    *,
    provider: ProviderProfile,
    account_name: str,
    bsb: str,
    account_number: str,
    abn: str = "",
    gst_registered: bool = False,
) -> PayoutAccount:
    """Create or replace the provider's payout details. Raises Invalid with a message per
    input (named as the arguments are) and changes nothing when any is wrong."""
    account_name = " ".join(account_name.split())
    clean_bsb, clean_number = _digits(bsb), _digits(account_number)
    clean_abn = "" if not abn.strip() else _digits(abn)
    errors = {
        "account_name": _account_name_error(account_name),
        "bsb": _bsb_error(clean_bsb),
        "account_number": _account_number_error(clean_number),
        "abn": _abn_error(clean_abn, gst_registered=gst_registered),
    }
    errors = {name: message for name, message in errors.items() if message}
    if errors:
        raise Invalid(fields=errors)
    with transaction.atomic():
        account, _ = PayoutAccount.objects.update_or_create(
            provider=provider,
            defaults={
                "account_name": account_name,
                "bsb": clean_bsb,
                "account_number": clean_number,
                "abn": clean_abn,
                "gst_registered": gst_registered,
            },
        )
    return account

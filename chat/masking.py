"""Contact details in message bodies, hidden until a booking between the two is confirmed.

Marketplaces keep deals on the platform until one is made: before then a phone number or an
email address typed into a message is shown, to both sides and everywhere it is shown (page,
inbox preview, socket payload, email), as `HIDDEN`. The body is stored as typed, so once a
booking is accepted the same message shows what was written.

Phone numbers: a run of at least 8 digits (an Australian landline without its area code has
8, mobiles and international numbers more) that may be broken up by spaces, dots, dashes,
slashes or brackets and may start with "+". `\\d` is Unicode-aware, so "٠٤١٢..." (Arabic-Indic)
and fullwidth digits count. ISO dates (2026-12-02) are left alone.
Email addresses: name@domain.tld, with a fullwidth at sign, or spelled "name at domain dot com".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HIDDEN = "[contact details hidden]"
NOTE = "Contact details are shared once a booking is confirmed."

MIN_PHONE_DIGITS = 8

# Separators people put between digits (any horizontal space, dots, dashes of every width).
_SEP = "[^\\S\\n]|[.\\-\u2010\u2011\u2012\u2013\u2014\u2015\u00b7/()]"
_PHONE = re.compile(rf"(?:\+|\uff0b)?(?:\(\s*)?\d(?:(?:{_SEP}){{0,3}}\d)+\)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL = re.compile(
    r"[\w.+\-]+\s*(?:[@\uff20]|\(at\)|\[at\]|\{at\})\s*[\w\-]+(?:\s*(?:\.|\(dot\)|\[dot\])\s*[\w\-]+)+"
    r"|[\w.+\-]+\s+at\s+[\w\-]+(?:\s+dot\s+[\w\-]+)+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Masked:
    text: str
    hidden: bool  # something was hidden: pages show NOTE with it


def _phone(match: re.Match[str]) -> str:
    found = match.group(0)
    digits = sum(1 for char in found if char.isdecimal())
    if digits < MIN_PHONE_DIGITS or _ISO_DATE.fullmatch(found):
        return found
    return HIDDEN


def contact_details_mask(text: str) -> Masked:
    """`text` with every phone number and email address replaced by HIDDEN."""
    masked = _EMAIL.sub(HIDDEN, text)
    masked = _PHONE.sub(_phone, masked)
    return Masked(text=masked, hidden=masked != text)

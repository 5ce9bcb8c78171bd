"""Money as integer cents: converting the bookings' decimal prices, splitting the platform fee,
and showing amounts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def cents(amount: Decimal | int) -> int:
    """An amount of dollars as whole cents (half a cent rounds up)."""
    return int((Decimal(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fee_share(*, amount_cents: int, percent: Decimal) -> int:
    """The platform's commission on `amount_cents` at `percent`, in whole cents."""
    return int((Decimal(amount_cents) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def proportional(*, part_cents: int, of_cents: int, share_cents: int) -> int:
    """`share_cents` scaled by part/of, in whole cents: the fee's part of a partial refund."""
    if not of_cents:
        return 0
    return int(
        (Decimal(share_cents) * part_cents / of_cents).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )


def dollars(amount_cents: int) -> str:
    """ "$1,234.50" for 123450."""
    sign = "-" if amount_cents < 0 else ""
    whole, part = divmod(abs(amount_cents), 100)
    return f"{sign}${whole:,}.{part:02d}"

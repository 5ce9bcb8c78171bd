"""Cancellation policies: what cancelling a confirmed booking late costs the customer.

A listing chooses one; each booking keeps a copy of its listing's choice. The fee tiers below
are the one source: the fees bookings charge (bookings.policies) and the sentences pages show
(`POLICY_SUMMARIES`) are both derived from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import models


class CancellationPolicy(models.TextChoices):
    FLEXIBLE = "flexible", "Flexible"
    MODERATE = "moderate", "Moderate"
    STRICT = "strict", "Strict"


@dataclass(frozen=True)
class FeeTier:
    """Cancelling with at least `notice` before the start costs `percent` of the price."""

    notice: timedelta
    percent: int


# Most notice first; the last tier (no notice) applies to everything later.
POLICY_TIERS: dict[str, tuple[FeeTier, ...]] = {
    CancellationPolicy.FLEXIBLE: (FeeTier(timedelta(hours=24), 0), FeeTier(timedelta(0), 25)),
    CancellationPolicy.MODERATE: (FeeTier(timedelta(hours=48), 0), FeeTier(timedelta(0), 50)),
    CancellationPolicy.STRICT: (
        FeeTier(timedelta(days=7), 0),
        FeeTier(timedelta(hours=48), 50),
        FeeTier(timedelta(0), 100),
    ),
}


def fee_percent(*, policy: str, notice: timedelta) -> int:
    """The percent of the price a customer pays for cancelling `notice` before the start."""
    tiers = POLICY_TIERS[policy]
    for tier in tiers:
        if notice >= tier.notice:
            return tier.percent
    return tiers[-1].percent


def _notice_label(notice: timedelta) -> str:
    days, seconds = divmod(int(notice.total_seconds()), 86400)
    if days >= 7 and not seconds:
        return f"{days} days"
    return f"{days * 24 + seconds // 3600} hours"


def _price_label(percent: int) -> str:
    return "the full price" if percent == 100 else f"{percent}% of the price"


def _summary(tiers: tuple[FeeTier, ...]) -> str:
    """ "Free to cancel up to 24 hours before; then 25% of the price." from the tiers."""
    parts = []
    for tier in tiers[:-1]:
        cost = "Free to cancel" if tier.percent == 0 else _price_label(tier.percent)
        parts.append(f"{cost} up to {_notice_label(tier.notice)} before")
    last = _price_label(tiers[-1].percent)
    parts.append(f"then {last}" if len(tiers) == 2 else f"{last} after that")
    return "; ".join(parts) + "."


# What each policy means, in the words customers and providers see.
POLICY_SUMMARIES: dict[str, str] = {
    policy: _summary(tiers) for policy, tiers in POLICY_TIERS.items()
}

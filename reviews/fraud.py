"""Fraud detection: the rules that raise FraudSignals on reviews and accounts.

(Being written by the fraud work of issue 11; until it lands no rule fires.)
"""

from .models import Review


def review_assess(*, review: Review) -> int:
    """Raise the signals this just-submitted review trips (in the caller's transaction) and
    return their total score; the caller holds the review at FRAUD_HOLD_THRESHOLD or more."""
    return 0

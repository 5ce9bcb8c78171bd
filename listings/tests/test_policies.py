"""Cancellation policies: the fee tiers are the one source of the fees and of their wording."""

from datetime import timedelta

import pytest

from listings.policies import POLICY_SUMMARIES, POLICY_TIERS, CancellationPolicy, fee_percent

HOURS = timedelta(hours=1)


def test_every_policy_has_tiers_from_most_notice_down_to_none():
    assert set(POLICY_TIERS) == set(CancellationPolicy.values)
    for tiers in POLICY_TIERS.values():
        notices = [tier.notice for tier in tiers]
        assert notices == sorted(notices, reverse=True) and notices[-1] == timedelta(0)
        assert tiers[0].percent == 0


def test_the_words_customers_read_follow_from_the_tiers():
    assert POLICY_SUMMARIES == {
        "flexible": "Free to cancel up to 24 hours before; then 25% of the price.",
        "moderate": "Free to cancel up to 48 hours before; then 50% of the price.",
        "strict": (
            "Free to cancel up to 7 days before; 50% of the price up to 48 hours before; "
            "the full price after that."
        ),
    }


@pytest.mark.parametrize(
    ("policy", "notice", "percent"),
    [
        ("flexible", 24 * HOURS, 0),
        ("flexible", 24 * HOURS - timedelta(seconds=1), 25),
        ("moderate", 48 * HOURS, 0),
        ("moderate", 47 * HOURS, 50),
        ("strict", 7 * 24 * HOURS, 0),
        ("strict", 6 * 24 * HOURS, 50),
        ("strict", 48 * HOURS, 50),
        ("strict", 47 * HOURS, 100),
        ("strict", timedelta(0), 100),
    ],
)
def test_fee_percent_at_each_boundary(policy, notice, percent):
    assert fee_percent(policy=policy, notice=notice) == percent

"""The fraud scan: re-runs every rule over a window, raises what is missing (once), holds what
now reaches the threshold; its command and its daily beat task."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import SignInEvent
from reviews import fraud, tasks
from reviews.models import FraudSignal, Review
from reviews.tests.test_fraud import person, provider_profile, review_of, sign_in

pytestmark = pytest.mark.django_db

Rule = FraudSignal.Rule


@pytest.fixture
def holds(monkeypatch):
    """The reviews the scan holds, by id, without holding them (fraud._hold calls
    reviews.services.review_set_status: test_fraud_submit.py holds a review for real)."""
    held = []
    monkeypatch.setattr(fraud, "_hold", lambda review: held.append(review.pk))
    return held


def suspicious_window():
    """A review from the provider's device (60), two from one address (30 each on the second),
    and a disposable-email sign-up."""
    profile = provider_profile()
    sign_in(profile.user, device="d" * 32)
    own_device = review_of(profile, device="d" * 32)
    review_of(profile, ip="203.0.113.9")
    repeat = review_of(profile, ip="203.0.113.9")
    burner = person(email="someone@mailinator.com")
    sign_in(burner, ip="192.0.2.1", kind=SignInEvent.Kind.SIGN_UP)
    return own_device, repeat, burner


def test_the_scan_raises_what_is_missing_and_a_second_scan_raises_nothing(holds):
    own_device, _, burner = suspicious_window()

    report = fraud.fraud_scan(since=timedelta(days=7))

    assert report.reviews_scanned == 3
    assert report.sign_ups_scanned == 1
    # Both reviews from one address are flagged: either may be the fake.
    assert report.raised == {
        Rule.SHARED_IDENTITY: 1,
        Rule.REPEAT_REVIEWER: 2,
        Rule.DISPOSABLE_EMAIL: 1,
    }
    assert FraudSignal.objects.get(rule=Rule.DISPOSABLE_EMAIL).user == burner
    assert report.held == holds == [own_device.pk]

    again = fraud.fraud_scan(since=timedelta(days=7))
    assert again.raised == {}
    assert FraudSignal.objects.count() == 4


def test_the_scan_holds_only_published_reviews_at_the_threshold(holds, settings):
    own_device, repeat, _ = suspicious_window()
    Review.objects.filter(pk=own_device.pk).update(status=Review.Status.HELD)
    fraud.fraud_scan(since=timedelta(days=7))
    assert holds == []

    settings.FRAUD_HOLD_THRESHOLD = 30
    first_of_pair = repeat.pk - 1
    assert fraud.fraud_scan(since=timedelta(days=7)).held == [first_of_pair, repeat.pk]


def test_a_dismissed_signal_no_longer_holds(holds):
    own_device, _, _ = suspicious_window()
    fraud.review_assess(review=own_device)
    own_device.fraud_signals.update(status=FraudSignal.Status.DISMISSED)

    assert fraud.fraud_scan(since=timedelta(days=7)).held == []


def test_the_scan_leaves_what_is_outside_its_window(holds):
    profile = provider_profile()
    sign_in(profile.user, device="d" * 32)
    review_of(profile, device="d" * 32, ago=timedelta(days=8))

    report = fraud.fraud_scan(since=timedelta(days=7))
    assert (report.reviews_scanned, report.raised, report.held) == (0, {}, [])
    assert fraud.fraud_scan(since=timedelta(days=9)).raised == {Rule.SHARED_IDENTITY: 1}


def test_a_cluster_of_sign_ups_in_the_window_is_raised_on_each_account(holds):
    accounts = [person() for _ in range(3)]
    for account in accounts:
        sign_in(account, device="c" * 32, kind=SignInEvent.Kind.SIGN_UP)
    loner = person()
    sign_in(loner, device="l" * 32, kind=SignInEvent.Kind.SIGN_UP)

    assert fraud.fraud_scan(since=timedelta(days=1)).raised == {Rule.SIGNUP_CLUSTER: 3}
    flagged = set(FraudSignal.objects.values_list("user_id", flat=True))
    assert flagged == {account.pk for account in accounts}


def populate(reviews: int) -> None:
    """A window where every kind of query runs: a review from the provider's device, reviews
    from addresses and devices of their own, disposable-email sign-ups."""
    profile = provider_profile()
    sign_in(profile.user, ip="198.51.100.1", device="p" * 32)
    review_of(profile, device="p" * 32)
    for index in range(reviews):
        provider = profile if index % 2 else provider_profile()
        review_of(provider, ip=f"203.0.113.{index + 1}", device=f"{index:032x}")
        burner = person(email=f"burner{index}@mailinator.com")
        sign_in(burner, ip=f"192.0.2.{index + 1}", kind=SignInEvent.Kind.SIGN_UP)


# Reviews: their ids, the batch with its annotations, shared identity (the providers'
# sign-ins, the accounts linked by device, the authors' sign-ins), repeat reviewer, duplicate
# text, the keys already raised and the insert (9); sign-ups: the batch, the cluster's
# neighbours, the keys and the insert (4); the published reviews at the threshold (1). The
# same for 2 reviews as for 40: nothing is asked per review or per pair.
SCAN_QUERIES = 14


@pytest.mark.parametrize("reviews", [2, 40])
def test_the_scan_costs_the_same_queries_for_many_reviews_as_for_few(
    holds, django_assert_num_queries, reviews
):
    populate(reviews)
    with django_assert_num_queries(SCAN_QUERIES):
        report = fraud.fraud_scan(since=timedelta(days=7))
    assert report.reviews_scanned == reviews + 1
    assert report.raised[Rule.DISPOSABLE_EMAIL] == reviews


def test_the_command_prints_what_it_found_per_rule(holds):
    own_device, _, _ = suspicious_window()
    out = StringIO()

    call_command("fraud_scan", "--since", "7d", stdout=out)

    text = out.getvalue()
    assert "Scanned 3 reviews and 1 sign-ups" in text
    assert f"{Rule.SHARED_IDENTITY.label}: 1 new" in text
    assert f"{Rule.BURST.label}: 0 new" in text
    assert f"Held for a moderator: 1 ({own_device.pk})." in text


def test_the_command_takes_hours():
    out = StringIO()
    call_command("fraud_scan", "--since", "36h", stdout=out)
    since = timezone.now() - timedelta(hours=36)
    assert f"since {since:%Y-%m-%d %H}" in out.getvalue()


@pytest.mark.parametrize("since", ["", "7", "d", "0d", "-1d", "7w", "1.5d", "٣d", "367d", "9" * 40])
def test_bad_since_values_get_a_clear_error(since):
    with pytest.raises(CommandError, match="--since wants a number of days or hours"):
        call_command("fraud_scan", f"--since={since}")


def test_the_daily_task_scans_two_days(monkeypatch):
    calls = []
    monkeypatch.setattr(fraud, "fraud_scan", lambda **kwargs: calls.append(kwargs))

    tasks.fraud_scan_daily.delay()

    assert calls == [{"since": timedelta(days=2)}]
    entry = django_settings.CELERY_BEAT_SCHEDULE["fraud-scan"]
    assert entry["task"] == tasks.fraud_scan_daily.name


@pytest.mark.parametrize(
    ("email", "flagged"),
    [
        ("a@mailinator.com", True),
        ("a@inbox.MAILINATOR.com", True),
        ("a@gmail.com", False),
        ("a@harbourplumbing.com.au", False),
        ("a@com", False),
    ],
)
def test_disposable_domains_and_the_domains_under_them(holds, email, flagged):
    sign_in(person(email=email), kind=SignInEvent.Kind.SIGN_UP)
    raised = fraud.fraud_scan(since=timedelta(days=1)).raised
    assert (raised == {Rule.DISPOSABLE_EMAIL: 1}) is flagged

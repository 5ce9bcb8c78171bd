"""The fraud rules on reviews: each fires on its case and stays quiet on the near one."""

from datetime import timedelta

import pytest
from django.utils import timezone
from faker import Faker

from accounts.models import SignInEvent
from accounts.tests.factories import ProviderProfileFactory, UserFactory
from bookings.models import Booking, BookingEvent
from listings.tests.factories import ServiceFactory
from reviews import fraud
from reviews.models import FraudSignal, Review
from reviews.tests.factories import CompletedBookingFactory, ReviewFactory

pytestmark = pytest.mark.django_db

Rule = FraudSignal.Rule

# Random English sentences share few trigrams (similarity about 0.25 at most): only the tests
# of rule 4 write near-duplicates.
fake = Faker()


def person(*, email: str | None = None, joined_days_ago: float = 30):
    extra = {"email": email} if email else {}
    return UserFactory(date_joined=timezone.now() - timedelta(days=joined_days_ago), **extra)


def provider_profile(*, email: str | None = None):
    return ProviderProfileFactory(approved=True, user=person(email=email))


def sign_in(user, *, ip: str | None = None, device: str = "", kind=SignInEvent.Kind.SIGN_IN):
    return SignInEvent.objects.create(
        user=user, email=user.email, succeeded=True, ip_address=ip, device_id=device, kind=kind
    )


def review_of(
    provider=None,
    *,
    author=None,
    ip: str | None = None,
    device: str = "",
    rating: int = 4,
    text: str | None = None,
    ago: timedelta | None = None,
) -> Review:
    service = ServiceFactory(provider=provider) if provider else ServiceFactory()
    booking = CompletedBookingFactory(service=service, customer=author or person())
    review = ReviewFactory(
        booking=booking,
        rating=rating,
        ip_address=ip,
        device_id=device,
        text=text or fake.paragraph(nb_sentences=3),
    )
    if ago is not None:
        Review.objects.filter(pk=review.pk).update(created_at=timezone.now() - ago)
        review.refresh_from_db()
    return review


def complete(booking: Booking, *, booked_ago: timedelta, completed_ago: timedelta) -> None:
    now = timezone.now()
    Booking.objects.filter(pk=booking.pk).update(created_at=now - booked_ago)
    event = BookingEvent.objects.create(
        booking=booking,
        action=BookingEvent.Action.COMPLETED,
        from_status=Booking.Status.ACCEPTED,
        to_status=Booking.Status.COMPLETED,
    )
    BookingEvent.objects.filter(pk=event.pk).update(at=now - completed_ago)


def rules_of(review: Review) -> set[str]:
    fraud.review_assess(review=review)
    return set(review.fraud_signals.values_list("rule", flat=True))


# --- 1. shared identity ---------------------------------------------------------------------


def test_a_review_from_the_providers_own_device_is_flagged_and_reaches_the_threshold(settings):
    profile = provider_profile()
    sign_in(profile.user, ip="203.0.113.7", device="d" * 32)
    review = review_of(profile, device="d" * 32, ip="198.51.100.1")

    total = fraud.review_assess(review=review)

    signal = review.fraud_signals.get()
    assert signal.rule == Rule.SHARED_IDENTITY
    assert signal.evidence["device_ids"] == ["d" * 32]
    assert signal.evidence["ip_addresses"] == []
    assert (signal.user, signal.provider) == (review.author, profile)
    assert signal.key == f"shared_identity:review:{review.pk}"
    assert total == settings.FRAUD_RULE_SCORES["shared_identity"] >= settings.FRAUD_HOLD_THRESHOLD


def test_a_reviewer_who_signed_in_from_the_providers_address_is_flagged():
    profile = provider_profile()
    sign_in(profile.user, ip="203.0.113.7")
    author = person()
    sign_in(author, ip="203.0.113.7")
    review = review_of(profile, author=author, ip="198.51.100.1")

    assert rules_of(review) == {Rule.SHARED_IDENTITY}
    assert review.fraud_signals.get().evidence["ip_addresses"] == ["203.0.113.7"]


def test_the_same_address_as_another_provider_is_not_shared_identity():
    profile, other = provider_profile(), provider_profile()
    sign_in(other.user, ip="203.0.113.7", device="e" * 32)
    review = review_of(profile, ip="203.0.113.7", device="e" * 32)

    assert Rule.SHARED_IDENTITY not in rules_of(review)


def test_an_account_linked_to_the_provider_by_its_device_shares_its_addresses():
    profile = provider_profile()
    sign_in(profile.user, device="f" * 32)
    second_account = person()
    sign_in(second_account, device="f" * 32, ip="192.0.2.44")
    review = review_of(profile, ip="192.0.2.44")

    assert rules_of(review) == {Rule.SHARED_IDENTITY}


def test_the_linked_account_itself_reviewing_is_flagged():
    profile = provider_profile()
    sign_in(profile.user, device="f" * 32)
    second_account = person()
    sign_in(second_account, device="f" * 32)
    review = review_of(profile, author=second_account)

    assert rules_of(review) == {Rule.SHARED_IDENTITY}
    assert review.fraud_signals.get().evidence["linked_account"] is True


def test_a_shared_business_email_domain_is_flagged_but_webmail_and_reserved_ones_are_not():
    business = provider_profile(email="owner@harbourplumbing.com.au")
    flagged = review_of(business, author=person(email="mate@harbourplumbing.com.au"))
    assert rules_of(flagged) == {Rule.SHARED_IDENTITY}
    assert flagged.fraud_signals.get().evidence["email_domains"] == ["harbourplumbing.com.au"]

    webmail = provider_profile(email="owner@bigpond.com")
    assert rules_of(review_of(webmail, author=person(email="someone@bigpond.com"))) == set()
    reserved = provider_profile(email="owner@example.com")
    assert rules_of(review_of(reserved, author=person(email="someone@example.com"))) == set()


def test_loopback_addresses_link_nobody():
    profile = provider_profile()
    sign_in(profile.user, ip="127.0.0.1")
    assert rules_of(review_of(profile, ip="127.0.0.1")) == set()


# --- 2. repeat reviewer ---------------------------------------------------------------------


def test_two_reviews_of_one_provider_from_one_address_are_flagged():
    profile = provider_profile()
    first = review_of(profile, ip="203.0.113.9")
    second = review_of(profile, ip="203.0.113.9")

    assert rules_of(second) == {Rule.REPEAT_REVIEWER}
    evidence = second.fraud_signals.get().evidence
    assert evidence == {"review_ids": [first.pk], "ip_address": "203.0.113.9", "device_id": None}


def test_the_same_author_through_another_booking_from_one_device_is_flagged():
    profile, author = provider_profile(), person()
    review_of(profile, author=author, device="a" * 32)
    second = review_of(profile, author=author, device="a" * 32)

    assert rules_of(second) == {Rule.REPEAT_REVIEWER}


def test_one_address_reviewing_different_providers_is_not_a_repeat():
    review_of(provider_profile(), ip="203.0.113.9", device="a" * 32)
    assert rules_of(review_of(provider_profile(), ip="203.0.113.9", device="a" * 32)) == set()


# --- 3. burst -------------------------------------------------------------------------------


def test_a_burst_far_above_the_providers_history_is_flagged():
    profile = provider_profile()
    for day in range(1, 5):  # a quiet history: four reviews over the last 90 days
        review_of(profile, ago=timedelta(days=day * 10))
    burst = [review_of(profile, ago=timedelta(hours=hour)) for hour in (6, 5, 4, 3, 2, 1)]

    assert rules_of(burst[-1]) == {Rule.BURST}
    assert burst[-1].fraud_signals.get().evidence["reviews_in_24h"] == 6
    assert rules_of(burst[4]) == set()  # the fifth of the day: not over the minimum of 5


def test_a_busy_provider_with_the_same_day_as_usual_is_not_a_burst():
    profile = provider_profile()
    # Two a day for 90 days: a mean of 2, so the bar is 8 and six in a day are usual.
    history = [review_of(profile, ago=timedelta(days=1 + day / 2)) for day in range(180)]
    assert len(history) == 180
    today = [review_of(profile, ago=timedelta(hours=hour)) for hour in (6, 5, 4, 3, 2, 1)]

    assert rules_of(today[-1]) == set()


# --- 4. near-duplicate text ------------------------------------------------------------------


TEMPLATE = "Brilliant service from start to finish, would recommend this plumber to anyone!"


def test_near_duplicate_texts_from_different_reviewers_are_flagged():
    original = review_of(text=TEMPLATE)
    copy = review_of(text=TEMPLATE.replace("anyone", "anybody"))

    assert rules_of(copy) == {Rule.DUPLICATE_TEXT}
    [match] = copy.fraud_signals.get().evidence["matches"]
    assert match["review_id"] == original.pk
    assert match["similarity"] >= 0.7
    assert rules_of(original) == set()  # the earlier one is the original


def test_similarity_just_under_the_bar_is_not_flagged(settings):
    review_of(text=TEMPLATE)
    copy = review_of(text=TEMPLATE.replace("anyone", "anybody"))
    similarity = fraud.duplicate_text(fraud._reviews_loaded([copy.pk]))[0].evidence["matches"]
    settings.FRAUD_DUPLICATE_SIMILARITY = similarity[0]["similarity"] + 0.001

    assert rules_of(copy) == set()


def test_the_same_author_repeating_themselves_is_not_a_duplicate():
    author = person()
    review_of(author=author, text=TEMPLATE)
    assert rules_of(review_of(author=author, text=TEMPLATE)) == set()


def test_duplicates_older_than_the_lookback_are_not_compared():
    review_of(text=TEMPLATE, ago=timedelta(days=91))
    assert rules_of(review_of(text=TEMPLATE)) == set()


# --- 5. new account ---------------------------------------------------------------------------


def test_an_account_under_48_hours_old_leaving_five_stars_is_flagged_under_the_threshold(
    settings,
):
    review = review_of(author=person(joined_days_ago=47 / 24), rating=5)

    assert fraud.review_assess(review=review) == settings.FRAUD_RULE_SCORES["new_account"]
    assert set(review.fraud_signals.values_list("rule", flat=True)) == {Rule.NEW_ACCOUNT}
    assert settings.FRAUD_RULE_SCORES["new_account"] < settings.FRAUD_HOLD_THRESHOLD


def test_49_hours_old_or_four_stars_is_not_flagged():
    assert rules_of(review_of(author=person(joined_days_ago=49 / 24), rating=5)) == set()
    assert rules_of(review_of(author=person(joined_days_ago=1), rating=4)) == set()


def test_an_only_booking_booked_and_completed_within_hours_is_flagged():
    review = review_of(rating=5)
    complete(review.booking, booked_ago=timedelta(hours=4), completed_ago=timedelta(hours=2))

    assert rules_of(review) == {Rule.NEW_ACCOUNT}
    assert review.fraud_signals.get().evidence["booked_to_completed_minutes"] == 120


def test_a_quick_booking_of_a_regular_customer_is_not_new():
    author = person()
    CompletedBookingFactory(customer=author)
    review = review_of(author=author, rating=5)
    complete(review.booking, booked_ago=timedelta(hours=4), completed_ago=timedelta(hours=2))

    assert rules_of(review) == set()


# --- 7. odd booking -------------------------------------------------------------------------


def test_a_booking_completed_before_its_start_is_flagged_and_holds_on_its_own(settings):
    review = review_of()
    start = review.booking.period.lower
    complete(
        review.booking,
        booked_ago=timezone.now() - start + timedelta(days=3),
        completed_ago=timezone.now() - start + timedelta(hours=1),
    )

    assert fraud.review_assess(review=review) >= settings.FRAUD_HOLD_THRESHOLD
    signal = review.fraud_signals.get()
    assert signal.rule == Rule.ODD_BOOKING
    assert signal.evidence["completed_before_start"] is True


def test_a_booking_completed_minutes_after_it_was_made_is_flagged():
    review = review_of()
    # The factory's booking started a week ago: booked after the fact and completed at once.
    complete(review.booking, booked_ago=timedelta(minutes=20), completed_ago=timedelta(minutes=5))

    assert rules_of(review) == {Rule.ODD_BOOKING}
    assert review.fraud_signals.get().evidence["booked_to_completed_minutes"] == 15


def test_a_booking_completed_after_its_start_and_days_after_booking_is_not_odd():
    review = review_of()
    start = review.booking.period.lower
    complete(
        review.booking,
        booked_ago=timezone.now() - start + timedelta(days=3),
        completed_ago=timezone.now() - start - timedelta(hours=2),
    )

    assert rules_of(review) == set()


# --- scores together, idempotence, dismissed signals ------------------------------------------


def test_weak_rules_hold_only_together(settings):
    profile = provider_profile()
    review_of(profile, ip="203.0.113.9")
    # New account (25) and a repeat from one address (30): 55, over the threshold.
    review = review_of(profile, ip="203.0.113.9", rating=5, author=person(joined_days_ago=1))

    assert fraud.review_assess(review=review) == 55 >= settings.FRAUD_HOLD_THRESHOLD
    settings.FRAUD_HOLD_THRESHOLD = 56
    assert fraud.review_assess(review=review) < settings.FRAUD_HOLD_THRESHOLD


def test_assessing_twice_raises_nothing_new_and_dismissed_signals_stop_counting():
    profile = provider_profile()
    sign_in(profile.user, device="d" * 32)
    review = review_of(profile, device="d" * 32)
    assert fraud.review_assess(review=review) == 60
    assert fraud.review_assess(review=review) == 60
    assert review.fraud_signals.count() == 1

    review.fraud_signals.update(status=FraudSignal.Status.DISMISSED)
    assert fraud.review_assess(review=review) == 0
    assert review.fraud_signals.count() == 1


def test_assessing_an_unsaved_review_is_a_programming_error():
    with pytest.raises(ValueError, match="saved review"):
        fraud.review_assess(review=Review())


def test_assessing_one_review_costs_a_fixed_number_of_queries(django_assert_num_queries):
    profile = provider_profile()
    sign_in(profile.user, ip="203.0.113.7", device="d" * 32)
    for _ in range(5):
        review_of(profile, ip="198.51.100.3")
    review = review_of(profile, device="d" * 32, ip="198.51.100.3")

    # The batch with its annotations; the provider's sign-ins, the accounts linked to it and
    # the author's sign-ins; the reviews from the same address or device; the similar texts;
    # the keys already raised; the insert; the total.
    with django_assert_num_queries(9):
        fraud.review_assess(review=review)
    assert set(review.fraud_signals.values_list("rule", flat=True)) == {
        Rule.SHARED_IDENTITY,
        Rule.REPEAT_REVIEWER,
        Rule.BURST,
    }

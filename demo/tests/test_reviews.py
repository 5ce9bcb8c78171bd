"""The plans of the demo's past jobs and reviews, and its customers' names, without a database."""

import itertools
import math
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from demo import customers
from demo.customers import customer_email, customer_name, customer_number, customer_pool
from demo.dataset import demo_data
from demo.reviews import (
    NEAR_SIMILARITY,
    Listing,
    TextMemory,
    provider_is_suspect,
    provider_jobs,
    review_text,
    similarity,
    trigrams,
)

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
SYDNEY = ZoneInfo("Australia/Sydney")


def _listings() -> list[Listing]:
    return [
        Listing(1, "Blocked drains cleared", "plumbers", "blocked-drains", 90, True, 30, 4.7),
        Listing(2, "Hot water systems", "plumbers", "hot-water", 240, False, 12, 4.2),
        Listing(3, "Gas fitting", "plumbers", "gas-fitting", 120, False, 0, 0.0),
    ]


def _jobs(key: str = "7", opened_days_ago: int | None = None):
    return provider_jobs(
        key=key,
        listings=_listings(),
        name="Liam",
        window=(NOW - timedelta(days=730), NOW - timedelta(days=1)),
        opened=NOW - timedelta(days=opened_days_ago) if opened_days_ago else None,
        now=NOW,
        zone=SYDNEY,
        customers=lambda rng: rng.randint(1, 90),
        memory=TextMemory(),
    )


def test_every_customer_number_has_a_name_and_an_email_of_its_own():
    words = demo_data().customer_words
    pairs = len(words.first_names) * len(words.surnames)
    assert math.gcd(customers._NAME_STEP, pairs) == 1  # the scrambling is one to one
    numbers = range(1, 3 * pairs + 500)
    names = [customer_name(number) for number in numbers]
    assert len(set(names)) == len(names)
    assert len({customer_email(number) for number in numbers}) == len(names)
    assert " " not in customer_name(1).split(" ", 1)[0]
    assert customer_name(pairs + 1).split()[1] == "A."
    # A city's customers are numbered apart from every other city's.
    numbered = {
        customer_number(city_position=position, number=n, city_count=30)
        for position in range(30)
        for n in range(1, 200)
    }
    assert len(numbered) == 30 * 199 and min(numbered) == 1
    assert customer_pool(providers_in_city=2) > customer_pool(providers_in_city=1)


def test_jobs_are_pure_follow_the_plans_and_never_overlap():
    jobs = _jobs()
    assert jobs == _jobs()  # the same every time
    assert jobs != _jobs(key="8")
    counts = {listing.pk: 0 for listing in _listings()}
    for job in jobs:
        counts[job.listing.pk] += 1
    assert counts[3] == 0 and 0 < counts[2] <= 12 and 0 < counts[1] <= 30
    ordered = sorted(jobs, key=lambda job: job.start)
    for before, after in itertools.pairwise(ordered):
        assert before.end <= after.start
    for job in jobs:
        assert NOW - timedelta(days=730) <= job.requested_at < job.start < job.end
        assert job.end - job.start == timedelta(minutes=job.listing.duration_minutes)
        assert job.end <= NOW - timedelta(days=1) and job.end < job.completed_at < NOW
        assert (job.accepted_at is None) == job.listing.instant_book
        if job.accepted_at:
            assert job.requested_at < job.accepted_at < job.start
        assert job.start.astimezone(SYDNEY).hour in range(7, 16)  # in working hours
        review = job.review
        if review is not None:
            assert job.completed_at <= review.at <= job.completed_at + timedelta(days=14)
            assert 1 <= review.rating <= 5 and "{name}" not in review.text
            assert all(1 <= stars <= 5 for stars in review.sub_ratings.values())
            assert (review.replied_at is None) == (review.reply == "")
            if review.replied_at:
                assert review.at < review.replied_at < NOW
        if job.customer_rating:
            assert job.completed_at < job.rated_at < NOW


def test_a_provider_new_on_the_site_has_had_fewer_jobs_and_none_before_it_joined():
    recent = _jobs(opened_days_ago=120)
    assert 0 < len(recent) < len(_jobs()) / 3
    assert all(job.requested_at >= NOW - timedelta(days=120) for job in recent)


def test_review_texts_follow_the_stars_and_the_trade_and_are_never_repeated():
    words = demo_data().review_words
    rng = random.Random(1)
    memory = TextMemory()
    texts = [
        review_text(rng, rating=rating, category="cleaning", name="Mia", memory=memory)
        for rating in [5, 4, 3, 2, 1] * 200
    ]
    assert len(set(texts)) == len(texts) == len(memory.texts)
    for rating, text in zip([5, 4, 3, 2, 1] * 200, texts, strict=True):
        tone = "good" if rating >= 4 else "fair" if rating == 3 else "poor"
        assert text.startswith(tuple(o.replace("{name}", "Mia") for o in words.openings[tone]))
        cleaning = words.specifics["cleaning"]["poor" if tone == "poor" else "good"]
        assert any(sentence in text for sentence in cleaning)
        assert "{" not in text and 20 <= len(text) <= 2000
    assert any("bond" in text for text in texts)


def test_old_texts_repeat_once_the_words_run_out_and_recent_ones_never_repeat_each_other():
    memory = TextMemory()
    rng = random.Random(2)
    texts = [
        review_text(rng, rating=2, category="locksmiths", name="Al", memory=memory)
        for _ in range(20_000)
    ]
    # Nearly every combination of the words is written before any text repeats.
    seen: set[str] = set()
    first_repeat = next(n for n, text in enumerate(texts) if text in seen or seen.add(text))
    assert len(memory.texts) < len(texts) and first_repeat > len(memory.texts) * 0.9
    # Nearly every combination is taken by an old text (the 1,000,000-service seed): a recent
    # review may repeat an old one, which the fraud rules do not compare it with...
    recent = [
        review_text(rng, rating=2, category="locksmiths", name="Al", memory=memory, recent=True)
        for _ in range(200)
    ]
    assert len(set(recent)) == len(recent) and len(set(recent) & set(texts)) > 100
    # ...but never another recent one: once those run out too, the words are too few.
    with pytest.raises(ValueError, match="too few words"):
        for _ in range(len(memory.texts)):
            review_text(rng, rating=2, category="locksmiths", name="Al", memory=memory, recent=True)


def test_recent_texts_are_not_near_duplicates_to_the_fraud_rules():
    memory = TextMemory()
    rng = random.Random(3)
    texts = [
        review_text(rng, rating=5, category="plumbers", name="Liam", memory=memory, recent=True)
        for _ in range(300)
    ]
    grams = [trigrams(text) for text in texts]
    for n, one in enumerate(grams):
        assert all(similarity(one, other) < NEAR_SIMILARITY for other in grams[:n])
    # Older ones need only be unique.
    old = [review_text(rng, rating=5, category="plumbers", name="Liam", memory=memory)
           for _ in range(300)]  # fmt: skip
    assert len(set(texts + old)) == 600


def test_trigrams_count_like_pg_trgm():
    # SELECT show_trgm('Hot water!'): {"  h","  w"," ho"," wa","ate","hot","ot ","ter","wat","er "}
    assert trigrams("Hot water!") == {
        "  h", " ho", "hot", "ot ", "  w", " wa", "wat", "ate", "ter", "er ",
    }  # fmt: skip
    assert similarity(trigrams("a b"), trigrams("a b")) == 1.0


def test_a_few_providers_get_held_reviews_whatever_the_scale():
    suspects = [index for index in range(1, 7201) if provider_is_suspect(index)]
    assert suspects[:3] == [1, 61, 121] and len(suspects) == 10

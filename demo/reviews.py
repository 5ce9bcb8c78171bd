"""Demo reviews: the completed bookings of the demo providers' past customers and their reviews.

Every rating the demo shows is computed from these rows: each listing's plan says how many of its
customers reviewed it and how many stars they give on average (`ServicePlan.reviews` / `stars`);
`provider_jobs` (pure, seeded by the provider) turns that into jobs on the provider's calendar
over the past two years (never two at once, after the provider was approved), each with its
timeline (requested or booked instantly, accepted, completed, reviewed), a review whose words
follow its stars (`data/reviews.yaml`), sometimes sub-ratings, sometimes the provider's reply,
sometimes the provider's rating of the customer. `reviews_seed` writes them with `bulk_create`
for the demo providers that have no completed booking yet, then `reviews.aggregates` computes
the figures. Times are relative to the run (reviews are recent whenever the demo is seeded);
every other decision comes from the seeded random stream.

The demo account gets its own: Priya (the demo provider) has a review from yesterday she has not
answered yet, and Casey (the demo customer) has two reviewed jobs with her and one completed
three days ago that is waiting for a review.
"""

import functools
import hashlib
import math
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import ProviderProfile, User
from bookings.models import Booking, BookingEvent
from listings.fees import platform_fee_percent
from listings.models import Service
from reviews.aggregates import ratings_refresh
from reviews.models import CustomerRating, Review, ReviewResponse
from reviews.rules import REVIEW_WINDOW_DAYS

from .cities import CityData, largest_cities
from .customers import customer_number, customer_pool, customers_ensure
from .dataset import ServicePlan, demo_data
from .held_reviews import Suspect, held_reviews_write
from .listings import demo_provider_plans
from .providers import PROVIDER_EMAIL_DOMAIN, provider_plans

# How far back the demo's jobs go.
HISTORY_DAYS = 730
PROVIDERS_PER_CHUNK = 300
# The demo provider's own pool of customers in Sydney (hers does not grow with the scale).
DEMO_PROVIDER_POOL = 150
# Stands for the demo customer account in a plan (generated customers are numbered from 1).
DEMO_CUSTOMER = 0
SUB_RATINGS = ("quality", "punctuality", "communication", "value")
# One demo provider in this many (1, 61, 121... up to 541: twenty held reviews at most, whatever
# the scale) also gets reviews the fraud rules hold; its last days are kept free for those jobs.
SUSPECT_EVERY = 60
SUSPECTS_UNTIL = 600

Status = Booking.Status
Action = BookingEvent.Action
_APPROVED = ProviderProfile.Status.APPROVED


# --- Plans (pure) --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """A listing as the reviews step sees it: the row and what its plan asks for."""

    pk: int
    title: str
    category: str  # the trade's slug: the words of its reviews
    subcategory: str
    duration_minutes: int
    instant_book: bool
    reviews: int
    stars: float


@dataclass(frozen=True)
class ReviewPlan:
    rating: int
    sub_ratings: dict[str, int]
    text: str
    at: datetime
    reply: str = ""
    replied_at: datetime | None = None


@dataclass(frozen=True)
class JobPlan:
    """One completed booking of a listing and what followed it."""

    listing: Listing
    customer: int  # a customer number, or DEMO_CUSTOMER
    start: datetime
    end: datetime
    requested_at: datetime
    accepted_at: datetime | None  # None when booked instantly
    completed_at: datetime
    review: ReviewPlan | None
    customer_rating: int | None = None
    customer_note: str = ""
    rated_at: datetime | None = None


def provider_is_suspect(index: int) -> bool:
    return index % SUSPECT_EVERY == 1 and index < SUSPECTS_UNTIL


def _tone(rating: int) -> str:
    return "good" if rating >= 4 else "fair" if rating == 3 else "poor"


def _stars(rng: random.Random, mean: float) -> int:
    """Mostly 4 and 5 (more 5s the better the listing), some 3s, a few 1s and 2s."""
    if rng.random() < 0.035:
        return rng.choice((1, 1, 2))  # something went wrong
    return max(2, min(5, round(rng.gauss(mean, 0.75))))


def _sub_ratings(rng: random.Random, rating: int) -> dict[str, int]:
    if rng.random() < 0.4:
        return {}  # optional: many people give only the overall stars
    return {
        name: max(1, min(5, rating + rng.choice((-1, 0, 0, 0, 0, 1))))
        for name in SUB_RATINGS
        if rng.random() < 0.85
    }


def _fingerprint(sentences: Iterable[str]) -> bytes:
    """The same for the same sentences in any order (a text's words, not their order, make it
    alike another)."""
    return hashlib.blake2b("\n".join(sorted(sentences)).encode(), digest_size=8).digest()


# Recent texts stay below this similarity to each other, with a margin under the fraud rules'
# bar (FRAUD_DUPLICATE_SIMILARITY, 0.7).
NEAR_SIMILARITY = 0.6
# Reviews newer than this are kept apart from each other; older ones need only be unique (the
# fraud rules compare a review with the 2,000 most recent ones before it: about 120 days of the
# reviews of 200 providers).
RECENT_DAYS = 120
RECENT_FOR_PROVIDERS = 200
_ATTEMPTS = 80


def trigrams(text: str) -> frozenset[str]:
    """The text's trigrams as PostgreSQL's pg_trgm counts them: each lower-case word of letters
    and digits, padded with two spaces in front and one behind."""
    grams: set[str] = set()
    for word in re.findall(r"[^\W_]+", text.lower()):
        padded = f"  {word} "
        grams.update(padded[n : n + 3] for n in range(len(padded) - 2))
    return frozenset(grams)


def similarity(one: frozenset[str], other: frozenset[str]) -> float:
    """pg_trgm's similarity of two texts' trigrams."""
    return len(one & other) / len(one | other) if one or other else 0.0


@dataclass
class TextMemory:
    """What review_text has written: every text (to keep them unique), and the trigrams of the
    recent ones by trade and tone, so that a new recent text is not a near-duplicate of another
    to the fraud rules (which compare the texts of recent reviews with pg_trgm).

    Trigram sets are kept as bit masks over the trigrams seen so far: intersecting two is one
    AND and a bit count, which keeps comparing every new text with the others cheap.
    """

    # How far back texts count as recent (RECENT_DAYS, fewer when many providers are seeded).
    recent_days: float = RECENT_DAYS
    texts: set[bytes] = field(default_factory=set)
    # The fingerprints of the recent texts: the ones no other text may repeat.
    recent_texts: set[bytes] = field(default_factory=set)
    recent: dict[tuple[str, str], list[tuple[int, int]]] = field(default_factory=dict)
    _bits: dict[str, int] = field(default_factory=dict)

    def mask(self, grams: frozenset[str]) -> tuple[int, int]:
        """The trigrams as (bit mask, how many)."""
        bits = self._bits
        mask = 0
        for gram in grams:
            mask |= 1 << bits.setdefault(gram, len(bits))
        return mask, len(grams)

    def near(self, bucket: tuple[str, str], text: tuple[int, int]) -> bool:
        mask, count = text
        for other, other_count in self.recent.get(bucket, ()):
            shared = (mask & other).bit_count()
            if shared >= NEAR_SIMILARITY * (count + other_count - shared):
                return True
        return False


def review_text(
    rng: random.Random,
    *,
    rating: int,
    category: str,
    name: str,
    memory: TextMemory,
    recent: bool = False,
) -> str:
    """A review of `rating` stars for a job of trade `category` done by `name`: unlike every
    text in `memory` (an old one may repeat one when the words run out), and when `recent`,
    not near any other recent one of its trade and tone (while the words allow: the last
    attempts settle for unique)."""
    words = demo_data().review_words
    tone = _tone(rating)
    specifics = words.specifics[category]
    for attempt in range(_ATTEMPTS):
        sentences = [rng.choice(words.openings[tone])]
        if tone == "fair":
            sentences.append(rng.choice(specifics["good"]))
            sentences.append(rng.choice(words.general["fair"]))
        else:
            bank = specifics[tone]
            sentences += rng.sample(bank, k=min(len(bank), rng.choice((1, 1, 2))))
            if rng.random() < 0.5 + attempt / 20:  # longer texts when short ones are taken
                sentences.append(rng.choice(words.general[tone]))
        if rng.random() < 0.8:
            sentences.append(rng.choice(words.closings[tone]))
        sentences = [sentence.replace("{name}", name) for sentence in sentences]
        fingerprint = _fingerprint(sentences)
        text = " ".join(sentences)
        if fingerprint in memory.texts:
            # The fraud rules compare recent texts only: at the largest scales (1,000,000
            # services) a review may repeat an old text once every combination of a trade and
            # tone is taken, but a recent one never repeats another recent one (and tries
            # only its last attempts to repeat an old one).
            if not recent and attempt == _ATTEMPTS - 1:
                return text
            if not recent or attempt < _ATTEMPTS // 2 or fingerprint in memory.recent_texts:
                continue
        if recent:
            masked, bucket = memory.mask(trigrams(text)), (category, tone)
            if attempt < _ATTEMPTS // 2 and memory.near(bucket, masked):
                continue
            memory.recent.setdefault(bucket, []).append(masked)
            memory.recent_texts.add(fingerprint)
        memory.texts.add(fingerprint)
        return text
    raise ValueError(f"reviews.yaml: too few words to write another {tone} {category} review.")


def _reply(rng: random.Random, rating: int) -> str:
    """Whether the provider answered (more often a complaint) and what they said."""
    tone = _tone(rating)
    if rng.random() >= {"good": 0.25, "fair": 0.55, "poor": 0.8}[tone]:
        return ""
    return rng.choice(demo_data().review_words.replies[tone])


def _customer_rating(rng: random.Random) -> tuple[int | None, str]:
    if rng.random() >= 0.4:
        return None, ""
    notes = demo_data().customer_words.notes
    if rng.random() < 0.08:
        return rng.choice((1, 2, 3)), rng.choice(notes["poor"])
    rating = 5 if rng.random() < 0.75 else 4
    return rating, rng.choice(notes["good"]) if rng.random() < 0.35 else ""


def _morning(day, zone: ZoneInfo, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone)


def _schedule(
    rng: random.Random,
    listings: Sequence[Listing],
    *,
    window: tuple[datetime, datetime],
    opened: datetime | None,
    zone: ZoneInfo,
) -> list[tuple[Listing, datetime, datetime]]:
    """The provider's past jobs, one after another: each listing's reviewed jobs spread over
    `window`, starting in working hours (local time), none overlapping the one before. Jobs
    that fall before the provider `opened` on the site, or are pushed past the window's end,
    are left out: a provider new on the site has had fewer customers."""
    first, last = window
    span = (last - first).total_seconds()
    wanted = [(rng.random(), listing) for listing in listings for _ in range(listing.reviews)]
    wanted.sort(key=lambda item: item[0])
    jobs: list[tuple[Listing, datetime, datetime]] = []
    free_from = max(first, opened or first)
    for fraction, listing in wanted:
        hour = rng.choice((7, 8, 9, 10, 13))
        day = (first + timedelta(seconds=fraction * span)).astimezone(zone).date()
        start = _morning(day, zone, hour)
        if opened and start < opened:
            continue  # before the provider was on the site
        while start < free_from or start.astimezone(zone).hour >= 16:
            if start < free_from:
                start += timedelta(hours=math.ceil((free_from - start).total_seconds() / 3600))
            if start.astimezone(zone).hour >= 16:  # the next morning
                start = _morning(start.astimezone(zone).date() + timedelta(days=1), zone, 8)
        end = start + timedelta(minutes=listing.duration_minutes)
        if end > last:
            continue
        jobs.append((listing, start, end))
        free_from = end + timedelta(minutes=30)
    return jobs


def provider_jobs(
    *,
    key: str,
    listings: Sequence[Listing],
    name: str,
    window: tuple[datetime, datetime],
    opened: datetime | None = None,
    now: datetime,
    zone: ZoneInfo,
    customers: Callable[[random.Random], int],
    memory: TextMemory,
) -> list[JobPlan]:
    """The completed jobs of one provider (`key` seeds them) and what followed each: pure.

    The listings' reviews are spread over `window`; those before `opened` (when the provider
    joined) never happened."""
    rng = random.Random(f"nearhand-demo-reviews-{key}")
    jobs = []
    earliest = max(window[0], opened or window[0])
    for listing, start, end in _schedule(rng, listings, window=window, opened=opened, zone=zone):
        requested = max(earliest, start - timedelta(hours=rng.uniform(20, 14 * 24)))
        requested = min(requested, start - timedelta(hours=2))
        accepted = None
        if not listing.instant_book:
            accepted = requested + (start - requested) * rng.uniform(0.02, 0.3)
        completed = end + timedelta(minutes=rng.randint(5, 240))
        rating = _stars(rng, listing.stars)
        sub_ratings = _sub_ratings(rng, rating)
        # Most reviews come within two days; none after the window closes.
        delay = min(rng.expovariate(1 / 36), REVIEW_WINDOW_DAYS * 24 - 1)
        reviewed = completed + timedelta(hours=delay)
        text = review_text(
            rng, rating=rating, category=listing.category, name=name, memory=memory,
            recent=reviewed > now - timedelta(days=memory.recent_days),
        )  # fmt: skip
        reply = _reply(rng, rating)
        replied = reviewed + timedelta(hours=rng.uniform(2, 96))
        review = None
        if reviewed < now:
            review = ReviewPlan(
                rating=rating,
                sub_ratings=sub_ratings,
                text=text,
                at=reviewed,
                reply=reply if replied < now else "",
                replied_at=replied if reply and replied < now else None,
            )
        customer_rating, note = _customer_rating(rng)
        rated = completed + timedelta(hours=rng.uniform(1, 72))
        jobs.append(
            JobPlan(
                listing=listing,
                customer=customers(rng),
                start=start,
                end=end,
                requested_at=requested,
                accepted_at=accepted,
                completed_at=completed,
                review=review,
                customer_rating=customer_rating if rated < now else None,
                customer_note=note if rated < now else "",
                rated_at=rated if customer_rating and rated < now else None,
            )
        )
    return jobs


def _demo_account_jobs(
    jobs: list[JobPlan],
    listings: Sequence[Listing],
    *,
    name: str,
    now: datetime,
    zone: ZoneInfo,
    customers: Callable[[random.Random], int],
    memory: TextMemory,
) -> list[JobPlan]:
    """Priya's jobs with Casey's: two of the older ones become Casey's (reviewed, answered),
    and two recent ones are added: a review from yesterday not answered yet, and Casey's job
    three days ago that waits for her review."""
    rng = random.Random("nearhand-demo-reviews-demo-account")
    replies = demo_data().review_words.replies["good"]
    jobs = list(jobs)
    for days_ago, rating in ((120, 5), (40, 4)):
        reviewed = [n for n, job in enumerate(jobs) if job.review and job.customer]
        if not reviewed:
            break
        target = now - timedelta(days=days_ago)
        n = min(reviewed, key=lambda n: abs(jobs[n].completed_at - target))
        job = jobs[n]
        text = review_text(
            rng, rating=rating, category=job.listing.category, name=name, memory=memory,
            recent=days_ago < memory.recent_days,
        )  # fmt: skip
        review = replace(
            job.review,
            rating=rating,
            sub_ratings=dict.fromkeys(SUB_RATINGS, rating),
            text=text,
            reply=rng.choice(replies),
            replied_at=job.review.at + timedelta(hours=5),
        )
        jobs[n] = replace(job, customer=DEMO_CUSTOMER, review=review)
    bookable = [listing for listing in listings if listing.reviews]
    by_subcategory = {listing.subcategory: listing for listing in listings}
    recent = by_subcategory.get("lighting-installation", bookable[0] if bookable else None)
    waiting = by_subcategory.get("smoke-alarm-installation", recent)
    for listing, days_ago, customer in ((recent, 2, customers(rng)), (waiting, 3, DEMO_CUSTOMER)):
        if listing is None:
            continue
        day = (now - timedelta(days=days_ago)).astimezone(zone).date()
        start = datetime(day.year, day.month, day.day, 9, tzinfo=zone)
        end = start + timedelta(minutes=listing.duration_minutes)
        completed = end + timedelta(minutes=20)
        review = None
        if customer != DEMO_CUSTOMER:
            text = review_text(
                rng, rating=4, category=listing.category, name=name, memory=memory, recent=True
            )
            at = min(completed + timedelta(hours=20), now - timedelta(hours=1))
            review = ReviewPlan(rating=4, sub_ratings={}, text=text, at=at)
        requested = start - timedelta(days=6)
        jobs.append(
            JobPlan(
                listing=listing,
                customer=customer,
                start=start,
                end=end,
                requested_at=requested,
                accepted_at=None if listing.instant_book else requested + timedelta(hours=3),
                completed_at=completed,
                review=review,
            )
        )
    return jobs


# --- What the database holds ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Provider:
    pk: int
    user_id: int
    index: int  # 0 for the demo account
    name: str
    status: str
    approved_at: datetime | None
    city_slug: str
    point: Point
    radius_km: int


@dataclass
class ReviewsReport:
    customers: int = 0
    bookings: int = 0
    reviews: int = 0
    held: int = 0  # of those, submitted through the review service and held by the fraud rules
    replies: int = 0
    customer_ratings: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _providers_without_jobs() -> list[_Provider]:
    """Approved (or since suspended) demo providers with no completed booking yet."""
    demo_slug = demo_data().demo_provider.slug
    completed = Booking.objects.filter(provider=OuterRef("pk"), status=Status.COMPLETED)
    rows = (
        ProviderProfile.objects.filter(
            Q(user__email__endswith=f"@{PROVIDER_EMAIL_DOMAIN}") | Q(slug=demo_slug),
            status__in=[ProviderProfile.Status.APPROVED, ProviderProfile.Status.SUSPENDED],
        )
        .filter(~Exists(completed))
        .values_list(
            "pk", "user_id", "slug", "user__email", "user__name", "status", "approved_at",
            "base_city__slug", "base_point", "service_radius_km",
        )
        .order_by("pk")
    )  # fmt: skip
    providers = []
    for pk, user_id, slug, email, name, status, approved_at, city, point, radius in rows:
        index = 0 if slug == demo_slug else int(email.split("@")[0].rsplit("-", 1)[1])
        first = (name or "").split()[0] if name else ""
        providers.append(
            _Provider(pk, user_id, index, first, status, approved_at, city, point, radius)
        )
    return providers


def _listings(providers: Sequence[_Provider], trades: dict[int, str]) -> dict[int, list[Listing]]:
    """Each provider's reviewable listings (not drafts) with what its plan asks for."""
    rows = (
        Service.objects.filter(provider_id__in=[p.pk for p in providers])
        .exclude(status__in=[Service.Status.DRAFT, Service.Status.ARCHIVED])
        .values_list(
            "pk", "provider_id", "title", "subcategory__slug", "subcategory__category__slug",
            "duration_minutes", "instant_book",
        )
        .order_by("pk")
    )  # fmt: skip
    by_provider: dict[int, list] = {}
    for row in rows:
        by_provider.setdefault(row[1], []).append(row)
    listings: dict[int, list[Listing]] = {}
    for provider in providers:
        plans = _service_plans(provider, trades)
        found = []
        for pk, _, title, subcategory, category, minutes, instant in by_provider.get(
            provider.pk, ()
        ):
            plan = plans.get(title)
            if plan is not None:  # a listing its provider wrote since has no past customers
                found.append(
                    Listing(pk, title, category, subcategory, minutes, instant, plan.reviews,
                            plan.stars)
                )  # fmt: skip
        listings[provider.pk] = found
    return listings


def _service_plans(provider: _Provider, trades: dict[int, str]) -> dict[str, ServicePlan]:
    return {plan.title: plan for plan in demo_provider_plans(provider, trades)}


# --- Writing -------------------------------------------------------------------------------------


@contextmanager
def _explicit_times(*fields) -> Iterator[None]:
    """Let bulk_create write the given auto_now / auto_now_add fields as set on the objects:
    one INSERT with the past times instead of an INSERT and an UPDATE of every row."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _times_of(model, *names: str) -> list:
    return [model._meta.get_field(name) for name in names]


_TIMED = (
    *_times_of(Review, "created_at"),
    *_times_of(ReviewResponse, "created_at"),
    *_times_of(CustomerRating, "created_at"),
)


def _address(rng: random.Random, city: CityData) -> str:
    street = rng.choice(demo_data().customer_words.streets)
    return f"{rng.randint(1, 240)} {street}, {city.name}, {city.state}"


def _events(booking_id: int, job: JobPlan, provider: _Provider, customer_id: int):
    """The job's timeline as rows of _EVENT_COLUMNS, as bookings.services writes it."""
    row = (booking_id,)
    if job.accepted_at is None:
        yield (*row, Action.INSTANT, "", Status.ACCEPTED, customer_id, "", job.requested_at)
    else:
        yield (*row, Action.REQUESTED, "", Status.PENDING, customer_id, "", job.requested_at)
        yield (*row, Action.ACCEPTED, Status.PENDING, Status.ACCEPTED, provider.user_id, "",
               job.accepted_at)  # fmt: skip
    yield (*row, Action.COMPLETED, Status.ACCEPTED, Status.COMPLETED, provider.user_id, "",
           job.completed_at)  # fmt: skip
    if job.review is not None:
        yield (*row, Action.REVIEWED, Status.COMPLETED, Status.COMPLETED, customer_id, "",
               job.review.at)  # fmt: skip


_BOOKING_COLUMNS = (
    "id", "customer_id", "provider_id", "service_id", "period", "address", "point", "price_type",
    "price", "cancellation_policy", "platform_fee_percent", "notes", "status",
    "cancellation_reason", "created_at", "updated_at",
)  # fmt: skip
_EVENT_COLUMNS = ("booking_id", "action", "from_status", "to_status", "actor_id", "reason", "at")


def _next_ids(model, count: int) -> list[int]:
    """`count` ids from the table's own sequence, so rows can be copied in with their ids."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model, columns: Sequence[str], rows: Iterator[tuple]) -> None:
    """Rows into the model's table with COPY: bookings and their events are most of what the
    step writes, and COPY takes them in a fraction of the time of INSERTs (no SQL to build
    for each value). The rows are already what the model would store."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _write(
    planned: list[tuple[_Provider, list[JobPlan]]],
    *,
    customer_ids: dict[int, int],
    services: dict[int, Service],
    cities: dict[str, CityData],
    report: ReviewsReport,
) -> None:
    rng = random.Random("nearhand-demo-addresses")
    # The platform fee is snapshotted on each booking, as bookings.services does (one query a
    # subcategory).
    fee_percent = functools.cache(
        lambda subcategory_id: platform_fee_percent(subcategory_id=subcategory_id)
    )
    jobs = [(provider, job) for provider, provider_jobs in planned for job in provider_jobs]
    ids = _next_ids(Booking, len(jobs))
    pairs: list[tuple[_Provider, JobPlan, Booking]] = []
    rows = []
    for booking_id, (provider, job) in zip(ids, jobs, strict=True):
        service = services[job.listing.pk]
        longitude = service.point.x + rng.uniform(-0.05, 0.05)
        latitude = service.point.y + rng.uniform(-0.04, 0.04)
        last = job.review.at if job.review else job.completed_at
        booking = Booking(
            pk=booking_id,
            customer_id=customer_ids[job.customer],
            provider_id=provider.pk,
            service_id=service.pk,
        )
        rows.append((
            booking_id, booking.customer_id, provider.pk, service.pk,
            f"[{job.start.isoformat()},{job.end.isoformat()})",
            _address(rng, cities[provider.city_slug]),
            f"SRID=4326;POINT({longitude:.6f} {latitude:.6f})",
            service.price_type, service.price, service.cancellation_policy,
            fee_percent(service.subcategory_id), "", Status.COMPLETED, "", job.requested_at,
            max(last, job.rated_at or last),
        ))  # fmt: skip
        pairs.append((provider, job, booking))
    _copy(Booking, _BOOKING_COLUMNS, iter(rows))
    _copy(
        BookingEvent,
        _EVENT_COLUMNS,
        (
            event
            for provider, job, booking in pairs
            for event in _events(booking.pk, job, provider, booking.customer_id)
        ),
    )
    with _explicit_times(*_TIMED):
        reviewed = [(provider, job, booking) for provider, job, booking in pairs if job.review]
        reviews = Review.objects.bulk_create(
            (
                Review(
                    booking_id=booking.pk,
                    service_id=booking.service_id,
                    provider_id=provider.pk,
                    author_id=booking.customer_id,
                    rating=job.review.rating,
                    **job.review.sub_ratings,
                    text=job.review.text,
                    status=Review.Status.PUBLISHED,
                    created_at=job.review.at,
                    published_at=job.review.at,
                )
                for provider, job, booking in reviewed
            ),
            batch_size=2000,
        )
        responses = ReviewResponse.objects.bulk_create(
            (
                ReviewResponse(
                    review=review,
                    author_id=provider.user_id,
                    text=job.review.reply,
                    created_at=job.review.replied_at,
                )
                for review, (provider, job, _) in zip(reviews, reviewed, strict=True)
                if job.review.reply
            ),
            batch_size=2000,
        )
        ratings = CustomerRating.objects.bulk_create(
            (
                CustomerRating(
                    booking_id=booking.pk,
                    customer_id=booking.customer_id,
                    provider_id=provider.pk,
                    rating=job.customer_rating,
                    private_note=job.customer_note,
                    created_at=job.rated_at,
                )
                for provider, job, booking in pairs
                if job.customer_rating
            ),
            batch_size=2000,
        )
    report.bookings += len(pairs)
    report.reviews += len(reviews)
    report.replies += len(responses)
    report.customer_ratings += len(ratings)


def _held_reviews(
    suspects: list[tuple[_Provider, ZoneInfo]], *, now: datetime, memory: TextMemory
) -> int:
    """The held reviews of the suspect providers (demo/held_reviews.py); how many it wrote
    (one job and one account each)."""
    services = {}
    for service in (
        Service.objects.filter(
            provider_id__in=[provider.pk for provider, _ in suspects], status=Service.Status.ACTIVE
        )
        .select_related("city", "subcategory__category")
        .order_by("-pk")
    ):
        services[service.provider_id] = service  # its first active listing
    held = 0
    for provider, zone in suspects:
        service = services.get(provider.pk)
        if service is None:
            continue
        rng = random.Random(f"nearhand-demo-held-{provider.index}")
        text = review_text(
            rng, rating=5, category=service.subcategory.category.slug, name=provider.name,
            memory=memory, recent=True,
        )  # fmt: skip
        suspect = Suspect(
            provider.index, provider.pk, provider.user_id, provider.name, zone, service
        )
        held += len(held_reviews_write(suspect=suspect, text=text, now=now))
    return held


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def reviews_seed(
    *, now: datetime | None = None, log: Callable[[str], None] | None = None
) -> ReviewsReport:
    """Past jobs and reviews for every demo provider that has no completed booking yet, then
    the rating figures of their listings and profiles, computed from the reviews.

    Cheap when nothing is missing: one query.
    """
    now = now or timezone.now()
    report = ReviewsReport()
    started = time.perf_counter()
    providers = _providers_without_jobs()
    if not providers:
        return report
    cities_data = {city.slug: city for city in largest_cities()}
    positions = {city.slug: position for position, city in enumerate(largest_cities())}
    highest = max(provider.index for provider in providers)
    plans = provider_plans(highest) if highest else []
    trades = {plan.index: plan.trade for plan in plans}
    # The n-th demo provider of a city draws from that city's first customer_pool(n) customers.
    in_city: dict[int, int] = {}
    seen: Counter[str] = Counter()
    for plan in plans:
        seen[plan.city_slug] += 1
        in_city[plan.index] = seen[plan.city_slug]
    demo_customer = User.objects.get(email=demo_data().account("customer").email).pk
    # Many providers at once (a benchmark's scale) write more reviews a day: the fraud rules'
    # most recent reviews then span fewer days, and fewer texts need keeping apart.
    memory = TextMemory(
        recent_days=max(3.0, RECENT_DAYS * min(1.0, RECENT_FOR_PROVIDERS / len(providers)))
    )
    suspects: list[tuple[_Provider, ZoneInfo]] = []

    def customers_of(provider: _Provider) -> Callable[[random.Random], int]:
        pool = DEMO_PROVIDER_POOL if provider.index == 0 else customer_pool(
            providers_in_city=in_city[provider.index]
        )  # fmt: skip

        def draw(rng: random.Random) -> int:
            return customer_number(
                city_position=positions[provider.city_slug],
                number=rng.randint(1, pool),
                city_count=len(positions),
            )

        return draw

    report.timings["reviews: read"] = time.perf_counter() - started
    for chunk in _chunks(providers, PROVIDERS_PER_CHUNK):
        step = time.perf_counter()
        listings = _listings(chunk, trades)
        planned = []
        for provider in chunk:
            zone = ZoneInfo(cities_data[provider.city_slug].timezone)
            history = now - timedelta(days=HISTORY_DAYS)
            opened = provider.approved_at
            if provider.index == 0:
                # The demo account's listings had all their reviews since she joined; her last
                # days are kept free for the jobs _demo_account_jobs adds.
                history, opened = max(history, opened or history), None
            keep_free = provider.index == 0 or provider_is_suspect(provider.index)
            closes = now - timedelta(days=5 if keep_free else 1)
            jobs = provider_jobs(
                key=str(provider.index),
                listings=listings[provider.pk],
                name=provider.name,
                window=(history, closes),
                opened=opened,
                now=now,
                zone=zone,
                customers=customers_of(provider),
                memory=memory,
            )
            if provider.index == 0:
                jobs = _demo_account_jobs(
                    jobs,
                    listings[provider.pk],
                    name=provider.name,
                    now=now,
                    zone=zone,
                    customers=customers_of(provider),
                    memory=memory,
                )
            planned.append((provider, jobs))
            if provider_is_suspect(provider.index) and provider.status == _APPROVED:
                suspects.append((provider, zone))
        report.timings["reviews: plans"] = (
            report.timings.get("reviews: plans", 0) + time.perf_counter() - step
        )
        step = time.perf_counter()
        numbers = {job.customer for _, jobs in planned for job in jobs} - {DEMO_CUSTOMER}
        before = min((job.requested_at for _, jobs in planned for job in jobs), default=now)
        customer_ids, created = customers_ensure(numbers, joined_before=before)
        report.customers += created
        customer_ids[DEMO_CUSTOMER] = demo_customer
        services = Service.objects.only(
            "pk", "point", "price", "price_type", "cancellation_policy"
        ).in_bulk([job.listing.pk for _, jobs in planned for job in jobs])
        _write(planned, customer_ids=customer_ids, services=services, cities=cities_data,
               report=report)  # fmt: skip
        report.timings["reviews: write"] = (
            report.timings.get("reviews: write", 0) + time.perf_counter() - step
        )
        if log:
            log(f"  ... {report.bookings} past jobs, {report.reviews} reviews")
    step = time.perf_counter()
    report.held = _held_reviews(suspects, now=now, memory=memory)
    # Each held review is one more job, by an account of its own.
    report.reviews += report.held
    report.bookings += report.held
    report.customers += report.held
    report.timings["reviews: held"] = time.perf_counter() - step
    step = time.perf_counter()
    provider_ids = [provider.pk for provider in providers]
    ratings_refresh(
        service_ids=Service.objects.filter(provider_id__in=provider_ids).values_list(
            "pk", flat=True
        ),
        provider_ids=provider_ids,
    )
    report.timings["reviews: figures"] = time.perf_counter() - step
    return report

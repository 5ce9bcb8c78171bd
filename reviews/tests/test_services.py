"""Writing, editing, replying, reporting, moderators' status changes and rating customers:
what is saved, what is refused, and the figures that change with it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import ModerationAction
from bookings.models import Booking, BookingEvent
from bookings.tests.factories import BookingFactory
from marketplace.client_address import ClientInfo
from marketplace.errors import Conflict, Invalid, NotAllowed, WrongState
from notifications.models import Notification
from reviews import services
from reviews.models import CustomerRating, Review, ReviewPhoto, ReviewReport
from reviews.tests.factories import ReviewFactory, completed_booking, png

pytestmark = pytest.mark.django_db

TEXT = "Came on time, fixed the switchboard and cleaned up after."
CLIENT = ClientInfo(ip_address="203.0.113.7", user_agent="Firefox", device_id="a" * 32)


def submit(booking, author, **kwargs):
    values = {"rating": 5, "text": TEXT, "client": CLIENT} | kwargs
    return services.review_submit(booking=booking, author=author, **values)


def figures(obj):
    obj.refresh_from_db()
    return obj.rating_average, obj.rating_count


def test_a_review_is_published_with_the_client_and_the_timeline_and_the_figures(booking, author):
    review = submit(booking, author, rating="4", quality="5", value="")
    assert review.status == Review.Status.PUBLISHED and review.published_at
    assert (review.rating, review.quality, review.value) == (4, 5, None)
    assert (review.ip_address, review.user_agent, review.device_id) == (
        "203.0.113.7",
        "Firefox",
        "a" * 32,
    )
    assert booking.events.filter(action=BookingEvent.Action.REVIEWED, actor=author).exists()
    assert figures(booking.service) == (Decimal("4.00"), 1)
    assert figures(booking.provider) == (Decimal("4.00"), 1)
    assert Notification.objects.filter(
        recipient=booking.provider.user, kind="review_published"
    ).exists()


def test_held_when_the_fraud_score_reaches_the_threshold(booking, author, monkeypatch, settings):
    settings.FRAUD_HOLD_THRESHOLD = 50
    monkeypatch.setattr("reviews.fraud.review_assess", lambda *, review: 50)
    review = submit(booking, author)
    assert review.status == Review.Status.HELD and review.fraud_score == 50
    assert review.published_at is None
    assert figures(booking.service) == (Decimal("0.00"), 0)


def test_just_below_the_threshold_is_published(booking, author, monkeypatch, settings):
    settings.FRAUD_HOLD_THRESHOLD = 50
    monkeypatch.setattr("reviews.fraud.review_assess", lambda *, review: 49)
    assert submit(booking, author).status == Review.Status.PUBLISHED


def test_only_the_customer_may_review(booking, pro, stranger):
    for person in (pro, stranger):
        with pytest.raises(NotAllowed):
            submit(booking, person)
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    "status", [Booking.Status.ACCEPTED, Booking.Status.PENDING, Booking.Status.CANCELLED]
)
def test_a_booking_not_completed_cannot_be_reviewed(status):
    booking = BookingFactory(status=status)
    with pytest.raises(WrongState):
        submit(booking, booking.customer)
    assert not Review.objects.exists()


def test_a_second_review_is_refused(booking, author):
    submit(booking, author)
    with pytest.raises(WrongState) as error:
        submit(booking, author, rating=1)
    assert error.value.code == "already_reviewed"
    assert Review.objects.count() == 1


def test_a_race_lost_to_the_unique_constraint_is_a_conflict(booking, author, monkeypatch, tmp_path):
    """Another request's review lands between the checks and the insert."""
    store = services._store_photos

    def store_while_the_other_request_commits(photos):
        stored = store(photos)
        ReviewFactory(booking=booking)
        return stored

    monkeypatch.setattr(services, "_store_photos", store_while_the_other_request_commits)
    with pytest.raises(Conflict):
        submit(booking, author, photos=[png()])
    assert Review.objects.count() == 1
    assert not ReviewPhoto.objects.exists()
    assert not booking.events.filter(action=BookingEvent.Action.REVIEWED).exists()
    assert not list((tmp_path / "media" / "reviews").glob("*"))


def test_the_database_allows_one_review_per_booking(booking):
    ReviewFactory(booking=booking)
    with pytest.raises(IntegrityError):
        ReviewFactory(booking=booking)


@pytest.mark.parametrize(("days", "allowed"), [(13, True), (14, True), (15, False)])
def test_the_review_window_is_fourteen_days_from_completion(days, allowed):
    now = timezone.now()
    booking = completed_booking(completed_at=now - timedelta(days=days) + timedelta(minutes=1))
    if allowed:
        assert submit(booking, booking.customer, now=now).pk
    else:
        with pytest.raises(WrongState) as error:
            submit(booking, booking.customer, now=now)
        assert error.value.code == "review_window_closed"


@pytest.mark.parametrize(
    "rating", [0, 6, "0", "6", "٣", "1e9", "9" * 400, "", None, True, "4.5", " "]
)
def test_bad_ratings_are_refused_with_a_message(booking, author, rating):
    with pytest.raises(Invalid) as error:
        submit(booking, author, rating=rating)
    assert "rating" in error.value.fields
    assert not Review.objects.exists()


def test_bad_sub_ratings_are_refused(booking, author):
    with pytest.raises(Invalid) as error:
        submit(booking, author, quality="7", punctuality="٣")
    assert set(error.value.fields) == {"quality", "punctuality"}


@pytest.mark.parametrize("text", ["", "   ", "Too short.", "x" * 2001, "x" * 100_000])
def test_bad_texts_are_refused(booking, author, text):
    with pytest.raises(Invalid) as error:
        submit(booking, author, text=text)
    assert "text" in error.value.fields
    assert not Review.objects.exists()


def test_control_characters_are_removed_and_html_kept_as_text(booking, author):
    review = submit(
        booking, author, text="\x00<script>alert(1)</script> was great\x07 work, thanks!"
    )
    assert review.text == "<script>alert(1)</script> was great work, thanks!"


def test_photos_are_reencoded_and_stored(booking, author):
    review = submit(booking, author, photos=[png(), png("b.png")])
    photos = list(review.photos.all())
    assert [p.position for p in photos] == [0, 1]
    for photo in photos:
        assert photo.image.name.startswith("reviews/") and photo.image.name.endswith(".jpg")
        assert default_storage.exists(photo.thumbnail.name)


def test_five_photos_are_refused(booking, author):
    with pytest.raises(Invalid) as error:
        submit(booking, author, photos=[png() for _ in range(5)])
    assert "photos" in error.value.fields
    assert not Review.objects.exists()


def test_a_file_that_is_not_an_image_saves_nothing(booking, author):
    bad = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    with pytest.raises(Invalid) as error:
        submit(booking, author, photos=[png(), bad])
    assert "photos" in error.value.fields
    assert not Review.objects.exists() and not ReviewPhoto.objects.exists()


def test_a_failure_after_storing_deletes_the_files(booking, author, monkeypatch, tmp_path):
    def fail(*, review):
        raise RuntimeError("boom")

    monkeypatch.setattr("reviews.fraud.review_assess", fail)
    with pytest.raises(RuntimeError):
        submit(booking, author, photos=[png()])
    assert not Review.objects.exists()
    assert not list((tmp_path / "media" / "reviews").glob("*"))


# Editing


@pytest.mark.parametrize(("hours", "allowed"), [(47, True), (49, False)])
def test_the_author_edits_within_48_hours(booking, author, hours, allowed):
    review = submit(booking, author, rating=5)
    now = review.created_at + timedelta(hours=hours)
    if allowed:
        edited = services.review_edit(
            review=review, author=author, rating="2", text=TEXT + " Edited.", now=now
        )
        assert (edited.rating, edited.edited_at) == (2, now)
        assert figures(booking.service) == (Decimal("2.00"), 1)
    else:
        with pytest.raises(WrongState):
            services.review_edit(review=review, author=author, rating="2", text=TEXT, now=now)
        review.refresh_from_db()
        assert review.rating == 5


def test_only_the_author_edits(booking, author, pro, stranger):
    review = submit(booking, author)
    for person in (pro, stranger):
        with pytest.raises(NotAllowed):
            services.review_edit(review=review, author=person, rating=1, text=TEXT)


def test_an_edit_that_crosses_the_threshold_holds_the_review(booking, author, monkeypatch):
    review = submit(booking, author)
    monkeypatch.setattr("reviews.fraud.review_assess", lambda *, review: 100)
    edited = services.review_edit(review=review, author=author, rating=5, text=TEXT)
    assert edited.status == Review.Status.HELD
    assert figures(booking.service) == (Decimal("0.00"), 0)


def test_a_bad_edit_changes_nothing(booking, author):
    review = submit(booking, author)
    with pytest.raises(Invalid):
        services.review_edit(review=review, author=author, rating="0", text="")
    review.refresh_from_db()
    assert (review.rating, review.text, review.edited_at) == (5, TEXT, None)


# Moderators


def test_hide_and_restore_change_the_figures_and_are_recorded(booking, author):
    moderator = BookingFactory().customer
    review = submit(booking, author, rating=4)
    other = completed_booking(service=booking.service)
    # Another customer, on their own device and in their own words (else the fraud rules hold
    # it: one device and one text for two reviewers of one provider).
    own_words = "Late twice and the invoice was higher than the quote we agreed."
    elsewhere = ClientInfo(ip_address="198.51.100.2", user_agent="Safari", device_id="b" * 32)
    submit(other, other.customer, rating=2, text=own_words, client=elsewhere)
    assert figures(booking.service) == (Decimal("3.00"), 2)

    services.review_set_status(review=review, status="hidden", actor=moderator, reason="Abusive")
    assert figures(booking.service) == (Decimal("2.00"), 1)
    assert figures(booking.provider) == (Decimal("2.00"), 1)
    review.refresh_from_db()
    assert (review.status, review.status_reason) == ("hidden", "Abusive")
    told = Notification.objects.filter(recipient=author, kind="review_hidden").get()
    assert "Abusive" in told.body

    services.review_set_status(review=review, status="published", actor=moderator, reason="")
    assert figures(booking.service) == (Decimal("3.00"), 2)
    actions = list(
        ModerationAction.objects.order_by("id").values_list("action", "actor", "user", "target_id")
    )
    assert actions == [
        ("hide_review", moderator.pk, author.pk, review.pk),
        ("restore_review", moderator.pk, author.pk, review.pk),
    ]


def test_publishing_a_held_review(booking, author, monkeypatch):
    monkeypatch.setattr("reviews.fraud.review_assess", lambda *, review: 99)
    review = submit(booking, author)
    services.review_set_status(review=review, status="published", actor=None)
    review.refresh_from_db()
    assert review.status == "published" and review.published_at
    assert figures(booking.service) == (Decimal("5.00"), 1)
    assert not ModerationAction.objects.exists()  # the system, not a moderator
    assert Notification.objects.filter(recipient=author, kind="review_published").exists()
    assert Notification.objects.filter(
        recipient=booking.provider.user, kind="review_published"
    ).exists()


@pytest.mark.parametrize("status", ["hidden", "held"])
def test_hiding_or_holding_needs_a_reason(booking, author, status):
    review = submit(booking, author)
    with pytest.raises(Invalid) as error:
        services.review_set_status(review=review, status=status, actor=None, reason="  ")
    assert "reason" in error.value.fields
    review.refresh_from_db()
    assert review.status == "published"


def test_a_status_it_already_has_or_an_unknown_one_is_refused(booking, author):
    review = submit(booking, author)
    with pytest.raises(WrongState):
        services.review_set_status(review=review, status="published", actor=None)
    with pytest.raises(Invalid):
        services.review_set_status(review=review, status="deleted", actor=None, reason="x")


# Replies


def test_the_provider_replies_once_and_edits_for_48_hours(booking, author, pro):
    review = submit(booking, author)
    response = services.review_reply(review=review, user=pro, text="Thanks <b>Casey</b>!")
    assert response.text == "Thanks <b>Casey</b>!"
    assert Notification.objects.filter(recipient=author, kind="review_replied").exists()
    with pytest.raises(WrongState):
        services.review_reply(review=review, user=pro, text="Again")
    services.review_reply_edit(
        response=response, user=pro, text="Thanks!", now=response.created_at + timedelta(hours=47)
    )
    response.refresh_from_db()
    assert response.text == "Thanks!" and response.edited_at
    with pytest.raises(WrongState):
        services.review_reply_edit(
            response=response, user=pro, text="Late", now=response.created_at + timedelta(hours=49)
        )


def test_only_the_provider_replies_and_only_to_a_published_review(
    booking, author, stranger, pro, monkeypatch
):
    review = submit(booking, author)
    for person in (author, stranger):
        with pytest.raises(NotAllowed):
            services.review_reply(review=review, user=person, text="Hi")
    services.review_set_status(review=review, status="hidden", actor=None, reason="Spam")
    with pytest.raises(WrongState):
        services.review_reply(review=review, user=pro, text="Hi")


def test_an_empty_or_huge_reply_is_refused(booking, author, pro):
    review = submit(booking, author)
    for text in ("", "x" * 100_000):
        with pytest.raises(Invalid):
            services.review_reply(review=review, user=pro, text=text)


# Reports


def test_anyone_but_the_author_reports_once_while_open(booking, author, stranger):
    review = submit(booking, author)
    report = services.review_report(
        review=review, reporter=stranger, reason="fake", details="Same text elsewhere"
    )
    assert report.status == ReviewReport.Status.OPEN
    with pytest.raises(WrongState) as error:
        services.review_report(review=review, reporter=stranger, reason="other")
    assert "already reported" in error.value.message
    with pytest.raises(NotAllowed):
        services.review_report(review=review, reporter=author, reason="fake")


@pytest.mark.parametrize("reason", ["", "spam", None])
def test_a_report_needs_a_known_reason(booking, author, stranger, reason):
    review = submit(booking, author)
    with pytest.raises(Invalid):
        services.review_report(review=review, reporter=stranger, reason=reason)
    assert not ReviewReport.objects.exists()


# Rating customers


def test_the_provider_rates_the_customer_once(booking, pro, author):
    rating = services.customer_rate(booking=booking, user=pro, rating="4", private_note="Friendly")
    assert (rating.customer, rating.rating) == (author, 4)
    with pytest.raises(WrongState):
        services.customer_rate(booking=booking, user=pro, rating=5)
    assert CustomerRating.objects.count() == 1


def test_only_the_provider_rates_a_completed_booking(booking, author, stranger):
    for person in (author, stranger):
        with pytest.raises(NotAllowed):
            services.customer_rate(booking=booking, user=person, rating=4)
    upcoming = BookingFactory(status=Booking.Status.ACCEPTED)
    with pytest.raises(WrongState):
        services.customer_rate(booking=upcoming, user=upcoming.provider.user, rating=4)
    with pytest.raises(Invalid):
        services.customer_rate(booking=booking, user=booking.provider.user, rating="6")

"""The review pages: writing, editing, reporting, the portal's reviews and rating customers,
the listing's and provider's review sections, photos; who may open each, and query counts."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from jobs.services import job_post
from reviews import services
from reviews.aggregates import ratings_refresh
from reviews.models import CustomerRating, Review, ReviewReport, ReviewResponse
from reviews.selectors import PAGE_SIZE
from reviews.tests.factories import ReviewFactory, completed_booking, png

pytestmark = pytest.mark.django_db

TEXT = "Came on time, fixed the switchboard and cleaned up after."


def post_review(client, booking, **data):
    return client.post(f"/bookings/{booking.pk}/review/", {"rating": "5", "text": TEXT} | data)


def reviewed(booking, **kwargs):
    review = ReviewFactory(booking=booking, **kwargs)
    ratings_refresh(service_ids=[booking.service_id], provider_ids=[booking.provider_id])
    return review


# Writing


def test_the_booking_page_offers_the_review_and_the_form_publishes_it(client, booking, author):
    client.force_login(author)
    page = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert "Review this job" in page
    form = client.get(f"/bookings/{booking.pk}/review/")
    assert form.status_code == 200 and 'type="radio"' in form.content.decode()
    response = post_review(client, booking, quality="4", photos=[png()])
    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.rating, review.quality, review.photos.count()) == (5, 4, 1)
    assert review.device_id  # the device cookie's id, from client_info
    page = client.get(response.url).content.decode()
    assert "Thanks, your review is published" in page
    assert "Review this job" not in page
    assert "reviewed the job" in page  # the timeline
    assert "Edit<span" in page


def test_a_held_review_says_it_is_being_checked(client, booking, author, monkeypatch):
    monkeypatch.setattr("reviews.fraud.review_assess", lambda *, review: 1000)
    client.force_login(author)
    page = client.get(post_review(client, booking).url).content.decode()
    assert "being checked" in page and "Being checked" in page


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"rating": "0"}, "Choose from 1 to 5 stars."),
        ({"rating": "6"}, "Choose from 1 to 5 stars."),
        ({"rating": "٣"}, "Choose from 1 to 5 stars."),
        ({"rating": "9" * 1000}, "Choose from 1 to 5 stars."),
        ({"text": ""}, "Write at least 20 characters"),
        ({"text": "x" * 100_000}, "Keep it to 2,000 characters"),
    ],
)
def test_bad_input_is_a_message_on_the_form_and_saves_nothing(
    client, booking, author, data, field_message
):
    client.force_login(author)
    response = post_review(client, booking, **data)
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not Review.objects.exists()


def test_five_photos_are_refused_on_the_form(client, booking, author):
    client.force_login(author)
    response = post_review(client, booking, photos=[png() for _ in range(5)])
    assert response.status_code == 400 and "at most 4 photos" in response.content.decode()
    assert not Review.objects.exists()


def test_html_in_a_review_is_shown_as_text(client, booking, author):
    client.force_login(author)
    post_review(client, booking, text="<script>alert('x')</script> Lovely work, very tidy indeed.")
    page = client.get(booking.service.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(" in page
    assert "<script>alert(" not in page


@pytest.mark.parametrize("who", ["anonymous", "stranger", "provider"])
def test_only_the_customer_opens_the_review_form(client, booking, who, stranger, pro):
    if who != "anonymous":
        client.force_login(stranger if who == "stranger" else pro)
    for method in (client.get, client.post):
        response = method(f"/bookings/{booking.pk}/review/")
        assert response.status_code == (302 if who == "anonymous" else 404)
    assert not Review.objects.exists()


def test_a_booking_not_completed_or_past_the_window_has_no_form(client):
    upcoming = BookingFactory(status=Booking.Status.ACCEPTED)
    client.force_login(upcoming.customer)
    response = client.get(f"/bookings/{upcoming.pk}/review/", follow=True)
    assert "once the job is marked completed" in response.content.decode()
    late = completed_booking(completed_at=timezone.now() - timedelta(days=15))
    client.force_login(late.customer)
    assert "Review this job" not in client.get(f"/bookings/{late.pk}/").content.decode()
    response = post_review(client, late)
    assert response.status_code == 302 and not Review.objects.exists()


def test_a_huge_id_is_a_404(client, author):
    client.force_login(author)
    assert client.get(f"/bookings/{2**64}/review/").status_code == 404
    assert client.get(f"/reviews/{2**64}/edit/").status_code == 404
    assert client.get(f"/reviews/{2**64}/report/").status_code == 404


# Editing


def test_the_author_edits_within_48_hours(client, booking, author):
    review = reviewed(booking)
    client.force_login(author)
    assert client.get(f"/reviews/{review.pk}/edit/").status_code == 200
    response = client.post(
        f"/reviews/{review.pk}/edit/", {"rating": "3", "text": TEXT + " Edited."}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.rating == 3 and review.edited_at
    Review.objects.filter(pk=review.pk).update(created_at=timezone.now() - timedelta(hours=49))
    assert client.get(f"/reviews/{review.pk}/edit/").status_code == 302
    assert "Edit<span" not in client.get(f"/bookings/{booking.pk}/").content.decode()


@pytest.mark.parametrize("who", ["stranger", "provider"])
def test_only_the_author_edits(client, booking, who, stranger, pro):
    review = reviewed(booking)
    client.force_login(stranger if who == "stranger" else pro)
    assert client.get(f"/reviews/{review.pk}/edit/").status_code == 404
    assert (
        client.post(f"/reviews/{review.pk}/edit/", {"rating": "1", "text": TEXT}).status_code == 404
    )


# Reporting


def test_a_signed_in_user_reports_a_review_once(client, booking, stranger):
    review = reviewed(booking)
    client.force_login(stranger)
    assert client.get(f"/reviews/{review.pk}/report/").status_code == 200
    response = client.post(f"/reviews/{review.pk}/report/", {"reason": "fake"})
    assert response.status_code == 302
    again = client.post(f"/reviews/{review.pk}/report/", {"reason": "other"})
    assert again.status_code == 409 and "already reported" in again.content.decode()
    assert ReviewReport.objects.count() == 1


def test_a_report_needs_a_reason(client, booking, stranger):
    review = reviewed(booking)
    client.force_login(stranger)
    response = client.post(f"/reviews/{review.pk}/report/", {"reason": ""})
    assert response.status_code == 400 and not ReviewReport.objects.exists()


def test_reporting_needs_sign_in_and_is_not_for_the_author_or_hidden_reviews(
    client, booking, author, stranger
):
    review = reviewed(booking)
    assert client.get(f"/reviews/{review.pk}/report/").status_code == 302
    client.force_login(author)
    assert client.get(f"/reviews/{review.pk}/report/").status_code == 404
    Review.objects.filter(pk=review.pk).update(status=Review.Status.HIDDEN)
    client.force_login(stranger)
    assert client.get(f"/reviews/{review.pk}/report/").status_code == 404


# The listing's and the provider's review sections


def _many_reviews(service, count):
    for n in range(count):
        booking = completed_booking(service=service, customer=UserFactory(name=f"Priya Shah{n}"))
        review = ReviewFactory(
            booking=booking,
            rating=5 if n % 2 else 4,
            text=f"Review number {n:02d} here, careful work.",
        )
        if n == 0:
            services.review_reply(review=review, user=service.provider.user, text="Thank you!")
        review.photos.create(image="reviews/a.jpg", thumbnail="reviews/a-thumb.jpg")
    ratings_refresh(service_ids=[service.pk], provider_ids=[service.provider_id])


def test_the_listing_shows_the_figures_breakdown_and_reviews_newest_first(client, booking):
    service = booking.service
    _many_reviews(service, PAGE_SIZE + 2)
    page = client.get(service.get_absolute_url()).content.decode()
    assert (
        "5 stars: 6 reviews" in page
        and "4 stars: 6 reviews" in page
        and "1 star: 0 reviews" in page
    )
    assert "Verified booking" in page and "Priya S." in page and "Shah" not in page
    assert page.index("Review number 11") < page.index("Review number 10")
    assert "Review number 01" not in page  # on page 2
    assert "style=" not in page.split('id="reviews"')[1].split("</section>")[0]
    second = client.get(service.get_absolute_url() + "?page=2").content.decode()
    assert "Review number 00" in second and "Thank you!" in second
    assert client.get(service.get_absolute_url() + "?page=x").status_code == 200


def test_held_and_hidden_reviews_are_not_shown(client, booking):
    reviewed(booking, status=Review.Status.HELD, text="A held review that nobody should see yet.")
    page = client.get(booking.service.get_absolute_url()).content.decode()
    assert "nobody should see" not in page and "No reviews yet" in page


def test_a_review_shows_its_date_where_the_site_is_its_text_as_paragraphs_and_its_photos(
    client, booking, author
):
    # 23:30 UTC on 31 December is already 1 January in Sydney (the site's zone).
    at = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    review = reviewed(booking, text="First line.\n\nSecond <b>part</b>.")
    photo = review.photos.create(image="reviews/a.jpg", thumbnail="reviews/a-thumb.jpg")
    services.review_reply(review=review, user=booking.provider.user, text="Thanks & see you.")
    Review.objects.filter(pk=review.pk).update(created_at=at)  # auto_now_add set it to now
    page = client.get(booking.service.get_absolute_url()).content.decode()
    section = page.split('id="reviews"')[1].split("</section>")[0]
    assert '<time datetime="2026-01-01T10:30:00+11:00">1 Jan 2026</time>' in section
    assert "<p>First line.</p>\n\n<p>Second &lt;b&gt;part&lt;/b&gt;.</p>" in section
    assert f'href="/reviews/photos/{photo.key}.jpg"' in section
    assert f'src="/reviews/photos/{photo.key}-thumb.jpg"' in section
    assert "<p>Thanks &amp; see you.</p>" in section
    assert f'href="/reviews/{review.pk}/report/"' in section  # anyone but the author may report
    client.force_login(author)
    mine = client.get(booking.service.get_absolute_url()).content.decode()
    assert f'href="/reviews/{review.pk}/report/"' not in mine


@pytest.mark.parametrize("count", [1, PAGE_SIZE + 2])
def test_listing_query_count_with_reviews(client, booking, count, django_assert_num_queries):
    service = booking.service
    _many_reviews(service, count)
    client.get(service.get_absolute_url())
    # The listing's 2 (service, photos) + breakdown, reviews (author, reply), their photos.
    with django_assert_num_queries(5):
        response = client.get(service.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, PAGE_SIZE + 2])
def test_provider_page_query_count_with_reviews(client, booking, count, django_assert_num_queries):
    _many_reviews(booking.service, count)
    url = f"/pros/{booking.provider.slug}/"
    client.get(url)
    with django_assert_num_queries(5):  # provider, service cards + breakdown, reviews, photos
        assert client.get(url).status_code == 200


def test_provider_page_shows_reviews_and_pins_its_queries(
    client, booking, django_assert_num_queries
):
    _many_reviews(booking.service, 3)
    url = f"/pros/{booking.provider.slug}/"
    client.get(url)
    with django_assert_num_queries(5):  # provider, service cards + breakdown, reviews, photos
        page = client.get(url).content.decode()
    assert "Verified booking" in page and booking.service.title in page and "3 reviews" in page


# Photos


def test_a_photo_is_public_while_its_review_is_published(client, booking, author, stranger):
    client.force_login(author)
    post_review(client, booking, photos=[png()])
    photo = Review.objects.get().photos.get()
    client.logout()
    assert client.get(f"/reviews/photos/{photo.key}.jpg").status_code == 200
    assert client.get(f"/reviews/photos/{photo.key}-thumb.jpg").status_code == 200
    Review.objects.update(status=Review.Status.HIDDEN)
    assert client.get(f"/reviews/photos/{photo.key}.jpg").status_code == 404
    client.force_login(stranger)
    assert client.get(f"/reviews/photos/{photo.key}.jpg").status_code == 404
    client.force_login(author)
    assert client.get(f"/reviews/photos/{photo.key}.jpg").status_code == 200
    assert client.get(f"/media/{photo.image.name}").status_code == 404


# My bookings


def test_my_bookings_shows_what_waits_for_a_review(
    client, booking, author, django_assert_num_queries
):
    client.force_login(author)
    page = client.get("/bookings/").content.decode()
    assert "Waiting for your review" in page and f"/bookings/{booking.pk}/review/" in page
    reviewed(booking)
    assert "Waiting for your review" not in client.get("/bookings/").content.decode()


# The portal


def test_the_portal_lists_reviews_and_the_provider_replies_then_edits(client, booking, pro):
    review = reviewed(booking)
    client.force_login(pro)
    page = client.get("/portal/reviews/").content.decode()
    assert review.text in page
    assert ">Reply</button>" in page and 'href="/portal/reviews/"' in page
    client.post(f"/portal/reviews/{review.pk}/reply/", {"text": "Thanks for having us."})
    assert Review.objects.get().response.text == "Thanks for having us."
    page = client.get("/portal/reviews/").content.decode()
    assert "Edit reply" in page
    client.post(f"/portal/reviews/{review.pk}/reply/", {"text": "Thanks again."})
    assert Review.objects.get().response.text == "Thanks again."
    assert "Thanks again." in client.get(booking.service.get_absolute_url()).content.decode()


def test_the_portal_does_not_show_held_reviews(client, booking, pro):
    reviewed(booking, status=Review.Status.HELD, text="Held for the moderators to look at.")
    client.force_login(pro)
    page = client.get("/portal/reviews/").content.decode()
    assert "Held for the moderators" not in page and "No reviews yet" in page


def test_an_empty_reply_is_a_message(client, booking, pro):
    review = reviewed(booking)
    client.force_login(pro)
    page = client.post(
        f"/portal/reviews/{review.pk}/reply/", {"text": ""}, follow=True
    ).content.decode()
    assert "Write at least 1 characters." in page
    assert not ReviewResponse.objects.exists()


def test_another_provider_cannot_reply_or_rate(client, booking):
    review = reviewed(booking)
    other = BookingFactory().provider.user
    client.force_login(other)
    assert client.post(f"/portal/reviews/{review.pk}/reply/", {"text": "Hi"}).status_code == 404
    assert client.get(f"/portal/reviews/customers/{booking.pk}/rate/").status_code == 404
    client.force_login(booking.customer)  # not a provider: sent to onboarding
    assert client.get("/portal/reviews/").status_code == 302


@pytest.mark.parametrize("count", [1, PAGE_SIZE + 2])
def test_portal_reviews_query_count(client, booking, pro, count, django_assert_num_queries):
    _many_reviews(booking.service, count)
    client.force_login(pro)
    client.get("/portal/reviews/")
    # session, user, provider profile, unread notifications and messages, reviews (author,
    # reply, listing), their photos
    with django_assert_num_queries(7):
        response = client.get("/portal/reviews/")
    assert response.status_code == 200


def test_the_provider_rates_the_customer_and_sees_their_standing(client, booking, pro):
    client.force_login(pro)
    page = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert "Rate this customer" in page and "Not rated by providers yet" in page
    assert "1 completed booking on Nearhand" in page
    response = client.post(
        f"/portal/reviews/customers/{booking.pk}/rate/", {"rating": "4", "private_note": "Kind"}
    )
    assert response.status_code == 302
    assert CustomerRating.objects.get().rating == 4
    page = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert "Rated 4.0 out of 5 by providers (1 rating)" in page
    assert "Rate this customer" not in page
    client.force_login(booking.customer)
    assert "Rated 4.0" not in client.get(f"/bookings/{booking.pk}/").content.decode()


def test_a_bad_customer_rating_is_a_message(client, booking, pro):
    client.force_login(pro)
    response = client.post(f"/portal/reviews/customers/{booking.pk}/rate/", {"rating": "0"})
    assert response.status_code == 400 and "Choose from 1 to 5 stars." in response.content.decode()
    assert not CustomerRating.objects.exists()


def test_the_portal_job_page_shows_the_customers_standing(client, places, subcategory, plumbers):
    customer = UserFactory(name="Casey Customer")
    job = job_post(
        customer=customer,
        subcategory=subcategory,
        title="Fix a leaking tap",
        description="The kitchen tap drips all night.",
        place="Bondi",
        budget_min=Decimal("100"),
        budget_max=Decimal("300"),
    )
    earlier = completed_booking(customer=customer)
    services.customer_rate(booking=earlier, user=earlier.provider.user, rating=5)
    client.force_login(plumbers[0].user)
    page = " ".join(client.get(f"/portal/jobs/{job.pk}/").content.decode().split())
    assert "Rated 5.0 out of 5 by providers (1 rating) · 1 completed booking on Nearhand" in page


@pytest.mark.parametrize(
    "url",
    [
        "/portal/reviews/",
        "/portal/reviews/{review}/reply/",
        "/portal/reviews/customers/{booking}/rate/",
        "/reviews/{review}/edit/",
        "/reviews/{review}/report/",
        "/bookings/{booking}/review/",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, booking, url):
    review = reviewed(completed_booking())
    target = url.format(review=review.pk, booking=booking.pk)
    for method in (client.get, client.post):
        response = method(target)
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response.url.startswith("/accounts/login/")
    assert not CustomerRating.objects.exists() and not ReviewReport.objects.exists()
    assert not ReviewResponse.objects.exists() and Review.objects.count() == 1

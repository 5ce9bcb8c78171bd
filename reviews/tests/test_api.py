"""The reviews API: submitting (JSON and multipart), editing, the public lists with their
summary, replies and reports; who may do each, read-only fields, bad input, query counts, and
the page and the API refusing alike."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import ProviderProfileFactory
from reviews import services
from reviews.aggregates import ratings_refresh
from reviews.models import Review, ReviewReport, ReviewResponse
from reviews.selectors import PAGE_SIZE
from reviews.tests.factories import ReviewFactory, completed_booking, png

pytestmark = pytest.mark.django_db

TEXT = "Came on time, fixed the switchboard and cleaned up after."


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def reviewed(booking, **kwargs) -> Review:
    review = ReviewFactory(booking=booking, **kwargs)
    ratings_refresh(service_ids=[booking.service_id], provider_ids=[booking.provider_id])
    return review


def submit(client, completed, **data):
    return client.post(
        "/api/reviews/", {"booking": completed.pk, "rating": 5, "text": TEXT} | data, format="json"
    )


# Submitting


def test_a_customer_reviews_their_completed_booking_and_owner_fields_are_ignored(
    booking, author, stranger
):
    response = submit(
        api(author),
        booking,
        quality=4,
        status="hidden",
        author=stranger.pk,
        provider=999,
        fraud_score=0,
        published_at="2000-01-01T00:00:00Z",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    review = Review.objects.get(booking=booking)
    assert body["id"] == review.pk and body["status"] == "published"
    assert review.author == author and review.provider_id == booking.provider_id
    assert (review.rating, review.quality, review.text) == (5, 4, TEXT)
    assert body["author_name"] and "@" not in body["author_name"]


def test_photos_come_with_a_multipart_review(booking, author):
    response = api(author).post(
        "/api/reviews/",
        {"booking": booking.pk, "rating": "4", "text": TEXT, "photos": [png(), png("b.png")]},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    photos = response.json()["photos"]
    assert len(photos) == 2 and photos[0]["thumb_url"].endswith("-thumb.jpg")
    assert Review.objects.get(booking=booking).photos.count() == 2


def test_five_photos_are_refused_and_nothing_is_saved(booking, author):
    response = api(author).post(
        "/api/reviews/",
        {"booking": booking.pk, "rating": "4", "text": TEXT, "photos": [png() for _ in range(5)]},
        format="multipart",
    )

    assert response.status_code == 400 and "photos" in response.json()["fields"]
    assert not Review.objects.exists()


def test_another_users_booking_is_a_404_and_anonymous_is_a_401(booking, stranger, pro):
    assert submit(api(stranger), booking).status_code == 404
    assert submit(api(pro), booking).status_code == 404
    assert submit(api(), booking).status_code == 401
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"rating": 9}, "rating"),
        ({"rating": "five"}, "rating"),
        ({"rating": True}, "rating"),
        ({"booking": 2**70}, "booking"),
        ({"booking": "12abc"}, "booking"),
        ({"text": "x" * 100_000}, "text"),
        ({"text": ["a list"]}, "text"),
        ({"quality": 0}, "quality"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(booking, author, data, field):
    response = submit(api(author), booking, **data)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["fields"]
    assert not Review.objects.exists()


def test_the_service_words_a_short_text_as_the_page_does(client, booking, author):
    response = submit(api(author), booking, text="Too short")
    client.force_login(author)
    page = client.post(f"/bookings/{booking.pk}/review/", {"rating": "5", "text": "Too short"})

    assert response.status_code == page.status_code == 400
    message = response.json()["fields"]["text"][0]
    assert message.startswith("Write at least") and message in page.content.decode()


def test_malformed_bodies_are_4xx_never_500(booking, author):
    client = api(author)
    bad_json = client.generic("POST", "/api/reviews/", "{not json", content_type="application/json")
    assert bad_json.status_code == 400 and bad_json.json()["code"] == "parse_error"
    wrong_type = client.generic("POST", "/api/reviews/", "rating=5", content_type="text/plain")
    assert wrong_type.status_code == 415
    a_list = client.post("/api/reviews/", [1, 2], format="json")
    assert a_list.status_code == 400


def test_reviewing_twice_is_a_409(booking, author):
    assert submit(api(author), booking).status_code == 201
    again = submit(api(author), booking)

    assert again.status_code == 409 and again.json()["code"] == "already_reviewed"


# Reading one, editing


def test_a_held_review_is_a_404_to_everyone_but_its_author(booking, author, stranger, pro):
    review = reviewed(booking, status=Review.Status.HELD, published_at=None)
    url = f"/api/reviews/{review.pk}/"

    assert api(author).get(url).json()["status"] == "held"
    assert api(stranger).get(url).status_code == 404
    assert api(pro).get(url).status_code == 404
    assert api().get(url).status_code == 404
    assert api().get(f"/api/reviews/{2**64}/").status_code == 404


def test_a_published_review_is_public(booking):
    review = reviewed(booking)

    body = api().get(f"/api/reviews/{review.pk}/").json()
    assert body["id"] == review.pk and body["reply"] is None


def test_the_author_edits_within_the_window_and_status_is_read_only(booking, author, stranger):
    review = reviewed(booking)
    url = f"/api/reviews/{review.pk}/"

    response = api(author).patch(url, {"rating": 3, "status": "hidden"}, format="json")
    assert response.status_code == 200, response.json()
    review.refresh_from_db()
    assert (review.rating, review.status, review.text) == (3, "published", review.text)
    assert api(stranger).patch(url, {"rating": 1}, format="json").status_code == 404


def test_the_page_and_the_api_refuse_a_late_edit_with_the_same_message(client, booking, author):
    review = reviewed(booking)
    Review.objects.filter(pk=review.pk).update(created_at=timezone.now() - timedelta(hours=49))

    response = api(author).patch(f"/api/reviews/{review.pk}/", {"rating": 1}, format="json")
    client.force_login(author)
    page = client.get(f"/reviews/{review.pk}/edit/")

    assert response.status_code == 409 and response.json()["code"] == "edit_window_closed"
    flashed = [str(message) for message in get_messages(page.wsgi_request)]
    assert flashed == [response.json()["message"]]
    review.refresh_from_db()
    assert review.rating == 5


# Lists


def test_a_services_reviews_are_the_published_ones_newest_first_with_the_summary(booking):
    older = reviewed(booking, rating=4)
    newer = reviewed(completed_booking(service=booking.service), rating=2)
    reviewed(completed_booking(service=booking.service), status=Review.Status.HIDDEN)

    body = api().get(f"/api/services/{booking.service_id}/reviews/").json()

    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
    assert body["summary"]["count"] == 2 and body["summary"]["average"] == "3.00"
    breakdown = {row["stars"]: row["count"] for row in body["summary"]["breakdown"]}
    assert breakdown == {5: 0, 4: 1, 3: 0, 2: 1, 1: 0}
    assert body["next"] is None and body["previous"] is None


def test_a_service_with_no_review_has_an_empty_summary(booking):
    body = api().get(f"/api/services/{booking.service_id}/reviews/").json()

    assert body["results"] == [] and body["summary"]["count"] == 0
    assert [row["stars"] for row in body["summary"]["breakdown"]] == [5, 4, 3, 2, 1]


def test_lists_page_and_refuse_bad_pages(booking):
    for _ in range(PAGE_SIZE + 1):
        reviewed(completed_booking(service=booking.service))
    url = f"/api/services/{booking.service_id}/reviews/"

    first = api().get(url).json()
    assert len(first["results"]) == PAGE_SIZE and first["next"].endswith("?page=2")
    second = api().get(first["next"]).json()
    assert len(second["results"]) == 1 and second["previous"].endswith("?page=1")
    assert api().get(url, {"page": "0"}).status_code == 400
    assert api().get(url, {"page": str(2**70)}).status_code == 400
    assert api().get(url, {"page": "x"}).status_code == 400


def test_a_providers_reviews_span_their_services_and_unknown_ones_are_404(booking):
    reviewed(booking)
    provider = booking.provider

    body = api().get(f"/api/providers/{provider.slug}/reviews/").json()
    assert len(body["results"]) == 1 and body["summary"]["count"] == 1
    assert api().get("/api/providers/no-such-provider/reviews/").status_code == 404
    assert api().get(f"/api/services/{2**64}/reviews/").status_code == 404
    pending = ProviderProfileFactory()
    assert api().get(f"/api/providers/{pending.slug}/reviews/").status_code == 404


@pytest.mark.parametrize("rows", [1, PAGE_SIZE])
def test_the_lists_query_count_is_constant(booking, rows, django_assert_num_queries):
    reviewed(booking)
    for _ in range(rows - 1):
        reviewed(completed_booking(service=booking.service))
    for review in Review.objects.all():
        services.review_reply(review=review, user=booking.provider.user, text="Thanks!")
    client = api()

    # the service, the breakdown, the reviews (with author and reply), their photos
    with django_assert_num_queries(4):
        assert len(client.get(f"/api/services/{booking.service_id}/reviews/").json()["results"])
    with django_assert_num_queries(4):
        assert len(client.get(f"/api/providers/{booking.provider.slug}/reviews/").json()["results"])


# Replies


def test_the_provider_replies_once_and_edits_it(booking, pro):
    review = reviewed(booking)
    url = f"/api/reviews/{review.pk}/reply/"

    response = api(pro).post(url, {"text": "Thanks, a pleasure.", "author": 1}, format="json")
    assert response.status_code == 201 and response.json()["text"] == "Thanks, a pleasure."
    again = api(pro).post(url, {"text": "Twice"}, format="json")
    assert again.status_code == 409
    edited = api(pro).patch(url, {"text": "Thanks again."}, format="json")
    assert edited.status_code == 200
    assert ReviewResponse.objects.get(review=review).text == "Thanks again."
    assert api().get(f"/api/reviews/{review.pk}/").json()["reply"]["text"] == "Thanks again."


def test_a_customer_may_not_reply_and_another_provider_gets_a_404(booking, author, stranger):
    review = reviewed(booking)
    url = f"/api/reviews/{review.pk}/reply/"
    other_provider = ProviderProfileFactory(approved=True).user

    assert api(author).post(url, {"text": "Me too"}, format="json").status_code == 403
    assert api(stranger).post(url, {"text": "Me too"}, format="json").status_code == 403
    assert api(other_provider).post(url, {"text": "Hi"}, format="json").status_code == 404
    assert api(other_provider).patch(url, {"text": "Hi"}, format="json").status_code == 404
    assert not ReviewResponse.objects.exists()


def test_a_held_review_is_a_404_to_its_provider_too(booking, pro):
    review = reviewed(booking, status=Review.Status.HELD, published_at=None)

    response = api(pro).post(f"/api/reviews/{review.pk}/reply/", {"text": "Hi"}, format="json")
    assert response.status_code == 404
    assert not ReviewResponse.objects.exists()


def test_editing_a_reply_that_does_not_exist_is_a_404(booking, pro):
    review = reviewed(booking)

    response = api(pro).patch(f"/api/reviews/{review.pk}/reply/", {"text": "x"}, format="json")
    assert response.status_code == 404


def test_an_empty_reply_is_refused_by_the_service(booking, pro):
    review = reviewed(booking)

    response = api(pro).post(f"/api/reviews/{review.pk}/reply/", {"text": "  "}, format="json")
    assert response.status_code == 400 and "text" in response.json()["fields"]


# Reports


def test_reporting_twice_is_refused_by_the_page_and_the_api_alike(client, booking, stranger):
    review = reviewed(booking)
    url = f"/api/reviews/{review.pk}/report/"

    first = api(stranger).post(url, {"reason": "fake", "status": "closed"}, format="json")
    assert first.status_code == 201 and first.json()["status"] == "open"
    again = api(stranger).post(url, {"reason": "other"}, format="json")
    client.force_login(stranger)
    page = client.post(f"/reviews/{review.pk}/report/", {"reason": "other"})

    assert again.status_code == page.status_code == 409
    assert again.json()["code"] == "already_reported"
    assert again.json()["message"] == services.ALREADY_REPORTED
    assert services.ALREADY_REPORTED in page.content.decode()
    assert ReviewReport.objects.count() == 1


def test_the_author_and_hidden_reviews_cannot_be_reported(booking, author, stranger):
    review = reviewed(booking)
    url = f"/api/reviews/{review.pk}/report/"

    assert api(author).post(url, {"reason": "fake"}, format="json").status_code == 404
    assert api().post(url, {"reason": "fake"}, format="json").status_code == 401
    assert api(stranger).post(url, {"reason": "nonsense"}, format="json").status_code == 400
    Review.objects.filter(pk=review.pk).update(status=Review.Status.HIDDEN)
    assert api(stranger).post(url, {"reason": "fake"}, format="json").status_code == 404
    assert not ReviewReport.objects.exists()

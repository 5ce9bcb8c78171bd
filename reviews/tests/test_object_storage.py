"""Review photos on object storage (AWS_STORAGE_BUCKET_NAME set): in the bucket's private
storage, never readable at their plain URL (a hidden review's photos must hide with it), served
by the review's checked view from the bucket. The bucket is a local S3 API server's (the root
conftest's `object_storage`)."""

import pytest

from reviews.models import Review
from reviews.tests.factories import png
from reviews.tests.test_views import post_review

pytestmark = pytest.mark.django_db


def test_a_review_photo_is_private_in_the_bucket_and_follows_its_review(
    client, booking, author, stranger, object_storage
):
    client.force_login(author)
    post_review(client, booking, photos=[png()])
    photo = Review.objects.get().photos.get()
    assert object_storage.objects("reviews/") == sorted([photo.image.name, photo.thumbnail.name])
    plain = f"{object_storage.endpoint}/{object_storage.bucket}/{photo.image.name}"
    assert object_storage.anonymous_get(plain)[0] == 403

    client.logout()
    response = client.get(f"/reviews/photos/{photo.key}.jpg")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    Review.objects.update(status=Review.Status.HIDDEN)
    client.force_login(stranger)
    assert client.get(f"/reviews/photos/{photo.key}.jpg").status_code == 404
    client.force_login(author)
    assert client.get(f"/reviews/photos/{photo.key}.jpg").status_code == 200

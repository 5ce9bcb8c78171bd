"""Message photos on object storage (AWS_STORAGE_BUCKET_NAME set): sent through the
conversation page into the bucket's private storage, never readable at their plain URL, and
served only by the participant-checked views, which read them from the bucket. The bucket is a
local S3 API server's (the root conftest's `object_storage`)."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from chat.models import Message
from chat.tests.factories import png
from marketplace.storage import private_storage

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(client, conversation, customer, object_storage):
    client.force_login(customer)
    url = reverse("chat_conversation", args=[conversation.pk])
    assert client.post(url, {"body": "The switchboard", "photos": [png()]}).status_code == 302
    return Message.objects.get().photos.get()


def test_a_photo_sent_on_the_conversation_page_is_stored_in_the_bucket(photo, object_storage):
    assert object_storage.objects() == sorted([photo.image.name, photo.thumbnail.name])
    assert photo.image.name.startswith("chat/")
    assert photo.image.storage.bucket_name == object_storage.bucket


def test_its_plain_url_is_refused_to_anyone(photo, object_storage):
    for file in (photo.image, photo.thumbnail):
        plain = f"{object_storage.endpoint}/{object_storage.bucket}/{file.name}"
        assert object_storage.anonymous_get(plain)[0] == 403
        # What the storage would link (the admin's file widget) is signed, briefly valid.
        signed = file.url
        assert urlsplit(signed).path == urlsplit(plain).path and "X-Amz-Signature=" in signed
        assert "X-Amz-Expires=300&" in signed
        assert object_storage.anonymous_get(signed)[0] == 200


def test_the_checked_views_serve_it_from_the_bucket_to_the_participants_only(
    client, photo, customer, pro, stranger, object_storage
):
    for user in (customer, pro):
        client.force_login(user)
        for name in ("chat_photo", "chat_photo_thumb"):
            response = client.get(reverse(name, args=[photo.key]))
            assert response.status_code == 200 and "private" in response["Cache-Control"]
            assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    page = client.get(reverse("chat_conversation", args=[photo.message.conversation_id]))
    assert object_storage.endpoint not in page.content.decode()  # never a bucket URL
    client.force_login(stranger)
    for name in ("chat_photo", "chat_photo_thumb"):
        assert client.get(reverse(name, args=[photo.key])).status_code == 404
    client.logout()
    assert client.get(reverse("chat_photo", args=[photo.key])).status_code == 302  # sign in


def test_a_photo_gone_from_the_bucket_is_a_404_not_an_error(client, photo, customer):
    private_storage().delete(photo.image.name)
    client.force_login(customer)
    assert client.get(reverse("chat_photo", args=[photo.key])).status_code == 404
    assert client.get(reverse("chat_photo_thumb", args=[photo.key])).status_code == 200


def test_with_a_private_bucket_of_its_own_photos_go_there_and_are_served_from_there(
    client, conversation, customer, object_storage, private_bucket
):
    client.force_login(customer)
    url = reverse("chat_conversation", args=[conversation.pk])
    assert client.post(url, {"body": "", "photos": [png()]}).status_code == 302
    photo = Message.objects.get().photos.get()

    assert object_storage.objects() == []  # nothing in the public bucket
    assert object_storage.objects(bucket=private_bucket) == sorted(
        [photo.image.name, photo.thumbnail.name]
    )
    response = client.get(reverse("chat_photo", args=[photo.key]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"

"""A listing's photos on object storage (AWS_STORAGE_BUCKET_NAME set): uploaded through the
portal into the bucket, shown on the public pages from there under plain URLs anyone can read,
and deleted from the bucket only once the deletion commits. The bucket is a local S3 API
server's (the root conftest's `object_storage`)."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from listings import services
from listings.models import ServicePhoto
from listings.tests.factories import ServiceFactory
from listings.tests.test_portal import png
from marketplace.settings import upload_origin
from marketplace.tests.hostile_images import picture

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(provider):
    return ServiceFactory(provider=provider.provider_profile, title="Switchboard upgrade")


def upload(client, listing, *names):
    url = reverse("portal_service_photos", args=[listing.pk])
    response = client.post(url, {"photos": [png(name) for name in names]})
    assert response.status_code == 302, response.content.decode()
    return list(listing.photos.all())


def test_photos_uploaded_in_the_portal_are_public_objects_in_the_bucket(
    client, provider, listing, object_storage, settings
):
    client.force_login(provider)
    photos = upload(client, listing, "front.png", "back.png")

    names = sorted(name for photo in photos for name in (photo.image.name, photo.thumbnail.name))
    assert object_storage.objects() == names
    assert all(name.startswith(f"services/{listing.pk}/") for name in names)

    client.logout()
    detail = client.get(listing.get_absolute_url()).content.decode()
    profile = client.get(reverse("provider_public", args=[listing.provider.slug])).content.decode()
    cover = photos[0]
    assert cover.image.url in detail and cover.thumbnail.url in profile  # the card's thumbnail
    for photo in photos:
        for file in (photo.image, photo.thumbnail):
            assert "Signature" not in file.url  # plain: the cached pages keep working
            status, body = object_storage.anonymous_get(file.url)
            assert (status, body[:2]) == (200, b"\xff\xd8")
    # The pages' CSP lets the browser load them from there (the settings allow this origin).
    parts = urlsplit(cover.image.url)
    assert upload_origin(settings.STORAGES["default"]) == f"{parts.scheme}://{parts.netloc}"


def test_a_photo_deleted_in_the_portal_leaves_the_bucket_only_after_commit(
    client, provider, listing, object_storage, django_capture_on_commit_callbacks
):
    client.force_login(provider)
    kept, gone = upload(client, listing, "front.png", "back.png")
    url = reverse("portal_service_photo_delete", args=[listing.pk, gone.pk])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(url).status_code == 302
    assert not ServicePhoto.objects.filter(pk=gone.pk).exists()
    assert gone.image.name in object_storage.objects()  # not before the commit
    for callback in callbacks:
        callback()
    assert object_storage.objects() == sorted([kept.image.name, kept.thumbnail.name])


def test_a_rolled_back_deletion_keeps_the_files_in_the_bucket(provider, listing, object_storage):
    photo = services.service_photos_add(service=listing, uploads=[png()])[0]

    with pytest.raises(RuntimeError), transaction.atomic():
        services.service_delete(service=listing, actor=provider)
        raise RuntimeError("the request failed after the deletion")

    assert ServicePhoto.objects.filter(pk=photo.pk).exists()
    assert object_storage.objects() == sorted([photo.image.name, photo.thumbnail.name])


def test_a_file_that_fails_to_decode_takes_back_what_the_batch_stored(
    client, provider, listing, object_storage
):
    client.force_login(provider)
    url = reverse("portal_service_photos", args=[listing.pk])
    damaged = SimpleUploadedFile("cut.png", picture(size=(800, 600))[:200])  # a good header
    response = client.post(url, {"photos": [png("a.png"), png("b.png"), damaged]})
    assert response.status_code == 400
    assert "cut.png" in response.content.decode()
    assert object_storage.objects() == []  # a.png and b.png were stored, then deleted again


def test_with_signed_urls_only_the_pages_link_signed_urls_that_work(
    client, provider, listing, signed_urls_only
):
    client.force_login(provider)
    photo = upload(client, listing, "front.png")[0]
    client.logout()
    detail = client.get(listing.get_absolute_url()).content.decode()
    plain = f"{signed_urls_only.endpoint}/{signed_urls_only.bucket}/{photo.image.name}"
    assert signed_urls_only.anonymous_get(plain)[0] == 403  # the bucket is private whole
    linked = re.search(rf'<img src="({re.escape(plain)}\?[^"]+)"', detail).group(1)
    linked = linked.replace("&amp;", "&")
    assert "X-Amz-Signature=" in linked
    assert signed_urls_only.anonymous_get(linked)[0] == 200

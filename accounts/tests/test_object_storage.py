"""Avatars and providers' logos on object storage (AWS_STORAGE_BUCKET_NAME set): stored in the
bucket, readable by anyone at their plain URL, and the replaced file deleted only once the
change commits. The bucket is a local S3 API server's (the root conftest's `object_storage`)."""

import pytest
from django.db import transaction
from django.urls import reverse

from accounts import services
from accounts.tests.test_services import image_upload

pytestmark = pytest.mark.django_db


def test_an_avatar_uploaded_on_the_account_page_is_a_public_object(
    client, customer, object_storage
):
    client.force_login(customer)
    response = client.post(reverse("account_avatar"), {"avatar": image_upload()})
    assert response.status_code == 302

    customer.refresh_from_db()
    assert object_storage.objects("avatars/") == [customer.avatar.name]
    url = customer.avatar.url
    assert url.startswith(f"{object_storage.endpoint}/{object_storage.bucket}/avatars/")
    assert "Signature" not in url  # a plain URL, the same on every page (cacheable)
    assert url in client.get(reverse("account_details")).content.decode()
    status, body = object_storage.anonymous_get(url)
    assert (status, body[:2]) == (200, b"\xff\xd8")  # the re-encoded JPEG


def test_a_replaced_avatar_is_deleted_from_the_bucket_only_after_commit(
    customer, object_storage, django_capture_on_commit_callbacks
):
    services.user_set_avatar(user=customer, upload=image_upload())
    first = customer.avatar.name

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.user_set_avatar(user=customer, upload=image_upload(name="new.png"))
    second = customer.avatar.name
    assert object_storage.objects("avatars/") == sorted([first, second])  # not before the commit
    for callback in callbacks:
        callback()
    assert object_storage.objects("avatars/") == [second]


def test_a_rolled_back_replacement_keeps_the_avatar_in_the_bucket(customer, object_storage):
    services.user_set_avatar(user=customer, upload=image_upload())
    kept = customer.avatar.name

    with pytest.raises(RuntimeError), transaction.atomic():
        services.user_set_avatar(user=customer, upload=image_upload(name="new.png"))
        raise RuntimeError("the request failed after the avatar was set")

    customer.refresh_from_db()
    assert customer.avatar.name == kept
    assert kept in object_storage.objects("avatars/")  # the orphan clean-up takes the new one


def test_a_providers_logo_is_a_public_object(provider, object_storage):
    profile = services.provider_set_logo(profile=provider.provider_profile, upload=image_upload())
    assert object_storage.objects("logos/") == [profile.logo.name]
    assert object_storage.anonymous_get(profile.logo.url)[0] == 200

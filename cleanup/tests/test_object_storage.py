"""The orphaned-files sweep on object storage (AWS_STORAGE_BUCKET_NAME set): it lists both
storages' folders in the bucket (prefixes, nested ones too), deletes what no row names and
keeps what rows name and what lies outside every upload folder. The bucket is a local S3 API
server's (the root conftest's `object_storage`)."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from storages.backends.s3 import S3Storage

from chat import services as chat_services
from chat.tests.factories import png
from cleanup.services import cleanup_run
from listings.tests.factories import ServiceFactory, ServicePhotoFactory
from marketplace.cleanup import upload_folders
from marketplace.storage import private_storage

pytestmark = pytest.mark.django_db


def test_each_upload_folder_is_swept_in_the_storage_its_fields_use():
    folders = upload_folders()
    assert {"avatars", "logos", "services"} <= {f for alias, f in folders if alias == "default"}
    assert {f for alias, f in folders if alias == "private"} == {
        "chat",
        "reviews",
        "support",
        "invoices",
    }


@pytest.fixture(params=["one bucket", "a private bucket"])
def buckets(request, object_storage):
    """The bucket names each storage's files are in, both ways an operator may set it up."""
    if request.param == "one bucket":
        return object_storage.bucket, object_storage.bucket
    return object_storage.bucket, request.getfixturevalue("private_bucket")


def test_orphans_in_the_bucket_go_and_named_files_stay(
    object_storage, buckets, customer, monkeypatch
):
    public, private = buckets
    # One flat listing a folder, never a request for each listing's folder below services/.
    monkeypatch.setattr(S3Storage, "listdir", lambda *args: pytest.fail("listed folder by folder"))
    photo = ServicePhotoFactory()
    conversation = chat_services.conversation_open(
        user=customer, provider=ServiceFactory().provider
    )
    message = chat_services.message_send(
        conversation=conversation, sender=customer, body="", photos=[png()]
    )
    chat_photo = message.photos.get()
    named = [
        (public, photo.image.name),
        (public, photo.thumbnail.name),
        (private, chat_photo.image.name),
        (private, chat_photo.thumbnail.name),
    ]
    orphans = [
        (public, default_storage.save(f"services/{photo.service_id}/left.jpg", ContentFile(b"x"))),
        (public, default_storage.save("avatars/old.jpg", ContentFile(b"x"))),
        (private, private_storage().save("chat/abandoned.jpg", ContentFile(b"x"))),
        (private, private_storage().save("invoices/2026/12/NH-000001-0a.pdf", ContentFile(b"x"))),
    ]
    demo = (public, default_storage.save("demo/photos/picture.jpg", ContentFile(b"x")))

    def left() -> set[tuple[str, str]]:
        return {(b, name) for b in {public, private} for name in object_storage.objects(bucket=b)}

    assert left() == {*named, *orphans, demo}
    # Everything was just written: a run now leaves it all (an upload may be in flight)...
    assert cleanup_run(now=timezone.now()).orphaned_files == 0
    # ...and a run two days later takes the orphans, in both storages.
    assert cleanup_run(now=timezone.now() + timedelta(days=2)).orphaned_files == len(orphans)
    assert left() == {*named, demo}

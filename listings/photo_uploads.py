"""Photos people attach (to a message, a review, a support case): checked as a batch before
anything is decoded, stored one decoded at a time, deleted again when the write fails, and
served through a view that checked who is asking.

Chat, reviews and support all use these, each with its own words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from marketplace.errors import Invalid
from marketplace.images import image_check_bytes, image_check_header

from .images import photo_files_from_upload, photo_rules


class StoredPhoto(Protocol):
    image: FieldFile
    thumbnail: FieldFile


Photo = TypeVar("Photo", bound=StoredPhoto)


def photos_check(
    photos: Sequence[UploadedFile], *, most: int, refused: str, too_many: str = ""
) -> None:
    """Count, then every file's bytes, then every header (nothing decoded). Errors name the
    files, under "photos", ending with `refused` ("Nothing was sent."); more than `most` photos
    is refused with `too_many` (or a general sentence)."""
    if len(photos) > most:
        raise Invalid(fields={"photos": too_many or f"Attach at most {most} photos at a time."})
    rules = photo_rules()
    for check in (image_check_bytes, image_check_header):
        errors: list[str] = []
        for upload in photos:
            try:
                check(upload=upload, rules=rules)
            except Invalid as error:
                errors.extend(error.messages)
        if errors:
            raise Invalid(fields={"photos": [*errors, refused]})


def photos_store(
    photos: Sequence[UploadedFile], *, make: Callable[[int], Photo], refused: str
) -> list[Photo]:
    """Decode, re-encode (no EXIF, no location) and store each photo, one decoded at a time,
    into `make(position)` (an unsaved row); on any failure the files stored so far are
    deleted. A photo that cannot be decoded is refused with its message and `refused` (only
    its message when `refused` is empty)."""
    stored: list[Photo] = []
    try:
        for position, upload in enumerate(photos):
            try:
                image_file, thumbnail_file = photo_files_from_upload(upload=upload)
            except Invalid as error:
                if not refused:
                    raise
                raise Invalid(fields={"photos": [*error.messages, refused]}) from error
            photo = make(position)
            stored.append(photo)
            photo.image.save(image_file.name, image_file, save=False)
            photo.thumbnail.save(thumbnail_file.name, thumbnail_file, save=False)
    except BaseException:
        photos_delete(stored)
        raise
    return stored


def photos_delete(photos: Sequence[StoredPhoto]) -> None:
    for photo in photos:
        for file in (photo.image, photo.thumbnail):
            if file.name:
                file.storage.delete(file.name)


def photo_response(
    photo: StoredPhoto | None, *, thumbnail: bool, cache_control: str
) -> FileResponse:
    """The photo's JPEG (or its thumbnail) for a view that already checked the asker; None
    (not theirs, or no such photo) and a missing file are a 404."""
    if photo is None:
        raise Http404("No such photo.")
    file = photo.thumbnail if thumbnail else photo.image
    try:
        # The field's storage (private): local disk or S3, read with the site's credentials.
        handle = file.storage.open(file.name, "rb")
    except OSError as error:
        raise Http404("No such photo.") from error
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = cache_control
    return response

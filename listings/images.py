"""Listing photos: an upload checked and decoded by marketplace.images, re-encoded, and its
thumbnail made once."""

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps

from marketplace.images import ImageRules, image_decode, image_jpeg

MIN_PHOTO_SIDE = 200
# Large enough for a detail page on a wide screen; thumbnails are 4:3 like the cards.
PHOTO_MAX_SIDE = 1600
THUMBNAIL_SIZE = (480, 360)


def photo_rules() -> ImageRules:
    """What a listing photo must be (the byte limit is a setting: PHOTO_MAX_UPLOAD_BYTES)."""
    return ImageRules(
        noun="photo",
        max_bytes=settings.PHOTO_MAX_UPLOAD_BYTES,
        min_side=MIN_PHOTO_SIDE,
        size=(PHOTO_MAX_SIDE, PHOTO_MAX_SIDE),
    )


def photo_files(*, image: Image.Image) -> tuple[ContentFile, ContentFile]:
    """The stored photo (at most 1600 px a side) and its 480x360 thumbnail, with fresh names.

    Re-encoding drops EXIF (location) and anything else the original file carried.
    """
    stem = uuid.uuid4().hex
    photo = image.copy()
    photo.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
    thumbnail = ImageOps.fit(photo, THUMBNAIL_SIZE, method=Image.Resampling.LANCZOS)
    return (
        ContentFile(image_jpeg(photo, quality=84, progressive=True), name=f"{stem}.jpg"),
        ContentFile(image_jpeg(thumbnail, quality=84, progressive=True), name=f"{stem}-thumb.jpg"),
    )


def photo_files_from_upload(*, upload: UploadedFile) -> tuple[ContentFile, ContentFile]:
    """photo_files for an upload: decoded (checked first) at most 1600 px a side, so only this
    one upload is ever decoded at a time. Raises Invalid naming the file."""
    return photo_files(image=image_decode(upload=upload, rules=photo_rules()))

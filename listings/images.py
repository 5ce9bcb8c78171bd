"""Listing photos: check an upload, re-encode it, and make its thumbnail once."""

import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

from marketplace.errors import Invalid

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
MIN_PHOTO_SIDE = 200
# Large enough for a detail page on a wide screen; thumbnails are 4:3 like the cards.
PHOTO_MAX_SIDE = 1600
THUMBNAIL_SIZE = (480, 360)


def photo_open(*, upload: UploadedFile) -> Image.Image:
    """The upload as a decoded RGB image, or Invalid saying what is wrong with it."""
    if upload.size > MAX_PHOTO_BYTES:
        raise Invalid(f"{upload.name}: too large; the limit is 10 MB a photo.")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        if image.width * image.height > MAX_PHOTO_PIXELS:
            raise Invalid(f"{upload.name}: too many pixels; use a smaller photo.")
        image = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise Invalid(
            f"{upload.name}: not an image we can read; use a JPEG, PNG or WebP."
        ) from error
    if min(image.size) < MIN_PHOTO_SIDE:
        raise Invalid(
            f"{upload.name}: too small; photos need at least {MIN_PHOTO_SIDE} pixels a side."
        )
    return image


def _jpeg(image: Image.Image, name: str) -> ContentFile:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=84, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue(), name=name)


def photo_files(*, image: Image.Image) -> tuple[ContentFile, ContentFile]:
    """The stored photo (at most 1600 px a side) and its 480x360 thumbnail, with fresh names.

    Re-encoding drops EXIF (location) and anything else the original file carried.
    """
    stem = uuid.uuid4().hex
    photo = image.copy()
    photo.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
    thumbnail = ImageOps.fit(image, THUMBNAIL_SIZE, method=Image.Resampling.LANCZOS)
    return _jpeg(photo, f"{stem}.jpg"), _jpeg(thumbnail, f"{stem}-thumb.jpg")

"""Uploaded images (listing photos, avatars): checked before a pixel is decoded, then decoded
one at a time within a bounded amount of memory.

Every upload goes through the same three steps, each refusing with `Invalid` naming the file:

1. `image_check_bytes`: its size in bytes, before it is read at all.
2. `image_check_header`: its format and dimensions, from the header alone (`Image.open` is
   lazy: nothing is decoded, nothing the size of the image is allocated). Only the formats the
   upload forms promise are parsed (Pillow is never asked to read a BMP, TIFF, GIF...), the
   image must be at least `min_side` pixels a side, and what has to be decoded must fit the
   pixel limits below.
3. `image_decode`: checks the header again (decoding never runs on an unchecked file), then
   decodes at the smallest scale that still gives full quality at the stored size, converts to
   RGB, resizes, applies the EXIF orientation, and returns an image no larger than the stored
   size. Re-encoding it drops EXIF (location) and anything else the file carried.

The pixel limits keep one decode under about 110 MB (measured with Pillow 13; the numbers are
in docs/operations.md). Decoding costs memory in proportion to the pixels decoded: 4 bytes a
pixel for the image, up to 4 more when it is converted to RGB (palette, alpha, CMYK, 16-bit),
so PNGs may have at most 13 megapixels. libwebp's decoder keeps two canvases and Pillow copies
the frame out of it before decoding that copy (16 bytes a pixel): WebPs may have 6. A JPEG
larger than needed is decoded at 1/2 to 1/8 scale by libjpeg itself (DCT scaling), so a phone's
24 or 48 megapixel JPEG decodes small and may have up to 50 megapixels; a progressive JPEG
keeps every DCT coefficient of the full image while decoding (up to 8 bytes a pixel), so it
counts at full size.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from PIL import ExifTags, Image, ImageOps, PngImagePlugin

from .errors import Invalid

# What the upload forms promise, as Pillow names the formats and as <input accept> lists them.
FORMATS = ("JPEG", "PNG", "WEBP")
ACCEPT = "image/jpeg,image/png,image/webp"
# Pillow's JPEG reader returns a camera's multi-picture JPEG as "MPO"; its first frame is a JPEG.
_JPEG = ("JPEG", "MPO")

# No image may have more pixels than this, whatever its format.
MAX_PIXELS = 50_000_000
# The most pixels decoded at full size (after a JPEG's DCT scaling), and for WebP.
MAX_DECODED_PIXELS = 13_000_000
MAX_WEBP_PIXELS = 6_000_000

# The guard no code path can skip: Pillow itself raises DecompressionBombError when any image
# it opens, anywhere in the process, has more than twice MAX_IMAGE_PIXELS pixels (above
# MAX_IMAGE_PIXELS it only warns). marketplace.apps imports this module at start-up.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS // 2
# A PNG's compressed text chunks may inflate to 64 MB by Pillow's default, in the header:
# a 67 KB file cost 66 MB just to open. Nothing here keeps the text; 1 MB is plenty.
PngImagePlugin.MAX_TEXT_MEMORY = 1024 * 1024

# Formats people try that we do not take, recognised by their first bytes (for the message
# only: Pillow never parses them).
_OTHER_FORMATS = (
    (0, b"GIF8", "GIF"),
    (0, b"BM", "BMP"),
    (0, b"II*\x00", "TIFF"),
    (0, b"MM\x00*", "TIFF"),
    (4, b"ftypheic", "HEIC"),
    (4, b"ftypheix", "HEIC"),
    (4, b"ftypmif1", "HEIF"),
    (4, b"ftypavif", "AVIF"),
)

# EXIF orientation -> the transposition that makes the image upright (as ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SIDEWAYS = {5, 6, 7, 8}


@dataclass(frozen=True)
class ImageRules:
    """What one kind of upload must be, and the size it is stored at."""

    noun: str  # what people call it: "photo", "profile photo"
    max_bytes: int
    min_side: int
    size: tuple[int, int]  # the stored image fits within this (or fills it, with crop)
    crop: bool = False  # crop to exactly `size` (centred) instead of fitting within it


@dataclass(frozen=True)
class ImageHeader:
    format: str  # "JPEG", "PNG" or "WEBP"
    width: int  # as stored in the file
    height: int


def image_check_bytes(*, upload: UploadedFile, rules: ImageRules) -> None:
    """Refuse an upload larger than `rules.max_bytes`, without reading it."""
    if upload.size is None or upload.size > rules.max_bytes:
        size = f" ({_bytes_text(upload.size)})" if upload.size else ""
        raise Invalid(
            fields={
                "upload": f"{_name(upload)}: too large{size}; the limit is "
                f"{_bytes_text(rules.max_bytes)} a {rules.noun}."
            }
        )


def image_check_header(*, upload: UploadedFile, rules: ImageRules) -> ImageHeader:
    """Refuse an upload that is too large, not a JPEG, PNG or WebP, too small, or has more
    pixels than we decode; reads the header only (no pixel is decoded)."""
    image_check_bytes(upload=upload, rules=rules)
    with _opened(upload) as image:
        return _check(image, upload=upload, rules=rules)


def image_decode(*, upload: UploadedFile, rules: ImageRules) -> Image.Image:
    """The upload as an upright RGB image at its stored size (fitting within or, with
    `rules.crop`, filling `rules.size`; never enlarged when fitting), after the same checks
    as `image_check_header`. Only one full-size decode is alive at a time, and only here."""
    image_check_bytes(upload=upload, rules=rules)
    with _opened(upload) as image:
        _check(image, upload=upload, rules=rules)  # a JPEG is now set to decode scaled
        try:
            image.load()
            orientation = _orientation(image)
            box = _box(rules, orientation=orientation)
            frame = image if image.mode in ("RGB", "L") else image.convert("RGB")
            if frame is not image:
                image.close()  # free the decoded original before reducing the copy
            needed = _needed_size(frame.size, box, crop=rules.crop)
            # Whole-factor reduction first, keeping at least twice the final size, then a
            # Lanczos resize (what Pillow's thumbnail does with its default reducing_gap).
            factor = min(frame.width // needed[0], frame.height // needed[1]) // 2
            if factor > 1:
                reduced = frame.reduce(factor)
                frame.close()
                frame = reduced
            if rules.crop:
                stored = ImageOps.fit(frame, box, method=Image.Resampling.LANCZOS)
            else:
                stored = frame.resize(
                    _needed_size(frame.size, box, crop=False), Image.Resampling.LANCZOS
                )
            frame.close()
        except Exception as error:
            # Pillow reports a damaged file in many ways (OSError, SyntaxError, ValueError,
            # struct.error...); an untrusted file that cannot be decoded is the file's fault.
            raise _unreadable(upload) from error
    if orientation in _UPRIGHT:
        stored = stored.transpose(_UPRIGHT[orientation])
    return stored if stored.mode == "RGB" else stored.convert("RGB")


def image_jpeg(image: Image.Image, *, quality: int, progressive: bool = False) -> bytes:
    """`image` encoded as a JPEG, with no metadata (no EXIF, no location)."""
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=progressive)
    return buffer.getvalue()


def image_limits_text() -> str:
    """The pixel limits in words, for help texts."""
    return (
        f"at most {_megapixels(MAX_PIXELS)} megapixels "
        f"({_megapixels(MAX_DECODED_PIXELS)} for a PNG, {_megapixels(MAX_WEBP_PIXELS)} for a WebP)"
    )


# --- the checks ---------------------------------------------------------------------------


class _Borrowed:
    """The upload's file as Pillow reads it: Pillow closes the file of an image it closes,
    and the upload must stay open for the next step."""

    def __init__(self, upload: UploadedFile) -> None:
        self.read, self.seek, self.tell = upload.read, upload.seek, upload.tell

    def close(self) -> None:
        pass


@contextmanager
def _opened(upload: UploadedFile) -> Iterator[Image.Image]:
    """The upload opened lazily by Pillow as a JPEG, PNG or WebP, closed afterwards (its
    decoded pixels freed; the upload itself stays open)."""
    upload.seek(0)
    try:
        image = Image.open(_Borrowed(upload), formats=FORMATS)
    except Image.DecompressionBombError as error:
        raise Invalid(
            fields={
                "upload": f"{_name(upload)}: too many pixels; an image may have at most "
                f"{_megapixels(MAX_PIXELS)} megapixels."
            }
        ) from error
    except Exception as error:
        raise _unreadable(upload) from error
    try:
        yield image
    finally:
        image.close()


def _check(image: Image.Image, *, upload: UploadedFile, rules: ImageRules) -> ImageHeader:
    """Check the opened (not decoded) image against `rules`. A JPEG is left set to decode at
    the reduced scale its pixel count was checked at."""
    name = _name(upload)
    if image.format not in (*FORMATS, "MPO"):
        raise _unreadable(upload)
    width, height = image.size
    if min(width, height) < rules.min_side:
        raise Invalid(
            fields={
                "upload": f"{name}: too small ({width} x {height} pixels); a {rules.noun} "
                f"needs at least {rules.min_side} pixels a side."
            }
        )
    too_many = _pixel_limit_broken(image, upload=upload, rules=rules)
    if too_many:
        raise Invalid(
            fields={
                "upload": f"{name}: too many pixels ({width} x {height}); {too_many}. "
                "Use a smaller image."
            }
        )
    kind = "JPEG" if image.format in _JPEG else image.format
    return ImageHeader(format=kind, width=width, height=height)


def _pixel_limit_broken(image: Image.Image, *, upload: UploadedFile, rules: ImageRules) -> str:
    """The pixel limit `image` breaks, in words, or "". Reads the header only."""
    pixels = image.width * image.height
    if pixels > MAX_PIXELS:
        return f"an image may have at most {_megapixels(MAX_PIXELS)} megapixels"
    if image.format == "WEBP":
        if pixels > MAX_WEBP_PIXELS:
            return f"a WebP may have at most {_megapixels(MAX_WEBP_PIXELS)} megapixels"
        return ""
    if image.format in _JPEG:
        # libjpeg decodes a JPEG larger than needed at 1/2 to 1/8 scale. draft() records that
        # scale and the size it gives; it decodes nothing. Only a sequential JPEG (what
        # cameras and phones write) decodes in that little memory: a progressive one holds the
        # coefficients of the whole image while decoding, and a lossless one cannot be
        # scaled, so those count at full size.
        box = _box(rules, orientation=_orientation(image))
        image.draft("RGB", _needed_size(image.size, box, crop=rules.crop))
        if _jpeg_frame(upload) in _SEQUENTIAL_DCT:
            pixels = image.width * image.height
    if pixels > MAX_DECODED_PIXELS:
        kind = "a PNG" if image.format == "PNG" else "this JPEG"
        return f"{kind} may have at most {_megapixels(MAX_DECODED_PIXELS)} megapixels"
    return ""


# Start-of-frame markers of sequential DCT JPEGs (baseline, extended, arithmetic-coded).
_SEQUENTIAL_DCT = {0xC0, 0xC1, 0xC9}


def _jpeg_frame(upload: UploadedFile) -> int | None:
    """The start-of-frame marker of a JPEG (0xC0 for baseline), found the way libjpeg finds
    it (segment by segment, skipping stray and fill bytes), or None when there is none before
    the first scan. Reads the file (already checked to be within its byte limit)."""
    position = upload.tell()
    upload.seek(0)
    data = upload.read()
    upload.seek(position)
    at = 2  # past the start-of-image marker
    while True:
        at = data.find(b"\xff", at)
        while 0 <= at < len(data) and data[at] == 0xFF:  # fill bytes before a marker
            at += 1
        if not 0 <= at < len(data) - 2:
            return None
        marker = data[at]
        at += 1
        if marker == 0x00:  # an escaped 0xFF, not a marker
            continue
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return marker
        if marker in (0x01, 0xD8, 0xD9, 0xDA) or 0xD0 <= marker <= 0xD7:
            return None  # no frame header where one belongs
        at += int.from_bytes(data[at : at + 2], "big")  # the segment's length counts itself


def _box(rules: ImageRules, *, orientation: int) -> tuple[int, int]:
    """`rules.size` as the file stores the image (turned when its EXIF says it is sideways)."""
    return rules.size[::-1] if orientation in _SIDEWAYS else rules.size


def _needed_size(size: tuple[int, int], box: tuple[int, int], *, crop: bool) -> tuple[int, int]:
    """The size `size` is scaled to so that it fits within `box` (or, with crop, covers it);
    never larger than `size`."""
    width, height = size
    scale = (max if crop else min)(box[0] / width, box[1] / height)
    if scale >= 1:
        return size
    return max(1, round(width * scale)), max(1, round(height * scale))


def _orientation(image: Image.Image) -> int:
    """The image's EXIF orientation (1: upright). For a PNG only once it is decoded: Pillow
    decodes a PNG whole to look for EXIF after its pixels; a JPEG's EXIF is in its header."""
    try:
        return int(image.getexif().get(ExifTags.Base.Orientation, 1))
    except Exception:
        return 1  # damaged EXIF: show the image as stored


# --- messages -----------------------------------------------------------------------------


def _name(upload: UploadedFile) -> str:
    return upload.name or "The file"


def _unreadable(upload: UploadedFile) -> Invalid:
    name = _name(upload)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for offset, magic, kind in _OTHER_FORMATS:
        if head[offset : offset + len(magic)] == magic:
            return Invalid(
                fields={
                    "upload": f"{name}: {kind} images are not accepted; use a JPEG, PNG or WebP."
                }
            )
    return Invalid(fields={"upload": f"{name}: not an image we can read; use a JPEG, PNG or WebP."})


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:g}"


def _bytes_text(size: int) -> str:
    megabytes = size / (1024 * 1024)
    if megabytes >= 1:
        return f"{megabytes:.3g} MB"
    return f"{math.ceil(size / 1024)} KB"

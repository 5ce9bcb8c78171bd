"""The shared image checks (marketplace.images): bytes before reading, header before decoding,
only JPEG, PNG and WebP, pixel limits, and a decode that returns the stored size."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from marketplace.errors import Invalid
from marketplace.images import (
    MAX_DECODED_PIXELS,
    MAX_PIXELS,
    MAX_WEBP_PIXELS,
    ImageRules,
    image_check_bytes,
    image_check_header,
    image_decode,
    image_jpeg,
)
from marketplace.tests.hostile_images import grey_png, jpeg_header, picture, png_header, rle_bmp

PHOTO = ImageRules(noun="photo", max_bytes=10 * 1024 * 1024, min_side=200, size=(1600, 1600))
AVATAR = ImageRules(
    noun="profile photo", max_bytes=5 * 1024 * 1024, min_side=128, size=(512, 512), crop=True
)
# Over the limits these tests are about, but under Pillow's own guard (no warning either).
pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def refusal(check, file, rules=PHOTO) -> str:
    with pytest.raises(Invalid) as raised:
        check(upload=file, rules=rules)
    return " ".join(raised.value.messages)


class Unreadable(SimpleUploadedFile):
    """An upload that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the file was read")

    def seek(self, *args):
        raise AssertionError("the file was read")


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if Pillow decodes any pixel."""

    def load(self):
        raise AssertionError("an image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


# --- bytes, before anything is read -------------------------------------------------------


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read():
    big = Unreadable("big.jpg", b"x" * 2048)
    rules = ImageRules(noun="photo", max_bytes=1024, min_side=1, size=(10, 10))
    assert refusal(image_check_bytes, big, rules) == (
        "big.jpg: too large (2 KB); the limit is 1 KB a photo."
    )
    assert "big.jpg: too large" in refusal(image_check_header, big, rules)
    assert "big.jpg: too large" in refusal(image_decode, big, rules)


def test_the_byte_limit_is_said_in_megabytes():
    rules = ImageRules(noun="photo", max_bytes=10 * 1024 * 1024, min_side=1, size=(10, 10))
    big = Unreadable("big.jpg", b"x" * (12 * 1024 * 1024))
    assert refusal(image_check_bytes, big, rules) == (
        "big.jpg: too large (12 MB); the limit is 10 MB a photo."
    )


# --- formats --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("a.gif", picture("P", (400, 400), "GIF"), "GIF"),
        ("a.bmp", picture("RGB", (400, 400), "BMP"), "BMP"),
        ("rle.bmp", rle_bmp(400, 400), "BMP"),
        ("a.tif", picture("RGB", (400, 400), "TIFF"), "TIFF"),
        ("a.heic", b"\0\0\0\x18ftypheic" + b"\0" * 64, "HEIC"),
    ],
)
def test_formats_the_forms_do_not_promise_are_refused_even_when_pillow_reads_them(
    name, content, kind, no_decoding
):
    for check in (image_check_header, image_decode):
        assert refusal(check, upload(name, content)) == (
            f"{name}: {kind} images are not accepted; use a JPEG, PNG or WebP."
        )


def test_a_file_that_is_no_image_is_refused():
    assert refusal(image_check_header, upload("cv.pdf", b"%PDF-1.4 hello")) == (
        "cv.pdf: not an image we can read; use a JPEG, PNG or WebP."
    )


@pytest.mark.parametrize(
    ("fmt", "options"),
    [("JPEG", {}), ("JPEG", {"progressive": True}), ("PNG", {}), ("WEBP", {})],
)
def test_jpeg_png_and_webp_pass_the_header_check_without_being_decoded(fmt, options, no_decoding):
    file = upload("ok", picture("RGB", (800, 600), fmt, **options))
    header = image_check_header(upload=file, rules=PHOTO)
    assert (header.format, header.width, header.height) == (fmt, 800, 600)


# --- sizes and pixels, from the header ----------------------------------------------------


def test_too_small_photos_and_avatars_are_refused(no_decoding):
    assert refusal(image_check_header, upload("icon.png", picture(size=(199, 600)))) == (
        "icon.png: too small (199 x 600 pixels); a photo needs at least 200 pixels a side."
    )
    image_check_header(upload=upload("ok.png", picture(size=(200, 200))), rules=PHOTO)
    assert refusal(image_check_header, upload("me.png", picture(size=(10, 10))), AVATAR) == (
        "me.png: too small (10 x 10 pixels); a profile photo needs at least 128 pixels a side."
    )
    image_check_header(upload=upload("me.png", picture(size=(128, 128))), rules=AVATAR)


def test_a_png_over_the_decoded_pixel_limit_is_refused_from_its_header(no_decoding):
    assert MAX_DECODED_PIXELS == 13_000_000
    image_check_header(upload=upload("ok.png", grey_png(3605, 3605)), rules=PHOTO)
    assert refusal(image_check_header, upload("bomb.png", grey_png(6300, 6300))) == (
        "bomb.png: too many pixels (6300 x 6300); a PNG may have at most 13 megapixels. "
        "Use a smaller image."
    )


def test_a_webp_has_a_lower_pixel_limit(no_decoding):
    assert MAX_WEBP_PIXELS == 6_000_000
    webp = picture("RGB", (2500, 2500), "WEBP", lossless=True)
    assert "a WebP may have at most 6 megapixels" in refusal(
        image_check_header, upload("big.webp", webp)
    )
    image_check_header(upload=upload("ok.webp", picture("RGB", (2449, 2449), "WEBP")), rules=PHOTO)


def test_a_large_sequential_jpeg_passes_because_it_decodes_at_a_reduced_scale(no_decoding):
    """A 24-megapixel phone photo (baseline JPEG) decodes at half scale for a 1600 px photo
    and at an eighth for an avatar; a progressive one holds full-size coefficients."""
    phone = picture("L", (6000, 4000), "JPEG")
    image_check_header(upload=upload("phone.jpg", phone), rules=PHOTO)
    image_check_header(upload=upload("phone.jpg", phone), rules=AVATAR)
    progressive = picture("L", (6000, 4000), "JPEG", progressive=True)
    assert refusal(image_check_header, upload("web.jpg", progressive)) == (
        "web.jpg: too many pixels (6000 x 4000); this JPEG may have at most 13 megapixels. "
        "Use a smaller image."
    )


def test_a_panorama_jpeg_is_refused_for_an_avatar_that_would_need_it_whole(no_decoding):
    panorama = upload("wide.jpg", picture("L", (48000, 1000), "JPEG"))
    image_check_header(upload=panorama, rules=PHOTO)  # decoded at an eighth
    assert "wide.jpg: too many pixels (48000 x 1000)" in refusal(
        image_check_header, panorama, AVATAR
    )


def test_no_image_may_have_more_than_the_absolute_limit_and_pillow_itself_refuses_it():
    assert MAX_PIXELS == 50_000_000
    # Pillow raises for anything over twice MAX_IMAGE_PIXELS, anywhere in the process.
    assert Image.MAX_IMAGE_PIXELS * 2 == MAX_PIXELS
    header = jpeg_header(8000, 6400)  # 51.2 megapixels
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(header))
    assert refusal(image_check_header, upload("huge.jpg", header)) == (
        "huge.jpg: too many pixels; an image may have at most 50 megapixels."
    )
    huge = upload("huge.png", png_header(20000, 20000))
    assert "huge.png: too many pixels" in refusal(image_decode, huge)


def test_compressed_png_text_cannot_inflate_in_the_header():
    """63 zTXt chunks of 67 KB in all inflate to 63 MB when Pillow opens the file."""
    assert "not an image we can read" in refusal(
        image_check_header, upload("text.png", grey_png(800, 600, text_chunks=63))
    )
    image_check_header(upload=upload("ok.png", grey_png(800, 600, text_chunks=0)), rules=PHOTO)


# --- decoding -------------------------------------------------------------------------------


def test_decoding_checks_first_and_never_decodes_a_refused_file(no_decoding):
    assert "too many pixels" in refusal(image_decode, upload("bomb.png", grey_png(6300, 6300)))
    assert "GIF images" in refusal(image_decode, upload("a.gif", picture("P", (400, 400), "GIF")))


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "P", "1", "I;16", "CMYK"])
def test_any_mode_decodes_to_rgb_at_the_stored_size(mode):
    data = picture(mode, (2000, 1500), "JPEG" if mode == "CMYK" else "PNG")
    photo = image_decode(upload=upload("a", data), rules=PHOTO)
    assert (photo.mode, photo.size) == ("RGB", (1600, 1200))
    avatar = image_decode(upload=upload("a", data), rules=AVATAR)
    assert (avatar.mode, avatar.size) == ("RGB", (512, 512))


def test_a_small_photo_is_not_enlarged_and_a_small_avatar_fills_the_square():
    small = image_decode(upload=upload("a", picture(size=(800, 600))), rules=PHOTO)
    assert small.size == (800, 600)
    avatar = image_decode(upload=upload("a", picture(size=(200, 130))), rules=AVATAR)
    assert avatar.size == (512, 512)


def test_a_large_jpeg_decodes_at_the_size_it_is_stored_at():
    photo = image_decode(upload=upload("p.jpg", picture("RGB", (6000, 4000), "JPEG")), rules=PHOTO)
    assert photo.size == (1600, 1067)


def test_the_exif_orientation_is_applied_and_not_kept():
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: turn 90 degrees clockwise to show it
    exif[0x010F] = "Camera Maker"
    sideways = picture("RGB", (4000, 2000), "JPEG", exif=exif.tobytes())
    photo = image_decode(upload=upload("p.jpg", sideways), rules=PHOTO)
    assert photo.size == (800, 1600)
    with Image.open(io.BytesIO(image_jpeg(photo, quality=84))) as stored:
        assert not stored.getexif()


def test_a_damaged_file_that_passes_the_header_check_is_refused_when_decoded():
    damaged = picture(size=(800, 600))[:200]  # the header, then the pixels cut short
    image_check_header(upload=upload("cut.png", damaged), rules=PHOTO)
    assert refusal(image_decode, upload("cut.png", damaged)) == (
        "cut.png: not an image we can read; use a JPEG, PNG or WebP."
    )


def test_the_upload_stays_open_for_the_next_step():
    file = upload("a.png", picture())
    image_check_header(upload=file, rules=PHOTO)
    image_decode(upload=file, rules=PHOTO)
    assert not file.closed

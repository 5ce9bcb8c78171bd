"""No upload can exhaust memory (issue 8): the peak memory of one upload request, measured for
real in a forked process of its own (upload_probe.py), for hostile requests and for the
largest images we accept, on the listing-photo page and the avatar page."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import ProviderProfileFactory
from listings.models import ServicePhoto
from listings.tests.factories import ServiceFactory
from marketplace.testing import database_url
from marketplace.tests.hostile_images import (
    grey_png,
    jpeg_header,
    picture,
    png_header,
    rle_bmp,
    webp_header,
)

pytestmark = pytest.mark.system  # starts processes of its own: see pyproject.toml

# Whatever is sent, one request may raise the process's peak memory by at most this much. The
# costliest images accepted take about 115 MB (13-megapixel progressive CMYK JPEG); hostile
# requests are refused for under 10 MB. The code before issue 8 took 1.7 GB for 10 or 11 of
# the 38.6 KB PNGs and over 3.7 GB (then failed) for 100.
PEAK_LIMIT_MB = 150

IMAGES = {
    # Hostile: tiny files that decode to huge images, and formats we do not take.
    "bomb.png": lambda: grey_png(6300, 6300),  # 38.6 KB; 40 megapixels
    "huge.png": lambda: png_header(20000, 20000),  # claims 400 megapixels
    "huge-header.jpg": lambda: jpeg_header(65000, 65000),
    "huge-header.webp": lambda: webp_header(16383, 3000),  # 49 megapixels
    "bomb.tif": lambda: picture("L", (6300, 6300), "TIFF", compression="tiff_deflate"),
    "bomb.gif": lambda: picture("L", (6300, 6300), "GIF"),
    "bomb.bmp": lambda: rle_bmp(6300, 6300),
    "text-bomb.png": lambda: grey_png(800, 600, text_chunks=63),  # 67 KB of zTXt -> 63 MB
    "panorama.jpg": lambda: picture("L", (48000, 1000), "JPEG"),
    # The most expensive images we accept: each at its pixel limit.
    "cmyk-progressive.jpg": lambda: picture("CMYK", (3605, 3605), "JPEG", progressive=True),
    "rgba.png": lambda: picture("RGBA", (3605, 3605), "PNG"),
    # Ten of these decoded at once would take over 500 MB: they must be decoded one at a time.
    "rgba-7mp.png": lambda: picture("RGBA", (2600, 2600), "PNG"),
    "largest.webp": lambda: picture("RGBA", (2449, 2449), "WEBP", lossless=True),
    "baseline.jpg": lambda: picture("RGB", (7070, 7070), "JPEG"),
}


@pytest.fixture(scope="session")
def image_path(tmp_path_factory):
    """The path of one of IMAGES, made once per test session when first asked for."""
    folder = tmp_path_factory.mktemp("upload-images")

    def path(name: str) -> str:
        target = folder / name
        if not target.exists():
            target.write_bytes(IMAGES[name]())
        return str(target)

    return path


@pytest.fixture(scope="session")
def upload_probe(django_db_setup, django_db_blocker):
    """One probe process for the session (upload_probe.py): Django set up once, a forked child
    per request. Yields a function that sends one request and returns what it cost."""
    with django_db_blocker.unblock():
        test_database = database_url()  # the test database, not the dev one
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "DATABASE_URL": test_database,
        "DATABASE_POOL": "0",  # one connection at a time, opened by each child
        "REDIS_URL": settings.REDIS_URL,
    }
    env.pop("DATABASE_TEST_NAME", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "listings.tests.upload_probe"],
        cwd=settings.BASE_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def send(*, user, page: str, url: str, field: str, files: list[str], media) -> dict:
        spec = {"user": user.pk, "page": page, "url": url, "field": field, "files": files}
        process.stdin.write(json.dumps(spec | {"media": str(media)}) + "\n")
        process.stdin.flush()
        answer = process.stdout.readline()
        assert answer, f"the probe stopped (exit code {process.poll()})"
        result = json.loads(answer)
        assert "error" not in result, result["error"]
        return result

    yield send
    process.stdin.close()
    process.wait(timeout=30)


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


PHOTO_CASES = [
    # (files, status, what the page says, photos added)
    (["bomb.png"] * 11, 400, "A listing can have up to 10 photos", 0),
    (["bomb.png"] * 100, 400, "at most 12 files", 0),
    (["bomb.png"] * 10, 400, "bomb.png: too many pixels (6300 x 6300)", 0),
    (["huge.png"], 400, "huge.png: too many pixels", 0),
    (["huge-header.jpg"], 400, "huge-header.jpg: too many pixels", 0),
    (["huge-header.webp"], 400, "huge-header.webp: too many pixels (16383 x 3000)", 0),
    (["bomb.tif"], 400, "bomb.tif: TIFF images are not accepted", 0),
    (["bomb.gif"], 400, "bomb.gif: GIF images are not accepted", 0),
    (["bomb.bmp"], 400, "bomb.bmp: BMP images are not accepted", 0),
    (["text-bomb.png"], 400, "text-bomb.png: not an image we can read", 0),
    (["cmyk-progressive.jpg"], 302, "", 1),
    (["rgba.png"], 302, "", 1),
    (["rgba-7mp.png"] * 10, 302, "", 10),
    (["largest.webp"], 302, "", 1),
    (["baseline.jpg"], 302, "", 1),
    (["panorama.jpg"], 302, "", 1),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("names", "status", "says", "added"),
    PHOTO_CASES,
    ids=[f"{len(c[0])}x {c[0][0]}" for c in PHOTO_CASES],
)
def test_one_photo_upload_request_stays_within_memory(
    upload_probe, image_path, tmp_path, names, status, says, added
):
    profile = ProviderProfileFactory()  # newly signed up: pending approval
    service = ServiceFactory(provider=profile)
    media = tmp_path / "probe-media"

    result = upload_probe(
        user=profile.user,
        page=reverse("portal_service_photos", args=[service.pk]),
        url=reverse("portal_service_photos", args=[service.pk]),
        field="photos",
        files=[image_path(name) for name in names],
        media=media,
    )

    print(f"{names[0]} x{len(names)}: +{result['peak_mb']} MB, {result['status']}")
    assert result["peak_mb"] < PEAK_LIMIT_MB, f"the request took {result['peak_mb']} MB"
    assert result["status"] == status, result["page"][:3000]
    assert says in result["page"]
    assert ServicePhoto.objects.filter(service=service).count() == added
    assert len(stored_files(media)) == 2 * added  # each photo and its thumbnail, or nothing


AVATAR_CASES = [
    (["bomb.png"], 400, "bomb.png: too many pixels (6300 x 6300)", False),
    (["huge.png"], 400, "huge.png: too many pixels", False),
    (["bomb.bmp"], 400, "bomb.bmp: BMP images are not accepted", False),
    (["panorama.jpg"], 400, "panorama.jpg: too many pixels (48000 x 1000)", False),
    (["cmyk-progressive.jpg"], 302, "", True),
    (["largest.webp"], 302, "", True),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("names", "status", "says", "saved"), AVATAR_CASES, ids=[c[0][0] for c in AVATAR_CASES]
)
def test_one_avatar_upload_request_stays_within_memory(
    upload_probe, image_path, tmp_path, names, status, says, saved
):
    profile = ProviderProfileFactory()
    media = tmp_path / "probe-media"

    result = upload_probe(
        user=profile.user,
        page=reverse("account_details"),
        url=reverse("account_avatar"),
        field="avatar",
        files=[image_path(name) for name in names],
        media=media,
    )

    print(f"{names[0]} x{len(names)}: +{result['peak_mb']} MB, {result['status']}")
    assert result["peak_mb"] < PEAK_LIMIT_MB, f"the request took {result['peak_mb']} MB"
    assert result["status"] == status, result["page"][:3000]
    assert says in result["page"]
    profile.user.refresh_from_db()
    assert bool(profile.user.avatar) == saved
    assert len(stored_files(media)) == int(saved)

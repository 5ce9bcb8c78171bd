"""A provider's photo or logo, uploaded in the portal with an avatar's checks, or a monogram."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageFile

from accounts import services
from accounts.models import MONOGRAM_COLOURS, ProviderProfile
from accounts.tests.factories import ProviderProfileFactory, UserFactory
from accounts.tests.test_services import image_upload
from marketplace.errors import Invalid
from marketplace.tests.hostile_images import grey_png, picture, rle_bmp

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(db):
    return ProviderProfileFactory(business_name="Hills District Electrical")


def test_a_logo_is_reencoded_as_a_square_jpeg_and_replaces_the_old_one(
    profile, django_capture_on_commit_callbacks
):
    services.provider_set_logo(profile=profile, upload=image_upload(name="../../x.png"))
    old_name = profile.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        services.provider_set_logo(profile=profile, upload=image_upload(fmt="WEBP", name="b.webp"))
    profile.refresh_from_db()
    assert profile.logo.name.startswith("logos/") and profile.logo.name.endswith(".jpg")
    assert not profile.logo.storage.exists(old_name)
    with Image.open(profile.logo.open("rb")) as stored:
        assert (stored.format, stored.size) == ("JPEG", (512, 512))


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("logo.png", b"<script>alert(1)</script>", "not an image"),
        ("dot.png", picture(size=(10, 10)), "dot.png: too small (10 x 10 pixels); a photo or "
         "logo needs at least 128 pixels a side."),
        ("logo.gif", picture("P", (400, 400), "GIF"), "logo.gif: GIF images are not accepted"),
        ("logo.bmp", rle_bmp(400, 400), "logo.bmp: BMP images are not accepted"),
        ("logo.tif", picture("RGB", (400, 400), "TIFF"), "TIFF images are not accepted"),
    ],
)  # fmt: skip
def test_a_bad_logo_is_refused_and_changes_nothing(profile, name, content, says):
    with pytest.raises(Invalid) as caught:
        services.provider_set_logo(profile=profile, upload=SimpleUploadedFile(name, content))
    assert says in caught.value.messages[0]
    profile.refresh_from_db()
    assert not profile.logo


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # the bomb's, at open
@pytest.mark.parametrize("picture_for", ["avatar", "logo"])
def test_a_picture_with_too_many_pixels_is_refused_without_decoding_it(
    profile, monkeypatch, picture_for
):
    def load(self):
        raise AssertionError("an image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    bomb = SimpleUploadedFile("bomb.png", grey_png(6300, 6300))
    with pytest.raises(Invalid, match=r"bomb.png: too many pixels \(6300 x 6300\)"):
        if picture_for == "avatar":
            services.user_set_avatar(user=profile.user, upload=bomb)
        else:
            services.provider_set_logo(profile=profile, upload=bomb)


def test_a_logo_over_the_size_limit_is_refused(profile, settings):
    settings.AVATAR_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(Invalid, match="too large"):
        services.provider_set_logo(profile=profile, upload=image_upload(size=(900, 900)))


def test_the_portal_uploads_a_logo_from_the_profile_page(client, profile):
    client.force_login(profile.user)
    page = client.get(reverse("portal_profile_edit")).text
    assert f'action="{reverse("portal_profile_logo")}"' in page
    assert "You have no photo or logo yet, so customers see your initials." in page
    assert ">HD</text>" in page
    response = client.post(reverse("portal_profile_logo"), {"logo": image_upload()})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.logo
    assert profile.logo.url in client.get(reverse("portal_profile_edit")).text


def test_a_bad_logo_from_the_portal_gets_a_message_and_a_400(client, profile):
    client.force_login(profile.user)
    missing = client.post(reverse("portal_profile_logo"), {})
    assert missing.status_code == 400 and "This field is required" in missing.text
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = client.post(reverse("portal_profile_logo"), {"logo": fake})
    assert response.status_code == 400
    assert "not an image" in response.text
    assert 'value="Hills District Electrical"' in response.text  # the profile form is kept
    profile.refresh_from_db()
    assert not profile.logo


def test_only_a_provider_uploads_a_logo_and_only_their_own(client, profile):
    assert client.post(reverse("portal_profile_logo"), {}).status_code == 302  # sign in first
    assert client.get(reverse("portal_profile_logo")).status_code in (302, 405)
    customer = UserFactory()
    client.force_login(customer)
    response = client.post(reverse("portal_profile_logo"), {"logo": image_upload()})
    assert response["Location"] == reverse("portal_onboarding")
    other = ProviderProfileFactory()
    client.force_login(other.user)
    client.post(reverse("portal_profile_logo"), {"logo": image_upload()})
    profile.refresh_from_db()
    other.refresh_from_db()
    assert not profile.logo and other.logo


def _contrast_with_white(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize("colour", MONOGRAM_COLOURS)
def test_every_monogram_colour_passes_wcag_aa_with_white_initials(colour):
    assert re.fullmatch(r"#[0-9a-f]{6}", colour)
    assert _contrast_with_white(colour) >= 4.5


def test_monograms_take_two_initials_and_a_colour_of_the_providers_own():
    profiles = ProviderProfileFactory.create_batch(12)
    assert len({p.monogram_colour for p in profiles}) >= 4  # spread over the palette
    assert all(p.monogram_colour == ProviderProfile.objects.get(pk=p.pk).monogram_colour
               for p in profiles)  # fmt: skip
    names = {"Hills District Electrical": "HD", "priya's": "P", "& Co": "C", "—": "?"}
    for name, initials in names.items():
        assert ProviderProfile(business_name=name).monogram_initials == initials

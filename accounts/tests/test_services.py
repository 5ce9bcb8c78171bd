import io
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts import services
from accounts.models import ProviderProfile, ProviderStatusEvent
from accounts.tasks import sweep_unsent_provider_status_emails
from accounts.tests.factories import ProviderProfileFactory, UserFactory
from marketplace.errors import Conflict, Invalid
from marketplace.tests.hostile_images import picture, rle_bmp
from places.tests.factories import CityFactory

pytestmark = pytest.mark.django_db

BONDI = Point(151.2743, -33.8915, srid=4326)
PERTH = Point(115.8614, -31.95224, srid=4326)


def image_upload(*, size=(800, 600), fmt="PNG", name="me.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 110, 79)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def onboard(user, city, **overrides):
    fields = {
        "business_name": "Bondi Sparks",
        "bio": "Electricians in the eastern suburbs.",
        "base_city": city,
        "base_point": BONDI,
        "service_radius_km": 25,
        "phone": "0412 345 678",
        "licence_number": "EC 4421",
    } | overrides
    return services.provider_onboard(user=user, **fields)


def test_onboarding_creates_a_pending_profile_with_an_audit_row(customer, city):
    profile = onboard(customer, city)

    assert profile.status == ProviderProfile.Status.PENDING
    assert profile.slug == "bondi-sparks"
    assert customer.is_provider
    customer.refresh_from_db()
    assert customer.phone == "0412 345 678"
    event = ProviderStatusEvent.objects.get(profile=profile)
    assert (event.from_status, event.to_status, event.actor) == ("", "pending", customer)


def test_onboarding_twice_is_refused(customer, city):
    onboard(customer, city)
    with pytest.raises(Conflict, match="already have"):
        onboard(customer, city)
    assert ProviderProfile.objects.count() == 1


@pytest.mark.parametrize("radius", [0, 201])
def test_a_radius_out_of_range_is_refused_and_nothing_is_written(customer, city, radius):
    with pytest.raises(Invalid, match="between 1 and 200"):
        onboard(customer, city, service_radius_km=radius, phone="0299 999 999")
    customer.refresh_from_db()
    assert not ProviderProfile.objects.exists()
    assert customer.phone == ""


def test_business_names_get_unique_slugs(city):
    first = onboard(UserFactory(), city)
    second = onboard(UserFactory(), city)
    assert (first.slug, second.slug) == ("bondi-sparks", "bondi-sparks-2")


def test_location_from_the_city_alone(city):
    resolved_city, point = services.base_location_resolve(city=city, latitude=None, longitude=None)
    assert resolved_city == city
    assert point == city.point


def test_location_from_a_pin_alone_picks_the_nearest_city(city):
    perth = CityFactory(name="Perth", state="WA", point=PERTH, timezone="Australia/Perth")
    resolved_city, point = services.base_location_resolve(
        city=None, latitude=-31.99, longitude=115.90
    )
    assert resolved_city == perth
    assert (round(point.x, 2), round(point.y, 2)) == (115.90, -31.99)


def test_a_pin_far_from_the_chosen_city_is_refused(city):
    with pytest.raises(Invalid, match="more than 250 km from Sydney"):
        services.base_location_resolve(city=city, latitude=-31.99, longitude=115.90)


def test_no_city_and_no_pin_is_refused():
    with pytest.raises(Invalid, match="Choose your city"):
        services.base_location_resolve(city=None, latitude=None, longitude=None)


def test_changing_the_licence_clears_its_verification():
    profile = ProviderProfileFactory(licence_verified=True, insurance_verified=True)
    services.provider_profile_update(
        profile=profile,
        business_name=profile.business_name,
        bio="New bio",
        base_city=profile.base_city,
        base_point=profile.base_point,
        service_radius_km=40,
        phone="0400 000 000",
        licence_number="NEW-1",
    )
    profile.refresh_from_db()
    assert not profile.licence_verified
    # Insurance fields went from empty to empty: still verified.
    assert profile.insurance_verified
    assert profile.service_radius_km == 40


def test_approving_records_who_and_when(admin_user):
    profile = ProviderProfileFactory()
    approved = services.provider_set_status(
        profile=profile, status=ProviderProfile.Status.APPROVED, actor=admin_user
    )
    assert approved.status == "approved"
    assert approved.approved_at is not None
    event = profile.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("pending", "approved", admin_user)


def test_suspending_needs_a_reason(admin_user):
    profile = ProviderProfileFactory(approved=True)
    with pytest.raises(Invalid, match="reason"):
        services.provider_set_status(
            profile=profile, status=ProviderProfile.Status.SUSPENDED, actor=admin_user
        )
    profile.refresh_from_db()
    assert profile.status == "approved"
    assert not profile.events.exists()


def test_setting_the_same_status_records_nothing(admin_user):
    profile = ProviderProfileFactory(approved=True)
    services.provider_set_status(
        profile=profile, status=ProviderProfile.Status.APPROVED, actor=admin_user
    )
    assert not profile.events.exists()


def test_avatar_is_reencoded_as_a_square_jpeg_with_a_generated_name(customer):
    services.user_set_avatar(user=customer, upload=image_upload(name="../../etc/passwd.png"))

    customer.refresh_from_db()
    assert customer.avatar.name.startswith("avatars/")
    assert customer.avatar.name.endswith(".jpg")
    assert "passwd" not in customer.avatar.name
    with Image.open(customer.avatar.open("rb")) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (512, 512)


def test_a_new_avatar_replaces_the_old_file_after_commit(
    customer, django_capture_on_commit_callbacks
):
    services.user_set_avatar(user=customer, upload=image_upload())
    old_name = customer.avatar.name
    storage = customer.avatar.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.user_set_avatar(user=customer, upload=image_upload(fmt="JPEG", name="b.jpg"))
    assert customer.avatar.name != old_name
    assert not storage.exists(old_name)
    assert storage.exists(customer.avatar.name)


def test_a_file_that_is_not_an_image_is_refused(customer):
    fake = SimpleUploadedFile("cat.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(Invalid, match="not an image"):
        services.user_set_avatar(user=customer, upload=fake)
    customer.refresh_from_db()
    assert not customer.avatar


def test_an_image_over_the_size_limit_is_refused(customer, settings):
    settings.AVATAR_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(Invalid, match="too large"):
        services.user_set_avatar(user=customer, upload=image_upload(fmt="BMP", name="big.bmp"))
    customer.refresh_from_db()
    assert not customer.avatar


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("dot.png", picture(size=(10, 10)), "dot.png: too small (10 x 10 pixels); a profile "
         "photo needs at least 128 pixels a side."),
        ("me.gif", picture("P", (400, 400), "GIF"), "me.gif: GIF images are not accepted"),
        ("me.bmp", rle_bmp(400, 400), "me.bmp: BMP images are not accepted"),
        ("me.tif", picture("RGB", (400, 400), "TIFF"), "me.tif: TIFF images are not accepted"),
    ],
)  # fmt: skip
def test_avatars_must_be_jpeg_png_or_webp_of_at_least_128_pixels(customer, name, content, says):
    with pytest.raises(Invalid) as caught:
        services.user_set_avatar(user=customer, upload=SimpleUploadedFile(name, content))
    assert says in caught.value.fields["upload"][0]
    customer.refresh_from_db()
    assert not customer.avatar


def test_the_smallest_avatar_is_enlarged_to_the_square_and_exif_is_dropped(customer):
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"
    exif[0x0112] = 6  # shown turned a quarter clockwise
    photo = picture("RGB", (256, 128), "JPEG", exif=exif.tobytes())
    services.user_set_avatar(user=customer, upload=SimpleUploadedFile("me.jpg", photo))

    with Image.open(customer.avatar.open("rb")) as stored:
        assert (stored.format, stored.size) == ("JPEG", (512, 512))
        assert not stored.getexif()


def _resubmit(profile, **overrides):
    fields = {
        "business_name": profile.business_name,
        "bio": profile.bio,
        "base_city": profile.base_city,
        "base_point": profile.base_point,
        "service_radius_km": profile.service_radius_km,
        "phone": "0400 000 000",
        "licence_number": "EC-99",
    } | overrides
    return services.provider_profile_update(profile=profile, **fields)


def test_a_rejected_provider_who_edits_goes_back_to_the_queue():
    profile = ProviderProfileFactory(status="rejected", status_reason="No licence number")
    _resubmit(profile)
    profile.refresh_from_db()
    assert profile.status == "pending"
    event = profile.events.get()
    assert (event.from_status, event.to_status, event.actor) == (
        "rejected",
        "pending",
        profile.user,
    )


def test_a_suspended_provider_stays_suspended_after_editing():
    profile = ProviderProfileFactory(status="suspended", status_reason="Fake reviews")
    _resubmit(profile)
    profile.refresh_from_db()
    assert profile.status == "suspended"
    assert not profile.events.exists()


def test_the_provider_is_emailed_once_after_approval(
    admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    profile = ProviderProfileFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.provider_set_status(
            profile=profile, status=ProviderProfile.Status.APPROVED, actor=admin_user
        )
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [profile.user.email]
    assert "approved" in mailoutbox[0].subject
    assert "/portal/" in mailoutbox[0].body

    # A retried task finds the event already emailed and sends nothing.
    assert not services.provider_status_email_send(event_id=profile.events.get().pk)
    assert len(mailoutbox) == 1


def test_a_rejection_email_gives_the_reason(
    admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    profile = ProviderProfileFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.provider_set_status(
            profile=profile,
            status=ProviderProfile.Status.REJECTED,
            actor=admin_user,
            reason="Your licence number does not match the register.",
        )
    assert "does not match the register" in mailoutbox[0].body


def test_nothing_is_emailed_when_the_change_rolls_back(admin_user, mailoutbox):
    from django.db import transaction

    profile = ProviderProfileFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.provider_set_status(
            profile=profile, status=ProviderProfile.Status.APPROVED, actor=admin_user
        )
        raise RuntimeError("something later in the same transaction failed")
    assert mailoutbox == []
    profile.refresh_from_db()
    assert profile.status == "pending"


def _aged(event, minutes: int = 3) -> None:
    ProviderStatusEvent.objects.filter(pk=event.pk).update(
        at=timezone.now() - timedelta(minutes=minutes)
    )


def test_a_status_change_is_saved_when_its_email_cannot_be_queued_and_the_sweeper_sends_it(
    admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    profile = ProviderProfileFactory()
    # As if the broker were down: queuing the email fails, quietly.
    with (
        mock.patch(
            "accounts.tasks.send_provider_status_email.delay",
            side_effect=OperationalError("Error 111 connecting. Connection refused."),
        ) as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.provider_set_status(
            profile=profile, status=ProviderProfile.Status.APPROVED, actor=admin_user
        )
    delay.assert_called_once()
    profile.refresh_from_db()
    assert profile.status == ProviderProfile.Status.APPROVED
    assert mailoutbox == []

    event = profile.events.get(to_status="approved")
    assert services.unsent_provider_status_emails_sweep() == 0  # too young: its task may run
    _aged(event)
    assert sweep_unsent_provider_status_emails.delay().successful()
    sweep_unsent_provider_status_emails()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [profile.user.email] and "approved" in mailoutbox[0].subject


def test_the_status_sweeper_leaves_what_needs_no_email_and_stale_news(mailoutbox):
    profile = ProviderProfileFactory()
    signed_up = ProviderStatusEvent.objects.create(
        profile=profile, from_status="", to_status="pending", reason="Signed up"
    )
    stale = ProviderStatusEvent.objects.create(
        profile=profile, from_status="pending", to_status="approved"
    )
    _aged(signed_up)
    _aged(stale, minutes=60 * 24 * 3)
    assert services.unsent_provider_status_emails_sweep() == 0
    assert mailoutbox == []


def test_a_failing_mail_server_leaves_the_status_email_for_the_next_sweep(mailoutbox, caplog):
    profile = ProviderProfileFactory()
    event = ProviderStatusEvent.objects.create(
        profile=profile, from_status="pending", to_status="approved"
    )
    _aged(event)
    with mock.patch("accounts.services.send_mail", side_effect=OSError("mail server down")):
        assert services.unsent_provider_status_emails_sweep() == 0
    assert "mail server down" in caplog.text
    event.refresh_from_db()
    assert event.emailed_at is None
    assert services.unsent_provider_status_emails_sweep() == 1
    assert len(mailoutbox) == 1

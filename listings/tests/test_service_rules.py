"""The provider portal's write rules: listings, statuses and photos (listings/services.py)."""

import io
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.contrib.postgres.search import SearchQuery
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from accounts.models import ProviderProfile
from accounts.tests.factories import ProviderProfileFactory, UserFactory
from listings import services
from listings.models import Service, ServicePhoto
from listings.selectors import service_public
from listings.tests.factories import (
    ServiceFactory,
    ServicePhotoFactory,
    SubcategoryFactory,
)
from marketplace.errors import DomainError, Invalid, NotAllowed
from marketplace.tests.hostile_images import grey_png, picture
from places.tests.factories import CityFactory

pytestmark = pytest.mark.django_db

SCHEMA = [
    {"name": "licence_class", "label": "Licence class", "type": "choice",
     "choices": ["A", "B"], "required": True},
    {"name": "callout_fee", "label": "Call-out fee", "type": "number"},
    {"name": "after_hours", "label": "After hours", "type": "boolean"},
    {"name": "brands", "label": "Brands serviced", "type": "text"},
]  # fmt: skip


def png(name="photo.png", size=(800, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 110, 79)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def fields(subcategory, city, **overrides) -> dict:
    return {
        "subcategory": subcategory,
        "city": city,
        "title": "Switchboard upgrades",
        "description": "Safety switches and tidy boards.",
        "price_type": Service.PriceType.FIXED,
        "price": Decimal("180"),
        "duration_minutes": 120,
        "instant_book": False,
        "service_radius_km": 30,
        "attributes": {"licence_class": "A", "callout_fee": "45", "after_hours": "on"},
    } | overrides


@pytest.fixture
def subcategory():
    return SubcategoryFactory(name="Switchboards", attribute_schema=SCHEMA)


@pytest.fixture
def profile(provider):
    return provider.provider_profile


# ------------------------------------------------------------------ create and update


def test_create_types_attributes_fills_the_search_vector_and_uses_the_base_point(
    profile, subcategory
):
    service = services.service_create(
        provider=profile, **fields(subcategory, profile.base_city), status="active"
    )
    service.refresh_from_db()

    assert service.attributes == {"licence_class": "A", "callout_fee": 45, "after_hours": True}
    assert service.slug == "switchboard-upgrades"
    assert service.point == profile.base_point
    assert service.search_vector is not None
    assert service_public().filter(pk=service.pk).exists()


def test_a_listing_in_another_city_is_centred_on_that_city(profile, subcategory):
    perth = CityFactory(name="Perth", state="WA", point=Point(115.8605, -31.9505, srid=4326))
    profile.base_point = Point(151.25, -33.89, srid=4326)  # not the city centre
    profile.save()

    service = services.service_create(provider=profile, **fields(subcategory, perth))

    assert service.point.coords == pytest.approx(perth.point.coords)


def test_create_reports_every_problem_at_once_and_saves_nothing(profile, subcategory):
    with pytest.raises(Invalid) as caught:
        services.service_create(
            provider=profile,
            **fields(
                subcategory,
                profile.base_city,
                title=" ",
                price=None,
                service_radius_km=999,
                attributes={"callout_fee": "lots"},
            ),
        )

    errors = caught.value.fields
    assert set(errors) == {"title", "price", "service_radius_km", "attributes"}
    assert "Licence class: this is required." in errors["attributes"]
    assert "Call-out fee: enter a number." in errors["attributes"]
    assert not Service.objects.exists()


@pytest.mark.parametrize("fee", ["1e5000", "1e309", "1000000001", "-1", "NaN", "Infinity"])
def test_attribute_numbers_out_of_range_are_refused(subcategory, fee):
    with pytest.raises(Invalid) as caught:
        services.service_attributes_clean(
            subcategory=subcategory, raw={"licence_class": "A", "callout_fee": fee}
        )
    assert caught.value.messages == ["Call-out fee: enter a number from 0 to 1,000,000,000."]


def test_attribute_numbers_keep_their_type(subcategory):
    cleaned = services.service_attributes_clean(
        subcategory=subcategory, raw={"licence_class": "A", "callout_fee": "1000000000"}
    )
    assert cleaned["callout_fee"] == 1_000_000_000
    cleaned = services.service_attributes_clean(
        subcategory=subcategory, raw={"licence_class": "A", "callout_fee": "45.5"}
    )
    assert cleaned["callout_fee"] == 45.5


def test_on_quote_needs_no_price_and_drops_one_given(profile, subcategory):
    service = services.service_create(
        provider=profile,
        **fields(subcategory, profile.base_city, price_type="quote", price=Decimal("10")),
    )
    assert service.price is None


@pytest.mark.parametrize("status", ["rejected", "suspended"])
def test_rejected_and_suspended_providers_cannot_create_or_edit(profile, subcategory, status):
    listing = ServiceFactory(provider=profile, subcategory=subcategory, status="draft")
    profile.status = status
    profile.save()

    with pytest.raises(NotAllowed, match="cannot create, change or publish"):
        services.service_create(provider=profile, **fields(subcategory, profile.base_city))
    with pytest.raises(NotAllowed, match="cannot create, change or publish"):
        services.service_update(service=listing, **fields(subcategory, profile.base_city))
    assert Service.objects.count() == 1


def test_a_pending_provider_may_publish_but_it_is_not_public_until_approved(subcategory):
    profile = ProviderProfileFactory()  # pending
    service = services.service_create(
        provider=profile, **fields(subcategory, profile.base_city), status="active"
    )
    assert service.status == "active"
    assert not service_public().filter(pk=service.pk).exists()

    profile.status = ProviderProfile.Status.APPROVED
    profile.save()
    assert service_public().filter(pk=service.pk).exists()


def test_update_keeps_the_status_unless_told_and_refreshes_the_search_vector(profile, subcategory):
    service = ServiceFactory(provider=profile, subcategory=subcategory, status="paused")

    updated = services.service_update(
        service=service,
        **fields(subcategory, profile.base_city, title="Rewiring old homes"),
    )

    assert updated.status == "paused"
    assert updated.slug == "rewiring-old-homes"
    assert Service.objects.filter(pk=service.pk, search_vector__isnull=False).exists()
    rewiring = SearchQuery("rewiring", config="english")
    assert not service_public().filter(search_vector=rewiring).exists()  # paused
    services.service_set_status(service=updated, status="active", actor=profile.user)
    assert service_public().filter(search_vector=rewiring).exists()


def test_update_keeps_a_custom_point_while_the_city_stays(profile, subcategory):
    spot = Point(151.1, -33.8, srid=4326)
    service = ServiceFactory(provider=profile, subcategory=subcategory, point=spot)

    updated = services.service_update(service=service, **fields(subcategory, profile.base_city))

    assert updated.point.coords == pytest.approx(spot.coords)


def test_update_cannot_publish_a_hidden_listing(profile, subcategory):
    service = ServiceFactory(provider=profile, subcategory=subcategory, status="hidden")

    with pytest.raises(NotAllowed, match="moderators have hidden"):
        services.service_update(
            service=service, status="active", **fields(subcategory, profile.base_city)
        )
    # Fixing it without asking to publish is fine; it stays hidden.
    updated = services.service_update(service=service, **fields(subcategory, profile.base_city))
    assert updated.status == "hidden"


# ------------------------------------------------------------------ status


@pytest.mark.parametrize(
    ("start", "goal"),
    [("draft", "active"), ("active", "paused"), ("paused", "active"), ("active", "draft")],
)
def test_a_provider_moves_between_draft_active_and_paused(profile, start, goal):
    service = ServiceFactory(provider=profile, status=start)
    changed = services.service_set_status(service=service, status=goal, actor=profile.user)
    assert changed.status == goal


@pytest.mark.parametrize(
    ("start", "goal", "message"),
    [
        ("hidden", "active", "moderators have hidden"),
        ("hidden", "draft", "moderators have hidden"),
        ("active", "hidden", "Only moderators"),
        ("draft", "paused", "cannot be set to paused"),
        ("active", "bogus", "Choose a listing status"),
    ],
)
def test_a_provider_cannot_make_other_moves(profile, start, goal, message):
    service = ServiceFactory(provider=profile, status=start)
    with pytest.raises(DomainError, match=message):
        services.service_set_status(service=service, status=goal, actor=profile.user)
    service.refresh_from_db()
    assert service.status == start


def test_only_the_owner_or_staff_may_change_a_listing(profile):
    service = ServiceFactory(provider=profile, status="active")
    with pytest.raises(NotAllowed, match="Only the listing's provider"):
        services.service_set_status(service=service, status="paused", actor=UserFactory())
    with pytest.raises(NotAllowed, match="Only the listing's provider"):
        services.service_delete(service=service, actor=UserFactory())

    moderator = UserFactory(is_staff=True)
    services.service_set_status(service=service, status="hidden", actor=moderator)
    services.service_set_status(service=service, status="active", actor=moderator)
    service.refresh_from_db()
    assert service.status == "active"


def test_suspended_providers_may_pause_but_not_publish(profile):
    active = ServiceFactory(provider=profile, status="active")
    draft = ServiceFactory(provider=profile, status="draft")
    profile.status = ProviderProfile.Status.SUSPENDED
    profile.save()

    services.service_set_status(service=active, status="paused", actor=profile.user)
    with pytest.raises(NotAllowed, match="suspended"):
        services.service_set_status(service=draft, status="active", actor=profile.user)


def test_publishing_rechecks_the_attributes_against_the_current_schema(profile, subcategory):
    service = ServiceFactory(provider=profile, subcategory=subcategory, status="draft")
    with pytest.raises(Invalid, match="Licence class: this is required"):
        services.service_set_status(service=service, status="active", actor=profile.user)


# ------------------------------------------------------------------ photos


def stored_files():
    return {
        name
        for folder in default_storage.listdir("services")[0]
        for name in default_storage.listdir(f"services/{folder}")[1]
    }


def test_photos_are_stored_with_thumbnails_in_order(profile, django_capture_on_commit_callbacks):
    service = ServiceFactory(provider=profile)
    added = services.service_photos_add(service=service, uploads=[png("a.png"), png("b.png")])

    assert [photo.position for photo in added] == [0, 1]
    first = ServicePhoto.objects.get(pk=added[0].pk)
    assert (first.width, first.height) == (800, 600)
    assert default_storage.exists(first.image.name)
    assert default_storage.exists(first.thumbnail.name)
    with Image.open(default_storage.open(first.thumbnail.name)) as thumbnail:
        assert thumbnail.size == (480, 360)


def test_one_bad_file_saves_nothing_from_the_batch_and_names_the_file(profile):
    service = ServiceFactory(provider=profile)
    bad = SimpleUploadedFile("notes.png", b"not really a picture", content_type="image/png")

    with pytest.raises(Invalid) as caught:
        services.service_photos_add(service=service, uploads=[png("good.png"), bad])

    assert any("notes.png" in message for message in caught.value.messages)
    assert not ServicePhoto.objects.exists()
    assert not default_storage.exists("services")


def test_a_listing_holds_at_most_ten_photos(profile):
    service = ServiceFactory(provider=profile)
    ServicePhotoFactory.create_batch(8, service=service)

    with pytest.raises(Invalid, match="you can add 2 more"):
        services.service_photos_add(service=service, uploads=[png(), png(), png()])
    assert service.photos.count() == 8
    assert len(stored_files()) == 16  # only the factory's photos and thumbnails

    services.service_photos_add(service=service, uploads=[png(), png()])
    with pytest.raises(Invalid, match="Delete one before"):
        services.service_photos_add(service=service, uploads=[png()])


class Unopenable(SimpleUploadedFile):
    """An upload that fails the test if anything opens (reads) it."""

    def read(self, *args):
        raise AssertionError(f"{self.name} was opened")

    def seek(self, *args):
        raise AssertionError(f"{self.name} was opened")


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if Pillow decodes any pixel."""

    def load(self):
        raise AssertionError("an image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


def test_too_many_photos_are_refused_before_any_file_is_opened(profile):
    service = ServiceFactory(provider=profile)
    ServicePhotoFactory.create_batch(9, service=service)
    uploads = [Unopenable(f"{n}.png", grey_png(6300, 6300)) for n in range(11)]

    with pytest.raises(Invalid, match="you can add 1 more"):
        services.service_photos_add(service=service, uploads=uploads)
    assert service.photos.count() == 9


def test_every_file_is_weighed_before_any_is_opened(profile, settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 100_000
    service = ServiceFactory(provider=profile)
    uploads = [
        Unopenable("fine.png", grey_png(800, 600)),
        Unopenable("big.png", b"x" * 200_000),
        Unopenable("bigger.png", b"x" * 300_000),
    ]

    with pytest.raises(Invalid) as caught:
        services.service_photos_add(service=service, uploads=uploads)

    assert caught.value.fields["uploads"] == [
        "big.png: too large (196 KB); the limit is 98 KB a photo.",
        "bigger.png: too large (293 KB); the limit is 98 KB a photo.",
        "Nothing was uploaded: fix or leave out these files.",
    ]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # the bomb's, at open
def test_every_header_is_checked_before_anything_is_decoded(profile, no_decoding):
    service = ServiceFactory(provider=profile)
    uploads = [
        png("fine.png"),
        SimpleUploadedFile("bomb.png", grey_png(6300, 6300)),
        SimpleUploadedFile("anim.gif", picture("P", (400, 400), "GIF")),
        SimpleUploadedFile("scan.tif", picture("RGB", (400, 400), "TIFF")),
        SimpleUploadedFile("icon.png", grey_png(100, 100)),
    ]

    with pytest.raises(Invalid) as caught:
        services.service_photos_add(service=service, uploads=uploads)

    assert caught.value.fields["uploads"] == [
        "bomb.png: too many pixels (6300 x 6300); a PNG may have at most 13 megapixels. "
        "Use a smaller image.",
        "anim.gif: GIF images are not accepted; use a JPEG, PNG or WebP.",
        "scan.tif: TIFF images are not accepted; use a JPEG, PNG or WebP.",
        "icon.png: too small (100 x 100 pixels); a photo needs at least 200 pixels a side.",
        "Nothing was uploaded: fix or leave out these files.",
    ]
    assert not ServicePhoto.objects.exists()
    assert not default_storage.exists("services")


def test_a_file_that_fails_to_decode_takes_back_the_photos_already_stored(profile):
    service = ServiceFactory(provider=profile)
    damaged = SimpleUploadedFile("cut.png", picture(size=(800, 600))[:200])

    with pytest.raises(Invalid) as caught:
        services.service_photos_add(service=service, uploads=[png("a.png"), png("b.png"), damaged])

    assert caught.value.fields["uploads"] == [
        "cut.png: not an image we can read; use a JPEG, PNG or WebP.",
        "Nothing was uploaded: fix or leave out these files.",
    ]
    assert not ServicePhoto.objects.exists()
    assert not stored_files()


def test_a_large_phone_photo_is_stored_at_1600_pixels(profile):
    service = ServiceFactory(provider=profile)
    phone = SimpleUploadedFile("phone.jpg", picture("RGB", (6000, 4000), "JPEG"))

    (photo,) = services.service_photos_add(service=service, uploads=[phone])

    assert (photo.width, photo.height) == (1600, 1067)
    with Image.open(default_storage.open(photo.thumbnail.name)) as thumbnail:
        assert thumbnail.size == (480, 360)


def test_photos_move_up_and_down(profile):
    service = ServiceFactory(provider=profile)
    a, b, c = (ServicePhotoFactory(service=service, position=p) for p in (0, 1, 2))

    services.service_photo_move(photo=c, direction="up")
    assert list(service.photos.values_list("pk", flat=True)) == [a.pk, c.pk, b.pk]
    services.service_photo_move(photo=a, direction="down")
    assert list(service.photos.values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]
    services.service_photo_move(photo=c, direction="up")  # already first: nothing changes
    assert list(service.photos.values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]


def test_deleting_a_photo_removes_its_files_after_commit_and_closes_the_gap(
    profile, django_capture_on_commit_callbacks
):
    service = ServiceFactory(provider=profile)
    first, second = (ServicePhotoFactory(service=service, position=p) for p in (0, 1))
    names = [first.image.name, first.thumbnail.name]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.service_photo_delete(photo=first)
    assert all(default_storage.exists(name) for name in names)  # not before the commit
    for callback in callbacks:
        callback()
    assert not any(default_storage.exists(name) for name in names)
    second.refresh_from_db()
    assert second.position == 0


def test_deleting_a_listing_removes_its_photos_files_after_commit(
    profile, django_capture_on_commit_callbacks
):
    service = ServiceFactory(provider=profile)
    photo = ServicePhotoFactory(service=service)
    names = [photo.image.name, photo.thumbnail.name]

    with django_capture_on_commit_callbacks(execute=True):
        services.service_delete(service=service, actor=profile.user)

    assert not Service.objects.filter(pk=service.pk).exists()
    assert not any(default_storage.exists(name) for name in names)


def test_deleting_a_photo_keeps_files_that_another_listing_still_shows(
    django_capture_on_commit_callbacks,
):
    from django.core.files.storage import default_storage

    from listings.models import ServicePhoto
    from listings.services import service_photo_delete
    from listings.tests.factories import ServiceFactory, ServicePhotoFactory

    shared = ServicePhotoFactory()
    other = ServiceFactory(provider=shared.service.provider)
    copy = ServicePhoto.objects.create(
        service=other, image=shared.image.name, thumbnail=shared.thumbnail.name, position=0
    )
    with django_capture_on_commit_callbacks(execute=True):
        service_photo_delete(photo=shared)
    assert default_storage.exists(copy.image.name)
    assert default_storage.exists(copy.thumbnail.name)

    with django_capture_on_commit_callbacks(execute=True):
        service_photo_delete(photo=copy)
    assert not default_storage.exists(copy.image.name)
    assert not default_storage.exists(copy.thumbnail.name)

"""The provider portal's listing pages: who may see what, the forms, photos and statuses."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import ProviderProfile
from accounts.tests.factories import ProviderProfileFactory
from listings.models import Service, ServicePhoto
from listings.tests.factories import (
    CategoryFactory,
    ServiceFactory,
    ServicePhotoFactory,
    SubcategoryFactory,
)
from marketplace.tests.hostile_images import picture
from places.tests.factories import CityFactory

pytestmark = pytest.mark.django_db

SCHEMA = [
    {"name": "pest_type", "label": "Pest type", "type": "choice",
     "choices": ["Termites", "Cockroaches"], "required": True},
    {"name": "treatments", "label": "Treatments included", "type": "number", "required": True},
    {"name": "pet_safe", "label": "Pet-safe products", "type": "boolean"},
    {"name": "warranty", "label": "Warranty", "type": "text"},
]  # fmt: skip

# Queries every portal page makes before its own: session, user, provider profile, the header's
# unread count and Messages count; the list adds the listings (with subcategory, category,
# city) and their photos.
LIST_QUERIES = 7


def png(name="photo.png", size=(800, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 110, 79)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def profile(provider):
    return provider.provider_profile


@pytest.fixture
def pests():
    return SubcategoryFactory(
        name="Pest control",
        slug="pest-control",
        category=CategoryFactory(name="Pests"),
        attribute_schema=SCHEMA,
    )


@pytest.fixture
def signed_in(client, provider):
    client.force_login(provider)
    return client


def form_data(subcategory, city, **overrides) -> dict:
    return {
        "subcategory": subcategory.pk,
        "city": city.pk,
        "title": "Termite inspections",
        "description": "A full inspection with a written report.",
        "price_type": "fixed",
        "price": "250",
        "duration_minutes": "90",
        "cancellation_policy": "moderate",
        "service_radius_km": "40",
        "attr_pest_type": "Termites",
        "attr_treatments": "2",
        "attr_pet_safe": "on",
        "attr_warranty": "12 months",
    } | overrides


def object_urls(service, photo) -> list[tuple[str, str]]:
    """(method, url) for every portal URL that names one listing."""
    return [
        ("get", reverse("portal_service_edit", args=[service.pk])),
        ("post", reverse("portal_service_edit", args=[service.pk])),
        ("get", reverse("portal_service_photos", args=[service.pk])),
        ("post", reverse("portal_service_photos", args=[service.pk])),
        ("post", reverse("portal_service_photo_move", args=[service.pk, photo.pk])),
        ("post", reverse("portal_service_photo_delete", args=[service.pk, photo.pk])),
        ("post", reverse("portal_service_status", args=[service.pk])),
        ("get", reverse("portal_service_delete", args=[service.pk])),
        ("post", reverse("portal_service_delete", args=[service.pk])),
    ]


def all_urls(service, photo) -> list[tuple[str, str]]:
    return [
        ("get", reverse("portal_service_list")),
        ("get", reverse("portal_service_create")),
        ("post", reverse("portal_service_create")),
        ("get", reverse("portal_service_attributes") + f"?subcategory={service.subcategory_id}"),
        *object_urls(service, photo),
    ]


# ------------------------------------------------------------------ authorization


def test_anonymous_people_are_sent_to_sign_in_from_every_url(client):
    photo = ServicePhotoFactory()
    for method, url in all_urls(photo.service, photo):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


def test_people_without_a_provider_profile_are_sent_to_onboarding(client, customer):
    photo = ServicePhotoFactory()
    client.force_login(customer)
    for method, url in all_urls(photo.service, photo):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("portal_onboarding"), url


def test_another_providers_listing_is_a_404_at_every_url(signed_in):
    photo = ServicePhotoFactory()  # someone else's listing
    for method, url in object_urls(photo.service, photo):
        response = getattr(signed_in, method)(url, {"status": "paused", "direction": "up"})
        assert response.status_code == 404, url
    photo.service.refresh_from_db()
    assert photo.service.status == "active"
    assert ServicePhoto.objects.filter(pk=photo.pk).exists()


def test_a_photo_of_another_listing_is_a_404_even_through_ones_own(signed_in, profile):
    own = ServiceFactory(provider=profile)
    foreign = ServicePhotoFactory()
    for name in ("portal_service_photo_move", "portal_service_photo_delete"):
        response = signed_in.post(reverse(name, args=[own.pk, foreign.pk]), {"direction": "up"})
        assert response.status_code == 404
    assert ServicePhoto.objects.filter(pk=foreign.pk).exists()


def test_the_attribute_partial_prefills_only_the_providers_own_listing(signed_in, pests):
    foreign = ServiceFactory(subcategory=pests, attributes={"warranty": "Secret"})
    url = reverse("portal_service_attributes")
    response = signed_in.get(url, {"subcategory": pests.pk, "service": foreign.pk})
    assert "Secret" not in response.content.decode()


# ------------------------------------------------------------------ the list


def test_the_empty_list_offers_to_create_the_first_listing(signed_in):
    response = signed_in.get(reverse("portal_service_list"))
    assert response.status_code == 200
    assert "Create your first listing" in response.content.decode()


def test_the_list_shows_status_photos_price_and_actions(signed_in, profile):
    listing = ServiceFactory(provider=profile, title="Blocked drains", status="paused")
    ServicePhotoFactory.create_batch(2, service=listing)
    ServiceFactory(provider=profile, status="hidden", price_type="hourly", price=65)
    ServiceFactory(title="Not mine")

    page = signed_in.get(reverse("portal_service_list")).content.decode()

    assert "Blocked drains" in page and "Not mine" not in page
    assert 'pill--listing-paused">Paused' in page
    assert "Hidden by moderators" in page and "$65/hr" in page and "$120" in page
    assert "<dd>2</dd>" in page
    assert listing.get_absolute_url() in page
    assert reverse("portal_service_edit", args=[listing.pk]) in page
    assert reverse("portal_service_delete", args=[listing.pk]) in page
    assert "Activate" in page


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_makes_the_same_number_of_queries_for_1_and_20_listings(
    signed_in, profile, count, django_assert_num_queries
):
    for listing in ServiceFactory.create_batch(count, provider=profile):
        ServicePhotoFactory.create_batch(2, service=listing)

    with django_assert_num_queries(LIST_QUERIES):
        response = signed_in.get(reverse("portal_service_list"))
    assert len(response.context["listings"]) == count


def test_a_pending_provider_is_told_listings_go_public_after_approval(client):
    pending = ProviderProfileFactory()
    client.force_login(pending.user)
    page = client.get(reverse("portal_service_list")).content.decode()
    assert "waiting for approval" in page
    assert "as soon as we approve your profile" in page


@pytest.mark.parametrize("status", ["rejected", "suspended"])
def test_rejected_and_suspended_providers_can_look_but_not_create(client, status):
    blocked = ProviderProfileFactory(status=status, status_reason="Licence not valid")
    ServiceFactory(provider=blocked, title="Old listing")
    client.force_login(blocked.user)

    page = client.get(reverse("portal_service_list")).content.decode()
    assert "Old listing" in page and "cannot create, change or publish" in page
    assert reverse("portal_service_create") not in page

    response = client.get(reverse("portal_service_create"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal_service_list")
    assert "cannot create, change or publish" in response.content.decode()


def test_the_portal_home_leads_to_the_listings(signed_in):
    page = signed_in.get(reverse("portal_home")).content.decode()
    assert reverse("portal_service_list") in page
    assert reverse("portal_service_create") in page


# ------------------------------------------------------------------ create and edit


def test_the_new_listing_form_defaults_to_the_providers_city_and_radius(signed_in, profile):
    profile.service_radius_km = 45
    profile.save()
    form = signed_in.get(reverse("portal_service_create")).context["form"]
    assert form["city"].value() == profile.base_city_id
    assert form["service_radius_km"].value() == 45


def test_subcategories_are_grouped_by_category(signed_in, pests):
    page = signed_in.get(reverse("portal_service_create")).content.decode()
    assert '<optgroup label="Pests">' in page
    assert "Pest control</option>" in page


def test_a_provider_publishes_a_listing_with_extra_details(signed_in, profile, pests):
    response = signed_in.post(
        reverse("portal_service_create"),
        form_data(pests, profile.base_city) | {"_status": "active"},
    )

    service = Service.objects.get()
    assert response["Location"] == reverse("portal_service_photos", args=[service.pk])
    assert service.provider == profile
    assert service.status == "active"
    assert service.slug == "termite-inspections"
    assert service.attributes == {
        "pest_type": "Termites",
        "treatments": 2,
        "pet_safe": True,
        "warranty": "12 months",
    }
    assert service.point == profile.base_point
    assert service.search_vector is not None
    page = signed_in.get(response["Location"]).content.decode()
    assert "is live" in page


def test_without_a_status_button_a_new_listing_is_a_draft(signed_in, profile, pests):
    signed_in.post(reverse("portal_service_create"), form_data(pests, profile.base_city))
    assert Service.objects.get().status == "draft"


def test_bad_extra_details_are_shown_by_their_fields_and_nothing_is_saved(
    signed_in, profile, pests
):
    response = signed_in.post(
        reverse("portal_service_create"),
        form_data(pests, profile.base_city, attr_pest_type="", attr_treatments="two", price=""),
    )

    assert response.status_code == 400
    assert not Service.objects.exists()
    form = response.context["form"]
    assert form.errors["attr_pest_type"] == ["This is required."]
    assert form.errors["attr_treatments"] == ["Enter a number."]
    assert "Enter a price" in form.errors["price"][0]
    page = response.content.decode()
    assert "Please check your answers" in page
    assert 'href="#id_attr_treatments">Treatments included: Enter a number.' in page
    assert 'aria-invalid="true"' in page


def test_on_quote_listings_need_no_price(signed_in, profile, pests):
    signed_in.post(
        reverse("portal_service_create"),
        form_data(pests, profile.base_city, price_type="quote", price=""),
    )
    assert Service.objects.get().price is None


def test_radius_beyond_the_maximum_is_refused(signed_in, profile, pests, settings):
    response = signed_in.post(
        reverse("portal_service_create"),
        form_data(pests, profile.base_city, service_radius_km=str(10_000)),
    )
    assert response.status_code == 400
    assert "service_radius_km" in response.context["form"].errors
    assert not Service.objects.exists()


def test_refresh_shows_the_new_types_fields_without_saving(signed_in, profile, pests):
    plain = SubcategoryFactory(name="Cleaning")
    data = form_data(plain, profile.base_city, title="Kept title") | {"_refresh": "1"}
    data = {k: v for k, v in data.items() if not k.startswith("attr_")}
    data["subcategory"] = pests.pk

    response = signed_in.post(reverse("portal_service_create"), data)

    assert response.status_code == 200
    assert not Service.objects.exists()
    page = response.content.decode()
    assert "Pest type" in page and "Treatments included" in page
    assert 'value="Kept title"' in page
    assert "Please check your answers" not in page


def test_the_attribute_partial_renders_a_subcategorys_fields(signed_in, pests):
    response = signed_in.get(reverse("portal_service_attributes"), {"subcategory": pests.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="attr_pest_type"' in page and '<option value="Termites">' in page
    assert 'name="attr_treatments"' in page and 'inputmode="decimal"' in page
    assert 'type="checkbox" name="attr_pet_safe"' in page
    assert "(optional)" in page  # warranty
    assert "<html" not in page

    empty = signed_in.get(reverse("portal_service_attributes"), {"subcategory": "x"})
    assert empty.status_code == 200 and "Choose a service type" in empty.content.decode()


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999", "-1", "0", "1e3", ""])
def test_the_attribute_partial_ignores_ids_that_are_no_ids(signed_in, profile, pests, value):
    own = ServiceFactory(provider=profile, subcategory=pests, attributes={"warranty": "Mine"})
    url = reverse("portal_service_attributes")
    response = signed_in.get(url, {"subcategory": pests.pk, "service": value})
    assert response.status_code == 200
    assert 'name="attr_pest_type"' in response.content.decode()
    assert "Mine" not in response.content.decode()
    response = signed_in.get(url, {"subcategory": value, "service": own.pk})
    assert response.status_code == 200 and "Choose a service type" in response.content.decode()


def test_the_edit_form_shows_the_saved_extra_details_and_saves_changes(signed_in, profile, pests):
    service = ServiceFactory(
        provider=profile,
        subcategory=pests,
        status="active",
        attributes={"pest_type": "Cockroaches", "treatments": 3, "pet_safe": True},
    )
    form = signed_in.get(reverse("portal_service_edit", args=[service.pk])).context["form"]
    assert form["attr_pest_type"].value() == "Cockroaches"
    assert form["attr_treatments"].value() == "3"
    assert form["attr_pet_safe"].value() is True

    response = signed_in.post(
        reverse("portal_service_edit", args=[service.pk]),
        form_data(pests, profile.base_city, title="Cockroach treatment", attr_pet_safe=""),
    )

    assert response["Location"] == reverse("portal_service_list")
    service.refresh_from_db()
    assert service.title == "Cockroach treatment"
    assert service.status == "active"
    assert service.attributes["pet_safe"] is False


def test_saving_a_draft_with_publish_makes_it_active(signed_in, profile, pests):
    service = ServiceFactory(provider=profile, subcategory=pests, status="draft")
    signed_in.post(
        reverse("portal_service_edit", args=[service.pk]),
        form_data(pests, profile.base_city) | {"_status": "active"},
    )
    service.refresh_from_db()
    assert service.status == "active"


def test_a_hidden_listing_cannot_be_published_from_the_edit_form(signed_in, profile, pests):
    service = ServiceFactory(provider=profile, subcategory=pests, status="hidden")
    response = signed_in.post(
        reverse("portal_service_edit", args=[service.pk]),
        form_data(pests, profile.base_city, title="Changed") | {"_status": "active"},
    )
    assert response.status_code == 400
    assert "moderators have hidden" in response.content.decode()
    service.refresh_from_db()
    assert service.status == "hidden" and service.title != "Changed"


def test_listing_in_another_city_is_centred_there(signed_in, profile, pests):
    perth = CityFactory(name="Perth", state="WA")
    signed_in.post(reverse("portal_service_create"), form_data(pests, perth))
    assert Service.objects.get().point == perth.point


# ------------------------------------------------------------------ status and delete


def test_pause_and_activate(signed_in, profile):
    service = ServiceFactory(provider=profile, status="active")
    url = reverse("portal_service_status", args=[service.pk])

    response = signed_in.post(url, {"status": "paused"}, follow=True)
    service.refresh_from_db()
    assert service.status == "paused"
    assert "is paused" in response.content.decode()

    signed_in.post(url, {"status": "active"})
    service.refresh_from_db()
    assert service.status == "active"


def test_a_moderator_hidden_listing_cannot_be_reactivated(signed_in, profile):
    service = ServiceFactory(provider=profile, status="hidden")
    response = signed_in.post(
        reverse("portal_service_status", args=[service.pk]), {"status": "active"}, follow=True
    )
    assert "only they can show it again" in response.content.decode()
    service.refresh_from_db()
    assert service.status == "hidden"


def test_status_changes_only_return_to_pages_of_this_site(signed_in, profile):
    service = ServiceFactory(provider=profile, status="draft")
    url = reverse("portal_service_status", args=[service.pk])
    response = signed_in.post(url, {"status": "active", "next": "https://evil.example/"})
    assert response["Location"] == reverse("portal_service_list")
    photos = reverse("portal_service_photos", args=[service.pk])
    response = signed_in.post(url, {"status": "paused", "next": photos})
    assert response["Location"] == photos


@pytest.mark.parametrize(
    "next_url", ["abc", "portal_service_list", "//evil.example", "javascript:alert(1)", ""]
)
def test_a_next_that_is_no_path_returns_to_the_list(signed_in, profile, next_url):
    service = ServiceFactory(provider=profile, status="active")
    url = reverse("portal_service_status", args=[service.pk])
    response = signed_in.post(url, {"status": "paused", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal_service_list")
    service.refresh_from_db()
    assert service.status == "paused"


def test_status_change_needs_a_post(signed_in, profile):
    service = ServiceFactory(provider=profile, status="active")
    response = signed_in.get(reverse("portal_service_status", args=[service.pk]))
    assert response.status_code == 405


def test_delete_asks_first_then_deletes(signed_in, profile, django_capture_on_commit_callbacks):
    service = ServiceFactory(provider=profile, title="Gutter cleaning")
    ServicePhotoFactory(service=service)
    url = reverse("portal_service_delete", args=[service.pk])

    page = signed_in.get(url).content.decode()
    assert "Delete “Gutter cleaning”?" in page and "1 photo " in page
    assert Service.objects.filter(pk=service.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(url, follow=True)
    assert not Service.objects.filter(pk=service.pk).exists()
    assert "is deleted" in response.content.decode()


# ------------------------------------------------------------------ photos


def test_uploading_several_photos_at_once(signed_in, profile):
    service = ServiceFactory(provider=profile)
    url = reverse("portal_service_photos", args=[service.pk])

    response = signed_in.post(url, {"photos": [png("a.png"), png("b.png")]}, follow=True)

    assert service.photos.count() == 2
    page = response.content.decode()
    assert "2 photos added" in page
    assert "2 of 10 photos" in page
    assert page.count('class="photo-item"') == 2


def test_a_bad_file_is_named_and_nothing_from_the_batch_is_saved(signed_in, profile):
    service = ServiceFactory(provider=profile)
    bad = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 nothing", content_type="application/pdf")

    response = signed_in.post(
        reverse("portal_service_photos", args=[service.pk]), {"photos": [png(), bad]}
    )

    assert response.status_code == 400
    assert "invoice.pdf: not an image we can read" in response.content.decode()
    assert not service.photos.exists()


def test_a_tiny_image_is_refused(signed_in, profile):
    service = ServiceFactory(provider=profile)
    response = signed_in.post(
        reverse("portal_service_photos", args=[service.pk]),
        {"photos": [png("icon.png", size=(50, 50))]},
    )
    assert response.status_code == 400
    assert "icon.png: too small" in response.content.decode()


def test_the_upload_form_says_the_real_limits(signed_in, profile):
    service = ServiceFactory(provider=profile)
    page = signed_in.get(reverse("portal_service_photos", args=[service.pk])).content.decode()
    assert (
        "JPEG, PNG or WebP, up to 10 MB each, at least 200 pixels a side and at most 50 "
        "megapixels (13 for a PNG, 6 for a WebP). You can choose several at once; a listing "
        "holds up to 10."
    ) in page
    assert 'accept="image/jpeg,image/png,image/webp"' in page


def test_a_gif_is_refused_by_name_and_nothing_is_saved(signed_in, profile):
    service = ServiceFactory(provider=profile)
    gif = SimpleUploadedFile("party.gif", picture("P", (400, 400), "GIF"))
    response = signed_in.post(
        reverse("portal_service_photos", args=[service.pk]), {"photos": [png(), gif]}
    )
    assert response.status_code == 400
    assert "party.gif: GIF images are not accepted; use a JPEG, PNG or WebP." in (
        response.content.decode()
    )
    assert not service.photos.exists()


def test_uploading_nothing_says_so(signed_in, profile):
    service = ServiceFactory(provider=profile)
    response = signed_in.post(reverse("portal_service_photos", args=[service.pk]), {})
    assert response.status_code == 400
    assert "Choose at least one photo" in response.content.decode()


def test_the_eleventh_photo_is_refused(signed_in, profile):
    service = ServiceFactory(provider=profile)
    ServicePhotoFactory.create_batch(9, service=service)
    response = signed_in.post(
        reverse("portal_service_photos", args=[service.pk]), {"photos": [png(), png()]}
    )
    assert response.status_code == 400
    assert "you can add 1 more" in response.content.decode()
    assert service.photos.count() == 9


def test_moving_and_deleting_photos(signed_in, profile, django_capture_on_commit_callbacks):
    service = ServiceFactory(provider=profile)
    first, second = (ServicePhotoFactory(service=service, position=p) for p in (0, 1))

    response = signed_in.post(
        reverse("portal_service_photo_move", args=[service.pk, second.pk]), {"direction": "up"}
    )
    assert response["Location"].endswith(f"#photo-{second.pk}")
    assert list(service.photos.values_list("pk", flat=True)) == [second.pk, first.pk]

    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(reverse("portal_service_photo_delete", args=[service.pk, second.pk]))
    assert list(service.photos.values_list("pk", flat=True)) == [first.pk]
    page = signed_in.get(reverse("portal_service_photos", args=[service.pk])).content.decode()
    assert "Cover" in page and "Photo deleted" in page


def test_the_photos_page_of_a_draft_offers_to_publish(signed_in, profile):
    service = ServiceFactory(provider=profile, status="draft")
    page = signed_in.get(reverse("portal_service_photos", args=[service.pk])).content.decode()
    assert "This listing is a draft" in page
    assert reverse("portal_service_status", args=[service.pk]) in page


def test_pages_carry_no_inline_script_or_style(signed_in, profile, pests):
    service = ServiceFactory(provider=profile, subcategory=pests)
    ServicePhotoFactory(service=service)
    for url in (
        reverse("portal_service_list"),
        reverse("portal_service_create"),
        reverse("portal_service_edit", args=[service.pk]),
        reverse("portal_service_photos", args=[service.pk]),
        reverse("portal_service_delete", args=[service.pk]),
    ):
        page = signed_in.get(url).content.decode()
        assert "<style" not in page and 'style="' not in page, url
        assert " onclick=" not in page and "<script>" not in page, url


def test_approved_status_is_what_makes_a_pending_providers_listing_public(client, pests):
    pending = ProviderProfileFactory()
    client.force_login(pending.user)
    client.post(
        reverse("portal_service_create"),
        form_data(pests, pending.base_city) | {"_status": "active"},
    )
    service = Service.objects.get()
    assert service.status == Service.Status.ACTIVE
    # The provider previews it; nobody else can see it while the profile waits for approval.
    preview = client.get(service.get_absolute_url())
    assert preview.status_code == 200 and "Preview: only you can see this listing" in (
        preview.content.decode()
    )
    client.logout()
    assert client.get(service.get_absolute_url()).status_code == 404
    pending.status = ProviderProfile.Status.APPROVED
    pending.save()
    assert client.get(service.get_absolute_url()).status_code == 200


def test_the_provider_chooses_the_cancellation_policy_customers_see(client):
    service = ServiceFactory(price_type="fixed")
    client.force_login(service.provider.user)
    page = client.get(reverse("portal_service_edit", args=[service.pk])).content.decode()
    assert "Free to cancel up to 7 days before" in page  # every policy is explained

    data = {
        "subcategory": service.subcategory_id,
        "city": service.city_id,
        "title": service.title,
        "description": service.description,
        "price_type": "fixed",
        "price": "120",
        "duration_minutes": "60",
        "service_radius_km": "25",
        "cancellation_policy": "strict",
    }
    client.post(reverse("portal_service_edit", args=[service.pk]), data)
    assert Service.objects.get(pk=service.pk).cancellation_policy == "strict"
    public = client.get(service.get_absolute_url()).content.decode()
    assert "Strict: Free to cancel up to 7 days before" in public

    client.post(
        reverse("portal_service_edit", args=[service.pk]), data | {"cancellation_policy": "free"}
    )
    assert Service.objects.get(pk=service.pk).cancellation_policy == "strict"

"""The catalogue API: /api/categories/ and /api/services/ (search, detail, a provider's own
listings and photos), on the search page's and the portal's own functions."""

import io

import pytest
from django.contrib.gis.geos import Point
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from accounts.tests.factories import ProviderProfileFactory
from listings import services
from listings.models import Service, ServicePhoto
from listings.services import search_terms_refresh
from listings.tests.factories import (
    CategoryFactory,
    ServiceFactory,
    ServicePhotoFactory,
    SubcategoryFactory,
)
from places.tests.factories import CityFactory

pytestmark = pytest.mark.django_db

SERVICES = "/api/services/"
SCHEMA = [
    {"name": "pest_type", "label": "Pest type", "type": "choice",
     "choices": ["Termites", "Cockroaches"], "required": True},
    {"name": "treatments", "label": "Treatments included", "type": "number", "required": True},
]  # fmt: skip


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def pests():
    return SubcategoryFactory(
        name="Pest control",
        slug="pest-control",
        category=CategoryFactory(name="Pests", slug="pests"),
        attribute_schema=SCHEMA,
    )


@pytest.fixture
def profile(provider):
    return provider.provider_profile


@pytest.fixture
def api(provider):
    client = APIClient()
    client.force_authenticate(provider)
    return client


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def payload(subcategory, city, /, **overrides) -> dict:
    return {
        "subcategory": subcategory.pk,
        "city": city.pk,
        "title": "Termite inspections",
        "description": "A full inspection with a written report.",
        "price_type": "fixed",
        "price": "250.00",
        "duration_minutes": 90,
        "service_radius_km": 40,
        "attributes": {"pest_type": "Termites", "treatments": 2},
    } | overrides


def png(name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (11, 110, 79)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# ------------------------------------------------------------------ categories


@pytest.mark.parametrize("count", [1, 4])
def test_the_catalogue_tree_carries_each_subcategorys_schema_in_three_queries(
    count, django_assert_num_queries
):
    for n in range(count):
        SubcategoryFactory(category=CategoryFactory(), attribute_schema=SCHEMA if n == 0 else [])
    with django_assert_num_queries(3):  # the count, the categories, their subcategories
        response = APIClient().get("/api/categories/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == count
    first = body["results"][0]
    assert set(first) == {"id", "name", "slug", "description", "subcategories"}
    assert first["subcategories"][0]["attribute_schema"] == SCHEMA
    assert response["Cache-Control"].startswith("public")


# ------------------------------------------------------------------ search


def titles(response) -> list[str]:
    return [row["title"] for row in response.json()["results"]]


def test_search_lists_public_services_only_with_their_provider_and_cover(db):
    shown = ServiceFactory(title="Switchboard upgrade")
    ServicePhotoFactory(service=shown)
    ServiceFactory(title="A draft", status="draft")
    ServiceFactory(title="Pending provider's", provider=ProviderProfileFactory())

    response = APIClient().get(SERVICES)

    assert response.status_code == 200
    body = response.json()
    assert titles(response) == ["Switchboard upgrade"]
    row = body["results"][0]
    assert row["provider"]["business_name"] == shown.provider.business_name
    assert row["cover"]["thumbnail"]
    assert row["url"] == shown.get_absolute_url()
    assert body["page"] == 1 and body["next"] is None and body["previous"] is None
    assert body["meta"]["sort"] == "rating" and body["meta"]["notes"] == []


@pytest.mark.parametrize("count", [1, 5])
def test_search_takes_the_same_queries_for_one_result_and_many(count, django_assert_num_queries):
    for _ in range(count):
        ServicePhotoFactory(service=ServiceFactory())
    with django_assert_num_queries(2):  # the page of services (joined), their photos
        response = APIClient().get(SERVICES, {"sort": "price"})
    assert len(response.json()["results"]) == count


def test_search_filters_like_the_search_page(pests):
    perth = CityFactory(name="Perth", state="WA", timezone="Australia/Perth")
    termites = ServiceFactory(title="Termite barrier", subcategory=pests, price=300)
    ServiceFactory(title="Cheap termites", subcategory=pests, price=50, instant_book=True)
    ServiceFactory(title="Perth termites", subcategory=pests, city=perth, point=perth.point)
    ServiceFactory(title="Switchboard")

    client = APIClient()
    assert set(titles(client.get(SERVICES, {"category": "pests"}))) == {
        "Termite barrier", "Cheap termites", "Perth termites",
    }  # fmt: skip
    sydney_pests = client.get(SERVICES, {"subcategory": "pest-control", "city": termites.city.slug})
    assert set(titles(sydney_pests)) == {"Termite barrier", "Cheap termites"}
    priced = client.get(SERVICES, {"category": "pests", "price_min": 100})
    assert set(titles(priced)) == {"Termite barrier", "Perth termites"}
    assert titles(client.get(SERVICES, {"instant_book": "true"})) == ["Cheap termites"]
    assert titles(client.get(SERVICES, {"q": "barrier"})) == ["Termite barrier"]


def test_bad_search_values_are_dropped_with_the_pages_notes_never_a_500(db):
    ServiceFactory(title="Switchboard")
    response = APIClient().get(
        SERVICES,
        {
            "category": "no-such",
            "price_min": "1e999999",
            "lat": "north",
            "sort": "cheapest",
            "page": "99999999999999999999999",
            "page_size": "100000",
            "q": "x" * 5000,
        },
    )
    assert response.status_code == 200
    notes = response.json()["meta"]["notes"]
    assert "We don’t have that category. Choose one from the list." in notes  # noqa: RUF001
    assert "Keep your search under 100 characters." in notes


def test_a_typo_is_corrected_in_meta_and_as_typed_turns_it_off(db):
    ServiceFactory(title="Emergency electrician")
    search_terms_refresh()

    corrected = APIClient().get(SERVICES, {"q": "emergancy electrician"}).json()
    assert [row["title"] for row in corrected["results"]] == ["Emergency electrician"]
    assert corrected["meta"]["corrected"] == "emergency electrician"
    assert corrected["meta"]["as_typed"] is False
    assert "as_typed=1" in corrected["meta"]["as_typed_query"]

    as_typed = APIClient().get(SERVICES, {"q": "emergancy electrician", "as_typed": "1"}).json()
    assert as_typed["meta"]["corrected"] == ""
    assert as_typed["meta"]["as_typed"] is True


def test_near_me_finds_the_services_covering_the_point_nearest_first(db):
    sydney = CityFactory()
    near = ServiceFactory(title="Near", city=sydney, point=sydney.point, service_radius_km=10)
    ServiceFactory(title="Perth", city=sydney, point=Point(115.8605, -31.9505, srid=4326))
    body = APIClient().get(SERVICES, {"lat": sydney.point.y, "lng": sydney.point.x}).json()
    assert [row["title"] for row in body["results"]] == [near.title]
    assert body["results"][0]["distance_km"] == 0.0
    assert body["meta"]["place"]["kind"] == "point" and body["meta"]["sort"] == "distance"


def test_search_pages_link_to_the_next_and_previous(db):
    for _ in range(3):
        ServiceFactory()
    first = APIClient().get(SERVICES, {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["previous"] is None
    second = APIClient().get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None and second["previous"]


# ------------------------------------------------------------------ detail


def test_a_public_service_shows_its_photos_attributes_and_rating_figures(pests):
    service = ServiceFactory(subcategory=pests, attributes={"pest_type": "Termites"})
    ServicePhotoFactory(service=service)
    response = APIClient().get(f"{SERVICES}{service.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["attributes"] == {"pest_type": "Termites"}
    assert body["subcategory"]["attribute_schema"] == SCHEMA
    assert len(body["photos"]) == 1 and body["photos"][0]["width"] == 800
    assert body["rating_average"] == "0.00" and body["rating_count"] == 0
    assert body["is_public"] is True
    reviews = APIClient().get(body["reviews_url"])
    assert reviews.status_code == 200
    assert [row["stars"] for row in reviews.json()["summary"]["breakdown"]] == [5, 4, 3, 2, 1]


def test_a_draft_is_a_404_to_everyone_but_its_provider(customer):
    draft = ServiceFactory(status="draft")
    url = f"{SERVICES}{draft.pk}/"
    assert APIClient().get(url).status_code == 404
    assert as_user(customer).get(url).status_code == 404
    assert as_user(ProviderProfileFactory(approved=True).user).get(url).status_code == 404
    own = as_user(draft.provider.user).get(url)
    assert own.status_code == 200 and own.json()["status"] == "draft"


@pytest.mark.parametrize("pk", ["0", "99999999999999999999999999", "-1", "abc"])
def test_an_impossible_id_is_a_404(db, pk):
    assert APIClient().get(f"{SERVICES}{pk}/").status_code == 404


# ------------------------------------------------------------------ roles


def test_managing_listings_needs_a_provider_profile(customer, pests, city):
    service = ServiceFactory()
    urls = [
        ("post", SERVICES),
        ("get", f"{SERVICES}mine/"),
        ("patch", f"{SERVICES}{service.pk}/"),
        ("delete", f"{SERVICES}{service.pk}/"),
        ("post", f"{SERVICES}{service.pk}/publish/"),
        ("post", f"{SERVICES}{service.pk}/pause/"),
        ("post", f"{SERVICES}{service.pk}/photos/"),
        ("post", f"{SERVICES}{service.pk}/photos/order/"),
        ("delete", f"{SERVICES}{service.pk}/photos/1/"),
    ]
    for method, url in urls:
        assert getattr(APIClient(), method)(url).status_code == 401, url
        response = getattr(as_user(customer), method)(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "permission_denied", url
    service.refresh_from_db()
    assert service.status == "active"


def test_another_providers_listing_is_a_404_at_every_url(api):
    photo = ServicePhotoFactory()
    service = photo.service
    urls = [
        ("patch", f"{SERVICES}{service.pk}/", {"title": "Mine now"}),
        ("delete", f"{SERVICES}{service.pk}/", None),
        ("post", f"{SERVICES}{service.pk}/publish/", None),
        ("post", f"{SERVICES}{service.pk}/pause/", None),
        ("post", f"{SERVICES}{service.pk}/photos/", None),
        ("post", f"{SERVICES}{service.pk}/photos/order/", {"photos": [photo.pk]}),
        ("delete", f"{SERVICES}{service.pk}/photos/{photo.pk}/", None),
    ]
    for method, url, data in urls:
        response = getattr(api, method)(url, data, format="json")
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    service.refresh_from_db()
    assert service.status == "active" and service.title != "Mine now"
    assert ServicePhoto.objects.filter(pk=photo.pk).exists()


def test_a_photo_of_another_listing_is_a_404_through_ones_own(api, profile):
    own = ServiceFactory(provider=profile)
    foreign = ServicePhotoFactory()
    response = api.delete(f"{SERVICES}{own.pk}/photos/{foreign.pk}/")
    assert response.status_code == 404
    assert ServicePhoto.objects.filter(pk=foreign.pk).exists()


# ------------------------------------------------------------------ create, change


def test_a_provider_creates_a_draft_and_read_only_fields_are_ignored(api, profile, pests, city):
    other = ProviderProfileFactory(approved=True)
    response = api.post(
        SERVICES,
        payload(
            pests,
            city,
            status="active",
            rating_average="5.00",
            rating_count=999,
            provider=other.pk,
            slug="chosen",
            unknown="ignored",
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    service = Service.objects.get(pk=body["id"])
    assert service.provider == profile
    assert service.status == "draft" and body["status"] == "draft"
    assert service.rating_count == 0 and service.rating_average == 0
    assert service.attributes == {"pest_type": "Termites", "treatments": 2}
    assert service.slug == "termite-inspections"


def test_attributes_are_checked_against_the_subcategorys_schema(api, pests, city):
    response = api.post(
        SERVICES,
        payload(pests, city, attributes={"pest_type": "Ants", "treatments": "lots"}),
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"]["attributes"] == [
        "Pest type: choose one of Termites, Cockroaches.",
        "Treatments included: enter a number.",
    ]
    assert not Service.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"price": "1e30"},
        {"price": "-1"},
        {"duration_minutes": 10**30},
        {"service_radius_km": 0},
        {"subcategory": 10**30},
        {"city": "sydney"},
        {"title": "x" * 121},
        {"attributes": ["not", "a", "dict"]},
        {"attributes": {"pest_type": {"nested": "object"}}},
        {"instant_book": "maybe"},
        {"price_type": "barter"},
    ],
)
def test_bad_input_is_a_400_that_changes_nothing(api, pests, city, overrides):
    response = api.post(SERVICES, payload(pests, city, **overrides), format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid"
    assert not Service.objects.exists()


def test_bad_json_and_a_wrong_content_type_are_4xx(api):
    bad = api.post(SERVICES, "{not json", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "parse_error"
    xml = api.post(SERVICES, "<x/>", content_type="application/xml")
    assert xml.status_code == 415


def test_a_provider_changes_only_what_it_sends(api, profile, pests):
    service = ServiceFactory(provider=profile, subcategory=pests, status="paused",
                             attributes={"pest_type": "Termites", "treatments": 1})  # fmt: skip
    response = api.patch(
        f"{SERVICES}{service.pk}/",
        {"title": "New title", "status": "active", "rating_count": 50},
        format="json",
    )
    assert response.status_code == 200, response.json()
    service.refresh_from_db()
    assert service.title == "New title" and service.slug == "new-title"
    assert service.status == "paused" and service.rating_count == 0
    assert service.price == 120 and service.attributes["treatments"] == 1


def test_a_suspended_provider_is_refused_with_the_services_message(provider, pests, city):
    profile = provider.provider_profile
    profile.status = "suspended"
    profile.save()
    response = as_user(provider).post(SERVICES, payload(pests, city), format="json")
    assert response.status_code == 403
    assert response.json()["message"] == services.provider_listings_blocked_reason(provider=profile)


# ------------------------------------------------------------------ status, delete


def test_a_provider_publishes_and_pauses_its_own_listing(api, profile):
    service = ServiceFactory(provider=profile, status="draft")
    published = api.post(f"{SERVICES}{service.pk}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "active"
    paused = api.post(f"{SERVICES}{service.pk}/pause/")
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    service.refresh_from_db()
    assert service.status == "paused"


def test_the_page_and_the_api_refuse_to_publish_a_hidden_listing_with_one_message(
    client, api, provider, profile
):
    service = ServiceFactory(provider=profile, status="hidden")

    response = api.post(f"{SERVICES}{service.pk}/publish/")

    client.force_login(provider)
    page = client.post(reverse("portal_service_status", args=[service.pk]), {"status": "active"})
    flashed = [str(message) for message in get_messages(page.wsgi_request)]
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    assert flashed == [response.json()["message"]]
    service.refresh_from_db()
    assert service.status == "hidden"


def test_pausing_a_draft_is_a_409_wrong_state(api, profile):
    service = ServiceFactory(provider=profile, status="draft")
    response = api.post(f"{SERVICES}{service.pk}/pause/")
    assert response.status_code == 409
    assert response.json() == {
        "code": "wrong_state",
        "message": "A draft listing cannot be set to paused.",
        "fields": {},
    }


def test_deleting_removes_the_listing_or_archives_it_when_referenced(api, profile, monkeypatch):
    gone = ServiceFactory(provider=profile)
    response = api.delete(f"{SERVICES}{gone.pk}/")
    assert response.status_code == 200 and response.json() == {"removal": "deleted"}
    assert not Service.objects.filter(pk=gone.pk).exists()

    kept = ServiceFactory(provider=profile)
    monkeypatch.setattr(services, "service_is_referenced", lambda *, service: True)
    response = api.delete(f"{SERVICES}{kept.pk}/")
    assert response.json() == {"removal": "archived"}
    kept.refresh_from_db()
    assert kept.status == "archived"
    # Archived: off the public detail and out of reach of the actions; its provider still
    # sees it, as the portal lists it.
    assert APIClient().get(f"{SERVICES}{kept.pk}/").status_code == 404
    assert api.get(f"{SERVICES}{kept.pk}/").json()["status"] == "archived"
    assert api.delete(f"{SERVICES}{kept.pk}/").status_code == 404


# ------------------------------------------------------------------ mine


@pytest.mark.parametrize("count", [1, 4])
def test_mine_lists_every_status_of_ones_own_in_constant_queries(
    api, profile, count, django_assert_num_queries
):
    statuses = ["draft", "active", "paused", "hidden", "archived"]
    for n in range(count):
        ServicePhotoFactory(service=ServiceFactory(provider=profile, status=statuses[n]))
    ServiceFactory()  # someone else's
    with django_assert_num_queries(4):  # the profile, the count, the listings, their photos
        response = api.get(f"{SERVICES}mine/")
    body = response.json()
    assert body["count"] == count
    assert {row["status"] for row in body["results"]} == set(statuses[:count])
    assert body["results"][0]["photos"][0]["thumbnail"]


# ------------------------------------------------------------------ photos


def test_a_provider_uploads_orders_and_deletes_photos(api, profile):
    service = ServiceFactory(provider=profile)
    url = f"{SERVICES}{service.pk}/photos/"

    response = api.post(url, {"photos": [png("a.png"), png("b.png")]}, format="multipart")

    assert response.status_code == 201, response.json()
    first, second = (row["id"] for row in response.json())
    ordered = api.post(f"{url}order/", {"photos": [second, first]}, format="json")
    assert ordered.status_code == 200
    assert [row["id"] for row in ordered.json()] == [second, first]
    assert list(service.photos.values_list("pk", flat=True)) == [second, first]

    assert api.delete(f"{url}{second}/").status_code == 204
    assert list(service.photos.values_list("pk", "position")) == [(first, 0)]


def test_an_order_must_name_every_photo_once(api, profile):
    service = ServiceFactory(provider=profile)
    photos = [ServicePhotoFactory(service=service) for _ in range(2)]
    response = api.post(
        f"{SERVICES}{service.pk}/photos/order/", {"photos": [photos[0].pk]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "photos": ["List every photo of this listing once, in the new order."]
    }


def test_uploads_are_all_or_nothing_and_bounded(api, profile):
    service = ServiceFactory(provider=profile)
    url = f"{SERVICES}{service.pk}/photos/"
    broken = SimpleUploadedFile("b.png", b"not an image", content_type="image/png")

    response = api.post(url, {"photos": [png(), broken]}, format="multipart")

    assert response.status_code == 400
    assert "photos" in response.json()["fields"]
    assert not service.photos.exists()
    too_many = api.post(url, {"photos": [png(f"{n}.png") for n in range(11)]}, format="multipart")
    assert too_many.status_code == 400
    assert not service.photos.exists()
    as_json = api.post(url, {"photos": ["x"]}, format="json")
    assert as_json.status_code == 415


@pytest.mark.parametrize("count", [1, 5])
def test_a_words_search_near_a_place_takes_constant_queries(
    count, places, django_assert_num_queries
):
    for _ in range(count):
        ServicePhotoFactory(service=ServiceFactory(title="Switchboard upgrade"))
    # The place typed, the typo lexicon, the providers named, the ranked page, its photos.
    with django_assert_num_queries(5):
        response = APIClient().get(SERVICES, {"q": "switchboard", "where": "Bondi"})
    body = response.json()
    assert len(body["results"]) == count
    assert body["meta"]["place"]["label"] == "Bondi, NSW"
    assert body["meta"]["sort"] == "relevance"


def test_a_pending_provider_publishes_as_the_portal_allows_but_stays_off_the_public_api(
    pests, city
):
    pending = ProviderProfileFactory()  # waiting for approval
    client = as_user(pending.user)
    created = client.post(SERVICES, payload(pests, city), format="json").json()
    published = client.post(f"{SERVICES}{created['id']}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "active"
    assert published.json()["is_public"] is False
    assert APIClient().get(f"{SERVICES}{created['id']}/").status_code == 404
    assert APIClient().get(SERVICES).json()["results"] == []

# ruff: noqa: RUF001 - messages use the typographic apostrophe, as the templates do
"""Search and near-me: ranking, typos, places, service areas, filters, sorts, bad input."""

import re
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.urls import reverse

from accounts.models import ProviderProfile
from accounts.tests.factories import ProviderProfileFactory
from listings.models import Service
from listings.search import (
    search_query_parse,
    search_words_correct,
    service_search,
    services_covering,
)
from listings.selectors import service_public
from listings.services import search_terms_refresh
from places.models import Suburb
from places.tests.factories import CityFactory

from .factories import (
    CategoryFactory,
    ServiceFactory,
    ServicePhotoFactory,
    SubcategoryFactory,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("search")
BONDI = Point(151.2743, -33.8915, srid=4326)
# One degree of latitude on PostGIS's sphere (radius 6,371,008.8 m), in km.
KM_PER_DEGREE = 111.195


def north_of(point: Point, km: float) -> Point:
    return Point(point.x, point.y + km / KM_PER_DEGREE, srid=4326)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sydney(db):
    return CityFactory()


@pytest.fixture
def perth(db):
    return CityFactory(
        name="Perth", state="WA", timezone="Australia/Perth", point=Point(115.8605, -31.9505)
    )


@pytest.fixture
def places(sydney, perth):
    Suburb.objects.create(city=sydney, name="Bondi", state="NSW", point=BONDI, population=11000)
    Suburb.objects.create(
        city=sydney, name="Bondi Junction", state="NSW", point=Point(151.2475, -33.8932)
    )
    Suburb.objects.create(
        city=sydney, name="Parramatta", state="NSW", point=Point(151.0036, -33.8150)
    )
    Suburb.objects.create(
        city=perth, name="Fremantle", state="WA", point=Point(115.7475, -32.0569), population=7500
    )
    return {"sydney": sydney, "perth": perth}


@pytest.fixture
def electrical(db):
    category = CategoryFactory(name="Electrical", slug="electrical")
    return {
        "category": category,
        "emergency": SubcategoryFactory(
            category=category, name="Emergency electricians", slug="emergency-electricians"
        ),
        "lighting": SubcategoryFactory(category=category, name="Lighting", slug="lighting"),
    }


@pytest.fixture
def plumbing(db):
    category = CategoryFactory(name="Plumbing", slug="plumbing")
    return SubcategoryFactory(category=category, name="Plumbers", slug="plumbers")


def service(**kwargs) -> Service:
    """A public service; `point` also becomes its provider's base."""
    provider_fields = {
        key[len("provider__") :]: kwargs.pop(key)
        for key in list(kwargs)
        if key.startswith("provider__")
    }
    if "point" in kwargs:
        provider_fields.setdefault("base_point", kwargs["point"])
    if "city" in kwargs:
        provider_fields.setdefault("base_city", kwargs["city"])
    provider = ProviderProfileFactory(approved=True, **provider_fields)
    return ServiceFactory(provider=provider, **kwargs)


def titles(response) -> list[str]:
    return [result.title for result in response.context["page"].results]


def get(client, **params):
    return client.get(SEARCH, params)


# --- Ranking and words -----------------------------------------------------------------------


def test_a_title_match_outranks_a_description_only_match(client, sydney, electrical):
    service(
        title="Switchboard upgrades",
        description="We fit ceiling fans and do emergency call-outs.",
        subcategory=electrical["lighting"],
    )
    service(
        title="Ceiling fan installation",
        description="Fans fitted in a morning.",
        subcategory=electrical["lighting"],
    )
    service(title="Lawn mowing", description="Tidy lawns.", subcategory=electrical["lighting"])

    response = get(client, q="ceiling fan")

    assert titles(response) == ["Ceiling fan installation", "Switchboard upgrades"]


def test_subcategory_names_are_searched_and_outrank_descriptions(client, sydney, electrical):
    service(title="After-hours call-outs", subcategory=electrical["emergency"])
    service(
        title="Downlights",
        description="Not an emergency service.",
        subcategory=electrical["lighting"],
    )

    assert titles(get(client, q="emergency")) == ["After-hours call-outs", "Downlights"]


def test_websearch_syntax_phrases_and_exclusions(client, sydney, electrical):
    service(title="Kitchen lighting", subcategory=electrical["lighting"])
    service(title="Garden lighting", subcategory=electrical["lighting"])

    assert titles(get(client, q="lighting -kitchen")) == ["Garden lighting"]
    assert titles(get(client, q='"garden lighting"')) == ["Garden lighting"]


def test_typos_are_corrected_and_the_place_word_becomes_the_location(
    client, places, electrical, plumbing
):
    near = service(
        title="Emergency electrician, 24/7",
        subcategory=electrical["emergency"],
        city=places["sydney"],
        point=north_of(BONDI, 3),
    )
    service(
        title="Emergency electrician for the west",
        subcategory=electrical["emergency"],
        city=places["sydney"],
        point=Point(150.6, -33.75),  # ~65 km away, covers 25 km
    )
    service(
        title="Emergency plumber",
        subcategory=plumbing,
        city=places["sydney"],
        point=north_of(BONDI, 2),
    )
    search_terms_refresh()

    response = get(client, q="emergancy electrician bondi")

    assert titles(response) == [near.title]
    page = response.content.decode()
    assert "Showing results for" in page
    assert "<strong>emergency electrician</strong>" in page
    assert response.context["place"].label == "Bondi, NSW"
    assert "near Bondi, NSW" in page
    assert re.search(r"3\.0 km away", page)


def test_a_word_the_catalogue_has_is_not_corrected(db, sydney, electrical):
    service(title="Electricians on call", subcategory=electrical["emergency"])
    search_terms_refresh()

    # "electrician" stems like "electricians", so it is not a typo.
    assert search_words_correct(words=["electrician", "electricians", "the"]) == {}
    assert search_words_correct(words=["electrishans"]) == {"electrishans": "electricians"}
    assert search_words_correct(words=["zzzzqqq"]) == {}


def test_words_as_typed_come_before_corrected_ones(db, sydney, electrical):
    service(title="Grout cleaning", subcategory=electrical["lighting"])
    service(title="Group bookings", subcategory=electrical["lighting"])
    # "grout" is only in a description, so the lexicon does not know it.
    service(
        title="Tile care", description="Regrouting and grout sealing.",
        subcategory=electrical["lighting"],
    )  # fmt: skip
    search_terms_refresh()
    parsed = search_query_parse(query="groutt")
    assert parsed.corrected == "grout"

    page = service_search(services=service_public(), text=parsed.text, corrected=parsed.corrected)

    assert {result.title for result in page.results} == {"Grout cleaning", "Tile care"}
    assert not page.exact_matches


def test_plumber_fremantle_takes_fremantle_as_the_place(client, places, plumbing):
    fremantle = service(
        title="Fremantle plumbing",
        subcategory=plumbing,
        city=places["perth"],
        point=Point(115.75, -32.05),
    )
    service(title="Sydney plumber", subcategory=plumbing, city=places["sydney"])
    search_terms_refresh()

    parsed = search_query_parse(query="plumber in fremantle")
    assert parsed.text == "plumber"
    assert parsed.place.label == "Fremantle, WA"

    response = get(client, q="plumber fremantle")
    assert titles(response) == [fremantle.title]
    assert response.context["heading"] == "“plumber” near Fremantle, WA"


def test_the_longest_place_name_wins(db, places):
    assert search_query_parse(query="cleaner bondi junction").place.label == "Bondi Junction, NSW"
    assert search_query_parse(query="cleaner bondi junction").text == "cleaner"


def test_a_query_that_is_only_a_place_lists_what_covers_it(client, places, electrical):
    near = service(title="Near", subcategory=electrical["lighting"], point=north_of(BONDI, 1))
    service(title="Far", subcategory=electrical["lighting"], point=north_of(BONDI, 80))
    search_terms_refresh()

    response = get(client, q="bondi")

    assert titles(response) == [near.title]
    assert response.context["page"].sort == "distance"


def test_an_unknown_place_says_so_and_does_not_filter(client, places, electrical):
    service(title="Anywhere electrician", subcategory=electrical["lighting"])

    response = get(client, q="electrician", where="Xqzwv")

    assert response.status_code == 200
    assert "couldn’t find a place called “Xqzwv”" in response.content.decode()
    assert titles(response) == ["Anywhere electrician"]


def test_where_resolves_and_filters_by_service_area(client, places, electrical):
    near = service(title="Near", subcategory=electrical["lighting"], point=north_of(BONDI, 5))
    service(title="Perth one", subcategory=electrical["lighting"], city=places["perth"],
            point=Point(115.86, -31.95))  # fmt: skip

    response = get(client, where="bondi")

    assert titles(response) == [near.title]


# --- Near me ---------------------------------------------------------------------------------


def test_service_radius_semantics(client, sydney, electrical):
    """30 km away with a 50 km radius covers the point; with a 10 km radius it does not."""
    covers = service(
        title="Travels 50 km", service_radius_km=50, point=north_of(BONDI, 30),
        subcategory=electrical["lighting"],
    )  # fmt: skip
    service(
        title="Travels 10 km", service_radius_km=10, point=north_of(BONDI, 30),
        subcategory=electrical["lighting"],
    )  # fmt: skip

    response = get(client, lat=BONDI.y, lng=BONDI.x)

    assert titles(response) == [covers.title]
    assert response.context["page"].results[0].distance_km == pytest.approx(30, abs=0.05)


def test_near_me_is_nearest_first_with_the_distance_on_the_card(client, sydney, electrical):
    for km in (12, 3, 7):
        service(
            title=f"{km} km away", service_radius_km=20, point=north_of(BONDI, km),
            subcategory=electrical["lighting"],
        )  # fmt: skip

    response = get(client, lat=f"{BONDI.y:.5f}", lng=f"{BONDI.x:.5f}")

    assert titles(response) == ["3 km away", "7 km away", "12 km away"]
    page = response.content.decode()
    assert "3.0 km away" in page
    assert response.context["heading"] == "Services near you"
    assert 'data-lat="' in page and "data-here-lat" in page


def test_within_km_narrows_near_me(client, sydney, electrical):
    service(title="Close", service_radius_km=50, point=north_of(BONDI, 4),
            subcategory=electrical["lighting"])  # fmt: skip
    service(title="Further", service_radius_km=50, point=north_of(BONDI, 20),
            subcategory=electrical["lighting"])  # fmt: skip

    response = get(client, lat=BONDI.y, lng=BONDI.x, radius_km="10")

    assert titles(response) == ["Close"]


def test_providers_beyond_the_largest_radius_are_never_considered(db, settings, sydney):
    settings.PROVIDER_MAX_SERVICE_RADIUS_KM = 100
    service(title="Huge radius", service_radius_km=500, point=north_of(BONDI, 150))

    found = services_covering(services=service_public(), here=BONDI)

    assert list(found) == []


def test_near_me_uses_the_ordered_gist_index_scan(db, sydney, electrical):
    """EXPLAIN: the GiST index on Service.point answers `ORDER BY point <-> here` nearest
    first, inside the box of the largest service radius; no sort of every row in range.

    3,000 services around six cities, as a real catalogue spreads (a test table where every
    row is in range makes a sequential scan the honest best plan).
    """
    centres = [(151.21, -33.87), (144.96, -37.81), (153.02, -27.47), (115.86, -31.95),
               (138.60, -34.93), (149.13, -35.28)]  # fmt: skip
    providers = ProviderProfileFactory.create_batch(10, approved=True, base_city=sydney)
    rows = [
        Service(
            provider=providers[n % 10], subcategory=electrical["lighting"], city=sydney,
            title=f"Service {n}", slug=f"service-{n}", description="x", price=Decimal(90),
            point=Point(centres[n % 6][0] + (n % 97) / 97 - 0.5,
                        centres[n % 6][1] + (n % 89) / 89 - 0.5, srid=4326),
            service_radius_km=5 + n % 50, status=Service.Status.ACTIVE,
        )
        for n in range(3000)
    ]  # fmt: skip
    Service.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE listings_service")
        cursor.execute("ANALYZE accounts_providerprofile")

    queryset = services_covering(services=service_public(), here=BONDI).order_by("distance_m")
    plan = queryset[:21].explain()

    assert re.search(r"Index Scan using listings_service_point_\w+ on listings_service", plan), plan
    assert re.search(r"Order By: \(point <-> ", plan), plan
    assert "Index Cond: (point && " in plan, plan
    assert "Sort" not in plan, plan


# --- Filters ---------------------------------------------------------------------------------


@pytest.fixture
def mixed(sydney, perth, electrical, plumbing):
    """Four services that differ in every filtered field."""
    return {
        "cheap-plumber": service(
            title="Cheap plumber", subcategory=plumbing, price=Decimal(60),
            rating_average=Decimal("3.2"), rating_count=4,
        ),
        "emergency": service(
            title="Emergency sparky", subcategory=electrical["emergency"], price=Decimal(180),
            rating_average=Decimal("4.8"), rating_count=30, instant_book=True,
            provider__licence_verified=True, provider__insurance_verified=True,
        ),
        "lighting": service(
            title="Lighting pro", subcategory=electrical["lighting"], price=Decimal(120),
            rating_average=Decimal("4.2"), rating_count=12,
            provider__licence_verified=True,  # licence only: not "verified"
        ),
        "perth": service(
            title="Perth lighting", subcategory=electrical["lighting"], city=perth,
            point=perth.point, price_type=Service.PriceType.QUOTE, price=None,
            rating_average=Decimal("4.6"), rating_count=8,
        ),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "electrical"}, {"emergency", "lighting", "perth"}),
        ({"subcategory": "lighting"}, {"lighting", "perth"}),
        ({"category": "electrical", "subcategory": "emergency-electricians"}, {"emergency"}),
        ({"city": "perth"}, {"perth"}),
        ({"price_min": "100"}, {"emergency", "lighting"}),
        ({"price_max": "150"}, {"cheap-plumber", "lighting"}),
        ({"price_min": "100", "price_max": "150"}, {"lighting"}),
        ({"min_rating": "4.5"}, {"emergency", "perth"}),
        ({"min_rating": "4"}, {"emergency", "lighting", "perth"}),
        ({"instant_book": "on"}, {"emergency"}),
        ({"verified": "on"}, {"emergency"}),
        (
            {"category": "electrical", "city": "sydney", "min_rating": "4"},
            {"emergency", "lighting"},
        ),
    ],
)
def test_each_filter(client, mixed, params, expected):
    response = get(client, **params)

    assert response.status_code == 200
    assert set(titles(response)) == {mixed[key].title for key in expected}


def test_filters_show_as_chips_that_remove_themselves(client, mixed):
    response = get(client, category="electrical", min_rating="4", price_max="150")
    page = response.content.decode()

    assert response.context["chips"][0].label == "Electrical"
    assert 'href="?min_rating=4&amp;price_max=150"' in page
    assert 'href="?category=electrical&amp;price_max=150"' in page
    assert "Up to $150" in page and "4 stars and up" in page


def test_a_swapped_price_range_is_put_right(client, mixed):
    response = get(client, price_min="150", price_max="100")

    assert set(titles(response)) == {mixed["lighting"].title}
    assert "we swapped them" in response.content.decode()


# --- Sorts -----------------------------------------------------------------------------------


def test_sort_by_rating(client, mixed):
    response = get(client, category="electrical", sort="rating")
    assert titles(response) == ["Emergency sparky", "Perth lighting", "Lighting pro"]


def test_sort_by_price_puts_quotes_last(client, mixed):
    response = get(client, category="electrical", sort="price")
    assert titles(response) == ["Lighting pro", "Emergency sparky", "Perth lighting"]


def test_sort_by_distance_with_words(client, sydney, electrical):
    for km, rating in ((9, "5.0"), (2, "3.0"), (5, "4.0")):
        service(
            title=f"Lighting {km}", point=north_of(BONDI, km), rating_average=Decimal(rating),
            subcategory=electrical["lighting"],
        )  # fmt: skip

    nearest = get(client, q="lighting", lat=BONDI.y, lng=BONDI.x, sort="distance")
    rated = get(client, q="lighting", lat=BONDI.y, lng=BONDI.x, sort="rating")

    assert titles(nearest) == ["Lighting 2", "Lighting 5", "Lighting 9"]
    assert titles(rated) == ["Lighting 9", "Lighting 5", "Lighting 2"]


def test_default_sorts(client, mixed):
    assert get(client, q="lighting").context["page"].sort == "relevance"
    assert get(client, lat=BONDI.y, lng=BONDI.x).context["page"].sort == "distance"
    assert get(client, category="electrical").context["page"].sort == "rating"


def test_distance_sort_without_a_place_explains_itself(client, mixed):
    response = get(client, category="electrical", sort="distance")

    assert response.context["page"].sort == "rating"
    assert "To sort by distance" in response.content.decode()


# --- Public only, bad input, pages ---------------------------------------------------------


@pytest.mark.parametrize(
    "status", [Service.Status.DRAFT, Service.Status.PAUSED, Service.Status.HIDDEN]
)
def test_services_that_are_not_active_never_show(client, sydney, electrical, status):
    service(title="Lighting hidden", status=status, subcategory=electrical["lighting"])

    assert titles(get(client, q="lighting")) == []
    assert titles(get(client, lat=sydney.point.y, lng=sydney.point.x)) == []


@pytest.mark.parametrize(
    "status",
    [
        ProviderProfile.Status.PENDING,
        ProviderProfile.Status.REJECTED,
        ProviderProfile.Status.SUSPENDED,
    ],
)
def test_services_of_providers_not_approved_never_show(client, sydney, electrical, status):
    hidden = service(title="Lighting by a pending pro", subcategory=electrical["lighting"])
    ProviderProfile.objects.filter(pk=hidden.provider_id).update(status=status)

    assert titles(get(client, q="lighting")) == []
    assert titles(get(client, category="electrical")) == []
    assert titles(get(client, lat=sydney.point.y, lng=sydney.point.x)) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"price_min": "cheap"}, "Minimum price: enter an amount in dollars"),
        ({"price_max": "-5"}, "Maximum price: enter an amount in dollars"),
        ({"lat": "123", "lng": "151"}, "Your location could not be read"),
        ({"lat": "-33.9"}, "Your location was incomplete"),
        ({"lng": "abc", "lat": "-33"}, "Your location could not be read"),
        ({"category": "no-such-thing"}, "We don’t have that category"),
        ({"subcategory": "no-such-thing"}, "isn’t in the list"),
        ({"city": "atlantis"}, "We don’t have that city"),
        ({"min_rating": "9"}, "Choose a minimum rating"),
        ({"radius_km": "0"}, "Distance: enter a number of kilometres"),
        ({"sort": "sideways"}, "Choose a sort order"),
        ({"q": "x" * 300}, "Keep your search under 100 characters"),
        ({"page": "many"}, None),
    ],
)
def test_bad_input_gets_a_message_not_an_error(client, mixed, params, message):
    response = get(client, q="lighting", **params) if "q" not in params else get(client, **params)

    assert response.status_code == 200
    if message:
        assert message in response.content.decode()
    if "q" not in params:
        assert titles(response)  # the rest of the search still ran


def test_an_empty_search_asks_what_you_need(client, mixed):
    response = get(client)

    assert response.status_code == 200
    assert response.context["page"] is None
    assert "What can we help with?" in response.content.decode()


def test_no_results_say_what_to_try(client, mixed):
    response = get(client, q="chimney sweep", min_rating="4.5")
    page = response.content.decode()

    assert titles(response) == []
    assert "No services match “chimney sweep”" in page
    assert "Remove a filter above" in page


def test_twenty_a_page_with_next_and_previous_links(client, sydney, electrical):
    for n in range(21):
        service(title=f"Lighting {n:02}", subcategory=electrical["lighting"],
                rating_average=Decimal(5) - Decimal(n) / 10)  # fmt: skip

    first = get(client, subcategory="lighting")
    second = get(client, subcategory="lighting", page="2")

    assert len(titles(first)) == 20 and first.context["has_next"]
    assert 'rel="next" href="?subcategory=lighting&amp;page=2"' in first.content.decode()
    assert titles(second) == ["Lighting 20"]
    assert not second.context["has_next"] and second.context["has_previous"]


@pytest.mark.parametrize("number", ["²", "٣", "0", "-1", "1e309", "99999999999999999999", "x"])
def test_a_page_that_is_no_page_number_is_the_first(client, sydney, electrical, number):
    service(title="Lighting", subcategory=electrical["lighting"])
    response = get(client, subcategory="lighting", page=number)
    assert response.status_code == 200
    assert response.context["page_number"] == 1
    assert titles(response) == ["Lighting"]


def test_the_partial_is_only_the_results(client, mixed):
    response = client.get(SEARCH, {"q": "lighting"}, headers={"X-Search-Partial": "1"})
    page = response.content.decode()

    assert page.lstrip().startswith("{#") is False
    assert 'id="search-results"' in page
    assert "<html" not in page
    assert "data-subcategory-options" in page
    assert "X-Search-Partial" in response["Vary"]


def test_the_page_loads_its_assets_without_inline_code(client, mixed):
    page = get(client, q="lighting").content.decode()

    for asset in ("js/search.js", "js/results-map.js", "vendor/leaflet/leaflet.js",
                  "css/search.css"):  # fmt: skip
        assert asset in page
    assert "<style" not in page and " style=" not in page and " onclick=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", page)


# --- Query counts ----------------------------------------------------------------------------

# Once the form's category and city lists are cached (by any earlier search): text search
# runs the business-name lookup, typo correction, whether the words as typed find little
# (only when there is a correction), place words and the search (its cards with their first
# photos). Near-me with a category: the search, the category (looked up by slug) and the
# type list of that category.
TEXT_SEARCH_QUERIES = 5
NEAR_ME_QUERIES = 3
# The first search after they were forgotten also reads the two lists.
CHOICE_LIST_QUERIES = 2


def _many(count: int, sydney, subcategory) -> None:
    for n in range(count):
        photo_service = service(
            title=f"Lighting {n}", subcategory=subcategory, point=north_of(BONDI, n / 10)
        )
        ServicePhotoFactory(service=photo_service)


@pytest.mark.parametrize("count", [1, 20])
def test_text_search_query_count(client, django_assert_num_queries, sydney, electrical, count):
    _many(count, sydney, electrical["lighting"])
    search_terms_refresh()
    get(client)

    with django_assert_num_queries(TEXT_SEARCH_QUERIES):
        response = get(client, q="lightng")

    assert len(titles(response)) == count


def test_the_category_and_city_lists_are_read_once_and_follow_the_admin(
    client, django_assert_num_queries, django_capture_on_commit_callbacks, sydney, electrical
):
    # Near me with no category: only the search, once the lists are cached.
    with django_assert_num_queries(1 + CHOICE_LIST_QUERIES):
        get(client, lat=BONDI.y, lng=BONDI.x)
    with django_assert_num_queries(1):
        page = get(client, lat=BONDI.y, lng=BONDI.x).text
    assert '<option value="sydney">Sydney, NSW</option>' in page
    assert '<option value="electrical">Electrical</option>' in page

    with django_capture_on_commit_callbacks(execute=True):
        CategoryFactory(name="Pool care", slug="pool-care")
        sydney.name = "Greater Sydney"
        sydney.save()
    page = get(client, city="sydney").text
    assert '<option value="pool-care">Pool care</option>' in page
    assert '<option value="sydney" selected>Greater Sydney, NSW</option>' in page


@pytest.mark.parametrize("count", [1, 20])
def test_near_me_query_count(client, django_assert_num_queries, sydney, electrical, count):
    _many(count, sydney, electrical["lighting"])
    get(client)

    with django_assert_num_queries(NEAR_ME_QUERIES):
        response = get(client, lat=BONDI.y, lng=BONDI.x, category="electrical")

    assert len(titles(response)) == count

"""Category pages sell: under the subcategories and cities, the best-rated listings across
cities, or near the visitor when they say where they are."""

import re
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point

from listings.selectors import BEST_RATED_MIN_REVIEWS, catalogue_node_best_rated
from places.tests.factories import CityFactory, SuburbFactory

from .factories import CategoryFactory, ServiceFactory, ServicePhotoFactory, SubcategoryFactory

pytestmark = pytest.mark.django_db


def best_rated_titles(html: str) -> list[str]:
    section = html.split("data-best-rated", 1)[1].split("</section>", 1)[0]
    return re.findall(r'class="service-card__link" href="[^"]+">([^<]+)</a>', section)


@pytest.fixture
def sydney(db):
    return CityFactory()


@pytest.fixture
def perth(db):
    return CityFactory(
        name="Perth",
        state="WA",
        point=Point(115.8605, -31.9505, srid=4326),
        timezone="Australia/Perth",
        population=2_100_000,
    )


@pytest.fixture
def plumbing(db):
    category = CategoryFactory(name="Plumbing", slug="plumbing")
    return SubcategoryFactory(category=category, name="Blocked drains", slug="blocked-drains")


def rated(subcategory, city, title, average, count):
    return ServiceFactory(
        subcategory=subcategory,
        provider__base_city=city,
        title=title,
        rating_average=Decimal(average),
        rating_count=count,
    )


def test_the_category_page_shows_the_best_rated_across_cities(client, plumbing, sydney, perth):
    rated(plumbing, sydney, "Good Sydney drains", "4.60", 12)
    rated(plumbing, perth, "Best Perth drains", "4.90", 8)
    rated(plumbing, perth, "Tied Perth drains, more reviews", "4.60", 30)
    rated(plumbing, sydney, "One lucky review", "5.00", 1)  # too few reviews to count
    rated(plumbing, sydney, "Unrated", "0", 0)
    ServiceFactory(
        subcategory=plumbing, provider__base_city=sydney, title="Paused drains",
        rating_average=Decimal("5"), rating_count=50, status="paused",
    )  # fmt: skip
    html = client.get("/plumbing/").content.decode()
    # Under the lists of subcategories and cities, not instead of them.
    assert html.index("subcategories-title") < html.index("cities-title") < html.index("best-title")
    assert best_rated_titles(html) == [
        "Best Perth drains",
        "Tied Perth drains, more reviews",
        "Good Sydney drains",
    ]
    # The subcategory page has them too.
    assert best_rated_titles(client.get("/blocked-drains/").content.decode())[0] == (
        "Best Perth drains"
    )


def test_near_the_visitor_only_listings_covering_them(client, plumbing, sydney, perth):
    rated(plumbing, sydney, "Sydney drains", "4.50", 10)
    rated(plumbing, perth, "Perth drains", "4.90", 10)
    bondi = SuburbFactory(city=sydney)
    # The browser's location, as search takes it.
    html = client.get("/plumbing/", {"lat": bondi.point.y, "lng": bondi.point.x}).content.decode()
    assert "Best-rated plumbing near you" in html
    assert best_rated_titles(html) == ["Sydney drains"]
    assert "km away" in html
    # A typed suburb, as search's "Where?" takes it.
    html = client.get("/plumbing/", {"where": "Bondi"}).content.decode()
    assert f"near {bondi.name}" in html
    assert best_rated_titles(html) == ["Sydney drains"]
    assert 'name="robots" content="noindex' in html


@pytest.mark.parametrize(
    "params",
    [{"lat": "999", "lng": "0"}, {"lat": "abc", "lng": "1"}, {"lat": "-33.9"}, {"where": "Zzyzx"}],
)
def test_a_location_that_cannot_be_used_says_so_and_shows_everywhere(
    client, plumbing, sydney, perth, params
):
    rated(plumbing, perth, "Perth drains", "4.90", 10)
    response = client.get("/plumbing/", params)
    assert response.status_code == 200
    assert "We could not use that location" in response.content.decode()
    assert best_rated_titles(response.content.decode()) == ["Perth drains"]


def test_the_form_sent_empty_is_everywhere_without_a_note(client, plumbing, sydney):
    rated(plumbing, sydney, "Sydney drains", "4.50", 10)
    html = client.get("/plumbing/", {"where": "", "lat": "", "lng": ""}).content.decode()
    assert "We could not use that location" not in html
    assert best_rated_titles(html) == ["Sydney drains"]
    assert "data-near-me" in html  # the same "Near me" button as search


def test_nobody_rated_yet_explains_and_links_search(client, plumbing, sydney):
    rated(plumbing, sydney, "New drains", "0", 0)
    html = client.get("/plumbing/").content.decode()
    assert f"Nothing in plumbing has {BEST_RATED_MIN_REVIEWS} or more reviews yet" in html
    assert best_rated_titles(html) == []


def test_the_selector_keeps_to_the_limit(plumbing, sydney):
    for n in range(5):
        rated(plumbing, sydney, f"Drains {n}", "4.50", 5 + n)
    services = catalogue_node_best_rated(node=plumbing.category, limit=3)
    assert [s.title for s in services] == ["Drains 4", "Drains 3", "Drains 2"]


@pytest.mark.parametrize("count", [1, 12])
def test_the_category_page_query_count_is_constant(
    client, django_assert_num_queries, plumbing, count
):
    for n in range(count):
        service = rated(plumbing, CityFactory(name=f"Town {n}"), f"Drains {n}", "4.50", 5)
        ServicePhotoFactory(service=service)
    # category, city counts, best-rated ids, their cards (first photos included), subcategory
    # counts, subcategories
    with django_assert_num_queries(6):
        html = client.get("/plumbing/").content.decode()
    assert len(best_rated_titles(html)) == min(count, 8)
    # Then the ranking and the counts come from the cache: category, cards, subcategories.
    with django_assert_num_queries(3):
        assert best_rated_titles(client.get("/plumbing/").content.decode()) == (
            best_rated_titles(html)
        )


@pytest.mark.parametrize("count", [1, 12])
def test_the_query_count_near_the_visitor_is_constant(
    client, django_assert_num_queries, plumbing, sydney, count
):
    for n in range(count):
        service = rated(plumbing, sydney, f"Drains {n}", "4.50", 5)
        ServicePhotoFactory(service=service)
    bondi = SuburbFactory(city=sydney)
    # category, city counts, best rated nearby (first photos included), subcategory counts,
    # subcategories
    with django_assert_num_queries(5):
        html = client.get("/plumbing/", {"lat": bondi.point.y, "lng": bondi.point.x}).text
    assert len(best_rated_titles(html)) == min(count, 8)


def test_a_listing_paused_after_the_ranking_was_cached_is_gone_at_once(client, plumbing, sydney):
    first = rated(plumbing, sydney, "First drains", "4.90", 10)
    rated(plumbing, sydney, "Second drains", "4.50", 10)
    assert best_rated_titles(client.get("/plumbing/").text) == ["First drains", "Second drains"]
    first.status = "paused"
    first.save()
    assert best_rated_titles(client.get("/plumbing/").text) == ["Second drains"]


def test_near_the_visitor_only_the_nearest_are_ranked(plumbing, sydney, monkeypatch):
    from listings import selectors

    bondi = SuburbFactory(city=sydney)
    near = rated(plumbing, sydney, "Near, good", "4.10", 10)
    near.point = bondi.point
    near.save()
    far = rated(plumbing, sydney, "Farther, best", "5.00", 10)
    far.point = Point(bondi.point.x + 0.1, bondi.point.y, srid=4326)  # about 9 km east
    far.save()
    titles = [s.title for s in catalogue_node_best_rated(node=plumbing, here=bondi.point)]
    assert titles == ["Farther, best", "Near, good"]
    monkeypatch.setattr(selectors, "BEST_RATED_NEAREST", 1)
    titles = [s.title for s in catalogue_node_best_rated(node=plumbing, here=bondi.point)]
    assert titles == ["Near, good"]

"""Typed places: what people type becomes a Place with its city, state and point."""

import pytest
from django.contrib.gis.geos import Point

from places.selectors import (
    city_nearest,
    place_city,
    place_from_point,
    place_resolve,
    places_named,
)
from places.tests.factories import CityFactory, SuburbFactory

pytestmark = pytest.mark.django_db

BONDI = Point(151.2743, -33.8915, srid=4326)


@pytest.fixture
def sydney():
    return CityFactory()


@pytest.fixture
def perth():
    return CityFactory(
        name="Perth", state="WA", timezone="Australia/Perth", point=Point(115.8605, -31.9505)
    )


@pytest.fixture
def places(sydney, perth):
    SuburbFactory(city=sydney, name="Bondi", point=BONDI)
    SuburbFactory(city=sydney, name="Bondi Junction", point=Point(151.2475, -33.8932))
    SuburbFactory(city=sydney, name="Parramatta", point=Point(151.0036, -33.8150))
    SuburbFactory(
        city=perth, name="Fremantle", state="WA", point=Point(115.7475, -32.0569), population=7500
    )
    return {"sydney": sydney, "perth": perth}


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Bondi", "Bondi, NSW"),
        ("BONDI", "Bondi, NSW"),
        ("bondi, nsw", "Bondi, NSW"),
        ("Bondi NSW 2026", "Bondi, NSW"),
        ("Bondi J", "Bondi Junction, NSW"),  # prefix
        ("Paramatta", "Parramatta, NSW"),  # trigram
        ("perth", "Perth, WA"),  # a city
        ("Fremantle WA", "Fremantle, WA"),
    ],
)
def test_a_typed_place_resolves(places, typed, found):
    assert place_resolve(text=typed).label == found


def test_a_typed_place_in_the_wrong_state_is_not_found(places):
    assert place_resolve(text="Fremantle NSW") is None


@pytest.mark.parametrize("typed", ["", "b", "   ", "''", "1234"])
def test_too_little_to_go_on_is_no_place(places, typed):
    assert place_resolve(text=typed) is None


def test_a_suburb_knows_its_city_and_state(places):
    place = place_resolve(text="Fremantle")

    assert (place.name, place.state, place.kind) == ("Fremantle", "WA", "suburb")
    assert place.city_id == places["perth"].pk
    assert place_city(place=place) == places["perth"]
    assert place.point.equals_exact(Point(115.7475, -32.0569), tolerance=1e-6)


def test_a_city_is_its_own_city(places):
    place = place_resolve(text="Perth")

    assert place.kind == "city"
    assert place.city_id == places["perth"].pk


def test_a_point_has_no_city_so_the_nearest_one_is_used(places):
    place = place_from_point(latitude=-32.05, longitude=115.75)

    assert (place.label, place.city_id, place.kind) == ("your location", None, "point")
    assert place_city(place=place) == places["perth"]


def test_places_named_prefers_a_city_to_a_suburb_of_the_same_name(sydney, perth):
    SuburbFactory(city=sydney, name="Perth", state="NSW", point=Point(150.0, -34.0))

    found = places_named(names=["perth", "bondi", "nowhere"])

    assert list(found) == ["perth"]
    assert (found["perth"].kind, found["perth"].state) == ("city", "WA")


def test_the_nearest_city(places):
    assert city_nearest(point=BONDI) == places["sydney"]
    assert city_nearest(point=Point(115.9, -31.9, srid=4326)) == places["perth"]

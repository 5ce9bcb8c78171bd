"""/api/cities/: public, paginated, cacheable, one query whatever the count."""

import pytest
from rest_framework.test import APIClient

from places.tests.factories import CityFactory

pytestmark = pytest.mark.django_db

URL = "/api/cities/"


@pytest.mark.parametrize("count", [1, 6])
def test_anyone_lists_the_cities_largest_first_in_two_queries(count, django_assert_num_queries):
    cities = [CityFactory(name=f"Town {n}", population=1000 * n) for n in range(count)]
    with django_assert_num_queries(2):  # the count, the page
        response = APIClient().get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == count
    assert [row["slug"] for row in body["results"]] == [c.slug for c in reversed(cities)]
    first = body["results"][0]
    assert set(first) == {
        "id", "name", "slug", "state", "country", "timezone", "latitude", "longitude",
    }  # fmt: skip
    assert response["Cache-Control"] == "public, max-age=3600"


def test_the_page_size_is_bounded_and_a_bad_page_is_a_404_not_a_500():
    CityFactory()
    client = APIClient()
    assert client.get(URL, {"page_size": 10**30}).status_code == 200
    response = client.get(URL, {"page": 99999999999999999999})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_cities_are_read_only():
    response = APIClient().post(URL, {"name": "Atlantis"}, format="json")
    assert response.status_code in (401, 405)

"""The home page: search, categories with their services, cities."""

import pytest
from django.urls import reverse

from listings.tests.factories import CategoryFactory, SubcategoryFactory
from places.tests.factories import CityFactory

pytestmark = pytest.mark.django_db


def make_catalogue(size: int) -> None:
    for n in range(size):
        category = CategoryFactory(name=f"Trade {n}", slug=f"trade-{n}")
        SubcategoryFactory.create_batch(3, category=category)
        CityFactory(name=f"Town {n}")


@pytest.mark.parametrize("size", [1, 20])
def test_home_lists_categories_and_cities_in_constant_queries(
    client, django_assert_num_queries, size
):
    make_catalogue(size)
    # categories, their subcategories (one prefetch), cities; then none, until one changes
    with django_assert_num_queries(3):
        response = client.get(reverse("home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Trade {size - 1}" in page
    assert f"Town {size - 1}" in page
    with django_assert_num_queries(0):
        assert client.get(reverse("home")).content.decode() == page


def test_the_home_lists_follow_every_category_type_and_city_written(
    client, django_capture_on_commit_callbacks
):
    make_catalogue(1)

    def page_after(write) -> str:
        client.get(reverse("home"))  # the lists cached before each write
        with django_capture_on_commit_callbacks(execute=True):
            result = write()
        return client.get(reverse("home")).text, result

    page, category = page_after(lambda: CategoryFactory(name="Pool care", slug="pool-care"))
    assert '<a href="/pool-care/">Pool care</a>' in page
    page, sub = page_after(
        lambda: SubcategoryFactory(category=category, name="Pool cleaning", slug="pool-cleaning")
    )
    assert '<a href="/pool-cleaning/">Pool cleaning</a>' in page
    page, _ = page_after(lambda: CityFactory(name="Hobart"))
    assert ">Hobart</a>" in page
    page, _ = page_after(sub.delete)
    assert "Pool cleaning" not in page
    page, _ = page_after(category.delete)
    assert "Pool care" not in page


def test_home_for_a_signed_in_provider_costs_a_few_more_queries(
    client, provider, django_assert_num_queries
):
    make_catalogue(2)
    client.force_login(provider)
    # session, user, the provider check, the unread count and the Messages count for the
    # header: never one per category or city
    with django_assert_num_queries(8):
        assert client.get(reverse("home")).status_code == 200

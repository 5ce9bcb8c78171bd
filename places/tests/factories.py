import factory
from django.contrib.gis.geos import Point
from django.utils.text import slugify

from places.models import City, Suburb


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("slug",)

    name = "Sydney"
    slug = factory.LazyAttribute(lambda city: slugify(city.name))
    state = "NSW"
    point = factory.LazyFunction(lambda: Point(151.20732, -33.86785, srid=4326))
    timezone = "Australia/Sydney"
    population = 5_000_000


class SuburbFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suburb
        django_get_or_create = ("name", "state")

    city = factory.SubFactory(CityFactory)
    name = "Bondi"
    state = "NSW"
    point = factory.LazyFunction(lambda: Point(151.2743, -33.8915, srid=4326))
    population = 11_000

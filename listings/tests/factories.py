import factory
from django.contrib.gis.geos import Point
from django.utils.text import slugify

from listings.models import Category, City, Subcategory


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


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda category: slugify(category.name))


class SubcategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subcategory

    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Subcategory {n}")
    slug = factory.LazyAttribute(lambda subcategory: slugify(subcategory.name))
    attribute_schema = factory.LazyFunction(list)

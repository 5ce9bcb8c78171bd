from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils.text import slugify
from PIL import Image

from listings.images import photo_files
from listings.models import Category, Service, ServicePhoto, Subcategory


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


class ServiceFactory(factory.django.DjangoModelFactory):
    """A public (active, approved provider) listing unless told otherwise."""

    class Meta:
        model = Service
        skip_postgeneration_save = True

    provider = factory.SubFactory("accounts.tests.factories.ProviderProfileFactory", approved=True)
    subcategory = factory.SubFactory(SubcategoryFactory)
    city = factory.SelfAttribute("provider.base_city")
    title = factory.Sequence(lambda n: f"Switchboard upgrade {n}")
    slug = factory.LazyAttribute(lambda service: slugify(service.title))
    description = "Safety switches, new circuits and a tidy switchboard, done in a day."
    price_type = Service.PriceType.FIXED
    price = Decimal("120.00")
    point = factory.SelfAttribute("provider.base_point")
    service_radius_km = 25
    status = Service.Status.ACTIVE

    @factory.post_generation
    def search_vector(service, create, extracted, **kwargs):
        """Fill the stored search vector, as the portal's save does, so search finds it."""
        if create:
            from listings.services import service_search_vectors_refresh

            service_search_vectors_refresh(service_ids=[service.pk])


def _photo_files(colour: str = "#2a7f62") -> tuple[ContentFile, ContentFile]:
    return photo_files(image=Image.new("RGB", (800, 600), colour))


class ServicePhotoFactory(factory.django.DjangoModelFactory):
    """A photo with real JPEG image and thumbnail files (stored in the test media dir)."""

    class Meta:
        model = ServicePhoto

    class Params:
        files = factory.LazyFunction(_photo_files)

    service = factory.SubFactory(ServiceFactory)
    image = factory.LazyAttribute(lambda photo: photo.files[0])
    thumbnail = factory.LazyAttribute(lambda photo: photo.files[1])
    alt_text = factory.LazyAttribute(lambda photo: f"Recent work: {photo.service.title}")
    position = factory.Sequence(lambda n: n)

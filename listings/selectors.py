from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.db.models import Model, Prefetch, Q, QuerySet

from accounts.models import ProviderProfile

from .models import Category, City, Service, ServicePhoto, Subcategory


def catalogue_slug_taken(*, slug: str, exclude: Model | None = None) -> bool:
    """Whether a category or subcategory other than `exclude` already uses `slug`."""
    for model in (Category, Subcategory):
        others = model.objects.filter(slug=slug)
        if isinstance(exclude, model) and exclude.pk:
            others = others.exclude(pk=exclude.pk)
        if others.exists():
            return True
    return False


def category_list_with_subcategories() -> QuerySet[Category]:
    return Category.objects.prefetch_related(
        Prefetch("subcategories", queryset=Subcategory.objects.only("name", "slug", "category_id"))
    )


def city_list() -> QuerySet[City]:
    return City.objects.all()


def city_nearest(*, point: Point) -> City | None:
    """The city closest to `point` (ordered by the GiST index), or None when there are none."""
    return City.objects.annotate(distance=Distance("point", point)).order_by("distance").first()


def subcategory_search(*, query: str, limit: int = 30) -> QuerySet[Subcategory]:
    """Subcategories whose name, or whose category's name, contains every word of `query`."""
    matches = Subcategory.objects.select_related("category")
    words = query.split()[:8]
    if not words:
        return matches.none()
    for word in words:
        matches = matches.filter(Q(name__icontains=word) | Q(category__name__icontains=word))
    return matches.order_by("category__position", "position", "name")[:limit]


def city_points() -> dict[int, list[float]]:
    """City id -> [latitude, longitude], for the map pin picker."""
    return {
        city.pk: [round(city.point.y, 5), round(city.point.x, 5)]
        for city in City.objects.only("point")
    }


def service_public() -> QuerySet[Service]:
    """Services anyone may see: active, from approved (so unsuspended) providers.

    Every public page, count, sitemap and API list starts here.
    """
    return Service.objects.filter(
        status=Service.Status.ACTIVE, provider__status=ProviderProfile.Status.APPROVED
    )


def service_cards(queryset: QuerySet[Service]) -> QuerySet[Service]:
    """What a service card shows, in a fixed number of queries whatever the page size."""
    return queryset.select_related("provider", "subcategory__category", "city").prefetch_related(
        Prefetch("photos", queryset=ServicePhoto.objects.order_by("position", "id"))
    )

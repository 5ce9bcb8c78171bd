from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Count, Exists, F, Model, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse

from accounts.models import ProviderProfile
from places.models import City

from .cards import ServiceCard, service_card_list
from .models import Category, Service, ServicePhoto, Subcategory


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


# Lists of the catalogue's categories and cities that many pages draw and only the admin (or
# the seed) changes: cached, and forgotten when a category, type or city is written
# (listings.receivers). The search form's option lists are kept under the last two keys.
HOME_DIRECTORY_KEY = "catalogue:home-directory"
CATEGORY_CHOICES_KEY = "catalogue:choices:category"
CITY_CHOICES_KEY = "catalogue:choices:city"
CATALOGUE_LISTS_TTL = 3600


def catalogue_lists_forget() -> None:
    cache.delete_many([HOME_DIRECTORY_KEY, CATEGORY_CHOICES_KEY, CITY_CHOICES_KEY])


def home_directory() -> dict[str, list[dict]]:
    """The home page's lists: every category with its description, URL and types (each with
    its URL), and every city; plain values, cached."""
    directory = cache.get(HOME_DIRECTORY_KEY)
    if directory is None:
        directory = {
            "categories": [
                {
                    "name": category.name,
                    "description": category.description,
                    "url": reverse("category", args=[category.slug]),
                    "subcategories": [
                        {"name": sub.name, "url": reverse("category", args=[sub.slug])}
                        for sub in category.subcategories.all()
                    ],
                }
                for category in category_list_with_subcategories()
            ],
            "cities": list(City.objects.values("name", "state")),
        }
        cache.set(HOME_DIRECTORY_KEY, directory, CATALOGUE_LISTS_TTL)
    return directory


def service_public() -> QuerySet[Service]:
    """Services anyone may see: active, from approved (so unsuspended) providers.

    Every public page, count, sitemap and API list starts here. `provider_approved` is the
    provider's status copied onto the row by triggers, so no join to the providers filters.
    """
    return Service.objects.filter(status=Service.Status.ACTIVE, provider_approved=True)


def service_cards(queryset: QuerySet[Service]) -> QuerySet[Service]:
    """What a service card shows, in a fixed number of queries whatever the page size."""
    return queryset.select_related("provider", "subcategory__category", "city").prefetch_related(
        Prefetch("photos", queryset=ServicePhoto.objects.order_by("position", "id"))
    )


# --- Public pages ---

# How long the per-category city and subcategory counts are cached. They are GROUP BY counts
# over every public listing of a category, too slow to run on each hit of a hot page; a new
# listing shows up in them within this many seconds (its category x city page shows it at once).
PUBLIC_COUNTS_TTL = 600

# Listing sort orders for category x city pages; the first is the default. Every order ends
# with the id so pages never repeat or skip a service.
PUBLIC_SORTS: dict[str, tuple] = {
    "rating": ("-rating_average", "-rating_count", "-id"),
    "price": (F("price").asc(nulls_last=True), "id"),
    "-price": (F("price").desc(nulls_last=True), "-id"),
    "newest": ("-created_at", "-id"),
}


def catalogue_node_get(*, slug: str) -> Category | Subcategory | None:
    """The category, else the subcategory, with this slug (their slugs share one space)."""
    category = Category.objects.filter(slug=slug).first()
    if category is not None:
        return category
    return Subcategory.objects.select_related("category").filter(slug=slug).first()


def _node_services(node: Category | Subcategory) -> QuerySet[Service]:
    if isinstance(node, Category):
        return service_public().filter(subcategory__category_id=node.pk)
    return service_public().filter(subcategory_id=node.pk)


def _node_key(node: Category | Subcategory) -> str:
    return f"{type(node).__name__.lower()}:{node.pk}"


def catalogue_node_cities(*, node: Category | Subcategory) -> list[dict]:
    """Cities with public listings in this category or subcategory, busiest first.

    Each item is {"name", "slug", "state", "count"}; cached for PUBLIC_COUNTS_TTL seconds.
    """
    key = f"public:node-cities:{_node_key(node)}"
    cities = cache.get(key)
    if cities is None:
        rows = (
            _node_services(node)
            .values("city__name", "city__slug", "city__state")
            .annotate(count=Count("id"))
            .values_list("city__name", "city__slug", "city__state", "count")
            .order_by("-count", "city__name")
        )
        cities = [
            {"name": name, "slug": slug, "state": state, "count": count}
            for name, slug, state, count in rows
        ]
        cache.set(key, cities, PUBLIC_COUNTS_TTL)
    return cities


def public_counts_forget(*, provider_id: int) -> None:
    """Drop the cached counts of every category and subcategory the provider lists in, so a
    provider who leaves the public pages (a suspension) leaves their counts at once too."""
    nodes = Service.objects.filter(provider_id=provider_id).values_list(
        "subcategory_id", "subcategory__category_id"
    )
    keys = set()
    for subcategory_id, category_id in nodes.distinct():
        keys |= {
            f"public:node-cities:subcategory:{subcategory_id}",
            f"public:node-cities:category:{category_id}",
            f"public:subcategory-counts:{category_id}",
        }
    cache.delete_many(list(keys))


def category_subcategories_with_counts(*, category: Category) -> list[Subcategory]:
    """The category's subcategories, each with `public_count` (counts cached as above)."""
    key = f"public:subcategory-counts:{category.pk}"
    counts = cache.get(key)
    if counts is None:
        counts = dict(
            service_public()
            .filter(subcategory__category_id=category.pk)
            .values("subcategory_id")
            .annotate(count=Count("id"))
            .values_list("subcategory_id", "count")
            .order_by()
        )
        cache.set(key, counts, PUBLIC_COUNTS_TTL)
    subcategories = list(category.subcategories.only("name", "slug", "category_id"))
    for subcategory in subcategories:
        subcategory.public_count = counts.get(subcategory.pk, 0)
    return subcategories


def subcategory_siblings(*, subcategory: Subcategory) -> QuerySet[Subcategory]:
    return (
        Subcategory.objects.filter(category_id=subcategory.category_id)
        .exclude(pk=subcategory.pk)
        .only("name", "slug", "category_id")
    )


def category_city_services(
    *,
    node: Category | Subcategory,
    city: City,
    sort: str = "rating",
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[ServiceCard], bool]:
    """One page of a city's public services in a category or subcategory, and whether there
    is a next page. Fetches one row more than a page instead of counting them all."""
    order = PUBLIC_SORTS.get(sort, PUBLIC_SORTS["rating"])
    start = (max(page, 1) - 1) * per_page
    services = _node_services(node).filter(city_id=city.pk).order_by(*order)
    rows = service_card_list(services[start : start + per_page + 1])
    return rows[:per_page], len(rows) > per_page


def service_for_viewer(
    *, pk: int, user: AbstractBaseUser | AnonymousUser
) -> tuple[Service, bool] | None:
    """The service and whether it is public, when `user` may see it: anyone may see a public
    service; its own provider may also preview it when it is not public. None otherwise."""
    service = (
        Service.objects.filter(pk=pk)
        .annotate(is_public=Exists(service_public().filter(pk=OuterRef("pk"))))
        .select_related("provider__base_city", "subcategory__category", "city")
        .prefetch_related(
            Prefetch("photos", queryset=ServicePhoto.objects.order_by("position", "id"))
        )
        .first()
    )
    if service is None:
        return None
    if service.is_public:
        return service, True
    if user.is_authenticated and service.provider.user_id == user.pk:
        return service, False
    return None


def service_files_visible(*, service_id: int, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether `user` may fetch the photos of this listing: anyone when it is public, else only
    its own provider and moderators (a draft's or a hidden listing's photos stay private)."""
    if user.is_authenticated and user.is_staff:
        return True
    service = (
        Service.objects.filter(pk=service_id)
        .annotate(is_public=Exists(service_public().filter(pk=OuterRef("pk"))))
        .values_list("is_public", "provider__user_id")
        .first()
    )
    if service is None:
        return False
    is_public, owner_id = service
    return is_public or (user.is_authenticated and owner_id == user.pk)


def provider_public_get(*, slug: str) -> ProviderProfile | None:
    """An approved provider's profile (pending, rejected and suspended ones are not public)."""
    return (
        ProviderProfile.objects.filter(slug=slug, status=ProviderProfile.Status.APPROVED)
        .select_related("base_city")
        .first()
    )


def provider_public_services(*, provider: ProviderProfile) -> list[ServiceCard]:
    return service_card_list(
        service_public().filter(provider_id=provider.pk).order_by(*PUBLIC_SORTS["rating"])
    )


def sitemap_category_cities() -> list[tuple[str, str]]:
    """(category or subcategory slug, city slug) for every page that has public listings."""
    pairs = (
        service_public()
        .values_list("subcategory__category__slug", "subcategory__slug", "city__slug")
        .distinct()
        .order_by()
    )
    found: set[tuple[str, str]] = set()
    for category_slug, subcategory_slug, city_slug in pairs:
        found.add((category_slug, city_slug))
        found.add((subcategory_slug, city_slug))
    return sorted(found)


def sitemap_services() -> QuerySet[Service]:
    return service_public().only("id", "slug", "updated_at").order_by("id")


def sitemap_providers() -> QuerySet[ProviderProfile]:
    return (
        ProviderProfile.objects.filter(status=ProviderProfile.Status.APPROVED)
        .filter(Exists(service_public().filter(provider_id=OuterRef("pk"))))
        .only("id", "slug", "updated_at")
        .order_by("id")
    )


# --- Provider portal ---


def portal_service_list(*, provider: ProviderProfile) -> QuerySet[Service]:
    """A provider's own listings, whatever their status, with what the portal list shows.

    A fixed number of queries whatever the count: one for the listings (subcategory, category
    and city joined) and one for all their photos.
    """
    return (
        Service.objects.filter(provider=provider)
        .select_related("subcategory__category", "city")
        .prefetch_related(
            Prefetch(
                "photos",
                queryset=ServicePhoto.objects.order_by("position", "id").only(
                    "id", "service_id", "thumbnail", "alt_text", "position"
                ),
            )
        )
        .order_by("-updated_at", "-id")
    )


def portal_service_get(*, provider: ProviderProfile, pk: int) -> Service | None:
    """One of `provider`'s listings that they can still work on, or None (so another
    provider's listing, or an archived one, is a 404)."""
    return (
        Service.objects.select_related("provider", "subcategory__category", "city")
        .filter(provider=provider, pk=pk)
        .exclude(status=Service.Status.ARCHIVED)
        .first()
    )


def portal_service_photos(*, service: Service) -> list[ServicePhoto]:
    return list(service.photos.order_by("position", "id"))


def portal_subcategory_groups() -> list[tuple[str, list[Subcategory]]]:
    """Every subcategory, grouped under its category's name, in catalogue order (one query)."""
    groups: dict[int, tuple[str, list[Subcategory]]] = {}
    subcategories = Subcategory.objects.select_related("category").order_by(
        "category__position", "category__name", "position", "name"
    )
    for subcategory in subcategories:
        groups.setdefault(subcategory.category_id, (subcategory.category.name, []))[1].append(
            subcategory
        )
    return list(groups.values())


# --- Category pages: the best-rated listings ---

# Imported here, not at the top, so this section stays one block other changes merge around.
from django.contrib.gis.geos import Point  # noqa: E402

# A listing needs this many published reviews to count as "best rated": one five-star review
# is not a track record.
BEST_RATED_MIN_REVIEWS = 3
BEST_RATED_LIMIT = 8
# Near the visitor, the best rated of this many nearest listings that cover them: the near-me
# query then walks the GiST index nearest first and stops (services_covering), instead of
# rating every listing in a 200 km box.
BEST_RATED_NEAREST = 200
_BEST_RATED_ORDER = ("-rating_average", "-rating_count")


def _best_rated_everywhere_ids(node: Category | Subcategory, limit: int) -> list[int]:
    """The ids of the best rated across cities, cached like the page's counts: ranking a
    whole category sorts all of its listings, too slow for every hit of a hot page."""
    key = f"public:node-best-rated:{_node_key(node)}:{limit}"
    ids = cache.get(key)
    if ids is None:
        ids = list(
            _node_services(node)
            .filter(rating_count__gte=BEST_RATED_MIN_REVIEWS)
            .order_by(*_BEST_RATED_ORDER, "-id")
            .values_list("pk", flat=True)[:limit]
        )
        cache.set(key, ids, PUBLIC_COUNTS_TTL)
    return ids


def catalogue_node_best_rated(
    *, node: Category | Subcategory, here: Point | None = None, limit: int = BEST_RATED_LIMIT
) -> list[ServiceCard]:
    """The best-rated public listings of a category or subcategory, across cities, or among
    the BEST_RATED_NEAREST nearest whose service area covers `here` (the visitor's location).

    Rated from the listings' review aggregates, with at least BEST_RATED_MIN_REVIEWS reviews;
    ties go to more reviews, then the nearer (with `here`), then the newer listing. Near
    `here` each listing has `distance_km`. At most 3 queries whatever the limit.
    """
    # search.py imports this module, so its near-me query is imported when needed.
    from .search import services_covering

    rated = _node_services(node).filter(rating_count__gte=BEST_RATED_MIN_REVIEWS)
    if here is None:
        ids = _best_rated_everywhere_ids(node, limit)
        if not ids:
            return []
        # Public again now: a listing paused since it was cached drops out at once.
        rows = {card.pk: card for card in service_card_list(rated.filter(pk__in=ids))}
        return [rows[pk] for pk in ids if pk in rows]
    nearest = services_covering(services=rated, here=here).order_by("distance_m")
    services = services_covering(
        services=rated.filter(pk__in=nearest.values("pk")[:BEST_RATED_NEAREST]), here=here
    )
    return service_card_list(services.order_by(*_BEST_RATED_ORDER, "distance_m", "-id")[:limit])


def _drafts_last_touched() -> QuerySet[Service]:
    """Drafts, each with `touched`: its last edit or its newest photo, whichever is later."""
    newest_photo = (
        ServicePhoto.objects.filter(service=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return Service.objects.filter(status=Service.Status.DRAFT).annotate(
        touched=Greatest("updated_at", Coalesce(Subquery(newest_photo), "updated_at"))
    )


def service_drafts_to_warn(*, untouched_since: datetime) -> QuerySet[Service]:
    """Drafts nobody has touched since `untouched_since` whose provider has not been told
    since they last touched it: each is owed a notice that it will be removed."""
    return (
        _drafts_last_touched()
        .filter(touched__lt=untouched_since)
        .filter(Q(draft_notice_sent_at__isnull=True) | Q(draft_notice_sent_at__lt=F("touched")))
        .order_by("pk")
    )


def service_drafts_to_expire(*, noticed_before: datetime) -> QuerySet[Service]:
    """Drafts whose provider was told before `noticed_before` and that nobody has touched
    since the notice: they are removed."""
    return (
        _drafts_last_touched()
        .filter(draft_notice_sent_at__lt=noticed_before, touched__lte=F("draft_notice_sent_at"))
        .order_by("pk")
    )

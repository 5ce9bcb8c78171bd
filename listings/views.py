"""Public catalogue pages: categories, category x city, listings, provider profiles, SEO."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from django.views.static import serve

from accounts.models import ProviderProfile
from marketplace.page_cache import anonymous_page_cache
from marketplace.params import MAX_ID, parse_int
from marketplace.replicas import reads_from_replica
from places.selectors import Place, city_get, place_from_point, place_resolve

from .filters import ServiceSearchFilter
from .models import Category, Service, Subcategory
from .policies import POLICY_SUMMARIES
from .selectors import (
    BEST_RATED_MIN_REVIEWS,
    PUBLIC_SORTS,
    catalogue_node_best_rated,
    catalogue_node_cities,
    catalogue_node_get,
    category_city_services,
    category_subcategories_with_counts,
    home_directory,
    provider_public_get,
    provider_public_services,
    service_files_visible,
    service_for_viewer,
    subcategory_siblings,
)
from .seo import absolute, json_ld, provider_structured_data, service_structured_data

PER_PAGE = 20
# Deeper pages cost an ever larger OFFSET and nobody reads them; search narrows better.
MAX_PAGE = 250

SORT_LABELS = {
    "rating": "Best rated",
    "price": "Price: low to high",
    "-price": "Price: high to low",
    "newest": "Newest",
}


def _page_value(value: str) -> bool:
    """A page number as the pages' own links write it (no sign, no leading zero)."""
    if not (value.isascii() and value.isdigit()) or value != str(int(value)):
        return False
    return 1 <= int(value) <= MAX_PAGE


# Anonymous visitors get these pages from the cache (marketplace/page_cache.py). The category
# page's location parameters (`lat`, `lng`, `where`) are any point or text, so such a page is
# rendered each time; a list is cached by its page number and sort, which take few values.
_LIST_QUERY = {"page": _page_value, "sort": PUBLIC_SORTS.__contains__}


@require_safe
@reads_from_replica
@anonymous_page_cache()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "marketplace/home.html", home_directory())


def _page_number(request: HttpRequest) -> int:
    page = parse_int(request.GET.get("page", "1"), minimum=1, maximum=MAX_PAGE)
    if page is None:
        raise Http404("No such page.")
    return page


def _visitor_place(request: HttpRequest) -> tuple[Place | None, str]:
    """Where the visitor said they are, read as search reads it: `lat` and `lng` (the
    browser's location, checked by search's own filter) or `where` (a suburb or city).
    Returns the place, or None and a note when what was sent cannot be used."""
    fields = {name: request.GET[name] for name in ("lat", "lng", "where") if request.GET.get(name)}
    if not fields:
        return None, ""
    form = ServiceSearchFilter(fields, queryset=Service.objects.none()).form
    data = form.cleaned_data if form.is_valid() else {}
    latitude, longitude, where = data.get("lat"), data.get("lng"), data.get("where")
    if latitude is not None and longitude is not None:
        return place_from_point(latitude=float(latitude), longitude=float(longitude)), ""
    place = place_resolve(text=where) if where else None
    if place is None:
        return None, "We could not use that location, so these are the best rated everywhere."
    return place, ""


@require_safe
@reads_from_replica
@anonymous_page_cache()
def category(request: HttpRequest, slug: str) -> HttpResponse:
    """A category or subcategory: its subcategories, the cities that have listings, and its
    best-rated listings (near the visitor when they say where they are)."""
    node = catalogue_node_get(slug=slug)
    if node is None:
        raise Http404("No such category.")
    place, place_note = _visitor_place(request)
    context = {
        "node": node,
        "is_category": isinstance(node, Category),
        "cities": catalogue_node_cities(node=node),
        "best_rated": catalogue_node_best_rated(node=node, here=place.point if place else None),
        "place": place,
        "place_note": place_note,
        "best_rated_min_reviews": BEST_RATED_MIN_REVIEWS,
        "canonical_url": absolute(request.path),
        "noindex": place is not None or bool(place_note),
    }
    if isinstance(node, Category):
        context["subcategories"] = category_subcategories_with_counts(category=node)
    else:
        context["siblings"] = list(subcategory_siblings(subcategory=node))
    return render(request, "listings/category.html", context)


@require_safe
@reads_from_replica
@anonymous_page_cache(query=_LIST_QUERY)
def category_city(request: HttpRequest, slug: str, city_slug: str) -> HttpResponse:
    """A city's public services in a category or subcategory, 20 a page, no total count."""
    node = catalogue_node_get(slug=slug)
    if node is None:
        raise Http404("No such category.")
    city = city_get(slug=city_slug)
    if city is None:
        raise Http404("No such city.")
    page = _page_number(request)
    sort = request.GET.get("sort", "rating")
    if sort not in PUBLIC_SORTS:
        sort = "rating"
    services, has_next = category_city_services(
        node=node, city=city, sort=sort, page=page, per_page=PER_PAGE
    )
    if page > 1 and not services:
        raise Http404("No such page.")
    canonical = request.path + (f"?page={page}" if page > 1 else "")
    context = {
        "node": node,
        "is_category": isinstance(node, Category),
        "city": city,
        "services": services,
        "sort": sort,
        "sort_choices": SORT_LABELS.items(),
        "page_number": page,
        "has_previous": page > 1,
        "has_next": has_next,
        "canonical_url": absolute(canonical),
        "noindex": sort != "rating",
    }
    if isinstance(node, Category):
        context["subcategories"] = list(node.subcategories.only("name", "slug", "category_id"))
    if not services:
        # The empty state points to the cities that do have these services.
        others = [c for c in catalogue_node_cities(node=node) if c["slug"] != city.slug]
        context["other_cities"] = others[:12]
    return render(request, "listings/category_city.html", context)


def _preview_notice(service: Service) -> str:
    reasons = []
    if service.status != Service.Status.ACTIVE:
        reasons.append(f"status: {service.get_status_display()}")
    provider_status = service.provider.status
    if provider_status == ProviderProfile.Status.PENDING:
        reasons.append("your profile is waiting for approval")
    elif provider_status == ProviderProfile.Status.REJECTED:
        reasons.append("your profile was not approved")
    elif provider_status == ProviderProfile.Status.SUSPENDED:
        reasons.append("your profile is suspended")
    return "Preview: only you can see this listing (" + "; ".join(reasons) + ")."


def _attribute_rows(subcategory: Subcategory, attributes: dict) -> list[tuple[str, str]]:
    """(label, value) for each filled-in extra attribute, in the schema's order."""
    rows = []
    for field in subcategory.attribute_schema or []:
        value = (attributes or {}).get(field.get("name"))
        if value is None or value == "" or value == []:
            continue
        if field.get("type") == "boolean":
            value = "Yes" if value else "No"
        elif isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        rows.append((field.get("label") or field.get("name"), str(value)))
    return rows


def duration_label(minutes: int) -> str:
    """90 -> "About 1 hr 30 min"."""
    hours, mins = divmod(minutes, 60)
    parts = ([f"{hours} hr"] if hours else []) + ([f"{mins} min"] if mins else [])
    return "About " + " ".join(parts or ["0 min"])


@require_safe
@reads_from_replica
@anonymous_page_cache()
def service_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    found = service_for_viewer(pk=pk, user=request.user) if pk <= MAX_ID else None
    if found is None:
        raise Http404("No such service.")
    service, is_public = found
    if slug != service.slug:
        return redirect(service.get_absolute_url(), permanent=True)
    photos = list(service.photos.all())
    canonical = absolute(service.get_absolute_url())
    context = {
        "service": service,
        "provider": service.provider,
        "photos": photos,
        "attribute_rows": _attribute_rows(service.subcategory, service.attributes),
        "duration_label": duration_label(service.duration_minutes),
        "cancellation_summary": POLICY_SUMMARIES[service.cancellation_policy],
        "preview_notice": None if is_public else _preview_notice(service),
        "canonical_url": canonical,
        "noindex": not is_public,
        "map_point": (round(service.point.y, 2), round(service.point.x, 2)),
    }
    if is_public:
        context["json_ld"] = json_ld(service_structured_data(service=service, photos=photos))
    return render(request, "listings/service_detail.html", context)


@require_safe
@reads_from_replica
@anonymous_page_cache()
def provider_public(request: HttpRequest, slug: str) -> HttpResponse:
    provider = provider_public_get(slug=slug)
    if provider is None:
        raise Http404("No such provider.")
    services = list(provider_public_services(provider=provider))
    canonical = absolute(request.path)
    context = {
        "provider": provider,
        "services": services,
        "canonical_url": canonical,
        "json_ld": json_ld(provider_structured_data(provider=provider)),
    }
    return render(request, "listings/provider_public.html", context)


@require_safe
def service_photo_file(request: HttpRequest, service_id: int, name: str) -> HttpResponse:
    """A listing's photo or thumbnail from local disk, for those who may see the listing."""
    if service_id > MAX_ID or not service_files_visible(service_id=service_id, user=request.user):
        raise Http404("No such file.")
    response = serve(request, f"services/{service_id}/{name}", document_root=settings.MEDIA_ROOT)
    if not request.user.is_anonymous:
        # A private listing's photo must not be kept by a shared cache.
        patch_cache_control(response, private=True)
    return response


ROBOTS_DISALLOW = (
    "/portal/",
    "/accounts/",
    "/admin/",
    "/api/",
    "/bookings/",
    "/messages/",
    "/notifications/",
    "/search/",
)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOW]
    lines += ["", f"Sitemap: {absolute(reverse('sitemap_index'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")

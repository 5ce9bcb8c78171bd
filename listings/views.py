"""Public catalogue pages: categories, category x city, listings, provider profiles, SEO."""

import json
from urllib.parse import urljoin

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from accounts.models import ProviderProfile

from .models import Category, City, Service, Subcategory
from .selectors import (
    PUBLIC_SORTS,
    catalogue_node_cities,
    catalogue_node_get,
    category_city_services,
    category_subcategories_with_counts,
    city_get,
    provider_public_get,
    provider_public_services,
    service_for_viewer,
    subcategory_siblings,
)

PER_PAGE = 20
# Deeper pages cost an ever larger OFFSET and nobody reads them; search narrows better.
MAX_PAGE = 250
MAX_ID = 2**63 - 1  # a larger id in the URL would overflow the database's bigint

SORT_LABELS = {
    "rating": "Best rated",
    "price": "Price: low to high",
    "-price": "Price: high to low",
    "newest": "Newest",
}

# The same escapes as Django's json_script: JSON inside <script> cannot close the element.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data: dict) -> SafeString:
    """schema.org data as a safe <script type="application/ld+json"> element."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    # Safe: escaped like json_script, so the payload cannot close the element.
    return mark_safe(
        f'<script type="application/ld+json">{payload.translate(_JSON_SCRIPT_ESCAPES)}</script>'
    )


def absolute(path_or_url: str) -> str:
    """An absolute URL on the site's canonical origin (SITE_URL)."""
    return urljoin(settings.SITE_URL.rstrip("/") + "/", path_or_url)


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise Http404("No such page.")
    return int(raw)


def _address(city: City) -> dict:
    return {
        "@type": "PostalAddress",
        "addressLocality": city.name,
        "addressRegion": city.state,
        "addressCountry": city.country,
    }


def _area(point, radius_km: int) -> dict:
    return {
        "@type": "GeoCircle",
        "geoMidpoint": {
            "@type": "GeoCoordinates",
            "latitude": round(point.y, 2),
            "longitude": round(point.x, 2),
        },
        "geoRadius": radius_km * 1000,
    }


def _rating(average, count: int) -> dict | None:
    if not count:
        return None
    return {
        "@type": "AggregateRating",
        "ratingValue": average,
        "reviewCount": count,
        "bestRating": 5,
        "worstRating": 1,
    }


def _local_business(provider: ProviderProfile) -> dict:
    data = {
        "@type": "LocalBusiness",
        "name": provider.business_name,
        "url": absolute(reverse("provider_public", kwargs={"slug": provider.slug})),
        "address": _address(provider.base_city),
        "areaServed": _area(provider.base_point, provider.service_radius_km),
    }
    if rating := _rating(provider.rating_average, provider.rating_count):
        data["aggregateRating"] = rating
    return data


def _offer(service: Service) -> dict:
    offer = {"@type": "Offer", "priceCurrency": "AUD", "url": absolute(service.get_absolute_url())}
    if service.price_type == Service.PriceType.FIXED:
        offer["price"] = service.price
    elif service.price_type == Service.PriceType.HOURLY:
        offer["priceSpecification"] = {
            "@type": "UnitPriceSpecification",
            "price": service.price,
            "priceCurrency": "AUD",
            "unitCode": "HUR",
            "unitText": "hour",
        }
    return offer


@require_safe
def category(request: HttpRequest, slug: str) -> HttpResponse:
    """A category or subcategory: its subcategories and the cities that have listings."""
    node = catalogue_node_get(slug=slug)
    if node is None:
        raise Http404("No such category.")
    context = {
        "node": node,
        "is_category": isinstance(node, Category),
        "cities": catalogue_node_cities(node=node),
        "canonical_url": absolute(request.path),
    }
    if isinstance(node, Category):
        context["subcategories"] = category_subcategories_with_counts(category=node)
    else:
        context["siblings"] = list(subcategory_siblings(subcategory=node))
    return render(request, "listings/category.html", context)


@require_safe
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
        "preview_notice": None if is_public else _preview_notice(service),
        "canonical_url": canonical,
        "noindex": not is_public,
        "map_point": (round(service.point.y, 2), round(service.point.x, 2)),
    }
    if is_public:
        data = {
            "@context": "https://schema.org",
            "@type": "Service",
            "name": service.title,
            "description": service.description[:500],
            "url": canonical,
            "serviceType": service.subcategory.name,
            "category": service.subcategory.category.name,
            "areaServed": _area(service.point, service.service_radius_km),
            "provider": _local_business(service.provider),
            "offers": _offer(service),
        }
        if photos:
            data["image"] = [absolute(photo.image.url) for photo in photos[:5]]
        if rating := _rating(service.rating_average, service.rating_count):
            data["aggregateRating"] = rating
        context["json_ld"] = json_ld(data)
    return render(request, "listings/service_detail.html", context)


@require_safe
def provider_public(request: HttpRequest, slug: str) -> HttpResponse:
    provider = provider_public_get(slug=slug)
    if provider is None:
        raise Http404("No such provider.")
    services = list(provider_public_services(provider=provider))
    canonical = absolute(request.path)
    data = {"@context": "https://schema.org", **_local_business(provider)}
    if provider.bio:
        data["description"] = provider.bio[:500]
    context = {
        "provider": provider,
        "services": services,
        "canonical_url": canonical,
        "json_ld": json_ld(data),
    }
    return render(request, "listings/provider_public.html", context)


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

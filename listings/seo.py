"""Search-engine data: absolute canonical URLs and schema.org JSON-LD for public pages."""

import json
from urllib.parse import urljoin

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from accounts.models import ProviderProfile
from places.models import City

from .models import Service, ServicePhoto

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


def service_structured_data(*, service: Service, photos: list[ServicePhoto]) -> dict:
    """schema.org Service for a public listing, with its provider and offer."""
    canonical = absolute(service.get_absolute_url())
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
    return data


def provider_structured_data(*, provider: ProviderProfile) -> dict:
    """schema.org LocalBusiness for a provider's public profile."""
    data = {"@context": "https://schema.org", **_local_business(provider)}
    if provider.bio:
        data["description"] = provider.bio[:500]
    return data

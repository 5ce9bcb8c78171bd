from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from listings.selectors import category_list_with_subcategories
from places.selectors import city_list

from . import health


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "categories": category_list_with_subcategories(),
        "cities": city_list().only("name", "slug", "state"),
    }
    return render(request, "marketplace/home.html", context)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": health.database_ok(), "redis": health.redis_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"} | {
        name: "ok" if ok else "unavailable" for name, ok in checks.items()
    }
    return JsonResponse(body, status=200 if healthy else 503)

"""The search page: words, place or "near me", filters, sorts; the results partial for fetch."""

from dataclasses import dataclass, replace

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from marketplace.params import parse_int
from marketplace.replicas import reads_from_replica

from .filters import RATING_CHOICES, search_filters_bind
from .search import (
    SORTS,
    ParsedQuery,
    SearchPage,
    providers_named,
    search_place_find,
    search_query_parse,
    service_search,
)
from .selectors import service_public

# Sent by static/js/search.js: answer with the results partial only.
PARTIAL_HEADER = "X-Search-Partial"
# "Search instead for ...": the words as typed, never corrected.
AS_TYPED = "as_typed"
# Chips of the words and the place, which live outside the collapsible filters.
_NOT_FILTERS = frozenset({"q", "where", "lat"})


@dataclass(frozen=True)
class Chip:
    label: str
    remove_url: str
    param: str


def _without(params: QueryDict, *names: str) -> str:
    kept = params.copy()
    for name in (*names, "page"):
        kept.pop(name, None)
    query = kept.urlencode()
    return f"?{query}" if query else "?"


def _as_typed_url(params: QueryDict) -> str:
    kept = params.copy()
    kept.pop("page", None)
    kept[AS_TYPED] = "1"
    return f"?{kept.urlencode()}"


def _money(value) -> str:
    return f"${value:,.0f}" if value == int(value) else f"${value:,.2f}"


def _chips(params: QueryDict, data: dict, place, where: str) -> list[Chip]:
    chips: list[Chip] = []

    def add(label: str, *names: str) -> None:
        chips.append(Chip(label=label, remove_url=_without(params, *names), param=names[0]))

    if data.get("q"):
        add(f"“{data['q']}”", "q", AS_TYPED)
    if place is not None and place.kind == "point":
        add("Near you", "lat", "lng")
    elif where:
        add(f"Near {place.label if place else where}", "where")
    if data.get("radius_km"):
        add(f"Within {data['radius_km']:g} km", "radius_km")
    if data.get("category"):
        add(data["category"].name, "category", "subcategory")
    if data.get("subcategory"):
        add(data["subcategory"].name, "subcategory")
    if data.get("city"):
        add(f"In {data['city'].name}", "city")
    if data.get("min_rating"):
        add(dict(RATING_CHOICES)[data["min_rating"]].capitalize(), "min_rating")
    if data.get("price_min") is not None:
        add(f"From {_money(data['price_min'])}", "price_min")
    if data.get("price_max") is not None:
        add(f"Up to {_money(data['price_max'])}", "price_max")
    if data.get("instant_book"):
        add("Instant book", "instant_book")
    if data.get("verified"):
        add("Verified only", "verified")
    return chips


def _heading(parsed: ParsedQuery, words: str, data: dict, place) -> str:
    subject = "Services"
    if parsed.text:
        subject = f"“{parsed.corrected or words}”"
    elif data.get("subcategory"):
        subject = data["subcategory"].name
    elif data.get("category"):
        subject = data["category"].name
    if place is not None:
        return f"{subject} near {'you' if place.kind == 'point' else place.label}"
    if data.get("city"):
        return f"{subject} in {data['city'].name}"
    return subject


@require_GET
@reads_from_replica
def search(request: HttpRequest) -> HttpResponse:
    filterset, notes = search_filters_bind(request.GET, queryset=service_public())
    data = filterset.form.cleaned_data
    query = data.get("q") or ""
    where = data.get("where") or ""

    place, place_notes = search_place_find(
        latitude=data.get("lat"), longitude=data.get("lng"), where=where
    )
    notes += place_notes

    as_typed = request.GET.get(AS_TYPED) == "1"
    parsed = ParsedQuery(text="")
    if query:
        parsed = search_query_parse(
            query=query, find_place=place is None and not where, correct=not as_typed
        )
        place = place or parsed.place
    providers = providers_named(text=parsed.text) if parsed.text else []

    searching = bool(
        parsed.text
        or place
        or any(
            data.get(name)
            for name in ("category", "subcategory", "city", "min_rating", "instant_book")
        )
        or data.get("verified")
        or data.get("price_min") is not None
        or data.get("price_max") is not None
    )
    page: SearchPage | None = None
    if searching:
        page = service_search(
            services=filterset.qs,
            text=parsed.text,
            corrected=parsed.corrected,
            here=place.point if place else None,
            within_km=data.get("radius_km"),
            sort=data.get("sort") or "",
            # A page that is no number is the first; service_search stops at its last page.
            page=parse_int(request.GET.get("page"), minimum=1) or 1,
            provider_ids=[provider.pk for provider in providers],
        )
        notes += page.notes
        # The correction stands only when the words as typed found little.
        parsed = replace(parsed, corrected=page.corrected)

    # The words as typed (their case too) when nothing was taken out of them or corrected.
    words = query if parsed.text == " ".join(query.lower().split()) else parsed.text
    heading = _heading(parsed, words, data, place)

    partial = request.headers.get(PARTIAL_HEADER) == "1"
    chips = _chips(request.GET, data, place, where)
    context = {
        "filter": filterset,
        "form": filterset.form,
        "data": data,
        "query": query,
        "parsed": parsed,
        "place": place,
        "page": page,
        "searching": searching,
        "heading": heading,
        "notes": notes,
        "chips": chips,
        "filter_count": sum(chip.param not in _NOT_FILTERS for chip in chips),
        "providers": providers,
        "words": words,
        "as_typed": as_typed,
        "as_typed_url": _as_typed_url(request.GET) if parsed.corrected else "",
        "sorts": [
            (value, label)
            for value, label in SORTS.items()
            if (value != "relevance" or parsed.text) and (value != "distance" or place)
        ],
        "sort": page.sort if page else (data.get("sort") or ""),
        "show_subcategories": bool(data.get("category") or data.get("subcategory")),
        "max_radius_km": settings.PROVIDER_MAX_SERVICE_RADIUS_KM,
        "partial": partial,
        "page_number": page.page if page else 1,
        "has_previous": bool(page and page.has_previous),
        "has_next": bool(page and page.has_next),
    }
    template = "listings/_search_results.html" if partial else "listings/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, [PARTIAL_HEADER])
    return response

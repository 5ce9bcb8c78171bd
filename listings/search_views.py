from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import city_list, subcategory_search


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    where = request.GET.get("where", "").strip()[:100]
    context = {
        "query": query,
        "where": where,
        "subcategories": list(subcategory_search(query=query)) if query else [],
        "cities": list(city_list().filter(name__icontains=where)[:10]) if where else [],
    }
    return render(request, "listings/search.html", context)

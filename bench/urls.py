"""The site's URLs plus the two baselines every page is compared with: a hello-world view
(Django's bare request cycle) and a bare list view (the least a catalogue page must do)."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from listings.models import Service
from marketplace.urls import urlpatterns as site_urlpatterns

HELLO_PATH = "bench-hello/"
LIST_PATH = "bench-list/"

# Compiled once, as the cached template loader keeps the site's templates.
_LIST_TEMPLATE = engines["django"].from_string(
    """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Services</title></head>
<body><main><h1>Services</h1><ul>
{% for service in services %}<li>
<a href="/services/{{ service.pk }}-{{ service.slug }}/">{{ service.title }}</a>
{{ service.provider.business_name }}, {{ service.city.name }}, {{ service.subcategory.name }},
${{ service.price }}</li>
{% endfor %}</ul></main></body></html>"""
)


def hello(request: HttpRequest) -> HttpResponse:
    """The cheapest Django page: the whole middleware stack, no template, no SQL."""
    return HttpResponse("Hello, world", content_type="text/plain")


def bare_list(request: HttpRequest) -> HttpResponse:
    """20 active services with their provider, city and subcategory (one query), rendered in
    a minimal template: what any page that lists services cannot avoid."""
    # The newest by id: the primary key's index, no sort (Meta's -created_at would sort them all).
    services = (
        Service.objects.filter(status=Service.Status.ACTIVE)
        .select_related("provider", "city", "subcategory")
        .order_by("-id")[:20]
    )
    return HttpResponse(_LIST_TEMPLATE.render({"services": services}, request))


# First, so the catch-all `<slug>/` of the catalogue does not claim them.
urlpatterns = [
    path(HELLO_PATH, hello, name="bench_hello"),
    path(LIST_PATH, bare_list, name="bench_list"),
    *site_urlpatterns,
]

"""The site's URLs plus a hello-world view, the baseline every page is compared with."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from marketplace.urls import urlpatterns as site_urlpatterns

HELLO_PATH = "bench-hello/"


def hello(request: HttpRequest) -> HttpResponse:
    """The cheapest Django page: the whole middleware stack, no template, no SQL."""
    return HttpResponse("Hello, world", content_type="text/plain")


# First, so the catch-all `<slug>/` of the catalogue does not claim it.
urlpatterns = [path(HELLO_PATH, hello, name="bench_hello"), *site_urlpatterns]

"""Invoices on local disk are never served as plain media files: only invoice_download, which
checks who is asking. Included under MEDIA_URL before the catch-all file server."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def media_refused(request: HttpRequest, name: str) -> HttpResponse:
    raise Http404("No such file.")


urlpatterns = [
    path("invoices/<path:name>", media_refused),
]

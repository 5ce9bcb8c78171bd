"""Downloading an invoice: only by its parties (anyone else gets 404, as if it did not exist)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from marketplace.params import MAX_ID

from .selectors import invoice_for_party


@require_GET
@login_required
def invoice_download(request: HttpRequest, pk: int) -> FileResponse:
    invoice = invoice_for_party(user=request.user, invoice_id=pk) if pk <= MAX_ID else None
    if invoice is None:
        raise Http404("No such invoice.")
    try:
        handle = invoice.file.storage.open(invoice.file.name, "rb")
    except OSError as error:
        raise Http404("No such invoice.") from error
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=True, filename=f"{invoice.number}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response

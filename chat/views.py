"""The chat pages: thin, over chat.selectors and chat.services."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from . import selectors


@require_GET
def _photo(request: HttpRequest, key: UUID, *, thumbnail: bool) -> FileResponse:
    photo = selectors.photo_for_participant(user=request.user, key=key)
    if photo is None:
        raise Http404("No such photo.")
    name = (photo.thumbnail if thumbnail else photo.image).name
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404("No such photo.") from error
    response = FileResponse(handle, content_type="image/jpeg")
    # Only the two participants may see it: no shared cache may keep a copy.
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
def photo(request: HttpRequest, key: UUID) -> FileResponse:
    return _photo(request, key, thumbnail=False)


@login_required
def photo_thumb(request: HttpRequest, key: UUID) -> FileResponse:
    return _photo(request, key, thumbnail=True)

"""The request caps around uploads (issue 8): how many files, how much in memory, how large a
body; a refused request gets a page that says why, not a bare 400 or a 500."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import (
    InMemoryUploadedFile,
    SimpleUploadedFile,
    TemporaryUploadedFile,
)
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.urls import reverse

from listings import portal_views, services
from listings.tests.factories import ServiceFactory
from marketplace.tests.hostile_images import grey_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(provider):
    return ServiceFactory(provider=provider.provider_profile)


@pytest.fixture
def photos_url(service):
    return reverse("portal_service_photos", args=[service.pk])


@pytest.fixture
def no_service_call(monkeypatch):
    def called(**kwargs):
        raise AssertionError("the photo service was called")

    monkeypatch.setattr(portal_views.services, "service_photos_add", called)


def small_png(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, grey_png(300, 300))


def test_the_caps_fit_what_the_photo_page_needs():
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == services.MAX_PHOTOS_PER_SERVICE + 2
    largest_request = services.MAX_PHOTOS_PER_SERVICE * settings.PHOTO_MAX_UPLOAD_BYTES
    assert largest_request < settings.MAX_REQUEST_BODY_BYTES <= largest_request + 2 * 1024**2
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    # After the session and the user (its 413 page shows the signed-in header), and in the
    # request chain, so before any view or CSRF check reads the body.
    position = settings.MIDDLEWARE.index
    body_limit = position("marketplace.middleware.RequestBodyLimitMiddleware")
    assert body_limit > position("django.contrib.auth.middleware.AuthenticationMiddleware")


@pytest.mark.parametrize("csrf_checks", [False, True], ids=["in the view", "in CSRF middleware"])
def test_too_many_files_get_a_page_that_says_so(
    provider, service, photos_url, no_service_call, csrf_checks
):
    client = Client(enforce_csrf_checks=csrf_checks)
    client.force_login(provider)
    client.get(photos_url)  # the CSRF cookie; its check reads the body first
    files = [small_png(f"{n}.png") for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)]
    data = {"photos": files, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}

    response = client.post(photos_url, data, HTTP_REFERER=f"http://testserver{photos_url}")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Too many files at once" in page
    assert "One upload can carry at most 12 files. Choose fewer and try again." in page
    assert f'href="http://testserver{photos_url}">Go back' in page
    assert not service.photos.exists()


def test_the_most_files_the_page_takes_still_reach_it(provider, service, photos_url):
    client = Client()
    client.force_login(provider)
    files = [small_png(f"{n}.png") for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES)]
    response = client.post(photos_url, {"photos": files})
    assert response.status_code == 400
    assert "A listing can have up to 10 photos. It has 0, so you can add 10 more." in (
        response.content.decode()
    )


def test_a_body_over_the_limit_is_refused_with_413_before_anything_reads_it(
    provider, service, photos_url, settings, monkeypatch
):
    settings.MAX_REQUEST_BODY_BYTES = 1024 * 1024

    def parse(self):
        raise AssertionError("the body was read")

    monkeypatch.setattr(MultiPartParser, "parse", parse)
    client = Client(enforce_csrf_checks=True)
    client.force_login(provider)
    big = SimpleUploadedFile("big.png", b"x" * (1024 * 1024 + 1))

    response = client.post(photos_url, {"photos": [big]})

    assert response.status_code == 413
    page = response.content.decode()
    assert "That upload is too large" in page
    assert "One request can carry at most 1 MB. Choose fewer or smaller files and try again." in (
        page
    )
    assert response["Content-Security-Policy"]  # the headers of every other page
    assert not service.photos.exists()


def test_a_declared_length_is_enough_to_refuse_a_request(provider, photos_url, settings):
    """A request claiming a huge body is refused on its header alone: nothing is read (the
    test client's body is far shorter than declared, and reading past it would fail)."""
    client = Client()
    client.force_login(provider)
    response = client.generic(
        "POST", photos_url, b"", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.MAX_REQUEST_BODY_BYTES + 1),
    )  # fmt: skip
    assert response.status_code == 413


def test_a_body_within_the_limit_goes_through(provider, service, photos_url, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024 * 1024
    client = Client()
    client.force_login(provider)
    response = client.post(photos_url, {"photos": [small_png("ok.png")]})
    assert response.status_code == 302
    assert service.photos.count() == 1


def test_too_much_form_data_gets_a_page_that_says_so(provider, photos_url, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = Client()
    client.force_login(provider)
    response = client.post(photos_url, {"note": "x" * 2000, "photos": [small_png("a.png")]})
    assert response.status_code == 400
    assert "That form sent too much" in response.content.decode()


def test_other_bad_requests_keep_djangos_plain_page(client):
    response = client.get("/", HTTP_HOST="elsewhere.example")
    assert response.status_code == 400
    assert "Too many files" not in response.content.decode()


def test_only_small_requests_keep_their_files_in_memory(provider, photos_url, monkeypatch):
    seen = []

    def record(*, service, uploads):
        seen.extend(type(upload) for upload in uploads)
        return []

    monkeypatch.setattr(portal_views.services, "service_photos_add", record)
    client = Client()
    client.force_login(provider)
    client.post(photos_url, {"photos": [SimpleUploadedFile("a.png", b"x" * 100_000)]})
    client.post(photos_url, {"photos": [SimpleUploadedFile("b.png", b"x" * 2_700_000)]})
    assert seen == [InMemoryUploadedFile, TemporaryUploadedFile]

"""A listing's photo files are served only to those who may see the listing."""

import pytest

from accounts.tests.factories import ProviderProfileFactory, UserFactory
from listings.tests.factories import ServiceFactory, ServicePhotoFactory

pytestmark = pytest.mark.django_db


def urls(photo) -> list[str]:
    return [photo.image.url, photo.thumbnail.url]


@pytest.mark.parametrize("status", ["draft", "paused", "hidden", "archived"])
def test_photos_of_a_listing_nobody_may_see_are_not_served(client, status):
    photo = ServicePhotoFactory(service=ServiceFactory(status=status))
    owner = photo.service.provider.user

    for url in urls(photo):
        assert url.startswith(f"/media/services/{photo.service_id}/")
        assert client.get(url).status_code == 404  # anonymous
        client.force_login(UserFactory())
        assert client.get(url).status_code == 404  # somebody else
        client.force_login(owner)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert "private" in response["Cache-Control"]
        client.force_login(UserFactory(is_staff=True))
        assert client.get(url).status_code == 200
        client.logout()


def test_photos_of_a_public_listing_are_served_to_anyone(client):
    photo = ServicePhotoFactory()
    for url in urls(photo):
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # a JPEG


def test_a_pending_providers_listing_keeps_its_photos_private(client):
    pending = ProviderProfileFactory()  # waiting for approval
    photo = ServicePhotoFactory(service=ServiceFactory(provider=pending, status="active"))
    assert client.get(photo.image.url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/media/services/999999/x.jpg",
        "/media/services/99999999999999999999999/x.jpg",
        "/media/services/1/../../etc/passwd",
    ],
)
def test_unknown_files_and_escapes_are_404(client, path):
    ServicePhotoFactory()
    assert client.get(path).status_code == 404

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from support.tests.factories import finished_booking


@pytest.fixture
def booking(db, places, customer):
    """A $180 job completed an hour ago."""
    return finished_booking(customer=customer, service__price="180.00", service__price_type="fixed")


def png(name: str = "photo.png", size=(400, 300)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#2a7f62").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")

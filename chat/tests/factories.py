import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png(name: str = "photo.png", size: tuple[int, int] = (800, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#2a7f62").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")

"""Demo providers' logos: each a monogram drawn with Pillow (their initials in white on their
own colour, the same ones the site's fallback monogram uses), saved once as a small PNG."""

from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from PIL import Image, ImageDraw

from accounts.models import ProviderProfile

from .dataset import demo_data
from .photos import demo_font
from .providers import PROVIDER_EMAIL_DOMAIN

LOGO_FOLDER = "demo/logos"
LOGO_SIDE = 256


def monogram_png(*, initials: str, colour: str) -> bytes:
    """A square PNG: `initials` centred in white on `colour` (a "#rrggbb" string)."""
    image = Image.new("RGB", (LOGO_SIDE, LOGO_SIDE), colour)
    draw = ImageDraw.Draw(image)
    size = 112 if len(initials) < 2 else 96
    middle = LOGO_SIDE // 2
    draw.text((middle, middle), initials, font=demo_font(size), fill="white", anchor="mm")
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def provider_logos_seed() -> int:
    """Give every demo provider without a logo its monogram; returns how many were drawn.
    A logo a provider uploaded is never replaced."""
    demo = Q(user__email__endswith=f"@{PROVIDER_EMAIL_DOMAIN}") | Q(
        slug=demo_data().demo_provider.slug
    )
    profiles = list(
        ProviderProfile.objects.filter(demo, logo="").only("pk", "slug", "business_name")
    )
    for profile in profiles:
        png = monogram_png(initials=profile.monogram_initials, colour=profile.monogram_colour)
        name = f"{LOGO_FOLDER}/{profile.slug}.png"
        default_storage.delete(name)  # a file left by a database seeded before, same name
        profile.logo.name = default_storage.save(name, ContentFile(png))
    ProviderProfile.objects.bulk_update(profiles, ["logo"], batch_size=1000)
    return len(profiles)

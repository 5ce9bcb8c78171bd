"""Demo photos, drawn with Pillow rather than downloaded: a few pictures per subcategory.

Each picture is a two-colour gradient in its category's colours, a few soft circles, a simple
motif for the trade (both from `data/catalogue.yaml`) and the subcategory's name, in one of
`PHOTO_VARIANTS` compositions, so a page of one subcategory's listings is not twenty copies of
one picture; `photo_variant` picks a listing's from its provider and title. They are encoded
once through `listings.images.photo_files` (photo + 480x360 thumbnail) and saved once to
`default_storage` under fixed names; every demo `ServicePhoto` row points at these shared
files, so 100,000 listings do not write 100,000 images.
"""

import math
import random
import zlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from listings.images import photo_files
from listings.models import ServicePhoto

from .dataset import CategoryData, PhotoStyle, SubcategoryData, demo_data

PHOTO_SIZE = (1200, 900)
PHOTO_FOLDER = "demo/photos"
# Compositions a subcategory's pictures come in (each costs ~70 ms to draw and encode, once).
PHOTO_VARIANTS = 3
FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)

# The shapes `_motif` draws; each category names one in data/catalogue.yaml.
MOTIFS = ("bolt", "drop", "shield", "sparkle", "box", "leaf", "tree", "roller", "key", "snow",
          "house")  # fmt: skip


@dataclass(frozen=True)
class DemoPhoto:
    """A stored demo picture: where its files are, and its size."""

    image: str
    thumbnail: str
    width: int
    height: int
    alt_text: str


@cache
def demo_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_PATHS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


@cache
def _ramp() -> Image.Image:
    # A diagonal ramp: a rotated linear gradient cropped to the photo size (the same for all).
    ramp = Image.linear_gradient("L").resize((1600, 1600)).rotate(-35, resample=Image.BILINEAR)
    left = (1600 - PHOTO_SIZE[0]) // 2
    top = (1600 - PHOTO_SIZE[1]) // 2
    return ramp.crop((left, top, left + PHOTO_SIZE[0], top + PHOTO_SIZE[1]))


@cache
def _gradient(dark: tuple[int, int, int], light: tuple[int, int, int]) -> Image.Image:
    return ImageOps.colorize(_ramp(), black=dark, white=light).convert("RGB")


def _star(cx: float, cy: float, outer: float, inner: float, points: int) -> list[tuple]:
    vertices = []
    for step in range(points * 2):
        radius = outer if step % 2 == 0 else inner
        angle = math.pi * step / points - math.pi / 2
        vertices.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return vertices


def _motif(draw: ImageDraw.ImageDraw, kind: str, cx: int, cy: int, s: int, ink: tuple) -> None:
    """A simple, recognisable shape centred on (cx, cy), about 2*s across."""
    if kind == "bolt":
        draw.polygon(
            [(cx + 0.1 * s, cy - s), (cx - 0.55 * s, cy + 0.12 * s), (cx - 0.05 * s, cy + 0.12 * s),
             (cx - 0.2 * s, cy + s), (cx + 0.55 * s, cy - 0.2 * s), (cx + 0.05 * s, cy - 0.2 * s)],
            fill=ink,
        )  # fmt: skip
    elif kind == "drop":
        draw.ellipse((cx - 0.6 * s, cy - 0.1 * s, cx + 0.6 * s, cy + 1.1 * s), fill=ink)
        draw.polygon([(cx, cy - s), (cx - 0.56 * s, cy + 0.35 * s), (cx + 0.56 * s, cy + 0.35 * s)],
                     fill=ink)  # fmt: skip
    elif kind == "shield":
        draw.polygon(
            [(cx, cy - s), (cx + 0.75 * s, cy - 0.7 * s), (cx + 0.65 * s, cy + 0.3 * s),
             (cx, cy + s), (cx - 0.65 * s, cy + 0.3 * s), (cx - 0.75 * s, cy - 0.7 * s)],
            fill=ink,
        )  # fmt: skip
    elif kind == "sparkle":
        draw.polygon(_star(cx, cy, s, 0.22 * s, 4), fill=ink)
        draw.polygon(_star(cx + 0.9 * s, cy - 0.75 * s, 0.4 * s, 0.09 * s, 4), fill=ink)
    elif kind == "box":
        draw.rectangle((cx - 0.8 * s, cy - 0.6 * s, cx + 0.8 * s, cy + 0.8 * s), fill=ink)
        draw.polygon([(cx - 0.8 * s, cy - 0.6 * s), (cx - 0.5 * s, cy - s), (cx + 0.5 * s, cy - s),
                      (cx + 0.8 * s, cy - 0.6 * s)], fill=ink)  # fmt: skip
    elif kind == "leaf":
        # A lens along the diagonal, with a stem and a pale midrib.
        upper, lower = [], []
        for step in range(21):
            t = step / 20
            ax, ay = cx - 0.8 * s + 1.7 * s * t, cy + 0.8 * s - 1.7 * s * t
            half = 0.5 * s * math.sin(math.pi * t)
            upper.append((ax - half * 0.707, ay - half * 0.707))
            lower.append((ax + half * 0.707, ay + half * 0.707))
        draw.polygon(upper + lower[::-1], fill=ink)
        draw.line([(cx - s, cy + s), (cx + 0.6 * s, cy - 0.6 * s)], fill="white", width=8)
        draw.line([(cx - s, cy + s), (cx - 0.75 * s, cy + 0.75 * s)], fill=ink, width=10)
    elif kind == "tree":
        draw.ellipse((cx - 0.8 * s, cy - s, cx + 0.8 * s, cy + 0.4 * s), fill=ink)
        draw.rectangle((cx - 0.12 * s, cy + 0.2 * s, cx + 0.12 * s, cy + s), fill=ink)
    elif kind == "roller":
        draw.rounded_rectangle((cx - 0.9 * s, cy - s, cx + 0.7 * s, cy - 0.45 * s), 12, fill=ink)
        draw.line([(cx + 0.7 * s, cy - 0.72 * s), (cx + 0.95 * s, cy - 0.72 * s),
                   (cx + 0.95 * s, cy - 0.2 * s), (cx, cy - 0.1 * s), (cx, cy + 0.2 * s)],
                  fill=ink, width=max(6, s // 10))  # fmt: skip
        draw.rectangle((cx - 0.1 * s, cy + 0.2 * s, cx + 0.1 * s, cy + s), fill=ink)
    elif kind == "key":
        draw.ellipse((cx - s, cy - 0.45 * s, cx - 0.1 * s, cy + 0.45 * s), fill=ink)
        draw.rectangle((cx - 0.2 * s, cy - 0.1 * s, cx + s, cy + 0.1 * s), fill=ink)
        draw.rectangle((cx + 0.6 * s, cy, cx + 0.75 * s, cy + 0.4 * s), fill=ink)
        draw.rectangle((cx + 0.85 * s, cy, cx + s, cy + 0.3 * s), fill=ink)
    elif kind == "snow":
        for angle in (0, 60, 120):
            rad = math.radians(angle)
            dx, dy = s * math.cos(rad), s * math.sin(rad)
            draw.line([(cx - dx, cy - dy), (cx + dx, cy + dy)], fill=ink, width=max(8, s // 7))
    elif kind == "house":
        draw.polygon([(cx, cy - s), (cx - s, cy - 0.05 * s), (cx + s, cy - 0.05 * s)], fill=ink)
        draw.rectangle((cx - 0.7 * s, cy - 0.1 * s, cx + 0.7 * s, cy + s), fill=ink)
    else:
        raise ValueError(f"No motif called {kind!r}: choose one of {', '.join(MOTIFS)}.")


def _wrap(text: str, font, width: int, draw: ImageDraw.ImageDraw) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


# Where each composition puts the motif's disc (centre x, centre y, radius) and the name's band
# (top, bottom), and whether the gradient runs the other way.
_LAYOUTS = (
    {"disc": (600, 330, 190), "band": (610, 900), "mirror": False, "text_x": 600},
    {"disc": (600, 590, 170), "band": (0, 300), "mirror": True, "text_x": 600},
    {"disc": (860, 300, 240), "band": (640, 900), "mirror": True, "text_x": 80},
)


def photo_variant(*, key: str) -> int:
    """Which composition a listing shows: stable for its key (the provider and title), spread
    evenly over the variants."""
    return zlib.crc32(key.encode()) % PHOTO_VARIANTS


def _background(style: PhotoStyle, label: str, variant: int) -> Image.Image:
    image = _gradient(style.dark, style.light).copy()
    if _LAYOUTS[variant]["mirror"]:
        image = ImageOps.mirror(image)
    # Variant 0 keeps the seed of the single picture this used to be.
    rng = random.Random(f"nearhand-demo-photo-{label}" + (f"-{variant}" if variant else ""))
    # Soft circles, drawn and blurred at a quarter of the size (a sixteenth of the work; they
    # are blurry anyway), then enlarged.
    glow = Image.new("L", (PHOTO_SIZE[0] // 4, PHOTO_SIZE[1] // 4), 0)
    glow_draw = ImageDraw.Draw(glow)
    for _ in range(5):
        radius = rng.randint(120, 320)
        x, y = rng.randint(0, PHOTO_SIZE[0]), rng.randint(0, PHOTO_SIZE[1])
        glow_draw.ellipse(
            ((x - radius) / 4, (y - radius) / 4, (x + radius) / 4, (y + radius) / 4),
            fill=rng.randint(50, 110),
        )
    glow = glow.filter(ImageFilter.BoxBlur(7.5)).resize(PHOTO_SIZE, Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", PHOTO_SIZE, style.light), image, glow)


def demo_picture(*, style: PhotoStyle, label: str, variant: int = 0) -> Image.Image:
    """The 1200x900 picture for one subcategory in one composition; deterministic for a given
    style, label and variant."""
    if not 0 <= variant < PHOTO_VARIANTS:
        raise ValueError(f"No photo variant {variant}: there are {PHOTO_VARIANTS}.")
    layout = _LAYOUTS[variant]
    image = _background(style, label, variant)
    draw = ImageDraw.Draw(image)
    # A white disc with the trade's motif in the category's dark colour.
    cx, cy, disc = layout["disc"]
    draw.ellipse((cx - disc, cy - disc, cx + disc, cy + disc), fill=(255, 255, 255))
    _motif(draw, style.motif, cx, cy, round(disc * 0.58), style.dark)

    # The name on a dark band, large and legible.
    band_top, band_bottom = layout["band"]
    draw.rectangle((0, band_top, PHOTO_SIZE[0], band_bottom), fill=style.dark)
    font = demo_font(76)
    lines = _wrap(label, font, PHOTO_SIZE[0] - 160, draw)[:2]
    line_height = 92
    top = (band_top + band_bottom) // 2 - line_height * len(lines) // 2
    # Centred, or from the left edge ("lt") when the layout says where the text starts.
    x, anchor = layout["text_x"], "mt" if layout["text_x"] == 600 else "lt"
    for number, line in enumerate(lines):
        draw.text((x, top + number * line_height), line, font=font, fill="white", anchor=anchor)
    return image


def _photo_names(slug: str, variant: int) -> tuple[str, str]:
    # Variant 0 keeps the name of the single picture of earlier seeds (their rows point at it).
    stem = f"{PHOTO_FOLDER}/{slug}" + (f"-v{variant}" if variant else "")
    return f"{stem}.jpg", f"{stem}-thumb.jpg"


def _drawn_files(key: tuple[str, int]) -> tuple[ContentFile, ContentFile]:
    slug, variant = key
    category, sub = _subcategories()[slug]
    picture = demo_picture(style=category.photo, label=sub.name, variant=variant)
    return photo_files(image=picture)


@cache
def _subcategories() -> dict[str, tuple[CategoryData, SubcategoryData]]:
    return {sub.slug: (category, sub) for category in demo_data().categories
            for sub in category.subcategories}  # fmt: skip


def demo_photos_ensure(*, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], DemoPhoto]:
    """(subcategory slug, variant) -> its stored demo picture, for these; draws and saves only
    the files that are missing."""
    keys = sorted(set(keys))
    missing = [
        key for key in keys
        if not all(default_storage.exists(name) for name in _photo_names(*key))
    ]  # fmt: skip
    # Pillow lets go of the GIL while it blurs, resizes and encodes, so two threads keep two
    # free cores busy. The files are saved here, in order.
    with ThreadPoolExecutor(max_workers=2) as pool:
        for key, files in zip(missing, pool.map(_drawn_files, missing), strict=True):
            # Fixed names, so a second run finds them; a half-written pair is redrawn.
            for name, content in zip(_photo_names(*key), files, strict=True):
                default_storage.delete(name)
                default_storage.save(name, content)
    photos: dict[tuple[str, int], DemoPhoto] = {}
    for key in keys:
        image_name, thumb_name = _photo_names(*key)
        photos[key] = DemoPhoto(
            image=image_name,
            thumbnail=thumb_name,
            width=PHOTO_SIZE[0],
            height=PHOTO_SIZE[1],
            alt_text=f"{_subcategories()[key[0]][1].name}: illustration",
        )
    return photos


def demo_photos_in_use() -> set[tuple[str, int]]:
    """The (subcategory, variant) pictures that listings' photos point at."""
    names = {
        _photo_names(sub.slug, variant)[0]: (sub.slug, variant)
        for sub in demo_data().subcategories()
        for variant in range(PHOTO_VARIANTS)
    }
    used = (
        ServicePhoto.objects.filter(image__startswith=f"{PHOTO_FOLDER}/")
        .values_list("image", flat=True)
        .distinct()
    )
    return {names[name] for name in used if name in names}

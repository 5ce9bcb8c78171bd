"""Image files for upload tests, made cheaply: hostile ones written by hand (a 6300x6300 PNG is
38.6 KB and never exists decoded in the test process) and ordinary ones through Pillow."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def grey_png(width: int, height: int, *, text_chunks: int = 0) -> bytes:
    """A valid 8-bit greyscale PNG of one colour (black), compressed row by row: 6300x6300 is
    38.6 KB, 20000x20000 about 390 KB. `text_chunks` adds that many zTXt chunks that inflate
    to almost 1 MB each."""
    row = b"\0" * (1 + width)  # filter byte "none", then the pixels
    batch = max(1, (4 << 20) // len(row))
    compressor = zlib.compressobj(9)
    parts, left = [], height
    while left:
        count = min(batch, left)
        parts.append(compressor.compress(row * count))
        left -= count
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    texts = [
        _png_chunk(b"zTXt", b"k%d\0\0" % i + zlib.compress(b"a" * (1024 * 1024 - 100), 9))
        for i in range(text_chunks)
    ]
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + b"".join(texts)
        + _png_chunk(b"IDAT", b"".join(parts))
        + _png_chunk(b"IEND", b"")
    )


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height over the data of a 16x16 image (the file an
    attacker would send: cheap to make, and refused from its header alone)."""
    return grey_png(16, 16).replace(
        _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 0, 0, 0, 0)),
        _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)),
    )


def rle_bmp(width: int, height: int) -> bytes:
    """A valid 8-bit run-length-encoded BMP of one colour: 6300x6300 is about 320 KB."""
    runs = bytearray()
    for _ in range(height):
        left = width
        while left:
            count = min(255, left)
            runs += bytes((count, 0))
            left -= count
        runs += b"\0\0"  # end of line
    runs += b"\0\1"  # end of bitmap
    palette = b"".join(bytes((grey, grey, grey, 0)) for grey in range(256))
    offset = 14 + 40 + len(palette)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 1, len(runs), 2835, 2835, 256, 0)
    head = b"BM" + struct.pack("<IHHI", offset + len(runs), 0, 0, offset)
    return head + info + palette + bytes(runs)


def jpeg_header(width: int, height: int) -> bytes:
    """A JPEG whose header claims width x height over the data of a 16x16 image."""
    data = bytearray(encoded(Image.new("RGB", (16, 16), "grey"), "JPEG"))
    start = data.index(b"\xff\xc0")  # baseline start of frame: length, precision, height, width
    data[start + 5 : start + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def webp_header(width: int, height: int) -> bytes:
    """A lossless WebP whose header claims width x height (each at most 16384) over the data
    of a 16x16 image: libwebp sets up its decoder, canvases and all, from the header alone."""
    data = bytearray(encoded(Image.new("RGB", (16, 16), "grey"), "WEBP", lossless=True))
    start = data.index(b"VP8L") + 8  # the chunk's header, then the bitstream's signature
    assert data[start] == 0x2F
    bits = int.from_bytes(data[start + 1 : start + 5], "little") & ~0x0FFFFFFF
    bits |= (width - 1) | (height - 1) << 14
    data[start + 1 : start + 5] = bits.to_bytes(4, "little")
    return bytes(data)


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def picture(
    mode: str = "RGB", size: tuple[int, int] = (800, 600), fmt: str = "PNG", **options
) -> bytes:
    """An ordinary image of one colour, encoded by Pillow."""
    colour = {"L": 90, "1": 1, "P": 7, "I;16": 3000, "LA": (90, 200), "CMYK": (10, 200, 30, 0)}.get(
        mode, (11, 110, 79, 255)[: len(mode)]
    )
    return encoded(Image.new(mode, size, colour), fmt, **options)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)

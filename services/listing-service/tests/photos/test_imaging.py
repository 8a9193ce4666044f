"""The image checks and re-encoding (listing_service.photos.imaging), on small generated images."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from dbay_common.errors import InvalidRequest
from listing_service.photos.imaging import photo_original_prepare, photo_rendition_make

from .conftest import camera_exif, image_bytes


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def refusal(data: bytes) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        photo_original_prepare(data)
    return caught.value


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_each_accepted_format_keeps_its_format_and_size(fmt, content_type):
    prepared = photo_original_prepare(image_bytes(400, 300, fmt=fmt))

    assert (prepared.content_type, prepared.width, prepared.height) == (content_type, 400, 300)
    assert opened(prepared.content).format == fmt


@pytest.mark.parametrize(
    "data",
    [
        b"hello, this is plain text and not an image at all\n" * 10,
        b"GIF89a" + b"\0" * 200,
        image_bytes(300, 300, fmt="GIF"),
        image_bytes(300, 300, fmt="BMP"),
        b"",
    ],
    ids=["text", "gif-header", "gif", "bmp", "empty"],
)
def test_anything_but_jpeg_png_webp_is_refused_by_its_content(data):
    error = refusal(data)

    assert (error.status, error.code, error.param) == (400, "photo_type_unsupported", "file")
    assert error.message == "The file is not a JPEG, PNG or WebP image."


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that declares ``width`` x ``height`` pixels: a decompression bomb's header."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(("width", "height"), [(8000, 5001), (50_000, 50_000), (200_001, 200)])
def test_too_many_pixels_is_refused_before_decoding(width, height):
    error = refusal(png_header_only(width, height))

    assert (error.status, error.code) == (400, "photo_too_many_pixels")
    assert error.message == "The image has more than 40 million pixels, the most a photo may have."


def test_forty_million_pixels_pass_the_pixel_check():
    # Exactly at the limit, the header passes; this file's data is then found truncated.
    error = refusal(png_header_only(8000, 5000))

    assert error.code == "photo_unreadable"


@pytest.mark.parametrize(("width", "height"), [(199, 800), (800, 199), (50, 50)])
def test_a_side_under_200_pixels_is_refused(width, height):
    error = refusal(image_bytes(width, height, fmt="PNG"))

    assert (error.status, error.code) == (400, "photo_too_small")
    assert error.message == f"The image is {width} x {height} pixels; each side must be at least 200 pixels."


def test_a_truncated_file_is_refused():
    data = image_bytes(600, 400, fmt="JPEG")

    error = refusal(data[: len(data) // 2])

    assert (error.status, error.code) == (400, "photo_unreadable")


def test_exif_and_every_other_metadata_are_gone_from_the_stored_bytes():
    source = Image.new("RGB", (400, 300), (10, 120, 200))
    buffer = io.BytesIO()
    source.save(buffer, "JPEG", exif=camera_exif(1), comment=b"shot at home, 12 Otter Lane")
    assert b"Otterphone" in buffer.getvalue() and b"Otter Lane" in buffer.getvalue()

    prepared = photo_original_prepare(buffer.getvalue())

    stored = opened(prepared.content)
    assert dict(stored.getexif()) == {}
    assert not ({"exif", "comment", "icc_profile", "xmp"} & set(stored.info))
    assert b"Otterphone" not in prepared.content and b"Otter Lane" not in prepared.content
    assert b"Exif\x00\x00" not in prepared.content


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_exif_is_stripped_from_png_and_webp_too(fmt):
    prepared = photo_original_prepare(image_bytes(300, 200, fmt=fmt, exif=camera_exif(1)))

    assert b"Otterphone" not in prepared.content
    assert dict(opened(prepared.content).getexif()) == {}


@pytest.mark.parametrize(
    ("orientation", "size", "white_corner"),
    [
        (1, (400, 300), (5, 5)),  # as stored
        (3, (400, 300), (395, 295)),  # rotated 180
        (6, (300, 400), (295, 5)),  # rotated 90 clockwise to view
        (8, (300, 400), (5, 395)),  # rotated 90 counter-clockwise to view
    ],
)
def test_the_exif_orientation_is_applied_before_stripping(orientation, size, white_corner):
    prepared = photo_original_prepare(image_bytes(400, 300, fmt="JPEG", exif=camera_exif(orientation)))

    stored = opened(prepared.content).convert("RGB")
    assert stored.size == size == (prepared.width, prepared.height)
    assert min(stored.getpixel(white_corner)) > 230  # the white quarter moved where the viewer sees it
    assert "exif" not in stored.info


def test_a_png_with_transparency_keeps_it_and_a_jpeg_never_has_alpha():
    png = photo_original_prepare(image_bytes(300, 300, fmt="PNG", mode="RGBA"))

    assert opened(png.content).mode == "RGBA"
    assert opened(photo_original_prepare(image_bytes(300, 300, fmt="JPEG")).content).mode == "RGB"


@pytest.mark.parametrize(
    ("original_size", "thumb", "display"),
    [
        ((2000, 1000), (320, 160), (1600, 800)),
        ((1000, 2000), (160, 320), (800, 1600)),
        ((800, 600), (320, 240), (800, 600)),  # never enlarged
        ((300, 200), (300, 200), (300, 200)),
    ],
)
def test_renditions_have_exact_pixel_sizes(original_size, thumb, display):
    original = photo_original_prepare(image_bytes(*original_size, fmt="JPEG"))

    made = {size: photo_rendition_make(original.content, size) for size in ("thumb", "display")}

    assert (made["thumb"].width, made["thumb"].height) == thumb
    assert (made["display"].width, made["display"].height) == display
    for rendition in made.values():
        image = opened(rendition.content)
        assert image.format == "JPEG" and rendition.content_type == "image/jpeg"
        assert image.size == (rendition.width, rendition.height)


def test_an_embedded_colour_profile_is_applied_then_dropped():
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = Image.new("RGB", (300, 300), (90, 160, 30))
    buffer = io.BytesIO()
    source.save(buffer, "JPEG", icc_profile=profile, quality=95)
    assert "icc_profile" in opened(buffer.getvalue()).info

    stored = opened(photo_original_prepare(buffer.getvalue()).content)

    assert "icc_profile" not in stored.info
    red, green, blue = stored.convert("RGB").getpixel((150, 150))
    assert abs(red - 90) <= 4 and abs(green - 160) <= 4 and abs(blue - 30) <= 4

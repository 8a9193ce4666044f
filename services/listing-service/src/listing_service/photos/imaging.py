"""Image checks and re-encoding with Pillow: pure functions on bytes, no Django, no storage.

What a seller uploads is never stored as sent. :func:`photo_original_prepare` decides the type from
the bytes themselves (never the file name or the declared Content-Type), refuses an image whose
pixel count is too large *before* decoding it (a 100 kB PNG can declare 50,000 x 50,000 pixels: a
decompression bomb), applies the EXIF orientation, and re-encodes the pixels alone, so no EXIF
(camera serial, GPS position), XMP, ICC profile or comment survives. :func:`photo_rendition_make`
makes the thumbnail and display sizes from that stripped original.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from dbay_common.errors import InvalidRequest

#: The largest image accepted, in pixels (width x height), checked from the header before decoding.
MAX_PIXELS = 40_000_000
#: The shortest side an image may have, in pixels.
MIN_SHORT_SIDE_PX = 200
#: Longest side of each rendition, in pixels; an image smaller than a rendition is never enlarged.
RENDITION_LONGEST_SIDE_PX = {"thumb": 320, "display": 1600}
RENDITION_CONTENT_TYPE = "image/jpeg"

# Pillow's own guard against decompression bombs, for any code path that opens an image: it warns
# past MAX_IMAGE_PIXELS and refuses past twice that. Our explicit check comes first and is stricter.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

#: Formats accepted, as Pillow names them after reading the file's signature, with their media type.
ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
FILE_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}

_JPEG_QUALITY = 90
_RENDITION_JPEG_QUALITY = 85
_WEBP_QUALITY = 85
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass(frozen=True)
class EncodedImage:
    """Image bytes with what the API and the cache headers need to know about them."""

    content: bytes
    content_type: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class PhotoUnsupportedType(InvalidRequest):
    default_code = "photo_type_unsupported"
    default_message = "The file is not a JPEG, PNG or WebP image."


def _refuse(message: str, code: str) -> InvalidRequest:
    return InvalidRequest(message, code=code, param="file")


def _too_many_pixels() -> InvalidRequest:
    return _refuse(
        f"The image has more than {MAX_PIXELS // 1_000_000} million pixels, the most a photo may have.",
        "photo_too_many_pixels",
    )


def _open_checked(data: bytes) -> Image.Image:
    """Open ``data`` lazily (header only) and check its type and pixel size; nothing is decoded yet."""
    try:
        with warnings.catch_warnings():
            # Past MAX_IMAGE_PIXELS Pillow warns (checked below, with the same limit); past twice
            # that it refuses to open at all.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise PhotoUnsupportedType(param="file") from None
    if image.format not in ACCEPTED_FORMATS:
        raise PhotoUnsupportedType(param="file")
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _too_many_pixels()
    if min(width, height) < MIN_SHORT_SIDE_PX:
        raise _refuse(
            f"The image is {width} x {height} pixels; each side must be at least {MIN_SHORT_SIDE_PX} pixels.",
            "photo_too_small",
        )
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert pixels described by an embedded ICC profile to sRGB, so dropping the profile keeps
    the colours; an unreadable profile is ignored (the pixels are taken as sRGB)."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image


def _normalised_mode(image: Image.Image, *, keep_alpha: bool) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if keep_alpha and has_alpha:
        return image if image.mode == "RGBA" else image.convert("RGBA")
    if has_alpha:
        # Flatten onto white: a transparent background shows white, as it does on the page.
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")


def _encode(image: Image.Image, content_type: str, *, quality: int = _JPEG_QUALITY) -> bytes:
    buffer = io.BytesIO()
    # Pillow falls back to image.info for some fields (a JPEG comment); an empty info keeps every
    # piece of metadata out, whatever the format.
    image.info = {}
    if content_type == "image/jpeg":
        image.save(buffer, "JPEG", quality=quality, optimize=False)
    elif content_type == "image/png":
        image.save(buffer, "PNG", compress_level=6)
    else:
        image.save(buffer, "WEBP", quality=_WEBP_QUALITY, method=4)
    return buffer.getvalue()


def photo_original_prepare(data: bytes) -> EncodedImage:
    """The stripped original of an upload: same format, EXIF orientation applied, no metadata.

    Raises 400 ``photo_type_unsupported`` (not a JPEG, PNG or WebP by its content, or unreadable),
    ``photo_too_many_pixels`` or ``photo_too_small``. Animated images keep their first frame.
    """
    image = _open_checked(data)
    content_type = ACCEPTED_FORMATS[str(image.format)]
    try:
        image.seek(0)
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _refuse("The image file is damaged or incomplete.", "photo_unreadable") from None
    upright = _to_srgb(upright)
    clean = _normalised_mode(upright, keep_alpha=content_type != "image/jpeg")
    content = _encode(clean, content_type)
    return EncodedImage(content=content, content_type=content_type, width=clean.width, height=clean.height)


def photo_rendition_make(original: bytes, size: str) -> EncodedImage:
    """A JPEG whose longest side is ``RENDITION_LONGEST_SIDE_PX[size]`` (or the original's, if
    smaller), from a stripped original made by :func:`photo_original_prepare`. Transparency is
    flattened onto white. (JPEG, not WebP: encoding is about ten times faster at the same size.)"""
    longest = RENDITION_LONGEST_SIDE_PX[size]
    image = Image.open(io.BytesIO(original), formats=list(ACCEPTED_FORMATS))
    if image.format == "JPEG":
        # Let the JPEG decoder scale by 1/2, 1/4 or 1/8 while decoding: much faster for big photos.
        image.draft("RGB", (longest, longest))
    image.load()
    rendition = _normalised_mode(image, keep_alpha=False)
    if max(rendition.size) > longest:
        rendition.thumbnail((longest, longest), Image.Resampling.LANCZOS, reducing_gap=3.0)
    content = _encode(rendition, RENDITION_CONTENT_TYPE, quality=_RENDITION_JPEG_QUALITY)
    return EncodedImage(
        content=content, content_type=RENDITION_CONTENT_TYPE, width=rendition.width, height=rendition.height
    )

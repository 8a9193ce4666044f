"""Pictures for demo listings, drawn with Pillow: a coloured background, a simple silhouette of the
kind of item (a camera, a laptop, a bicycle...), some shapes, and the item's name.

Each (item, view) pair always draws the same picture (colours come from a hash of the title), so
the seed draws each distinct picture once and gives it to every listing of that item.
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import io
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

from listing_service.demo.catalogue import DemoItem

WIDTH, HEIGHT = 1024, 768
VIEWS = ("front", "detail", "boxed")
Colour = tuple[int, int, int]
Box = tuple[float, float, float, float]


def _palette(seed: str) -> tuple[Colour, Colour, Colour]:
    """Background, a lighter and a darker tone of one hue picked by ``seed``."""
    hue = int(hashlib.sha256(seed.encode()).hexdigest()[:6], 16) / 0xFFFFFF

    def tone(lightness: float, saturation: float) -> Colour:
        red, green, blue = colorsys.hls_to_rgb(hue, lightness, saturation)
        return round(red * 255), round(green * 255), round(blue * 255)

    return tone(0.45, 0.55), tone(0.82, 0.45), tone(0.18, 0.5)


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _camera(draw: ImageDraw.ImageDraw, box: Box, light: Colour, dark: Colour) -> None:
    x0, y0, x1, y1 = box
    draw.rounded_rectangle((x0, y0 + 40, x1, y1), radius=30, fill=dark)
    draw.rectangle((x0 + 40, y0, x0 + 150, y0 + 50), fill=dark)
    cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2 + 20, (y1 - y0) / 3
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=light, outline=(20, 20, 20), width=12)
    draw.ellipse((cx - r / 2, cy - r / 2, cx + r / 2, cy + r / 2), fill=(25, 25, 35))


def _laptop(draw: ImageDraw.ImageDraw, box: Box, light: Colour, dark: Colour) -> None:
    x0, y0, x1, y1 = box
    draw.rounded_rectangle((x0 + 40, y0, x1 - 40, y1 - 60), radius=16, fill=dark)
    draw.rectangle((x0 + 60, y0 + 20, x1 - 60, y1 - 80), fill=light)
    draw.polygon([(x0, y1 - 60), (x1, y1 - 60), (x1 - 30, y1), (x0 + 30, y1)], fill=dark)


def _phone(draw: ImageDraw.ImageDraw, box: Box, light: Colour, dark: Colour) -> None:
    x0, y0, x1, y1 = box
    cx, width = (x0 + x1) / 2, (y1 - y0) * 0.5
    draw.rounded_rectangle((cx - width / 2, y0, cx + width / 2, y1), radius=40, fill=dark)
    draw.rounded_rectangle(
        (cx - width / 2 + 18, y0 + 40, cx + width / 2 - 18, y1 - 40), radius=20, fill=light
    )


def _round_thing(draw: ImageDraw.ImageDraw, box: Box, light: Colour, dark: Colour) -> None:
    x0, y0, x1, y1 = box
    r = min(x1 - x0, y1 - y0) / 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=dark)
    draw.ellipse((cx - r * 0.8, cy - r * 0.8, cx + r * 0.8, cy + r * 0.8), outline=light, width=10)
    draw.regular_polygon((cx, cy, r * 0.45), 5, rotation=18, fill=light)


def _bicycle(draw: ImageDraw.ImageDraw, box: Box, light: Colour, dark: Colour) -> None:
    x0, y0, x1, y1 = box
    r = (y1 - y0) / 3.2
    back, front, ground = (x0 + r, y1 - r), (x1 - r, y1 - r), y1
    for cx, cy in (back, front):
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=dark, width=14)
    seat, bar = (x0 + 1.7 * r, ground - 2.6 * r), (x1 - 1.6 * r, ground - 2.8 * r)
    draw.line([back, seat, ((x0 + x1) / 2, ground - r), back], fill=light, width=14)
    draw.line([seat, bar, front, ((x0 + x1) / 2, ground - r), bar], fill=light, width=14)


def _bricks(draw: ImageDraw.ImageDraw, box: Box, light: Colour, dark: Colour) -> None:
    x0, y0, x1, y1 = box
    rows, columns = 3, 4
    w, h = (x1 - x0) / columns, (y1 - y0) / rows
    for row in range(rows):
        for column in range(columns - row % 2):
            left = x0 + column * w + (w / 2 if row % 2 else 0)
            top = y1 - (row + 1) * h
            draw.rectangle(
                (left + 4, top + 14, left + w - 4, top + h), fill=dark if (row + column) % 2 else light
            )
            for stud in (0.3, 0.7):
                sx = left + w * stud
                draw.ellipse((sx - 14, top, sx + 14, top + 24), fill=light if (row + column) % 2 else dark)


def _books(draw: ImageDraw.ImageDraw, box: Box, light: Colour, dark: Colour) -> None:
    x0, y0, x1, y1 = box
    width = (x1 - x0) / 6
    for index in range(5):
        top = y0 + (index % 3) * 30
        draw.rectangle(
            (x0 + index * width * 1.15, top, x0 + index * width * 1.15 + width, y1),
            fill=(light, dark)[index % 2],
        )
        draw.line(
            (x0 + index * width * 1.15 + 10, top + 40, x0 + index * width * 1.15 + width - 10, top + 40),
            fill=(255, 255, 255),
            width=6,
        )


def _shirt(draw: ImageDraw.ImageDraw, box: Box, light: Colour, dark: Colour) -> None:
    x0, y0, x1, y1 = box
    w = x1 - x0
    points = [
        (x0 + w * 0.3, y0), (x0 + w * 0.7, y0), (x1, y0 + 90), (x1 - 70, y0 + 170), (x1 - w * 0.2, y0 + 130),
        (x1 - w * 0.2, y1), (x0 + w * 0.2, y1), (x0 + w * 0.2, y0 + 130), (x0 + 70, y0 + 170), (x0, y0 + 90),
    ]  # fmt: skip
    draw.polygon(points, fill=dark)
    draw.pieslice((x0 + w * 0.38, y0 - 40, x0 + w * 0.62, y0 + 40), 0, 180, fill=light)


def _gear(draw: ImageDraw.ImageDraw, box: Box, light: Colour, dark: Colour) -> None:
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    r = min(x1 - x0, y1 - y0) / 2
    draw.regular_polygon((cx, cy, r), 12, fill=dark)
    draw.ellipse((cx - r * 0.8, cy - r * 0.8, cx + r * 0.8, cy + r * 0.8), fill=dark)
    draw.ellipse((cx - r * 0.35, cy - r * 0.35, cx + r * 0.35, cy + r * 0.35), fill=light)


def _bottle(draw: ImageDraw.ImageDraw, box: Box, light: Colour, dark: Colour) -> None:
    x0, y0, x1, y1 = box
    cx, w = (x0 + x1) / 2, (x1 - x0) / 3
    draw.rectangle((cx - w / 5, y0, cx + w / 5, y0 + 70), fill=dark)
    draw.rounded_rectangle((cx - w / 2, y0 + 60, cx + w / 2, y1), radius=40, fill=dark)
    draw.rectangle((cx - w / 2 + 20, y0 + 160, cx + w / 2 - 20, y1 - 80), fill=light)


def _frame(draw: ImageDraw.ImageDraw, box: Box, light: Colour, dark: Colour) -> None:
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=dark)
    draw.rectangle((x0 + 30, y0 + 30, x1 - 30, y1 - 30), fill=light)
    draw.polygon(
        [(x0 + 30, y1 - 30), ((x0 + x1) / 2 - 40, y0 + 120), ((x0 + x1) / 2 + 60, y1 - 30)], fill=dark
    )
    draw.ellipse((x1 - 150, y0 + 60, x1 - 80, y0 + 130), fill=(250, 210, 90))


SILHOUETTES: dict[str, Callable[[ImageDraw.ImageDraw, Box, Colour, Colour], None]] = {
    "cameras-photo": _camera,
    "computers": _laptop,
    "phones": _phone,
    "electronics": _laptop,
    "video-games": _phone,
    "collectibles": _round_thing,
    "fashion": _shirt,
    "jewellery-watches": _round_thing,
    "home-garden": _frame,
    "sporting-goods": _bicycle,
    "toys-hobbies": _bricks,
    "books-media": _books,
    "vehicle-parts": _gear,
    "health-beauty": _bottle,
    "other": _frame,
}


def demo_picture(item: DemoItem, view: str) -> bytes:
    """A 1024 x 768 JPEG of ``item`` seen from ``view`` (one of :data:`VIEWS`)."""
    background, light, dark = _palette(f"{item.title}/{view}")
    rng = random.Random(f"{item.title}/{view}")  # noqa: S311 - picks shapes, not secrets
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    for _ in range(14):  # soft confetti behind the item
        x, y, size = rng.randrange(WIDTH), rng.randrange(HEIGHT), rng.randrange(20, 90)
        shade = light if rng.random() < 0.5 else dark
        if rng.random() < 0.5:
            draw.ellipse((x, y, x + size, y + size), outline=shade, width=6)
        else:
            draw.regular_polygon(
                (x, y, size / 2), rng.choice((3, 4, 6)), rotation=rng.randrange(90), outline=shade
            )
    box: Box = (262, 150, 762, 560) if view != "detail" else (140, 60, 884, 640)
    if view == "boxed":
        draw.rectangle((212, 110, 812, 600), fill=(214, 186, 140), outline=(120, 90, 50), width=8)
        draw.line((212, 170, 812, 170), fill=(120, 90, 50), width=6)
        box = (312, 210, 712, 560)
    SILHOUETTES.get(item.top, _frame)(draw, box, light, dark)
    draw.rectangle((0, HEIGHT - 130, WIDTH, HEIGHT), fill=dark)
    title = item.title if len(item.title) <= 34 else item.title[:33] + "…"
    draw.text((WIDTH / 2, HEIGHT - 80), title, font=_font(44), fill=(255, 255, 255), anchor="mm")
    draw.text((WIDTH / 2, HEIGHT - 30), f"dBay demo · {view}", font=_font(22), fill=light, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()

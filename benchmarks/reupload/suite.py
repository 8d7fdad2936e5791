"""The re-upload transform suite: benign originals, unrelated distractors, realistic re-uploads.

How an image travels once it leaves its first post: re-encoded by every platform, resized, put
through a filter, cropped, framed by borders or a letterbox, captured in a phone screenshot of the
post (status bar, app header and footer, sometimes scaled down again when forwarded), slightly
rotated or photographed off a screen, captioned, covered with stickers. Each transform here is one
of those, as a pure function of a picture and a seeded ``random.Random``; each belongs to a family
(:data:`FAMILY`), and a benchmark reports recall per family.

Data, stated honestly (docs/benchmarks-log.md repeats it):

- **Originals** are real, benign photographs shipped in packages: the portraits of
  ../shared/data/faces (face_recognition's examples) and scikit-image's sample photographs
  (astronaut, cat, coffee, rocket, retina, Hubble deep field, IHC slide, cameraman, moon). A
  source large enough is cut into up to 2 x 2 disjoint tiles (no pixel shared), each a separate
  original, so that 49 originals come from 18 photographs; :func:`originals` takes them round-robin
  over the sources, so a small ``n`` uses distinct photographs. Each is resampled to a long side
  of 960-1440 pixels, given a mild colour change and sensor-like noise.
- **Distractors** share no source with the originals: crops of scikit-image's other pictures
  (motorcycle stereo pair, coins, clock, cell, brick, grass, gravel, page, text, horse, phantom,
  colour wheel), contact sheets of the LFW face thumbnails that scikit-image ships, and
  *procedurally generated* "dead leaves" pictures (occluding shapes at power-law sizes, the
  classic model of natural-image statistics). Half of them then go through a random transform of
  the suite (so screenshots, letterboxes and captions of unrelated pictures are among them: the
  framing stage must not make those match).

Nothing is written to disk; the same seed always gives the same pixels.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

ROOT = Path(__file__).resolve().parents[2]
SHARED_FACES = ROOT.parent / "shared" / "data" / "faces"

#: Sources of originals (file names; faces from ../shared/data/faces, others from skimage.data).
ORIGINAL_SOURCES: tuple[str, ...] = (
    "alex_lacamoire_1.jpg",
    "astronaut.png",
    "biden_1.jpg",
    "chelsea.png",
    "kit_harington_1.jpg",
    "coffee.png",
    "kit_harington_2.jpg",
    "rocket.jpg",
    "lin_manuel_miranda_1.png",
    "retina.jpg",
    "obama_1.jpg",
    "hubble_deep_field.jpg",
    "obama_2.jpg",
    "ihc.png",
    "rose_leslie_1.jpg",
    "camera.png",
    "two_people.jpg",
    "moon.png",
)
#: Sources of distractors: none of them is, or shows, an original's source.
DISTRACTOR_SOURCES: tuple[str, ...] = (
    "motorcycle_left.png",
    "motorcycle_right.png",
    "coins.png",
    "clock_motion.png",
    "cell.png",
    "brick.png",
    "grass.png",
    "gravel.png",
    "page.png",
    "text.png",
    "horse.png",
    "phantom.png",
    "color.png",
)
MIN_TILE = 300  # pixels: a source is cut into tiles no smaller than this

Transform = Callable[[Image.Image, random.Random], Image.Image]

# ---------------------------------------------------------------------------------------------
# sources


def _source_path(name: str) -> Path:
    face = SHARED_FACES / name
    if face.exists():
        return face
    import skimage

    path = Path(skimage.__file__).parent / "data" / name
    if not path.exists():
        raise FileNotFoundError(f"benign source {name} not found (is scikit-image installed?)")
    return path


@cache
def _source(name: str) -> Image.Image:
    with Image.open(_source_path(name)) as opened:
        opened.load()
        image = opened.convert("RGBA") if opened.mode in {"RGBA", "LA", "P"} else opened
    if image.mode == "RGBA":
        image = Image.alpha_composite(Image.new("RGBA", image.size, (255, 255, 255, 255)), image)
    return image.convert("RGB")


def _tiles(name: str) -> list[tuple[int, int, int, int]]:
    w, h = _source(name).size
    cols, rows = max(1, min(2, w // MIN_TILE)), max(1, min(2, h // MIN_TILE))
    return [
        (c * w // cols, r * h // rows, (c + 1) * w // cols, (r + 1) * h // rows)
        for r in range(rows)
        for c in range(cols)
    ]


def views() -> list[tuple[str, tuple[int, int, int, int]]]:
    """Every original as (source, box), round-robin over the sources."""
    per_source = [[(name, box) for box in _tiles(name)] for name in ORIGINAL_SOURCES]
    out = []
    for depth in range(max(len(t) for t in per_source)):
        out += [tiles[depth] for tiles in per_source if depth < len(tiles)]
    return out


def _finish(region: Image.Image, long_side: int, rng: random.Random) -> Image.Image:
    """Resampled to ``long_side``, mild colour change and sensor-like noise: a plausible photo."""
    scale = long_side / max(region.size)
    size = (max(1, round(region.width * scale)), max(1, round(region.height * scale)))
    photo = region.resize(size, Image.Resampling.LANCZOS)
    photo = ImageEnhance.Color(photo).enhance(rng.uniform(0.8, 1.2))
    photo = ImageEnhance.Brightness(photo).enhance(rng.uniform(0.9, 1.1))
    noise_rng = np.random.default_rng(rng.getrandbits(32))
    pixels = np.asarray(photo, dtype=np.int16)
    noise = noise_rng.normal(0.0, rng.uniform(2.0, 5.0), size=(*pixels.shape[:2], 1))
    return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))


def originals(n: int = 44, *, seed: int = 11) -> list[Image.Image]:
    """``n`` benign original photos (at most ``len(views())``, 49), the same for the same seed."""
    found = views()
    if n > len(found):
        raise ValueError(f"only {len(found)} originals can be made, {n} asked")
    rng = random.Random(seed)
    return [
        _finish(_source(name).crop(box), rng.randint(960, 1440), rng) for name, box in found[:n]
    ]


def original_sources(n: int = 44) -> list[str]:
    """The source photograph of each of the first ``n`` originals (for the report)."""
    return [name for name, _ in views()[:n]]


# ---------------------------------------------------------------------------------------------
# distractors


def _dead_leaves(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """Occluding shapes at power-law sizes until the canvas is covered (the dead-leaves model of
    natural-image statistics), coloured from a real distractor photo's pixels, under a smooth
    light gradient."""
    w, h = size
    small = (max(32, w // 3), max(32, h // 3))
    colours = np.asarray(_source(rng.choice(DISTRACTOR_SOURCES)).convert("RGB")).reshape(-1, 3)
    palette = [tuple(int(v) for v in colours[rng.randrange(len(colours))]) for _ in range(24)]
    canvas = Image.new("RGB", small, palette[0])
    draw = ImageDraw.Draw(canvas)
    rmin, rmax = max(2.0, max(small) / 100), max(small) / 3
    for _ in range(1200):
        # r ~ r^-3 between rmin and rmax (inverse-CDF sampling)
        u = rng.random()
        r = (rmin**-2 - u * (rmin**-2 - rmax**-2)) ** -0.5
        cx, cy = rng.uniform(0, small[0]), rng.uniform(0, small[1])
        shift = rng.randint(-20, 20)
        colour = tuple(min(255, max(0, c + shift)) for c in palette[rng.randrange(len(palette))])
        kind = rng.random()
        if kind < 0.5:
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
        elif kind < 0.8:
            ratio = rng.uniform(0.4, 2.5)
            draw.rectangle((cx - r * ratio, cy - r / ratio, cx + r * ratio, cy + r / ratio), colour)
        else:
            points = [
                (cx + r * math.cos(a), cy + r * math.sin(a))
                for a in sorted(rng.uniform(0, 2 * math.pi) for _ in range(rng.randint(3, 6)))
            ]
            draw.polygon(points, fill=colour)
    canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0)))
    pixels = np.asarray(canvas, dtype=np.float32)
    yy, xx = np.mgrid[0 : small[1], 0 : small[0]].astype(np.float32)
    angle = rng.uniform(0, 2 * math.pi)
    ramp = (xx * math.cos(angle) + yy * math.sin(angle)) / max(small)
    light = 1.0 + rng.uniform(0.1, 0.4) * (ramp - ramp.mean())
    canvas = Image.fromarray(np.clip(pixels * light[..., None], 0, 255).astype(np.uint8))
    return _finish(canvas, max(size), rng)


def _real_crop(rng: random.Random, long_side: int) -> Image.Image:
    source = _source(DISTRACTOR_SOURCES[rng.randrange(len(DISTRACTOR_SOURCES))])
    w, h = source.size
    cw, ch = int(w * rng.uniform(0.4, 1.0)), int(h * rng.uniform(0.4, 1.0))
    x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
    region = source.crop((x, y, x + cw, y + ch))
    if rng.random() < 0.5:
        region = ImageOps.mirror(region)
    return _finish(region, long_side, rng)


@cache
def _lfw() -> np.ndarray:
    import skimage

    # the first 100 of the 200 are faces (the rest are non-face patches)
    faces = np.load(Path(skimage.__file__).parent / "data" / "lfw_subset.npy")[:100]
    return (np.clip(faces, 0, 1) * 255).astype(np.uint8)


def _contact_sheet(rng: random.Random, long_side: int) -> Image.Image:
    """A grid of face thumbnails (a gallery or a contacts screen)."""
    faces = _lfw()
    cols, rows = rng.randint(2, 4), rng.randint(2, 5)
    cell = long_side // max(cols, rows)
    gap = rng.randint(0, 12)
    sheet = Image.new("RGB", (cols * (cell + gap), rows * (cell + gap)), (250, 250, 250))
    for r in range(rows):
        for c in range(cols):
            face = Image.fromarray(faces[rng.randrange(len(faces))]).convert("RGB")
            sheet.paste(
                face.resize((cell, cell), Image.Resampling.BICUBIC),
                (c * (cell + gap), r * (cell + gap)),
            )
    return _finish(sheet, long_side, rng)


def distractor(i: int, *, seed: int = 12) -> Image.Image:
    """The ``i``-th distractor: unrelated to every original (see the module's docstring)."""
    rng = random.Random(seed * 1_000_003 + i)
    long_side = rng.randint(640, 1280)
    kind = i % 5
    if kind in (0, 1):
        image = _real_crop(rng, long_side)
    elif kind == 2:
        image = _contact_sheet(rng, long_side)
    else:
        aspect = rng.choice((1.0, 4 / 3, 3 / 4, 16 / 9, 9 / 16))
        size = (
            (long_side, round(long_side / aspect))
            if aspect >= 1
            else (round(long_side * aspect), long_side)
        )
        image = _dead_leaves(rng, size)
    if rng.random() < 0.5:
        name = rng.choice(sorted(TRANSFORMS))
        image = TRANSFORMS[name](image, rng)
    return image


def distractors(n: int = 3000, *, seed: int = 12) -> Iterator[Image.Image]:
    """``n`` distractors, made one at a time (3,000 pictures would not all fit in memory)."""
    for i in range(n):
        yield distractor(i, seed=seed)


def filler_picture(i: int, *, seed: int = 13, side: int = 64) -> np.ndarray:
    """A small procedural picture whose PDQ fills a bank (about half a millisecond): a dead-leaves
    picture of its own seed, coloured from a distractor source's pixels, never an original's."""
    rng = random.Random(seed * 1_000_003 + i)
    size = (side, max(16, round(side / rng.uniform(0.6, 1.6))))
    colours = _palette(DISTRACTOR_SOURCES[i % len(DISTRACTOR_SOURCES)])
    canvas = Image.new("RGB", size, tuple(colours[rng.randrange(len(colours))]))
    draw = ImageDraw.Draw(canvas)
    rmin, rmax = 1.0, side / 2
    for _ in range(rng.randint(60, 200)):
        u = rng.random()
        r = (rmin**-2 - u * (rmin**-2 - rmax**-2)) ** -0.5
        cx, cy = rng.uniform(0, size[0]), rng.uniform(0, size[1])
        colour = tuple(colours[rng.randrange(len(colours))])
        if rng.random() < 0.6:
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
        else:
            draw.rectangle((cx - r, cy - r / 2, cx + r, cy + r / 2), fill=colour)
    return np.asarray(canvas)


@cache
def _palette(name: str) -> list[tuple[int, int, int]]:
    pixels = np.asarray(_source(name)).reshape(-1, 3)
    picks = np.random.default_rng(len(name)).integers(0, len(pixels), 256)
    return [tuple(int(v) for v in pixels[k]) for k in picks]  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# drawing helpers

WORDS = (
    "so true",
    "weekend",
    "no way",
    "look at this",
    "lol",
    "summer",
    "again",
    "best day",
    "who did this",
    "omg",
    "friday",
    "the group chat",
    "can't stop",
    "send help",
    "iconic",
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(8, size))


def _text(rng: random.Random, words: int = 3) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _user(rng: random.Random) -> str:
    return f"user_{rng.randrange(10_000):04d}"


def _encode(image: Image.Image, fmt: str, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, fmt, quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def _fit(image: Image.Image, box: tuple[int, int]) -> Image.Image:
    """Scaled (up or down) to fit inside ``box``, aspect kept."""
    scale = min(box[0] / image.width, box[1] / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BILINEAR)


def _blurred_fill(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The picture itself, enlarged to cover ``size`` and heavily blurred (story backgrounds)."""
    scale = max(size[0] / image.width, size[1] / image.height)
    cover = image.resize(
        (math.ceil(image.width * scale), math.ceil(image.height * scale)),
        Image.Resampling.BILINEAR,
    )
    left, top = (cover.width - size[0]) // 2, (cover.height - size[1]) // 2
    cover = cover.crop((left, top, left + size[0], top + size[1]))
    small = cover.resize((max(1, size[0] // 8), max(1, size[1] // 8)), Image.Resampling.BILINEAR)
    small = small.filter(ImageFilter.GaussianBlur(4))
    return ImageEnhance.Brightness(small.resize(size, Image.Resampling.BILINEAR)).enhance(0.8)


def _status_bar(
    draw: ImageDraw.ImageDraw,
    width: int,
    height: int,
    ink: tuple[int, int, int],
    rng: random.Random,
) -> None:
    font = _font(int(height * 0.45))
    draw.text(
        (int(width * 0.06), height * 0.25),
        f"{rng.randint(7, 23)}:{rng.randrange(60):02d}",
        fill=ink,
        font=font,
    )
    x = int(width * 0.78)
    for bar in range(4):  # signal strength
        bh = int(height * (0.15 + 0.1 * bar))
        draw.rectangle((x + bar * 9, height * 0.7 - bh, x + bar * 9 + 5, height * 0.7), fill=ink)
    bx = int(width * 0.87)
    draw.rounded_rectangle((bx, height * 0.3, bx + 60, height * 0.7), 6, outline=ink, width=3)
    draw.rectangle(
        (bx + 5, height * 0.3 + 5, bx + 5 + rng.randint(10, 50), height * 0.7 - 5), fill=ink
    )


def _icons(
    draw: ImageDraw.ImageDraw,
    y: int,
    width: int,
    size: int,
    count: int,
    ink: tuple[int, int, int],
    spread: bool = False,
) -> None:
    step = width // (count + 1) if spread else int(size * 1.8)
    x0 = step - size // 2 if spread else int(width * 0.04)
    for k in range(count):
        x = x0 + k * step
        draw.ellipse((x, y, x + size, y + size), outline=ink, width=max(2, size // 10))


# ---------------------------------------------------------------------------------------------
# transforms: re-encoding, noise, blur, filters, grayscale, resize


def jpeg_70(image: Image.Image, rng: random.Random) -> Image.Image:
    return _encode(image, "JPEG", 70)


def jpeg_40(image: Image.Image, rng: random.Random) -> Image.Image:
    return _encode(image, "JPEG", 40)


def webp_60(image: Image.Image, rng: random.Random) -> Image.Image:
    return _encode(image, "WEBP", 60)


def noise(image: Image.Image, rng: random.Random) -> Image.Image:
    pixels = np.asarray(image, dtype=np.int16)
    grain = np.random.default_rng(rng.getrandbits(32)).normal(0.0, 12.0, size=pixels.shape)
    return Image.fromarray(np.clip(pixels + grain, 0, 255).astype(np.uint8))


def blur(image: Image.Image, rng: random.Random) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(max(image.size) / 400))


def filter_vintage(image: Image.Image, rng: random.Random) -> Image.Image:
    """Warm, contrasty, saturated, with a vignette: an app's photo filter."""
    out = ImageEnhance.Contrast(image).enhance(1.25)
    out = ImageEnhance.Color(out).enhance(1.35)
    pixels = np.asarray(out, dtype=np.float32)
    pixels = pixels * np.array([1.08, 1.0, 0.86], np.float32) + np.array([12, 4, 0], np.float32)
    h, w = pixels.shape[:2]
    y, x = np.ogrid[-1 : 1 : h * 1j, -1 : 1 : w * 1j]
    vignette = 1.0 - 0.35 * np.clip(x * x + y * y - 0.3, 0, None)
    return Image.fromarray(np.clip(pixels * vignette[..., None], 0, 255).astype(np.uint8))


def grayscale(image: Image.Image, rng: random.Random) -> Image.Image:
    return ImageOps.grayscale(image).convert("RGB")


def resize_25(image: Image.Image, rng: random.Random) -> Image.Image:
    size = (max(1, image.width // 4), max(1, image.height // 4))
    return image.resize(size, Image.Resampling.BILINEAR)


# crops: ``percent`` of the width and of the height removed in all


def _crop(image: Image.Image, rng: random.Random, percent: float, centred: bool) -> Image.Image:
    w, h = image.size
    dw, dh = round(w * percent / 100), round(h * percent / 100)
    if centred:
        left, top = dw // 2, dh // 2
    else:
        left, top = rng.choice((0, dw)), rng.randint(0, dh)
    return image.crop((left, top, left + w - dw, top + h - dh))


def crop_5(image: Image.Image, rng: random.Random) -> Image.Image:
    return _crop(image, rng, 5, centred=True)


def crop_10_offcentre(image: Image.Image, rng: random.Random) -> Image.Image:
    return _crop(image, rng, 10, centred=False)


def crop_20(image: Image.Image, rng: random.Random) -> Image.Image:
    return _crop(image, rng, 20, centred=True)


def crop_20_offcentre(image: Image.Image, rng: random.Random) -> Image.Image:
    return _crop(image, rng, 20, centred=False)


# borders and letterboxes


def border_10_solid(image: Image.Image, rng: random.Random) -> Image.Image:
    colour = rng.choice(((255, 255, 255), (0, 0, 0), (236, 64, 122), (30, 30, 36)))
    return ImageOps.expand(image, (image.width // 10, image.height // 10), fill=colour)


def border_25_blurred(image: Image.Image, rng: random.Random) -> Image.Image:
    """A 25% frame on every side filled with the picture itself, blurred."""
    size = (image.width * 3 // 2, image.height * 3 // 2)
    canvas = _blurred_fill(image, size)
    canvas.paste(image, (image.width // 4, image.height // 4))
    return canvas


def letterbox_9x16(image: Image.Image, rng: random.Random) -> Image.Image:
    """Fitted into a 1080 x 1920 frame on black, as a video or story export."""
    canvas = Image.new("RGB", (1080, 1920), (0, 0, 0))
    fitted = _fit(image, canvas.size)
    canvas.paste(fitted, ((1080 - fitted.width) // 2, (1920 - fitted.height) // 2))
    return canvas


# phone screenshots


def _post_screenshot(image: Image.Image, rng: random.Random, margin: int) -> Image.Image:
    """A feed post captured on a 1080-wide phone: status bar, app header, the whole picture,
    actions, likes, caption, the next post's header, the navigation bar."""
    dark = rng.random() < 0.4
    bg, ink = ((0, 0, 0), (245, 245, 245)) if dark else ((255, 255, 255), (20, 20, 20))
    width, height = 1080, rng.choice((1920, 2340, 2400))
    shot = Image.new("RGB", (width, height), bg)
    draw = ImageDraw.Draw(shot)
    status = 80
    _status_bar(draw, width, status, ink, rng)
    draw.text(
        (40, status + 30), rng.choice(("Instagram", "Feed", "For you")), fill=ink, font=_font(56)
    )
    for k in range(2):  # header actions, on the right
        x = width - 180 + k * 80
        draw.ellipse((x, status + 35, x + 50, status + 85), outline=ink, width=5)
    y = status + 130
    draw.ellipse((30, y + 20, 110, y + 100), fill=(200, 120, 80))  # the poster's avatar
    draw.text((130, y + 35), _user(rng), fill=ink, font=_font(38))
    y += 120
    # the whole picture, as wide as the post and no taller than the screen leaves
    fitted = _fit(image, (width - 2 * margin, height - y - 520))
    shot.paste(fitted, ((width - fitted.width) // 2, y))
    picture = fitted
    y += picture.height + 20
    _icons(draw, y, width, 60, 3, ink)
    y += 90
    draw.text((40, y), f"{rng.randint(12, 98_000):,} likes", fill=ink, font=_font(36))
    draw.text((40, y + 50), f"{_user(rng)} {_text(rng)}", fill=ink, font=_font(36))
    draw.text((40, y + 100), _text(rng, 4), fill=(128, 128, 128), font=_font(32))
    y += 170
    if y + 120 < height - 160:
        draw.ellipse((30, y, 110, y + 80), fill=(90, 140, 200))
        draw.text((130, y + 15), _user(rng), fill=ink, font=_font(38))
    nav = height - 150
    draw.rectangle((0, nav, width, height), fill=bg)
    draw.line((0, nav, width, nav), fill=(128, 128, 128), width=2)
    _icons(draw, nav + 30, width, 60, 5, ink, spread=True)
    draw.rounded_rectangle(
        (width // 2 - 140, height - 30, width // 2 + 140, height - 20), 5, fill=ink
    )
    return shot


def screenshot_post(image: Image.Image, rng: random.Random) -> Image.Image:
    return _post_screenshot(image, rng, margin=0)


def screenshot_card_scaled(image: Image.Image, rng: random.Random) -> Image.Image:
    """A post shown as a card with margins, the screenshot then sent on at half size as JPEG."""
    shot = _post_screenshot(image, rng, margin=rng.randint(24, 60))
    shot = shot.resize((shot.width // 2, shot.height // 2), Image.Resampling.BILINEAR)
    return _encode(shot, "JPEG", 75)


def screenshot_story(image: Image.Image, rng: random.Random) -> Image.Image:
    """A story: the picture over its own blurred fill, progress bar and reply box on top."""
    width, height = 1080, rng.choice((1920, 2340))
    shot = _blurred_fill(image, (width, height))
    fitted = _fit(image, (width, height - 400))
    shot.paste(fitted, ((width - fitted.width) // 2, (height - fitted.height) // 2))
    draw = ImageDraw.Draw(shot)
    white = (250, 250, 250)
    _status_bar(draw, width, 80, white, rng)
    draw.rounded_rectangle((20, 100, width - 20, 106), 3, fill=white)
    draw.ellipse((30, 130, 100, 200), fill=(200, 120, 80))
    draw.text((120, 145), _user(rng), fill=white, font=_font(36))
    draw.rounded_rectangle((30, height - 170, width - 180, height - 70), 50, outline=white, width=3)
    draw.text((80, height - 140), "Send message", fill=white, font=_font(36))
    return shot


# rotation and perspective


def _rotate(image: Image.Image, rng: random.Random, degrees: float) -> Image.Image:
    fill = rng.choice(((255, 255, 255), (0, 0, 0)))
    angle = degrees * rng.choice((-1, 1))
    return image.rotate(angle, Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


def rotate_3(image: Image.Image, rng: random.Random) -> Image.Image:
    return _rotate(image, rng, 3)


def rotate_8(image: Image.Image, rng: random.Random) -> Image.Image:
    return _rotate(image, rng, 8)


def rotate_5_zoom(image: Image.Image, rng: random.Random) -> Image.Image:
    """Straightened in an editor: rotated 5 degrees and zoomed in so no corner shows."""
    angle = math.radians(5)
    w, h = image.size
    rotated = image.rotate(5 * rng.choice((-1, 1)), Image.Resampling.BICUBIC)
    # the largest centred rectangle of the original's aspect inside the rotated picture
    scale = 1 / (math.cos(angle) + math.sin(angle) * max(w / h, h / w))
    cw, ch = round(w * scale), round(h * scale)
    return rotated.crop(((w - cw) // 2, (h - ch) // 2, (w + cw) // 2, (h + ch) // 2))


def perspective(image: Image.Image, rng: random.Random) -> Image.Image:
    """Photographed off a screen: a keystone, a dark surround, a little blur."""
    import cv2

    w, h = image.size
    pad = round(0.08 * max(w, h))
    out_size = (w + 2 * pad, h + 2 * pad)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = [(rng.uniform(0, 0.07) * w, rng.uniform(0, 0.07) * h) for _ in range(4)]
    dst = np.float32(
        [
            [pad + jitter[0][0], pad + jitter[0][1]],
            [pad + w - jitter[1][0], pad + jitter[1][1]],
            [pad + w - jitter[2][0], pad + h - jitter[2][1]],
            [pad + jitter[3][0], pad + h - jitter[3][1]],
        ]
    )
    matrix = cv2.getPerspectiveTransform(src, dst)
    grey = rng.randint(15, 50)
    warped = cv2.warpPerspective(
        np.asarray(image),
        matrix,
        out_size,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(grey, grey, grey + 5),
    )
    return noise(Image.fromarray(warped).filter(ImageFilter.GaussianBlur(1.0)), rng)


# overlays: captions and stickers


def _caption(image: Image.Image, rng: random.Random, fraction: float) -> Image.Image:
    """A meme caption bar over the picture, ``fraction`` of the result's height."""
    bar = round(image.height * fraction / (1 - fraction))
    canvas = Image.new("RGB", (image.width, image.height + bar), (255, 255, 255))
    canvas.paste(image, (0, bar))
    draw = ImageDraw.Draw(canvas)
    lines = 1 if fraction < 0.2 else 2
    size = max(10, min(bar // (lines + 1), image.width // 14))
    for line in range(lines):
        draw.text(
            (image.width * 0.05, bar * (line + 0.5) / (lines + 0.3)),
            _text(rng),
            fill=(0, 0, 0),
            font=_font(size),
        )
    return canvas


def caption_12(image: Image.Image, rng: random.Random) -> Image.Image:
    return _caption(image, rng, 0.12)


def caption_30(image: Image.Image, rng: random.Random) -> Image.Image:
    return _caption(image, rng, 0.30)


def _sticker(size: int, rng: random.Random) -> Image.Image:
    sticker = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(sticker)
    kind = rng.randrange(3)
    if kind == 0:  # a smiley
        draw.ellipse((0, 0, size - 1, size - 1), fill=(255, 204, 51, 255), outline=(200, 140, 0))
        e = size // 8
        draw.ellipse(
            (size * 0.3 - e, size * 0.35 - e, size * 0.3 + e, size * 0.35 + e),
            fill=(60, 40, 20, 255),
        )
        draw.ellipse(
            (size * 0.7 - e, size * 0.35 - e, size * 0.7 + e, size * 0.35 + e),
            fill=(60, 40, 20, 255),
        )
        draw.arc(
            (size * 0.2, size * 0.3, size * 0.8, size * 0.8),
            20,
            160,
            fill=(60, 40, 20, 255),
            width=max(2, size // 14),
        )
    elif kind == 1:  # a heart
        r = size // 4
        red = (230, 30, 70, 255)
        draw.ellipse((0, 0, 2 * r, 2 * r), fill=red)
        draw.ellipse((2 * r, 0, 4 * r - 1, 2 * r), fill=red)
        draw.polygon([(0, r + 4), (size - 1, r + 4), (size // 2, size - 1)], fill=red)
    else:  # a speech bubble with a word
        draw.rounded_rectangle(
            (0, size * 0.15, size - 1, size * 0.75),
            size // 6,
            fill=(255, 255, 255, 255),
            outline=(0, 0, 0, 255),
            width=3,
        )
        draw.text(
            (size * 0.12, size * 0.3),
            rng.choice(("lol", "omg", "wow", "!!")),
            fill=(0, 0, 0, 255),
            font=_font(size // 4),
        )
    return sticker.rotate(rng.uniform(-25, 25), Image.Resampling.BICUBIC, expand=True)


def stickers(image: Image.Image, rng: random.Random) -> Image.Image:
    """Three to five stickers (smileys, hearts, bubbles), each 12-22% of the width."""
    canvas = image.convert("RGBA")
    for _ in range(rng.randint(3, 5)):
        sticker = _sticker(round(image.width * rng.uniform(0.12, 0.22)), rng)
        x = rng.randint(0, max(0, image.width - sticker.width))
        y = rng.randint(0, max(0, image.height - sticker.height))
        canvas.alpha_composite(sticker, (x, y))
    return canvas.convert("RGB")


def crop_caption_jpeg(image: Image.Image, rng: random.Random) -> Image.Image:
    """Cropped 10% off-centre, captioned (15%), saved as JPEG 60: the forwarded meme."""
    return _encode(_caption(_crop(image, rng, 10, centred=False), rng, 0.15), "JPEG", 60)


# ---------------------------------------------------------------------------------------------
# the suite

_SUITE: tuple[tuple[str, str, Transform], ...] = (
    ("jpeg_70", "reencode", jpeg_70),
    ("jpeg_40", "reencode", jpeg_40),
    ("webp_60", "reencode", webp_60),
    ("noise", "noise", noise),
    ("blur", "blur", blur),
    ("filter_vintage", "filter", filter_vintage),
    ("grayscale", "grayscale", grayscale),
    ("resize_25", "resize", resize_25),
    ("crop_5", "crop", crop_5),
    ("crop_10_offcentre", "crop", crop_10_offcentre),
    ("crop_20", "crop", crop_20),
    ("crop_20_offcentre", "crop", crop_20_offcentre),
    ("border_10_solid", "border", border_10_solid),
    ("border_25_blurred", "border", border_25_blurred),
    ("letterbox_9x16", "letterbox", letterbox_9x16),
    ("screenshot_post", "screenshot", screenshot_post),
    ("screenshot_card_scaled", "screenshot", screenshot_card_scaled),
    ("screenshot_story", "screenshot", screenshot_story),
    ("rotate_3", "rotation", rotate_3),
    ("rotate_8", "rotation", rotate_8),
    ("rotate_5_zoom", "rotation", rotate_5_zoom),
    ("perspective", "perspective", perspective),
    ("caption_12", "caption", caption_12),
    ("caption_30", "caption", caption_30),
    ("stickers", "stickers", stickers),
    ("crop_caption_jpeg", "combined", crop_caption_jpeg),
)

#: transform name -> function(image, rng) -> image
TRANSFORMS: dict[str, Transform] = {name: fn for name, _, fn in _SUITE}
#: transform name -> family name
FAMILY: dict[str, str] = {name: family for name, family, _ in _SUITE}
#: family name -> its transforms' names, in suite order
FAMILIES: dict[str, tuple[str, ...]] = {
    family: tuple(name for name, f, _ in _SUITE if f == family)
    for family in dict.fromkeys(f for _, f, _ in _SUITE)
}


def apply(name: str, image: Image.Image, *, seed: int, index: int) -> Image.Image:
    """Transform ``name`` of original ``index``: the same pixels for the same seed."""
    rng = random.Random(f"{seed}:{name}:{index}")
    return TRANSFORMS[name](image, rng)


def queries(
    images: list[Image.Image], names: list[str] | None = None, *, seed: int = 14
) -> Iterator[tuple[int, str, Image.Image]]:
    """(original index, transform name, transformed picture) for every pair, made lazily."""
    for name in names or list(TRANSFORMS):
        for index, image in enumerate(images):
            yield index, name, apply(name, image, seed=seed, index=index)

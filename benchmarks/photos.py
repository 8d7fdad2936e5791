"""Benign benchmark photos, made on demand and never committed.

Sources are benign pictures shipped inside packages and the shared test data: the photographs of
scikit-image's data folder (astronaut, coffee, cat, rocket, motorcycle, retina, Hubble...) and the
portraits of ../shared/data/faces. Each benchmark photo is a random crop of one source, resampled to
a size between 1 and 12 megapixels, given mild colour changes and sensor-like noise (so that it has
fine detail at full resolution, as a real photo has), and saved as a JPEG of quality 80 to 95.
The same seed always gives the same files; they live in .cache/bench-photos.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "bench-photos"
SHARED_FACES = ROOT.parent / "shared" / "data" / "faces"
SKIMAGE_PHOTOS = (
    "astronaut.png",
    "coffee.png",
    "chelsea.png",
    "rocket.jpg",
    "motorcycle_left.png",
    "retina.jpg",
    "hubble_deep_field.jpg",
    "ihc.png",
    "grass.png",
    "gravel.png",
    "brick.png",
    "camera.png",
    "moon.png",
    "page.png",
)


def sources() -> list[Path]:
    import skimage

    data_dir = Path(skimage.__file__).parent / "data"
    found = [data_dir / name for name in SKIMAGE_PHOTOS if (data_dir / name).exists()]
    found += sorted(p for p in SHARED_FACES.glob("*") if p.suffix in {".jpg", ".png"})
    if not found:
        raise SystemExit("no benign source images found (is scikit-image installed?)")
    return found


def _make_photo(source: Image.Image, megapixels: float, rng: np.random.Generator) -> Image.Image:
    w, h = source.size
    crop = rng.uniform(0.55, 1.0)
    cw, ch = max(16, int(w * crop)), max(16, int(h * rng.uniform(0.55, 1.0)))
    x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    region = source.crop((x, y, x + cw, y + ch))
    scale = (megapixels * 1e6 / (cw * ch)) ** 0.5
    size = (max(1, round(cw * scale)), max(1, round(ch * scale)))
    photo = region.resize(size, Image.Resampling.LANCZOS)
    photo = ImageEnhance.Color(photo).enhance(rng.uniform(0.7, 1.3))
    photo = ImageEnhance.Brightness(photo).enhance(rng.uniform(0.85, 1.15))
    pixels = np.asarray(photo, dtype=np.int16)
    noise = rng.normal(0.0, rng.uniform(2.0, 7.0), size=(*pixels.shape[:2], 1))
    return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))


def photos(
    count: int = 120, *, seed: int = 2026, min_mp: float = 1.0, max_mp: float = 12.0
) -> list[Path]:
    """Returns `count` JPEG photos between min_mp and max_mp megapixels, making missing ones."""
    out = CACHE / f"seed{seed}-{min_mp:g}-{max_mp:g}"
    manifest = out / "manifest.json"
    if manifest.exists():
        listed = [out / name for name in json.loads(manifest.read_text())]
        if len(listed) >= count and all(p.exists() for p in listed[:count]):
            return listed[:count]
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    srcs = [Image.open(p).convert("RGB") for p in sources()]
    names = []
    for i in range(count):
        megapixels = float(rng.uniform(min_mp, max_mp))
        photo = _make_photo(srcs[i % len(srcs)], megapixels, rng)
        name = f"photo-{i:03d}-{photo.width}x{photo.height}.jpg"
        photo.save(out / name, quality=int(rng.integers(80, 96)))
        names.append(name)
        if sys.stderr.isatty():
            print(
                f"\rmaking benchmark photos: {i + 1}/{count}", end="", file=sys.stderr, flush=True
            )
    print(file=sys.stderr)
    manifest.write_text(json.dumps(names))
    return [out / n for n in names]


if __name__ == "__main__":
    made = photos()
    print(f"{len(made)} photos in {made[0].parent}")

"""The crop-robust signal, measured: recall per re-upload transform, false matches on unrelated
pictures, added cost per query at a bank of 100k entries, storage per entry; beside plain PDQ and
multi-crop PDQ (PDQ of 13 canonical sub-regions stored at bank time).

Data, stated honestly (no intimate image anywhere):
- originals: crops of the portraits of ../shared/data/faces and of six scikit-image photographs
  (astronaut, coffee, chelsea, rocket, motorcycle, retina), several per source;
- distractors: crops of the *other* scikit-image pictures (hubble, ihc, grass, gravel, brick,
  camera, moon, page, text, coins, horse, clock...) and generated scenes (colour fields, shapes,
  text, noise) - no source shared with the originals;
- the 100k bank: the originals, then entries made of real distractor keypoints (words and
  positions) mixed across pictures: realistic posting lists for the candidate stage, no real
  image behind them (computing 100k real pictures' keypoints does not fit this machine's time).
- transforms: this script's own (the shared suite is benchmarks/reupload/suite.py when merged).

Run: .venv/bin/python benchmarks/bench_robust.py [--originals 40] [--distractors 3000]
[--bank 100000] (about 3 minutes on one core).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from benchmarks.photos import SHARED_FACES  # noqa: E402
from bouclier.hashing import pdq  # noqa: E402
from bouclier.signals.orb import FULL, KEYPOINTS, MIN_INLIERS, PACKED_BYTES, extract  # noqa: E402
from bouclier.signals.orb_index import OrbIndex  # noqa: E402

ORIGINAL_SOURCES = (
    "astronaut.png",
    "coffee.png",
    "chelsea.png",
    "rocket.jpg",
    "motorcycle_left.png",
    "retina.jpg",
)
DISTRACTOR_SOURCES = (
    "hubble_deep_field.jpg",
    "ihc.png",
    "grass.png",
    "gravel.png",
    "brick.png",
    "camera.png",
    "moon.png",
    "page.png",
    "text.png",
    "coins.png",
    "horse.png",
    "clock_motion.png",
    "cell.png",
    "motorcycle_right.png",
    "logo.png",
    "microaneurysms.png",
    "phantom.png",
    "color.png",
)
CAPTION = "when she thought nobody would see"


def _skimage(name: str) -> Image.Image:
    import skimage

    return Image.open(Path(skimage.__file__).parent / "data" / name).convert("RGB")


def _window(image: Image.Image, rng: np.random.Generator, low: float = 0.6) -> Image.Image:
    w, h = image.size
    cw, ch = int(w * rng.uniform(low, 1.0)), int(h * rng.uniform(low, 1.0))
    x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    out = image.crop((x, y, x + cw, y + ch))
    scale = rng.uniform(600, 1000) / max(out.size)
    return out.resize((max(16, int(cw * scale)), max(16, int(ch * scale))))


def originals(count: int, rng: np.random.Generator) -> list[Image.Image]:
    sources = [Image.open(p).convert("RGB") for p in sorted(SHARED_FACES.glob("*.jpg"))]
    sources += [_skimage(name) for name in ORIGINAL_SOURCES]
    return [_window(sources[i % len(sources)], rng, 0.75) for i in range(count)]


def _scene(rng: np.random.Generator) -> Image.Image:
    w, h = int(rng.integers(400, 900)), int(rng.integers(400, 900))
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    channels = [
        np.sin(x / w * rng.uniform(1, 9) + rng.uniform(0, 6))
        * np.cos(y / h * rng.uniform(1, 9))
        * 90
        + 128
        for _ in range(3)
    ]
    image = Image.fromarray(np.clip(np.stack(channels, 2), 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(3, 15))):
        box = sorted(rng.integers(0, w, 2).tolist()), sorted(rng.integers(0, h, 2).tolist())
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((box[0][0], box[1][0], box[0][1], box[1][1]), fill=colour)
    if rng.random() < 0.5:
        draw.text(
            (int(rng.integers(0, w // 2)), int(rng.integers(0, h - 40))),
            CAPTION,
            fill="black",
            font_size=int(rng.integers(14, 40)),
        )
    noise = rng.normal(0, rng.uniform(1, 6), (h, w, 1))
    return Image.fromarray(np.clip(np.asarray(image) + noise, 0, 255).astype(np.uint8))


def distractors(count: int, rng: np.random.Generator) -> list[Image.Image]:
    sources = [_skimage(name) for name in DISTRACTOR_SOURCES]
    found = []
    for i in range(count):
        found.append(_window(sources[i % len(sources)], rng, 0.3) if i % 2 else _scene(rng))
    return found


# ---- transforms (the families that framing cannot undo, and a few it can) ----------------
def _jpeg(image: Image.Image, quality: int = 75) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def _crop(f: float, where: str = "centre") -> Callable[[Image.Image], Image.Image]:
    def apply(image: Image.Image) -> Image.Image:
        w, h = image.size
        dx, dy = int(w * f), int(h * f)
        box = {
            "centre": (dx // 2, dy // 2, w - dx // 2, h - dy // 2),
            "top-left": (0, 0, w - dx, h - dy),
            "bottom-right": (dx, dy, w, h),
            "left": (dx, dy // 2, w, h - dy // 2),
        }[where]
        return image.crop(box)

    return apply


def _caption_above(image: Image.Image, f: float = 0.25) -> Image.Image:
    w, h = image.size
    out = Image.new("RGB", (w, int(h * (1 + f))), "white")
    out.paste(image, (0, out.height - h))
    ImageDraw.Draw(out).text((10, 10), CAPTION, fill="black", font_size=max(12, int(h * f / 3)))
    return out


def _caption_over(image: Image.Image, f: float = 0.2) -> Image.Image:
    out = image.copy()
    w, h = out.size
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, h - int(h * f), w, h), fill="black")
    draw.text((10, h - int(h * f) + 5), CAPTION, fill="white", font_size=max(12, int(h * f / 3)))
    return out


def _stickers(count: int) -> Callable[[Image.Image], Image.Image]:
    def apply(image: Image.Image) -> Image.Image:
        out = image.copy()
        w, h = out.size
        draw = ImageDraw.Draw(out)
        rng = np.random.default_rng(w * h + count)
        for _ in range(count):
            s = int(min(w, h) * 0.18)
            x, y = int(rng.integers(0, w - s)), int(rng.integers(0, h - s))
            draw.ellipse((x, y, x + s, y + s), fill=(255, 210, 0))
            draw.ellipse((x + s // 4, y + s // 3, x + s // 3, y + s // 2), fill="black")
            draw.arc((x + s // 5, y + s // 2, x + 4 * s // 5, y + 4 * s // 5), 0, 180, "black", 3)
        return out

    return apply


def _perspective(image: Image.Image, f: float = 0.08) -> Image.Image:
    import cv2

    a = np.asarray(image)
    h, w = a.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[w * f, h * f / 2], [w * (1 - f / 3), 0], [w, h], [0, h * (1 - f / 2)]])
    matrix = cv2.getPerspectiveTransform(src, dst)
    return Image.fromarray(cv2.warpPerspective(a, matrix, (w, h), borderValue=(0, 0, 0)))


def _border(f: float) -> Callable[[Image.Image], Image.Image]:
    def apply(image: Image.Image) -> Image.Image:
        w, h = image.size
        out = Image.new("RGB", (int(w * (1 + 2 * f)), int(h * (1 + 2 * f))), (20, 20, 20))
        out.paste(image, (int(w * f), int(h * f)))
        return out

    return apply


def _screenshot(image: Image.Image) -> Image.Image:
    w, h = image.size
    phone = Image.new("RGB", (w, int(h * 1.6)), (250, 250, 250))
    phone.paste(image, (0, int(h * 0.3)))
    draw = ImageDraw.Draw(phone)
    draw.rectangle((0, 0, w, int(h * 0.06)), fill=(30, 30, 30))
    draw.text((10, int(h * 0.1)), "alice_92 · 2 h", fill="black", font_size=max(12, h // 25))
    draw.text((10, int(h * 1.35)), "♥ 128   " + CAPTION, fill="black", font_size=max(12, h // 25))
    return phone


def _crop_caption(image: Image.Image) -> Image.Image:
    framed = _caption_above(_crop(0.1, "top-left")(image))
    return _jpeg(framed.resize((image.width // 2, image.height * 2 // 3)), 60)


def _crop_stickers(image: Image.Image) -> Image.Image:
    return _jpeg(_stickers(2)(_crop(0.15, "left")(image)), 60)


TRANSFORMS: dict[str, tuple[str, Callable[[Image.Image], Image.Image]]] = {
    "jpeg q50": ("baseline", lambda im: _jpeg(im, 50)),
    "resize 50%": ("baseline", lambda im: im.resize((im.width // 2, im.height // 2))),
    "crop 5%": ("crop", _crop(0.05)),
    "crop 10%": ("crop", _crop(0.10)),
    "crop 20%": ("crop", _crop(0.20)),
    "crop 10% top-left": ("crop", _crop(0.10, "top-left")),
    "crop 20% bottom-right": ("crop", _crop(0.20, "bottom-right")),
    "crop 15% left": ("crop", _crop(0.15, "left")),
    "caption bar above 25%": ("caption", _caption_above),
    "caption bar over 20%": ("caption", _caption_over),
    "1 sticker": ("sticker", _stickers(1)),
    "3 stickers": ("sticker", _stickers(3)),
    "perspective 8%": ("perspective", _perspective),
    "rotation 3°": ("rotation", lambda im: im.rotate(3, Image.Resampling.BILINEAR)),
    "rotation 8°": ("rotation", lambda im: im.rotate(8, Image.Resampling.BILINEAR)),
    "border 10%": ("border", _border(0.10)),
    "border 25%": ("border", _border(0.25)),
    "phone screenshot": ("screenshot", _screenshot),
    "crop + caption + JPEG": (
        "combined",
        lambda im: _jpeg(
            _caption_above(_crop(0.1, "top-left")(im)).resize((im.width // 2, im.height * 2 // 3)),
            60,
        ),
    ),
    "crop + stickers + JPEG": (
        "combined",
        lambda im: _jpeg(_stickers(2)(_crop(0.15, "left")(im)), 60),
    ),
}


# ---- multi-crop PDQ -------------------------------------------------------------------------
CANONICAL = [
    ("centre", 0.0),
    *[("centre", f) for f in (0.05, 0.1, 0.15, 0.2)],
    *[(w, f) for f in (0.1, 0.2) for w in ("top-left", "bottom-right", "left")],
    ("bottom-right", 0.05),
    ("top-left", 0.05),
    ("left", 0.05),
    ("left", 0.3),
]


def _pdq(image: Image.Image) -> np.ndarray:
    value = pdq.hash_pixels(np.asarray(image.convert("RGB"))).hashes[0]
    return np.frombuffer(bytes.fromhex(value), np.uint8)


def _pdq_distance(bank: np.ndarray, query: np.ndarray) -> np.ndarray:
    return np.bitwise_count(bank ^ query).sum(axis=-1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--originals", type=int, default=40)
    parser.add_argument("--distractors", type=int, default=3000)
    parser.add_argument("--bank", type=int, default=100_000)
    parser.add_argument("--candidates", type=int, default=64)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rng = np.random.default_rng(2026)

    t0 = time.perf_counter()
    origs = originals(args.originals, rng)
    bank_values = [extract(np.asarray(image)) for image in origs]
    pdq_plain = np.stack([_pdq(image) for image in origs])
    pdq_multi = np.stack(
        [np.stack([_pdq(_crop(f, w)(image)) for w, f in CANONICAL]) for image in origs]
    )

    print(f"making {args.distractors} distractors", file=sys.stderr)
    distractor_images = distractors(args.distractors, rng)
    distractor_values = [extract(np.asarray(_jpeg(image))) for image in distractor_images]

    # the bank: the originals, then fillers mixing real distractor keypoints across pictures
    pool = np.frombuffer(b"".join(distractor_values), np.uint8).reshape(-1, PACKED_BYTES)
    points = pool[:, 2:].reshape(len(pool), KEYPOINTS, -1)
    counts = pool[:, :2].copy().view("<u2").ravel()
    index = OrbIndex()
    index.add(
        np.frombuffer(b"".join(bank_values), np.uint8).reshape(len(origs), -1),
        np.arange(len(origs)),
    )
    fillers = args.bank - len(origs)
    step = 10_000
    for start in range(0, fillers, step):
        n = min(step, fillers - start)
        donors = rng.integers(0, len(pool), (n, KEYPOINTS))
        slots = rng.integers(0, np.maximum(counts[donors], 1))
        rows = np.zeros((n, PACKED_BYTES), np.uint8)
        rows[:, :2] = np.frombuffer(np.uint16(KEYPOINTS).tobytes(), np.uint8)
        rows[:, 2:] = points[donors, slots].reshape(n, -1)
        index.add(rows, np.arange(len(origs) + start, len(origs) + start + n))
    index.add(np.zeros((0, PACKED_BYTES), np.uint8), np.zeros(0, np.int64))
    print(
        f"bank of {len(index)} ORB entries built in {time.perf_counter() - t0:.0f} s",
        file=sys.stderr,
    )

    threshold = FULL - MIN_INLIERS
    results: dict[str, dict[str, object]] = {}
    costs: list[float] = []
    for name, (family, transform) in TRANSFORMS.items():
        found = {"pdq": 0, "multicrop_pdq": 0, "orb": 0, "pdq_or_orb": 0}
        for i, image in enumerate(origs):
            query = _jpeg(transform(image), 85)
            q = _pdq(query)
            plain = bool(_pdq_distance(pdq_plain[i], q) <= pdq.DEFAULT_THRESHOLD)
            multi = bool(_pdq_distance(pdq_multi[i], q).min() <= pdq.DEFAULT_THRESHOLD)
            started = time.perf_counter()
            value = np.frombuffer(extract(np.asarray(query)), np.uint8).reshape(1, -1)
            [(hits, _)] = index.search_verified(value, threshold, args.candidates)
            costs.append(time.perf_counter() - started)
            orb = i in hits.labels.tolist()
            found["pdq"] += plain
            found["multicrop_pdq"] += multi
            found["orb"] += orb
            found["pdq_or_orb"] += plain or orb
        results[name] = {
            "family": family,
            **{k: round(v / len(origs), 3) for k, v in found.items()},
        }
        print(f"{name:24s} {json.dumps(results[name])}", file=sys.stderr)

    searches: list[float] = []
    false_orb, false_pdq, false_multi = 0, 0, 0
    for image, value in zip(distractor_images, distractor_values, strict=True):
        started = time.perf_counter()
        [(hits, _)] = index.search_verified(
            np.frombuffer(value, np.uint8).reshape(1, -1), threshold, args.candidates
        )
        searches.append(time.perf_counter() - started)
        false_orb += bool(len(hits))
        q = _pdq(_jpeg(image))
        false_pdq += bool((_pdq_distance(pdq_plain, q) <= pdq.DEFAULT_THRESHOLD).any())
        false_multi += bool((_pdq_distance(pdq_multi, q) <= pdq.DEFAULT_THRESHOLD).any())
    extract_costs = []
    for image in origs[:20]:
        started = time.perf_counter()
        extract(np.asarray(image))
        extract_costs.append(time.perf_counter() - started)
    summary = {
        "originals": len(origs),
        "transforms": len(TRANSFORMS),
        "queries": len(origs) * len(TRANSFORMS),
        "distractors": len(distractor_images),
        "bank_entries": len(index),
        "candidates": args.candidates,
        "false_matches": {"orb": false_orb, "pdq": false_pdq, "multicrop_pdq": false_multi},
        "orb_stage_ms_p50_p99 (extract + search, reframed queries)": [
            round(float(np.percentile(costs, p)) * 1000, 1) for p in (50, 99)
        ],
        "search_ms_p50_p99 (distractors)": [
            round(float(np.percentile(searches, p)) * 1000, 1) for p in (50, 99)
        ],
        "extract_ms_p50_p99": [
            round(float(np.percentile(extract_costs, p)) * 1000, 1) for p in (50, 99)
        ],
        "bytes_per_entry": {"orb": PACKED_BYTES, "multicrop_pdq": 32 * len(CANONICAL), "pdq": 32},
        "recall": results,
    }
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps(summary, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()

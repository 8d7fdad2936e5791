"""pdq.js, PDQ in the browser, against Bouclier's Python hashing of the same files and pixels.

Every picture is benign: scikit-image's sample photographs, the shared test portraits, and
synthetic pictures made here (some enlarged past 512 pixels, one to 12 megapixels, two with an
EXIF orientation). Files go through the real path in Chromium: fetch, Blob, createImageBitmap,
canvas, crypto.subtle.
"""

from __future__ import annotations

import base64
import io
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, Request

from bouclier.hashing import hash_bytes, pdq
from tests.conftest import FACES, photo
from tests.web.conftest import StaticServer

pytestmark = pytest.mark.browser

#: At or above this Python quality a browser hash must be within MAX_BITS of the Python one.
GOOD_QUALITY = 80
MAX_BITS = 10
#: The two qualities see slightly different 64 x 64 images (browser vs libjpeg decoding, block
#: averaging vs DCT scaling), so the gradient sums differ a little.
MAX_QUALITY_GAP = 8

SKIMAGE_FILES = (
    "astronaut.png",
    "coffee.png",
    "chelsea.png",
    "rocket.jpg",
    "motorcycle_left.png",
    "camera.png",
    "moon.png",
    "coins.png",
    "brick.png",
    "grass.png",
    "gravel.png",
    "hubble_deep_field.jpg",
    "retina.jpg",
    "ihc.png",
    "page.png",
    "text.png",
    "horse.png",
)


def _encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _noisy(image: Image.Image, size: tuple[int, int], seed: int) -> Image.Image:
    """Enlarged to ``size`` with sensor-like noise, so it has detail at full resolution."""
    pixels = np.asarray(image.convert("RGB").resize(size, Image.Resampling.BICUBIC), np.int16)
    noise = np.random.default_rng(seed).normal(0, 4, size=(*pixels.shape[:2], 1))
    return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))


def _with_orientation(image: Image.Image, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return _encode(image, "JPEG", quality=90, exif=exif)


def corpus() -> list[tuple[str, bytes]]:
    """About 45 benign pictures as (file name, bytes): JPEG and PNG, 256 px to 12 MP."""
    import skimage

    data = Path(skimage.__file__).parent / "data"
    files = [(name, (data / name).read_bytes()) for name in SKIMAGE_FILES]
    files += [(p.name, p.read_bytes()) for p in sorted(FACES.glob("*")) if p.is_file()]

    astronaut = Image.open(data / "astronaut.png").convert("RGB")
    chelsea = Image.open(data / "chelsea.png").convert("RGB")
    coffee = Image.open(data / "coffee.png").convert("RGB")
    rocket = Image.open(data / "rocket.jpg").convert("RGB")
    files += [
        ("astronaut-q90.jpg", _encode(astronaut, "JPEG", quality=90)),
        ("chelsea-q75.jpg", _encode(chelsea, "JPEG", quality=75)),
        ("coffee-1600x1200.jpg", _encode(_noisy(coffee, (1600, 1200), 1), "JPEG", quality=90)),
        ("rocket-2048x1366.png", _encode(_noisy(rocket, (2048, 1366), 2), "PNG")),
        ("chelsea-1800x1200.png", _encode(_noisy(chelsea, (1800, 1200), 3), "PNG")),
        (
            "astronaut-4000x3000.jpg",
            _encode(_noisy(astronaut, (4000, 3000), 4), "JPEG", quality=92),
        ),
        ("chelsea-exif6.jpg", _with_orientation(chelsea, 6)),
        ("coffee-exif8.jpg", _with_orientation(_noisy(coffee, (1200, 800), 5), 8)),
    ]
    for seed in range(4):
        pixels = photo(100 + seed)
        files.append(
            (f"synthetic-{seed}.jpg", _encode(Image.fromarray(pixels), "JPEG", quality=92))
        )
        files.append((f"synthetic-{seed}.png", _encode(Image.fromarray(pixels), "PNG")))
    big = photo(200, size=(2600, 1800))
    files.append(("synthetic-2600x1800.png", _encode(Image.fromarray(big), "PNG")))
    files.append(("synthetic-2600x1800.jpg", _encode(Image.fromarray(big), "JPEG", quality=88)))
    y, x = np.mgrid[0:600, 0:800]
    ramp = np.stack([x * 255 // 799, y * 255 // 599, (x + y) * 255 // 1398], axis=2)
    files.append(("gradient.png", _encode(Image.fromarray(ramp.astype(np.uint8)), "PNG")))
    shapes = np.full((700, 900, 3), 240, np.uint8)
    shapes[100:400, 150:500] = (200, 30, 30)
    shapes[300:650, 450:850] = (20, 60, 180)
    shapes[50:200, 600:750] = (30, 160, 60)
    files.append(("shapes.png", _encode(Image.fromarray(shapes), "PNG")))
    return files


def hash_in_browser(page: Page, urls: list[str]) -> list[dict[str, Any]]:
    """BouclierPDQ.hashFiles over files fetched into Blobs (the real decode and digest path)."""
    return page.evaluate(
        """async (urls) => {
            const blobs = [];
            for (const url of urls) blobs.push(await (await fetch(url)).blob());
            return await BouclierPDQ.hashFiles(blobs);
        }""",
        urls,
    )


@dataclass
class Compared:
    name: str
    bits: int
    quality_py: int
    quality_js: int


def summary(rows: list[Compared]) -> str:
    bits = sorted(r.bits for r in rows)
    p90 = bits[min(len(bits) - 1, round(0.9 * (len(bits) - 1)))]
    worst = sorted(rows, key=lambda r: -r.bits)[:5]
    return (
        f"{len(rows)} images: bits median {statistics.median(bits)}, p90 {p90}, max {bits[-1]}; "
        "worst: " + ", ".join(f"{r.name} {r.bits} (q {r.quality_py}/{r.quality_js})" for r in worst)
    )


@pytest.fixture(scope="module")
def served_corpus(static_server: StaticServer) -> list[tuple[str, bytes]]:
    folder = static_server.files / "corpus"
    folder.mkdir(exist_ok=True)
    files = corpus()
    for name, data in files:
        (folder / name).write_bytes(data)
    return files


def open_blank(page: Page, server: StaticServer) -> None:
    page.goto(f"{server.url}/index.html")
    page.wait_for_function("typeof BouclierPDQ === 'object'")


def test_files_agree_with_python(
    page: Page, static_server: StaticServer, served_corpus: list[tuple[str, bytes]]
) -> None:
    assert len(served_corpus) >= 30
    open_blank(page, static_server)
    results = hash_in_browser(page, [f"/corpus/{name}" for name, _ in served_corpus])

    rows, problems = [], []
    for (name, data), js in zip(served_corpus, results, strict=True):
        if "error" in js:
            problems.append(f"{name}: {js['error']}")
            continue
        py = hash_bytes(data)
        row = Compared(name, pdq.distance(js["pdq"], py.pdq.pdq), py.pdq.quality, js["quality"])
        rows.append(row)
        if js["sha256"] != py.sha256:
            problems.append(f"{name}: sha256 {js['sha256']} != {py.sha256}")
        if (js["width"], js["height"]) != (py.width, py.height):
            problems.append(f"{name}: size {js['width']}x{js['height']} != {py.width}x{py.height}")
        if row.quality_py >= GOOD_QUALITY and row.bits > MAX_BITS:
            problems.append(f"{name}: {row.bits} bits apart (quality {row.quality_py})")
        if abs(row.quality_py - row.quality_js) > MAX_QUALITY_GAP:
            problems.append(f"{name}: quality {row.quality_js} in the browser, {row.quality_py}")
    assert sum(r.quality_py >= GOOD_QUALITY for r in rows) >= 25, summary(rows)
    assert not problems, "; ".join(problems) + "\n" + summary(rows)


def _rgba_b64(rgb: np.ndarray) -> str:
    alpha = np.full((*rgb.shape[:2], 1), 255, np.uint8)
    return base64.b64encode(np.concatenate([rgb, alpha], axis=2).tobytes()).decode()


def hash_pixels_in_browser(page: Page, rgb: np.ndarray) -> dict[str, Any]:
    return page.evaluate(
        """([b64, width, height]) => {
            const raw = atob(b64);
            const rgba = new Uint8ClampedArray(raw.length);
            for (let i = 0; i < raw.length; i++) rgba[i] = raw.charCodeAt(i);
            return BouclierPDQ.hashPixels(rgba, width, height);
        }""",
        [_rgba_b64(rgb), rgb.shape[1], rgb.shape[0]],
    )


@pytest.mark.parametrize(
    "rgb",
    [
        pytest.param(photo(7), id="photo-640x480"),
        pytest.param(photo(8, size=(333, 517)), id="photo-333x517"),
        pytest.param(photo(9, size=(64, 64)), id="photo-64x64"),
        pytest.param(np.asarray(Image.open(FACES / "obama_1.jpg").convert("RGB")), id="portrait"),
    ],
)
def test_pixels_hash_like_the_reference(
    page: Page, static_server: StaticServer, rgb: np.ndarray
) -> None:
    open_blank(page, static_server)
    js = hash_pixels_in_browser(page, rgb)
    py = pdq.hash_pixels(np.ascontiguousarray(rgb))
    bits = pdq.distance(js["pdq"], py.pdq)
    assert bits <= 2, f"{bits} bits apart: {js['pdq']} vs {py.pdq}"
    assert abs(js["quality"] - py.quality) <= 1, (js["quality"], py.quality)


def test_tiny_pixels_give_the_empty_hash(page: Page, static_server: StaticServer) -> None:
    open_blank(page, static_server)
    js = hash_pixels_in_browser(page, photo(1, size=(4, 40)))
    assert js == {"pdq": "0" * 64, "quality": 0}


def test_a_bad_file_is_an_error_entry_not_an_exception(
    page: Page, static_server: StaticServer
) -> None:
    (static_server.files / "good.png").write_bytes(_encode(Image.fromarray(photo(3)), "PNG"))
    (static_server.files / "bad.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not a picture")
    open_blank(page, static_server)
    progress = page.evaluate(
        """async () => {
            const get = async (url) => await (await fetch(url)).blob();
            const files = [await get('/good.png'), await get('/bad.jpg'), await get('/good.png')];
            const seen = [];
            const results = await BouclierPDQ.hashFiles(files, (done, total) => {
                seen.push([done, total]);
            });
            return {results, seen};
        }"""
    )
    good, bad, again = progress["results"]
    assert set(bad) == {"error"}, bad
    assert bad["error"]
    assert len(good["pdq"]) == 64
    assert good == {**again, "ms": good["ms"]}
    assert progress["seen"] == [[1, 3], [2, 3], [3, 3]]


def test_hashing_sends_no_image_anywhere(page: Page, static_server: StaticServer) -> None:
    """Every request of the page is a GET of its own static files; hashing makes none at all."""
    data = _encode(_noisy(Image.fromarray(photo(11)), (1600, 1200), 11), "JPEG", quality=90)
    (static_server.files / "mine.jpg").write_bytes(data)
    requests: list[Request] = []

    def record(request: Request) -> None:  # Playwright cannot take a bound builtin as handler
        requests.append(request)

    page.context.on("request", record)
    open_blank(page, static_server)
    page.evaluate("async () => { window.picked = await (await fetch('/mine.jpg')).blob(); }")
    before = len(requests)
    result = page.evaluate("async () => (await BouclierPDQ.hashFiles([window.picked]))[0]")
    during = requests[before:]
    # The recorder must see a request with a body if the page made one: prove it does.
    page.evaluate("async () => { await fetch('/probe', {method: 'POST', body: 'probe'}); }")
    assert any(r.post_data == "probe" for r in requests[before:]), "the recorder saw nothing"

    assert result["sha256"] == hash_bytes(data).sha256
    assert during == [], [f"{r.method} {r.url}" for r in during]
    for request in requests[:before]:
        assert request.method == "GET", request.url
        assert request.post_data is None, request.url
        assert request.url.startswith(static_server.url + "/"), request.url


def test_reduction_is_kept_in_step_with_the_server() -> None:
    # the browser reduces as bouclier.hashing.hash_bytes does by default, else the portal's hashes
    # and the service's drift apart (12 bits on hubble_deep_field.jpg, 512 on one side and 384 on
    # the other)
    from bouclier.hashing import DEFAULT_MIN_SIDE

    script = (Path(__file__).resolve().parents[2] / "src/bouclier/web/static/pdq.js").read_text()
    found = re.search(r"const MIN_SIDE = (\d+);", script)
    assert found is not None
    assert int(found.group(1)) == DEFAULT_MIN_SIDE

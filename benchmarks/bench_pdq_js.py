"""pdq.js in Chromium against Bouclier's Python hashing: agreement on a corpus, and speed.

    .venv/bin/python benchmarks/bench_pdq_js.py [--count 30] [--runs 7] [--out FILE]

The corpus is the browser tests' (tests/web/test_pdq_js.py: scikit-image photographs, the shared
portraits, synthetic pictures, 256 px to 12 MP, JPEG and PNG, two EXIF orientations) plus
``--count`` benchmark photos (benchmarks/photos.py: 1-12 MP JPEGs with sensor-like noise). Each
file is hashed by ``BouclierPDQ.hashFiles`` in Debian's headless Chromium (fetched into a Blob:
decode, orientation, canvas, SHA-256) and by ``bouclier.hashing.hash_bytes``; the distance is
between the browser's hash and the Python default (orientation "original").

Speed: one 12 MP JPEG, ``--runs`` times each, median. Browser = ``hashFile`` of a Blob already in
memory (decode + reduce + PDQ + SHA-256), timed in the page; Python = ``hash_bytes`` of the bytes
(decode reduced + PDQ x 8 + SHA-256 + MD5), one thread; and Python at full resolution
(``min_side=None``) for scale. The browser uses its own threads for decoding; Python does not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.web

import numpy as np
import photos
from PIL import Image
from playwright.sync_api import Page, sync_playwright

from bouclier.hashing import hash_bytes, pdq
from tests.web.conftest import launch, serve
from tests.web.test_pdq_js import GOOD_QUALITY, MAX_BITS, corpus, hash_in_browser


def _agreement(page: Page, files: list[tuple[str, bytes]]) -> list[tuple[str, int, int, int]]:
    """(name, bits apart, Python quality, browser quality) per file."""
    results = hash_in_browser(page, [f"/corpus/{name}" for name, _ in files])
    rows = []
    for (name, data), js in zip(files, results, strict=True):
        if "error" in js:
            raise SystemExit(f"{name}: the browser could not hash it: {js['error']}")
        py = hash_bytes(data)
        if js["sha256"] != py.sha256:
            raise SystemExit(f"{name}: SHA-256 differs: {js['sha256']} != {py.sha256}")
        rows.append((name, pdq.distance(js["pdq"], py.pdq.pdq), py.pdq.quality, js["quality"]))
    return rows


def _browser_times(page: Page, url: str, runs: int) -> tuple[list[float], str]:
    found = page.evaluate(
        """async ([url, runs]) => {
            const blob = await (await fetch(url)).blob();
            const times = [];
            let result;
            for (let i = 0; i < runs; i++) {
                const start = performance.now();
                result = await BouclierPDQ.hashFile(blob);
                times.push(performance.now() - start);
            }
            return {times, pdq: result.pdq};
        }""",
        [url, runs],
    )
    return found["times"], found["pdq"]


def _python_times(data: bytes, runs: int, min_side: int | None) -> tuple[list[float], str]:
    times, result = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        hashes = hash_bytes(data) if min_side else hash_bytes(data, min_side=None)
        times.append((time.perf_counter() - start) * 1000)
        result = hashes.pdq.pdq
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=30, help="benchmark photos of 1-12 MP")
    parser.add_argument("--runs", type=int, default=7, help="timed runs on the 12 MP photo")
    parser.add_argument("--out", type=Path, help="also write the tables to this file")
    args = parser.parse_args()

    files = corpus() + [(p.name, p.read_bytes()) for p in photos.photos(args.count)]
    big_path = photos.photos(1, seed=12, min_mp=12.0, max_mp=12.0)[0]
    big = big_path.read_bytes()
    with Image.open(big_path) as im:
        big_size = im.size

    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp)) as server:
        (Path(tmp) / "corpus").mkdir()
        for name, data in files:
            (Path(tmp) / "corpus" / name).write_bytes(data)
        (Path(tmp) / "big.jpg").write_bytes(big)
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page()
            page.goto(f"{server.url}/index.html")
            page.wait_for_function("typeof BouclierPDQ === 'object'")
            rows = _agreement(page, files)
            page.evaluate(
                "() => BouclierPDQ.hashPixels(new Uint8ClampedArray(64 * 64 * 4), 64, 64)"
            )
            js_times, js_hash = _browser_times(page, "/big.jpg", args.runs)
            browser.close()
    py_times, py_hash = _python_times(big, args.runs, min_side=512)
    full_times, _ = _python_times(big, max(3, args.runs // 2), min_side=None)

    bits = np.array([r[1] for r in rows])
    good = [r for r in rows if r[2] >= GOOD_QUALITY]
    js_ms, py_ms, full_ms = (statistics.median(t) for t in (js_times, py_times, full_times))
    mp = big_size[0] * big_size[1] / 1e6
    lines = [
        f"Agreement: {len(rows)} files ({len(rows) - args.count} from the browser tests, "
        f"{args.count} benchmark photos of 1-12 MP); bits between pdq.js in Chromium and "
        "bouclier.hashing.hash_bytes, same file.",
        "",
        "| files | median | p90 | max | quality ≥ 80 | of which ≤ 10 bits | SHA-256 equal |",
        "|---|---|---|---|---|---|---|",
        f"| {len(rows)} | {np.median(bits):.0f} | {np.percentile(bits, 90):.0f} | {bits.max()} "
        f"| {len(good)} | {sum(r[1] <= MAX_BITS for r in good)} | {len(rows)} / {len(rows)} |",
        "",
        f"Speed: one {big_size[0]}x{big_size[1]} JPEG ({mp:.1f} MP), median of {args.runs} runs "
        f"(full resolution: {max(3, args.runs // 2)}); browser vs Python hash "
        f"{pdq.distance(js_hash, py_hash)} bits apart.",
        "",
        "| pipeline | ms | vs Python default |",
        "|---|---|---|",
        f"| pdq.js hashFile (Chromium, headless, no GPU) | {js_ms:.0f} | {js_ms / py_ms:.2f}× |",
        f"| Python hash_bytes (reduced, PDQ×8, SHA-256, MD5) | {py_ms:.0f} | 1.00× |",
        f"| Python hash_bytes, min_side=None (full resolution) | {full_ms:.0f} "
        f"| {full_ms / py_ms:.2f}× |",
    ]
    worst = sorted(rows, key=lambda r: -r[1])[:3]
    lines += ["", "Farthest: " + ", ".join(f"{n} {b} bits (q {q}/{j})" for n, b, q, j in worst)]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()

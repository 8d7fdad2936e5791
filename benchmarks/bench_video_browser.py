"""A video fingerprinted in the victim's browser (WebCodecs + pdq.js) against the server's hashing
of the same file: speed and agreement.

    .venv/bin/python benchmarks/bench_video_browser.py [--seconds 20] [--runs 3]

Data (benign, generated into .cache/bench-video-browser, reused): a pan over a generated picture,
1280x720 at 30 fps, as H.264 in MP4 (x264 ``veryfast``: B-frames) and as VP9 in WebM.

Speed: each file ``--runs`` times, interleaved, wall time. Browser = ``BouclierVideo.hashVideo``
of a Blob already in the page (SHA-256, MD5, demux, decode every frame, PDQ of one a second),
timed in the page in Debian's headless Chromium; server = ``read_video`` (the child process with
its limits, one frame a second), as it hashes a platform's upload (default: non-reference frames
not decoded) and with ``exact=True`` (every frame decoded: the browser's work). Everything runs on
one core: the process is pinned to one CPU before Chromium starts, so Chromium's processes and
threads, and the server's decoding child, share it.

Agreement: the browser's frames against ``read_video(exact=True)``'s: same frame numbers, and
the PDQ distance of each pair (the browser reads the luma plane; FFmpeg converts to RGB).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from bouclier.hashing import pdq  # noqa: E402
from bouclier.media.video import read_video  # noqa: E402
from tests.conftest import photo  # noqa: E402
from tests.media.videos import pan_frames, read_frames, write_video  # noqa: E402
from tests.web.conftest import launch, serve  # noqa: E402

CACHE = ROOT / ".cache" / "bench-video-browser"
SCRIPTS = ("pdq.js", "md5.js", "demux.js", "video.js")
LIMITS = {"maxBytes": 1 << 30, "maxSeconds": 3600, "maxPixels": 3840 * 2160}


def videos(seconds: int) -> dict[str, Path]:
    CACHE.mkdir(parents=True, exist_ok=True)
    mp4 = CACHE / f"pan_720p_{seconds}s.mp4"
    webm = CACHE / f"pan_720p_{seconds}s.webm"
    if not mp4.exists():
        frames = pan_frames(photo(3, (1920, 1080)), 30 * seconds, (1280, 720), zoom=0.5)
        write_video(mp4, frames, fps=30, bit_rate=2_500_000, preset="veryfast")
    if not webm.exists():
        write_video(webm, read_frames(mp4), fps=30, codec="libvpx-vp9", bit_rate=2_000_000)
    return {"H.264 MP4": mp4, "VP9 WebM": webm}


def in_browser(page: Page, name: str) -> tuple[float, list[list[object]]]:
    answer = page.evaluate(
        """async ([name, limits]) => {
          const blob = await (await fetch('/' + name)).blob();
          const start = performance.now();
          const video = await BouclierVideo.hashVideo(blob, limits);
          return [(performance.now() - start) / 1000, video.frames];
        }""",
        [name, LIMITS],
    )
    return float(answer[0]), answer[1]


def timed_server(path: Path, exact: bool) -> float:
    start = time.perf_counter()
    read_video(path, exact=exact)
    return time.perf_counter() - start


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    files = videos(args.seconds)
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # Chromium and the child inherit it
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        root = Path(folder)
        for path in files.values():
            shutil.copy(path, root / path.name)
        browser = launch(playwright)
        with serve(root) as server:
            tags = "".join(f'<script src="/static/{s}"></script>' for s in SCRIPTS)
            (root / "bench.html").write_text(f"<!doctype html><html><body>{tags}</body></html>")
            page = browser.new_page()
            page.goto(f"{server.url}/bench.html")
            rows = []
            for label, path in files.items():
                times: dict[str, list[float]] = {"browser": [], "server": [], "exact": []}
                frames: list[list[object]] = []
                for _ in range(args.runs):
                    took, frames = in_browser(page, path.name)
                    times["browser"].append(took)
                    times["server"].append(timed_server(path, exact=False))
                    times["exact"].append(timed_server(path, exact=True))
                reference = read_video(path, exact=True).features
                same = [int(f[0]) for f in frames] == [f.frame for f in reference]  # type: ignore[call-overload]
                bits = [
                    pdq.distance(str(a[2]), b.pdq) for a, b in zip(frames, reference, strict=False)
                ]
                rows.append((label, times, same, bits))
        browser.close()
    print(f"\n{args.seconds} s 1280x720 30 fps, {args.runs} interleaved runs, one core\n")
    print("| video | hashed by | seconds (median) | min-max | x real time |")
    print("| --- | --- | ---: | ---: | ---: |")
    names = {
        "browser": "browser: WebCodecs + pdq.js (every frame decoded)",
        "server": "server: read_video (a platform's upload)",
        "exact": "server: read_video exact=True (every frame decoded)",
    }
    for label, times, _, _ in rows:
        for key, name in names.items():
            median = statistics.median(times[key])
            print(
                f"| {label} | {name} | {median:.2f} | {spread(times[key])} | "
                f"{args.seconds / median:.1f} |"
            )
    print("\n| video | frames hashed | same frames as the server | PDQ bits apart: mean | max |")
    print("| --- | ---: | --- | ---: | ---: |")
    for label, _, same, bits in rows:
        mean = statistics.mean(bits) if bits else float("nan")
        print(f"| {label} | {len(bits)} | {'yes' if same else 'no'} | {mean:.1f} | {max(bits)} |")


if __name__ == "__main__":
    main()

"""Video fingerprinting, measured: vPDQ recall on re-encodes and trims, false matches on unrelated
videos, and hashing speed against real time, beside PyAV + pdqhash per frame.

Data (benign only; generated into .cache/bench-video, gitignored, reused across runs):
- originals: pans and moving crops over the portraits of ../shared/data/faces and generated
  pictures, 10 s at 30 fps, 640x360 H.264;
- variants of each: re-encodes (VP9 480x270 at 250 kb/s, HEVC 640x360, MPEG-4 Part 2 320x180 at
  150 kb/s), a trim (seconds 3.5 to 8.5, re-encoded), a 1.5x speed-up, and the first half
  concatenated with half of another original;
- unrelated: generated pictures (no source shared with the originals), panned, 4 s at 15 fps.
Recall counts a variant found when vPDQ's rule (BOUCLIER_VPDQ_* defaults: 80 % of the query's
frames, any share of the target's) matches it to its own original in a bank of all originals; a
false match is an unrelated video (or a variant) matched to any other original.

Speed: a 20 s 720p (1280x720, 30 fps, ~2.5 Mb/s) H.264 video, hashed on one core (the process
pinned to CPU 0, the decoder single-threaded): Bouclier's read_video (child process, limits,
one frame a second) against PyAV + pdqhash in-process on the same frames, and PyAV + pdqhash on
every frame; several runs, median and spread.

Run: .venv/bin/python benchmarks/bench_video.py [--originals 12] [--unrelated 200] [--runs 3]
(about 20 minutes the first time, on one core, most of it encoding the corpus).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from benchmarks.photos import SHARED_FACES  # noqa: E402
from bouclier.hashing import vpdq  # noqa: E402
from bouclier.media.video import VideoLimits, read_video  # noqa: E402
from bouclier.signals.vpdq import VPDQ, VpdqIndex, match_video  # noqa: E402
from tests.conftest import photo  # noqa: E402
from tests.media.videos import pan_frames, read_frames, write_video  # noqa: E402

CACHE = ROOT / ".cache" / "bench-video"
LIMITS = VideoLimits()


def _picture(i: int) -> np.ndarray:
    from PIL import Image

    faces = sorted(p for p in SHARED_FACES.glob("*") if p.suffix in {".jpg", ".png"})
    if i < len(faces):
        image = Image.open(faces[i]).convert("RGB")
        return np.asarray(image.resize((960, int(960 * image.height / image.width))))
    return photo(100 + i, (960, 720))


def _resized(frames: list[np.ndarray], size: tuple[int, int]) -> list[np.ndarray]:
    from PIL import Image

    return [np.asarray(Image.fromarray(f).resize(size, Image.Resampling.BILINEAR)) for f in frames]


def make_corpus(originals: int, unrelated: int) -> dict[str, list[tuple[str, Path, int]]]:
    """{kind: [(name, path, original index)]}, generated once into the cache."""
    CACHE.mkdir(parents=True, exist_ok=True)
    corpus: dict[str, list[tuple[str, Path, int]]] = {"original": [], "unrelated": []}
    for i in range(originals):
        path = CACHE / f"orig{i:03d}.mp4"
        if not path.exists():
            write_video(path, pan_frames(_picture(i), 300, (640, 360)), fps=30)
        corpus["original"].append((path.name, path, i))
    for i in range(originals):
        source = CACHE / f"orig{i:03d}.mp4"
        frames: list[np.ndarray] | None = None
        variants = {
            "vp9_480_250k": ("webm", "libvpx-vp9", (480, 270), 250_000, None),
            "hevc_360": ("mp4", "libx265", (640, 360), None, None),
            "mpeg4_180_150k": ("mp4", "mpeg4", (320, 180), 150_000, None),
            "trim_3.5_8.5s": ("mp4", "libx264", (640, 360), None, slice(105, 255)),
            "speed_1.5x": ("mp4", "libx264", (640, 360), None, "speed"),
            "concat_half": ("mp4", "libx264", (640, 360), None, "concat"),
        }
        for name, (suffix, codec, size, rate, cut) in variants.items():
            path = CACHE / f"orig{i:03d}_{name}.{suffix}"
            corpus.setdefault(name, []).append((path.name, path, i))
            if path.exists():
                continue
            frames = frames if frames is not None else list(read_frames(source))
            chosen = frames
            if isinstance(cut, slice):
                chosen = frames[cut]
            elif cut == "speed":
                chosen = [frames[int(k * 1.5)] for k in range(int(len(frames) / 1.5))]
            elif cut == "concat":
                other = list(read_frames(CACHE / f"orig{(i + 1) % originals:03d}.mp4"))
                chosen = frames[:150] + other[150:]
            write_video(path, _resized(chosen, size), fps=30, codec=codec, bit_rate=rate)
    for i in range(unrelated):
        path = CACHE / f"unrelated{i:03d}.mp4"
        if not path.exists():
            write_video(path, pan_frames(photo(5000 + i, (640, 480)), 60, (320, 180)), fps=15)
        corpus["unrelated"].append((path.name, path, -1))
    return corpus


def accuracy(
    corpus: dict[str, list[tuple[str, Path, int]]],
) -> Iterator[tuple[str, int, int, int]]:
    """Per kind: (kind, queries, found their own original, matched another original)."""
    index = VpdqIndex()
    for _, path, i in corpus["original"]:
        value = VPDQ.from_features(read_video(path, LIMITS).features)
        index.add(VPDQ.pack([value]), np.array([i]))
    for kind, items in corpus.items():
        if kind == "original":
            continue
        found = wrong = 0
        for _, path, own in items:
            value = VPDQ.from_features(read_video(path, LIMITS).features)
            hits = match_video(
                index,
                value,
                query_percent=vpdq.QUERY_MATCH_PERCENT,
                target_percent=vpdq.TARGET_MATCH_PERCENT,
            )
            labels = {h.label for h in hits}
            found += own in labels
            # a concatenation holds half of the next original too: matching it is right
            allowed = {own, (own + 1) % len(corpus["original"])} if kind == "concat_half" else {own}
            wrong += bool(labels - allowed)
        yield kind, len(items), found, wrong


def _baseline(path: Path, every_frame: bool) -> int:
    import av
    import pdqhash

    hashed = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_count = 1
        step = 1 if every_frame else max(1, int(float(stream.average_rate or 30)))
        for number, frame in enumerate(container.decode(stream)):
            if number % step:
                continue
            pdqhash.compute(frame.to_ndarray(format="rgb24"))
            hashed += 1
    return hashed


def speed(runs: int) -> list[tuple[str, list[float]]]:
    path = CACHE / "speed_720p_20s.mp4"
    if not path.exists():
        frames = pan_frames(_picture(0), 600, (1280, 720), zoom=0.5)
        write_video(path, frames, fps=30, bit_rate=2_500_000, preset="veryfast")
    duration = 20.0
    methods = {
        "Bouclier read_video (child process, 1 fps)": lambda: read_video(path, LIMITS),
        "PyAV + pdqhash, same frames (1 fps)": lambda: _baseline(path, False),
        "PyAV + pdqhash, every frame": lambda: _baseline(path, True),
    }
    found: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(runs):
        for name, work in methods.items():  # interleaved: a busy moment hits all alike
            start = time.perf_counter()
            work()
            found[name].append(duration / (time.perf_counter() - start))
    return list(found.items())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--originals", type=int, default=12)
    parser.add_argument("--unrelated", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, the child's too
    started = time.perf_counter()
    corpus = make_corpus(args.originals, args.unrelated)
    print(f"corpus ready in {time.perf_counter() - started:.0f} s ({CACHE})", file=sys.stderr)
    print("| 720p H.264, 20 s, one core | x real time (median) | min-max | vs baseline |")
    print("| --- | ---: | ---: | ---: |")
    rows = speed(args.runs)
    base = statistics.median(rows[1][1])
    for name, values in rows:
        median = statistics.median(values)
        print(
            f"| {name} | {median:.1f} | {min(values):.1f}-{max(values):.1f} | {median / base:.2f} |"
        )
    print()
    print("| query videos | count | found own original | recall | false matches |")
    print("| --- | ---: | ---: | ---: | ---: |", flush=True)
    for kind, count, found, wrong in accuracy(corpus):
        recall = "-" if kind == "unrelated" else f"{100 * found / count:.1f} %"
        shown = "-" if kind == "unrelated" else found
        print(f"| {kind} | {count} | {shown} | {recall} | {wrong} |", flush=True)


if __name__ == "__main__":
    main()

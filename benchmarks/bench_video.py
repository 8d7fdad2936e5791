"""Video fingerprinting, measured: vPDQ recall on re-encodes, trims and speed changes, false
matches on unrelated videos, the cost of denser banks, and hashing speed against real time,
beside PyAV + pdqhash per frame.

Data (benign only; generated into .cache/bench-video, gitignored, reused across runs):
- originals: pans and moving crops over the portraits of ../shared/data/faces and generated
  pictures, 10 s at 30 fps, 640x360 H.264;
- variants of each: re-encodes (VP9 480x270 at 250 kb/s, HEVC 640x360, MPEG-4 Part 2 320x180 at
  150 kb/s), trims (seconds 3.5 to 8.5: off the 1 s grid; 3.4 to 8.4: off the 0.25 s grid too),
  a 1.5x speed-up, the first half concatenated with half of another original, and H.264 with
  B-frames (x264 veryfast, whose B-frames read_video skips at 1 fps, the same trimmed 3.4 to
  8.4 s, and x264 medium, whose P-frames refer to B-frames); made by benchmarks/video_corpus.py;
- unrelated: generated pictures (no source shared with the originals), panned, 4 s at 15 fps.
Queries are hashed once a second; the originals are banked at several densities (every 1, 0.25
and 0.1 s), each a column. Recall counts a variant found when vPDQ's rule (BOUCLIER_VPDQ_*
defaults: 80 % of the query's frames, any share of the target's) matches it to its own original
in a bank of all originals; a false match is an unrelated video (or a variant) matched to any
other original. Bank cost: usable frames held, the reference-format text of one video, and the
time of one 10 s query against 1,000 banked 10 s videos, per density.

Speed: a 20 s 720p (1280x720, 30 fps, ~2.5 Mb/s) H.264 video, hashed on one core (the process
pinned to CPU 0, the decoder single-threaded), measured in CPU seconds of the process and its
decoding child (robust to other work on a shared machine; wall time shown beside): Bouclier's
read_video (child process, limits) against PyAV + pdqhash in-process on the same frames with the
same decoder options (no non-reference frames, no deblocking: the baseline), and both with a full
decode; several interleaved runs, median and spread; and ThreatExchange's C++ ``vpdq-hash-video``
(one thread, its defaults) where scripts/build-vpdq-reference has built it. The CPU time of
read_video's children, forked by the decoding server, is read from the server's /proc entry
(benchmarks/vpdq_reference.py). Also: how far the fast decode's PDQ is from the full decode's on
the frames both hash.

``--parts reference``: Bouclier's hash files (exact and fast decode) beside the C++ reference's on
the same videos: frame numbers, PDQ bits, vPDQ shares. ``--parts thresholds``: recall and false
matches per kind of query at several BOUCLIER_VPDQ_QUERY_MATCH_PERCENT values (80, 60, 50, 40),
the originals banked every 0.1 s: what finding concatenations would cost.

Run: .venv/bin/python benchmarks/bench_video.py [--originals 12] [--unrelated 200] [--runs 3]
[--parts speed,accuracy,thresholds,reference] (about 20 minutes the first time, on one core,
most of it encoding the corpus).
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

from benchmarks.video_corpus import (  # noqa: E402
    CACHE,
    LIMITS,
    SPEED_SECONDS,
    make_corpus,
    speed_video,
    start_up,
)
from benchmarks.vpdq_reference import cpu_seconds, reference_hashes, reference_program  # noqa: E402
from bouclier.hashing import pdq, vpdq  # noqa: E402
from bouclier.hashing.vpdq import VpdqFeature  # noqa: E402
from bouclier.media.video import read_video  # noqa: E402
from bouclier.signals.vpdq import (  # noqa: E402
    PACKED_BYTES,
    VPDQ,
    VpdqIndex,
    features_of,
    match_video,
    usable_rows,
)


def _value(path: Path, seconds_per_hash: float = 1.0) -> str:
    return VPDQ.from_features(read_video(path, LIMITS, seconds_per_hash=seconds_per_hash).features)


def _bank(values: list[str]) -> VpdqIndex:
    index = VpdqIndex()
    index.add(VPDQ.pack(values), np.arange(len(values)))
    return index


def _matches(index: VpdqIndex, value: str) -> set[int]:
    hits = match_video(
        index,
        value,
        query_percent=vpdq.QUERY_MATCH_PERCENT,
        target_percent=vpdq.TARGET_MATCH_PERCENT,
    )
    return {h.label for h in hits}


def accuracy(
    corpus: dict[str, list[tuple[str, Path, int]]], densities: list[float]
) -> Iterator[tuple[str, int, list[tuple[int, int]]]]:
    """Per kind: (kind, queries, [(found own original, matched another)] per bank density).
    Queries are hashed once a second; the originals are banked at each density."""
    originals = corpus["original"]
    banks = [_bank([_value(path, step) for _, path, _ in originals]) for step in densities]
    for kind, items in corpus.items():
        if kind == "original":
            continue
        counts = [[0, 0] for _ in banks]
        for _, path, own in items:
            value = _value(path)
            # a concatenation holds half of the next original too: matching it is right
            allowed = {own, (own + 1) % len(originals)} if kind == "concat_half" else {own}
            for count, index in zip(counts, banks, strict=True):
                labels = _matches(index, value)
                count[0] += own in labels
                count[1] += bool(labels - allowed)
        yield kind, len(items), [(found, wrong) for found, wrong in counts]


def query_thresholds(
    corpus: dict[str, list[tuple[str, Path, int]]], percents: list[float], step: float = 0.1
) -> Iterator[tuple[str, int, list[tuple[int, int]]]]:
    """Per kind: (kind, queries, [(found own original, matched another)] per query threshold),
    the originals banked every ``step`` s: what lowering BOUCLIER_VPDQ_QUERY_MATCH_PERCENT
    gains on concatenations and costs on unrelated videos."""
    originals = corpus["original"]
    index = _bank([_value(path, step) for _, path, _ in originals])
    for kind, items in corpus.items():
        if kind == "original":
            continue
        counts = [[0, 0] for _ in percents]
        for _, path, own in items:
            value = _value(path)
            allowed = {own, (own + 1) % len(originals)} if kind == "concat_half" else {own}
            for count, percent in zip(counts, percents, strict=True):
                hits = match_video(index, value, query_percent=percent, target_percent=0.0)
                labels = {h.label for h in hits}
                count[0] += own in labels
                count[1] += bool(labels - allowed)
        yield kind, len(items), [(found, wrong) for found, wrong in counts]


def bank_cost(densities: list[float], videos: int = 1000, seconds: int = 10) -> list[str]:
    """Rows: frames held and match time of one 10 s query against ``videos`` banked 10 s videos
    (random frames: what every query pays, found or not) at each density."""
    rng = np.random.default_rng(7)
    rows = []
    query = VPDQ.from_features(_random_features(rng, seconds, 1.0))
    for step in densities:
        values = [VPDQ.from_features(_random_features(rng, seconds, step)) for _ in range(videos)]
        index = _bank(values)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            _matches(index, query)
            times.append(1000 * (time.perf_counter() - start))
        frames = sum(len(usable_rows(bytes.fromhex(v))) for v in values)
        text = sum(len(vpdq.format_reference(features_of(v))) for v in values[:10]) / 10
        rows.append(
            f"| every {step:g} s | {frames} | {text / 1024:.1f} KiB | "
            f"{statistics.median(times):.1f} | {min(times):.1f}-{max(times):.1f} |"
        )
    return rows


def _random_features(rng: np.random.Generator, seconds: int, step: float) -> list[VpdqFeature]:
    count = round(seconds / step)
    return [
        VpdqFeature(round(k * step * 30), 100, rng.bytes(32).hex(), round(k * step, 3))
        for k in range(count)
    ]


def _hashes(path: Path, tricks: bool, step: float = 1.0) -> dict[int, str]:
    """PyAV + pdqhash in-process: {frame number: pdq} of one frame every ``step`` seconds; with
    ``tricks``, the decoder options read_video uses (no non-reference frames, no deblocking)."""
    import av
    import pdqhash

    found: dict[int, str] = {}
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_count = 1
        fps = float(stream.average_rate or 30)
        if tricks:
            stream.codec_context.skip_frame = "NONREF"
            stream.codec_context.options = {"skip_loop_filter": "all"}
        mark = 0.0
        for decoded, frame in enumerate(container.decode(stream)):
            at = float(frame.time) if frame.time is not None else decoded / fps
            if at + 0.5 / fps < mark:
                continue
            mark = (np.floor((at + 0.5 / fps) / step) + 1) * step
            bits, _ = pdqhash.compute(frame.to_ndarray(format="rgb24"))
            found[round(at * fps)] = np.packbits(bits.astype(np.uint8)).tobytes().hex()
    return found


def drift(path: Path) -> tuple[int, float, int]:
    """PDQ bits between the fast decode and the full decode, on the frames both hash:
    (max, mean, frames compared)."""
    fast = {f.frame: f.pdq for f in read_video(path, LIMITS).features}
    full = {f.frame: f.pdq for f in read_video(path, LIMITS, exact=True).features}
    bits = [pdq.distance(fast[k], full[k]) for k in fast.keys() & full.keys()]
    return max(bits), float(np.mean(bits)), len(bits)


def speed(runs: int) -> list[tuple[str, list[float]]]:
    path = speed_video()
    duration = SPEED_SECONDS
    fast, full = "no B-frames, no deblocking", "full decode"
    methods = {
        f"Bouclier read_video, 1 fps (child process; {fast})": lambda: read_video(path, LIMITS),
        f"PyAV + pdqhash in-process, 1 fps, {fast}": lambda: _hashes(path, True),
        "Bouclier read_video, every 0.1 s (bank rate)": lambda: read_video(
            path, LIMITS, seconds_per_hash=0.1
        ),
        f"Bouclier read_video exact=True, 1 fps ({full})": lambda: read_video(
            path, LIMITS, exact=True
        ),
        f"PyAV + pdqhash in-process, 1 fps, {full}": lambda: _hashes(path, False),
    }
    program = reference_program()
    if program is not None:
        methods[f"C++ vpdq reference, 1 fps, one thread ({full})"] = lambda: reference_hashes(
            program, path
        )
    methods["server start-up alone, once per process (python, av, numpy, PDQ)"] = start_up
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in methods}
    for _ in range(runs):
        for name, work in methods.items():  # interleaved: a busy moment hits all alike
            start, cpu = time.perf_counter(), cpu_seconds()
            work()
            wall, used = time.perf_counter() - start, cpu_seconds() - cpu
            found[name].append((duration / used, duration / wall))
    return list(found.items())


def _table(title: str, columns: list[str]) -> None:
    print()
    print(f"| {title} | " + " | ".join(columns) + " |")
    print("| --- |" + " ---: |" * len(columns), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--originals", type=int, default=12)
    parser.add_argument("--unrelated", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--parts", default="speed,accuracy", help="speed, accuracy, thresholds, reference"
    )
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, the child's too
    started = time.perf_counter()
    corpus = make_corpus(args.originals, args.unrelated)
    print(f"corpus ready in {time.perf_counter() - started:.0f} s ({CACHE})", file=sys.stderr)
    if "speed" in args.parts:
        print_speed(args.runs)
    if "accuracy" in args.parts:
        print_accuracy(corpus)
    if "thresholds" in args.parts:
        print_thresholds(corpus)
    if "reference" in args.parts:
        print_reference(corpus)


def print_speed(runs: int) -> None:
    if reference_program() is None:
        print("\nthe C++ vpdq reference is not built (scripts/build-vpdq-reference): left out")
    columns = ["x real time per CPU second (median)", "min-max", "vs baseline", "wall, median"]
    _table("720p H.264, 20 s, one core", columns)
    *rows, (start_up, rates) = speed(runs)
    base = statistics.median(r for r, _ in rows[1][1])
    for name, values in rows:
        cpu = [r for r, _ in values]
        median = statistics.median(cpu)
        spread = f"{min(cpu):.1f}-{max(cpu):.1f}"
        wall = statistics.median(w for _, w in values)
        print(f"| {name} | {median:.1f} | {spread} | {median / base:.2f} | {wall:.1f} |")
    seconds = sorted(SPEED_SECONDS / r for r, _ in rates)
    middle = statistics.median(seconds)
    print(f"\n{start_up}: {middle:.2f} CPU s ({seconds[0]:.2f}-{seconds[-1]:.2f})", flush=True)


def print_thresholds(corpus: dict[str, list[tuple[str, Path, int]]]) -> None:
    percents = [80.0, 60.0, 50.0, 40.0]
    _table("query share needed (bank every 0.1 s)", ["count", *[f"{p:g} %" for p in percents]])
    for kind, count, per_percent in query_thresholds(corpus, percents):
        cells = [
            f"- , {wrong}" if kind == "unrelated" else f"{100 * found / count:.0f} %, {wrong}"
            for found, wrong in per_percent
        ]
        print(f"| {kind} | {count} | " + " | ".join(cells) + " |", flush=True)


def print_accuracy(corpus: dict[str, list[tuple[str, Path, int]]]) -> None:
    _table("fast decode vs full decode", ["frames compared", "PDQ bits, max", "mean"])
    for name in ["speed_720p_20s.mp4", "orig000.mp4", "orig000_hevc_360.mp4"]:
        most, mean, count = drift(CACHE / name)
        print(f"| {name} | {count} | {most} | {mean:.1f} |", flush=True)
    densities = [1.0, 0.25, 0.1]
    found_columns = [f"bank every {d:g} s: found, false" for d in densities]
    _table("query videos (1 fps)", ["count", *found_columns])
    for kind, count, per_bank in accuracy(corpus, densities):
        cells = [
            f"- , {wrong}" if kind == "unrelated" else f"{100 * found / count:.0f} %, {wrong}"
            for found, wrong in per_bank
        ]
        print(f"| {kind} | {count} | " + " | ".join(cells) + " |", flush=True)
    packed = f"packed value (fixed: {PACKED_BYTES / 1024:.0f} KiB)"
    _table(packed, ["usable frames, 1,000 videos", "reference text", "match ms", "min-max"])
    for row in bank_cost(densities):
        print(row, flush=True)


def reference_rows(path: Path, program: Path) -> tuple[int, int, int, float, str, str]:
    """Bouclier's hashes of ``path`` against the C++ reference's, by frame number: (frames in
    both, frames in the reference, PDQ bits max, mean), exact decode then fast decode as
    vPDQ shares (query %, target %) with the reference's hashes as the target."""
    theirs = reference_hashes(program, path)
    exact = read_video(path, LIMITS, exact=True).features
    fast = read_video(path, LIMITS).features
    by_frame = {f.frame: f.pdq for f in theirs}
    bits = [pdq.distance(f.pdq, by_frame[f.frame]) for f in exact if f.frame in by_frame]
    shares = [vpdq.compare(list(mine), theirs) for mine in (exact, fast)]
    cells = [f"{c.query_percent:.0f} / {c.target_percent:.0f}" for c in shares]
    return len(bits), len(theirs), max(bits), float(np.mean(bits)), cells[0], cells[1]


def print_reference(corpus: dict[str, list[tuple[str, Path, int]]]) -> None:
    """Bouclier's hash files beside the C++ reference's on the same videos."""
    program = reference_program()
    if program is None:
        print("\nthe C++ vpdq reference is not built (scripts/build-vpdq-reference): left out")
        return
    columns = ["same frame numbers", "PDQ bits, max", "mean", "exact: query % / target %"]
    _table("Bouclier vs the C++ reference (1 fps)", [*columns, "fast decode: q % / t %"])
    names = ["speed_720p_20s.mp4", "orig000.mp4", "orig001.mp4", "orig000_hevc_360.mp4"]
    names += [
        "orig000_vp9_480_250k.webm",
        "orig000_mpeg4_180_150k.mp4",
        "orig000_trim_3.5_8.5s.mp4",
    ]
    for name in names:
        if not (CACHE / name).exists():
            continue
        both, total, most, mean, exact, fast = reference_rows(CACHE / name, program)
        print(
            f"| {name} | {both} of {total} | {most} | {mean:.1f} | {exact} | {fast} |", flush=True
        )


if __name__ == "__main__":
    main()

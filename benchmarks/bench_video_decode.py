"""Where the time of hashing a 720p video goes, and how close Bouclier is to the ceiling.

On the speed video of bench_video.py (20 s, 1280x720, 30 fps H.264, x264 veryfast: B-frames, a
keyframe every 10 s, ~2.5 Mb/s), one core (the process and its children pinned to one CPU),
several interleaved runs, CPU seconds (user + system, children included) and wall time:

- the ceiling: demuxing alone, then PyAV decoding alone with a full decode, with the fast
  path's options before (NONREF: no non-reference frames, no deblocking, one thread) and now
  (BIDIR: no B-frame at all, read_video's H.264 at 1 fps), no conversion and no hashing; the
  decoder options tried on top (``flags2=+fast``; FFmpeg's automatic threads, to show that they
  do not lower the CPU spent); then read_video's speed as a ratio of the full decode's and of
  its own decode's, readable on any machine;
- the conversions of the sampled frames (one a second): full-size RGB (what Bouclier hashes),
  RGB reduced to 512 px by swscale, gray reduced to 512 px, and the luma plane as decoded (no
  conversion);
- PDQ: the same pipelines with the hash (``hash_pixels``, 8 orientations), in-process: the
  baseline "PyAV + PDQ per sampled frame";
- Bouclier's ``read_video`` (a child process under limits), and the child's start-up alone.

Each conversion's PDQ is compared with the full decode's (every frame, full-size RGB, the
reference's way) of the same frame and of the frame on the mark: bits apart, max and mean.

``--parts profile``: frames decoded and CPU seconds per picture type (I, P, B) for each
``skip_frame`` value, then the PDQ comparison.

``ffmpeg -benchmark`` is used when an ``ffmpeg`` command is on the PATH (the PyAV wheel has its
libraries, not the command).

``--parts worker``: read_video now (a child forked by the pre-started server, the digests
computed while it decodes) beside read_video as it was (a fresh ``python`` per video, limited in
``preexec_fn``, digests first), in-process PyAV + PDQ and the C++ vpdq reference where built.

The H.264 header check of the fast path (h264_references) is timed alone (demuxing with it,
less demuxing), and with ``--before REV`` the worker's fast path as of that git revision is
timed in-process beside this tree's.

Run: .venv/bin/python benchmarks/bench_video_decode.py [--runs 5] [--seconds 20]
[--parts worker|profile] [--before REV]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from benchmarks.video_corpus import LIMITS, speed_video, start_up  # noqa: E402
from benchmarks.vpdq_reference import cpu_seconds, reference_hashes, reference_program  # noqa: E402
from bouclier.hashing.pdq import distance, hash_pixels  # noqa: E402
from bouclier.media.video import read_video  # noqa: E402

SIDE = 512
OURS = "Bouclier read_video (child process, limits)"
FULL = "decode only, full decode (every frame, deblocked)"
DECODE_OURS = "decode only, I- and P-frames (BIDIR), no deblocking (read_video's H.264 at 1 fps)"
HEADERS = "demux + H.264 header check of every packet (h264_references), nothing decoded"
IN_PROCESS = "video_worker.run in-process (fast path, header check of every packet)"


def _open(path: Path, fast: bool, **options: str) -> tuple[Any, Any]:
    """``fast``: no deblocking and no frame that others do not refer to (``skip`` "NONREF"), or
    no B-frame at all (``skip`` "BIDIR": what read_video does on H.264 at 1 fps)."""
    import av

    container = av.open(str(path))
    stream = container.streams.video[0]
    stream.codec_context.thread_count = int(options.pop("threads", "1"))
    skip = options.pop("skip", "NONREF")
    if fast:
        stream.codec_context.skip_frame = skip
        options.setdefault("skip_loop_filter", "all")
    stream.codec_context.options = options
    return container, stream


def frames(path: Path, fast: bool = True, **options: str) -> Iterator[tuple[bool, Any]]:
    """(sampled, frame) for every decoded frame: sampled is one a second, by read_video's rule."""
    container, stream = _open(path, fast, **options)
    fps = float(stream.average_rate or 30)
    mark = 0.0
    with container:
        for decoded, frame in enumerate(container.decode(stream)):
            at = float(frame.time) if frame.time is not None else decoded / fps
            due = at + 0.5 / fps >= mark
            if due:
                mark = (np.floor(at + 0.5 / fps) + 1) * 1.0
            yield due, frame


def demux_only(path: Path) -> None:
    container, stream = _open(path, False)
    with container:
        for _ in container.demux(stream):
            pass


def decode_only(path: Path, fast: bool = True, **options: str) -> None:
    for _ in frames(path, fast, **options):
        pass


def _reduced(frame: Any, fmt: str) -> Any:
    scale = SIDE / max(frame.width, frame.height)
    width, height = round(frame.width * scale) // 2 * 2, round(frame.height * scale) // 2 * 2
    return frame.reformat(width=width, height=height, format=fmt, interpolation="AREA")


def _gray3(gray: np.ndarray) -> np.ndarray:
    return np.repeat(gray[:, :, None], 3, axis=2)


def _luma(frame: Any) -> np.ndarray:
    """The decoded luma plane as it is (no swscale), limited range stretched to 0-255."""
    plane = frame.planes[0]
    rows = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
    y = rows[:, : plane.width].astype(np.float32)
    return np.clip((y - 16) * (255 / 219) + 0.5, 0, 255).astype(np.uint8)


#: conversions of a sampled frame to what PDQ hashes (an (h, w, 3) uint8 array)
CONVERSIONS: dict[str, Callable[[Any], np.ndarray]] = {
    "RGB, full size (Bouclier)": lambda f: f.to_ndarray(format="rgb24"),
    f"RGB, swscale to {SIDE} px": lambda f: _reduced(f, "rgb24").to_ndarray(),
    f"gray, swscale to {SIDE} px": lambda f: _gray3(_reduced(f, "gray").to_ndarray()),
    "luma plane as decoded, full size": lambda f: _gray3(_luma(f)),
}


def converted(
    path: Path, convert: Callable[[Any], np.ndarray], hashed: bool, skip: str = "NONREF"
) -> dict[int, str]:
    found = {}
    for due, frame in frames(path, skip=skip):
        if due:
            pixels = convert(frame)
            if hashed:
                found[round(float(frame.time) * 30)] = hash_pixels(pixels).pdq
    return found


def exact(path: Path) -> dict[int, str]:
    return {f.frame: f.pdq for f in read_video(path, LIMITS, exact=True).features}


def _ffmpeg(path: Path) -> Callable[[], None] | None:
    command = shutil.which("ffmpeg")
    if command is None:
        return None
    args = [command, "-v", "error", "-benchmark", "-threads", "1", "-skip_frame", "nonref"]
    args += ["-skip_loop_filter", "all", "-i", str(path), "-f", "null", "-"]
    return lambda: subprocess.run(args, check=True, capture_output=True)


def header_check(path: Path) -> None:
    """Demuxing, and every packet through the H.264 header check of the fast path
    (h264_references), nothing decoded: the check's cost is this row less demuxing alone."""
    import av

    from bouclier.media.h264_references import NotExact, ReferenceCheck

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        check = ReferenceCheck(stream.codec_context.extradata)
        for packet in container.demux(stream):
            if packet.size:
                check.packet(memoryview(packet))
    if check.pictures == 0:
        raise NotExact("no picture checked")


def worker_before(revision: str) -> Any:
    """video_worker as of ``revision`` (git), loaded beside this tree's PDQ extension: the fast
    path with its 2 s pixel check, to time it side by side with this tree's in one run."""
    import importlib.util
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="worker-before-")) / "bouclier"
    (folder / "media").mkdir(parents=True)
    (folder / "hashing").symlink_to(ROOT / "src" / "bouclier" / "hashing")
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:src/bouclier/media/video_worker.py"],
        check=True,
        capture_output=True,
    ).stdout
    (folder / "media" / "video_worker.py").write_bytes(source)
    spec = importlib.util.spec_from_file_location(
        "worker_before", folder / "media" / "video_worker.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def worker_params() -> dict[str, object]:
    return {
        "demuxer": "mov",
        "max_pixels": LIMITS.max_pixels,
        "max_seconds": LIMITS.max_seconds,
        "seconds_per_hash": 1.0,
        "hash_side": 0,
        "detector_frames": 0,
    }


def methods(path: Path, before: str | None = None) -> dict[str, Callable[[], object]]:
    found: dict[str, Callable[[], object]] = {
        "demux only (packets read, nothing decoded)": lambda: demux_only(path),
        HEADERS: lambda: header_check(path),
        FULL: lambda: decode_only(path, False),
        "decode only, no non-reference frames (NONREF), no deblocking (Bouclier before)": lambda: (
            decode_only(path)
        ),
        DECODE_OURS: lambda: decode_only(path, skip="BIDIR"),
        "decode only, NONREF + flags2=+fast": lambda: decode_only(path, flags2="+fast"),
        "decode only, NONREF, FFmpeg's automatic threads": lambda: decode_only(path, threads="0"),
    }
    for name, convert in CONVERSIONS.items():
        found[f"decode + convert sampled frames: {name}"] = (
            lambda c=convert: converted(path, c, False)  # type: ignore[misc]
        )
    for name, convert in CONVERSIONS.items():
        found[f"decode + convert + PDQ in-process: {name}"] = (
            lambda c=convert: converted(path, c, True)  # type: ignore[misc]
        )
    rgb = CONVERSIONS["RGB, full size (Bouclier)"]
    name = "decode (BIDIR) + convert + PDQ in-process: RGB, full size (read_video's way)"
    found[name] = lambda: converted(path, rgb, True, "BIDIR")
    found[OURS] = lambda: read_video(path, LIMITS)
    from bouclier.media import video_worker

    found[IN_PROCESS] = lambda: video_worker.run(str(path), worker_params())
    if before:
        old = worker_before(before)
        name = f"video_worker.run in-process as of {before} (2 s pixel check)"
        found[name] = lambda: old.run(str(path), worker_params())
    found["before the server: a python per video (limits, digests first)"] = lambda: (
        python_per_video(path)
    )
    found["server start-up alone, once per process (python, av, numpy, PDQ)"] = start_up
    program = reference_program()
    if program is not None:
        found["C++ vpdq reference, one thread (full decode, hashes every frame's RGB)"] = lambda: (
            reference_hashes(program, path)
        )
    ffmpeg = _ffmpeg(path)
    if ffmpeg is not None:
        found["ffmpeg -benchmark, same options, -f null"] = ffmpeg
    return found


def _limit_child() -> None:
    """As read_video limited its child before the server: in the forked copy, before exec."""
    memory, cpu = LIMITS.memory_bytes, int(LIMITS.timeout_seconds)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024 * 1024, 64 * 1024 * 1024))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def python_per_video(path: Path) -> None:
    """read_video as it was before the decoding server: the digests, then a fresh ``python -P
    video_worker.py`` per video, limited in ``preexec_fn`` (so forked from this process)."""
    with path.open("rb") as handle:
        data = handle.read()
    hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest()
    params = {"demuxer": "mov", "max_pixels": 3840 * 2160, "max_seconds": 3600}
    params |= {"seconds_per_hash": 1.0, "hash_side": 0, "detector_frames": 0}
    worker = ROOT / "src" / "bouclier" / "media" / "video_worker.py"
    command = [sys.executable, "-P", str(worker), str(path), json.dumps(params)]
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "PYTHONPATH", "HOME", "LANG"}}
    done = subprocess.run(
        command, capture_output=True, preexec_fn=_limit_child, env=env, check=True
    )
    assert b'"features"' in done.stdout


def worker_methods(path: Path) -> dict[str, Callable[[], object]]:
    found: dict[str, Callable[[], object]] = {
        "before: a python per video, limited in preexec_fn, digests first": lambda: (
            python_per_video(path)
        ),
        OURS: lambda: read_video(path, LIMITS),
        "in-process PyAV + PDQ, same options (no isolation)": lambda: converted(
            path, CONVERSIONS["RGB, full size (Bouclier)"], True
        ),
    }
    program = reference_program()
    if program is not None:
        found["C++ vpdq reference, one thread (full decode)"] = lambda: reference_hashes(
            program, path
        )
    return found


def measure(
    path: Path, runs: int, work: dict[str, Callable[[], object]]
) -> dict[str, list[tuple[float, float]]]:
    """{method: [(CPU s, wall s)] per run}, runs interleaved."""
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in work}
    for _ in range(runs):
        for name, call in work.items():
            start, cpu = time.perf_counter(), cpu_seconds()
            call()
            found[name].append((cpu_seconds() - cpu, time.perf_counter() - start))
    return found


def print_speed(found: dict[str, list[tuple[float, float]]], seconds: float) -> None:
    ours = statistics.median(c for c, _ in found[OURS])
    print(
        f"\n| {seconds:.0f} s 720p H.264, one core | CPU s (median) | min-max | "
        "x real time per CPU s | share of read_video | wall s (median) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, values in found.items():
        cpu = [c for c, _ in values]
        middle = statistics.median(cpu)
        wall = statistics.median(w for _, w in values)
        print(
            f"| {name} | {middle:.3f} | {min(cpu):.3f}-{max(cpu):.3f} | {seconds / middle:.1f} | "
            f"{100 * middle / ours:.0f} % | {wall:.2f} |",
            flush=True,
        )
    if HEADERS in found:
        check = statistics.median(c for c, _ in found[HEADERS]) - statistics.median(
            c for c, _ in found["demux only (packets read, nothing decoded)"]
        )
        print(f"\nthe H.264 header check alone: {1000 * check / seconds:.2f} ms CPU per s of video")
    for name in (FULL, DECODE_OURS):
        if name in found:
            alone = statistics.median(c for c, _ in found[name])
            print(
                f"\nread_video's speed / {name}'s: {alone / ours:.2f} "
                f"({seconds / ours:.1f}x / {seconds / alone:.1f}x real time)"
            )


def print_drift(path: Path) -> None:
    """Each sampled frame's PDQ against the full decode of the same frame (what skipping
    frames and deblocking costs) and against the reference's frame on the mark (what also
    taking a later frame costs)."""
    every = read_video(path, LIMITS, seconds_per_hash=0.001, exact=True).features
    full = {f.frame: f.pdq for f in every}
    print(
        "\n| PDQ of the sampled frames vs the full decode | frames | off the mark (frames) | "
        "bits to the same frame: max | mean | bits to the frame on the mark: max | mean |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    rows = {f"NONREF, {name}": (convert, "NONREF") for name, convert in CONVERSIONS.items()}
    rows["BIDIR, RGB, full size (read_video's H.264 at 1 fps)"] = (
        CONVERSIONS["RGB, full size (Bouclier)"],
        "BIDIR",
    )
    for name, (convert, skip) in rows.items():
        mine = converted(path, convert, True, skip)
        same = [distance(h, full[k]) for k, h in mine.items()]
        marks = [distance(h, full[30 * round(k / 30)]) for k, h in mine.items()]
        late = max(abs(k - 30 * round(k / 30)) for k in mine)
        print(
            f"| {name} | {len(mine)} | {late} | {max(same)} | {np.mean(same):.1f} | "
            f"{max(marks)} | {np.mean(marks):.1f} |"
        )


def print_profile(path: Path) -> None:
    """Frames decoded and CPU seconds spent per picture type (I, P, B), per skip_frame value:
    the time of each packet's decode, given to the frame of that packet's timestamp."""
    print(
        "\n| skip_frame (deblocked: DEFAULT only) | frames decoded | I | P | B | CPU s: I | P | B |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for skip in ("DEFAULT", "NONREF", "BIDIR", "NONKEY"):
        container, stream = _open(path, skip != "DEFAULT", skip=skip)
        cost: dict[int, float] = {}
        kinds: dict[int, str] = {}
        with container:
            for packet in container.demux(stream):
                start = time.process_time()
                for frame in stream.codec_context.decode(packet):
                    kinds[frame.pts] = "?IPB"[int(frame.pict_type)]
                cost[packet.pts] = time.process_time() - start
        count = {k: sum(v == k for v in kinds.values()) for k in "IPB"}
        spent = {k: sum(cost.get(pts, 0.0) for pts, v in kinds.items() if v == k) for k in "IPB"}
        print(
            f"| {skip} | {len(kinds)} | {count['I']} | {count['P']} | {count['B']} | "
            f"{spent['I']:.3f} | {spent['P']:.3f} | {spent['B']:.3f} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=20, help="20 or another length")
    parser.add_argument(
        "--parts",
        default="all",
        help="all; worker: read_video against in-process only; profile: time per frame type",
    )
    parser.add_argument(
        "--before", help="a git revision: its video_worker.run timed beside this tree's (all)"
    )
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, the children's too
    path = speed_video(args.seconds)
    print(f"{path.name}; load average {os.getloadavg()}", flush=True)
    if args.parts == "profile":
        print_profile(path)
        print_drift(path)
    elif args.parts == "worker":
        print_speed(measure(path, args.runs, worker_methods(path)), float(args.seconds))
    else:
        print_speed(measure(path, args.runs, methods(path, args.before)), float(args.seconds))
        print_drift(path)
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

"""The benchmark's banks' filler, made once and cached: PDQ of small procedural pictures, and each
robust signal type's values of benign filler pictures (benchmarks/reupload/filler.py), in chunks
under the cache folder given (an interrupted build resumes; a changed extraction gets a folder of
its own). What a build cost is returned, so a run can say it.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from bouclier.hashing.pdq import hash_pixels
from bouclier.media import DecodedImage
from bouclier.signals import MediaInput, SignalType
from bouclier.signals.registry import signal_types as registered
from reupload import filler as robust_filler_pictures
from reupload import suite

_T = TypeVar("_T")
_R = TypeVar("_R")


def filler(count: int, cache: Path, seed: int = 13) -> np.ndarray:
    """PDQ of ``count`` procedural filler pictures, (count, 32) uint8, cached in ``cache``."""
    if count <= 0:
        return np.zeros((0, 32), np.uint8)
    path = cache / f"filler-seed{seed}-{count}.npy"
    for held in cache.glob(f"filler-seed{seed}-*.npy"):  # a larger cached run starts the same
        if int(held.stem.rsplit("-", 1)[1]) >= count:
            return np.load(held)[:count]
    cache.mkdir(parents=True, exist_ok=True)
    rows = np.zeros((count, 32), np.uint8)
    for i in range(count):
        rows[i] = np.frombuffer(bytes.fromhex(hash_pixels(suite.filler_picture(i)).pdq), np.uint8)
        if sys.stderr.isatty() and i % 1000 == 0:
            print(f"\rfiller hashes: {i}/{count}", end="", file=sys.stderr, flush=True)
    np.save(path, rows)
    return rows


#: robust filler values are cached in chunks of this many (an interrupted build resumes)
ROBUST_FILLER_CHUNK = 10_000


@dataclass
class FillerBuild:
    """What making a robust filler cost this run (0 when every chunk was cached)."""

    built: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0  # this process and its worker processes
    folder: Path | None = None


def robust_filler(
    kind: SignalType, count: int, workers: int, cache: Path, seed: int = 22
) -> tuple[np.ndarray, FillerBuild]:
    """Packed values of ``count`` benign filler pictures (benchmarks/reupload/filler.py) for a
    robust signal type, cached under ``cache`` in chunks, in a folder named after the extractor
    (its values of the first pictures): a changed extraction never reads stale values."""
    folder = cache / f"{kind.name}-filler-seed{seed}-{_extractor_tag(kind, seed)}"
    folder.mkdir(parents=True, exist_ok=True)
    build = FillerBuild(folder=folder)
    parts = []
    for start in range(0, count, ROBUST_FILLER_CHUNK):
        size = min(ROBUST_FILLER_CHUNK, count - start)  # a short last chunk has its own file
        path = folder / f"{start:07d}-{size}.npy"
        if not path.exists():
            cpu, wall = _cpu_all(), time.perf_counter()
            indexes = range(start, start + size)
            values = _pool_map(_filler_value, [(kind.name, i, seed) for i in indexes], workers)
            partial = path.with_suffix(".partial.npy")
            np.save(partial, kind.pack(values))
            partial.replace(path)
            build.built += size
            build.wall_s += time.perf_counter() - wall
            build.cpu_s += _cpu_all() - cpu
        parts.append(np.load(path))
        progress(start + size, count, "robust filler")
    if not parts:
        return np.zeros((0, kind.packed_bytes), np.uint8), build
    return np.concatenate(parts), build


def _extractor_tag(kind: SignalType, seed: int) -> str:
    values = [_filler_value((kind.name, i, seed)) for i in range(4)]
    return hashlib.sha256("".join(values).encode()).hexdigest()[:12]


def _cpu_all() -> float:
    """CPU seconds of this process and of its reaped children (the pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _filler_value(job: tuple[str, int, int]) -> str:
    name, i, seed = job
    kind = registered().get(name)
    pixels = robust_filler_pictures.picture(i, seed=seed)
    image = DecodedImage("PNG", pixels.shape[1], pixels.shape[0], (pixels,), 1)
    return kind.fingerprint(MediaInput(b"", image))[0].value


def _pool_map(fn: Callable[[_T], _R], jobs: list[_T], workers: int) -> list[_R]:
    """``fn`` over ``jobs`` in order, on ``workers`` forked processes (in this one if 1)."""
    if workers <= 1:
        return [fn(job) for job in jobs]
    with multiprocessing.get_context("fork").Pool(workers, initializer=one_thread) as pool:
        return pool.map(fn, jobs, chunksize=max(1, len(jobs) // (workers * 16)))


def one_thread() -> None:
    import cv2

    cv2.setNumThreads(1)


def progress(done: int, total: int, what: str) -> None:
    if sys.stderr.isatty():
        end = "\n" if done >= total else ""
        print(f"\r{what}: {done}/{total}", end=end, file=sys.stderr, flush=True)

"""Full scan against NudeNet alone: per-stage latency and images per second, same photos, one run.

    .venv/bin/python benchmarks/bench_scan.py [--count 100] [--out FILE]

Photos: 1–4 MP JPEGs from benchmarks/photos.py. Bouclier's scan runs every stage (decode, hash,
match against a victim bank of 100,000 hashes, nudity, faces when the image is sexual or
revealing, provenance, policy). NudeNet alone is ``NudeDetector.detect`` (the same 320n model, its
session set to one thread like ours) on the photo decoded as the scan decodes it (Bouclier's
decoder, reduced while the shorter side stays >= 512: the same size, the same pixels); before
issue 18 it decoded every photo at full size, which flattered the scan's ratio. One core:
this process pinned to one CPU, both interleaved image by image. Two workers: each side with 2
processes.
Target: the full scan reaches ≥ 80% of NudeNet-alone throughput.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import photos

_nudenet: Any = None


def _start_nudenet() -> None:
    global _nudenet  # noqa: PLW0603
    import onnxruntime
    from nudenet import NudeDetector

    from bouclier.detectors.models import NUDENET_320N, locate

    _nudenet = NudeDetector()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    _nudenet.onnx_session = onnxruntime.InferenceSession(
        str(locate(NUDENET_320N)), options, providers=["CPUExecutionProvider"]
    )


def _nudenet_one(path: str) -> int:
    """NudeNet on the photo decoded as Bouclier's scan decodes it: the same reduced size (the
    JPEG decoder's DCT scaling while the shorter side stays >= BOUCLIER_PDQ_MIN_SIDE), so that
    both sides pay for the same decode and the model gets the same pixels."""
    from bouclier.hashing import DEFAULT_MIN_SIDE
    from bouclier.media import decode

    rgb = decode(Path(path).read_bytes(), min_side=DEFAULT_MIN_SIDE).frames[0]
    return len(_nudenet.detect(np.ascontiguousarray(rgb[:, :, ::-1])))  # NudeNet reads BGR


def _setup_bank(data_dir: str, size: int) -> None:
    os.environ["BOUCLIER_DATA_DIR"] = data_dir
    os.environ.pop("BOUCLIER_DATABASE_URL", None)
    from bouclier.banks.store import BankStore, NewEntry
    from bouclier.settings import load_settings
    from bouclier.storage import Database

    db = Database.open(load_settings().resolved_database_url)
    store = BankStore(db)
    store.create("victims", "victim")
    rng = np.random.default_rng(1)
    hexes = [bytes(row).hex() for row in rng.integers(0, 256, (size, 32), dtype=np.uint8)]
    store.add("victims", [NewEntry(value=h) for h in hexes])
    db.dispose()


def _throughput(workers: int, initializer: Any, fn: Any, paths: list[str]) -> float:
    with ProcessPoolExecutor(workers, initializer=initializer) as pool:
        list(pool.map(fn, paths[:workers]))  # warm: models loaded in every worker
        start = time.perf_counter()
        list(pool.map(fn, paths, chunksize=2))
        return len(paths) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--bank-size", type=int, default=100_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    paths = [str(p) for p in photos.photos(args.count, seed=7, min_mp=1.0, max_mp=4.0)]
    data_dir = tempfile.mkdtemp(prefix="bouclier-bench-")
    _setup_bank(data_dir, args.bank_size)

    from bouclier.analysis import STAGES
    from bouclier.cli import scan_cmd
    from bouclier.policy import Policy

    # two workers first (fresh processes), then one core in this process
    ours_2 = _throughput(
        2,
        functools.partial(scan_cmd._start_worker, None, Policy(), 1),
        scan_cmd._scan_one_plain,
        paths,
    )
    theirs_2 = _throughput(2, _start_nudenet, _nudenet_one, paths)

    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    scan_cmd._start_worker(None, Policy(), 1)
    _start_nudenet()
    for path in paths[:3]:  # warm-up
        scan_cmd._scan_one_plain(path)
        _nudenet_one(path)
    ours_t, theirs_t, stages = 0.0, 0.0, {s: [] for s in STAGES}
    verdicts: dict[str, int] = {}
    for path in paths:
        start = time.perf_counter()
        row = scan_cmd._scan_one(path, False)
        ours_t += time.perf_counter() - start
        start = time.perf_counter()
        _nudenet_one(path)
        theirs_t += time.perf_counter() - start
        verdicts[row.get("verdict", "error")] = verdicts.get(row.get("verdict", "error"), 0) + 1
        for stage, ms in row.get("timings_ms", {}).items():
            stages[stage].append(ms)

    ours_1, theirs_1 = len(paths) / ours_t, len(paths) / theirs_t
    lines = [
        f"Scan: {len(paths)} JPEG photos of 1–4 MP, victim bank of {args.bank_size:,} hashes; "
        f"verdicts {verdicts}.",
        "",
        "| run | NudeNet alone img/s | Bouclier full scan img/s | scan / NudeNet |",
        "|---|---|---|---|",
        f"| one core | {theirs_1:.1f} | {ours_1:.1f} | {ours_1 / theirs_1:.0%} |",
        f"| two workers | {theirs_2:.1f} | {ours_2:.1f} | {ours_2 / theirs_2:.0%} |",
        "",
        "Per-stage latency of the full scan, one core (ms):",
        "",
        "| stage | mean | p50 | p99 |",
        "|---|---|---|---|",
    ]
    for stage in STAGES:
        values = np.array(stages[stage] or [0.0])
        lines.append(
            f"| {stage} | {values.mean():.2f} | {np.percentile(values, 50):.2f} | "
            f"{np.percentile(values, 99):.2f} |"
        )
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()

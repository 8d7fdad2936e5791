"""Benchmark of ``bouclier backscan``: (id, PDQ) rows against a bank, local processes vs Ray,
and an image folder back-scan vs ``bouclier scan`` (the whole analysis) on the same images.

Data (built once into .cache/bench-backscan, reused): a SQLite bank of --bank PDQ hashes made of
near-duplicate families (a base and variants 2-12 bits away, as banks hold re-encodes of one
image), and a CSV of --rows archive rows: 1% near-duplicates of bank entries (0-40 bits away, so
some are beyond the threshold of 31), 20% members of the archive's own families (re-uploads of one
image: near each other, not in the bank), the rest uniform random. Each engine runs --runs times
over the same file in this process, one after another (the bank loaded, shipped to the workers and
indexed there counts in each run's time); the report's hits are checked to be the same for all.

    .venv/bin/python benchmarks/bench_backscan.py --rows 10000000 --bank 1000000
    .venv/bin/python benchmarks/bench_backscan.py --rows 200000 --bank 100000 --runs 1  # quick
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from bouclier.backscan.rows import parse_rows
from bouclier.backscan.run import Options, backscan
from bouclier.backscan.sources import Source
from bouclier.backscan.worker import Scanner, Setup
from bouclier.banks.store import BankStore
from bouclier.storage import Database
from bouclier.storage.models import BankEntry, utcnow

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "bench-backscan"
BATCH = 100_000
RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled"}


def _hex(raw: np.ndarray) -> list[str]:
    return [bytes(row).hex() for row in raw]


def _flip(raw: np.ndarray, bits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each row of ``raw`` with up to ``bits[i]`` random bits flipped (positions drawn with
    replacement, so a rare repeat flips fewer), in batches to bound memory."""
    out = raw.copy()
    most = int(bits.max(initial=0))
    for first in range(0, len(raw), 50_000):
        part = slice(first, first + 50_000)
        count = len(out[part])
        positions = rng.integers(0, 256, (count, most))
        keep = np.arange(most)[None, :] < bits[part, None]
        mask = np.zeros((count, 256), dtype=bool)
        rows = np.repeat(np.arange(count), most)[keep.ravel()]
        mask[rows, positions.ravel()[keep.ravel()]] = True
        out[part] ^= np.packbits(mask, axis=1, bitorder="little")
    return out


def bank_hashes(n: int) -> np.ndarray:
    rng = np.random.default_rng(1)
    bases = rng.integers(0, 256, (max(1, n // 10), 32), dtype=np.uint8)
    parents = rng.integers(0, len(bases), n)
    out = bases[parents]
    variant = np.arange(n) >= len(bases)  # the first n/10 rows are the bases themselves
    out[variant] = _flip(out[variant], rng.integers(2, 13, int(variant.sum())), rng)
    out[: len(bases)] = bases
    return out


def database(n: int) -> Path:
    path = CACHE / f"bank-{n}.db"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=CACHE)) / path.name
    db = Database.open(f"sqlite:///{building}")
    try:
        bank = BankStore(db).create("victims", "victim")
        hashes = bank_hashes(n)
        now = utcnow()
        with db.engine.begin() as connection:
            for first in range(0, n, BATCH):
                rows = _hex(hashes[first : first + BATCH])
                connection.execute(
                    insert(BankEntry),
                    [
                        {
                            "bank_id": bank.id,
                            "signal_type": "pdq",
                            "value": value,
                            "quality": 100,
                            "source": "",
                            "created_at": now,
                            "reviewed": True,
                        }
                        for value in rows
                    ],
                )
    finally:
        db.dispose()
    os.replace(building, path)
    shutil.rmtree(building.parent)
    return path


def archive(rows: int, bank: int) -> Path:
    path = CACHE / f"rows-{rows}-bank-{bank}.csv"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    banked = bank_hashes(bank)
    rng = np.random.default_rng(2)
    own_families = rng.integers(0, 256, (max(1, rows // 50), 32), dtype=np.uint8)
    building = path.with_name(path.name + ".tmp")
    with open(building, "w", encoding="ascii") as out:
        out.write("id,pdq\n")
        for first in range(0, rows, BATCH):
            count = min(BATCH, rows - first)
            kind = rng.random(count)
            raw = rng.integers(0, 256, (count, 32), dtype=np.uint8)
            near_bank = kind < 0.01
            raw[near_bank] = _flip(
                banked[rng.integers(0, bank, int(near_bank.sum()))],
                rng.integers(0, 41, int(near_bank.sum())),
                rng,
            )
            own = (kind >= 0.01) & (kind < 0.21)
            raw[own] = _flip(
                own_families[rng.integers(0, len(own_families), int(own.sum()))],
                rng.integers(0, 13, int(own.sum())),
                rng,
            )
            out.writelines(f"r{first + i},{value}\n" for i, value in enumerate(_hex(raw)))
    os.replace(building, path)
    return path


def run_rows(
    store: BankStore, rows: Path, engine: str, workers: int, chunk: int
) -> tuple[float, int, int]:
    out = Path(tempfile.mkdtemp()) / "report.jsonl"
    try:
        begin = time.perf_counter()
        summary = backscan(
            store,
            Source.open(str(rows)),
            Options(out, engine=engine, workers=workers, chunk_size=chunk, restart=True),
        )
        elapsed = time.perf_counter() - begin
        digest = int.from_bytes(hashlib.sha256(out.read_bytes()).digest()[:6], "big")
    finally:
        shutil.rmtree(out.parent)
    return elapsed, summary.hits, digest


def cut_rate(rows: Path, chunk: int) -> float:
    """Rows per second the driver alone cuts into chunks (its ceiling, whatever the workers)."""
    begin = time.perf_counter()
    count = sum(len(c.items) for c in Source.open(str(rows)).chunks(chunk))
    return count / (time.perf_counter() - begin)


def worker_cost(store: BankStore, rows: Path, chunk: int, count: int) -> tuple[float, float]:
    """CPU microseconds per row of one worker over the first ``count`` rows: parsing alone, and
    the whole chunk (parse + search + matches). CPU time, not wall time: on a shared machine it
    is what a worker costs, whatever share of a core it was given."""
    scanner = Scanner(Setup(store.hashes(), "csv"))
    chunks = list(islice(Source.open(str(rows)).chunks(chunk), max(1, count // chunk)))
    scanned = sum(len(c.items) for c in chunks)
    begin = time.process_time()
    for c in chunks:
        parse_rows(c.items, c.first_line, scanner.columns)
    parsing = time.process_time() - begin
    begin = time.process_time()
    for c in chunks:
        scanner.scan(c)
    whole = time.process_time() - begin
    return parsing / scanned * 1e6, whole / scanned * 1e6


def images_vs_scan(count: int, workers: int) -> list[tuple[str, float]]:
    """Seconds for ``bouclier backscan FOLDER`` and ``bouclier scan FOLDER``, same images."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from photos import photos

    folder = Path(tempfile.mkdtemp())
    try:
        for i, source in enumerate(photos(count)):
            shutil.copy(source, folder / f"{i:05d}.jpg")
        env = {
            **os.environ,
            "BOUCLIER_DATA_DIR": str(folder / "data"),
            "BOUCLIER_DATABASE_URL": f"sqlite:///{folder / 'b.db'}",
        }
        cli = str(Path(sys.executable).with_name("bouclier"))
        subprocess.run(
            [cli, "bank", "create", "victims", "--kind", "victim"],
            env=env,
            check=True,
            capture_output=True,
        )
        images = folder / "images"
        images.mkdir()
        for path in folder.glob("*.jpg"):
            path.rename(images / path.name)
        timings = []
        for name, command in (
            (
                "bouclier backscan (hash + match)",
                [
                    cli,
                    "backscan",
                    str(images),
                    "--out",
                    str(folder / "r.jsonl"),
                    "--workers",
                    str(workers),
                    "--chunk-size",
                    "8",
                ],
            ),
            (
                "bouclier scan (whole analysis)",
                [
                    cli,
                    "scan",
                    str(images),
                    "--workers",
                    str(workers),
                    "--out",
                    str(folder / "s.jsonl"),
                ],
            ),
        ):
            begin = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            timings.append((name, time.perf_counter() - begin))
        return timings
    finally:
        shutil.rmtree(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--bank", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=20_000)
    parser.add_argument("--engines", default="local,ray")
    parser.add_argument("--images", type=int, default=48, help="0: no image comparison")
    args = parser.parse_args()
    os.environ.update(RAY_ENV)

    load_before = os.getloadavg()[0]
    built = time.perf_counter()
    db = Database.open(f"sqlite:///{database(args.bank)}")
    rows = archive(args.rows, args.bank)
    print(f"data ready in {time.perf_counter() - built:.0f} s: {rows.name}", file=sys.stderr)
    store = BankStore(db)
    results: dict[str, list[float]] = {}
    ray_start = None
    if "ray" in args.engines.split(","):
        import ray

        begin = time.perf_counter()  # a cluster is up before a back-scan: its start is apart
        ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
        ray_start = time.perf_counter() - begin
    hits: set[tuple[int, int]] = set()
    try:
        for engine in args.engines.split(","):
            for _ in range(args.runs):
                elapsed, found, digest = run_rows(
                    store, rows, engine, args.workers, args.chunk_size
                )
                results.setdefault(engine, []).append(elapsed)
                hits.add((found, digest))
                print(f"{engine}: {elapsed:.1f} s, {found} hits", file=sys.stderr)
        single = run_rows(store, rows, "local", 1, args.chunk_size)[0]
        parsing, per_row = worker_cost(store, rows, args.chunk_size, min(args.rows, 200_000))
    finally:
        db.dispose()
    assert len(hits) == 1, f"the engines disagree: {hits}"
    cut = cut_rate(rows, args.chunk_size)

    print(
        f"\nBack-scan of {args.rows:,} (id, PDQ) rows against a bank of {args.bank:,} "
        f"({(next(iter(hits)))[0]:,} hits, same report from every run); "
        f"{args.workers} workers, {os.cpu_count()} cores seen, chunks of {args.chunk_size:,}; "
        f"{args.runs} runs each; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after\n"
    )
    print("| engine | median s | min s | max s | rows/s (median) | vs local |")
    print("|---|---|---|---|---|---|")
    local = statistics.median(results.get("local", [float("nan")]))
    for engine, times in results.items():
        median = statistics.median(times)
        print(
            f"| {engine} | {median:.1f} | {min(times):.1f} | {max(times):.1f} | "
            f"{args.rows / median:,.0f} | {local / median:.2f}x |"
        )
    print(
        f"| local, 1 worker (one core) | {single:.1f} | | | {args.rows / single:,.0f} | "
        f"{local / single:.2f}x |"
    )
    print(
        f"\nOne worker's CPU time per row: {per_row:.1f} us ({parsing:.1f} us of it parsing, the "
        f"rest the index search and matches), i.e. {1e6 / per_row:,.0f} rows/s per busy core."
    )
    print(f"The driver alone cuts {cut:,.0f} rows/s into chunks (its ceiling).")
    if ray_start is not None:
        print(f"Starting Ray on this machine (not in the times above): {ray_start:.1f} s.")
    if args.images:
        timings = images_vs_scan(args.images, args.workers)
        print(
            f"\nImage back-scan vs scan: {args.images} generated photos (benchmarks/photos.py), "
            f"{args.workers} workers, each command's start-up included\n"
        )
        print("| command | s | images/s | vs scan |")
        print("|---|---|---|---|")
        scan = timings[-1][1]
        for name, seconds in timings:
            print(
                f"| {name} | {seconds:.1f} | {args.images / seconds:.1f} | {scan / seconds:.1f}x |"
            )


if __name__ == "__main__":
    main()

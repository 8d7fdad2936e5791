"""Where a back-scan on Ray spends its time on one machine, beside the local engine.

The same (id, PDQ) rows and bank as benchmarks/bench_backscan.py (built once into
.cache/bench-backscan), each configuration run --runs times in interleaved rounds (so a change of
the machine's load falls on all of them alike). For each run: wall time, and the CPU seconds of
every process of the run by kind, read from /proc (benchmarks/process_cpu.py): the driver, the
workers (local processes or Ray actors) and each of Ray's daemons, with the workers' niceness.
Then: what one chunk costs in round trips alone (1-row chunks against an empty bank), what
starting an engine costs at this bank size (its workers' start and index build, to the first
chunk's answer), and what Ray's daemons use while Ray is idle.

    .venv/bin/python benchmarks/bench_backscan_ray.py --rows 200000 --bank 100000 --runs 3
    .venv/bin/python benchmarks/bench_backscan_ray.py ... --ray-worker-niceness 15  # Ray's own
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_backscan import RAY_ENV, archive, database, run_rows
from process_cpu import ProcessTreeCpu, ray_kind

from bouclier.backscan.chunks import Chunk
from bouclier.backscan.engines import Engine, LocalEngine, RayEngine
from bouclier.backscan.worker import Setup
from bouclier.banks.hashes import BankHashes
from bouclier.banks.store import BankStore
from bouclier.storage import Database

ROUND_TRIPS = 300
WORKERS = ("local worker", "ray worker (actors)")  # the processes that match
IDLE_S = 10.0


@dataclass(frozen=True)
class Config:
    name: str
    engine: str
    workers: int
    chunk: int


@dataclass
class Runs:
    walls: list[float] = field(default_factory=list)
    cpu: list[dict[str, float]] = field(default_factory=list)
    niceness: dict[str, set[int]] = field(default_factory=dict)


def configs(workers: int, chunk: int) -> list[Config]:
    return [
        Config(f"local, {workers} processes", "local", workers, chunk),
        Config(f"ray, {workers} actors", "ray", workers, chunk),
        Config("ray, 1 actor", "ray", 1, chunk),
        Config(f"ray, {workers} actors, chunks of {chunk // 4:,}", "ray", workers, chunk // 4),
    ]


def measure(store: BankStore, rows: Path, config: Config, runs: Runs) -> None:
    with ProcessTreeCpu(ray_kind(os.getpid())) as cpu:
        elapsed, _, _ = run_rows(store, rows, config.engine, config.workers, config.chunk)
    runs.walls.append(elapsed)
    runs.cpu.append(cpu.seconds())
    for kind, values in cpu.niceness().items():
        runs.niceness.setdefault(kind, set()).update(values)


def engine_of(name: str, setup: Setup, workers: int) -> Engine:
    return RayEngine(setup, None, workers) if name == "ray" else LocalEngine(setup, workers)


def round_trip_us(name: str, workers: int) -> float:
    """Wall microseconds per 1-row chunk through a started engine (an empty bank)."""
    engine = engine_of(name, Setup(BankHashes(), "csv"), workers)
    row = b"r," + b"0" * 64
    try:
        list(engine.run(Chunk(n, n + 1, (row,)) for n in range(20)))  # warm
        begin = time.perf_counter()
        list(engine.run(Chunk(n, n + 1, (row,)) for n in range(ROUND_TRIPS)))
        return (time.perf_counter() - begin) / ROUND_TRIPS * 1e6
    finally:
        engine.close()


def start_s(name: str, setup: Setup, workers: int) -> float:
    """Seconds from making an engine to the answer of its first 1-row chunk: workers started,
    the bank shipped and indexed (every worker builds its index before its first chunk)."""
    begin = time.perf_counter()
    engine = engine_of(name, setup, workers)
    try:
        chunks = [Chunk(n, n + 1, (b"r," + b"0" * 64,)) for n in range(workers)]
        list(engine.run(chunks))
        return time.perf_counter() - begin
    finally:
        engine.close()


def idle_daemons() -> dict[str, float]:
    """CPU seconds per second of Ray's processes while nothing runs."""
    with ProcessTreeCpu(ray_kind(os.getpid())) as cpu:
        time.sleep(IDLE_S)
    return {kind: s / IDLE_S for kind, s in cpu.seconds().items() if kind.startswith("ray")}


def report(args: argparse.Namespace, results: list[tuple[Config, Runs]]) -> None:
    local = statistics.median(results[0][1].walls)
    print(
        "| configuration | median s (min–max) | rows/s | vs local | CPU s: driver | workers | "
        "Ray daemons | workers' niceness |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for config, runs in results:
        wall = statistics.median(runs.walls)
        driver = statistics.median(c.get("driver", 0.0) for c in runs.cpu)
        workers = statistics.median(sum(s for k, s in c.items() if "worker" in k) for c in runs.cpu)
        daemons = statistics.median(
            sum(s for k, s in c.items() if k.startswith("ray") and "worker" not in k)
            for c in runs.cpu
        )
        nice = sorted({n for k, v in runs.niceness.items() if k in WORKERS for n in v})
        print(
            f"| {config.name} | {wall:.1f} ({min(runs.walls):.1f}–{max(runs.walls):.1f}) | "
            f"{args.rows / wall:,.0f} | {local / wall:.2f}x | {driver:.1f} | {workers:.1f} | "
            f"{daemons:.1f} | {', '.join(map(str, nice))} |"
        )
    print("\nCPU seconds by process kind, each configuration's last run:")
    for config, runs in results:
        parts = ", ".join(f"{k} {s:.1f}" for k, s in runs.cpu[-1].items() if s >= 0.05)
        print(f"- {config.name}: {parts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--bank", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=20_000)
    parser.add_argument(
        "--ray-worker-niceness",
        type=int,
        default=RayEngine.WORKER_NICENESS,
        help="added to the niceness of Ray's workers (Ray's default: 15; bouclier's Ray: 0)",
    )
    args = parser.parse_args()
    os.environ.update(RAY_ENV)
    import ray

    load_before = os.getloadavg()
    db = Database.open(f"sqlite:///{database(args.bank)}")
    rows = archive(args.rows, args.bank)
    store = BankStore(db)
    begin = time.perf_counter()
    ray.init(
        num_cpus=args.workers,
        include_dashboard=False,
        log_to_driver=False,
        _system_config={"worker_niceness": args.ray_worker_niceness},
    )
    print(f"Ray started in {time.perf_counter() - begin:.1f} s (not in the times)", file=sys.stderr)
    results = [(config, Runs()) for config in configs(args.workers, args.chunk_size)]
    try:
        for run in range(args.runs):
            for config, runs in results:
                measure(store, rows, config, runs)
                print(f"round {run + 1}: {config.name}: {runs.walls[-1]:.1f} s", file=sys.stderr)
        setup = Setup(store.hashes(), "csv")
        starts = {name: start_s(name, setup, args.workers) for name in ("local", "ray")}
        trips = {name: round_trip_us(name, args.workers) for name in ("local", "ray")}
        idle = idle_daemons()
    finally:
        db.dispose()
    load_after = os.getloadavg()
    print(
        f"\n{args.rows:,} (id, PDQ) rows against a bank of {args.bank:,}, chunks of "
        f"{args.chunk_size:,}, {args.runs} interleaved rounds, {os.cpu_count()} cores seen; "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after; driver's "
        f"niceness {os.nice(0)}, Ray's workers' {args.ray_worker_niceness:+d}\n"
    )
    report(args, results)
    print(
        f"\nEngine start to the first answer ({args.workers} workers, bank of {args.bank:,}): "
        + ", ".join(f"{name} {s:.1f} s" for name, s in starts.items())
    )
    print(
        f"One 1-row chunk's round trip ({ROUND_TRIPS} in a row, empty bank): "
        + ", ".join(f"{name} {us:,.0f} µs" for name, us in trips.items())
    )
    print(
        f"Ray's processes while idle ({IDLE_S:.0f} s), CPU s per s: "
        + (", ".join(f"{k} {v:.3f}" for k, v in idle.items()) or "none measurable")
    )


if __name__ == "__main__":
    main()

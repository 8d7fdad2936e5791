"""Benchmark of a service restart: Services.start from the database vs from the matcher snapshot.

One bank of N random PDQ hashes (default 1,000,000) in a SQLite database, built once (entries and
change log written in bulk through SQLAlchemy Core) into .cache/bench-restart and reused. Each
round times ``Services.start`` (open and migrate the database, build the matcher, start the
follower) twice: with no snapshot, reading every entry from the database; then from the snapshot
the first start wrote, replaying the log from its cursor. Also timed: writing a snapshot, and a
start from a snapshot after 10,000 more changes (adds and removes made while no process ran).
Starts run one after another in this process; the models are not loaded (they never are in
``start``).

    .venv/bin/python benchmarks/bench_restart.py [--n 1000000] [--rounds 3]
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

import numpy as np
from sqlalchemy import insert

from bouclier.api.services import Services
from bouclier.banks.store import BankStore, NewEntry
from bouclier.detectors.catalog import CATALOG
from bouclier.settings import Settings, load_settings
from bouclier.storage import Database
from bouclier.storage.models import BankEntry, HashChange, utcnow

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "bench-restart"
BATCH = 50_000


def database(n: int) -> Path:
    """The cached SQLite file with one bank of n hashes (built on first use, atomically)."""
    path = CACHE / f"bank-{n}.db"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=CACHE)) / path.name
    start = time.perf_counter()
    db = Database.open(f"sqlite:///{building}")
    try:
        bank = BankStore(db).create("victims", "victim")
        rng = np.random.default_rng(0)
        now = utcnow()
        with db.engine.begin() as connection:
            for first in range(0, n, BATCH):
                count = min(BATCH, n - first)
                raw = rng.integers(0, 256, (count, 32), dtype=np.uint8)
                hexes = [bytes(row).hex() for row in raw]
                ids = range(first + 1, first + count + 1)
                connection.execute(
                    insert(BankEntry),
                    [
                        {"id": i, "bank_id": bank.id, "pdq": h, "source": "", "created_at": now}
                        for i, h in zip(ids, hexes, strict=True)
                    ],
                )
                connection.execute(
                    insert(HashChange),
                    [
                        {
                            "bank_id": bank.id,
                            "entry_id": i,
                            "op": "add",
                            "pdq": h,
                            "created_at": now,
                        }
                        for i, h in zip(ids, hexes, strict=True)
                    ],
                )
    finally:
        db.dispose()
    os.replace(building, path)
    shutil.rmtree(building.parent)
    print(f"built {path} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return path


def timed_start(settings: Settings, expected: str) -> tuple[float, Services]:
    begin = time.perf_counter()
    services = Services.start(settings, CATALOG.build(settings))
    elapsed = time.perf_counter() - begin
    assert services.matcher_source == expected, (services.matcher_source, expected)
    return elapsed, services


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    source = database(args.n)
    with tempfile.TemporaryDirectory() as scratch:
        # a copy: the round with later changes writes to it
        url = f"sqlite:///{Path(scratch) / 'bouclier.db'}"
        shutil.copy(source, Path(scratch) / "bouclier.db")
        settings = load_settings(data_dir=Path(scratch), database_url=url)
        folder = settings.resolved_snapshot_dir
        cold: list[float] = []
        warm: list[float] = []
        writes: list[float] = []
        for _ in range(args.rounds):
            shutil.rmtree(folder, ignore_errors=True)
            elapsed, services = timed_start(settings, "database")
            cold.append(elapsed)
            services.close()  # waits for the snapshot written after start
            begin = time.perf_counter()
            services.live.snapshot_cursor = 0  # forces one more write, to time it
            services.write_snapshot()
            writes.append(time.perf_counter() - begin)
            elapsed, services = timed_start(settings, "snapshot")
            warm.append(elapsed)
            size = len(services.matcher)
            services.live.snapshot_path = None  # no snapshot at close: the next round starts cold
            services.close()
        # 10,000 changes while no process ran: 5,000 adds, 5,000 removes
        store = BankStore(db := Database.open(url))
        rng = np.random.default_rng(1)
        store.add(
            "victims",
            [NewEntry(bytes(r).hex()) for r in rng.integers(0, 256, (5000, 32), dtype=np.uint8)],
        )
        store.remove_entries("victims", list(range(1, 5001)))
        db.dispose()
        behind, services = timed_start(settings, "snapshot")
        services.close()
        snapshot_bytes = sum(p.stat().st_size for p in folder.glob("*.snap"))
    cold_s, warm_s = statistics.median(cold), statistics.median(warm)
    print(f"| start of Services, SQLite, {size:,} hashes in one bank | median of {args.rounds} |")
    print("|---|---|")
    print(f"| from the database (read every entry) | {cold_s:.2f} s |")
    print(f"| from the snapshot | {warm_s:.2f} s |")
    print(f"| ratio | {cold_s / warm_s:.1f}x |")
    print(f"| from the snapshot, 10,000 changes behind (replayed) | {behind:.2f} s |")
    write_s = statistics.median(writes)
    print(f"| writing the snapshot (background, not in the start) | {write_s:.2f} s |")
    print(f"| snapshot file | {snapshot_bytes / 2**20:.1f} MiB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

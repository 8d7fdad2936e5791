"""Benchmark of a service restart: Services.start from the database, from a version-2 matcher
snapshot (rows: PDQ's tables rebuilt) and from a version-3 one (PDQ's built index, mapped).

One bank of N random PDQ hashes (default 1,000,000) in a SQLite database, built once (entries and
change log written in bulk through SQLAlchemy Core) into .cache/bench-restart and reused (10M:
~12 minutes and 1.4 GB, once). Each round times ``Services.start`` (open and migrate the
database, build or load the matcher, start the follower) three times, on the same database:
with no snapshot, reading every entry from the database; from the version-3 snapshot the first
start wrote; from the same snapshot rewritten in version 2. Each start is checked to have come
from where it should and to find a stored hash. Also timed: writing a snapshot, and a start from
the version-3 snapshot after 10,000 more changes (adds and removes made while no process ran).
Starts run one after another in this process; the models are not loaded (they never are in
``start``). Wall and CPU (every thread of the process) seconds; median and range of the rounds.

    .venv/bin/python benchmarks/bench_restart.py [--n 1000000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select

from bouclier.api.services import Services
from bouclier.banks import snapshot as snapshots
from bouclier.banks.hashes import BankHashes, SignalRows
from bouclier.banks.live import LiveMatcher
from bouclier.banks.matcher import BankMatcher
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
                        {"id": i, "bank_id": bank.id, "value": h, "source": "", "created_at": now}
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
                            "value": h,
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


def timed_start(settings: Settings, expected: str, probe: str) -> tuple[float, float, Services]:
    """Wall and CPU seconds of one start, and the services (checked to find ``probe``)."""
    gc.collect()
    begin, begin_cpu = time.perf_counter(), time.process_time()
    services = Services.start(settings, CATALOG.build(settings))
    elapsed, cpu = time.perf_counter() - begin, time.process_time() - begin_cpu
    assert services.matcher_source == expected, (services.matcher_source, expected)
    assert [m.distance for m in services.matcher.match_hash(probe)] == [0]
    return elapsed, cpu, services


def stop(services: Services, *, snapshot: bool = True) -> None:
    if not snapshot:
        services.live.snapshot_path = None  # no snapshot at close: the file stays as it is
    services.close()
    del services
    gc.collect()


def rewrite(path: Path, url: str, version: int) -> None:
    """The snapshot at ``path`` written again in ``version``."""
    key = snapshots.database_key(url)
    assert key is not None
    held = snapshots.read(path, key)
    snapshots.write(path, held, key, version=version)
    del held
    gc.collect()


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--database-rounds",
        type=int,
        default=None,
        help="starts from the database to time (default: --rounds); 0 makes the first snapshot "
        "without Services (at 10M on a loaded machine a start from the database takes minutes)",
    )
    args = parser.parse_args(argv)
    database_rounds = args.rounds if args.database_rounds is None else args.database_rounds
    source = database(args.n)
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as scratch:
        # a copy: the round with later changes writes to it
        url = f"sqlite:///{Path(scratch) / 'bouclier.db'}"
        shutil.copy(source, Path(scratch) / "bouclier.db")
        probe = first_hash(url)
        settings = load_settings(data_dir=Path(scratch), database_url=url)
        folder = settings.resolved_snapshot_dir
        times: dict[str, list[tuple[float, float]]] = {"database": [], "v2": [], "v3": []}
        writes: list[float] = []
        sizes: dict[str, int] = {}
        shutil.rmtree(folder, ignore_errors=True)
        for round_ in range(max(args.rounds, database_rounds)):
            if round_ < database_rounds:
                shutil.rmtree(folder, ignore_errors=True)
                *timing, services = timed_start(settings, "database", probe)
                times["database"].append((timing[0], timing[1]))
                stop(services)  # waits for the snapshot written after start
                begin = time.perf_counter()
                services.live.snapshot_cursor = 0  # forces one more write, to time it
                services.write_snapshot()
                writes.append(time.perf_counter() - begin)
                path = services.snapshot_path
            elif round_ == 0:
                path = seed(url, settings)
            assert path is not None
            sizes["v3"] = path.stat().st_size
            if round_ >= args.rounds:
                continue
            for version in ("v3", "v2"):
                if version == "v2":
                    rewrite(path, url, 2)
                    sizes["v2"] = path.stat().st_size
                *timing, services = timed_start(settings, "snapshot", probe)
                times[version].append((timing[0], timing[1]))
                size = len(services.matcher)
                stop(services, snapshot=False)
            rewrite(path, url, 3)
        # 10,000 changes while no process ran: 5,000 adds, 5,000 removes
        store = BankStore(db := Database.open(url))
        rng = np.random.default_rng(1)
        store.add(
            "victims",
            [NewEntry(bytes(r).hex()) for r in rng.integers(0, 256, (5000, 32), dtype=np.uint8)],
        )
        store.remove_entries("victims", list(range(2, 5002)))
        db.dispose()
        behind, _, services = timed_start(settings, "snapshot", probe)
        stop(services, snapshot=False)
    walls = {k: [w for w, _ in v] for k, v in times.items()}
    cpus = {k: [c for _, c in v] for k, v in times.items()}
    print(
        f"| start of Services, SQLite, {size:,} hashes in one bank, {args.rounds} rounds "
        "| wall s, median (range) | CPU s, median (range) | file MiB | vs database |"
    )
    print("|---|---|---|---|---|")
    rows = (
        ("database", "from the database (read every entry, build the tables)", "-"),
        ("v2", "from a version-2 snapshot (rows; tables rebuilt)", f"{sizes['v2'] / 2**20:,.0f}"),
        ("v3", "from a version-3 snapshot (built index, mapped)", f"{sizes['v3'] / 2**20:,.0f}"),
    )
    base = statistics.median(walls["database"]) if walls["database"] else None
    for key, label, mib in rows:
        if not walls[key]:
            print(f"| {label} | not run | | {mib} | |")
            continue
        ratio = f"{base / statistics.median(walls[key]):.1f}x" if base else "-"
        print(f"| {label} | {spread(walls[key])} | {spread(cpus[key])} | {mib} | {ratio} |")
    print(f"| from the version-3 snapshot, 10,000 changes behind (replayed) | {behind:.2f} | | | |")
    if writes:
        print(f"| writing the version-3 snapshot (background) | {spread(writes)} | | | |")
    return 0


def seed(url: str, settings: Settings) -> Path:
    """The first version-3 snapshot, made without Services: the entries read with sqlite3 (not
    row by row through SQLAlchemy), the matcher built, the snapshot written as a process would."""
    db = Database.open(url)
    try:
        store = BankStore(db)
        cursor = store.last_cursor()
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            found = connection.execute("SELECT id, bank_id, value FROM bank_entries ORDER BY id")
            ids, banks, values = zip(*found.fetchall(), strict=True)
        rows = np.frombuffer(bytes.fromhex("".join(values)), np.uint8).reshape(-1, 32)
        part = SignalRows(np.array(ids, np.int64), np.array(banks, np.int32), rows)
        del ids, banks, values
        matcher = BankMatcher(BankHashes({"pdq": part}, store.bank_rows()))
        key = snapshots.database_key(url)
        assert key is not None
        path = snapshots.path_for(settings.resolved_snapshot_dir, key)
        live = LiveMatcher(store, matcher, cursor)
        live.snapshot_path, live._key = path, key
        assert live.write_snapshot()
    finally:
        db.dispose()
    return path


def first_hash(url: str) -> str:
    db = Database.open(url)
    try:
        with db.engine.connect() as connection:
            value = connection.execute(
                select(BankEntry.value).where(BankEntry.id == 1)
            ).scalar_one()
    finally:
        db.dispose()
    return str(value)


if __name__ == "__main__":
    sys.exit(main())

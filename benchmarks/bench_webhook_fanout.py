"""Benchmark of the webhook fan-out (issue 14, part 3): W webhooks x one bank import of N hashes.

A fresh SQLite database in a temporary folder: one victim bank, W webhooks subscribed to every
event (made by the operator, so the per-key cap does not apply), then one ``BankStore.add`` of N
random PDQ hashes (one bank write). Timed: the import, and ``fan_out_all`` turning its change log
into deliveries. Counted: the ``webhook_deliveries`` rows, and the database and WAL file sizes
after the fan-out (before any checkpoint) and after ``PRAGMA wal_checkpoint(TRUNCATE)``.

    .venv/bin/python benchmarks/bench_webhook_fanout.py [--webhooks 24] [--hashes 200000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, text

from bouclier.banks.store import BankStore, NewEntry
from bouclier.storage import Database
from bouclier.storage.models import WebhookDelivery
from bouclier.webhooks.fanout import fan_out_all
from bouclier.webhooks.store import WebhookStore


def _mib(path: Path) -> float:
    return path.stat().st_size / 2**20 if path.exists() else 0.0


def run(webhooks: int, hashes: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as folder:
        path = Path(folder) / "bouclier.db"
        wal = path.with_name(path.name + "-wal")
        db = Database.open(f"sqlite:///{path}")
        try:
            banks = BankStore(db)
            banks.create("victims", "victim")
            store = WebhookStore(db)
            for i in range(webhooks):
                store.create(f"hook-{i}", f"https://platform-{i}.example/hook")
            rng = random.Random(0)
            entries = [NewEntry(f"{rng.getrandbits(256):064x}") for _ in range(hashes)]
            start = time.perf_counter()
            banks.add("victims", entries)
            imported = time.perf_counter() - start
            start = time.perf_counter()
            read = fan_out_all(db)
            fanned = time.perf_counter() - start
            with db.transaction() as session:
                rows = session.scalar(select(func.count()).select_from(WebhookDelivery))
            db_mib, wal_mib = _mib(path), _mib(wal)
            with db.engine.begin() as connection:
                connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            print(f"webhooks {webhooks}, hashes {hashes}: {read} changes fanned out")
            print(f"import {imported:.1f} s, fan-out {fanned:.1f} s")
            print(f"webhook_deliveries rows: {rows}")
            print(f"database {db_mib:.1f} MiB, WAL {wal_mib:.1f} MiB after the fan-out")
            print(f"database {_mib(path):.1f} MiB, WAL {_mib(wal):.1f} MiB after a checkpoint")
        finally:
            db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--webhooks", type=int, default=24)
    parser.add_argument("--hashes", type=int, default=200_000)
    args = parser.parse_args()
    run(args.webhooks, args.hashes)


if __name__ == "__main__":
    main()

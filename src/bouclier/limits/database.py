"""Limit counters in the service's database (table ``limit_counters``): every process on it, and
the next one after a restart, sees the same counts.

Each change is one short transaction: the key's row is inserted if missing (which, on SQLite, takes
the write lock at once, so two processes never read the same old row), read (``FOR UPDATE`` on
PostgreSQL), and replaced. The store has its own connections; on SQLite they commit without waiting
for the disk (``synchronous=NORMAL``): a counter lost in a power cut costs an attacker's few extra
tries, and nothing acknowledged to a user is kept here. Void rows are deleted every
:data:`SWEEP_EVERY` changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import delete, event, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bouclier.limits.store import Change, Record, digest
from bouclier.storage import Database
from bouclier.storage.models import LimitCounter

T = TypeVar("T")

#: Changes between two sweeps of void rows.
SWEEP_EVERY = 1000


def _relaxed_sync(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class DatabaseStore:
    """Records in ``limit_counters`` (the migrations create it; :meth:`Database.open` runs them)."""

    blocking = True

    def __init__(self, url: str, clock: Callable[[], float] = time.time) -> None:
        self.db = Database(url)
        if self.db.dialect == "sqlite":
            # runs after Database's own pragmas (listeners run in order)
            event.listen(self.db.engine, "connect", _relaxed_sync)
        self.clock = clock
        self._insert = postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert
        self._changes = 0
        self._lock = threading.Lock()

    def update(self, key: str, change: Change[T]) -> T:
        stored = digest(key)
        with self.db.transaction() as session:
            session.execute(
                self._insert(LimitCounter)
                .values(key=stored, level=0.0, until=0.0, expires=0.0)
                .on_conflict_do_nothing(index_elements=["key"])
            )
            row = session.execute(
                select(LimitCounter).where(LimitCounter.key == stored).with_for_update()
            ).scalar_one()
            now = self.clock()
            record = None if row.expires <= now else Record(row.level, row.until, row.expires)
            new, answer = change(record, now)
            if new is None:
                session.execute(delete(LimitCounter).where(LimitCounter.key == stored))
            elif new is not record:
                session.execute(
                    update(LimitCounter)
                    .where(LimitCounter.key == stored)
                    .values(level=new.level, until=new.until, expires=new.expires)
                )
        self._maybe_sweep()
        return answer

    def _maybe_sweep(self) -> None:
        with self._lock:
            self._changes += 1
            if self._changes % SWEEP_EVERY:
                return
        self.sweep()

    def sweep(self) -> int:
        """Deletes the void rows; how many."""
        with self.db.transaction() as session:
            done = session.execute(delete(LimitCounter).where(LimitCounter.expires <= self.clock()))
        return int(getattr(done, "rowcount", 0) or 0)

    def close(self) -> None:
        self.db.dispose()

"""Where limit counters live: one small record per key, read and replaced atomically.

A rule (a token bucket, a back-off) is a function from the key's record (or None) and the time to
the new record and an answer; :meth:`CounterStore.update` runs it so that two processes changing
the same key never both read the old record. Times are wall-clock seconds (``time.time``), so that
processes and machines agree. A record past its ``expires`` means nothing: the rules treat it as
absent and the stores drop it in time.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from bouclier.settings import Settings
    from bouclier.storage import Database

T = TypeVar("T")

#: Records kept in memory before the stale ones are swept out.
_SWEEP_AT = 100_000


@dataclass(frozen=True, slots=True)
class Record:
    """A key's state: a ``level`` (a bucket's time of full use, a number of attempts), a time
    before which the key must wait (``until``) and a time after which the record is void."""

    level: float
    until: float
    expires: float


#: A rule: (the record or None, now) -> (the new record or None to delete it, the answer).
#: Returning the record it was given (the same object) writes nothing.
Change = Callable[[Record | None, float], tuple[Record | None, T]]


def digest(key: str) -> str:
    """The stored form of a key: its SHA-256, so no number, name or address is kept in clear."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class CounterStore(Protocol):
    """Records by key, changed atomically. ``blocking`` says whether :meth:`update` does I/O (an
    async caller then runs it in a worker thread)."""

    blocking: bool
    clock: Callable[[], float]

    def update(self, key: str, change: Change[T]) -> T: ...

    def close(self) -> None: ...


class MemoryStore:
    """Records in this process's memory: forgotten on restart, not shared between processes."""

    blocking = False

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._records: dict[str, Record] = {}
        self._lock = threading.Lock()

    def update(self, key: str, change: Change[T]) -> T:
        stored = digest(key)
        with self._lock:
            now = self.clock()
            if len(self._records) > _SWEEP_AT:  # a flood of keys: forget the void ones
                self._records = {k: r for k, r in self._records.items() if r.expires > now}
            record = self._records.get(stored)
            if record is not None and record.expires <= now:
                record = None
            new, answer = change(record, now)
            if new is None:
                self._records.pop(stored, None)
            elif new is not record:
                self._records[stored] = new
            return answer

    def close(self) -> None:
        self._records.clear()


def open_store(settings: Settings, db: Database) -> CounterStore:
    """The store ``BOUCLIER_LIMITER_STORE`` names: ``database`` (the service's database, through
    its own connections), ``redis`` (``BOUCLIER_REDIS_URL``, its keys apart for each database) or
    ``memory``. An unreachable Redis
    fails here, at start."""
    if settings.limiter_store == "memory":
        return MemoryStore()
    if settings.limiter_store == "redis":
        from bouclier.limits.redis_store import RedisStore

        assert settings.redis_url is not None  # the settings refuse redis without a URL
        return RedisStore.connect(settings.redis_url.get_secret_value(), namespace=db.url)
    from bouclier.limits.database import DatabaseStore

    return DatabaseStore(db.url)

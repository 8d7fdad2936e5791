"""Attempts that may be wrong, slowed by a delay that grows with the wrong ones; never a lock.

:meth:`Backoff.attempt` charges an attempt *before* it is checked (so that a burst of attempts
sent at once is counted as it comes, not after the slow check of each), or answers how long the key
must still wait. The caller then refunds a right attempt (:meth:`refund`). Once a key has
``free`` charged attempts, each further one makes the key wait: ``delay * 2**(n - free)`` seconds
after the n-th (capped at ``cap``) when ``growing``, a steady ``delay`` otherwise. A key's count is
forgotten ``memory`` seconds after its last attempt.
"""

from __future__ import annotations

from dataclasses import dataclass

from bouclier.limits.store import CounterStore, Record


@dataclass(frozen=True)
class Backoff:
    free: int
    delay: float
    cap: float
    memory: float
    growing: bool = True

    def __post_init__(self) -> None:
        if self.free < 1 or self.delay <= 0 or self.cap < self.delay or self.memory <= 0:
            raise ValueError("a back-off needs free >= 1, 0 < delay <= cap and memory > 0")

    def wait_after(self, attempts: int) -> float:
        """Seconds a key waits after its ``attempts``-th charged attempt (0 while free)."""
        if attempts < self.free:
            return 0.0
        if not self.growing:
            return self.delay
        return min(self.cap, self.delay * 2.0 ** min(attempts - self.free, 64))

    def attempt(self, store: CounterStore, key: str) -> float | None:
        """Charges one attempt to ``key``: None, or the seconds it must still wait (nothing
        charged)."""

        def change(record: Record | None, now: float) -> tuple[Record | None, float | None]:
            if record is not None and record.until > now:
                return record, record.until - now
            attempts = 1 + (0 if record is None else int(record.level))
            wait = self.wait_after(attempts)
            return Record(float(attempts), now + wait if wait else 0.0, now + self.memory), None

        return store.update(key, change)

    def refund(self, store: CounterStore, key: str, *, forget: bool = False) -> None:
        """Takes back one charged attempt (a right secret, or an attempt refused by another
        limit), and the wait it set; ``forget`` drops the key's count altogether."""

        def change(record: Record | None, now: float) -> tuple[Record | None, None]:
            if record is None or forget or record.level <= 1:
                return None, None
            return Record(record.level - 1, 0.0, record.expires), None

        store.update(key, change)

    def attempts(self, store: CounterStore, key: str) -> int:
        """Attempts charged to ``key`` and not forgotten (for tests and reports)."""

        def change(record: Record | None, now: float) -> tuple[Record | None, int]:
            return record, 0 if record is None else int(record.level)

        return store.update(key, change)

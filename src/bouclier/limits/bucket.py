"""A token bucket, kept as one number per key: the time at which the bucket would be empty.

``burst`` requests may come at once, then ``per_second`` on average. The record's ``level`` is the
"theoretical arrival time" of the generic cell rate algorithm: each request pushes it one interval
(``1 / per_second``) past ``max(level, now)``, and is refused when that lands more than ``burst``
intervals ahead of now. A refused request changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bouclier.limits.store import CounterStore, Record

# float sums of intervals must not refuse a request that is exactly within the burst
_SLACK = 1e-9


@dataclass(frozen=True)
class TokenBucket:
    per_second: float
    burst: int

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("a rate limit needs per_second > 0 and burst >= 1")

    def take(self, store: CounterStore, key: str) -> float | None:
        """Takes a token from ``key``'s bucket: None, or the seconds to wait for one (nothing
        taken)."""
        interval = 1.0 / self.per_second
        ceiling = self.burst * interval

        def change(record: Record | None, now: float) -> tuple[Record | None, float | None]:
            start = now if record is None else max(record.level, now)
            level = start + interval
            if level - now > ceiling + _SLACK:
                return record, level - now - ceiling
            return Record(level, 0.0, level), None

        return store.update(key, change)

"""Guessing of case secrets is stopped: after a few failures, a case number (and a client) must
wait.

Every failed check of a secret counts against the case number and against the client address;
after :data:`LIMIT` failures within :data:`WINDOW` seconds on either, checks are refused with
:class:`TooManyAttempts` (HTTP 429 with ``Retry-After``) until the oldest failure leaves the
window. A success clears the case number's count. A secret has 125 bits, so this is not what
keeps it safe; it keeps the service from being used as a guessing oracle and the logs quiet.
The counts live in each process (several processes multiply the allowance by their number).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

from bouclier.errors import BouclierError

LIMIT = 5
WINDOW = 15 * 60.0
_MAX_TRACKED = 100_000  # keys remembered at most; the oldest are forgotten first


class TooManyAttempts(BouclierError):
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Attempts:
    def __init__(
        self,
        limit: int = LIMIT,
        window: float = WINDOW,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, keys: Iterable[str]) -> None:
        """Raises TooManyAttempts if any of ``keys`` (a case number, a client) is locked out."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self.limit:
                    wait = max(wait, failures[0] + self.window - now)
        if wait > 0:
            raise TooManyAttempts(
                "too many wrong secrets for this case or from this connection; try again later",
                retry_after=max(1, math.ceil(wait)),
            )

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)
                if len(self._failures) > _MAX_TRACKED:
                    self._failures.pop(next(iter(self._failures)))

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

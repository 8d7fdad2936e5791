"""Guessing of secrets is stopped: after a few failures a key (a case number, an analyst's name)
and a client address must wait.

One :class:`SecretLimiter` per app (``app.state.secret_limiter``, made by
:func:`bouclier.web.install`) counts the failures of the API's ``X-Case-Secret``, the portal's
login and the console's login alike, so the doors together allow no more guesses than one. A key
is blocked for the rest of a :data:`FAILURE_WINDOW` after :data:`MAX_FAILURES` failures in it; a
client address (a key starting ``address:``) after :data:`MAX_FAILURES_PER_ADDRESS` (families
mistype: the address limit is higher, it stops one machine trying many numbers). A secret has 125
bits, so this is not what keeps it safe; it keeps the service from being used as a guessing oracle.
The counts live in each process (several processes multiply the allowance by their number).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

from bouclier.errors import BouclierError

MAX_FAILURES = 5
MAX_FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = 15 * 60.0


class TooManyAttempts(BouclierError):
    """Too many wrong secrets: HTTP 429 with ``Retry-After``."""

    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SecretLimiter:
    """Failed secret checks per key in a sliding window, in process memory (see the module
    docstring for what that means with proxies and several processes)."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        per_address: int = MAX_FAILURES_PER_ADDRESS,
        window: float = FAILURE_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures, self.per_address, self.window = max_failures, per_address, window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _limit(self, key: str) -> int:
        return self.per_address if key.startswith("address:") else self.max_failures

    def retry_after(self, keys: Iterable[str]) -> float | None:
        """Seconds until these keys may try again, or None if they may now."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                found = self._recent(key, now)
                if found is not None and len(found) >= self._limit(key):
                    wait = max(wait, found[-self._limit(key)] + self.window - now)
        return wait if wait > 0 else None

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) > 100_000:  # a flood of keys: forget the stale ones
                for key in list(self._failures):
                    self._recent(key, now)
            for key in keys:
                found = self._failures.setdefault(key, deque(maxlen=self.per_address * 2))
                found.append(now)

    def succeeded(self, keys: Iterable[str]) -> None:
        """A right secret clears the key's failures (not the address's)."""
        with self._lock:
            for key in keys:
                if not key.startswith("address:"):
                    self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float] | None:
        found = self._failures.get(key)
        if found is None:
            return None
        while found and found[0] <= now - self.window:
            found.popleft()
        if not found:
            del self._failures[key]
            return None
        return found

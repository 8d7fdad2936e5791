"""A per-API-key rate limit: one token bucket per key, refilled at a steady rate.

Each key may make ``BOUCLIER_RATE_LIMIT_BURST`` requests at once, then
``BOUCLIER_RATE_LIMIT_PER_SECOND`` on average; a request over the limit is answered 429
``rate_limited`` with ``Retry-After`` (whole seconds, at least 1) and does not reach its route.
The check runs right after the key is authenticated (:class:`~bouclier.api.auth.Require`), so a
request without a valid key is refused as 401 before it costs a token, and the limit counts every
authenticated call, forbidden ones included.

The buckets live in this process's memory: with ``bouclier serve --workers N`` each of the N
processes applies the limit on its own, so a key may make up to N times as many requests; a limit
shared between processes or machines belongs in front of the service (a proxy) or in a shared store,
later. A bucket is kept per key id, and only authenticated keys get one, so their number is bounded
by the number of live keys.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bouclier.cases.attempts import TooManyAttempts
from bouclier.errors import BouclierError
from bouclier.settings import Settings


class RateLimited(BouclierError):
    """A key made more requests than its bucket allows; HTTP 429 with ``Retry-After``."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets, one per key id; ``check`` takes a token or raises :class:`RateLimited`."""

    def __init__(
        self, per_second: float, burst: int, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError("a rate limit needs per_second > 0 and burst >= 1")
        self.per_second = per_second
        self.burst = burst
        self._clock = clock
        self._buckets: dict[int, _Bucket] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter | None:
        """The limiter the settings ask for, or None when the limit is off (0 per second)."""
        if settings.rate_limit_per_second == 0:
            return None
        return cls(settings.rate_limit_per_second, settings.rate_limit_burst)

    def check(self, key_id: int) -> None:
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key_id)
            if bucket is None:
                bucket = self._buckets[key_id] = _Bucket(float(self.burst), now)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.per_second)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return
            wait = (1.0 - bucket.tokens) / self.per_second
        retry_after = max(1, math.ceil(wait))
        raise RateLimited(
            f"this API key is over its rate limit ({self.per_second:g} requests per second, "
            f"bursts of {self.burst}); retry in {retry_after} s",
            retry_after=retry_after,
        )


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    # problems.handle does not know 429 yet: this answer has the same body shape, plus the header.
    assert isinstance(exc, RateLimited | TooManyAttempts)
    return JSONResponse(
        {"error": {"code": exc.code, "message": exc.message}},
        status_code=429,
        headers={"Retry-After": str(exc.retry_after)},
    )


def install(app: FastAPI, settings: Settings) -> None:
    """Puts the limiter (or None) on ``app.state`` for Require, and answers RateLimited as 429."""
    app.state.rate_limiter = RateLimiter.from_settings(settings)
    app.add_exception_handler(RateLimited, _handle)
    app.add_exception_handler(TooManyAttempts, _handle)  # guesses of case secrets

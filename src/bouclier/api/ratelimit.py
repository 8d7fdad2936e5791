"""Rate limits of the HTTP service: per API key, per client without a key, and for all clients
without a key together; 429 ``rate_limited`` with ``Retry-After`` (whole seconds, at least 1).

- **Per key** (:class:`RateLimiter`, ``app.state.rate_limiter``): each key may make
  ``BOUCLIER_RATE_LIMIT_BURST`` requests at once, then ``BOUCLIER_RATE_LIMIT_PER_SECOND`` on
  average. Checked right after the key is authenticated (:class:`~bouclier.api.auth.Require`), so
  the limit counts every authenticated call, forbidden ones included.
- **Without a key** (:class:`ClientLimiter`, ``app.state.client_limiter``): a request that carries
  no ``Authorization`` (public routes, pages, a victim's ``X-Case-Secret``), or whose key is
  unknown, is counted against its client address
  (``BOUCLIER_UNAUTHENTICATED_RATE_LIMIT_*``, the address as :mod:`bouclier.api.forwarded` finds
  it) and against one bucket for all such traffic (``BOUCLIER_UNAUTHENTICATED_GLOBAL_*``), by the
  gate (:mod:`bouclier.api.gate`), before the body is read.

The buckets (:class:`~bouclier.limits.TokenBucket`) live in the limiter store
(``app.state.limit_store``, :mod:`bouclier.limits`): the database by default, so every process
and a restarted one see the same counts. ``create_app`` makes in-memory limiters
(:func:`install`), which the lifespan replaces with ones on the shared store (:func:`attach`).
A route that wants a limit of its own makes a ``RateLimiter(..., store=app.state.limit_store,
scope="its-name")`` and calls :meth:`RateLimiter.check` (or :meth:`RateLimiter.check_async` from
``async`` code) with any key.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from bouclier.cases.attempts import SecretLimiter
from bouclier.errors import Throttled
from bouclier.limits import CounterStore, MemoryStore, TokenBucket
from bouclier.settings import Settings

#: The bucket key of all traffic without a key together.
GLOBAL = "*"


class RateLimited(Throttled):
    """Over a rate limit; HTTP 429 with ``Retry-After``."""

    code = "rate_limited"


class RateLimiter:
    """Token buckets, one per key; ``check`` takes a token or raises :class:`RateLimited`.

    ``scope`` keeps the buckets of different limiters on one store apart; ``store`` defaults to
    this process's memory (with ``clock``)."""

    def __init__(
        self,
        per_second: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        store: CounterStore | None = None,
        scope: str = "key",
    ) -> None:
        self.bucket = TokenBucket(per_second, burst)
        self.per_second = per_second
        self.burst = burst
        self.store: CounterStore = store if store is not None else MemoryStore(clock)
        self.scope = scope

    @classmethod
    def optional(
        cls, per_second: float, burst: int, *, store: CounterStore | None, scope: str
    ) -> RateLimiter | None:
        """A limiter at this rate, or None when the limit is off (a rate of 0 or less): the one
        way every limit of the service is made from its settings."""
        if per_second <= 0:
            return None
        return cls(per_second, burst, store=store, scope=scope)

    @classmethod
    def from_settings(
        cls, settings: Settings, store: CounterStore | None = None
    ) -> RateLimiter | None:
        """The per-key limiter the settings ask for, or None when the limit is off (0 per
        second)."""
        return cls.optional(
            settings.rate_limit_per_second, settings.rate_limit_burst, store=store, scope="key"
        )

    def check(self, key: int | str) -> None:
        wait = self.bucket.take(self.store, f"rate:{self.scope}:{key}")
        if wait is None:
            return
        retry_after = max(1, math.ceil(wait))
        raise RateLimited(
            f"over the rate limit ({self.per_second:g} requests per second, bursts of "
            f"{self.burst}); retry in {retry_after} s",
            retry_after=retry_after,
        )

    async def check_async(self, key: int | str) -> None:
        """:meth:`check`, off the event loop when the store does I/O."""
        if self.store.blocking:
            await run_in_threadpool(self.check, key)
        else:
            self.check(key)


class ClientLimiter:
    """The limits of traffic without an API key: per client address, and all of it together
    (either may be off)."""

    def __init__(self, per_client: RateLimiter | None, overall: RateLimiter | None) -> None:
        self.per_client = per_client
        self.overall = overall

    @classmethod
    def from_settings(cls, settings: Settings, store: CounterStore | None = None) -> ClientLimiter:
        return cls(
            RateLimiter.optional(
                settings.unauthenticated_rate_limit_per_second,
                settings.unauthenticated_rate_limit_burst,
                store=store,
                scope="client",
            ),
            RateLimiter.optional(
                settings.unauthenticated_global_per_second,
                settings.unauthenticated_global_burst,
                store=store,
                scope="unauthenticated",
            ),
        )

    def check(self, client: str) -> None:
        """Counts one request of ``client``; RateLimited when it or everyone is over."""
        if self.per_client is not None:
            self.per_client.check(client)
        if self.overall is not None:
            self.overall.check(GLOBAL)

    async def check_async(self, client: str) -> None:
        if any(x is not None and x.store.blocking for x in (self.per_client, self.overall)):
            await run_in_threadpool(self.check, client)
        else:
            self.check(client)


def install(app: FastAPI, settings: Settings) -> None:
    """Puts in-memory limiters on ``app.state`` (replaced by :func:`attach` at start)."""
    attach(app, settings, MemoryStore())


def attach(app: FastAPI, settings: Settings, store: CounterStore) -> None:
    """Puts the limiters on ``store`` on ``app.state`` (the per-key one is None when off)."""
    app.state.limit_store = store
    app.state.rate_limiter = RateLimiter.from_settings(settings, store)
    app.state.client_limiter = ClientLimiter.from_settings(settings, store)
    app.state.secret_limiter = SecretLimiter(store)

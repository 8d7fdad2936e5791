"""Limits on how fast a client may act, with their state shared between processes and restarts.

Two rules run on one small store:

- :class:`~bouclier.limits.bucket.TokenBucket`: so many requests at once, then so many a second
  (API keys, unauthenticated clients, all unauthenticated traffic together);
- :class:`~bouclier.limits.backoff.Backoff`: attempts that may be wrong (a case secret, an
  analyst's password), each one charged before it is checked and refunded when it was right,
  with a delay that grows with the wrong ones.

The store (:class:`~bouclier.limits.store.CounterStore`) keeps one small record per key and
changes it atomically: in this process (:class:`~bouclier.limits.store.MemoryStore`, tests and
``BOUCLIER_LIMITER_STORE=memory``), in the database
(:class:`~bouclier.limits.database.DatabaseStore`, table ``limit_counters``, the default: several
processes and a restart see the same counts) or in Redis
(:class:`~bouclier.limits.redis_store.RedisStore`, ``BOUCLIER_LIMITER_STORE=redis``). Keys are
stored as SHA-256 digests: the store holds no case number, name or address in clear.
"""

from __future__ import annotations

from bouclier.limits.backoff import Backoff
from bouclier.limits.bucket import TokenBucket
from bouclier.limits.store import CounterStore, MemoryStore, Record, open_store

__all__ = ["Backoff", "CounterStore", "MemoryStore", "Record", "TokenBucket", "open_store"]

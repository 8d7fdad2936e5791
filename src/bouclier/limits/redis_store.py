"""Limit counters in Redis (``BOUCLIER_LIMITER_STORE=redis``, ``BOUCLIER_REDIS_URL``): for a
deployment that has one, it spares the database a write per limited request.

A record is a hash (``bouclier:limit:<sha256 of the namespace and the key>``: ``level``, ``until``,
``expires``) that Redis itself deletes once void. The namespace is the service's database URL:
processes of one deployment share their counts, two deployments on one Redis never mix them.
A change is an optimistic transaction (``WATCH``, read, ``MULTI``,
write): if another process changed the key in between, it is run again on the new record.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TypeVar, cast

import redis

from bouclier.errors import ConfigError
from bouclier.limits.store import Change, Record, digest

T = TypeVar("T")
PREFIX = "bouclier:limit:"


class RedisStore:
    blocking = True

    def __init__(
        self, client: redis.Redis, namespace: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.client = client
        self.namespace = namespace
        self.clock = clock

    @classmethod
    def connect(
        cls, url: str, namespace: str, clock: Callable[[], float] = time.time
    ) -> RedisStore:
        """A store on the Redis at ``url``; ConfigError when it cannot be reached."""
        try:
            client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
            client.ping()
        except (redis.RedisError, ValueError) as exc:
            # the URL may hold a password: name only the kind of failure
            failure = type(exc).__name__
            raise ConfigError(f"BOUCLIER_REDIS_URL: cannot use Redis ({failure})") from None
        return cls(client, namespace, clock)

    def update(self, key: str, change: Change[T]) -> T:
        name = PREFIX + digest(f"{self.namespace}\n{key}")
        with self.client.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(name)  # type: ignore[no-untyped-call]
                    # watching, the pipeline answers at once (not an awaitable: redis's types
                    # cover its async twin too)
                    found = cast(
                        list[bytes | None], pipe.hmget(name, ["level", "until", "expires"])
                    )
                    level, until, expires = found
                    now = self.clock()
                    record = None
                    if level is not None and until is not None and expires is not None:
                        record = Record(float(level), float(until), float(expires))
                        if record.expires <= now:
                            record = None
                    new, answer = change(record, now)
                    pipe.multi()
                    if new is None:
                        pipe.delete(name)
                    elif new is not record:
                        fields = {"level": new.level, "until": new.until, "expires": new.expires}
                        pipe.hset(name, mapping=fields)
                        pipe.pexpire(name, max(1000, math.ceil((new.expires - now) * 1000)))
                    pipe.execute()
                    return answer
                except redis.WatchError:
                    continue

    def close(self) -> None:
        self.client.close()

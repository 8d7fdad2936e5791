"""The limiter's stores (memory, the database on SQLite and PostgreSQL, Redis) run the same rules
to the same answers, change a key atomically under threads, and the shared ones keep their counts
for another instance and after a restart."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from sqlalchemy import select

from bouclier.errors import ConfigError
from bouclier.limits import Backoff, CounterStore, MemoryStore, TokenBucket
from bouclier.limits.database import DatabaseStore
from bouclier.limits.redis_store import RedisStore
from bouclier.storage import Database
from bouclier.storage.models import LimitCounter
from tests.conftest import POSTGRES_ADMIN

REDIS_URL = "redis://127.0.0.1:6379/0"


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


def _database_store(url: str, clock: Clock) -> DatabaseStore:
    Database.open(url).dispose()  # the migrations make limit_counters
    return DatabaseStore(url, clock=clock)


@contextlib.contextmanager
def _fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'limits.db'}"
        return
    name = f"bouclier_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "redis"]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[CounterStore, Clock]]:
    """Each kind of store, on a fake clock."""
    clock = Clock()
    if request.param == "memory":
        yield MemoryStore(clock), clock
    elif request.param == "redis":
        made = RedisStore.connect(REDIS_URL, namespace=uuid.uuid4().hex, clock=clock)
        yield made, clock
        made.close()
    else:
        with _fresh_database(request.param, tmp_path) as url:
            on_database = _database_store(url, clock)
            yield on_database, clock
            on_database.close()


def test_a_bucket_passes_its_burst_then_refills_at_its_rate(
    store: tuple[CounterStore, Clock],
) -> None:
    made, clock = store
    bucket = TokenBucket(per_second=2.0, burst=3)
    assert [bucket.take(made, "k") for _ in range(3)] == [None, None, None]
    wait = bucket.take(made, "k")
    assert wait == pytest.approx(0.5)
    assert bucket.take(made, "other") is None  # each key its own bucket
    clock.now += 0.5
    assert bucket.take(made, "k") is None
    assert bucket.take(made, "k") is not None
    clock.now += 3600  # a long pause refills to the burst, never past it
    assert [bucket.take(made, "k") for _ in range(4)][-1] is not None


def test_a_backoff_doubles_its_waits_and_a_refund_takes_one_back(
    store: tuple[CounterStore, Clock],
) -> None:
    made, clock = store
    backoff = Backoff(free=2, delay=1.0, cap=4.0, memory=100.0)
    assert backoff.attempt(made, "k") is None
    assert backoff.attempt(made, "k") is None  # the 2nd: from now on, waits
    waits = []
    for _ in range(4):
        wait = backoff.attempt(made, "k")
        assert wait is not None
        waits.append(wait)
        clock.now += wait
        assert backoff.attempt(made, "k") is None
    assert waits == pytest.approx([1.0, 2.0, 4.0, 4.0])  # doubling, capped
    assert backoff.attempts(made, "k") == 6
    backoff.refund(made, "k")
    assert backoff.attempts(made, "k") == 5
    assert backoff.attempt(made, "k") is None  # the refund took the wait back too
    backoff.refund(made, "k", forget=True)
    assert backoff.attempts(made, "k") == 0
    backoff.attempt(made, "k")
    clock.now += 101  # forgotten after its memory
    assert backoff.attempts(made, "k") == 0


def test_changes_of_one_key_from_many_threads_are_all_counted(
    store: tuple[CounterStore, Clock],
) -> None:
    made, _ = store
    backoff = Backoff(free=10_000, delay=1.0, cap=1.0, memory=100.0)
    threads, each = 6, 10

    def work() -> None:
        for _ in range(each):
            assert backoff.attempt(made, "shared") is None

    running = [threading.Thread(target=work) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    assert backoff.attempts(made, "shared") == threads * each


def test_the_database_keeps_counts_for_another_instance_and_after_a_restart(
    database_url: str,
) -> None:
    clock = Clock()
    bucket = TokenBucket(per_second=0.001, burst=2)
    first = _database_store(database_url, clock)
    assert bucket.take(first, "client:a") is None
    second = _database_store(database_url, clock)  # another process on the same database
    assert bucket.take(second, "client:a") is None
    assert bucket.take(first, "client:a") is not None
    first.close()
    second.close()
    restarted = _database_store(database_url, clock)
    assert bucket.take(restarted, "client:a") is not None
    # only digests are stored: no key in clear
    with restarted.db.transaction() as session:
        keys = list(session.scalars(select(LimitCounter.key)))
    assert keys
    assert all(len(k) == 64 and "client" not in k for k in keys)
    clock.now += 10_000  # void rows are swept
    assert restarted.sweep() == len(keys)
    restarted.close()


def test_redis_keeps_counts_for_another_instance_and_apart_for_another_namespace() -> None:
    namespace = uuid.uuid4().hex
    bucket = TokenBucket(per_second=0.001, burst=1)
    first = RedisStore.connect(REDIS_URL, namespace=namespace)
    assert bucket.take(first, "client:a") is None
    first.close()
    second = RedisStore.connect(REDIS_URL, namespace=namespace)
    assert bucket.take(second, "client:a") is not None
    elsewhere = RedisStore.connect(REDIS_URL, namespace=uuid.uuid4().hex)
    assert bucket.take(elsewhere, "client:a") is None
    second.close()
    elsewhere.close()


def test_an_unreachable_redis_fails_at_start_without_its_url() -> None:
    with pytest.raises(ConfigError) as failed:
        RedisStore.connect("redis://:hunter2@127.0.0.1:1/0", namespace="x")
    assert "hunter2" not in failed.value.message
    assert isinstance(redis.Redis, type)

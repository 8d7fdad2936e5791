"""A restart from the matcher's snapshot: the same matches as a rebuild from the database, the
changes made while no process ran included; a snapshot that does not check out is set aside and
the matcher rebuilt; snapshots are written after start, when the log moves, and at shutdown."""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from bouclier.api.services import Services
from bouclier.banks import live as live_module
from bouclier.banks import snapshot as snapshots
from bouclier.banks.hashes import SignalRows
from bouclier.banks.matcher import BankMatcher
from bouclier.banks.store import BankStore, NewEntry
from bouclier.detectors.registry import Registry
from bouclier.errors import SnapshotError
from bouclier.index import HammingIndex
from bouclier.settings import Settings, load_settings
from bouclier.storage import Database

Start = Callable[..., Services]


def _hashes(count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex() for _ in range(count)]


def _near(value: str, bits: int, seed: int) -> str:
    """``value`` with ``bits`` of its bits flipped."""
    raw = np.unpackbits(np.frombuffer(bytes.fromhex(value), np.uint8))
    flip = np.random.default_rng(seed).choice(256, bits, replace=False)
    raw[flip] ^= 1
    return bytes(np.packbits(raw)).hex()


def _queries(values: list[str]) -> list[str]:
    """Each hash and its neighbours at 8, 20 and 40 bits: in or out depending on the threshold."""
    return [q for i, v in enumerate(values) for q in (v, *(_near(v, b, i) for b in (8, 20, 40)))]


def _matches(matcher: BankMatcher, queries: list[str]) -> list[tuple[tuple[str, int, int], ...]]:
    return [tuple((m.bank, m.entry, m.distance) for m in matcher.match_hash(q)) for q in queries]


@pytest.fixture
def settings(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)
    return load_settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
def start(settings: Settings, detectors: Registry) -> Iterator[Start]:
    """Starts Services (closing whatever is still open at the end)."""
    started: list[Services] = []

    def run(chosen: Settings = settings) -> Services:
        services = Services.start(chosen, detectors)
        started.append(services)
        return services

    yield run
    for services in started:
        services.close()


@pytest.fixture
def store(settings: Settings) -> Iterator[BankStore]:
    """The database seen by no service: the writes of other processes, or while none ran."""
    db = Database.open(settings.resolved_database_url)
    yield BankStore(db)
    db.dispose()


def _snapshot_file(settings: Settings) -> Path:
    key = snapshots.database_key(settings.resolved_database_url)
    assert key is not None
    return snapshots.path_for(settings.resolved_snapshot_dir, key)


def _read(settings: Settings) -> snapshots.MatcherSnapshot:
    key = snapshots.database_key(settings.resolved_database_url)
    assert key is not None
    return snapshots.read(_snapshot_file(settings), key)


def _fill(store: BankStore) -> list[str]:
    """Three banks with their own thresholds; returns every hash added."""
    store.create("victims", "victim", threshold=31)
    store.create("strict", "victim", threshold=10)
    store.create("old", "victim", threshold=31)
    values = _hashes(60, seed=1)
    ids = store.add("victims", [NewEntry(v) for v in values[:30]])
    store.add("strict", [NewEntry(v) for v in values[30:50]])
    store.add("old", [NewEntry(v) for v in values[50:]])
    store.remove_entries("victims", ids[:5])
    return values


def _change_while_down(store: BankStore) -> list[str]:
    """Adds, removes, a new bank, a deleted bank and a new threshold; returns the new hashes."""
    fresh = _hashes(20, seed=2)
    ids = [e.id for e in store.entries("victims")]
    store.add("victims", [NewEntry(v) for v in fresh[:10]])
    store.remove_entries("victims", ids[:5])
    store.remove_entries("strict", [e.id for e in store.entries("strict")][:3])
    store.create("newcomers", "victim", threshold=25)
    store.add("newcomers", [NewEntry(v) for v in fresh[10:]])
    store.delete("old")
    with store.db.engine.begin() as connection:
        connection.execute(text("UPDATE banks SET threshold = 22 WHERE name = 'strict'"))
    return fresh


def test_a_restart_from_a_snapshot_matches_a_rebuild(
    start: Start, store: BankStore, settings: Settings
) -> None:
    first = start()  # on an empty database: every entry arrives through the log
    values = _fill(store)
    first.refresh_matcher()
    first.close()  # writes the snapshot: the log moved
    written = _read(settings)
    assert written.cursor == store.last_cursor() == first.cursor
    assert len(written) == len(first.matcher) == 55

    fresh = _change_while_down(store)
    queries = _queries(values + fresh)
    second = start()
    assert second.matcher_source == "snapshot"
    assert second.cursor == store.last_cursor() > written.cursor
    rebuilt = BankMatcher.from_store(store)
    expected = _matches(rebuilt, queries)
    assert _matches(second.matcher, queries) == expected
    banks = {m[0] for found in expected for m in found}
    assert banks == {"victims", "strict", "newcomers"}  # "old" went while no process ran
    assert {b.name: b.threshold for b in second.matcher.banks.values()}["strict"] == 22

    # a snapshot of a matcher both loaded and changed since (its entry map in both halves)
    more = _hashes(5, seed=3)
    store.add("newcomers", [NewEntry(v) for v in more])
    store.remove_entries("victims", [e.id for e in store.entries("victims")][:2])
    second.refresh_matcher()
    second.close()
    assert _read(settings).cursor == store.last_cursor()
    third = start()
    assert third.matcher_source == "snapshot"
    queries += _queries(more)
    assert _matches(third.matcher, queries) == _matches(BankMatcher.from_store(store), queries)


def _damaged(path: Path, how: str, settings: Settings) -> None:
    """Damages the good snapshot at ``path``, so that trusting it would give wrong matches."""
    data = bytearray(path.read_bytes())
    good = _read(settings)
    key = snapshots.database_key(settings.resolved_database_url)
    assert key is not None
    if how == "flipped byte":
        data[len(data) - 40] ^= 0x01  # a bit of the last hash
        path.write_bytes(bytes(data))
    elif how == "flipped table byte":
        start = data.index(b"BOUCLIERHIDX")  # PDQ's section: its index file, mapped on loading
        data[(start + len(data)) // 2] ^= 0x40
        path.write_bytes(bytes(data))
    elif how == "truncated":
        path.write_bytes(bytes(data[:-100]))
    elif how == "truncated before the index":
        path.write_bytes(bytes(data[: data.index(b"BOUCLIERHIDX") + 20]))
    elif how in ("older format", "version 1"):
        data[12] = 0 if how == "older format" else 1  # with a correct checksum
        body = bytes(data[:-4])
        path.write_bytes(body + zlib.crc32(body).to_bytes(4, "little"))
    elif how == "another database":
        other = snapshots.database_key("sqlite:////elsewhere/bouclier.db")
        assert other is not None
        snapshots.write(path, _bogus(good), other)
    elif how == "cursor past the log":
        # a database restored from a backup older than the snapshot
        snapshots.write(path, replace(_bogus(good), cursor=good.cursor + 50), key)
    elif how == "another log":
        # another database at the same address: the change at the cursor is not the same one
        snapshots.write(path, replace(_bogus(good), change=bytes(range(32))), key)
    else:
        raise AssertionError(how)


def _bogus(good: snapshots.MatcherSnapshot) -> snapshots.MatcherSnapshot:
    """The good snapshot plus an entry the database does not hold, under the first bank."""
    value = np.frombuffer(bytes.fromhex(_hashes(1, seed=9)[0]), np.uint8)
    pdq = good.rows("pdq")
    bogus = SignalRows(
        np.append(pdq.entry_ids, 10**9),
        np.append(pdq.bank_ids, pdq.bank_ids[0]).astype(np.int32),
        np.vstack([pdq.rows, value]),
    )
    return replace(good, signals={**good.signals, "pdq": bogus}, indexed={})


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("flipped byte", "checksum mismatch"),
        ("flipped table byte", "checksum mismatch"),
        ("truncated", "truncated"),
        ("truncated before the index", "too short to be an index snapshot"),
        ("older format", "format version 0"),
        ("version 1", "format version 1"),
        ("another database", "taken of another database"),
        ("cursor past the log", "past the end of the change log"),
        ("another log", "does not hold the change"),
    ],
)
def test_a_snapshot_that_does_not_check_out_is_rebuilt_from_the_database(
    how: str,
    reason: str,
    start: Start,
    store: BankStore,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    values = _fill(store)
    start().close()
    path = _snapshot_file(settings)
    _damaged(path, how, settings)
    queries = _queries([*values, _hashes(1, seed=9)[0]])

    caplog.set_level(logging.INFO, logger="bouclier.api.services")
    services = start()
    assert services.matcher_source == "database"
    assert _matches(services.matcher, queries) == _matches(BankMatcher.from_store(store), queries)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "rebuilding from the database" in warnings[0]
    assert reason in warnings[0]
    assert not any(v in caplog.text for v in values)  # no hash in the logs
    services.close()
    assert _read(settings).cursor == store.last_cursor()  # replaced by a good one


def test_a_snapshot_is_written_in_the_background_after_start(
    start: Start, store: BankStore, settings: Settings
) -> None:
    _fill(store)
    services = start()
    assert services.matcher_source == "database"
    for _ in range(200):  # written at once, without waiting for a clean shutdown
        if services.snapshot_cursor:
            break
        time.sleep(0.05)
    written = _read(settings)
    assert written.cursor == services.snapshot_cursor == store.last_cursor()
    pdq = written.rows("pdq")
    assert pdq.entry_ids.tolist() == sorted(e for e, *_ in _entries(store))
    assert dict(zip(pdq.entry_ids.tolist(), pdq.bank_ids.tolist(), strict=True)) == dict(
        _entries(store)
    )


def _entries(store: BankStore) -> list[tuple[int, int]]:
    return [(e.id, b.id) for b in store.banks() for e in store.entries(b.name)]


def test_a_snapshot_follows_the_log_when_it_moved_enough(
    start: Start,
    store: BankStore,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(live_module, "SNAPSHOT_CHECK_INTERVAL", 0.02)
    every = settings.model_copy(update={"snapshot_every_changes": 10})
    store.create("victims", "victim")
    services = start(every)
    store.add("victims", [NewEntry(v) for v in _hashes(3, seed=4)])
    services.refresh_matcher()
    time.sleep(0.3)
    assert services.snapshot_cursor == 0  # moved by 3 < 10, and not old enough yet
    store.add("victims", [NewEntry(v) for v in _hashes(10, seed=5)])
    services.refresh_matcher()
    for _ in range(200):
        if services.snapshot_cursor == store.last_cursor():
            break
        time.sleep(0.02)
    assert _read(settings).cursor == store.last_cursor()
    assert len(_read(settings)) == 13


def test_an_in_memory_database_has_no_snapshot() -> None:
    assert snapshots.database_key("sqlite://") is None
    assert snapshots.database_key("sqlite:///:memory:") is None
    one = snapshots.database_key("postgresql+psycopg://u:secret@h/db")
    assert one == snapshots.database_key("postgresql://u:other@h/db")  # password left out
    assert one != snapshots.database_key("postgresql://u@h/db2")


def test_reading_a_snapshot_with_the_wrong_key_fails(tmp_path: Path) -> None:
    rows = SignalRows(np.array([1, 2]), np.array([1, 1], np.int32), np.zeros((2, 32), np.uint8))
    good = snapshots.MatcherSnapshot(3, bytes(range(32)), {"pdq": rows})
    path = tmp_path / "m.snap"
    snapshots.write(path, good, b"a" * 32)
    assert snapshots.read(path, b"a" * 32).signals["pdq"].entry_ids.tolist() == [1, 2]
    with pytest.raises(SnapshotError, match="another database"):
        snapshots.read(path, b"b" * 32)


def test_a_restart_maps_the_pdq_index(start: Start, store: BankStore, settings: Settings) -> None:
    values = _fill(store)
    first = start()
    _written(first)  # the one written after start
    _hamming_index(first.matcher).compact()  # the rows in a main segment with tables
    first.live.snapshot_cursor = 0  # written again, after the compaction
    assert first.write_snapshot()
    first.close()
    assert _read(settings).version == snapshots.VERSION == 3
    assert list(_read(settings).indexed) == ["pdq"]
    services = start()
    assert services.matcher_source == "snapshot"
    main = _hamming_index(services.matcher).stored()
    assert len(main.labels) == 55  # the bank's rows in the main segment, with its tables
    assert not main.hashes.flags.writeable  # searched in the mapped file, nothing rebuilt
    queries = _queries(values)
    assert _matches(services.matcher, queries) == _matches(BankMatcher.from_store(store), queries)


def test_a_version_2_snapshot_is_still_read_then_replaced(
    start: Start, store: BankStore, settings: Settings
) -> None:
    values = _fill(store)
    start().close()
    key = snapshots.database_key(settings.resolved_database_url)
    assert key is not None
    snapshots.write(_snapshot_file(settings), _read(settings), key, version=2)
    assert _read(settings).version == 2
    fresh = _change_while_down(store)

    services = start()
    assert services.matcher_source == "snapshot"  # its rows read, the tables rebuilt
    queries = _queries(values + fresh)
    assert _matches(services.matcher, queries) == _matches(BankMatcher.from_store(store), queries)
    _written(services)  # the background writer replaces it with this version's file
    services.close()
    assert _read(settings).version == 3
    assert _read(settings).cursor == store.last_cursor()


def test_processes_share_a_snapshot_while_it_is_replaced(
    start: Start, store: BankStore, settings: Settings
) -> None:
    values = _fill(store)
    start().close()
    one, two = start(), start()  # both map the same file
    assert one.matcher_source == two.matcher_source == "snapshot"
    more = _hashes(8, seed=11)
    store.add("victims", [NewEntry(v) for v in more])
    store.remove_entries("victims", [e.id for e in store.entries("victims")][:3])
    one.refresh_matcher()
    assert one.write_snapshot()  # a new file renamed over the one ``two`` has mapped
    two.refresh_matcher()
    queries = _queries(values + more)
    expected = _matches(BankMatcher.from_store(store), queries)
    assert _matches(two.matcher, queries) == expected  # the old mapping still reads whole
    assert _matches(one.matcher, queries) == expected
    three = start()
    assert three.matcher_source == "snapshot"
    assert three.cursor == store.last_cursor()
    assert _matches(three.matcher, queries) == expected


def _written(services: Services) -> None:
    """Waits for the snapshot the background writer makes after start."""
    for _ in range(200):
        if services.snapshot_cursor:
            return
        time.sleep(0.05)
    raise AssertionError("no snapshot written after start")


def _hamming_index(matcher: BankMatcher) -> HammingIndex:
    index = matcher.index
    assert isinstance(index, HammingIndex)
    return index

"""The banks' change log: written with every write, replayable, in cursor order, and followed by
a matcher that ends up exactly where a fresh build from the database would."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from bouclier.banks import matcher as matcher_module
from bouclier.banks.hashes import Change
from bouclier.banks.matcher import BankMatcher
from bouclier.banks.store import BankStore, NewEntry
from bouclier.cases.matched import MatchedEntries, Standing
from bouclier.errors import InputError
from bouclier.storage import Database


def _hashes(count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex() for _ in range(count)]


def _entries(values: list[str]) -> list[NewEntry]:
    return [NewEntry(value=v) for v in values]


def _replay(changes: list[Change]) -> dict[int, str]:
    held: dict[int, str] = {}
    for change in changes:
        if change.op == "add":
            held[change.entry] = change.pdq
        else:
            held.pop(change.entry, None)
    return held


def _current(store: BankStore, bank: str) -> dict[int, str]:
    return {e.id: e.pdq for e in store.entries(bank)}


def _all_changes(store: BankStore, bank: str | None = None, limit: int = 3) -> list[Change]:
    found: list[Change] = []
    since = 0
    while page := store.changes(since, limit, bank=bank):
        found.extend(page)
        since = page[-1].cursor
    return found


@pytest.fixture
def store(db: Database) -> BankStore:
    return BankStore(db)


def test_every_write_is_logged_and_replays_to_the_current_hashes(store: BankStore) -> None:
    store.create("a", "victim")
    store.create("b", "known_false_positive")
    values = _hashes(12, seed=1)
    a1 = store.add("a", _entries(values[:4]))
    b1 = store.add("b", _entries(values[4:6]))
    assert store.remove_entries("a", [a1[1], a1[3], 999_999]) == 2
    a2 = store.add("a", _entries(values[6:9]))
    store.remove_entries("a", [a2[0]])
    store.add("b", _entries(values[9:]))
    store.remove_entries("b", [b1[0]])

    for bank in ("a", "b"):
        changes = _all_changes(store, bank)
        assert [c.cursor for c in changes] == sorted(c.cursor for c in changes)
        assert _replay(changes) == _current(store, bank)
    removed = [c for c in _all_changes(store, "a") if c.op == "remove"]
    assert [(c.entry, c.pdq) for c in removed] == [
        (a1[1], values[1]),
        (a1[3], values[3]),
        (a2[0], values[6]),
    ]
    assert store.last_cursor() == _all_changes(store)[-1].cursor


def test_deleting_a_bank_logs_a_removal_per_entry_and_keeps_it(store: BankStore) -> None:
    store.create("gone", "victim")
    values = _hashes(3, seed=2)
    ids = store.add("gone", _entries(values))
    assert store.delete("gone") == 3
    changes = _all_changes(store)
    assert [(c.op, c.entry, c.pdq) for c in changes[3:]] == [
        ("remove", i, v) for i, v in zip(ids, values, strict=True)
    ]
    assert _replay(changes) == {}
    # a new bank of the same name replays empty (SQLite may give it the old bank's id, and so
    # the old bank's log: its adds are all followed by their removals)
    store.create("gone", "victim")
    assert _replay(store.changes(0, bank="gone")) == {}


def test_a_refused_write_logs_nothing(store: BankStore) -> None:
    store.create("a", "victim")
    with pytest.raises(InputError):
        store.add("a", [NewEntry(value=_hashes(1, seed=3)[0]), NewEntry(value="not a hash")])
    assert store.changes(0) == []
    assert store.remove_entries("a", [12345]) == 0
    assert store.changes(0) == []
    assert store.last_cursor() == 0


@pytest.mark.parametrize(("since", "limit"), [(-1, 10), (2**63, 10), (0, 0), (0, 10_001)])
def test_bad_reads_of_the_log_are_refused(store: BankStore, since: int, limit: int) -> None:
    with pytest.raises(InputError):
        store.changes(since, limit)


def test_a_matcher_following_the_log_equals_a_fresh_build(
    store: BankStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(matcher_module, "_MAP_DELTA_LIMIT", 4)  # merge the entry map often
    store.create("a", "victim", threshold=10)
    values = _hashes(30, seed=4)
    first = store.add("a", _entries(values[:10]))
    following = BankMatcher.from_store(store)
    cursor = store.last_cursor()

    store.create("b", "known_false_positive", threshold=5)
    second = store.add("b", _entries(values[10:20]))
    store.remove_entries("a", first[:6])
    store.add("a", _entries(values[20:]))
    store.remove_entries("b", second[::2])
    changes = store.changes(cursor, 10_000)
    following.set_banks(store.bank_rows())
    following.apply(changes)
    following.apply(changes)  # idempotent: a change seen twice does no harm
    fresh = BankMatcher.from_store(store)

    assert len(following) == len(fresh) == 4 + 5 + 10
    assert following.radius == fresh.radius == 10
    for value in values:
        assert following.match_hash(value) == fresh.match_hash(value)
    store.delete("b")
    following.apply(store.changes(store.last_cursor() - 5, 10_000))
    following.set_banks(store.bank_rows())
    assert not any(m.bank == "b" for v in values for m in following.match_hash(v))
    assert len(following) == 14


def test_a_hit_in_a_bank_the_matcher_does_not_know_is_left_out(store: BankStore) -> None:
    [value] = _hashes(1, seed=5)
    matcher = BankMatcher.from_store(store)
    store.create("a", "victim")
    store.add("a", _entries([value]))
    matcher.apply(store.changes(0))  # the bank's row not read yet
    assert matcher.match_hash(value) == ()
    matcher.set_banks(store.bank_rows())
    assert [m.bank for m in matcher.match_hash(value)] == ["a"]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_cursors_commit_in_order_on_postgresql(store: BankStore) -> None:
    """A writer that starts logging while another has logged but not committed waits for it, so
    it cannot commit a lower cursor later than a higher one is seen. (SQLite serialises writers
    by itself.)"""
    store.create("a", "victim")
    values = _hashes(2, seed=6)
    engine = store.db.engine
    first = engine.connect()
    try:
        transaction = first.begin()
        first.execute(text("LOCK TABLE hash_changes IN EXCLUSIVE MODE"))
        first.execute(
            text(
                "INSERT INTO hash_changes (bank_id, entry_id, op, value, created_at) "
                "VALUES (1, 424242, 'add', :pdq, now())"
            ),
            {"pdq": values[0]},
        )
        done = threading.Event()
        errors: list[BaseException] = []

        def second_writer() -> None:
            try:
                store.add("a", _entries(values[1:]))
            except BaseException as exc:  # reported below, not lost in the thread
                errors.append(exc)
            finally:
                done.set()

        writer = threading.Thread(target=second_writer)
        writer.start()
        with engine.connect() as watcher:
            for _ in range(100):  # bounded wait: up to 5 s for the writer to queue on the lock
                waiting = watcher.execute(
                    text(
                        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                        "WHERE c.relname = 'hash_changes' AND NOT l.granted"
                    )
                ).scalar()
                if waiting:
                    break
                done.wait(0.05)
            assert waiting == 1
        assert not done.is_set()
        assert store.changes(0) == []  # neither is visible yet
        transaction.commit()
    finally:
        first.close()
    assert done.wait(5)
    writer.join(5)
    assert errors == []
    changes = store.changes(0)
    assert changes[0].entry == 424242
    assert changes[0].cursor < changes[1].cursor


def test_a_confirmation_and_a_merge_into_a_minors_case_log_updates_every_process_sees(
    db: Database, store: BankStore, database_url: str, tmp_path: Path
) -> None:
    """An analyst's confirmation logs an ``update`` of its entry, a merge into a minor's case
    one of each entry whose case becomes a minor's (not of those already a minor's), each in
    the write's transaction; deciding again logs nothing. A process following the log keeps
    every hash (an update touches no index) and drops the entries' cached standing."""
    from bouclier.banks.live import LiveMatcher
    from bouclier.cases import VICTIM_BANK, Cases, HashReport
    from bouclier.settings import Settings

    cases = Cases(db, Settings(data_dir=tmp_path), banks=store)
    adult, _ = cases.create()
    minor, _ = cases.create(minor=True)
    x, y = _hashes(2, seed=9)
    [item_x] = cases.add_hashes(adult.number, [HashReport(x, 90)])
    cases.add_hashes(minor.number, [HashReport(y, 90)])
    live = LiveMatcher.start(store, database_url, min_quality=0)
    matched = MatchedEntries(db, ttl=3600.0)  # a cached standing would outlive the test
    live.on_update = matched.forget
    [entry_x] = [m.entry for m in live.matcher.match_hash(x)]
    [entry_y] = [m.entry for m in live.matcher.match_hash(y)]

    cases.review_item(adult.number, item_x.id, "confirm", actor="analyst:a")
    cases.review_item(adult.number, item_x.id, "confirm", actor="analyst:a")
    live.refresh()
    assert matched.of([entry_x])[entry_x] == Standing(reviewed=True, minor=False)  # cached
    cases.merge(adult.number, minor.number, actor="analyst:a")
    updates = [(c.op, c.entry, c.value) for c in store.changes(0, 100) if c.op == "update"]
    assert updates == [("update", entry_x, x), ("update", entry_x, x)]  # confirmed, merged
    live.refresh()
    assert matched.of([entry_x])[entry_x] == Standing(reviewed=True, minor=True)
    assert [m.entry for m in live.matcher.match_hash(x)] == [entry_x]  # still indexed
    assert [m.entry for m in live.matcher.match_hash(y)] == [entry_y]
    assert {e.id for e in store.entries(VICTIM_BANK)} == {entry_x, entry_y}

"""Banks in the database, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC

import pytest

from bouclier.banks.store import BankStore, NewEntry
from bouclier.errors import Conflict, InputError, InvalidHash, NotFound
from bouclier.storage import Database

H1 = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
H2 = "e64cc9d91c623882f8d1f1d9a398e78c9f199b3bd83924f2b7e11e0bf861b064"


@pytest.fixture
def store(db: Database) -> BankStore:
    return BankStore(db)


def test_create_get_list(store: BankStore) -> None:
    created = store.create("victims-es", "victim")
    assert created.threshold == 31
    assert created.created_at.tzinfo is not None
    store.create("fp", "known_false_positive", threshold=20)
    assert [b.name for b in store.banks()] == ["fp", "victims-es"]
    got = store.get("fp")
    assert (got.kind, got.threshold, got.size) == ("known_false_positive", 20, 0)
    assert got.created_at.tzinfo == UTC


@pytest.mark.parametrize(
    ("name", "kind", "threshold", "code"),
    [
        ("", "victim", None, "invalid_bank_name"),
        ("has space", "victim", None, "invalid_bank_name"),
        ("-leading", "victim", None, "invalid_bank_name"),
        ("x" * 65, "victim", None, "invalid_bank_name"),
        ("ok", "victims", None, "invalid_bank_kind"),
        ("ok", "victim", -1, "invalid_threshold"),
        ("ok", "victim", 129, "invalid_threshold"),
    ],
)
def test_create_refuses(
    store: BankStore, name: str, kind: str, threshold: int | None, code: str
) -> None:
    with pytest.raises(InputError) as caught:
        store.create(name, kind, threshold)
    assert caught.value.code == code
    assert store.banks() == []


def test_duplicate_name_conflicts(store: BankStore) -> None:
    store.create("a", "victim")
    with pytest.raises(Conflict, match="already exists"):
        store.create("a", "known_false_positive")


def test_unknown_bank(store: BankStore) -> None:
    with pytest.raises(NotFound) as caught:
        store.get("nope")
    assert caught.value.code == "bank_not_found"
    with pytest.raises(NotFound):
        store.add("nope", [NewEntry(value=H1)])


def test_add_entries_and_read_them_back(store: BankStore) -> None:
    store.create("v", "victim")
    ids = store.add(
        "v",
        [
            NewEntry(value=H1.upper(), quality=90, source="file:a.jpg", case_ref="C-1", note="n"),
            NewEntry(value=H2, sha256="A" * 64, md5="b" * 32),
        ],
    )
    assert len(ids) == 2
    assert ids[0] < ids[1]
    entries = list(store.entries("v"))
    assert [e.id for e in entries] == ids
    assert entries[0].pdq == H1  # normalised
    assert (entries[0].quality, entries[0].source, entries[0].case_ref) == (90, "file:a.jpg", "C-1")
    assert entries[1].sha256 == "a" * 64
    assert entries[1].created_at.tzinfo is not None
    assert store.get("v").size == 2


def test_one_bad_entry_keeps_nothing(store: BankStore) -> None:
    store.create("v", "victim")
    with pytest.raises(InvalidHash):
        store.add("v", [NewEntry(value=H1), NewEntry(value="not a hash")])
    with pytest.raises(InputError, match="quality"):
        store.add("v", [NewEntry(value=H1), NewEntry(value=H2, quality=101)])
    with pytest.raises(InputError, match="note"):
        store.add("v", [NewEntry(value=H1, note="x" * 2001)])
    assert store.get("v").size == 0


def test_remove_entries_and_banks(store: BankStore) -> None:
    store.create("v", "victim")
    store.create("w", "victim")
    ids = store.add("v", [NewEntry(value=H1), NewEntry(value=H2)])
    other = store.add("w", [NewEntry(value=H1)])
    assert store.remove_entries("v", [ids[0], other[0], 999_999]) == 1  # not w's entry
    assert [e.id for e in store.entries("v")] == [ids[1]]
    assert store.delete("v") == 1
    assert [b.name for b in store.banks()] == ["w"]
    assert store.get("w").size == 1


def test_many_entries_in_batches(store: BankStore) -> None:
    store.create("big", "victim")
    values = [f"{i:064x}" for i in range(12_345)]
    ids = store.add("big", [NewEntry(value=v) for v in values])
    assert len(ids) == len(set(ids)) == 12_345
    hashes = store.hashes(["big"]).signals["pdq"]
    assert hashes.rows.shape == (12_345, 32)
    assert sorted(hashes.entry_ids.tolist()) == sorted(ids)
    by_id = dict(zip(hashes.entry_ids.tolist(), hashes.rows, strict=True))
    assert by_id[ids[5]].tobytes().hex() == values[5]


@pytest.mark.fresh_database  # the first open migrates the empty database, the second does nothing
def test_data_survives_reopening(database_url: str) -> None:
    first = Database.open(database_url)
    BankStore(first).create("kept", "victim")
    BankStore(first).add("kept", [NewEntry(value=H1)])
    first.dispose()
    second = Database.open(database_url)  # migrations are idempotent
    assert BankStore(second).get("kept").size == 1
    second.dispose()

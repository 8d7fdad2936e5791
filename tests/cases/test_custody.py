"""The custody log: a hash chain that shows any edited, removed, inserted or reordered entry."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import update

from bouclier.cases import Cases, HashReport, custody
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.storage.models import CustodyEvent


@pytest.fixture
def log(db: Database, tmp_path) -> list[custody.Entry]:  # type: ignore[no-untyped-def]
    cases = Cases(db, Settings(data_dir=tmp_path))
    case, _ = cases.create(language="es", minor=True, sextortion=True)
    cases.add_hashes(case.number, [HashReport("ab" * 32, 90), HashReport("cd" * 32, 70)])
    cases.add_urls(case.number, ["https://www.instagram.com/p/abc"])
    return cases.custody_log(case.number)


def test_a_log_as_written_verifies(log: list[custody.Entry]) -> None:
    assert [e.kind for e in log] == ["case.created", "hash.added", "hash.added", "url.added"]
    result = custody.verify(log)
    assert result.ok, result.problems
    assert result.length == 4
    assert result.head == log[-1].sha256
    assert log[0].prev_sha256 == custody.GENESIS


def test_an_edited_entry_is_found(log: list[custody.Entry]) -> None:
    edited = dataclasses.replace(log[2], data={**log[2].data, "quality": 100})
    result = custody.verify([*log[:2], edited, *log[3:]])
    assert not result.ok
    assert result.problems == ("entry 3: content does not match its hash (edited)",)


def test_a_removed_entry_is_found(log: list[custody.Entry]) -> None:
    result = custody.verify([log[0], *log[2:]])
    assert not result.ok
    assert any("does not follow" in p for p in result.problems)
    assert any("sequence number" in p for p in result.problems)


def test_reordered_entries_are_found(log: list[custody.Entry]) -> None:
    result = custody.verify([log[0], log[2], log[1], log[3]])
    assert not result.ok


def test_a_truncated_log_is_found_against_the_head(log: list[custody.Entry]) -> None:
    assert custody.verify(log[:3]).ok  # a prefix is a valid log by itself...
    result = custody.verify(log[:3], expected_head=log[-1].sha256)
    assert not result.ok  # ...but not the one the manifest names


def test_a_recomputed_chain_changes_the_head(log: list[custody.Entry]) -> None:
    """Someone rewriting history and recomputing every hash after it gets a valid chain with
    another head: the head printed in the bundle and on the case page tells."""
    forged: list[custody.Entry] = []
    prev = custody.GENESIS
    for entry in log:
        data = (
            {**entry.data, "url": "https://example.org/x"}
            if entry.kind == "url.added"
            else entry.data
        )
        digest = custody.entry_hash(prev, entry.seq, entry.at, entry.kind, entry.actor, data)
        forged.append(dataclasses.replace(entry, data=data, prev_sha256=prev, sha256=digest))
        prev = digest
    assert custody.verify(forged).ok
    assert not custody.verify(forged, expected_head=log[-1].sha256).ok


def test_jsonl_round_trip(log: list[custody.Entry]) -> None:
    text = custody.to_jsonl(log)
    assert custody.from_jsonl(text) == log
    assert custody.verify(custody.from_jsonl(text)).ok
    with pytest.raises(ValueError, match="line 2"):
        custody.from_jsonl(text.splitlines()[0] + b"\n{not json}\n")


def test_an_edit_in_the_database_is_found(db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cases = Cases(db, Settings(data_dir=tmp_path))
    case, _ = cases.create()
    cases.add_urls(case.number, ["https://x.com/someone/status/1"])
    assert cases.verify(case.number).ok
    with db.transaction() as session:
        session.execute(
            update(CustodyEvent)
            .where(CustodyEvent.kind == "url.added")
            .values(data='{"item":1,"platform":"x","url":"https://x.com/other"}')
        )
    assert not cases.verify(case.number).ok


def test_unknown_kinds_are_refused(db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cases = Cases(db, Settings(data_dir=tmp_path))
    case, _ = cases.create()
    with db.transaction() as session, pytest.raises(ValueError, match="unknown custody"):
        custody.append(session, case.id, "made.up", "test")


@pytest.mark.parametrize(
    "line",
    [
        b'{"seq": Infinity, "at": "", "kind": "", "actor": "", "data": {}, '
        b'"prev_sha256": "", "sha256": ""}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"seq": 1}',
    ],
)
def test_hostile_exports_are_refused_with_a_line_number(line: bytes) -> None:
    with pytest.raises(ValueError, match="line 1"):
        custody.from_jsonl(line + b"\n")


def test_unhashable_entries_are_problems_not_crashes(log: list[custody.Entry]) -> None:
    nan = dataclasses.replace(log[1], data={"quality": float("nan")})
    accented = dataclasses.replace(log[2], prev_sha256="é" * 64)
    result = custody.verify([log[0], nan, accented, log[3]])
    assert not result.ok
    assert "entry 2: malformed, it cannot be hashed" in result.problems
    assert "entry 3: malformed, it cannot be hashed" in result.problems

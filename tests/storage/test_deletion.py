"""Deletion is real: what is deleted cannot be read back from the SQLite file's free pages."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from bouclier.banks.store import BankStore, NewEntry
from bouclier.storage import Database


def test_deleted_rows_leave_no_trace_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bouclier.db"
    db = Database.open(f"sqlite:///{path}")
    store = BankStore(db)
    store.create("v", "victim")
    marker = "withdrawn-victim-note-7f3a9c"
    [entry] = store.add("v", [NewEntry(value="ab" * 32, note=marker, case_ref="CASE-7f3a9c")])
    with db.engine.begin() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    assert marker.encode() in path.read_bytes()  # the check below can fail

    assert store.remove_entries("v", [entry]) == 1
    with db.engine.begin() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    db.dispose()
    leftovers = path.read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("bouclier.db-*") if p.is_file()
    )
    assert marker.encode() not in leftovers
    assert b"CASE-7f3a9c" not in leftovers


def test_the_check_sees_leftovers_when_secure_delete_is_off(tmp_path: Path) -> None:
    """Control: without secure_delete, SQLite leaves deleted rows in free pages, and the check
    above would see them (this SQLite may have it compiled on; Bouclier sets it explicitly)."""
    import sqlite3

    path = tmp_path / "control.db"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA secure_delete=OFF")
    connection.execute("CREATE TABLE t (note TEXT)")
    connection.execute("INSERT INTO t VALUES ('withdrawn-victim-note-control')")
    connection.commit()
    connection.execute("DELETE FROM t")
    connection.commit()
    connection.close()
    assert b"withdrawn-victim-note-control" in path.read_bytes()

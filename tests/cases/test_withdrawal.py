"""Withdrawal is one transaction: it deletes everything of a case, or, when it fails, nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bouclier.accounts.sessions import WebSessions
from bouclier.banks.store import BankStore, NewEntry
from bouclier.cases import VICTIM_BANK, Cases, HashReport, record_reupload, withdrawal
from bouclier.errors import NotFound
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.webhooks import WebhookStore, request_takedown
from tests.conftest import encode, photo

PDQ_A = "a5" * 32
PDQ_B = "3c" * 32
PDQ_C = "96" * 32
#: Every table a withdrawal writes to.
TABLES = (
    "banks",
    "bank_entries",
    "hash_changes",
    "webhook_deliveries",
    "match_feedback",
    "case_items",
    "evidence_files",
    "custody_events",
    "case_matches",
    "notices",
    "web_sessions",
    "enrolments",
    "collectives",
    "cases",
    "withdrawals",
)


class Boom(RuntimeError):
    pass


def boom(*args: Any, **kwargs: Any) -> Any:
    raise Boom("a step of the withdrawal failed")


def everything(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table a withdrawal touches."""
    found = {}
    with db.transaction() as session:
        for table in TABLES:
            rows = session.execute(text(f"SELECT * FROM {table} ORDER BY 1"))  # noqa: S608
            found[table] = [tuple(row) for row in rows]
    return found


@pytest.fixture
def cases(db: Database, tmp_path: Path) -> Cases:
    return Cases(db, Settings(data_dir=tmp_path))


def a_full_case(cases: Cases, db: Database) -> str:
    """A case with something in every table a withdrawal deletes from, beside another case."""
    WebhookStore(db).create("platform", "https://hooks.example.org/bouclier")
    case, _ = cases.create(contact="someone@example.org")
    twice, _ = cases.create()  # the same victim reported twice, merged into ``case``
    other, _ = cases.create()
    cases.invite(case.number)
    cases.add_hashes(case.number, [HashReport(PDQ_A, 90)])
    cases.add_hashes(twice.number, [HashReport(PDQ_C, 80)])
    cases.add_hashes(other.number, [HashReport(PDQ_B, 90)])
    cases.add_urls(case.number, ["https://x.com/a/status/1"])
    cases.add_evidence(case.number, encode(photo(2)))
    cases.merge(twice.number, case.number, actor="analyst:alice")
    [entry] = [e for e in BankStore(db).entries(VICTIM_BANK) if e.pdq == PDQ_A]
    with db.transaction() as session:
        record_reupload(session, case_ref=case.number, entry_id=entry.id, platform="x.com")
        request_takedown(
            session, {"case": case.number, "url": "https://x.com/a/status/1"}, webhook="platform"
        )
    WebSessions(db).open(timedelta(hours=2), case_id=case.id)
    return case.number


@pytest.mark.parametrize(
    "step",
    [
        "forget_entries",  # after the bank entries and their change log rows are gone
        "Withdrawal",  # the very last row written
    ],
)
def test_a_failure_part_way_leaves_the_case_and_its_bank_entries_intact(
    cases: Cases, db: Database, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    number = a_full_case(cases, db)
    before = everything(db)
    assert {PDQ_A, PDQ_C} <= {e.pdq for e in BankStore(db).entries(VICTIM_BANK)}
    monkeypatch.setattr(withdrawal, step, boom)
    with pytest.raises(Boom):
        cases.withdraw(number)
    assert everything(db) == before
    assert cases.get(number).number == number
    assert cases.verify(number).ok
    monkeypatch.undo()
    # nothing was left half-done or locked: the withdrawal then goes through
    done = cases.withdraw(number)
    assert (done.items, done.hashes, done.evidence) == (4, 2, 1)
    with pytest.raises(NotFound):
        cases.get(number)
    assert [e.pdq for e in BankStore(db).entries(VICTIM_BANK)] == [PDQ_B]


def test_bank_writes_go_on_after_a_withdrawal(cases: Cases, db: Database) -> None:
    """The change log's lock taken inside the withdrawal is released with its commit."""
    number = a_full_case(cases, db)
    cases.withdraw(number)
    store = BankStore(db)
    [added] = store.add(VICTIM_BANK, [NewEntry(PDQ_A)])
    assert [c.op for c in store.changes(store.last_cursor() - 1)] == ["add"]
    assert added in [e.id for e in store.entries(VICTIM_BANK)]

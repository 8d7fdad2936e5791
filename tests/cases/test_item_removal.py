"""A victim removes one wrong item: it goes for real (row, bank entry, evidence), logged."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bouclier.banks.store import BankStore
from bouclier.cases import Cases, HashReport
from bouclier.errors import NotFound
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.storage.models import BankEntry, EvidenceFile, HashChange, Notice, utcnow
from tests.conftest import encode, photo

PDQ_A = "a5" * 32
PDQ_B = "5a" * 32


@pytest.fixture
def cases(db: Database, tmp_path: Path) -> Cases:
    return Cases(db, Settings(data_dir=tmp_path))


def test_one_wrong_picture_is_removed_and_no_longer_matches(cases: Cases, db: Database) -> None:
    case, _ = cases.create()
    wrong, right = cases.add_hashes(case.number, [HashReport(PDQ_A, 90), HashReport(PDQ_B, 90)])
    removed = cases.remove_item(case.number, wrong.id)
    assert (removed.id, removed.kind) == (wrong.id, "hash")
    assert [i.id for i in cases.items(case.number)] == [right.id]
    with db.transaction() as session:
        values = set(session.scalars(select(BankEntry.value)))
        logged = set(session.scalars(select(HashChange.value)))
    assert values == {PDQ_B}  # out of the victim bank: platforms stop matching it
    assert PDQ_A not in logged  # and out of the change log, as a withdrawal does
    [entry] = [e for e in cases.custody_log(case.number) if e.kind == "item.removed"]
    assert entry.data == {"item": wrong.id, "kind": "hash"}
    assert cases.verify(case.number).ok
    with pytest.raises(NotFound):  # again: gone
        cases.remove_item(case.number, wrong.id)
    assert BankStore(db).get("victims").size == 1


def test_a_link_with_a_notice_and_an_evidence_file(cases: Cases, db: Database) -> None:
    case, _ = cases.create()
    [link] = cases.add_urls(case.number, ["https://www.tiktok.com/@x/video/1"])
    evidence = cases.add_evidence(case.number, encode(photo(3)))
    with db.transaction() as session:
        session.add(
            Notice(
                reference="N-REMOVE-1",
                case_id=case.id,
                item_id=link.id,
                platform="tiktok",
                url=link.url or "",
                law="dsa",
                channel="email",
                recipient="dsa@tiktok.example",
                status="sent",
                created_at=utcnow(),
            )
        )
    cases.remove_item(case.number, link.id)
    cases.remove_item(case.number, evidence.id)
    assert cases.items(case.number) == []
    with db.transaction() as session:
        notice = session.scalar(select(Notice).where(Notice.reference == "N-REMOVE-1"))
        assert notice is not None
        assert notice.item_id is None  # a notice sent stays sent, without the item
        assert session.scalar(select(EvidenceFile.id)) is None


def test_only_the_cases_own_items(cases: Cases) -> None:
    mine, _ = cases.create()
    theirs, _ = cases.create()
    [item] = cases.add_urls(theirs.number, ["https://x.com/a/status/1"])
    with pytest.raises(NotFound):
        cases.remove_item(mine.number, item.id)
    assert len(cases.items(theirs.number)) == 1

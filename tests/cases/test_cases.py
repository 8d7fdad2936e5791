"""Cases: anonymous creation, items, collective cases, review, merge, the queue, withdrawal."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bouclier.banks.store import BankStore
from bouclier.cases import FALSE_POSITIVE_BANK, VICTIM_BANK, Cases, HashReport, record_reupload
from bouclier.cases.credentials import canonical_number
from bouclier.cases.platforms import clean_url, platform_of
from bouclier.errors import Conflict, InputError, InvalidHash, MediaError, NotFound
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.storage.models import (
    Case,
    CaseItem,
    CustodyEvent,
    EvidenceFile,
    HashChange,
    WebhookDelivery,
    Withdrawal,
)
from bouclier.webhooks import WebhookStore, request_takedown
from bouclier.webhooks.fanout import fan_out_all
from bouclier.webhooks.outbox import expand
from tests.conftest import encode, photo

PDQ_A = "a5" * 32
PDQ_B = "3c" * 32


@pytest.fixture
def cases(db: Database, tmp_path: Path) -> Cases:
    return Cases(db, Settings(data_dir=tmp_path))


def test_a_case_is_anonymous_and_opens_only_with_its_secret(cases: Cases) -> None:
    case, secret = cases.create(language="es", minor=True, sextortion=True)
    assert case.number.startswith("BQ-")
    assert len(case.number) == 12
    assert case.minor
    assert case.sextortion
    assert case.status == "new"
    assert not case.has_contact
    assert cases.authenticate(case.number, secret) == case
    # typed by hand: lower case, spaces, no dashes, O for 0
    typed = secret.lower().replace("-", " ").replace("0", "o")
    assert cases.authenticate(case.number.lower().replace("-", ""), typed) == case
    assert (
        cases.authenticate(case.number, secret[:-1] + ("X" if secret[-1] != "X" else "Y")) is None
    )
    assert cases.authenticate("BQ-0000-0000", secret) is None
    assert cases.authenticate("not a number", secret) is None


def test_the_secret_is_stored_with_argon2(cases: Cases, db: Database) -> None:
    case, secret = cases.create()
    with db.transaction() as session:
        stored = session.scalar(select(Case.secret_hash).where(Case.id == case.id))
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert secret not in stored


def test_contact_and_details_are_sealed(cases: Cases, db: Database) -> None:
    case, _ = cases.create(contact="maria@example.org", details="seen in a group chat")
    assert case.has_contact
    assert cases.contact(case.number) == "maria@example.org"
    assert cases.details(case.number) == "seen in a group chat"
    with db.transaction() as session:
        row = session.get(Case, case.id)
        assert row is not None
        assert row.contact is not None
        assert b"maria" not in row.contact
    other = Cases(db, Settings(data_dir=cases.settings.data_dir / "elsewhere"))
    with pytest.raises(Exception, match="cannot be decrypted"):
        other.contact(case.number)


def test_hashes_go_into_the_victim_bank_at_once(cases: Cases, db: Database) -> None:
    case, _ = cases.create()
    added = cases.add_hashes(
        case.number, [HashReport(PDQ_A.upper(), 92, "AB" * 32), HashReport(PDQ_B, 30)]
    )
    assert [i.pdq for i in added] == [PDQ_A, PDQ_B]
    assert added[1].low_quality
    assert not added[0].low_quality
    assert added[0].sha256 == "ab" * 32
    entries = list(BankStore(db).entries(VICTIM_BANK))
    assert {(e.pdq, e.case_ref) for e in entries} == {(PDQ_A, case.number), (PDQ_B, case.number)}
    assert cases.add_hashes(case.number, [HashReport(PDQ_A, 92)]) == []  # already there


@pytest.mark.parametrize(
    ("report", "error"),
    [
        (HashReport("zz" * 32), InvalidHash),
        (HashReport("ab" * 31), InvalidHash),
        (HashReport(PDQ_A, 101), InputError),
        (HashReport(PDQ_A, 50, "not-a-sha"), InvalidHash),
    ],
)
def test_bad_hashes_are_refused(cases: Cases, report: HashReport, error: type[Exception]) -> None:
    case, _ = cases.create()
    with pytest.raises(error):
        cases.add_hashes(case.number, [report])
    assert cases.items(case.number) == []


def test_urls_are_cleaned_and_their_platform_recognised(cases: Cases) -> None:
    case, _ = cases.create()
    added = cases.add_urls(
        case.number,
        [
            "https://WWW.Instagram.com/p/Cx1/#comments",
            "https://m.tiktok.com/@someone/video/1",
            "http://forum.example.org/t/42",
        ],
    )
    assert [(i.url, i.platform) for i in added] == [
        ("https://www.instagram.com/p/Cx1/", "instagram"),
        ("https://m.tiktok.com/@someone/video/1", "tiktok"),
        ("http://forum.example.org/t/42", "forum.example.org"),
    ]
    assert platform_of("https://twitter.com/a/status/1") == "x"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "javascript:alert(1)",
        "ftp://example.org/x",
        "https://",
        "https://user:pw@x.com/",
        "https://exa mple.org/",
        "https://x.com/" + "a" * 2000,
        "http://[::1",
        "file:///etc/passwd",
    ],
)
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(InputError) as caught:
        clean_url(url)
    assert caught.value.code == "invalid_url"


def test_evidence_is_kept_only_sealed_and_never_for_a_minor(cases: Cases, db: Database) -> None:
    case, _ = cases.create()
    data = encode(photo(1))
    item = cases.add_evidence(case.number, data)
    assert item.kind == "evidence"
    assert item.media_type == "image/jpeg"
    assert item.pdq
    assert cases.evidence(case.number, item.id) == (data, "image/jpeg")
    with db.transaction() as session:
        stored = session.scalar(select(EvidenceFile.ciphertext))
    assert stored is not None
    assert data[:64] not in stored
    assert len(stored) > len(data)
    with pytest.raises(MediaError):
        cases.add_evidence(case.number, b"%PDF-1.4 not an image")
    minor, _ = cases.create(minor=True)
    with pytest.raises(InputError) as caught:
        cases.add_evidence(minor.number, data)
    assert caught.value.code == "evidence_refused_minor"


def test_families_join_one_collective_case(cases: Cases) -> None:
    first, _ = cases.create(language="es")
    code = cases.invite(first.number)
    second, _ = cases.create(language="es", invitation=code)
    third, _ = cases.create()
    cases.join(third.number, code.lower())
    assert [c.number for c in cases.collective(first.number)] == [
        first.number,
        second.number,
        third.number,
    ]
    with pytest.raises(NotFound):
        cases.create(invitation="INV-AAAAA-BBBBB-CCCCC-DDDDD")
    fresh = cases.invite(first.number)  # a new code for another family: the first still works
    cases.join(cases.create()[0].number, code)
    cases.join(cases.create()[0].number, fresh)
    listed = cases.invitations(first.number)
    assert [i.hint for i in listed] == [fresh[:8], code[:8]]  # newest first, never the code
    assert all(i.active for i in listed)
    with pytest.raises(NotFound):  # only the case that made a code revokes it
        cases.revoke_invitation(second.number, listed[1].id)
    revoked = cases.revoke_invitation(first.number, listed[1].id)
    assert not revoked.active
    with pytest.raises(NotFound):
        cases.join(cases.create()[0].number, code)
    cases.join(cases.create()[0].number, fresh)  # the other code is untouched
    assert len(cases.collective(first.number)) == 6  # nobody who joined was put out
    kinds = [e.kind for e in cases.custody_log(first.number)]
    assert kinds.count("invitation.created") == 2
    assert kinds.count("invitation.revoked") == 1


def test_review_confirms_or_moves_to_the_false_positive_bank(cases: Cases, db: Database) -> None:
    case, _ = cases.create()
    good, bad = cases.add_hashes(case.number, [HashReport(PDQ_A, 90), HashReport(PDQ_B, 90)])
    assert cases.review_item(case.number, good.id, "confirm", actor="analyst:ana").status == (
        "confirmed"
    )
    assert cases.review_item(case.number, bad.id, "reject", actor="analyst:ana").status == (
        "rejected"
    )
    store = BankStore(db)
    assert [e.pdq for e in store.entries(VICTIM_BANK)] == [PDQ_A]
    assert [e.pdq for e in store.entries(FALSE_POSITIVE_BANK)] == [PDQ_B]
    # the same decision again changes nothing; the other one is a conflict
    assert (
        cases.review_item(case.number, bad.id, "reject", actor="analyst:ana").status == "rejected"
    )
    with pytest.raises(Conflict):
        cases.review_item(case.number, bad.id, "confirm", actor="analyst:ana")
    assert cases.get(case.number).status == "in_progress"
    kinds = [e.kind for e in cases.custody_log(case.number)]
    assert kinds[-2:] == ["item.confirmed", "item.rejected"]


def test_the_queue_puts_minors_then_sextortion_first(cases: Cases) -> None:
    plain, _ = cases.create()
    extortion, _ = cases.create(sextortion=True)
    minor, _ = cases.create(minor=True)
    closed, _ = cases.create(minor=True)
    cases.set_status(closed.number, "closed", actor="analyst:ana")
    cases.add_hashes(plain.number, [HashReport(PDQ_A, 90)])
    queue = cases.queue()
    assert [q.case.number for q in queue] == [minor.number, extortion.number, plain.number]
    assert queue[2].items == 1
    assert queue[2].pending == 1


def test_merge_moves_items_and_keeps_both_logs(cases: Cases, db: Database) -> None:
    first, _ = cases.create()
    second, _ = cases.create(minor=True)
    cases.add_hashes(first.number, [HashReport(PDQ_A, 90)])
    cases.add_urls(first.number, ["https://x.com/a/status/1"])
    merged = cases.merge(first.number, second.number, actor="analyst:ana")
    assert merged.minor
    assert len(cases.items(second.number)) == 2
    assert cases.items(first.number) == []
    assert cases.get(first.number).status == "merged"
    assert cases.get(first.number).merged_into == second.number
    assert [e.case_ref for e in BankStore(db).entries(VICTIM_BANK)] == [second.number]
    assert cases.verify(first.number).ok
    assert cases.verify(second.number).ok
    with pytest.raises(Conflict):
        cases.merge(first.number, second.number, actor="analyst:ana")


def test_a_blocked_reupload_shows_on_the_case(cases: Cases, db: Database) -> None:
    case, _ = cases.create()
    [item] = cases.add_hashes(case.number, [HashReport(PDQ_A, 90)])
    [entry] = list(BankStore(db).entries(VICTIM_BANK))
    with db.transaction() as session:
        assert record_reupload(session, case_ref=case.number, entry_id=entry.id, platform="tiktok")
        assert not record_reupload(session, case_ref="BQ-0000-0000", entry_id=1, platform="x")
    [seen] = cases.reuploads(case.number)
    assert (seen.platform, seen.action, seen.item_id) == ("tiktok", "blocked", item.id)
    assert cases.custody_log(case.number)[-1].kind == "reupload.blocked"


def test_withdrawal_deletes_everything_of_the_case(cases: Cases, db: Database) -> None:
    case, _ = cases.create(contact="someone@example.org")
    keep, _ = cases.create()
    cases.add_hashes(case.number, [HashReport(PDQ_A, 90)])
    cases.add_hashes(keep.number, [HashReport(PDQ_B, 90)])
    cases.add_urls(case.number, ["https://x.com/a/status/1"])
    cases.add_evidence(case.number, encode(photo(2)))
    done = cases.withdraw(case.number)
    assert (done.items, done.hashes, done.evidence) == (3, 1, 1)
    with pytest.raises(NotFound):
        cases.get(case.number)
    assert [e.pdq for e in BankStore(db).entries(VICTIM_BANK)] == [PDQ_B]
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(CaseItem)) == 1
        assert session.scalar(select(func.count()).select_from(EvidenceFile)) == 0
        assert (
            session.scalar(
                select(func.count())
                .select_from(CustodyEvent)
                .where(CustodyEvent.case_id == case.id)
            )
            == 0
        )
        changes = session.execute(select(HashChange.op, HashChange.value)).all()
        assert PDQ_A not in {pdq for _, pdq in changes}
        assert ("remove", "") in changes  # platforms drop it by entry id
        [withdrawal] = session.scalars(select(Withdrawal)).all()
        assert withdrawal.case_number == case.number
    assert [w.case_number for w in cases.withdrawals()] == [case.number]
    assert cases.verify(keep.number).ok


def _sent_bodies(db: Database) -> list[str]:
    """Every body the outbox would send now (a hash event's changes read from the log)."""
    with db.transaction() as session:
        rows = session.execute(
            select(
                WebhookDelivery.payload, WebhookDelivery.first_cursor, WebhookDelivery.last_cursor
            )
        ).all()
        return [expand(session, *row) for row in rows]


def test_withdrawal_takes_the_case_out_of_webhook_payloads(cases: Cases, db: Database) -> None:
    case, _ = cases.create()
    other, _ = cases.create()
    WebhookStore(db).create("platform", "https://hooks.example.org/bouclier")
    cases.add_hashes(case.number, [HashReport(PDQ_A, 90)])
    fan_out_all(db)
    with db.transaction() as session:
        for number in (case.number, other.number):
            request_takedown(
                session, {"case": number, "url": "https://x.com/a/status/1"}, webhook="platform"
            )
    payloads = _sent_bodies(db)
    assert any(PDQ_A in p for p in payloads)  # the check below can fail
    assert any(case.number in p for p in payloads)
    cases.withdraw(case.number)
    fan_out_all(db)  # the removals: announced without the hash
    payloads = _sent_bodies(db)
    assert not any(PDQ_A in p or case.number in p for p in payloads)
    assert any(other.number in p for p in payloads)  # another case's notice stays
    with db.transaction() as session:  # nor is it stored anywhere in the outbox
        stored = session.scalars(select(WebhookDelivery.payload)).all()
    assert not any(PDQ_A in p or case.number in p for p in stored)


def test_after_withdrawal_the_sqlite_file_holds_none_of_the_case(tmp_path: Path) -> None:
    path = tmp_path / "bouclier.db"
    db = Database.open(f"sqlite:///{path}")
    cases = Cases(db, Settings(data_dir=tmp_path))
    case, _ = cases.create(contact="withdrawn@example.org")
    cases.add_hashes(case.number, [HashReport(PDQ_A, 90, "5e" * 32)])
    cases.add_urls(case.number, ["https://x.com/withdrawn-marker/status/1"])
    with db.engine.begin() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    before = path.read_bytes()
    assert PDQ_A.encode() in before
    assert b"withdrawn-marker" in before
    cases.withdraw(case.number)
    db.dispose()
    leftovers = path.read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("bouclier.db-*") if p.is_file()
    )
    for marker in (PDQ_A.encode(), ("5e" * 32).encode(), b"withdrawn-marker"):
        assert marker not in leftovers


def test_case_numbers_are_read_as_typed() -> None:
    assert canonical_number("bq 7k4m 2qx9") == "BQ-7K4M-2QX9"
    assert canonical_number("BQ-7K4M-2QXO") == "BQ-7K4M-2QX0"
    assert canonical_number("BQ-7K4M") is None
    assert canonical_number("BQ-7K4M-2QX!") is None

"""Withdrawal: a victim takes their case back, and everything of it is deleted for real.

The case's bank entries leave the banks (and their hashes are erased from the change log and from
webhook payloads), its items, evidence, notices, custody log, sessions and face enrolments are
deleted; a :class:`~bouclier.storage.models.Withdrawal` row keeps only the case number and the
counts. On SQLite, ``secure_delete`` and a WAL checkpoint leave no copy in the file; on PostgreSQL
the touched tables are vacuumed.

All of it is one transaction, bank entries included (through
:meth:`~bouclier.banks.store.BankStore.remove_entries_in`): a withdrawal that fails part-way
leaves the case and its hashes exactly as they were, never a case whose hashes are gone but whose
items remain, or the reverse; the victim can simply try again. The bank entries are removed last
of the row changes, because the change log's lock (see :mod:`bouclier.banks.store`) is held from
then to the commit.
"""

from __future__ import annotations

import logging

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from bouclier.cases.lookup import CaseLookup
from bouclier.cases.records import WithdrawalInfo
from bouclier.storage.models import (
    Bank,
    BankEntry,
    Case,
    CaseItem,
    Collective,
    EvidenceFile,
    HashChange,
    LikenessEnrolment,
    MatchFeedback,
    WebhookDelivery,
    Withdrawal,
    utcnow,
)
from bouclier.webhooks.outbox import forget_entries

log = logging.getLogger(__name__)

#: Tables a withdrawal deletes from, vacuumed afterwards on PostgreSQL.
_WITHDRAWAL_TABLES = (
    "bank_entries",
    "hash_changes",
    "webhook_deliveries",
    "match_feedback",
    "case_items",
    "evidence_files",
    "custody_events",
    "case_matches",
    "video_matches",
    "case_updates",
    "invitations",
    "notices",
    "web_sessions",
    "enrolments",
    "consents",
    "cases",
)


class CaseWithdrawal(CaseLookup):
    """Withdrawal: a case and everything of it deleted, for real."""

    def withdraw(self, number: str) -> WithdrawalInfo:
        """Deletes the case and everything of it, for real (see the module docstring), in one
        transaction: a failure part-way leaves the case and its bank entries as they were."""
        now = utcnow()
        with self.db.transaction() as session:
            row = self._row(session, number)
            case_number, case_id, collective_id = row.number, row.id, row.collective_id
            merged = session.scalars(
                select(Case.number).where(Case.merged_into_id == case_id)
            ).all()
            refs = [case_number, *merged]
            # 1. what only the case holds. Takedown notices sent by webhook name the case and its
            #    URLs: they go too.
            for ref in refs:
                session.execute(
                    delete(WebhookDelivery).where(
                        WebhookDelivery.event == "takedown.requested",
                        WebhookDelivery.payload.contains(ref),
                    )
                )
            items = _count(session, CaseItem, case_id)
            evidence = _count(session, EvidenceFile, case_id)
            enrolments = session.execute(
                delete(LikenessEnrolment).where(LikenessEnrolment.case_ref.in_(refs))
            )
            enrolled = int(getattr(enrolments, "rowcount", 0) or 0)
            # the case itself: items, evidence, custody, notices, sessions go by cascade
            session.execute(delete(Case).where(Case.merged_into_id == case_id))
            session.execute(delete(Case).where(Case.id == case_id))
            if collective_id is not None:
                session.execute(
                    delete(Collective).where(
                        Collective.id == collective_id,
                        ~select(Case.id).where(Case.collective_id == collective_id).exists(),
                    )
                )
            # 2. the banks, through the bank store, bank by bank (change log, webhook events);
            #    last of the row changes, as the change log's lock is held from here to the commit
            found = session.execute(
                select(BankEntry.id, Bank.name)
                .join(Bank, Bank.id == BankEntry.bank_id)
                .where(BankEntry.case_ref.in_(refs))
            ).all()
            by_bank: dict[str, list[int]] = {}
            for entry_id, bank_name in found:
                by_bank.setdefault(bank_name, []).append(entry_id)
            hashes = sum(
                self.banks.remove_entries_in(session, name, ids) for name, ids in by_bank.items()
            )
            entry_ids = [entry_id for entry_id, _ in found]
            # 3. the hashes out of the change log: adds and updates go, removes keep only the
            #    entry id
            for start in range(0, len(entry_ids), 500):
                chunk = entry_ids[start : start + 500]
                session.execute(
                    delete(HashChange).where(
                        HashChange.entry_id.in_(chunk), HashChange.op.in_(("add", "update"))
                    )
                )
                session.execute(
                    update(HashChange).where(HashChange.entry_id.in_(chunk)).values(value="")
                )
                session.execute(delete(MatchFeedback).where(MatchFeedback.entry_id.in_(chunk)))
            forget_entries(session, entry_ids)  # webhook payloads keep no hash
            session.add(
                Withdrawal(
                    case_number=case_number,
                    at=now,
                    items=items,
                    hashes=hashes,
                    evidence=evidence,
                    enrolments=enrolled,
                )
            )
        self._erase_free_space()
        log.info(
            "case withdrawn: %d items, %d hashes, %d evidence files deleted",
            items,
            hashes,
            evidence,
        )
        return WithdrawalInfo(case_number, now, items, hashes, evidence, enrolled)

    def withdrawals(self) -> list[WithdrawalInfo]:
        with self.db.transaction() as session:
            rows = session.scalars(select(Withdrawal).order_by(Withdrawal.id)).all()
            return [
                WithdrawalInfo(r.case_number, r.at, r.items, r.hashes, r.evidence, r.enrolments)
                for r in rows
            ]

    def _erase_free_space(self) -> None:
        """After a deletion: SQLite's secure_delete has zeroed the freed cells; a checkpoint
        moves them out of the WAL (and truncates it). PostgreSQL: VACUUM the tables touched."""
        if self.db.dialect == "sqlite":
            with self.db.engine.begin() as connection:
                connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            return
        with self.db.engine.connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            autocommit.execute(text("VACUUM " + ", ".join(_WITHDRAWAL_TABLES)))


def _count(session: Session, model: type[CaseItem] | type[EvidenceFile], case_id: int) -> int:
    """How many rows of ``model`` the case has."""
    query = select(func.count()).select_from(model).where(model.case_id == case_id)
    return int(session.scalar(query) or 0)

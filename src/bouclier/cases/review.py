"""What analysts and families do with cases once reported: review, collectives, merging.

An analyst confirms each hash or evidence item, or rejects it: a confirmed hash's bank entry is
*reviewed* from then on (the policy may block and escalate on it); a rejected hash leaves the
victim bank and goes to the ``known-false-positives`` bank, so it is never matched again. Families
reporting the same images join one collective case with an invitation code; the same victim
reported twice is merged into one case. An unverified case stays behind the others in the queue
(:mod:`bouclier.cases.queue`) until an analyst looks (:meth:`CaseReview.looked_at`; deciding on an
item or setting the status counts too).
:func:`record_reupload` records, in a platform's feedback transaction, that one of a case's hashes
blocked a re-upload.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bouclier.banks.store import NewEntry, robust_entries
from bouclier.cases import custody, sealing
from bouclier.cases.lookup import CaseLookup
from bouclier.cases.records import (
    FALSE_POSITIVE_BANK,
    VICTIM_BANK,
    CaseInfo,
    ItemInfo,
    ReuploadInfo,
    case_info,
    item_info,
)
from bouclier.cases.video_matches import VideoMatchInfo, video_matches_in
from bouclier.errors import Conflict, InputError
from bouclier.hashing import hash_bytes
from bouclier.hashing import pdq as pdq_hash
from bouclier.media import Limits
from bouclier.storage.models import (
    BankEntry,
    Case,
    CaseItem,
    CaseMatch,
    EvidenceFile,
    Notice,
    VideoMatch,
    utcnow,
)
from bouclier.vocabulary import CASE_STATUSES_SET_BY_ANALYSTS, REVIEW_DECISIONS, listed


class CaseReview(CaseLookup):
    """What analysts do with cases: decide on items, merge, set the status; and the collective
    cases families share."""

    def review_item(self, number: str, item_id: int, decision: str, *, actor: str) -> ItemInfo:
        """An analyst's decision on a hash: ``confirm`` keeps it in the victim bank; ``reject``
        takes it out and puts it in the known-false-positive bank. Deciding again the same way
        changes nothing; the other way is a Conflict."""
        if decision not in REVIEW_DECISIONS:
            raise InputError(f"decision is {listed(REVIEW_DECISIONS)}", code="invalid_decision")
        status = "confirmed" if decision == "confirm" else "rejected"
        with self.db.transaction() as session:
            row = self._row(session, number)
            item = self._item(session, row, item_id)
            if item.value is None:
                raise InputError(
                    "only hashes and evidence are confirmed or rejected", code="invalid_item"
                )
            if item.status == status:
                return item_info(item)
            if item.status != "pending":
                raise Conflict(f"item {item_id} was already {item.status}", code="item_decided")
            entry_id, signal_type, value = item.bank_entry_id, item.signal_type, item.value
            signal_type = signal_type or pdq_hash.NAME
            sealed = None
            if status == "confirmed" and entry_id is None and item.kind == "evidence":
                sealed = session.scalar(
                    select(EvidenceFile.ciphertext).where(
                        EvidenceFile.case_id == row.id, EvidenceFile.item_id == item.id
                    )
                )
        if status == "confirmed" and entry_id is None:
            # evidence files are fingerprinted but only enter the victim bank once confirmed
            self._ensure_bank(VICTIM_BANK, "victim")
            entry = NewEntry(value, signal_type=signal_type, source="case", case_ref=row.number)
            robust = self._robust_entries(row.number, item_id, sealed, entry)
            entry_id, *_ = self.banks.add(VICTIM_BANK, [entry, *robust])
        if status == "rejected":
            if entry_id is not None:
                self.banks.remove_entries(VICTIM_BANK, [entry_id])
                entry_id = None
            self._ensure_bank(FALSE_POSITIVE_BANK, "known_false_positive")
            self.banks.add(
                FALSE_POSITIVE_BANK,
                [
                    NewEntry(
                        value, signal_type=signal_type, source="analyst", note="rejected case item"
                    )
                ],
            )
        now = utcnow()
        with self.db.transaction() as session:
            row = self._row(session, number)
            item = self._item(session, row, item_id)
            item.status = status
            item.reviewed_at = now
            item.bank_entry_id = entry_id
            confirmed: list[int] = []
            if status == "confirmed" and entry_id is not None:
                # from now on a match on it is an analyst's word, not a stranger's: the policy
                # may block and escalate (every process sees it at its next match, no snapshot)
                confirmed = list(
                    session.scalars(
                        update(BankEntry)
                        .where(BankEntry.id == entry_id, BankEntry.reviewed.is_(False))
                        .values(reviewed=True)
                        .returning(BankEntry.id)
                    )
                )
            if row.status == "new":
                row.status = "in_progress"
            row.updated_at = now
            custody.append(session, row.id, f"item.{status}", actor, {"item": item.id}, at=now)
            _looked_at(session, row, actor, now)
            # last: followers, webhooks and HMA learn the new verdict with it, or not at all
            self.banks.log_updates_in(session, confirmed)
            return item_info(item)

    def _robust_entries(
        self, number: str, item_id: int, sealed: bytes | None, like: NewEntry
    ) -> list[NewEntry]:
        """The crop-robust entries (ORB) of a confirmed evidence file, beside its PDQ entry
        ``like``, as an image added to a bank brings them: the file is unsealed in memory,
        fingerprinted on this server and dropped (its keypoints never leave the instance).
        None for a hash item (no pixels), a video or an image with too few keypoints."""
        if sealed is None or like.signal_type != pdq_hash.NAME:
            return []
        data = sealing.unseal(
            self._key(), sealed, purpose=f"evidence {item_id}", case_number=number
        )
        hashes = hash_bytes(data, limits=Limits.from_settings(self.settings), framing=False)
        if hashes.pdq.pdq != like.value:  # the same file hashed again: the same PDQ, or not it
            return []
        return robust_entries(hashes, like)

    def looked_at(self, number: str, *, actor: str) -> CaseInfo:
        """An analyst looked at the case: an unverified case (no solved challenge, or a burst
        from one client) takes its place in the queue again. Logged once."""
        with self.db.transaction() as session:
            row = self._row(session, number)
            _looked_at(session, row, actor, utcnow())
            return case_info(session, row)

    # --- collective cases, merging, status -------------------------------------------------------

    def join(self, number: str, invitation: str, *, actor: str = "victim") -> CaseInfo:
        with self.db.transaction() as session:
            row = self._row(session, number)
            self._join(session, row, invitation, actor)
            return case_info(session, row)

    def collective(self, number: str) -> list[CaseInfo]:
        """The cases of this case's collective (itself included), oldest first."""
        with self.db.transaction() as session:
            row = self._row(session, number)
            if row.collective_id is None:
                return [case_info(session, row)]
            rows = session.scalars(
                select(Case).where(Case.collective_id == row.collective_id).order_by(Case.id)
            ).all()
            return [case_info(session, r) for r in rows]

    def set_status(self, number: str, status: str, *, actor: str) -> CaseInfo:
        if status not in CASE_STATUSES_SET_BY_ANALYSTS:
            raise InputError(
                f"status is {listed(CASE_STATUSES_SET_BY_ANALYSTS)}", code="invalid_status"
            )
        with self.db.transaction() as session:
            row = self._row(session, number)
            if row.status == "merged":
                raise Conflict(f"case {row.number} was merged into another", code="case_merged")
            if row.status != status:
                custody.append(
                    session, row.id, "case.status", actor, {"from": row.status, "to": status}
                )
                row.status = status
                row.updated_at = utcnow()
            _looked_at(session, row, actor, utcnow())
            return case_info(session, row)

    def merge(self, source: str, target: str, *, actor: str) -> CaseInfo:
        """Moves every item, notice and re-upload of ``source`` into ``target`` (the same victim
        reported twice); ``source`` stays as a pointer (status ``merged``) with its own log."""
        with self.db.transaction() as session:
            src = self._row(session, source)
            dst = self._row(session, target)
            if src.id == dst.id:
                raise InputError("a case cannot be merged into itself", code="invalid_merge")
            if src.status == "merged" or dst.status == "merged":
                raise Conflict("a merged case cannot be merged again", code="case_merged")
            # evidence is sealed to its case number: re-seal it to the target's, or it is lost
            evidence = session.scalars(
                select(EvidenceFile).where(EvidenceFile.case_id == src.id)
            ).all()
            if evidence:
                key = self._key()
                for found in evidence:
                    purpose = f"evidence {found.item_id}"
                    data = sealing.unseal(
                        key, found.ciphertext, purpose=purpose, case_number=src.number
                    )
                    found.ciphertext = sealing.seal(
                        key, data, purpose=purpose, case_number=dst.number
                    )
                    found.key_id = key.key_id
                session.flush()
            moved = {}
            for model in (CaseItem, EvidenceFile, Notice, CaseMatch, VideoMatch):
                result = session.execute(
                    update(model).where(model.case_id == src.id).values(case_id=dst.id)
                )
                moved[model.__tablename__] = int(getattr(result, "rowcount", 0) or 0)
            # the entries whose case becomes a minor's by the merge: their shared standing changes
            minor = dst.minor or src.minor
            now_minor = [case.number for case in (src, dst) if case.minor != minor]
            updated = list(
                session.scalars(select(BankEntry.id).where(BankEntry.case_ref.in_(now_minor)))
            )
            session.execute(
                update(BankEntry)
                .where(BankEntry.case_ref == src.number)
                .values(case_ref=dst.number)
            )
            dst.minor = minor
            dst.sextortion = dst.sextortion or src.sextortion
            if dst.collective_id is None:
                dst.collective_id = src.collective_id
            src.status = "merged"
            src.merged_into_id = dst.id
            now = utcnow()
            src.updated_at = dst.updated_at = now
            custody.append(session, src.id, "case.merged_into", actor, {"into": dst.number}, at=now)
            custody.append(
                session, dst.id, "case.merged", actor, {"from": src.number, "moved": moved}, at=now
            )
            self.banks.log_updates_in(session, updated)  # last: the log's lock to the commit
            return case_info(session, dst)

    # --- re-uploads blocked by platforms -------------------------------------------------------

    def reuploads(self, number: str) -> list[ReuploadInfo]:
        with self.db.transaction() as session:
            row = self._row(session, number)
            found = session.scalars(
                select(CaseMatch).where(CaseMatch.case_id == row.id).order_by(CaseMatch.at)
            ).all()
            return [ReuploadInfo(m.platform, m.action, m.at, m.item_id, m.url) for m in found]

    def video_matches(self, number: str) -> list[VideoMatchInfo]:
        """Platforms' uploads that matched the case's videos, with the frames that matched."""
        with self.db.transaction() as session:
            return video_matches_in(session, self._row(session, number).id)


def record_reupload(
    session: Session,
    *,
    case_ref: str,
    entry_id: int | None,
    platform: str,
    action: str = "blocked",
    at: datetime | None = None,
    url: str | None = None,
) -> bool:
    """Records, in the caller's transaction, that a platform matched one of a case's hashes
    ("re-upload blocked on PLATFORM at TIME"); False when no case has this number."""
    row = session.scalar(select(Case).where(Case.number == case_ref))
    if row is None:
        return False
    item_id = (
        session.scalar(
            select(CaseItem.id).where(
                CaseItem.case_id == row.id, CaseItem.bank_entry_id == entry_id
            )
        )
        if entry_id is not None
        else None
    )
    moment = at or utcnow()
    session.add(
        CaseMatch(
            case_id=row.id, item_id=item_id, platform=platform, action=action, at=moment, url=url
        )
    )
    custody.append(
        session,
        row.id,
        "reupload.blocked",
        f"platform:{platform}",
        {"platform": platform, "item": item_id, "action": action},
        at=moment,
    )
    return True


def _looked_at(session: Session, row: Case, actor: str, now: datetime) -> None:
    if not row.verified:
        row.verified = True
        row.updated_at = now
        custody.append(session, row.id, "case.verified", actor, {}, at=now)

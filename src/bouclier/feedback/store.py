"""Feedback on matches: what a platform did with a match (``blocked``, ``not_blocked``,
``false_positive``), and the analyst's decision on a reported false positive.

``blocked`` and ``not_blocked`` are ``recorded``; a ``blocked`` on an entry that belongs to a case
(its ``case_ref``) also records "re-upload blocked on PLATFORM at TIME" for the case (a
``CaseMatch`` and a custody event). A ``false_positive`` waits for an analyst (``pending``):
**confirmed**, the platform's hash goes into the known-false-positive bank
(:data:`KNOWN_FALSE_POSITIVES`, made on first use), whose matches override victim matches (a match
there makes the verdict ALLOW, see :mod:`bouclier.policy.decide`); **rejected**, nothing changes.
A decision is final: the same decision again answers the same, the other one is a 409.
The decision and the bank entry are written in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.orm import Session

from bouclier.banks.hashes import BankInfo
from bouclier.banks.store import BankStore, _log
from bouclier.cases.store import record_reupload
from bouclier.errors import Conflict, InputError, NotFound
from bouclier.signals import DEFAULT
from bouclier.signals.vpdq import NAME as VPDQ
from bouclier.storage.models import Bank, BankEntry, MatchFeedback, utc_iso, utcnow
from bouclier.vocabulary import FEEDBACK_ACTIONS, FEEDBACK_STATUSES

#: The bank confirmed false positives go to.
KNOWN_FALSE_POSITIVES = "known-false-positives"
MAX_URL = 2000
MAX_PAGE = 500


#: why feedback never names a video by its vPDQ value (docs/video.md, "Feedback on a video match")
VIDEO_FEEDBACK = (
    "feedback on a video match names the uploaded file by its digest: signal_type sha256 (or "
    "md5) with the sha256 of the match's answer; entry_id says which banked video it matched. "
    "A vPDQ value is a whole video's frame list, not one hash to send back"
)


@dataclass(frozen=True, slots=True)
class FeedbackInfo:
    id: int
    platform: str
    bank: str | None
    entry_id: int | None
    signal_type: str
    value: str  # the platform's image, as matched
    action: str
    status: str
    url: str | None
    created_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    false_positive_entry: int | None = None  # the known-false-positive bank entry, if confirmed

    @property
    def pdq(self) -> str | None:
        return self.value if self.signal_type == DEFAULT else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform,
            "bank": self.bank,
            "entry_id": self.entry_id,
            "signal_type": self.signal_type,
            "value": self.value,
            "pdq": self.pdq,
            "action": self.action,
            "status": self.status,
            "url": self.url,
            "created_at": utc_iso(self.created_at),
            "reviewed_by": self.reviewed_by,
            "reviewed_at": utc_iso(self.reviewed_at) if self.reviewed_at else None,
        }


def _info(session: Session, row: MatchFeedback) -> FeedbackInfo:
    bank = session.get(Bank, row.bank_id) if row.bank_id is not None else None
    return FeedbackInfo(
        id=row.id,
        platform=row.platform,
        bank=bank.name if bank is not None else None,
        entry_id=row.entry_id,
        signal_type=row.signal_type,
        value=row.value,
        action=row.action,
        status=row.status,
        url=row.url,
        created_at=row.created_at,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
    )


def _url(url: str | None) -> str | None:
    if url is None:
        return None
    url = url.strip()
    if len(url) > MAX_URL or any(ord(c) < 32 or ord(c) == 127 for c in url):
        raise InputError(
            f"a URL is at most {MAX_URL} characters, without control characters",
            code="invalid_url",
        )
    return url or None


class FeedbackStore:
    def __init__(self, banks: BankStore) -> None:
        self.banks = banks
        self.db = banks.db

    def record(
        self,
        *,
        platform: str,
        api_key_id: int | None,
        entry_id: int,
        pdq_hash: str,
        action: str,
        url: str | None = None,
        signal_type: str = DEFAULT,
    ) -> FeedbackInfo:
        """Records a platform's feedback on a match of bank entry ``entry_id`` (404
        ``entry_not_found``); ``pdq_hash`` is the platform's image hash as matched, a value of
        ``signal_type`` (PDQ by default)."""
        if action not in FEEDBACK_ACTIONS:
            raise InputError(
                f"action is one of {', '.join(FEEDBACK_ACTIONS)}", code="invalid_action"
            )
        if signal_type == VPDQ:
            raise InputError(VIDEO_FEEDBACK, code="invalid_signal_type")
        kind, canonical = self.banks.signal_types.validate(signal_type, pdq_hash)
        clean_url = _url(url)
        now = utcnow()
        with self.db.transaction() as session:
            entry = session.get(BankEntry, entry_id)
            if entry is None:
                raise NotFound(f"no bank entry {entry_id}", code="entry_not_found")
            row = MatchFeedback(
                api_key_id=api_key_id,
                platform=platform,
                bank_id=entry.bank_id,
                entry_id=entry.id,
                signal_type=kind,
                value=canonical,
                action=action,
                status="pending" if action == "false_positive" else "recorded",
                url=clean_url,
                created_at=now,
            )
            session.add(row)
            if action == "blocked" and entry.case_ref:
                _record_reupload(session, entry.case_ref, entry.id, platform, now, clean_url)
            session.flush()
            return _info(session, row)

    def get(self, feedback_id: int) -> FeedbackInfo:
        with self.db.transaction() as session:
            return _info(session, _row(session, feedback_id))

    def list(
        self, *, status: str | None = None, before: int | None = None, limit: int = 100
    ) -> list[FeedbackInfo]:
        """Feedback, newest first; page on with ``before`` = the last id seen."""
        if status is not None and status not in FEEDBACK_STATUSES:
            raise InputError(
                f"status is one of {', '.join(FEEDBACK_STATUSES)}", code="invalid_status"
            )
        if not 1 <= limit <= MAX_PAGE:
            raise InputError(f"limit is from 1 to {MAX_PAGE}", code="invalid_limit")
        query = select(MatchFeedback)
        if status is not None:
            query = query.where(MatchFeedback.status == status)
        if before is not None:
            query = query.where(MatchFeedback.id < before)
        with self.db.transaction() as session:
            rows = session.scalars(query.order_by(MatchFeedback.id.desc()).limit(limit)).all()
            return [_info(session, row) for row in rows]

    def confirm(self, feedback_id: int, *, reviewer: str) -> FeedbackInfo:
        """Confirms a reported false positive: its hash joins the known-false-positive bank."""
        # the bank is made only for a decision that can be taken (nothing goes back to pending)
        pending = self.get(feedback_id).status == "pending"
        bank = self._false_positive_bank() if pending else None
        with self.db.transaction() as session:
            row = self._decide(session, feedback_id, "confirmed", reviewer)
            if row is None:  # confirmed before: the same answer
                return _info(session, _row(session, feedback_id))
            if bank is None:  # cannot happen: decided rows never return to pending
                raise Conflict(f"feedback {feedback_id} changed meanwhile", code="feedback_decided")
            entry_id = session.execute(
                insert(BankEntry)
                .values(
                    bank_id=bank.id,
                    signal_type=row.signal_type,
                    value=row.value,
                    source=f"feedback:{row.id}",
                    note=f"false positive reported by {row.platform}"[:2000],
                    created_at=utcnow(),
                )
                .returning(BankEntry.id)
            ).scalar_one()
            _log(session, bank.id, "add", [(int(entry_id), row.signal_type, row.value)])
            session.refresh(row)
            info = _info(session, row)
            return FeedbackInfo(**{**_fields(info), "false_positive_entry": int(entry_id)})

    def reject(self, feedback_id: int, *, reviewer: str) -> FeedbackInfo:
        """Rejects a reported false positive: the match stands."""
        with self.db.transaction() as session:
            self._decide(session, feedback_id, "rejected", reviewer)
            return _info(session, _row(session, feedback_id))

    def _decide(
        self, session: Session, feedback_id: int, decision: str, reviewer: str
    ) -> MatchFeedback | None:
        """Moves a pending feedback to ``decision``; the row if this call decided, None if it
        was already so decided; 404 or 409 otherwise. The conditional UPDATE is the lock: of two
        concurrent decisions, one changes the row and the other finds it decided."""
        result = session.execute(
            update(MatchFeedback)
            .where(MatchFeedback.id == feedback_id, MatchFeedback.status == "pending")
            .values(status=decision, reviewed_by=reviewer[:100], reviewed_at=utcnow())
        )
        row = _row(session, feedback_id)
        if cast(CursorResult[Any], result).rowcount == 1:
            return row
        if row.status == decision:
            return None
        if row.action != "false_positive":
            raise Conflict(
                f"feedback {feedback_id} is not a reported false positive ({row.action})",
                code="feedback_not_reviewable",
            )
        raise Conflict(f"feedback {feedback_id} is already {row.status}", code="feedback_decided")

    def _false_positive_bank(self) -> BankInfo:
        try:
            return self.banks.get(KNOWN_FALSE_POSITIVES)
        except NotFound:
            pass
        try:
            return self.banks.create(KNOWN_FALSE_POSITIVES, "known_false_positive")
        except Conflict:  # made meanwhile by another request
            bank = self.banks.get(KNOWN_FALSE_POSITIVES)
        if bank.kind != "known_false_positive":
            raise Conflict(
                f"bank {KNOWN_FALSE_POSITIVES!r} exists but is of kind {bank.kind}",
                code="bank_exists",
            )
        return bank


def _fields(info: FeedbackInfo) -> dict[str, Any]:
    return {name: getattr(info, name) for name in FeedbackInfo.__slots__}


def _row(session: Session, feedback_id: int) -> MatchFeedback:
    row = session.get(MatchFeedback, feedback_id, populate_existing=True)
    if row is None:
        raise NotFound(f"no feedback {feedback_id}", code="feedback_not_found")
    return row


def _record_reupload(
    session: Session, case_ref: str, entry_id: int, platform: str, at: datetime, url: str | None
) -> None:
    """ "Re-upload blocked on PLATFORM at TIME" for the entry's case: a CaseMatch and a
    ``reupload.blocked`` custody event, in the feedback's transaction."""
    record_reupload(
        session, case_ref=case_ref, entry_id=entry_id, platform=platform, at=at, url=url
    )

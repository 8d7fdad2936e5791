"""A notice as the store returns it (:class:`NoticeInfo`), and the transitions between its statuses
(:data:`bouclier.vocabulary.NOTICE_STATUSES`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bouclier.storage.models import Notice, utc_iso
from bouclier.vocabulary import NoticeStatus

#: status -> the answers a platform can still give (typed: mypy checks each word is a status)
TRANSITIONS: dict[str, tuple[NoticeStatus, ...]] = {
    "sent": ("acknowledged", "removed", "refused"),
    "acknowledged": ("removed", "refused"),
    "expired": ("removed", "refused"),
}
#: a notice in one of these blocks another for the same URL item and law
OPEN: tuple[NoticeStatus, ...] = ("draft", "sent", "acknowledged")
WAITING: tuple[NoticeStatus, ...] = ("sent", "acknowledged")


@dataclass(frozen=True, slots=True)
class NoticeInfo:
    reference: str
    case_number: str
    item_id: int | None
    platform: str
    url: str
    law: str
    channel: str
    recipient: str
    status: str
    created_at: datetime
    sent_at: datetime | None
    deadline_at: datetime | None
    answered_at: datetime | None
    answer: str | None
    reminders: int
    last_reminder_at: datetime | None
    signer: str | None
    last_error: str | None

    def overdue(self, now: datetime) -> bool:
        """Past its deadline without the platform having removed or refused it."""
        return self.status == "expired" or (
            self.status in WAITING and self.deadline_at is not None and self.deadline_at <= now
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "case": self.case_number,
            "item": self.item_id,
            "platform": self.platform,
            "url": self.url,
            "law": self.law,
            "channel": self.channel,
            "recipient": self.recipient,
            "status": self.status,
            "created_at": utc_iso(self.created_at),
            "sent_at": iso_or_none(self.sent_at),
            "deadline_at": iso_or_none(self.deadline_at),
            "answered_at": iso_or_none(self.answered_at),
            "answer": self.answer,
            "reminders": self.reminders,
            "last_reminder_at": iso_or_none(self.last_reminder_at),
            "signer": self.signer,
            "last_error": self.last_error,
        }


@dataclass(frozen=True, slots=True)
class SweepResult:
    """What one sweep did: references reminded, expired, and reminders that failed (why)."""

    reminded: tuple[str, ...] = ()
    expired: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()


def iso_or_none(moment: datetime | None) -> str | None:
    return utc_iso(moment) if moment is not None else None


def info_of(row: Notice, case_number: str) -> NoticeInfo:
    return NoticeInfo(
        reference=row.reference,
        case_number=case_number,
        item_id=row.item_id,
        platform=row.platform,
        url=row.url,
        law=row.law,
        channel=row.channel,
        recipient=row.recipient,
        status=row.status,
        created_at=row.created_at,
        sent_at=row.sent_at,
        deadline_at=row.deadline_at,
        answered_at=row.answered_at,
        answer=row.answer,
        reminders=row.reminders,
        last_reminder_at=row.last_reminder_at,
        signer=row.signer,
        last_error=row.last_error,
    )

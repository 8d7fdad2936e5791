"""What the case store answers with, and the limits it checks: frozen records, never rows.

The store's parts (:mod:`bouclier.cases.store` and the modules it is made of) turn database rows
into these records inside their transactions, so nothing outside the store holds a live row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from bouclier.cases import custody
from bouclier.errors import InputError
from bouclier.hashing import digests
from bouclier.hashing import pdq as pdq_hash
from bouclier.hashing.vpdq import VpdqFeature
from bouclier.storage.models import Analyst, Case, CaseItem

T = TypeVar("T")

VICTIM_BANK = "victims"
FALSE_POSITIVE_BANK = "known-false-positives"
LANGUAGES = ("fr", "es", "en")
MAX_ITEMS_PER_CALL = 500
MAX_CONTACT = 500
MAX_DETAILS = 5000
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
#: the signal type of a video's frame hashes (bouclier.signals.vpdq.NAME)
VPDQ_NAME = "vpdq"


@dataclass(frozen=True, slots=True)
class CaseInfo:
    id: int
    number: str
    language: str
    minor: bool
    sextortion: bool
    status: str
    collective_id: int | None
    merged_into: str | None
    created_at: datetime
    updated_at: datetime
    has_contact: bool
    #: False for a case opened without a solved challenge or in a burst, until an analyst looks.
    verified: bool = True
    #: the analyst who claimed the case or was assigned it (their username), if any
    assigned_to: str | None = None
    assigned_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ItemInfo:
    id: int
    kind: str
    status: str
    created_at: datetime
    value: str | None = None  # a hash's, of signal_type
    quality: int | None = None
    sha256: str | None = None
    url: str | None = None
    platform: str | None = None
    media_type: str | None = None
    signal_type: str | None = None
    #: a URL's standing after its notices (:mod:`bouclier.cases.links`); "pending" otherwise
    link_status: str = "pending"
    #: a video's file MD5 (kept on its bank entry; :mod:`bouclier.cases.videos`)
    md5: str | None = None

    @property
    def pdq(self) -> str | None:
        """The hash, if it is a PDQ hash (a picture's from the victim's device)."""
        return self.value if self.signal_type == pdq_hash.NAME else None

    @property
    def frames(self) -> list[VpdqFeature]:
        """A video's hashed frames (vPDQ), none for anything else."""
        if self.signal_type != VPDQ_NAME or not self.value:
            return []
        from bouclier.signals.vpdq import features_of

        return features_of(self.value)

    @property
    def low_quality(self) -> bool:
        return self.quality is not None and self.quality < pdq_hash.LOW_QUALITY


@dataclass(frozen=True, slots=True)
class HashReport:
    """A hash computed on the victim's device (pdq.js): PDQ, its quality, the file's SHA-256."""

    pdq: str
    quality: int | None = None
    sha256: str | None = None

    def validated(self) -> HashReport:
        quality = self.quality
        if quality is not None and (
            isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 100
        ):
            raise InputError("a PDQ quality is an integer from 0 to 100", code="invalid_quality")
        sha = digests.validate("sha256", self.sha256) if self.sha256 else None
        return HashReport(pdq_hash.validate(self.pdq), quality, sha)


@dataclass(frozen=True, slots=True)
class ReuploadInfo:
    platform: str
    action: str
    at: datetime
    item_id: int | None
    url: str | None = None  # where the platform said the re-upload was


@dataclass(frozen=True, slots=True)
class QueueEntry:
    case: CaseInfo
    items: int
    pending: int
    reuploads: int
    open_notices: int
    overdue_notices: int


@dataclass(frozen=True, slots=True)
class WithdrawalInfo:
    case_number: str
    at: datetime
    items: int
    hashes: int
    evidence: int
    enrolments: int


@dataclass(frozen=True, slots=True)
class NoticeState:
    """Where a takedown notice of a case stands, as the victim's page shows it."""

    platform: str
    status: str
    item_id: int | None = None
    law: str | None = None
    sent_at: datetime | None = None
    deadline_at: datetime | None = None
    answered_at: datetime | None = None

    @property
    def awaiting_answer(self) -> bool:
        """Sent (or acknowledged) and not answered: its deadline is the one that counts."""
        return self.status in ("sent", "acknowledged") and self.deadline_at is not None


def batch(values: list[T], what: str) -> list[T]:
    """``values``, unless there are none or more than one call takes (InputError)."""
    if not values:
        raise InputError(f"no {what} given", code=f"no_{what}")
    if len(values) > MAX_ITEMS_PER_CALL:
        raise InputError(f"at most {MAX_ITEMS_PER_CALL} {what} at once", code=f"too_many_{what}")
    return values


def case_info(session: Session, row: Case) -> CaseInfo:
    """The record of a case row, read in the transaction that holds it."""
    merged_into = (
        session.scalar(select(Case.number).where(Case.id == row.merged_into_id))
        if row.merged_into_id is not None
        else None
    )
    assigned_to = (
        session.scalar(select(Analyst.username).where(Analyst.id == row.assigned_to_id))
        if row.assigned_to_id is not None
        else None
    )
    return CaseInfo(
        id=row.id,
        number=row.number,
        language=row.language,
        minor=row.minor,
        sextortion=row.sextortion,
        status=row.status,
        collective_id=row.collective_id,
        merged_into=merged_into,
        created_at=row.created_at,
        updated_at=row.updated_at,
        has_contact=row.contact is not None,
        verified=row.verified,
        assigned_to=assigned_to,
        assigned_at=row.assigned_at,
    )


def item_info(item: CaseItem, media_type: str | None = None, md5: str | None = None) -> ItemInfo:
    """The record of an item row; ``media_type`` is its evidence file's, if it has one, ``md5``
    a video's file digest."""
    return ItemInfo(
        id=item.id,
        kind=item.kind,
        status=item.status,
        created_at=item.created_at,
        signal_type=item.signal_type,
        value=item.value,
        quality=item.quality,
        sha256=item.sha256,
        url=item.url,
        platform=item.platform,
        media_type=media_type,
        link_status=item.link_status or "pending",
        md5=md5,
    )


def add_hash_item(
    session: Session,
    case_id: int,
    *,
    signal_type: str,
    value: str,
    sha256: str | None,
    entry_id: int | None,
    actor: str,
    details: dict[str, Any],
    at: datetime,
    quality: int | None = None,
) -> CaseItem:
    """A pending hash item of a case beside its victim-bank entry, and its custody event
    ``hash.added`` (``details`` after the item's id), in the caller's transaction."""
    item = CaseItem(
        case_id=case_id,
        kind="hash",
        signal_type=signal_type,
        value=value,
        quality=quality,
        sha256=sha256,
        status="pending",
        bank_entry_id=entry_id,
        created_at=at,
    )
    session.add(item)
    session.flush()
    custody.append(session, case_id, "hash.added", actor, {"item": item.id, **details}, at=at)
    return item

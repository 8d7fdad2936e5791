"""Cases: what victims and families report, what analysts work on, what withdrawal deletes.

One class, :class:`Cases`, over the database. Every change to a case is written with its custody
log entry (:mod:`bouclier.cases.custody`) in one transaction, so the log is exactly the history.

Hashes reported from the victim's device go into the ``victims`` bank **at once** (as
StopNCII does: a re-upload is caught from the first minute), tagged with the case number, with
the item ``pending``. An analyst then confirms the item, or rejects it: a rejected hash leaves the
victim bank and goes to the ``known-false-positives`` bank, so it is never matched again. Hashes of
low quality are kept too (``low_quality`` is shown, never dropped).

Withdrawal (:meth:`Cases.withdraw`) deletes for real: the case's bank entries leave the banks
(and their hashes are erased from the change log and from webhook payloads), its items, evidence,
notices, custody log, sessions and face enrolments are deleted; a :class:`Withdrawal` row keeps
only the case number and the counts. On SQLite, ``secure_delete`` and a WAL checkpoint leave no
copy in the file; on PostgreSQL the touched tables are vacuumed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from bouclier.banks.store import BankStore, NewEntry, bounded_text
from bouclier.cases import credentials, custody, sealing
from bouclier.cases.platforms import clean_url, platform_of
from bouclier.errors import Conflict, InputError, NotFound
from bouclier.hashing import digests, hash_bytes
from bouclier.hashing import pdq as pdq_hash
from bouclier.keyfiles import TemplateKey
from bouclier.media import Limits
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.storage.models import (
    Bank,
    BankEntry,
    Case,
    CaseItem,
    CaseMatch,
    Collective,
    EvidenceFile,
    HashChange,
    LikenessEnrolment,
    MatchFeedback,
    Notice,
    WebhookDelivery,
    Withdrawal,
    utcnow,
)
from bouclier.webhooks.outbox import forget_entries

log = logging.getLogger(__name__)
T = TypeVar("T")

VICTIM_BANK = "victims"
FALSE_POSITIVE_BANK = "known-false-positives"
LANGUAGES = ("fr", "es", "en")
MAX_ITEMS_PER_CALL = 500
MAX_CONTACT = 500
MAX_DETAILS = 5000
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
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
    "notices",
    "web_sessions",
    "enrolments",
    "consents",
    "cases",
)


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

    @property
    def pdq(self) -> str | None:
        """The hash, if it is a PDQ hash (every hash from the victim's device is)."""
        return self.value if self.signal_type == pdq_hash.NAME else None

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


class Cases:
    """The cases of one database. ``settings`` gives the case key's location and the limits."""

    def __init__(self, db: Database, settings: Settings, *, banks: BankStore | None = None) -> None:
        self.db = db
        self.settings = settings
        self.banks = banks or BankStore(db, default_threshold=settings.default_threshold)

    # --- creating and opening a case -------------------------------------------------------

    def create(
        self,
        *,
        language: str = "en",
        minor: bool = False,
        sextortion: bool = False,
        contact: str | None = None,
        details: str | None = None,
        invitation: str | None = None,
        actor: str = "victim",
    ) -> tuple[CaseInfo, str]:
        """Opens a case; returns it and its secret, which is never seen again."""
        if language not in LANGUAGES:
            raise InputError(f"language is one of {', '.join(LANGUAGES)}", code="invalid_language")
        contact = bounded_text("contact", contact, MAX_CONTACT) or None
        details = bounded_text("details", details, MAX_DETAILS) or None
        secret = credentials.new_secret()
        secret_hash = credentials.hash_secret(secret)
        key = self._key() if (contact or details) else None
        for _ in range(5):  # a clash of 40 random bits is rare; retry rather than fail
            number = credentials.new_case_number()
            with self.db.transaction() as session:
                if session.scalar(select(Case.id).where(Case.number == number)) is not None:
                    continue
                now = utcnow()
                row = Case(
                    number=number,
                    secret_hash=secret_hash,
                    language=language,
                    minor=bool(minor),
                    sextortion=bool(sextortion),
                    status="new",
                    created_at=now,
                    updated_at=now,
                )
                if key is not None and contact:
                    row.contact = sealing.seal(
                        key, contact.encode(), purpose="contact", case_number=number
                    )
                if key is not None and details:
                    row.details = sealing.seal(
                        key, details.encode(), purpose="details", case_number=number
                    )
                session.add(row)
                session.flush()
                custody.append(
                    session,
                    row.id,
                    "case.created",
                    actor,
                    {
                        "language": language,
                        "minor": bool(minor),
                        "sextortion": bool(sextortion),
                        "contact_given": bool(contact),
                    },
                    at=now,
                )
                if invitation:
                    self._join(session, row, invitation, actor)
                return _case_info(session, row), secret
        raise Conflict("could not allocate a case number; try again", code="case_number_busy")

    def authenticate(self, number: str, secret: str) -> CaseInfo | None:
        """The case, if ``secret`` is its secret; None otherwise (unknown number included, at the
        same cost). Rate limiting of guesses is the caller's (the web layer's)."""
        canonical = credentials.canonical_number(number)
        with self.db.transaction() as session:
            row = (
                session.scalar(select(Case).where(Case.number == canonical)) if canonical else None
            )
            stored = row.secret_hash if row is not None else None
            if not credentials.check_secret(stored, secret) or row is None:
                return None
            return _case_info(session, row)

    def get(self, number: str) -> CaseInfo:
        with self.db.transaction() as session:
            return _case_info(session, self._row(session, number))

    def contact(self, number: str) -> str | None:
        """The case's contact details, decrypted (for analysts and notices)."""
        return self._sealed_field(number, "contact")

    def details(self, number: str) -> str | None:
        return self._sealed_field(number, "details")

    def set_contact(self, number: str, contact: str | None, *, actor: str = "victim") -> None:
        contact = bounded_text("contact", contact, MAX_CONTACT) or None
        key = self._key() if contact else None
        with self.db.transaction() as session:
            row = self._row(session, number)
            row.contact = (
                sealing.seal(key, contact.encode(), purpose="contact", case_number=row.number)
                if key is not None and contact
                else None
            )
            row.updated_at = utcnow()
            custody.append(session, row.id, "case.contact_set", actor, {"given": bool(contact)})

    def record_access(
        self, number: str, kind: str, *, actor: str, item_id: int | None = None
    ) -> None:
        """Records that someone saw what a case keeps private: its contact details
        (``case.contact_viewed``) or an evidence file unblurred (``evidence.revealed``)."""
        if kind not in ("case.contact_viewed", "evidence.revealed"):
            raise ValueError(f"not an access event: {kind!r}")
        with self.db.transaction() as session:
            row = self._row(session, number)
            data = {} if item_id is None else {"item": item_id}
            custody.append(session, row.id, kind, actor, data)

    # --- items ---------------------------------------------------------------------------------

    def items(self, number: str) -> list[ItemInfo]:
        with self.db.transaction() as session:
            row = self._row(session, number)
            items = session.scalars(
                select(CaseItem).where(CaseItem.case_id == row.id).order_by(CaseItem.id)
            ).all()
            types = dict(
                session.execute(
                    select(EvidenceFile.item_id, EvidenceFile.media_type).where(
                        EvidenceFile.case_id == row.id
                    )
                )
                .tuples()
                .all()
            )
            return [_item_info(item, types.get(item.id)) for item in items]

    def add_hashes(
        self, number: str, reports: Sequence[HashReport], *, actor: str = "victim"
    ) -> list[ItemInfo]:
        """Adds hashes from the victim's device; each goes into the victim bank at once."""
        checked = _batch([r.validated() for r in reports], "hashes")
        self._ensure_bank(VICTIM_BANK, "victim")
        with self.db.transaction() as session:
            row = self._row(session, number)
            known = set(
                session.scalars(
                    select(CaseItem.value).where(
                        CaseItem.case_id == row.id,
                        CaseItem.kind == "hash",
                        CaseItem.signal_type == pdq_hash.NAME,
                    )
                )
            )
            fresh = [r for r in dict.fromkeys(checked) if r.pdq not in known]
        if not fresh:
            return []
        entry_ids = self.banks.add(
            VICTIM_BANK,
            [
                NewEntry(
                    value=r.pdq, quality=r.quality, sha256=r.sha256, source="case", case_ref=number
                )
                for r in fresh
            ],
        )
        now = utcnow()
        with self.db.transaction() as session:
            row = self._row(session, number)
            added = []
            for report, entry_id in zip(fresh, entry_ids, strict=True):
                item = CaseItem(
                    case_id=row.id,
                    kind="hash",
                    signal_type=pdq_hash.NAME,
                    value=report.pdq,
                    quality=report.quality,
                    sha256=report.sha256,
                    status="pending",
                    bank_entry_id=entry_id,
                    created_at=now,
                )
                session.add(item)
                session.flush()
                custody.append(
                    session,
                    row.id,
                    "hash.added",
                    actor,
                    {
                        "item": item.id,
                        "pdq": report.pdq,
                        "quality": report.quality,
                        "sha256": report.sha256,
                    },
                    at=now,
                )
                added.append(_item_info(item))
            row.updated_at = now
            return added

    def add_urls(
        self, number: str, urls: Sequence[str], *, actor: str = "victim"
    ) -> list[ItemInfo]:
        """Adds URLs where an image was seen, each with its platform recognised."""
        cleaned = list(dict.fromkeys(clean_url(u) for u in _batch(list(urls), "urls")))
        now = utcnow()
        with self.db.transaction() as session:
            row = self._row(session, number)
            known = set(
                session.scalars(
                    select(CaseItem.url).where(CaseItem.case_id == row.id, CaseItem.kind == "url")
                )
            )
            added = []
            for url in cleaned:
                if url in known:
                    continue
                item = CaseItem(
                    case_id=row.id,
                    kind="url",
                    url=url,
                    platform=platform_of(url),
                    status="pending",
                    created_at=now,
                )
                session.add(item)
                session.flush()
                custody.append(
                    session,
                    row.id,
                    "url.added",
                    actor,
                    {"item": item.id, "url": url, "platform": item.platform},
                    at=now,
                )
                added.append(_item_info(item))
            row.updated_at = now
            return added

    def add_evidence(
        self, number: str, data: bytes, *, actor: str = "victim", limits: Limits | None = None
    ) -> ItemInfo:
        """Keeps an evidence file a victim explicitly chose to upload: it must be an image
        (checked by the media door), is fingerprinted, and stored sealed with the case key."""
        if len(data) > MAX_EVIDENCE_BYTES:
            raise InputError(
                f"an evidence file is at most {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB",
                code="evidence_too_large",
            )
        hashes = hash_bytes(data, limits=limits or Limits.from_settings(self.settings))
        key = self._key()
        media_type = f"image/{hashes.format.lower()}"
        now = utcnow()
        with self.db.transaction() as session:
            row = self._row(session, number)
            if row.minor:
                raise InputError(
                    "for a case concerning a minor, Bouclier keeps hashes and links, never copies "
                    "of the images",
                    code="evidence_refused_minor",
                )
            item = CaseItem(
                case_id=row.id,
                kind="evidence",
                signal_type=pdq_hash.NAME,
                value=hashes.pdq.pdq,
                quality=hashes.pdq.quality,
                sha256=hashes.sha256,
                status="pending",
                created_at=now,
            )
            session.add(item)
            session.flush()
            session.add(
                EvidenceFile(
                    case_id=row.id,
                    item_id=item.id,
                    media_type=media_type,
                    size=len(data),
                    sha256=hashes.sha256,
                    ciphertext=sealing.seal(
                        key, data, purpose=f"evidence {item.id}", case_number=row.number
                    ),
                    key_id=key.key_id,
                    created_at=now,
                )
            )
            custody.append(
                session,
                row.id,
                "evidence.added",
                actor,
                {"item": item.id, "sha256": hashes.sha256, "size": len(data), "type": media_type},
                at=now,
            )
            row.updated_at = now
            return _item_info(item, media_type)

    def evidence(self, number: str, item_id: int) -> tuple[bytes, str]:
        """An evidence file's bytes (decrypted) and media type."""
        with self.db.transaction() as session:
            row = self._row(session, number)
            found = session.scalar(
                select(EvidenceFile).where(
                    EvidenceFile.case_id == row.id, EvidenceFile.item_id == item_id
                )
            )
            if found is None:
                raise NotFound(
                    f"case {row.number} has no evidence item {item_id}", code="item_not_found"
                )
            key = self._key()
            data = sealing.unseal(
                key, found.ciphertext, purpose=f"evidence {item_id}", case_number=row.number
            )
            return data, found.media_type

    def review_item(self, number: str, item_id: int, decision: str, *, actor: str) -> ItemInfo:
        """An analyst's decision on a hash: ``confirm`` keeps it in the victim bank; ``reject``
        takes it out and puts it in the known-false-positive bank. Deciding again the same way
        changes nothing; the other way is a Conflict."""
        if decision not in ("confirm", "reject"):
            raise InputError("decision is confirm or reject", code="invalid_decision")
        status = "confirmed" if decision == "confirm" else "rejected"
        with self.db.transaction() as session:
            row = self._row(session, number)
            item = self._item(session, row, item_id)
            if item.value is None:
                raise InputError(
                    "only hashes and evidence are confirmed or rejected", code="invalid_item"
                )
            if item.status == status:
                return _item_info(item)
            if item.status != "pending":
                raise Conflict(f"item {item_id} was already {item.status}", code="item_decided")
            entry_id, signal_type, value = item.bank_entry_id, item.signal_type, item.value
            signal_type = signal_type or pdq_hash.NAME
        if status == "confirmed" and entry_id is None:
            # evidence files are fingerprinted but only enter the victim bank once confirmed
            self._ensure_bank(VICTIM_BANK, "victim")
            [entry_id] = self.banks.add(
                VICTIM_BANK,
                [NewEntry(value, signal_type=signal_type, source="case", case_ref=row.number)],
            )
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
            if row.status == "new":
                row.status = "in_progress"
            row.updated_at = now
            custody.append(session, row.id, f"item.{status}", actor, {"item": item.id}, at=now)
            return _item_info(item)

    # --- collective cases, merging, status -------------------------------------------------------

    def invite(self, number: str, *, actor: str = "victim") -> str:
        """A new invitation code for the case's collective (made if the case has none); a new
        code replaces the previous one. Returned once."""
        code = credentials.new_invitation()
        digest = credentials.invitation_digest(code)
        with self.db.transaction() as session:
            row = self._row(session, number)
            if row.collective_id is None:
                collective = Collective(invite_sha256=digest, created_at=utcnow())
                session.add(collective)
                session.flush()
                row.collective_id = collective.id
                custody.append(
                    session, row.id, "case.collective_created", actor, {"collective": collective.id}
                )
            else:
                session.execute(
                    update(Collective)
                    .where(Collective.id == row.collective_id)
                    .values(invite_sha256=digest)
                )
        return code

    def join(self, number: str, invitation: str, *, actor: str = "victim") -> CaseInfo:
        with self.db.transaction() as session:
            row = self._row(session, number)
            self._join(session, row, invitation, actor)
            return _case_info(session, row)

    def collective(self, number: str) -> list[CaseInfo]:
        """The cases of this case's collective (itself included), oldest first."""
        with self.db.transaction() as session:
            row = self._row(session, number)
            if row.collective_id is None:
                return [_case_info(session, row)]
            rows = session.scalars(
                select(Case).where(Case.collective_id == row.collective_id).order_by(Case.id)
            ).all()
            return [_case_info(session, r) for r in rows]

    def set_status(self, number: str, status: str, *, actor: str) -> CaseInfo:
        if status not in ("new", "in_progress", "closed"):
            raise InputError("status is new, in_progress or closed", code="invalid_status")
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
            return _case_info(session, row)

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
            for model in (CaseItem, EvidenceFile, Notice, CaseMatch):
                result = session.execute(
                    update(model).where(model.case_id == src.id).values(case_id=dst.id)
                )
                moved[model.__tablename__] = int(getattr(result, "rowcount", 0) or 0)
            session.execute(
                update(BankEntry)
                .where(BankEntry.case_ref == src.number)
                .values(case_ref=dst.number)
            )
            dst.minor = dst.minor or src.minor
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
            return _case_info(session, dst)

    # --- the analyst's queue -------------------------------------------------------------------

    def queue(self, *, include_closed: bool = False, limit: int = 200) -> list[QueueEntry]:
        """Open cases, most urgent first: a minor, then sextortion, then the oldest."""
        now = utcnow()
        with self.db.transaction() as session:
            query = select(Case).where(Case.status != "merged")
            if not include_closed:
                query = query.where(Case.status != "closed")
            rows = session.scalars(
                query.order_by(
                    Case.minor.desc(), Case.sextortion.desc(), Case.created_at, Case.id
                ).limit(limit)
            ).all()
            ids = [r.id for r in rows]
            live = Notice.status.in_(("sent", "acknowledged"))
            items = _per_case(session, CaseItem, ids)
            pending = _per_case(session, CaseItem, ids, CaseItem.status == "pending")
            reuploads = _per_case(session, CaseMatch, ids)
            open_notices = _per_case(session, Notice, ids, live)
            overdue = _per_case(
                session,
                Notice,
                ids,
                or_(Notice.status == "expired", live & (Notice.deadline_at < now)),
            )
            return [
                QueueEntry(
                    case=_case_info(session, r),
                    items=items.get(r.id, 0),
                    pending=pending.get(r.id, 0),
                    reuploads=reuploads.get(r.id, 0),
                    open_notices=open_notices.get(r.id, 0),
                    overdue_notices=overdue.get(r.id, 0),
                )
                for r in rows
            ]

    # --- re-uploads blocked by platforms -------------------------------------------------------

    def reuploads(self, number: str) -> list[ReuploadInfo]:
        with self.db.transaction() as session:
            row = self._row(session, number)
            found = session.scalars(
                select(CaseMatch).where(CaseMatch.case_id == row.id).order_by(CaseMatch.at)
            ).all()
            return [ReuploadInfo(m.platform, m.action, m.at, m.item_id) for m in found]

    # --- the custody log -------------------------------------------------------------------------

    def custody_log(self, number: str) -> list[custody.Entry]:
        with self.db.transaction() as session:
            return custody.entries(session, self._row(session, number).id)

    def verify(self, number: str) -> custody.Verification:
        return custody.verify(self.custody_log(number))

    # --- withdrawal ----------------------------------------------------------------------------

    def withdraw(self, number: str) -> WithdrawalInfo:
        """Deletes the case and everything of it, for real (see the module docstring)."""
        with self.db.transaction() as session:
            row = self._row(session, number)
            case_number = row.number
            merged = session.scalars(select(Case.number).where(Case.merged_into_id == row.id)).all()
        refs = [case_number, *merged]
        # 1. the banks, through the store (change log, webhooks), bank by bank
        with self.db.transaction() as session:
            found = session.execute(
                select(BankEntry.id, Bank.name)
                .join(Bank, Bank.id == BankEntry.bank_id)
                .where(BankEntry.case_ref.in_(refs))
            ).all()
        by_bank: dict[str, list[int]] = {}
        for entry_id, bank_name in found:
            by_bank.setdefault(bank_name, []).append(entry_id)
        hashes = sum(self.banks.remove_entries(name, ids) for name, ids in by_bank.items())
        entry_ids = [entry_id for entry_id, _ in found]
        now = utcnow()
        with self.db.transaction() as session:
            row = self._row(session, case_number)
            # 2. the hashes out of the change log: adds go, removes keep only the entry id
            for start in range(0, len(entry_ids), 500):
                chunk = entry_ids[start : start + 500]
                session.execute(
                    delete(HashChange).where(HashChange.entry_id.in_(chunk), HashChange.op == "add")
                )
                session.execute(
                    update(HashChange).where(HashChange.entry_id.in_(chunk)).values(value="")
                )
                session.execute(delete(MatchFeedback).where(MatchFeedback.entry_id.in_(chunk)))
            forget_entries(session, entry_ids)  # webhook payloads keep no hash
            # takedown notices sent by webhook name the case and its URLs: they go too
            for ref in refs:
                session.execute(
                    delete(WebhookDelivery).where(
                        WebhookDelivery.event == "takedown.requested",
                        WebhookDelivery.payload.contains(ref),
                    )
                )
            items = int(
                session.scalar(
                    select(func.count()).select_from(CaseItem).where(CaseItem.case_id == row.id)
                )
                or 0
            )
            evidence = int(
                session.scalar(
                    select(func.count())
                    .select_from(EvidenceFile)
                    .where(EvidenceFile.case_id == row.id)
                )
                or 0
            )
            enrolments = session.execute(
                delete(LikenessEnrolment).where(LikenessEnrolment.case_ref.in_(refs))
            )
            enrolled = int(getattr(enrolments, "rowcount", 0) or 0)
            # 3. the case itself: items, evidence, custody, notices, sessions go by cascade
            session.execute(delete(Case).where(Case.merged_into_id == row.id))
            session.execute(delete(Case).where(Case.id == row.id))
            if row.collective_id is not None:
                session.execute(
                    delete(Collective).where(
                        Collective.id == row.collective_id,
                        ~select(Case.id).where(Case.collective_id == row.collective_id).exists(),
                    )
                )
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

    # --- internals -----------------------------------------------------------------------------

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

    def _key(self) -> TemplateKey:
        key = sealing.load_case_key(self.settings, create=True)
        assert key is not None
        return key

    def _sealed_field(self, number: str, purpose: str) -> str | None:
        with self.db.transaction() as session:
            row = self._row(session, number)
            sealed = row.contact if purpose == "contact" else row.details
            if sealed is None:
                return None
            key = self._key()
            return sealing.unseal(key, sealed, purpose=purpose, case_number=row.number).decode()

    def _ensure_bank(self, name: str, kind: str) -> None:
        with contextlib.suppress(Conflict):
            self.banks.create(name, kind)

    def _row(self, session: Session, number: str) -> Case:
        canonical = credentials.canonical_number(number) if isinstance(number, str) else None
        row = session.scalar(select(Case).where(Case.number == canonical)) if canonical else None
        if row is None:
            raise NotFound("no such case", code="case_not_found")
        return row

    def _item(self, session: Session, row: Case, item_id: int) -> CaseItem:
        item = session.scalar(
            select(CaseItem).where(CaseItem.id == item_id, CaseItem.case_id == row.id)
        )
        if item is None:
            raise NotFound(f"case {row.number} has no item {item_id}", code="item_not_found")
        return item

    def _join(self, session: Session, row: Case, invitation: str, actor: str) -> None:
        digest = credentials.invitation_digest(invitation)
        collective = session.scalar(select(Collective).where(Collective.invite_sha256 == digest))
        if collective is None:
            raise NotFound(
                "this invitation code is not known (check it with the family who shared it)",
                code="invitation_not_found",
            )
        if row.collective_id == collective.id:
            return
        row.collective_id = collective.id
        row.updated_at = utcnow()
        custody.append(
            session, row.id, "case.collective_joined", actor, {"collective": collective.id}
        )


def record_reupload(
    session: Session,
    *,
    case_ref: str,
    entry_id: int | None,
    platform: str,
    action: str = "blocked",
    at: datetime | None = None,
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
        CaseMatch(case_id=row.id, item_id=item_id, platform=platform, action=action, at=moment)
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


def _per_case(
    session: Session,
    model: type[CaseItem] | type[CaseMatch] | type[Notice],
    ids: list[int],
    *where: ColumnElement[bool],
) -> dict[int, int]:
    """How many rows of ``model`` each of the cases ``ids`` has (that match ``where``)."""
    query = (
        select(model.case_id, func.count())
        .where(model.case_id.in_(ids), *where)
        .group_by(model.case_id)
    )
    return {int(k): int(v) for k, v in session.execute(query).tuples().all()}


def _batch(values: list[T], what: str) -> list[T]:
    if not values:
        raise InputError(f"no {what} given", code=f"no_{what}")
    if len(values) > MAX_ITEMS_PER_CALL:
        raise InputError(f"at most {MAX_ITEMS_PER_CALL} {what} at once", code=f"too_many_{what}")
    return values


def _case_info(session: Session, row: Case) -> CaseInfo:
    merged_into = (
        session.scalar(select(Case.number).where(Case.id == row.merged_into_id))
        if row.merged_into_id is not None
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
    )


def _item_info(item: CaseItem, media_type: str | None = None) -> ItemInfo:
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
    )

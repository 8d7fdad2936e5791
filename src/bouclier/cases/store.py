"""Cases: what victims and families report, what analysts work on, what withdrawal deletes.

One class, :class:`Cases`, over the database. Every change to a case is written with its custody
log entry (:mod:`bouclier.cases.custody`) in one transaction, so the log is exactly the history.
Callers (the API, the web pages, the CLI) go through it and never open a transaction on cases
themselves. This module opens, finds and reads cases; the rest of the class is made of one part
per responsibility, each over :class:`~bouclier.cases.lookup.CaseLookup`:

- :mod:`bouclier.cases.items`: hashes (into the ``victims`` bank at once), URLs, evidence files;
- :mod:`bouclier.cases.invitations`: the invitation codes of collective cases;
- :mod:`bouclier.cases.review`: analysts' decisions, collective cases, merging, status,
  re-uploads blocked by platforms (:func:`record_reupload`);
- :mod:`bouclier.cases.queue`: the analysts' queue (whole, or a filtered page), claiming, the
  dashboard's counts;
- :mod:`bouclier.cases.withdrawal`: withdrawal, which deletes everything of a case for real, in
  one transaction.

The records the store answers with, and its limits, are in :mod:`bouclier.cases.records`; the
names importers use are re-exported here.
"""

from __future__ import annotations

from sqlalchemy import select

from bouclier.banks.store import bounded_text
from bouclier.cases import credentials, custody, sealing, updates
from bouclier.cases.invitations import CaseInvitations, InvitationInfo
from bouclier.cases.items import CaseItems
from bouclier.cases.queue import CaseQueue
from bouclier.cases.records import (
    FALSE_POSITIVE_BANK,
    LANGUAGES,
    MAX_CONTACT,
    MAX_DETAILS,
    MAX_EVIDENCE_BYTES,
    MAX_ITEMS_PER_CALL,
    VICTIM_BANK,
    CaseInfo,
    HashReport,
    ItemInfo,
    NoticeState,
    QueueEntry,
    ReuploadInfo,
    WithdrawalInfo,
    case_info,
)
from bouclier.cases.review import CaseReview, record_reupload
from bouclier.cases.videos import CaseVideos
from bouclier.cases.withdrawal import CaseWithdrawal
from bouclier.errors import Conflict, InputError
from bouclier.storage.models import Case, Notice, utcnow

__all__ = [
    "FALSE_POSITIVE_BANK",
    "LANGUAGES",
    "MAX_CONTACT",
    "MAX_DETAILS",
    "MAX_EVIDENCE_BYTES",
    "MAX_ITEMS_PER_CALL",
    "VICTIM_BANK",
    "CaseInfo",
    "Cases",
    "HashReport",
    "InvitationInfo",
    "ItemInfo",
    "NoticeState",
    "QueueEntry",
    "ReuploadInfo",
    "WithdrawalInfo",
    "record_reupload",
]


class Cases(CaseItems, CaseVideos, CaseInvitations, CaseReview, CaseQueue, CaseWithdrawal):
    """The cases of one database. ``settings`` gives the case key's location and the limits."""

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
        verified: bool = True,
    ) -> tuple[CaseInfo, str]:
        """Opens a case; returns it and its secret, which is never seen again. The public doors
        (the API, the portal) pass ``verified=False`` for a case opened without a solved
        challenge or in a burst from one client (``bouclier.api.intake``): the queue keeps such
        cases behind the others until an analyst looks."""
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
                    verified=bool(verified),
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
                        **({} if verified else {"verified": False}),
                    },
                    at=now,
                )
                if invitation:
                    self._join(session, row, invitation, actor)
                return case_info(session, row), secret
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
            return case_info(session, row)

    def get(self, number: str) -> CaseInfo:
        with self.db.transaction() as session:
            return case_info(session, self._row(session, number))

    def find(self, case_id: int) -> CaseInfo | None:
        """The case with this id (a web session's), or None when it is gone (withdrawn)."""
        with self.db.transaction() as session:
            row = session.get(Case, case_id)
            return case_info(session, row) if row is not None else None

    def notice_states(self, number: str) -> list[NoticeState]:
        """Where each takedown notice of the case stands, oldest first (the victim's page)."""
        with self.db.transaction() as session:
            row = self._row(session, number)
            found = session.scalars(
                select(Notice).where(Notice.case_id == row.id).order_by(Notice.id)
            ).all()
            return [
                NoticeState(
                    n.platform, n.status, n.item_id, n.law, n.sent_at, n.deadline_at, n.answered_at
                )
                for n in found
            ]

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

    def set_email_updates(self, number: str, wanted: bool, *, actor: str = "victim") -> None:
        """The victim's opt-in to email updates (:mod:`bouclier.cases.updates`): only with an
        email address as the case's contact (InputError ``no_email_contact`` otherwise)."""
        with self.db.transaction() as session:
            row = self._row(session, number)
            if wanted and not updates.is_email(self._unsealed_contact(row)):
                raise InputError(
                    "email updates need an email address as the case's contact",
                    code="no_email_contact",
                )
            if row.email_updates != wanted:
                row.email_updates = wanted
                row.updated_at = utcnow()
                custody.append(session, row.id, "case.updates_set", actor, {"email": wanted})

    def email_updates(self, number: str) -> bool:
        with self.db.transaction() as session:
            return bool(self._row(session, number).email_updates)

    def _unsealed_contact(self, row: Case) -> str | None:
        if row.contact is None:
            return None
        key = self._key()
        return sealing.unseal(key, row.contact, purpose="contact", case_number=row.number).decode()

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

    # --- the custody log -------------------------------------------------------------------------

    def custody_log(self, number: str) -> list[custody.Entry]:
        with self.db.transaction() as session:
            return custody.entries(session, self._row(session, number).id)

    def verify(self, number: str) -> custody.Verification:
        return custody.verify(self.custody_log(number))

    def _sealed_field(self, number: str, purpose: str) -> str | None:
        with self.db.transaction() as session:
            row = self._row(session, number)
            sealed = row.contact if purpose == "contact" else row.details
            if sealed is None:
                return None
            key = self._key()
            return sealing.unseal(key, sealed, purpose=purpose, case_number=row.number).decode()

"""Takedown notices of the cases: created, sent, answered, reminded, expired — each event logged.

One class, :class:`Notices`, over the ``notices`` table. A notice is for one URL item of a case,
under one law (:mod:`bouclier.notices.laws`), to one recipient by one channel:

* ``email``: through the SMTP server of the settings (:mod:`bouclier.notices.mail`);
* ``webhook``: a ``takedown.requested`` event to the platform's webhook named by the recipient,
  written to the webhook outbox in the transaction that marks the notice sent;
* ``form``: the platform (or Pharos) takes reports only through a web form; the analyst files
  the rendered notice there, and ``send`` records that it was filed.

Its life::

    draft --send--> sent --answer--> acknowledged --answer--> removed | refused
                      \\---answer--> removed | refused
    sent | acknowledged --sweep, past the deadline--> expired --answer--> removed | refused

The deadline is ``sent_at`` plus the hours of the law when it sets them, else of
``BOUCLIER_NOTICE_DEADLINE_HOURS`` (48 by default); :meth:`Notices.sweep` (run by cron: ``bouclier
notice sweep``) sends one reminder past ``BOUCLIER_NOTICE_REMINDER_AFTER`` of it, and marks the
notice expired past it. Every event is appended to the case's custody log in
the transaction of the change. A send that fails (SMTP down, no webhook) leaves the notice a draft
with the error in ``last_error`` and raises :class:`~bouclier.notices.mail.NoticeNotSent`; the next
send retries. An email is sent before its notice is marked sent: a crash between the two sends it
again on retry, which is better than a notice marked sent that no platform received.
"""

from __future__ import annotations

import builtins
import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bouclier.cases import custody
from bouclier.cases.credentials import canonical_number
from bouclier.cases.links import follow_notices
from bouclier.errors import Conflict, InputError, NotFound
from bouclier.notices import directory
from bouclier.notices.content import Hotline, ImageHash, NoticeData, NoticeFacts, build
from bouclier.notices.info import (
    OPEN,
    TRANSITIONS,
    WAITING,
    NoticeInfo,
    SweepResult,
    info_of,
    iso_or_none,
)
from bouclier.notices.laws import LAWS
from bouclier.notices.mail import NoticeNotSent, send_email
from bouclier.notices.render import render, render_text
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.storage.models import Case, CaseItem, Notice, utc_iso, utcnow
from bouclier.vocabulary import NOTICE_ANSWERS, NOTICE_STATUSES

MAX_NOTE = 2000
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U


def new_reference() -> str:
    """A public reference: ``N-`` and 10 characters (about 49 random bits), easy to read out."""
    return "N-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(10))


class Notices:
    """The takedown notices of one database.

    ``create`` a draft for a URL item of a case, ``data``/``render`` it, ``send`` it,
    ``record_answer`` what the platform said, ``sweep`` deadlines (reminders, expiry),
    ``list``/``get``/``overdue`` to watch them. Errors: NotFound (case, item, notice), Conflict
    (duplicate open notice, a transition not allowed), InputError (bad law, channel, address),
    ConfigError (hotline not configured) and its subclass NoticeNotSent (delivery failed).
    """

    def __init__(self, db: Database, settings: Settings, cases: object | None = None) -> None:
        # ``cases`` (a bouclier.cases.Cases) is accepted for symmetry with the other stores;
        # notices read and log cases in their own transactions
        self.db = db
        self.settings = settings
        self.cases = cases

    # --- creating -------------------------------------------------------------------------------

    def create(
        self,
        case_number: str,
        url_item_id: int,
        law: str,
        channel: str | None = None,
        recipient: str | None = None,
        *,
        actor: str,
        signer: str | None = None,
    ) -> NoticeInfo:
        """A draft notice for a URL of a case under ``law``. Without ``recipient``, the address
        comes from the directory (BOUCLIER_PLATFORMS_FILE; Pharos: its email or its form)."""
        if law not in LAWS:
            raise InputError(f"law is one of {', '.join(LAWS)}", code="invalid_law")
        Hotline.from_settings(self.settings)  # a notice without its notifier is not valid
        with self.db.transaction() as session:
            case = _case(session, case_number)
            if session.get_bind().dialect.name == "postgresql":
                session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
            item = session.scalar(
                select(CaseItem).where(CaseItem.id == url_item_id, CaseItem.case_id == case.id)
            )
            if item is None:
                raise NotFound(
                    f"case {case.number} has no item {url_item_id}", code="item_not_found"
                )
            if item.kind != "url" or not item.url:
                raise InputError("a notice is for a URL item of the case", code="invalid_item")
            platform = item.platform or "unknown"
            if recipient is None:
                found = directory.recipient_for(self.settings, platform, law, channel=channel)
            else:
                chosen = channel or guess_channel(recipient)
                found = directory.validate(chosen, recipient)
            existing = session.scalar(
                select(Notice.reference).where(
                    Notice.item_id == item.id, Notice.law == law, Notice.status.in_(OPEN)
                )
            )
            if existing is not None:
                raise Conflict(
                    f"notice {existing} for this URL under {law} is still open",
                    code="notice_exists",
                )
            reference = new_reference()
            while session.scalar(select(Notice.id).where(Notice.reference == reference)):
                reference = new_reference()
            now = utcnow()
            row = Notice(
                reference=reference,
                case_id=case.id,
                item_id=item.id,
                platform=platform,
                url=item.url,
                law=law,
                channel=found.channel,
                recipient=found.address,
                status="draft",
                created_at=now,
                reminders=0,
                signer=signer or signer_name(actor),
            )
            session.add(row)
            session.flush()
            custody.append(
                session,
                case.id,
                "notice.created",
                actor,
                {
                    "notice": reference,
                    "item": item.id,
                    "law": law,
                    "channel": found.channel,
                    "recipient": found.address,
                },
                at=now,
            )
            return info_of(row, case.number)

    # --- reading --------------------------------------------------------------------------------

    def get(self, reference: str) -> NoticeInfo:
        with self.db.transaction() as session:
            row = _notice(session, reference)
            return info_of(row, _case_number(session, row))

    def data(self, reference: str) -> NoticeData:
        """The notice's content, as it is (or was) sent."""
        with self.db.transaction() as session:
            return self._data(session, _notice(session, reference))

    def render(self, reference: str, fmt: str) -> bytes:
        """The notice as text, html or pdf (bytes; UTF-8 for text and HTML)."""
        return render(self.data(reference), fmt)

    def list(self, case_number: str | None = None, status: str | None = None) -> list[NoticeInfo]:
        """Notices, oldest first; of one case and/or in one status."""
        if status is not None and status not in NOTICE_STATUSES:
            raise InputError(
                f"status is one of {', '.join(NOTICE_STATUSES)}", code="invalid_status"
            )
        with self.db.transaction() as session:
            query = select(Notice, Case.number).join(Case, Case.id == Notice.case_id)
            if case_number is not None:
                query = query.where(Notice.case_id == _case(session, case_number).id)
            if status is not None:
                query = query.where(Notice.status == status)
            rows = session.execute(query.order_by(Notice.created_at, Notice.id)).tuples().all()
            return [info_of(row, number) for row, number in rows]

    def overdue(self, now: datetime | None = None) -> builtins.list[NoticeInfo]:
        """Notices past their deadline with no removal or refusal, oldest deadline first."""
        moment = now or utcnow()
        with self.db.transaction() as session:
            rows = (
                session.execute(
                    select(Notice, Case.number)
                    .join(Case, Case.id == Notice.case_id)
                    .where(
                        or_(
                            Notice.status == "expired",
                            Notice.status.in_(WAITING) & (Notice.deadline_at <= moment),
                        )
                    )
                    .order_by(Notice.deadline_at, Notice.id)
                )
                .tuples()
                .all()
            )
            return [info_of(row, number) for row, number in rows]

    # --- sending --------------------------------------------------------------------------------

    def deadline_hours(self, law: str) -> float:
        """The hours a platform has to answer a notice under ``law``: the law's own, else
        BOUCLIER_NOTICE_DEADLINE_HOURS."""
        own = LAWS[law].deadline_hours
        return own if own is not None else self.settings.notice_deadline_hours

    def send(
        self,
        reference: str,
        *,
        actor: str,
        now: datetime | None = None,
        signer: str | None = None,
    ) -> NoticeInfo:
        """Sends a draft (or records a form notice as filed by the analyst); sets its deadline.

        Delivery failure: the notice stays a draft with ``last_error`` set, and NoticeNotSent is
        raised. Sending a notice that is not a draft is a Conflict."""
        moment = now or utcnow()
        with self.db.transaction() as session:
            row = _notice(session, reference)
            if row.status != "draft":
                raise Conflict(
                    f"notice {row.reference} was already {row.status}", code="notice_sent"
                )
            deadline = moment + timedelta(hours=self.deadline_hours(row.law))
            name = signer or signer_name(actor)
            channel = row.channel
            data = self._data(
                session,
                row,
                sent_at=moment,
                deadline_at=deadline,
                signer=name,
                with_hashes=channel != "webhook",
            )
        try:
            if channel == "email":
                send_email(data, self.settings)
            with self.db.transaction() as session:
                row = _notice(session, reference)
                if row.status != "draft":
                    raise Conflict(
                        f"notice {row.reference} was already {row.status}", code="notice_sent"
                    )
                deliveries = (
                    self._webhook(session, row, data, reminder=False)
                    if channel == "webhook"
                    else []
                )
                row.status = "sent"
                row.sent_at = moment
                row.deadline_at = deadline
                row.signer = name
                row.last_error = None
                event: dict[str, Any] = {
                    "notice": row.reference,
                    "channel": channel,
                    "recipient": row.recipient,
                    "deadline_at": utc_iso(deadline),
                    "text_sha256": hashlib.sha256(render_text(data).encode()).hexdigest(),
                }
                if channel == "form":
                    event["filed_by_hand"] = True
                if deliveries:
                    event["deliveries"] = deliveries
                custody.append(session, row.case_id, "notice.sent", actor, event, at=moment)
                follow_notices(session, row.item_id)
                return info_of(row, _case_number(session, row))
        except NoticeNotSent as exc:
            self._record_error(reference, exc.message)
            raise
        except NotFound as exc:  # no webhook for the platform: a delivery failure too
            if exc.code != "webhook_not_found":
                raise
            self._record_error(reference, exc.message)
            raise NoticeNotSent(f"the notice could not be sent: {exc.message}") from None

    # --- answers, reminders, expiry -----------------------------------------------------------

    def record_answer(
        self, reference: str, status: str, note: str | None = None, *, actor: str
    ) -> NoticeInfo:
        """Records the platform's answer: acknowledged, removed or refused (allowed transitions
        only; anything else is a Conflict)."""
        if status not in NOTICE_ANSWERS:
            raise InputError(
                f"an answer is one of {', '.join(NOTICE_ANSWERS)}", code="invalid_answer"
            )
        if note is not None:
            note = note.strip()[:MAX_NOTE] or None
        with self.db.transaction() as session:
            row = _notice(session, reference)
            if status not in TRANSITIONS.get(row.status, ()):
                raise Conflict(
                    f"notice {row.reference} is {row.status}: it cannot become {status}",
                    code="notice_transition",
                )
            now = utcnow()
            previous = row.status
            row.status = status
            row.answered_at = now
            row.answer = note if note is not None else row.answer
            custody.append(
                session,
                row.case_id,
                "notice.answered",
                actor,
                {"notice": row.reference, "from": previous, "to": status, "note": note},
                at=now,
            )
            follow_notices(session, row.item_id)
            return info_of(row, _case_number(session, row))

    def sweep(self, now: datetime | None = None, *, actor: str = "bouclier:sweep") -> SweepResult:
        """Marks expired the notices past their deadline, then sends one reminder for those past
        BOUCLIER_NOTICE_REMINDER_AFTER of it (a form notice's reminder is for the analyst to
        make: it is logged and listed). Returns what it did; a failed reminder is retried by the
        next sweep."""
        moment = now or utcnow()
        expired: list[str] = []
        with self.db.transaction() as session:
            rows = session.scalars(
                select(Notice)
                .where(Notice.status.in_(WAITING), Notice.deadline_at <= moment)
                .order_by(Notice.deadline_at, Notice.id)
            ).all()
            for row in rows:
                row.status = "expired"
                custody.append(
                    session,
                    row.case_id,
                    "notice.expired",
                    actor,
                    {"notice": row.reference, "deadline_at": iso_or_none(row.deadline_at)},
                    at=moment,
                )
                follow_notices(session, row.item_id)
                expired.append(row.reference)
        with self.db.transaction() as session:
            due = [
                row.reference
                for row in session.scalars(
                    select(Notice)
                    .where(Notice.status.in_(WAITING), Notice.reminders == 0)
                    .order_by(Notice.deadline_at, Notice.id)
                ).all()
                if self._reminder_due(row, moment)
            ]
        reminded: list[str] = []
        failed: list[tuple[str, str]] = []
        for reference in due:
            try:
                self._remind(reference, moment, actor)
            except (NoticeNotSent, NotFound) as exc:
                failed.append((reference, exc.message))
                self._record_error(reference, exc.message)
            else:
                reminded.append(reference)
        return SweepResult(tuple(reminded), tuple(expired), tuple(failed))

    # --- internals ----------------------------------------------------------------------------

    def _reminder_due(self, row: Notice, now: datetime) -> bool:
        if row.sent_at is None or row.deadline_at is None:
            return False
        at = row.sent_at + (row.deadline_at - row.sent_at) * self.settings.notice_reminder_after
        return at <= now < row.deadline_at

    def _remind(self, reference: str, moment: datetime, actor: str) -> None:
        with self.db.transaction() as session:
            row = _notice(session, reference)
            data = self._data(session, row, reminder=True, with_hashes=row.channel != "webhook")
        if row.channel == "email":
            send_email(data, self.settings)
        with self.db.transaction() as session:
            row = _notice(session, reference)
            if row.status not in WAITING or row.reminders:
                return
            deliveries = (
                self._webhook(session, row, data, reminder=True) if row.channel == "webhook" else []
            )
            row.reminders += 1
            row.last_reminder_at = moment
            row.last_error = None
            event: dict[str, Any] = {"notice": row.reference, "channel": row.channel}
            if row.channel == "form":
                event["to_do"] = "remind the platform through its form"
            if deliveries:
                event["deliveries"] = deliveries
            custody.append(session, row.case_id, "notice.reminded", actor, event, at=moment)

    def _webhook(
        self, session: Session, row: Notice, data: NoticeData, *, reminder: bool
    ) -> builtins.list[int]:
        from bouclier.webhooks.outbox import request_takedown

        entries = session.scalars(
            select(CaseItem.bank_entry_id).where(
                CaseItem.case_id == row.case_id,
                CaseItem.bank_entry_id.is_not(None),
                CaseItem.status != "rejected",
            )
        ).all()
        # the hashes themselves reach a platform by the bank's hash.added events; a webhook
        # takedown (built without them) names the bank entries, so a withdrawal leaves no hash
        # in the outbox
        payload = {
            "reference": row.reference,
            "case": data.case_number,
            "law": row.law,
            "url": row.url,
            "platform": row.platform,
            "subject": data.subject,
            "deadline_at": data.deadline_at,
            "bank_entries": [int(e) for e in entries if e is not None],
            "reminder": reminder,
            "text": render_text(data),
        }
        return request_takedown(session, payload, webhook=row.recipient)

    def _record_error(self, reference: str, message: str) -> None:
        with self.db.transaction() as session:
            row = _notice(session, reference)
            row.last_error = message[:2000]

    def _data(
        self,
        session: Session,
        row: Notice,
        *,
        sent_at: datetime | None = None,
        deadline_at: datetime | None = None,
        signer: str | None = None,
        reminder: bool = False,
        with_hashes: bool = True,
    ) -> NoticeData:
        case = session.get(Case, row.case_id)
        assert case is not None  # notices go with their case (ON DELETE CASCADE)
        item = session.get(CaseItem, row.item_id) if row.item_id is not None else None
        hashes = session.execute(
            select(CaseItem.signal_type, CaseItem.value, CaseItem.sha256)
            .where(
                CaseItem.case_id == case.id,
                CaseItem.kind.in_(("hash", "evidence")),
                # what a notice shows: "PDQ ...", a video's "vPDQ (N frames)" and SHA-256
                CaseItem.signal_type.in_(("pdq", "vpdq")),
                CaseItem.status != "rejected",
            )
            .order_by(CaseItem.id)
        ).all()
        facts = NoticeFacts(
            reference=row.reference,
            law=row.law,
            channel=row.channel,
            recipient=row.recipient,
            platform=row.platform,
            url=row.url,
            case_number=case.number,
            minor=case.minor,
            sextortion=case.sextortion,
            first_seen=item.created_at if item is not None else row.created_at,
            created_at=row.created_at,
            deadline_hours=self.deadline_hours(row.law),
            sent_at=sent_at or row.sent_at,
            deadline_at=deadline_at or row.deadline_at,
            signer=signer or row.signer,
            hashes=[_listed(kind, value, sha) for kind, value, sha in hashes]
            if with_hashes
            else [],
            reminder=reminder,
        )
        return build(facts, Hotline.from_settings(self.settings))


def _listed(signal_type: str, value: str | None, sha256: str | None) -> ImageHash:
    """A hash item as a notice lists it: a picture's PDQ, or how many frames of a video."""
    if signal_type == "vpdq":
        from bouclier.signals.vpdq import features_of

        return ImageHash(None, sha256, video_frames=len(features_of(value or "")))
    return ImageHash(value, sha256)


def guess_channel(recipient: str) -> str:
    """The channel an address given without one means: a URL is a web form, an address with
    an ``@`` is an email, anything else names a webhook (``example-org``)."""
    address = recipient.strip()
    if address.startswith(("https://", "http://")):
        return "form"
    return "email" if "@" in address else "webhook"


def signer_name(actor: str) -> str:
    """The name an actor signs with: ``analyst:Marie Dupont`` signs ``Marie Dupont``."""
    return actor.split(":", 1)[1].strip() if actor.startswith("analyst:") else actor.strip()


def _case(session: Session, number: str) -> Case:
    canonical = canonical_number(number) if isinstance(number, str) else None
    row = session.scalar(select(Case).where(Case.number == canonical)) if canonical else None
    if row is None:
        raise NotFound("no such case", code="case_not_found")
    return row


def _case_number(session: Session, row: Notice) -> str:
    return str(session.scalar(select(Case.number).where(Case.id == row.case_id)))


def _notice(session: Session, reference: str) -> Notice:
    value = reference.strip().upper() if isinstance(reference, str) else ""
    row = session.scalar(select(Notice).where(Notice.reference == value)) if value else None
    if row is None:
        raise NotFound(f"no notice {value[:40]!r}", code="notice_not_found")
    return row

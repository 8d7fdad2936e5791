"""Email updates to a victim: "something changed in your case, sign in", and nothing more.

A victim who gave an email address as her contact may ask (an opt-in, off by default) to be told
when something happens in her case. Which events count is :data:`UPDATE_EVENTS` (an analyst's
decision, a notice sent or answered or expired, a re-upload blocked...), and only when someone
other than the victim caused them. :func:`owe` is called by :func:`bouclier.cases.custody.append`
in the transaction of the event itself, so an update is never lost: it is a row of the outbox
``case_updates`` committed with the change, or neither is. Changes coalesce: while an update is
waiting, later changes add nothing (one mail says "something changed").

:class:`CaseMailer` sends the outbox (a background thread of each server process, or
``bouclier case send-updates`` from cron) through the SMTP server of the settings, retrying with
back-off (:data:`BACKOFF`) and marking an update failed after :data:`MAX_ATTEMPTS`. A row is
claimed with a conditional ``UPDATE`` on its ``attempts`` (the fencing token) and a lease, as the
webhook deliverer does, so several processes never send one update twice at once. The mail holds
no case content, not even the case number (a mailbox may be read by the person the victim fears):
only the hotline's name, the portal's address and how to stop the mails. The address is the
case's sealed contact, unsealed at sending time; the outbox holds no address and the process log
names rows by id only.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from bouclier.cases import sealing
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.storage.models import Case, CaseUpdate, utcnow

log = logging.getLogger(__name__)

#: Custody events that owe the victim an update, when someone else caused them.
UPDATE_EVENTS = frozenset(
    {
        "case.status",
        "case.merged",
        "item.confirmed",
        "item.rejected",
        "notice.sent",
        "notice.answered",
        "notice.expired",
        "reupload.blocked",
    }
)
#: The delays before the 2nd, 3rd... attempt to send one update.
BACKOFF = tuple(timedelta(seconds=s) for s in (60, 300, 1800, 7200, 6 * 3600, 12 * 3600))
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = timedelta(minutes=5)
BATCH = 20
MAX_ERROR = 500
#: An address an email can be sent to: one @, a dot in the domain, no spaces or angle brackets.
EMAIL = re.compile(r"[^@\s<>,;\"]{1,64}@[^@\s<>,;\"]{1,253}\.[^@\s<>,;\".]{2,63}")

WORDS: dict[str, dict[str, str]] = {
    "subject": {
        "en": "{hotline}: there is news in your case",
        "es": "{hotline}: hay novedades en su caso",
        "fr": "{hotline} : du nouveau dans votre dossier",
    },
    "body": {
        "en": "Hello,\n\nSomething has changed in your case at {hotline}. For your privacy, this "
        "email says nothing more.\n\nTo see it, sign in with your case number and your secret:"
        "\n{url}\n\nYou asked for these emails. You can stop them on your case page at any time."
        "\n\n{hotline}{contact}\n",
        "es": "Hola:\n\nAlgo ha cambiado en su caso en {hotline}. Por su privacidad, este correo "
        "no dice nada más.\n\nPara verlo, entre con su número de caso y su clave secreta:\n{url}"
        "\n\nUsted pidió estos correos. Puede dejar de recibirlos en la página de su caso cuando "
        "quiera.\n\n{hotline}{contact}\n",
        "fr": "Bonjour,\n\nQuelque chose a changé dans votre dossier chez {hotline}. Pour votre "
        "vie privée, ce courriel n'en dit pas plus.\n\nPour le voir, connectez-vous avec votre "
        "numéro de dossier et votre clé secrète :\n{url}\n\nVous avez demandé ces courriels. "
        "Vous pouvez les arrêter à tout moment sur la page de votre dossier.\n\n{hotline}"
        "{contact}\n",
    },
}


def is_email(text: str | None) -> bool:
    return bool(text) and EMAIL.fullmatch((text or "").strip()) is not None


def owe(session: Session, case_id: int, kind: str, actor: str, at: datetime) -> bool:
    """Records, in the event's transaction, that the case's victim is owed an update (if she
    asked for them and none is already waiting); True when a row was added."""
    if kind not in UPDATE_EVENTS or actor == "victim":
        return False
    if not session.scalar(select(Case.email_updates).where(Case.id == case_id)):
        return False
    waiting = session.scalar(
        select(CaseUpdate.id).where(
            CaseUpdate.case_id == case_id,
            CaseUpdate.sent_at.is_(None),
            CaseUpdate.failed_at.is_(None),
        )
    )
    if waiting is not None:
        return False
    session.add(CaseUpdate(case_id=case_id, created_at=at, next_attempt_at=at, attempts=0))
    return True


def message(settings: Settings, language: str, to: str) -> EmailMessage:
    """The update mail, in the case's language: no case content at all."""
    lang = language if language in WORDS["body"] else "en"
    hotline = settings.hotline_name or "Bouclier"
    contact = "".join(
        f"\n{value}" for value in (settings.hotline_email, settings.hotline_phone) if value
    )
    url = (settings.portal_url or "").rstrip("/") + "/case/login"
    msg = EmailMessage()
    msg["From"] = settings.smtp_from or settings.hotline_email or ""
    msg["To"] = to
    msg["Subject"] = WORDS["subject"][lang].format(hotline=hotline)
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid()
    msg.set_content(WORDS["body"][lang].format(hotline=hotline, url=url, contact=contact))
    return msg


class UpdateNotSent(Exception):
    """Why one attempt failed, coarse: never the address."""


def send(settings: Settings, msg: EmailMessage) -> None:
    if not settings.smtp_host:
        raise UpdateNotSent("no SMTP server configured")
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                password = (
                    settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                )
                smtp.login(settings.smtp_user, password)
            refused = smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise UpdateNotSent(f"SMTP: {type(exc).__name__}") from None
    if refused:
        raise UpdateNotSent("SMTP: recipient refused")


class CaseMailer:
    """Sends the outbox of email updates (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        sender: Callable[[Settings, EmailMessage], None] = send,
    ) -> None:
        self.db = db
        self.settings = settings
        self.sender = sender
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def send_due(self, now: datetime | None = None) -> int:
        """One round: claims the updates due at ``now`` and sends them; returns how many went."""
        moment = now or utcnow()
        sent = 0
        for update_id, attempts in self._due(moment):
            if not self._claim(update_id, attempts, moment):
                continue
            error = self._send_one(update_id)
            self._finish(update_id, attempts + 1, moment, error)
            sent += error is None
        return sent

    def _due(self, now: datetime) -> list[tuple[int, int]]:
        with self.db.transaction() as session:
            query = (
                select(CaseUpdate.id, CaseUpdate.attempts)
                .where(
                    CaseUpdate.sent_at.is_(None),
                    CaseUpdate.failed_at.is_(None),
                    CaseUpdate.next_attempt_at <= now,
                )
                .order_by(CaseUpdate.next_attempt_at, CaseUpdate.id)
                .limit(BATCH)
            )
            if self.db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            return [(int(i), int(a)) for i, a in session.execute(query).tuples().all()]

    def _claim(self, update_id: int, attempts: int, now: datetime) -> bool:
        with self.db.transaction() as session:
            result = cast(
                CursorResult[tuple[()]],
                session.execute(
                    update(CaseUpdate)
                    .where(
                        CaseUpdate.id == update_id,
                        CaseUpdate.attempts == attempts,
                        CaseUpdate.sent_at.is_(None),
                    )
                    .values(attempts=attempts + 1, next_attempt_at=now + LEASE)
                ),
            )
            return result.rowcount == 1

    def _send_one(self, update_id: int) -> str | None:
        """Sends one update; None when sent, else why not (coarse)."""
        with self.db.transaction() as session:
            found = session.execute(
                select(Case.number, Case.language, Case.contact, Case.email_updates)
                .join(CaseUpdate, CaseUpdate.case_id == Case.id)
                .where(CaseUpdate.id == update_id)
            ).first()
        if found is None:
            return "case gone"
        number, language, sealed, wanted = found
        if not wanted:
            return "updates turned off"
        address = None
        if sealed is not None:
            key = sealing.load_case_key(self.settings, create=False)
            if key is not None:
                address = sealing.unseal(
                    key, sealed, purpose="contact", case_number=number
                ).decode()
        if not is_email(address):
            return "no email address"
        assert address is not None
        try:
            self.sender(self.settings, message(self.settings, language, address.strip()))
        except UpdateNotSent as exc:
            return str(exc)[:MAX_ERROR]
        return None

    def _finish(self, update_id: int, attempts: int, now: datetime, error: str | None) -> None:
        final = error in ("case gone", "updates turned off", "no email address")
        values: dict[str, object]
        if error is None:
            values = {"sent_at": now, "last_error": None}
        elif final or attempts >= MAX_ATTEMPTS:
            values = {"failed_at": now, "last_error": error}
        else:
            values = {"next_attempt_at": now + BACKOFF[attempts - 1], "last_error": error}
        with self.db.transaction() as session:
            session.execute(
                update(CaseUpdate)
                .where(CaseUpdate.id == update_id, CaseUpdate.attempts == attempts)
                .values(**values)
            )
        if error is not None:
            log.warning("case update %d not sent (attempt %d): %s", update_id, attempts, error)

    # --- the background thread of a server process -------------------------------------------

    def start(self, interval: float) -> None:
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="bouclier-case-mailer", daemon=True
        )
        self._thread.start()

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.send_due()
            except Exception:  # a database hiccup: the next round tries again
                log.exception("case updates round failed")

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

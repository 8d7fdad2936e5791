"""Web sign-in sessions (table ``web_sessions``): a random token of which only the SHA-256 is kept.

A session has exactly one subject, a case (the victim portal) or an analyst (the console), and
carries its own CSRF token. Its expiry slides with use, written at most once a minute so that a
busy page does not write on every request. Opening a session always makes a new token (no
fixation) and ends the browser's previous one; expired rows are swept then. The cookie that
carries the token, and how long each kind lives, are the web layer's
(:mod:`bouclier.web.sessions`): this store only keeps the rows, so that pages never open a
database transaction themselves.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from bouclier.storage import Database
from bouclier.storage.models import WebSession, utcnow

#: Longer tokens are not looked up (a real one is 43 characters).
MAX_TOKEN = 200
#: The sliding expiry is written only when it would move by more than this.
_SLIDE_STEP = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: int
    case_id: int | None
    analyst_id: int | None
    csrf_token: str
    expires_at: datetime


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class WebSessions:
    """The sign-in sessions of one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def open(
        self,
        idle: timedelta,
        *,
        previous: str | None = None,
        case_id: int | None = None,
        analyst_id: int | None = None,
    ) -> tuple[SessionInfo, str]:
        """Starts a session living ``idle`` without use; ends the one of token ``previous``.
        Returns the session and its token, which is never seen again (only its digest is kept)."""
        token = secrets.token_urlsafe(32)
        now = utcnow()
        with self.db.transaction() as session:
            if previous:
                session.execute(
                    delete(WebSession).where(WebSession.token_sha256 == digest(previous))
                )
            session.execute(delete(WebSession).where(WebSession.expires_at < now))
            row = WebSession(
                token_sha256=digest(token),
                csrf_token=secrets.token_urlsafe(32),
                case_id=case_id,
                analyst_id=analyst_id,
                created_at=now,
                expires_at=now + idle,
            )
            session.add(row)
            session.flush()
            info = SessionInfo(row.id, case_id, analyst_id, row.csrf_token, row.expires_at)
        return info, token

    def current(self, token: str, idle: timedelta, *, subject: str) -> SessionInfo | None:
        """The live session of ``token`` whose subject is a ``subject`` ("case" or "analyst"),
        its expiry moved on to ``idle`` from now; None otherwise (an expired one is deleted)."""
        if not token or len(token) > MAX_TOKEN:
            return None
        now = utcnow()
        with self.db.transaction() as session:
            row = session.scalar(select(WebSession).where(WebSession.token_sha256 == digest(token)))
            if row is None:
                return None
            if row.expires_at <= now:
                session.delete(row)
                return None
            found = row.case_id if subject == "case" else row.analyst_id
            if found is None:
                return None
            if row.expires_at - now < idle - _SLIDE_STEP:
                row.expires_at = now + idle  # sliding, written at most once a minute
            return SessionInfo(row.id, row.case_id, row.analyst_id, row.csrf_token, row.expires_at)

    def end(self, token: str) -> None:
        """Deletes the session of ``token``, if there is one."""
        with self.db.transaction() as session:
            session.execute(delete(WebSession).where(WebSession.token_sha256 == digest(token)))

"""Analysts' accounts for the console: user names, argon2id passwords, disabling.

Passwords are hashed with argon2id at OWASP's minimum parameters (the same as case secrets, see
:mod:`bouclier.cases.credentials`) and never stored or logged in clear. A password is at least
:data:`MIN_PASSWORD` characters and is not the user name. Checking a password costs the same
argon2 work whether the user exists, is disabled or not: an unknown name is checked against a
dummy hash, so timing does not tell which names exist. A hash made with older parameters is
replaced at the next successful login. Accounts are disabled, never deleted: the custody logs
name them (``analyst:<username>``). Limiting repeated failures is the web layer's job
(:mod:`bouclier.web.common`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bouclier.errors import Conflict, InputError, NotFound
from bouclier.storage import Database
from bouclier.storage.models import Analyst, utc_iso, utcnow

MIN_PASSWORD = 12
#: Longer passwords are refused rather than hashed: argon2 reads all of it, on every try.
MAX_PASSWORD = 1024
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")

# OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane), as for case secrets.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_DUMMY = _hasher.hash("bouclier: no such analyst")


@dataclass(frozen=True, slots=True)
class AnalystInfo:
    id: int
    username: str
    created_at: datetime
    disabled_at: datetime | None

    @property
    def actor(self) -> str:
        """How the custody log names this analyst."""
        return f"analyst:{self.username}"

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "username": self.username,
            "created_at": utc_iso(self.created_at),
            "disabled_at": utc_iso(self.disabled_at) if self.disabled_at else None,
        }


def check_username(username: str) -> str:
    """The user name in canonical form (lower case), or InputError ``invalid_username``."""
    value = username.strip().lower() if isinstance(username, str) else ""
    if not USERNAME.fullmatch(value):
        raise InputError(
            "a user name is 2 to 64 characters: letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            code="invalid_username",
        )
    return value


def check_password(username: str, password: str) -> None:
    """Raises InputError (``password_too_short``, ``password_too_long``,
    ``password_is_username``) unless ``password`` may be used by ``username``."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InputError(
            f"a password is at least {MIN_PASSWORD} characters", code="password_too_short"
        )
    if len(password) > MAX_PASSWORD:
        raise InputError(
            f"a password is at most {MAX_PASSWORD} characters", code="password_too_long"
        )
    if password.strip().lower() == username.strip().lower():
        raise InputError("the password cannot be the user name", code="password_is_username")


def _info(row: Analyst) -> AnalystInfo:
    return AnalystInfo(row.id, row.username, row.created_at, row.disabled_at)


class Analysts:
    """The analysts' accounts of one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, username: str, password: str) -> AnalystInfo:
        name = check_username(username)
        check_password(name, password)
        hashed = _hasher.hash(password)
        try:
            with self.db.transaction() as session:
                if session.scalar(select(Analyst.id).where(Analyst.username == name)) is not None:
                    raise Conflict(f"analyst {name!r} exists", code="analyst_exists")
                row = Analyst(username=name, password_hash=hashed, created_at=utcnow())
                session.add(row)
                session.flush()
                return _info(row)
        except IntegrityError:  # created meanwhile by another process
            raise Conflict(f"analyst {name!r} exists", code="analyst_exists") from None

    def authenticate(self, username: str, password: str) -> AnalystInfo | None:
        """The analyst, if the password is theirs and the account is not disabled; None
        otherwise, after the same argon2 work."""
        try:
            name = check_username(username)
        except InputError:
            name = None
        candidate = password[:MAX_PASSWORD] if isinstance(password, str) else ""
        with self.db.transaction() as session:
            row = (
                session.scalar(select(Analyst).where(Analyst.username == name))
                if name is not None
                else None
            )
            stored = row.password_hash if row is not None else _DUMMY
            try:
                _hasher.verify(stored, candidate)
                valid = row is not None
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                valid = False
            if not valid or row is None or row.disabled_at is not None:
                return None
            if _hasher.check_needs_rehash(row.password_hash):
                row.password_hash = _hasher.hash(candidate)
            return _info(row)

    def get(self, analyst_id: int) -> AnalystInfo:
        with self.db.transaction() as session:
            row = session.get(Analyst, analyst_id)
            if row is None:
                raise NotFound(f"no analyst {analyst_id}", code="analyst_not_found")
            return _info(row)

    def disable(self, username: str) -> AnalystInfo:
        """Disables an account: it cannot log in, and its open sessions end (the web layer
        checks ``disabled_at`` on every request). Disabling again changes nothing."""
        name = check_username(username)
        with self.db.transaction() as session:
            row = session.scalar(select(Analyst).where(Analyst.username == name))
            if row is None:
                raise NotFound(f"no analyst {name!r}", code="analyst_not_found")
            if row.disabled_at is None:
                row.disabled_at = utcnow()
            return _info(row)

    def list(self) -> list[AnalystInfo]:
        with self.db.transaction() as session:
            return [
                _info(row) for row in session.scalars(select(Analyst).order_by(Analyst.id)).all()
            ]

"""API keys: made here, shown once, stored only as their SHA-256, looked up by that digest.

A key is ``bk_`` and 43 URL-safe base64 characters (32 random bytes). 32 random bytes cannot be
guessed, so a fast hash is the right one: a slow password hash (argon2) protects low-entropy human
secrets and would only slow every request down here. A request's key is hashed and looked up by its
digest with an index, so no comparison of secret bytes ever happens in Python (nothing to time);
the ``prefix`` (the first characters) is kept so that people can tell their keys apart.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from bouclier.errors import InputError, NotFound
from bouclier.storage import Database
from bouclier.storage.models import API_ROLES, ApiKey, utc_iso, utcnow

KEY_PREFIX = "bk_"
_DISPLAYED = 10  # characters of a key kept for display: "bk_" and 7 random ones
MAX_NAME = 100


@dataclass(frozen=True, slots=True)
class KeyInfo:
    id: int
    name: str
    role: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "prefix": self.prefix,
            "created_at": utc_iso(self.created_at),
            "revoked_at": utc_iso(self.revoked_at) if self.revoked_at else None,
        }


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeyStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, name: str, role: str) -> tuple[KeyInfo, str]:
        """Makes a key; returns its record and the key itself, which is never seen again."""
        if role not in API_ROLES:
            raise InputError(
                f"a key's role is one of {', '.join(API_ROLES)}; got {role!r}", code="invalid_role"
            )
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise InputError(f"a key's name is 1 to {MAX_NAME} characters", code="invalid_name")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self.db.transaction() as session:
            row = ApiKey(
                name=name,
                role=role,
                prefix=key[:_DISPLAYED],
                key_sha256=digest(key),
                created_at=utcnow(),
            )
            session.add(row)
            session.flush()
            return _info(row), key

    def list(self) -> list[KeyInfo]:
        with self.db.transaction() as session:
            return [_info(row) for row in session.scalars(select(ApiKey).order_by(ApiKey.id))]

    def revoke(self, key_id: int) -> KeyInfo:
        """Revokes a key (kept, for the record); revoking twice keeps the first time."""
        with self.db.transaction() as session:
            session.execute(
                update(ApiKey)
                .where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
            row = session.get(ApiKey, key_id)
            if row is None:
                raise NotFound(f"no API key with id {key_id}", code="key_not_found")
            return _info(row)

    def authenticate(self, key: str) -> KeyInfo | None:
        """The live key with this value, or None (unknown, malformed or revoked)."""
        if not key.startswith(KEY_PREFIX) or len(key) > 200:
            return None
        with self.db.transaction() as session:
            row = session.scalar(
                select(ApiKey).where(ApiKey.key_sha256 == digest(key), ApiKey.revoked_at.is_(None))
            )
            return _info(row) if row is not None else None


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(row.id, row.name, row.role, row.prefix, row.created_at, row.revoked_at)

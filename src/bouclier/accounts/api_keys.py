"""API keys: made here, shown once, stored only as their SHA-256, looked up by that digest.

A key is ``bk_`` and 43 URL-safe base64 characters (32 random bytes). 32 random bytes cannot be
guessed, so a fast hash is the right one: a slow password hash (argon2) protects low-entropy human
secrets and would only slow every request down here. A request's key is hashed and looked up by its
digest with an index, so no comparison of secret bytes ever happens in Python (nothing to time);
the ``prefix`` (the first characters) is kept so that people can tell their keys apart.

Each store keeps the keys it has authenticated in memory for :data:`CACHE_SECONDS` (digest →
record), so that a busy service does not read the database on every request. A key revoked through
the same store is refused at once; one revoked elsewhere (``bouclier key revoke``, another worker
process, another machine) is refused by this process within :data:`CACHE_SECONDS`. Only live keys
are kept (an unknown or revoked key is looked up every time), at most :data:`CACHE_SIZE` of them.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from bouclier.errors import InputError, NotFound
from bouclier.storage import Database
from bouclier.storage.models import ApiKey, utc_iso, utcnow
from bouclier.vocabulary import API_ROLES

KEY_PREFIX = "bk_"
_DISPLAYED = 10  # characters of a key kept for display: "bk_" and 7 random ones
MAX_NAME = 100
#: Seconds an authenticated key is remembered: the longest a revocation made elsewhere takes to
#: reach a running service.
CACHE_SECONDS = 5.0
#: Keys remembered at most; past that the memory is emptied and refilled from the database.
CACHE_SIZE = 10_000


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
    def __init__(
        self,
        db: Database,
        *,
        cache_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.cache_seconds = cache_seconds
        self._clock = clock
        self._cache: dict[str, tuple[float, KeyInfo]] = {}  # digest -> (when read, record)
        self._lock = threading.Lock()

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
            info = _info(row)
        with self._lock:
            self._cache = {d: kept for d, kept in self._cache.items() if kept[1].id != key_id}
        return info

    def cached(self, key: str) -> KeyInfo | None:
        """The live key with this value if this store authenticated it less than
        ``cache_seconds`` ago, else None (then ask :meth:`authenticate`); never blocks."""
        if not key.startswith(KEY_PREFIX) or len(key) > 200:
            return None
        kept = self._cache.get(digest(key))
        if kept is None or self._clock() - kept[0] >= self.cache_seconds:
            return None
        return kept[1]

    def authenticate(self, key: str) -> KeyInfo | None:
        """The live key with this value, or None (unknown, malformed or revoked); from memory when
        this store read it less than ``cache_seconds`` ago, else from the database."""
        if not key.startswith(KEY_PREFIX) or len(key) > 200:
            return None
        found = self.cached(key)
        if found is not None:
            return found
        key_digest = digest(key)
        read_at = self._clock()
        with self.db.transaction() as session:
            row = session.scalar(
                select(ApiKey).where(ApiKey.key_sha256 == key_digest, ApiKey.revoked_at.is_(None))
            )
            info = _info(row) if row is not None else None
        if info is not None and self.cache_seconds > 0:
            with self._lock:
                if len(self._cache) >= CACHE_SIZE:
                    self._cache = {}
                self._cache[key_digest] = (read_at, info)
        return info


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(row.id, row.name, row.role, row.prefix, row.created_at, row.revoked_at)

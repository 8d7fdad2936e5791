"""The tables, as SQLAlchemy 2 declarative models. Alembic migrations (``migrations/``) create them.

Hashes are stored in their canonical string form (PDQ as 64 lower-case hex characters) so that a
row reads the same in SQL, in an export and in a StopNCII or HMA file. Face templates are stored
only as AES-GCM ciphertext whose key lives outside the database (``bouclier.likeness``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

#: Who gave consent to an enrolment: the person, a parent, a legal guardian.
CONSENT_RELATIONSHIPS = ("self", "parent", "guardian")

#: The kinds of bank: images of victims to find, and images known to be wrongly matched.
BANK_KINDS = ("victim", "known_false_positive")

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


def utc_iso(moment: datetime) -> str:
    """The one way Bouclier writes a time: ISO 8601 in UTC with a ``Z`` (2026-11-21T07:51:18Z)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite drops the zone: put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: use an aware UTC datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None


class Base(DeclarativeBase):
    pass


class Bank(Base):
    __tablename__ = "banks"
    __table_args__ = (
        CheckConstraint("kind IN ('victim', 'known_false_positive')", name="bank_kind"),
        CheckConstraint("threshold >= 0 AND threshold <= 128", name="bank_threshold"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    threshold: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    entries: Mapped[list[BankEntry]] = relationship(
        back_populates="bank", cascade="all, delete-orphan", passive_deletes=True
    )


class BankEntry(Base):
    __tablename__ = "bank_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"), index=True)
    pdq: Mapped[str] = mapped_column(String(64))
    quality: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    md5: Mapped[str | None] = mapped_column(String(32), nullable=True)
    source: Mapped[str] = mapped_column(String(200), default="")
    case_ref: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    bank: Mapped[Bank] = relationship(back_populates="entries")


#: What a change to a bank did to one entry.
CHANGE_OPS = ("add", "remove")


class HashChange(Base):
    """One entry added to or removed from a bank: the log that processes and platforms follow.

    ``id`` is the cursor. Rows are written in the transaction of the bank write they record (see
    :class:`~bouclier.banks.store.BankStore` for how cursors commit in order on PostgreSQL).
    ``bank_id`` has no foreign key: a deleted bank's removals stay in the log. ``pdq`` is kept for
    removals too, so a platform can drop the hash from its own copy.
    """

    __tablename__ = "hash_changes"
    __table_args__ = (
        CheckConstraint("op IN ('add', 'remove')", name="hash_change_op"),
        Index("ix_hash_changes_bank_id_id", "bank_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, Identity(), primary_key=True)
    bank_id: Mapped[int] = mapped_column(Integer)
    entry_id: Mapped[int] = mapped_column(BigInteger)
    op: Mapped[str] = mapped_column(String(8))
    pdq: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LikenessEnrolment(Base):
    """A person enrolled for likeness protection: a public reference, an optional label and the
    encrypted face template (descriptors of the enrolment photos and their mean)."""

    __tablename__ = "enrolments"
    __table_args__ = (CheckConstraint("photo_count >= 1", name="enrolment_photo_count"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    template: Mapped[bytes] = mapped_column(LargeBinary)
    key_id: Mapped[str] = mapped_column(String(32))
    photo_count: Mapped[int] = mapped_column(Integer)

    # One-way: the consent's own ``relationship`` column would shadow sqlalchemy's function.
    consents: Mapped[list[LikenessConsent]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class LikenessConsent(Base):
    """The consent an enrolment rests on: who gave it, in what capacity, for what purpose."""

    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint(
            "relationship IN ('self', 'parent', 'guardian')", name="consent_relationship"
        ),
        CheckConstraint("NOT minor OR guardian_name IS NOT NULL", name="consent_minor_guardian"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    consented_by: Mapped[str] = mapped_column(String(200))
    relationship: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(Text)
    minor: Mapped[bool] = mapped_column(Boolean)
    guardian_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    consented_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


#: The roles an API key can have; ``admin`` may call every route.
API_ROLES = ("admin", "analyst", "platform", "ai-provider")


class ApiKey(Base):
    """A key of the HTTP API: only its SHA-256 is stored (the key itself is shown once).

    Keys are 32 random bytes, so a fast hash is right here: there is nothing to brute-force that a
    slow hash (argon2, kept for human-chosen secrets) would protect better.
    """

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'analyst', 'platform', 'ai-provider')", name="api_key_role"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    prefix: Mapped[str] = mapped_column(String(16))
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

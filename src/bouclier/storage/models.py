"""The tables, as SQLAlchemy 2 declarative models. Alembic migrations (``migrations/``) create them.

Hashes are stored as ``(signal_type, value)``: the name of a registered signal type
(:mod:`bouclier.signals`) and the value's canonical string form (PDQ as 64 lower-case hex
characters), so that a row reads the same in SQL, in an export and in a StopNCII or HMA file.
Face templates are stored only as AES-GCM ciphertext whose key lives outside the database
(``bouclier.likeness``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from bouclier import vocabulary

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def one_of(column: str, values: Sequence[str]) -> str:
    """The SQL of a CHECK that ``column`` holds a word of a vocabulary (:mod:`bouclier.vocabulary`):
    ``kind IN ('victim', 'known_false_positive')``, as the migrations write it, to the byte."""
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"{column} IN ({quoted})"


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
        CheckConstraint(one_of("kind", vocabulary.BANK_KINDS), name="bank_kind"),
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
    signal_type: Mapped[str] = mapped_column(String(32), server_default="pdq")
    value: Mapped[str] = mapped_column(Text)  # the canonical form of its signal type
    quality: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    md5: Mapped[str | None] = mapped_column(String(32), nullable=True)
    source: Mapped[str] = mapped_column(String(200), default="")
    case_ref: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # False for a hash a case reported until an analyst confirms it: a stranger's claim, which the
    # policy never blocks or escalates on alone (bouclier.policy.decide); operators' are reviewed.
    reviewed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    bank: Mapped[Bank] = relationship(back_populates="entries")


class DeletedBank(Base):
    """A deleted bank's name and kind, kept so that the removals it left in the change log can
    still be told to followers (its ``id`` is the bank's)."""

    __tablename__ = "deleted_banks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    deleted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class HashChange(Base):
    """One entry added to or removed from a bank: the log that processes and platforms follow.

    ``id`` is the cursor. Rows are written in the transaction of the bank write they record (see
    :class:`~bouclier.banks.store.BankStore` for how cursors commit in order on PostgreSQL).
    ``bank_id`` has no foreign key: a deleted bank's removals stay in the log. ``value`` is kept
    for removals too, so a platform can drop the hash from its own copy (a withdrawn case's are
    blanked).
    """

    __tablename__ = "hash_changes"
    __table_args__ = (
        CheckConstraint(one_of("op", vocabulary.CHANGE_OPS), name="hash_change_op"),
        Index("ix_hash_changes_bank_id_id", "bank_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, Identity(), primary_key=True)
    bank_id: Mapped[int] = mapped_column(Integer)
    entry_id: Mapped[int] = mapped_column(BigInteger)
    op: Mapped[str] = mapped_column(String(8))
    signal_type: Mapped[str] = mapped_column(String(32), server_default="pdq")
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class BankPublication(Base):
    """Whom a bank is published to (:mod:`bouclier.banks.sharing`); no row: every platform key.
    ``key_ids`` lists API key ids, comma-separated, for the audience ``keys``."""

    __tablename__ = "bank_publications"
    __table_args__ = (
        CheckConstraint(one_of("audience", vocabulary.BANK_AUDIENCES), name="bank_audience"),
    )

    bank_id: Mapped[int] = mapped_column(
        ForeignKey("banks.id", ondelete="CASCADE"), primary_key=True
    )
    audience: Mapped[str] = mapped_column(String(8))
    key_ids: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class BankFollow(Base):
    """A bank mirrored from another Bouclier (:mod:`bouclier.banks.follower`): where from, the
    cursor reached there, and the fingerprint of the publisher's key that signs its pages."""

    __tablename__ = "bank_follows"
    __table_args__ = (
        UniqueConstraint("source_url", "remote_bank", name="uq_bank_follows_source"),
        UniqueConstraint("bank_id", name="uq_bank_follows_bank"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_url: Mapped[str] = mapped_column(String(500))
    remote_bank: Mapped[str] = mapped_column(String(64))
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    cursor: Mapped[int] = mapped_column(BigInteger)
    key_fingerprint: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    synced_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class FollowedEntry(Base):
    """Which local entry mirrors which entry of the publisher's bank (so that its removal can be
    applied), and whether the publisher said it belongs to a minor's case."""

    __tablename__ = "followed_entries"

    follow_id: Mapped[int] = mapped_column(
        ForeignKey("bank_follows.id", ondelete="CASCADE"), primary_key=True
    )
    remote_entry: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("bank_entries.id", ondelete="CASCADE"), index=True
    )
    minor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


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
    # The case the enrolment belongs to, if any: withdrawing the case deletes it.
    case_ref: Mapped[str | None] = mapped_column(String(24), nullable=True, index=True)

    # One-way: the consent's own ``relationship`` column would shadow sqlalchemy's function.
    consents: Mapped[list[LikenessConsent]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class LikenessConsent(Base):
    """The consent an enrolment rests on: who gave it, in what capacity, for what purpose."""

    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint(
            one_of("relationship", vocabulary.CONSENT_RELATIONSHIPS), name="consent_relationship"
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


class ApiKey(Base):
    """A key of the HTTP API: only its SHA-256 is stored (the key itself is shown once).

    Keys are 32 random bytes, so a fast hash is right here: there is nothing to brute-force that a
    slow hash (argon2, kept for human-chosen secrets) would protect better.
    """

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint(one_of("role", vocabulary.API_ROLES), name="api_key_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    prefix: Mapped[str] = mapped_column(String(16))
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class LimitCounter(Base):
    """The state of one rate limit or back-off key (:mod:`bouclier.limits.database`): ``key`` is
    the SHA-256 of the key, never the case number, name or address itself; times are Unix seconds.
    """

    __tablename__ = "limit_counters"
    __table_args__ = (Index("ix_limit_counters_expires", "expires"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[float] = mapped_column(Float)
    until: Mapped[float] = mapped_column(Float)
    expires: Mapped[float] = mapped_column(Float)


# --- Platforms' side of the service: webhooks and feedback on matches ---------------------------


class WebhookFanout(Base):
    """How far the webhook fan-out has read the bank change log (one row, ``id`` 1): the changes
    after ``cursor`` are still to be turned into deliveries (:mod:`bouclier.webhooks.fanout`)."""

    __tablename__ = "webhook_fanout"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cursor: Mapped[int] = mapped_column(BigInteger)


class Webhook(Base):
    """An endpoint of a platform that Bouclier calls on events, signing each body with HMAC-SHA256.

    The signing secret is shown once at creation and kept here: HMAC needs it in clear to sign.
    """

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[str] = mapped_column(String(200))  # comma-separated vocabulary.WEBHOOK_EVENTS
    secret: Mapped[str] = mapped_column(String(100))
    api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class WebhookDelivery(Base):
    """One event to deliver to one webhook: an outbox row written in the transaction of the event,
    so an acknowledged event is never lost; the deliverer retries it with back-off. A bank write
    is one event, in rows of at most ``outbox.CHANGES_PER_DELIVERY`` changes."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(one_of("status", vocabulary.DELIVERY_STATUSES), name="delivery_status"),
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(40))
    # the bank entry a hash event is about: a withdrawn case's hashes are scrubbed from payloads
    entry_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    # a bank write's changes (hash events): their range in the change log, read when sent
    first_cursor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_cursor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # the JSON body as signed and sent; for a hash event, without the changes (outbox.expand)
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class MatchFeedback(Base):
    """A platform's answer to a match: what it did, on which bank entry, for which image hash."""

    __tablename__ = "match_feedback"
    __table_args__ = (
        CheckConstraint(one_of("action", vocabulary.FEEDBACK_ACTIONS), name="feedback_action"),
        CheckConstraint(one_of("status", vocabulary.FEEDBACK_STATUSES), name="feedback_status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), nullable=True, index=True
    )
    platform: Mapped[str] = mapped_column(String(100))
    bank_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    entry_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    signal_type: Mapped[str] = mapped_column(String(32), server_default="pdq")
    value: Mapped[str] = mapped_column(Text)  # the platform's image, as matched
    action: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


# --- Cases, custody, notices, the analyst console ------------------------------------------------


class Collective(Base):
    """A collective case: the cases of several victims joined with invitation codes
    (:class:`Invitation`). ``invite_sha256`` is the digest of the code the collective was created
    with, kept as its identity; joining reads the invitations, each revocable on its own."""

    __tablename__ = "collectives"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invite_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Invitation(Base):
    """An invitation code into a collective case, stored as its SHA-256 (the code is random and
    long, so a fast hash cannot be brute-forced), with its first characters (``hint``) so that the
    family who made it can tell its codes apart. A code works until it is revoked; making a new
    one never ends the others (other families may still be using them)."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collective_id: Mapped[int] = mapped_column(
        ForeignKey("collectives.id", ondelete="CASCADE"), index=True
    )
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(8))
    created_by_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Case(Base):
    """A victim's case. Anonymous: a public number and a secret (argon2), contact optional and
    sealed (AES-GCM, key outside the database)."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(one_of("status", vocabulary.CASE_STATUSES), name="case_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="en")
    minor: Mapped[bool] = mapped_column(Boolean, default=False)
    sextortion: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    collective_id: Mapped[int | None] = mapped_column(
        ForeignKey("collectives.id", ondelete="SET NULL"), nullable=True, index=True
    )
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), nullable=True
    )
    contact: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # sealed
    details: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # sealed
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # False for a case opened without a solved challenge or in a burst from one client, until an
    # analyst looks at it: the queue puts such cases after the others (bouclier.cases.review).
    verified: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # the analyst who claimed the case, or was assigned it (None: nobody yet). Not a foreign
    # key on purpose: accounts are disabled, never deleted, Cases.assign checks the account, and
    # SQLite can drop a column without copying the table only if no foreign key names it (a
    # copy of ``cases`` would cascade-delete every item: see migration 0011's downgrade)
    assigned_to_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # the victim asked for an email at her contact address when something changes (an opt-in)
    email_updates: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class CaseUpdate(Base):
    """An email owed to a case's contact address: "something changed in your case, sign in"
    (:mod:`bouclier.cases.updates`). Written in the transaction of the change, so none is lost;
    sent by the mailer, retried with back-off; one unsent row per case at most (changes coalesce).
    It holds no address: the sealed contact is read when the mail is sent."""

    __tablename__ = "case_updates"
    __table_args__ = (Index("ix_case_updates_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)


class SpentChallenge(Base):
    """A case-creation challenge already used (its SHA-256), kept until it expires, so that
    each is used once across every process (bouclier.cases.challenge)."""

    __tablename__ = "spent_challenges"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class CaseItem(Base):
    """One item of a case: a hash (PDQ, quality, SHA-256), a URL (with its platform), or the
    record of an evidence file (whose bytes are in :class:`EvidenceFile`)."""

    __tablename__ = "case_items"
    __table_args__ = (
        CheckConstraint(one_of("kind", vocabulary.CASE_ITEM_KINDS), name="case_item_kind"),
        CheckConstraint(one_of("status", vocabulary.CASE_ITEM_STATUSES), name="case_item_status"),
        CheckConstraint(
            one_of("link_status", vocabulary.LINK_STATUSES), name="case_item_link_status"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    signal_type: Mapped[str | None] = mapped_column(String(32), nullable=True)  # of a hash
    value: Mapped[str | None] = mapped_column(Text, nullable=True)
    quality: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    platform: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    bank_entry_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # a URL's standing, following its notices (bouclier.cases.links); "pending" for the others
    link_status: Mapped[str] = mapped_column(
        String(16), default="pending", server_default="pending"
    )


class EvidenceFile(Base):
    """An evidence file a victim chose to upload, sealed with the evidence key (AES-GCM)."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_items.id", ondelete="CASCADE"), nullable=True, index=True
    )
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    key_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Capture(Base):
    """A capture of a case's URL (:mod:`bouclier.capture`): what the page was at a moment, as a
    signed package (WACZ, screenshot, HTML, certificates, timestamps) sealed with the case key."""

    __tablename__ = "captures"
    __table_args__ = (Index("ix_captures_notice", "notice_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_items.id", ondelete="SET NULL"), nullable=True
    )
    notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("notices.id", ondelete="SET NULL"), nullable=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    final_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    reason: Mapped[str] = mapped_column(String(16))  # request, deadline, recheck, removal
    outcome: Mapped[str] = mapped_column(String(16))  # captured, online, changed, gone
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    images: Mapped[str] = mapped_column(Text)  # JSON: SHA-256 of the images seen, for liveness
    matched: Mapped[int] = mapped_column(Integer, default=0)  # images matching a bank
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    key_id: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CustodyEvent(Base):
    """One entry of a case's custody log: append-only, each entry's SHA-256 covering the previous
    one's, so an edited, removed or reordered entry breaks the chain."""

    __tablename__ = "custody_events"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="custody_case_seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(120))
    data: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_sha256: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))


class CaseMatch(Base):
    """A platform's match on one of a case's hashes: "re-upload blocked on PLATFORM at TIME"."""

    __tablename__ = "case_matches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_items.id", ondelete="CASCADE"), nullable=True
    )
    platform: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(16))  # a vocabulary.FEEDBACK_ACTIONS value
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)  # where it was re-posted


class VideoMatch(Base):
    """A platform's upload that matched one of a case's videos by vPDQ (``/v1/match``): both
    shares and which of its frames matched which banked frame (canonical JSON of
    :class:`bouclier.hashing.vpdq.FramePair`), for the analyst and the evidence bundle. One row
    per entry, platform and uploaded file (a repeated upload of one file is not written again)."""

    __tablename__ = "video_matches"
    __table_args__ = (UniqueConstraint("entry_id", "platform", "sha256", name="video_match_once"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_items.id", ondelete="CASCADE"), nullable=True, index=True
    )
    entry_id: Mapped[int] = mapped_column(BigInteger)
    platform: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))  # of the platform's uploaded file
    query_percent: Mapped[float] = mapped_column(Float)
    target_percent: Mapped[float] = mapped_column(Float)
    frames: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Notice(Base):
    """A takedown notice for one URL of a case, under one law, tracked to the platform's answer."""

    __tablename__ = "notices"
    __table_args__ = (
        CheckConstraint(one_of("law", vocabulary.NOTICE_LAWS), name="notice_law"),
        CheckConstraint(one_of("channel", vocabulary.NOTICE_CHANNELS), name="notice_channel"),
        CheckConstraint(one_of("status", vocabulary.NOTICE_STATUSES), name="notice_status"),
        Index("ix_notices_status_deadline", "status", "deadline_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_items.id", ondelete="SET NULL"), nullable=True
    )
    platform: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(2000))
    law: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    deadline_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    last_reminder_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # who signs it (TAKE IT DOWN's "/s/ NAME"), and why the last send failed (None once sent)
    signer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class Withdrawal(Base):
    """The record that a case was withdrawn and what was deleted: it outlives the case and holds
    nothing of it but its number and the counts."""

    __tablename__ = "withdrawals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    items: Mapped[int] = mapped_column(Integer)
    hashes: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[int] = mapped_column(Integer)
    enrolments: Mapped[int] = mapped_column(Integer)


class Analyst(Base):
    """A hotline analyst's account for the console; the password is stored with argon2."""

    __tablename__ = "analysts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class WebSession(Base):
    """A browser session of the portal (a victim's case) or the console (an analyst): only the
    token's SHA-256 is stored; the CSRF token goes in every form of the session."""

    __tablename__ = "web_sessions"
    __table_args__ = (
        CheckConstraint(
            "(analyst_id IS NULL) <> (case_id IS NULL)", name="web_session_one_subject"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    analyst_id: Mapped[int | None] = mapped_column(
        ForeignKey("analysts.id", ondelete="CASCADE"), nullable=True, index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)

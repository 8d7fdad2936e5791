"""The custody log of a case: every event appended to a hash chain.

Each entry's SHA-256 covers the previous entry's SHA-256 and the entry itself, written as
canonical JSON (sorted keys, no spaces, UTF-8)::

    sha256 = SHA-256(prev_sha256 + "\\n" + canonical({"seq", "at", "kind", "actor", "data"}))

The first entry's ``prev_sha256`` is :data:`GENESIS` (64 zeros). An edited entry no longer
matches its hash; a removed or reordered one breaks the sequence or the link to its neighbour;
an entry inserted by someone who recomputes the hashes after it changes the head hash, which the
evidence bundle and the case page show, so it can be compared with a copy kept elsewhere.

Entries are appended only through :func:`append`, in the transaction of the change they record.
On PostgreSQL the case row is locked first, so two writers cannot take the same ``seq``; on SQLite
writers are serialised anyway (and the unique ``(case_id, seq)`` constraint backs both).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bouclier.cases import updates
from bouclier.storage.models import Case, CustodyEvent, utc_iso, utcnow

GENESIS = "0" * 64

#: The kinds of event a case records (a custody log entry of another kind is refused).
EVENT_KINDS = (
    "case.created",
    "case.collective_joined",
    "case.collective_created",
    "case.contact_set",
    "case.updates_set",
    "invitation.created",
    "invitation.revoked",
    "case.status",
    "case.verified",
    "case.merged",
    "case.merged_into",
    "case.assigned",
    "hash.added",
    "url.added",
    "evidence.added",
    "evidence.revealed",
    "case.contact_viewed",
    "item.confirmed",
    "item.rejected",
    "item.removed",
    "notice.created",
    "notice.sent",
    "notice.answered",
    "notice.reminded",
    "notice.expired",
    "reupload.blocked",
    "video.matched",
    "bundle.exported",
    "capture.made",
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a custody log, as stored and as exported (``to_dict`` / ``from_dict``)."""

    seq: int
    at: str  # ISO 8601 UTC, as utc_iso writes it: the exact text that was hashed
    kind: str
    actor: str
    data: Mapping[str, Any]
    prev_sha256: str
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "kind": self.kind,
            "actor": self.actor,
            "data": dict(self.data),
            "prev_sha256": self.prev_sha256,
            "sha256": self.sha256,
        }

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> Entry:
        """An entry read back from an export; KeyError/TypeError/ValueError on a malformed one."""
        data = value["data"]
        if not isinstance(data, dict):
            raise TypeError("data is not an object")
        return cls(
            seq=int(value["seq"]),
            at=str(value["at"]),
            kind=str(value["kind"]),
            actor=str(value["actor"]),
            data=data,
            prev_sha256=str(value["prev_sha256"]),
            sha256=str(value["sha256"]),
        )


def canonical(value: Any) -> bytes:
    """The one serialisation that is hashed: sorted keys, no whitespace, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entry_hash(prev_sha256: str, seq: int, at: str, kind: str, actor: str, data: Any) -> str:
    body = canonical({"seq": seq, "at": at, "kind": kind, "actor": actor, "data": data})
    return hashlib.sha256(prev_sha256.encode("ascii") + b"\n" + body).hexdigest()


def append(
    session: Session,
    case_id: int,
    kind: str,
    actor: str,
    data: Mapping[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> Entry:
    """Appends one event to a case's log, in the caller's transaction."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown custody event kind {kind!r}")
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Case.id).where(Case.id == case_id).with_for_update())
    last = session.execute(
        select(CustodyEvent.seq, CustodyEvent.sha256)
        .where(CustodyEvent.case_id == case_id)
        .order_by(CustodyEvent.seq.desc())
        .limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last is not None else (1, GENESIS)
    moment = at or utcnow()
    stamp = utc_iso(moment)
    payload = dict(data or {})
    digest = entry_hash(prev, seq, stamp, kind, actor, payload)
    session.add(
        CustodyEvent(
            case_id=case_id,
            seq=seq,
            at=moment,
            kind=kind,
            actor=actor,
            data=canonical(payload).decode("utf-8"),
            prev_sha256=prev,
            sha256=digest,
        )
    )
    session.flush()
    updates.owe(session, case_id, kind, actor, moment)  # an email the victim asked for, if any
    return Entry(seq, stamp, kind, actor, payload, prev, digest)


def entries(session: Session, case_id: int) -> list[Entry]:
    """A case's log, in order, as stored (verify it with :func:`verify`)."""
    rows = session.scalars(
        select(CustodyEvent).where(CustodyEvent.case_id == case_id).order_by(CustodyEvent.id)
    ).all()
    return [
        Entry(
            seq=row.seq,
            at=utc_iso(row.at),
            kind=row.kind,
            actor=row.actor,
            data=json.loads(row.data),
            prev_sha256=row.prev_sha256,
            sha256=row.sha256,
        )
        for row in rows
    ]


def count(session: Session, case_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(CustodyEvent).where(CustodyEvent.case_id == case_id)
        )
        or 0
    )


@dataclass(frozen=True, slots=True)
class Verification:
    """The result of checking a log: ``ok``, its length and head hash, and each problem found."""

    ok: bool
    length: int
    head: str
    problems: tuple[str, ...]


def verify(log: Iterable[Entry], *, expected_head: str | None = None) -> Verification:
    """Checks a custody log: each entry's hash, the links between entries, the sequence.

    Every problem is reported (not only the first), each naming the entry's position.
    ``expected_head``, when given (from a bundle's manifest or a printed summary), must be the
    hash of the last entry.
    """
    problems: list[str] = []
    prev = GENESIS
    length = 0
    for position, entry in enumerate(log, start=1):
        length = position
        if entry.seq != position:
            problems.append(f"entry {position}: sequence number is {entry.seq}, not {position}")
        if entry.prev_sha256 != prev:
            problems.append(
                f"entry {position}: does not follow the entry before it "
                "(an entry was removed, inserted or reordered)"
            )
        try:
            recomputed = entry_hash(
                entry.prev_sha256, entry.seq, entry.at, entry.kind, entry.actor, entry.data
            )
        except (ValueError, TypeError, RecursionError):  # NaN, non-ASCII link, too deep
            problems.append(f"entry {position}: malformed, it cannot be hashed")
            prev = entry.sha256
            continue
        if recomputed != entry.sha256:
            problems.append(f"entry {position}: content does not match its hash (edited)")
        prev = entry.sha256
    if expected_head is not None and prev != expected_head:
        problems.append("the last entry is not the one the manifest names (log truncated?)")
    return Verification(not problems, length, prev, tuple(problems))


def to_jsonl(log: Sequence[Entry]) -> bytes:
    """The log as JSON lines, one entry per line, as exported in an evidence bundle."""
    return b"".join(canonical(entry.to_dict()) + b"\n" for entry in log)


def from_jsonl(data: bytes) -> list[Entry]:
    """Reads an exported log; ValueError naming the line of a malformed entry."""
    log: list[Entry] = []
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            log.append(Entry.from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError, OverflowError, RecursionError) as exc:
            raise ValueError(f"custody log line {number} is not a log entry: {exc}") from None
    return log

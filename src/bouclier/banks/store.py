"""Banks of hashes in the database: create, list, fill, empty, delete.

A bank is a named list of hashes of one kind: ``victim`` (images to find: reported by victims,
hotlines or hash lists such as StopNCII's) or ``known_false_positive`` (images that matched a
victim hash but are not that image: a match there overrides the rest). Each bank has its own
match threshold (for PDQ; exact signal types such as SHA-256 match only equal values). An entry is
a ``(signal_type, value)`` pair of a registered signal type (:mod:`bouclier.signals`), PDQ unless
said otherwise. Every write is one transaction: an add or an import is kept whole or not at all.

Every write also records what it did to each entry in the change log (``hash_changes``), in the
same transaction: API processes follow the log to keep their indexes in step, platforms pull it
(:meth:`BankStore.changes`) to keep a local copy of a bank, and the webhook fan-out
(:mod:`bouclier.webhooks.fanout`) turns it into ``hash.added`` / ``hash.removed`` /
``hash.updated`` deliveries. The banks know nothing of their followers. A deleted bank's name and
kind stay in ``deleted_banks``.

**Updates.** What is shared of an entry besides its hash (its review status, its case's minor
flag, its quality: :mod:`bouclier.banks.sharing`) can change after it was added: an analyst
confirms it, a merge makes its case a minor's, a followed publisher says so. Every such write
records an ``update`` of the entry (:meth:`BankStore.log_updates_in`) in its own transaction, with
the entry's hash as an ``add`` has it; a reader of the log then reads the entry's new standing,
as it does for an ``add``. An update changes no hash and no bank: indexes have nothing to do.

**Cursors commit in order.** A change's cursor is its row id, and a reader asks for "everything
after the last cursor I saw". On PostgreSQL ids come from a sequence when a row is inserted, not
when its transaction commits: two concurrent writes could commit ids 7 and then 6, and a reader
that saw 7 would never see 6. So each write takes ``LOCK TABLE hash_changes IN EXCLUSIVE MODE``
just before writing its log rows and holds it to commit: log writers are serialised (reads are
not: EXCLUSIVE admits ACCESS SHARE), a later writer draws its ids only after the earlier one has
committed, and any snapshot that sees a cursor sees every smaller one. The lock is taken after the
write's own row changes, so it is held only for the log insert and the commit. Bank writes are
rare next to matches, and serialising them costs little. SQLite serialises writers by itself.
A removal can also be written in a caller's transaction (:meth:`BankStore.remove_entries_in`, for
a case's withdrawal, which must delete everything of the case or nothing): the same lock is taken
there before its log rows, and held to the caller's commit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bouclier.banks.hashes import BankHashes, BankInfo, Change, SignalRows
from bouclier.errors import Conflict, InputError, NotFound
from bouclier.hashing import digests, pdq
from bouclier.signals import SignalTypes
from bouclier.signals.registry import signal_types as registered
from bouclier.storage import Bank, BankEntry, Database
from bouclier.storage.models import DeletedBank, HashChange, utcnow
from bouclier.vocabulary import BANK_KINDS

if TYPE_CHECKING:
    from bouclier.hashing import ImageHashes

log = logging.getLogger(__name__)

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_SOURCE = 200
MAX_CASE_REF = 64
MAX_NOTE = 2000
_INSERT_BATCH = 5000
#: The most changes one read of the log returns.
MAX_CHANGES = 10_000
#: The largest cursor there can be (a 64-bit id).
MAX_CURSOR = 2**63 - 1


@dataclass(frozen=True, slots=True)
class NewEntry:
    """An entry to add: a value of ``signal_type`` (PDQ by default) and what is known of it;
    :meth:`validated` checks and normalises every field. ``sha256`` and ``md5`` are the image
    file's digests when known beside its PDQ (evidence), not signals that are matched."""

    value: str
    quality: int | None = None
    sha256: str | None = None
    md5: str | None = None
    source: str = ""
    case_ref: str | None = None
    note: str | None = None
    signal_type: str = pdq.NAME
    #: False for a hash a case reported, until an analyst confirms it (the policy then blocks).
    reviewed: bool = True

    def validated(self, signal_types: SignalTypes | None = None) -> NewEntry:
        if self.quality is not None and not (
            isinstance(self.quality, int) and 0 <= self.quality <= 100
        ):
            raise InputError("quality must be an integer from 0 to 100", code="invalid_quality")
        signal_type, value = (signal_types or registered()).validate(self.signal_type, self.value)
        return NewEntry(
            value=value,
            signal_type=signal_type,
            quality=self.quality,
            sha256=digests.validate("sha256", self.sha256) if self.sha256 else None,
            md5=digests.validate("md5", self.md5) if self.md5 else None,
            source=bounded_text("source", self.source or "", MAX_SOURCE) or "",
            case_ref=bounded_text("case_ref", self.case_ref, MAX_CASE_REF) or None,
            note=bounded_text("note", self.note, MAX_NOTE) or None,
            reviewed=bool(self.reviewed),
        )


@dataclass(frozen=True, slots=True)
class EntryRecord:
    id: int
    signal_type: str
    value: str
    quality: int | None
    sha256: str | None
    md5: str | None
    source: str
    case_ref: str | None
    note: str | None
    created_at: datetime
    #: False for a hash a case reported that no analyst has confirmed yet.
    reviewed: bool = True

    @property
    def pdq(self) -> str | None:
        """The value, if the entry is a PDQ hash."""
        return self.value if self.signal_type == pdq.NAME else None


def bounded_text(name: str, value: str | None, limit: int) -> str | None:
    """``value`` stripped, or InputError ``invalid_<name>`` if it is not text or is too long."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{name} must be text", code=f"invalid_{name}")
    value = value.strip()
    if len(value) > limit:
        raise InputError(f"{name} is longer than {limit} characters", code=f"invalid_{name}")
    return value


def validate_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InputError(
            "a bank name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter "
            "or digit",
            code="invalid_bank_name",
        )
    return name


class BankStore:
    def __init__(
        self,
        db: Database,
        *,
        default_threshold: int = pdq.DEFAULT_THRESHOLD,
        signal_types: SignalTypes | None = None,
    ) -> None:
        self.db = db
        self.default_threshold = default_threshold
        self.signal_types = signal_types or registered()

    def create(self, name: str, kind: str, threshold: int | None = None) -> BankInfo:
        validate_name(name)
        if kind not in BANK_KINDS:
            raise InputError(
                f"a bank's kind is one of {', '.join(BANK_KINDS)}; got {kind!r}",
                code="invalid_bank_kind",
            )
        threshold = self.default_threshold if threshold is None else threshold
        if not 0 <= threshold <= 128:
            raise InputError("a PDQ threshold is from 0 to 128", code="invalid_threshold")
        try:
            with self.db.transaction() as session:
                bank = Bank(name=name, kind=kind, threshold=threshold, created_at=utcnow())
                session.add(bank)
                session.flush()
                return _info(bank, 0)
        except IntegrityError:
            raise Conflict(f"a bank named {name!r} already exists", code="bank_exists") from None

    def get(self, name: str) -> BankInfo:
        with self.db.transaction() as session:
            bank = session.scalar(select(Bank).where(Bank.name == name))
            if bank is None:
                raise NotFound(f"no bank named {name!r}", code="bank_not_found")
            size = session.scalar(
                select(func.count()).select_from(BankEntry).where(BankEntry.bank_id == bank.id)
            )
            return _info(bank, size or 0)

    def banks(self) -> list[BankInfo]:
        with self.db.transaction() as session:
            counts = select(BankEntry.bank_id, func.count()).group_by(BankEntry.bank_id)
            sizes: dict[int, int] = dict(session.execute(counts).tuples().all())
            banks = session.scalars(select(Bank).order_by(Bank.name)).all()
            return [_info(bank, sizes.get(bank.id, 0)) for bank in banks]

    def bank_rows(self) -> dict[int, BankInfo]:
        """Every bank by id, without counting entries (``size`` is 0): one read of a small table,
        cheap enough for a matcher to repeat every second to learn of new banks and thresholds."""
        with self.db.transaction() as session:
            return {bank.id: _info(bank, 0) for bank in session.scalars(select(Bank)).all()}

    def delete(self, name: str) -> int:
        """Deletes a bank and all its entries; returns how many entries went with it."""
        bank = self.get(name)
        with self.db.transaction() as session:
            removed = session.execute(
                delete(BankEntry)
                .where(BankEntry.bank_id == bank.id)
                .returning(BankEntry.id, BankEntry.signal_type, BankEntry.value)
            ).all()
            session.execute(delete(Bank).where(Bank.id == bank.id))
            session.merge(DeletedBank(id=bank.id, name=bank.name, kind=bank.kind))
            _log(session, bank.id, "remove", sorted(tuple(row) for row in removed))
        return len(removed)

    def add(self, name: str, entries: Iterable[NewEntry]) -> list[int]:
        """Adds entries in one transaction and returns their ids, in order."""
        bank = self.get(name)
        checked = [entry.validated(self.signal_types) for entry in entries]
        with self.db.transaction() as session:
            return _add(session, bank, checked)

    def add_in(self, session: Session, name: str, entries: Iterable[NewEntry]) -> list[int]:
        """:meth:`add` in the caller's transaction (a follower's page of changes, kept with its
        cursor or not at all); the log's lock is then held until the caller commits."""
        bank = session.scalar(select(Bank).where(Bank.name == name))
        if bank is None:
            raise NotFound(f"no bank named {name!r}", code="bank_not_found")
        checked = [entry.validated(self.signal_types) for entry in entries]
        return _add(session, _info(bank, 0), checked)

    def remove_entries(self, name: str, entry_ids: Sequence[int]) -> int:
        """Removes entries of a bank by id; returns how many existed."""
        bank = self.get(name)
        with self.db.transaction() as session:
            return _remove(session, bank, entry_ids)

    def remove_entries_in(self, session: Session, name: str, entry_ids: Sequence[int]) -> int:
        """:meth:`remove_entries` in the caller's transaction, for a write that must keep or lose
        the removal together with its own changes (a case's withdrawal). The change log rows and
        webhook events are written there, under the log's lock (see the module docstring), which
        the caller then holds until it commits: call this after the caller's other row changes."""
        bank = session.scalar(select(Bank).where(Bank.name == name))
        if bank is None:
            raise NotFound(f"no bank named {name!r}", code="bank_not_found")
        return _remove(session, _info(bank, 0), entry_ids)

    def log_updates_in(self, session: Session, entry_ids: Iterable[int]) -> int:
        """Records an ``update`` of each of these entries still in a bank, in the caller's
        transaction: the write that changed what is shared of them (their review status, their
        case's minor flag, their quality) must commit with it, or followers, webhooks and HMA
        keep the old verdict. Call it after the caller's own row changes (the log's lock is then
        held to the commit, as for :meth:`remove_entries_in`). Returns how many were logged."""
        wanted = sorted(set(entry_ids))
        by_bank: dict[int, list[tuple[int, str, str]]] = {}
        for start in range(0, len(wanted), _INSERT_BATCH):
            rows = session.execute(
                select(BankEntry.bank_id, BankEntry.id, BankEntry.signal_type, BankEntry.value)
                .where(BankEntry.id.in_(wanted[start : start + _INSERT_BATCH]))
                .order_by(BankEntry.id)
            ).tuples()
            for bank_id, entry_id, signal_type, value in rows:
                by_bank.setdefault(bank_id, []).append((entry_id, signal_type, value))
        for bank_id, entries in sorted(by_bank.items()):
            _log(session, bank_id, "update", entries)
        return sum(len(entries) for entries in by_bank.values())

    def changes(
        self, since: int = 0, limit: int = 1000, *, bank: str | None = None
    ) -> list[Change]:
        """The changes after cursor ``since``, oldest first, at most ``limit`` (1 to 10,000);
        of one bank, or of every bank (deleted ones included) if ``bank`` is None."""
        if not 1 <= limit <= MAX_CHANGES:
            raise InputError(f"limit is from 1 to {MAX_CHANGES}", code="invalid_limit")
        if not 0 <= since <= MAX_CURSOR:
            raise InputError(f"a cursor is from 0 to {MAX_CURSOR}", code="invalid_cursor")
        query = select(HashChange).where(HashChange.id > since)
        if bank is not None:
            query = query.where(HashChange.bank_id == self.get(bank).id)
        with self.db.transaction() as session:
            rows = session.scalars(query.order_by(HashChange.id).limit(limit)).all()
            return [
                Change(r.id, r.bank_id, r.op, r.entry_id, r.signal_type, r.value, r.created_at)
                for r in rows
            ]

    def last_cursor(self) -> int:
        """The cursor of the latest change (0 if none): where a reader that has read every
        bank's entries starts following the log."""
        with self.db.transaction() as session:
            return int(session.scalar(select(func.max(HashChange.id))) or 0)

    def entries(self, name: str) -> Iterator[EntryRecord]:
        """Every entry of a bank, oldest first, streamed."""
        bank = self.get(name)
        with self.db.transaction() as session:
            rows = session.execute(
                select(BankEntry)
                .where(BankEntry.bank_id == bank.id)
                .order_by(BankEntry.id)
                .execution_options(yield_per=10_000)
            ).scalars()
            for row in rows:
                yield EntryRecord(
                    id=row.id,
                    signal_type=row.signal_type,
                    value=row.value,
                    quality=row.quality,
                    sha256=row.sha256,
                    md5=row.md5,
                    source=row.source,
                    case_ref=row.case_ref,
                    note=row.note,
                    created_at=row.created_at,
                    reviewed=row.reviewed,
                )

    def hashes(self, names: Sequence[str] | None = None) -> BankHashes:
        """The hashes of the named banks (all banks if None), by signal type, as arrays for the
        indexes. Entries of a signal type this Bouclier does not know are left out (logged)."""
        banks = self.banks() if names is None else [self.get(n) for n in dict.fromkeys(names)]
        by_id = {b.id: b for b in banks}
        columns: dict[str, tuple[list[int], list[int], list[str]]] = {}
        if by_id:
            with self.db.transaction() as session:
                result = session.execute(
                    select(BankEntry.id, BankEntry.bank_id, BankEntry.signal_type, BankEntry.value)
                    .where(BankEntry.bank_id.in_(list(by_id)))
                    .execution_options(yield_per=50_000)
                )
                for entry_id, bank_id, signal_type, value in result:
                    ids, owners, values = columns.setdefault(signal_type, ([], [], []))
                    ids.append(entry_id)
                    owners.append(bank_id)
                    values.append(value)
        signals = {}
        for signal_type, (ids, owners, values) in columns.items():
            if signal_type not in self.signal_types:
                log.warning(
                    "%d entries of unknown signal type %r not indexed", len(ids), signal_type
                )
                continue
            signals[signal_type] = SignalRows(
                entry_ids=np.array(ids, dtype=np.int64),
                bank_ids=np.array(owners, dtype=np.int32),
                rows=self.signal_types.get(signal_type).pack(values).copy(),
            )
        return BankHashes(signals, by_id)


def _add(session: Session, bank: BankInfo, entries: Sequence[NewEntry]) -> list[int]:
    """Inserts validated entries into ``bank`` and logs them, in ``session``'s transaction."""
    now = utcnow()
    rows = [{"bank_id": bank.id, "created_at": now, **_entry_row(entry)} for entry in entries]
    ids: list[int] = []
    for start in range(0, len(rows), _INSERT_BATCH):
        batch = rows[start : start + _INSERT_BATCH]
        result = session.execute(
            insert(BankEntry).returning(BankEntry.id, sort_by_parameter_order=True), batch
        )
        ids.extend(result.scalars().all())
    added = [
        (i, str(row["signal_type"]), str(row["value"])) for i, row in zip(ids, rows, strict=True)
    ]
    _log(session, bank.id, "add", added)
    return ids


def _remove(session: Session, bank: BankInfo, entry_ids: Sequence[int]) -> int:
    """Deletes entries of ``bank`` by id and logs their removal, in ``session``'s transaction;
    returns how many existed."""
    removed = session.execute(
        delete(BankEntry)
        .where(BankEntry.bank_id == bank.id, BankEntry.id.in_(list(entry_ids)))
        .returning(BankEntry.id, BankEntry.signal_type, BankEntry.value)
    ).all()
    _log(session, bank.id, "remove", sorted(tuple(row) for row in removed))
    return len(removed)


def _log(session: Session, bank_id: int, op: str, entries: Sequence[tuple[int, str, str]]) -> None:
    """Writes the change log rows of one write, in its transaction (see the module docstring):
    ``entries`` are (entry id, signal type, value)."""
    if not entries:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE hash_changes IN EXCLUSIVE MODE"))
    now = utcnow()
    rows = [
        {
            "bank_id": bank_id,
            "entry_id": entry_id,
            "op": op,
            "signal_type": signal_type,
            "value": value,
            "created_at": now,
        }
        for entry_id, signal_type, value in entries
    ]
    for start in range(0, len(rows), _INSERT_BATCH):
        session.execute(insert(HashChange), rows[start : start + _INSERT_BATCH])


def _info(bank: Bank, size: int) -> BankInfo:
    return BankInfo(bank.id, bank.name, bank.kind, bank.threshold, bank.created_at, size)


def _entry_row(entry: NewEntry) -> dict[str, object]:
    return {
        "signal_type": entry.signal_type,
        "value": entry.value,
        "quality": entry.quality,
        "sha256": entry.sha256,
        "md5": entry.md5,
        "source": entry.source,
        "case_ref": entry.case_ref,
        "note": entry.note,
        "reviewed": entry.reviewed,
    }


def robust_entries(hashes: ImageHashes, like: NewEntry) -> list[NewEntry]:
    """The on-demand signals (ORB) of an image entering a bank, as entries beside ``like`` (its
    PDQ entry: same source, case and note): only an image, never a hash, brings them. None for
    an image with too few keypoints to match on."""
    from dataclasses import replace

    from bouclier.hashing import on_demand
    from bouclier.signals.orb import KEYPOINTS, MIN_INLIERS

    found = []
    for kind in registered():
        if not on_demand(kind):
            continue
        for fingerprint in hashes.fingerprints_of(kind)[:1]:
            quality = fingerprint.quality or 0
            if kind.name == "orb" and quality * KEYPOINTS < 100 * MIN_INLIERS:
                continue
            found.append(
                replace(like, value=fingerprint.value, signal_type=kind.name, quality=quality)
            )
    return found

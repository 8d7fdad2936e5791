"""The bank matcher of a running process, kept in step with the change log and snapshotted.

The matcher is derived state, built once at start and then kept in step with the banks' change
log (``hash_changes``, written in the same transaction as every bank write): a background thread
reads the log every :data:`FOLLOW_INTERVAL` seconds and applies its adds and removes to the
indexes incrementally, with a cheap re-read of the bank rows (new banks, thresholds); its updates
(an entry's review status or minor flag changed) go to :attr:`LiveMatcher.on_update`, which drops
the entries' cached standing (:meth:`bouclier.cases.matched.MatchedEntries.forget`). Several
processes on one database therefore agree within about a second. A write through this process
also catches up at once (:meth:`LiveMatcher.refresh`), so its own caller reads what it wrote.

A restart is fast thanks to the matcher's snapshot (:mod:`bouclier.banks.snapshot`, one file per
database in the snapshot folder): at start, a snapshot that checks out is loaded and the log
replayed from its cursor; one that does not (damaged, of another database or format, its change
not in the log) is set aside with a warning and the matcher built from the database. Another
background thread writes a new snapshot after start, whenever the log has moved enough, and
:meth:`LiveMatcher.close` writes a last one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bouclier.banks import snapshot as snapshots
from bouclier.banks.matcher import BankMatcher
from bouclier.banks.store import MAX_CHANGES, BankStore
from bouclier.errors import SnapshotError

log = logging.getLogger(__name__)

#: Seconds between two reads of the change log by the background follower.
FOLLOW_INTERVAL = 0.5
#: Seconds between two checks of whether a new matcher snapshot is due.
SNAPSHOT_CHECK_INTERVAL = 5.0


@dataclass(frozen=True)
class SnapshotPolicy:
    """Where snapshots go and when a new one is due."""

    folder: Path
    every_changes: int = 100_000
    every_seconds: float = 300.0


@dataclass
class LiveMatcher:
    store: BankStore
    matcher: BankMatcher
    cursor: int = 0  # the last change of the log the matcher has applied
    source: str = "database"  # where the matcher came from at start: or "snapshot"
    snapshot_path: Path | None = None  # None: an in-memory database, nothing to snapshot
    snapshot_cursor: int = 0  # the cursor of the last snapshot this process loaded or wrote
    policy: SnapshotPolicy | None = None
    _key: bytes = b""
    #: Told the entries of each ``update`` the log brings (their standing changed; no hash did)
    on_update: Callable[[list[int]], None] | None = None
    _refresh: threading.Lock = field(default_factory=threading.Lock)
    _snapshot_writes: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    follower: threading.Thread | None = None
    _snapshotter: threading.Thread | None = None

    @classmethod
    def start(
        cls,
        store: BankStore,
        database_url: str,
        *,
        min_quality: int,
        snapshots_policy: SnapshotPolicy | None = None,
    ) -> LiveMatcher:
        """The matcher from the database's snapshot if one checks out (then the log replayed
        from its cursor), else from every bank entry; blocking. Starts nothing in the background
        (:meth:`follow`, :meth:`keep_snapshots`)."""
        key = snapshots.database_key(database_url) if snapshots_policy is not None else None
        path = None
        if key is not None and snapshots_policy is not None:
            path = snapshots.path_for(snapshots_policy.folder, key)
        loaded = _from_snapshot(store, path, key, min_quality) if path and key else None
        if loaded is None:
            # The cursor is read before the hashes: changes in between are replayed, harmlessly
            # (applying a change is idempotent); read after, some could be missed.
            cursor = store.last_cursor()
            matcher = BankMatcher.from_store(store, min_quality=min_quality)
            live = cls(store, matcher, cursor, policy=snapshots_policy)
        else:
            matcher, cursor, version = loaded
            live = cls(store, matcher, cursor, "snapshot", policy=snapshots_policy)
            # a file of an older format is replaced by one of this format after start
            live.snapshot_cursor = cursor if version == snapshots.VERSION else 0
        live.snapshot_path, live._key = path, key or b""
        if loaded is not None:
            live.refresh()  # the changes made while no process followed the log
        return live

    def refresh(self) -> None:
        """Applies the change log since :attr:`cursor` to the matcher, and the current bank rows;
        blocking. The follower calls it in the background; a route calls it after a write, so the
        next match through this process sees that write."""
        with self._refresh:
            while True:
                changes = self.store.changes(self.cursor, MAX_CHANGES)
                # bank rows after the changes: a bank's row commits before any add to it
                self.matcher.set_banks(self.store.bank_rows())
                if changes:
                    self.matcher.apply(changes)
                    self.cursor = changes[-1].cursor
                    updated = [c.entry for c in changes if c.op == "update"]
                    if updated and self.on_update is not None:
                        self.on_update(updated)
                if len(changes) < MAX_CHANGES:
                    return

    def follow(self, interval: float = FOLLOW_INTERVAL) -> None:
        """Starts the background thread that keeps the matcher in step with the change log."""
        if self.follower is not None:
            return
        self.follower = threading.Thread(
            target=self._follow, args=(interval,), name="bouclier-bank-follower", daemon=True
        )
        self.follower.start()

    def _follow(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.refresh()
            except Exception as exc:  # a database away for a moment: try again next time
                # the type only: a driver's message could quote a statement's parameters
                log.warning("cannot follow the bank change log: %s", type(exc).__name__)

    def write_snapshot(self) -> bool:
        """Writes the matcher's snapshot at its current cursor; blocking (about a second per
        million hashes). False, with a warning, if it could not be written."""
        path, key = self.snapshot_path, self._key
        if path is None:
            return False
        with self._snapshot_writes:
            with self._refresh:  # the arrays and the cursor they reflect, together
                cursor = self.cursor
                signals, indexed = self.matcher.snapshot_parts()
            if cursor <= self.snapshot_cursor:
                return cursor == self.snapshot_cursor
            try:
                found = self.store.changes(cursor - 1, 1)
                if not found or found[0].cursor != cursor:  # never: a change is never deleted
                    return False
                digest = snapshots.change_digest(found[0])
                held = snapshots.MatcherSnapshot(cursor, digest, signals, indexed)
                snapshots.write(path, held, key)
            except Exception as exc:  # a full disk, a database away: the next one may succeed
                log.warning("cannot write the matcher snapshot %s: %s", path, type(exc).__name__)
                return False
            self.snapshot_cursor = cursor
            return True

    def keep_snapshots(self) -> None:
        """Starts the background thread that writes a snapshot when one is due: at once if the
        matcher is ahead of the snapshot on disk (or there is none), then as the log moves."""
        if self._snapshotter is not None or self.snapshot_path is None:
            return
        behind = self.cursor != self.snapshot_cursor  # decided now, not when the thread runs
        self._snapshotter = threading.Thread(
            target=self._keep_snapshots, args=(behind,), name="bouclier-matcher-snapshots"
        )
        self._snapshotter.daemon = True
        self._snapshotter.start()

    def _keep_snapshots(self, behind: bool) -> None:
        policy = self.policy
        assert policy is not None  # a snapshot path is only set with a policy
        if behind:
            self.write_snapshot()
        written = time.monotonic()
        while not self._stop.wait(SNAPSHOT_CHECK_INTERVAL):
            moved = self.cursor - self.snapshot_cursor
            due = moved >= policy.every_changes
            if due or (moved and time.monotonic() - written >= policy.every_seconds):
                self.write_snapshot()
                written = time.monotonic()  # after a failure too: no retry every few seconds

    def close(self) -> None:
        """Stops the threads and writes a last snapshot if the log moved."""
        self._stop.set()
        if self.follower is not None:
            self.follower.join(timeout=30)  # at most one read of the log to finish
            self.follower = None
        if self._snapshotter is not None:
            self._snapshotter.join(timeout=60)  # at most one snapshot being written
            self._snapshotter = None
        if self.cursor != self.snapshot_cursor:
            self.write_snapshot()


def _from_snapshot(
    store: BankStore, path: Path, key: bytes, min_quality: int
) -> tuple[BankMatcher, int, int] | None:
    """The matcher in the snapshot at ``path``, its cursor and its format version, if the
    snapshot is one of this database's log; None (with a warning saying why, never a hash) to
    rebuild from the database. A version-2 file's PDQ tables are built here; a version-3 file's
    are mapped."""
    if not path.exists():
        return None
    try:
        snapshot = snapshots.read(path, key, store.signal_types)
        last = store.last_cursor()
        if snapshot.cursor > last:
            raise SnapshotError(
                f"{path}: taken at change {snapshot.cursor}, past the end of the change log "
                f"({last}): a database restored from a backup?"
            )
        found = store.changes(snapshot.cursor - 1, 1) if snapshot.cursor > 0 else []
        if not found or snapshots.change_digest(found[0]) != snapshot.change:
            raise SnapshotError(
                f"{path}: the change log does not hold the change {snapshot.cursor} it was "
                "taken at: another database under the same address?"
            )
    except SnapshotError as exc:
        log.warning("matcher snapshot not used, rebuilding from the database: %s", exc.message)
        return None
    except OSError as exc:
        log.warning("matcher snapshot %s unreadable (%s), rebuilding", path, exc.strerror)
        return None
    if last - snapshot.cursor > max(len(snapshot), MAX_CHANGES):
        log.info("matcher snapshot %s far behind the change log: rebuilding instead", path)
        return None
    matcher = BankMatcher.from_snapshot(
        snapshot, store.bank_rows(), min_quality=min_quality, signal_types=store.signal_types
    )
    log.info("matcher loaded from snapshot %s at change %d", path, snapshot.cursor)
    return matcher, snapshot.cursor, snapshot.version

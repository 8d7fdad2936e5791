"""What the routes share in one process: the database, the stores, the bank matcher, the analyzer.

Built by the app's lifespan (:meth:`Services.start`, in a worker thread: opening the database runs
its migrations and the matcher reads every bank). The matcher is derived state, built once at
start and then kept in step with the banks' change log (``hash_changes``, written in the same
transaction as every bank write): a background thread reads the log every
:data:`FOLLOW_INTERVAL` seconds and applies its adds and removes to the index incrementally, with a
cheap re-read of the bank rows (new banks, thresholds). Several processes on one database therefore
agree within about a second. A write through this process also catches up at once
(:meth:`Services.refresh_matcher`), so its own caller reads what it wrote.

A restart is fast thanks to the matcher's snapshot (:mod:`bouclier.banks.snapshot`, one file per
database in ``BOUCLIER_SNAPSHOT_DIR``): at start, a snapshot that checks out is loaded and the log
replayed from its cursor; one that does not (damaged, of another database or format, its change
not in the log) is set aside with a warning and the matcher built from the database. Another
background thread writes a new snapshot after start, whenever the log has moved enough
(``BOUCLIER_SNAPSHOT_EVERY_CHANGES``, ``_SECONDS``), and at a clean shutdown.

Models are loaded **at start, in the background**: ``/healthz`` answers at once, ``/readyz`` says
503 until the models are loaded, and ``/v1/analyze`` answers 503 ``models_loading`` meanwhile.
A model that fails to load keeps ``/readyz`` at 503 with its error.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from bouclier.analysis import Analyzer
from bouclier.analysis.pipeline import Likeness
from bouclier.api.keys import ApiKeyStore
from bouclier.banks import snapshot as snapshots
from bouclier.banks.matcher import BankMatcher
from bouclier.banks.store import MAX_CHANGES, BankStore
from bouclier.cases.minors import MinorEntries
from bouclier.detectors.registry import Registry
from bouclier.errors import BouclierError, ModelUnavailable, SnapshotError
from bouclier.guard import Guard
from bouclier.media import Limits
from bouclier.policy import Policy
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.webhooks.deliverer import Deliverer

log = logging.getLogger(__name__)

#: Seconds between two reads of the change log by the background follower.
FOLLOW_INTERVAL = 0.5
#: Seconds between two checks of whether a new matcher snapshot is due.
SNAPSHOT_CHECK_INTERVAL = 5.0


@dataclass
class Services:
    settings: Settings
    db: Database
    store: BankStore
    keys: ApiKeyStore
    analyzer: Analyzer
    guard: Guard
    models_ready: threading.Event = field(default_factory=threading.Event)
    models_error: BouclierError | None = None
    cursor: int = 0  # the last change of the log the matcher has applied
    _refresh: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _follower: threading.Thread | None = None
    snapshot_path: Path | None = None  # None: an in-memory database, nothing to snapshot
    snapshot_cursor: int = 0  # the cursor of the last snapshot this process loaded or wrote
    matcher_source: str = "database"  # where the matcher came from at start: or "snapshot"
    _snapshot_key: bytes = b""
    _snapshot_writes: threading.Lock = field(default_factory=threading.Lock)
    _snapshotter: threading.Thread | None = None
    deliverer: Deliverer | None = None  # sends the webhook outbox (bouclier.webhooks.deliverer)
    minors: MinorEntries | None = None  # which matched entries are a minor's (the policy)

    @classmethod
    def start(cls, settings: Settings, detectors: Registry) -> Services:
        """Opens (and migrates) the database, builds the bank index and starts following the
        change log; blocking. ``detectors`` serve the analyzer and the guard (production's come
        from ``bouclier.detectors.catalog``; tests pass fakes)."""
        db = Database.open(settings.resolved_database_url)
        try:
            store = BankStore(db, default_threshold=settings.default_threshold)
            key = snapshots.database_key(settings.resolved_database_url)
            path = None if key is None else snapshots.path_for(settings.resolved_snapshot_dir, key)
            loaded = None
            if key is not None and path is not None:
                loaded = _matcher_from_snapshot(store, path, key, settings.pdq_min_quality)
            if loaded is not None:
                matcher, cursor = loaded
            else:
                # The cursor is read before the hashes: changes in between are replayed,
                # harmlessly (applying a change is idempotent); read after, some could be missed.
                cursor = store.last_cursor()
                matcher = BankMatcher.from_store(store, min_quality=settings.pdq_min_quality)
            analyzer = Analyzer(
                matcher=matcher,
                detectors=detectors,
                likeness=Likeness.from_database(db, settings, detectors),
                policy=Policy.from_settings(settings),
                limits=Limits.from_settings(settings),
                min_side=settings.pdq_min_side or None,
            )
        except BaseException:
            db.dispose()
            raise
        guard = Guard(detectors, policy=analyzer.policy)  # the same models and thresholds
        services = cls(settings, db, store, ApiKeyStore(db), analyzer, guard, cursor=cursor)
        services.minors = MinorEntries(db)
        services.snapshot_path, services._snapshot_key = path, key or b""
        if loaded is not None:
            services.snapshot_cursor, services.matcher_source = cursor, "snapshot"
            try:  # the changes made while no process followed the log, before the first match
                services.refresh_matcher()
            except BaseException:
                services.close()
                raise
        services.follow()
        services.keep_snapshots()
        services.deliverer = Deliverer(db)
        services.deliverer.start()
        return services

    @property
    def limits(self) -> Limits:
        return self.analyzer.limits

    @property
    def matcher(self) -> BankMatcher:
        return self.analyzer.matcher

    def load_models(self) -> None:
        """Loads the analyzer's models; blocking, run in a worker thread."""
        try:
            self.analyzer.load()
        except BouclierError as exc:
            self.models_error = exc
            log.error("models failed to load: %s [%s]", exc.message, exc.code)
        else:
            self.models_ready.set()

    def check_models(self) -> None:
        """Raises ModelUnavailable (HTTP 503) unless the models are loaded."""
        if self.models_error is not None:
            raise ModelUnavailable(self.models_error.message, code=self.models_error.code)
        if not self.models_ready.is_set():
            raise ModelUnavailable("the models are still loading", code="models_loading")

    def refresh_matcher(self) -> None:
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
                if len(changes) < MAX_CHANGES:
                    return

    def follow(self, interval: float = FOLLOW_INTERVAL) -> None:
        """Starts the background thread that keeps the matcher in step with the change log."""
        if self._follower is not None:
            return
        self._follower = threading.Thread(
            target=self._follow, args=(interval,), name="bouclier-bank-follower", daemon=True
        )
        self._follower.start()

    def _follow(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.refresh_matcher()
            except Exception as exc:  # a database away for a moment: try again next time
                # the type only: a driver's message could quote a statement's parameters
                log.warning("cannot follow the bank change log: %s", type(exc).__name__)

    def write_snapshot(self) -> bool:
        """Writes the matcher's snapshot at its current cursor; blocking (about a second per
        million hashes). False, with a warning, if it could not be written."""
        path, key = self.snapshot_path, self._snapshot_key
        if path is None:
            return False
        with self._snapshot_writes:
            with self._refresh:  # the arrays and the cursor they reflect, together
                cursor = self.cursor
                entry_ids, bank_ids, hashes = self.matcher.snapshot_arrays()
            if cursor <= self.snapshot_cursor:
                return cursor == self.snapshot_cursor
            try:
                found = self.store.changes(cursor - 1, 1)
                if not found or found[0].cursor != cursor:  # never: a change is never deleted
                    return False
                digest = snapshots.change_digest(found[0])
                snapshot = snapshots.MatcherSnapshot(cursor, digest, entry_ids, bank_ids, hashes)
                snapshots.write(path, snapshot, key)
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
        every_changes = self.settings.snapshot_every_changes
        every_seconds = self.settings.snapshot_every_seconds
        if behind:
            self.write_snapshot()
        written = time.monotonic()
        while not self._stop.wait(SNAPSHOT_CHECK_INTERVAL):
            moved = self.cursor - self.snapshot_cursor
            if moved >= every_changes or (moved and time.monotonic() - written >= every_seconds):
                self.write_snapshot()
                written = time.monotonic()  # after a failure too: no retry every few seconds

    def database_reachable(self) -> bool:
        try:
            with self.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # any driver error means "not ready", which is what /readyz says
            return False
        return True

    def close(self) -> None:
        """Stops the follower, writes a last snapshot if the log moved, closes the database."""
        self._stop.set()
        if self._follower is not None:
            self._follower.join(timeout=30)  # at most one read of the log to finish
            self._follower = None
        if self._snapshotter is not None:
            self._snapshotter.join(timeout=60)  # at most one snapshot being written
            self._snapshotter = None
        if self.cursor != self.snapshot_cursor:
            self.write_snapshot()
        if self.deliverer is not None:
            self.deliverer.close()  # after the request in flight, if any
        self.db.dispose()


def _matcher_from_snapshot(
    store: BankStore, path: Path, key: bytes, min_quality: int
) -> tuple[BankMatcher, int] | None:
    """The matcher in the snapshot at ``path`` and its cursor, if the snapshot is one of this
    database's log; None (with a warning saying why, never a hash) to rebuild from the database."""
    if not path.exists():
        return None
    try:
        snapshot = snapshots.read(path, key)
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
    matcher = BankMatcher.from_snapshot(snapshot, store.bank_rows(), min_quality=min_quality)
    log.info("matcher loaded from snapshot %s at change %d", path, snapshot.cursor)
    return matcher, snapshot.cursor

"""What the routes share in one process: the database, the stores, the bank matcher, the analyzer.

Built by the app's lifespan (:meth:`Services.start`, in a worker thread: opening the database runs
its migrations and the matcher reads every bank). The matcher is derived state, built once at
start and then kept in step with the banks' change log (``hash_changes``, written in the same
transaction as every bank write): a background thread reads the log every
:data:`FOLLOW_INTERVAL` seconds and applies its adds and removes to the index incrementally, with a
cheap re-read of the bank rows (new banks, thresholds). Several processes on one database therefore
agree within about a second. A write through this process also catches up at once
(:meth:`Services.refresh_matcher`), so its own caller reads what it wrote.

Models are loaded **at start, in the background**: ``/healthz`` answers at once, ``/readyz`` says
503 until the models are loaded, and ``/v1/analyze`` answers 503 ``models_loading`` meanwhile.
A model that fails to load keeps ``/readyz`` at 503 with its error.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy import text

from bouclier.analysis import Analyzer
from bouclier.analysis.pipeline import Likeness
from bouclier.api.keys import ApiKeyStore
from bouclier.banks.matcher import BankMatcher
from bouclier.banks.store import MAX_CHANGES, BankStore
from bouclier.detectors.base import Detector
from bouclier.errors import BouclierError, ModelUnavailable
from bouclier.guard import Guard
from bouclier.guard.guard import FaceModel
from bouclier.media import Limits
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.webhooks.deliverer import Deliverer

log = logging.getLogger(__name__)

#: Seconds between two reads of the change log by the background follower.
FOLLOW_INTERVAL = 0.5


@dataclass
class Detectors:
    """The detectors the analyzer uses; tests pass fakes, the service the real ones."""

    nudity: Detector
    provenance: Detector
    faces: FaceModel | None = None  # the guard's face model; None: dlib's, built when first used

    @classmethod
    def real(cls) -> Detectors:
        from bouclier.detectors.nudity import NudityDetector
        from bouclier.detectors.provenance import ProvenanceDetector

        return cls(nudity=NudityDetector(), provenance=ProvenanceDetector())


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
    deliverer: Deliverer | None = None  # sends the webhook outbox (bouclier.webhooks.deliverer)

    @classmethod
    def start(cls, settings: Settings, detectors: Detectors) -> Services:
        """Opens (and migrates) the database, builds the bank index and starts following the
        change log; blocking."""
        db = Database.open(settings.resolved_database_url)
        try:
            store = BankStore(db, default_threshold=settings.default_threshold)
            # The cursor is read before the hashes: changes in between are replayed, harmlessly
            # (applying a change is idempotent); read after, some could be missed.
            cursor = store.last_cursor()
            analyzer = Analyzer(
                matcher=BankMatcher.from_store(store, min_quality=settings.pdq_min_quality),
                nudity=detectors.nudity,
                provenance=detectors.provenance,
                likeness=Likeness.from_database(db, settings),
                limits=Limits.from_settings(settings),
                min_side=settings.pdq_min_side or None,
            )
        except BaseException:
            db.dispose()
            raise
        guard = Guard(nudity=detectors.nudity, faces=detectors.faces)  # shares the nudity model
        services = cls(settings, db, store, ApiKeyStore(db), analyzer, guard, cursor=cursor)
        services.follow()
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

    def database_reachable(self) -> bool:
        try:
            with self.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # any driver error means "not ready", which is what /readyz says
            return False
        return True

    def close(self) -> None:
        """Stops the follower, then closes the database."""
        self._stop.set()
        if self._follower is not None:
            self._follower.join(timeout=30)  # at most one read of the log to finish
            self._follower = None
        if self.deliverer is not None:
            self.deliverer.close()  # after the request in flight, if any
        self.db.dispose()

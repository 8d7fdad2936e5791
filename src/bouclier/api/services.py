"""What the routes share in one process: the database, the stores, the bank matcher, the analyzer.

Built by the app's lifespan (:meth:`Services.start`, in a worker thread: opening the database runs
its migrations and the matcher reads every bank). The matcher is derived state: after each write
to a bank through the API, :meth:`refresh_matcher` rebuilds it from the database and swaps it in
whole, so a request sees either the old index or the new one, never half of each. (Rebuilding costs
a read of every hash: the incremental, multi-process change log is a later step; until then, run
one worker process when banks are edited through the API.)

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
from bouclier.banks.store import BankStore
from bouclier.detectors.base import Detector
from bouclier.errors import BouclierError, ModelUnavailable
from bouclier.guard import Guard
from bouclier.guard.guard import FaceModel
from bouclier.media import Limits
from bouclier.settings import Settings
from bouclier.storage import Database

log = logging.getLogger(__name__)


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
    _refresh: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def start(cls, settings: Settings, detectors: Detectors) -> Services:
        """Opens (and migrates) the database and builds the bank index; blocking."""
        db = Database.open(settings.resolved_database_url)
        try:
            store = BankStore(db, default_threshold=settings.default_threshold)
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
        return cls(settings, db, store, ApiKeyStore(db), analyzer, guard)

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
        """Rebuilds the bank index from the database after a write; blocking."""
        with self._refresh:
            matcher = BankMatcher.from_store(self.store, min_quality=self.settings.pdq_min_quality)
            self.analyzer.matcher = matcher

    def database_reachable(self) -> bool:
        try:
            with self.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # any driver error means "not ready", which is what /readyz says
            return False
        return True

    def close(self) -> None:
        self.db.dispose()

"""What the routes share in one process: the database, the stores, the bank matcher, the analyzer.

Built by the app's lifespan (:meth:`Services.start`, in a worker thread: opening the database runs
its migrations and the matcher reads every bank, or its snapshot). The matcher is kept in step with
the banks' change log and snapshotted by :class:`~bouclier.banks.live.LiveMatcher`; a write through
this process catches up at once (:meth:`Services.refresh_matcher`), so its own caller reads what it
wrote.

Models are loaded **at start, in the background**: ``/healthz`` answers at once, ``/readyz`` says
503 until the models are loaded, and ``/v1/analyze`` answers 503 ``models_loading`` meanwhile.
A model that fails to load keeps ``/readyz`` at 503 with its error.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from bouclier.accounts.api_keys import ApiKeyStore
from bouclier.analysis import Analyzer
from bouclier.analysis.pipeline import Likeness
from bouclier.api.intake import CaseIntake
from bouclier.banks.live import LiveMatcher, SnapshotPolicy
from bouclier.banks.matcher import BankMatcher
from bouclier.banks.notices import ChangeNotifier
from bouclier.banks.store import BankStore
from bouclier.cases.matched import MatchedEntries
from bouclier.cases.updates import CaseMailer
from bouclier.detectors.registry import Registry
from bouclier.errors import BouclierError, ModelUnavailable
from bouclier.guard import Guard
from bouclier.guard.guard import requests_from_settings
from bouclier.guard.stages import TwoStageGuard
from bouclier.media import Limits
from bouclier.policy import Policy
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.webhooks.deliverer import Deliverer
from bouclier.webhooks.destinations import Destinations

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    store: BankStore
    keys: ApiKeyStore
    analyzer: Analyzer
    guard: Guard
    live: LiveMatcher
    models_ready: threading.Event = field(default_factory=threading.Event)
    models_error: BouclierError | None = None
    deliverer: Deliverer | None = None  # sends the webhook outbox (bouclier.webhooks.deliverer)
    # the matched entries' standing (reviewed, a minor's case), looked up at answer time
    matched: MatchedEntries | None = None
    intake: CaseIntake | None = None  # the door of public case creation (challenge, limits)
    mailer: CaseMailer | None = None  # sends victims' email updates (bouclier.cases.updates)
    # announces change-log moves over NATS (BOUCLIER_NATS_URL; bouclier.banks.notices)
    notifier: ChangeNotifier | None = None

    @classmethod
    def start(cls, settings: Settings, detectors: Registry) -> Services:
        """Opens (and migrates) the database, builds the bank index and starts following the
        change log; blocking. ``detectors`` serve the analyzer and the guard (production's come
        from ``bouclier.detectors.catalog``; tests pass fakes). Sets OpenCV's pool for the whole
        process (BOUCLIER_OPENCV_THREADS)."""
        import cv2

        cv2.setNumThreads(settings.opencv_threads)
        db = Database.open(settings.resolved_database_url)
        try:
            store = BankStore(db, default_threshold=settings.default_threshold)
            live = LiveMatcher.start(
                store,
                settings.resolved_database_url,
                min_quality=settings.pdq_min_quality,
                snapshots_policy=SnapshotPolicy(
                    settings.resolved_snapshot_dir,
                    settings.snapshot_every_changes,
                    settings.snapshot_every_seconds,
                ),
            )
            matched = MatchedEntries(db)
            analyzer = Analyzer(
                matcher=live.matcher,
                entries=matched,
                detectors=detectors,
                likeness=Likeness.from_database(db, settings, detectors),
                policy=Policy.from_settings(settings),
                limits=Limits.from_settings(settings),
                min_side=settings.pdq_min_side or None,
                framing=settings.framing,
            )
        except BaseException:
            db.dispose()
            raise
        # the same models and thresholds as the analysis
        guard = Guard(detectors, policy=analyzer.policy, requests=requests_from_settings(settings))
        services = cls(settings, db, store, ApiKeyStore(db), analyzer, guard, live)
        services.matched = matched
        live.on_update = matched.forget  # an entry's standing changed: read it again
        services.intake = CaseIntake.from_settings(db, settings)
        live.follow()
        live.keep_snapshots()
        services.deliverer = Deliverer(
            db, destinations=Destinations.allowing(settings.webhook_allowed)
        )
        services.deliverer.start()
        if settings.smtp_host and settings.case_updates_every_seconds > 0:
            services.mailer = CaseMailer(db, settings)
            services.mailer.start(settings.case_updates_every_seconds)
        if settings.nats_url:
            notifier = ChangeNotifier(
                store, settings.nats_url, settings.nats_subject, settings.nats_notice_seconds
            )
            try:
                notifier.start()
            except Exception as exc:  # notices are a speed-up; followers still poll
                log.warning("no NATS change notices: %s", type(exc).__name__)
            else:
                services.notifier = notifier
        return services

    # the live matcher's state, as the routes and tests read it
    @property
    def cursor(self) -> int:
        return self.live.cursor

    @property
    def snapshot_cursor(self) -> int:
        return self.live.snapshot_cursor

    @property
    def snapshot_path(self) -> Path | None:
        return self.live.snapshot_path

    @property
    def matcher_source(self) -> str:
        return self.live.source

    def refresh_matcher(self) -> None:
        """Applies the change log to the matcher now (see :meth:`LiveMatcher.refresh`)."""
        self.live.refresh()

    def write_snapshot(self) -> bool:
        return self.live.write_snapshot()

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
            if isinstance(self.guard.requests, TwoStageGuard):
                self.guard.requests.load()
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

    def database_reachable(self) -> bool:
        try:
            with self.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # any driver error means "not ready", which is what /readyz says
            return False
        return True

    def close(self) -> None:
        """Stops the follower, writes a last snapshot if the log moved, closes the database."""
        self.live.close()
        if self.notifier is not None:
            self.notifier.close()
        if self.deliverer is not None:
            self.deliverer.close()  # after the request in flight, if any
        if self.mailer is not None:
            self.mailer.close()
        self.db.dispose()

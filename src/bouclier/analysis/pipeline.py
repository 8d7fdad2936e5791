"""The analysis pipeline: decode once, fingerprint, match, detect, decide (../shared/DESIGN.md).

An :class:`Analyzer` holds what is expensive to build (the bank index, the models, the enrolled
templates) and analyses one image at a time; a scan builds one per worker process. It takes its
detectors as a :class:`~bouclier.detectors.registry.Registry` (production's is built by
``bouclier.detectors.catalog`` from ``BOUCLIER_DETECTORS``) and runs them in this order:

1. ``nudity`` (required): whether the image is sexual or revealing
   (:func:`bouclier.policy.exposure.exposure`, with the policy's thresholds) decides the next step;
2. ``faces``, only through the likeness stage, and only when the image is sexual or revealing
   and someone is enrolled: Bouclier is not a general face search, so a face is not even looked
   for otherwise;
3. every other detector of the registry, in its order (``provenance`` by default), each timed
   under its name; their signals go to the result and to the policy.
"""

from __future__ import annotations

import functools
import io
import os
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from PIL import Image

from bouclier.analysis.result import Analysis
from bouclier.banks.matcher import BankMatcher, Match
from bouclier.banks.store import BankStore
from bouclier.cases.matched import MatchedEntries
from bouclier.detectors.base import Detector, Sample, Signal
from bouclier.detectors.catalog import CATALOG
from bouclier.detectors.faces import DETECTOR as FACES
from bouclier.detectors.faces import FaceDescriber, describer
from bouclier.detectors.nudity import DETECTOR as NUDITY
from bouclier.detectors.nudity import face_boxes
from bouclier.detectors.registry import Registry
from bouclier.hashing import hash_decoded
from bouclier.likeness import Enrolments, LikenessIndex
from bouclier.media import Limits, decode
from bouclier.media.files import read_file
from bouclier.policy import CaseFlags, Policy, decide, exposure
from bouclier.policy.decide import ENROLLED
from bouclier.settings import Settings
from bouclier.storage import Database

T = TypeVar("T")
THUMBNAIL_SIDE = 192


class Analyzer:
    def __init__(
        self,
        *,
        matcher: BankMatcher,
        detectors: Registry,
        likeness: Likeness | None = None,
        policy: Policy | None = None,
        limits: Limits | None = None,
        min_side: int | None = 512,
        entries: MatchedEntries | None = None,
        framing: bool = True,
    ) -> None:
        """``detectors`` must hold ``nudity`` (ConfigError otherwise); ``faces`` runs only in
        ``likeness``; the others run after them (see the module docstring). ``entries`` says
        whether the matched entries were reviewed and are a minor's (the database's answer);
        without it every match counts as unreviewed."""
        self.matcher = matcher
        self.entries = entries
        self.detectors = detectors
        self.nudity = detectors.require(NUDITY)
        self.others: tuple[Detector, ...] = tuple(
            d for d in detectors if d.name not in (NUDITY, FACES)
        )
        self.likeness = likeness
        self.policy = policy or Policy()
        self.limits = limits or Limits()
        self.min_side = min_side
        self.framing = framing

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        banks: list[str] | None = None,
        policy: Policy | None = None,
        detectors: Registry | None = None,
    ) -> Analyzer:
        """The whole pipeline as configured: banks from the database, the detectors that
        ``BOUCLIER_DETECTORS`` names (unless given), the policy of ``BOUCLIER_POLICY_FILE``
        (unless given)."""
        detectors = detectors if detectors is not None else CATALOG.build(settings)
        db = Database.open(settings.resolved_database_url)
        try:
            store = BankStore(db, default_threshold=settings.default_threshold)
            matcher = BankMatcher.from_store(store, banks, min_quality=settings.pdq_min_quality)
            likeness = Likeness.from_database(db, settings, detectors)
        finally:
            db.dispose()
        # the matched entries' standing is read when a match is found (rare): a connection pool
        # of its own, opened lazily by SQLAlchemy at the first such match
        entries = MatchedEntries(Database(settings.resolved_database_url))
        return cls(
            entries=entries,
            matcher=matcher,
            detectors=detectors,
            likeness=likeness,
            policy=policy or Policy.from_settings(settings),
            limits=Limits.from_settings(settings),
            min_side=settings.pdq_min_side or None,
            framing=settings.framing,
        )

    def load(self) -> None:
        """Loads the models the analysis runs (the face models only when someone is enrolled)."""
        self.nudity.load()
        for detector in self.others:
            detector.load()
        if self.likeness is not None:
            self.likeness.load()

    def _settle(
        self, matches: tuple[Match, ...], flags: CaseFlags
    ) -> tuple[tuple[Match, ...], CaseFlags]:
        """The matches with ``reviewed`` filled in, and the flags with ``minor`` set when a
        reviewed victim entry is a minor's case (the database's answer; only on a hit)."""
        if self.entries is None or not matches:
            return matches, flags
        [settled], minors = self.entries.settle([matches])
        if any(m.entry in minors for m in settled if m.bank_kind == "victim"):
            flags = CaseFlags(minor=True, sextortion=flags.sextortion)
        return settled, flags

    def analyze(
        self,
        source: bytes | str | os.PathLike[str],
        *,
        case_flags: CaseFlags = CaseFlags(),  # noqa: B008 - frozen
        thumbnail: bool = False,
    ) -> Analysis:
        """Analyses image bytes or a file; raises MediaError/FileUnreadable for bad input."""
        timings: dict[str, float] = {}
        data = source if isinstance(source, bytes) else read_file(source, self.limits.max_bytes)
        image = _timed(
            timings, "decode", lambda: decode(data, limits=self.limits, min_side=self.min_side)
        )
        kinds = self.matcher.signal_types
        hashes = _timed(
            timings, "hash", lambda: hash_decoded(data, image, kinds, framing=self.framing)
        )
        frames, sha256, md5 = hashes.frames, hashes.sha256, hashes.md5
        matched = _timed(timings, "match", lambda: self.matcher.match_image(hashes))
        matches, case_flags = self._settle(matched.matches, case_flags)
        sample = Sample(data=data, image=image)
        signals: list[Signal] = _timed(timings, NUDITY, lambda: self.nudity.detect(sample))
        exposed = exposure(signals, self.policy)
        if self.likeness is not None and exposed.exposed:
            likeness = self.likeness
            seen = list(signals)
            signals += _timed(timings, FACES, lambda: likeness.signals(sample, seen))
        else:
            timings[FACES] = 0.0
        for detector in self.others:
            signals += _timed(timings, detector.name, functools.partial(detector.detect, sample))
        verdict = _timed(
            timings, "policy", lambda: decide(signals, matches, case_flags, self.policy)
        )
        return Analysis(
            sha256=sha256,
            md5=md5,
            format=image.format,
            width=image.width,
            height=image.height,
            frames=frames,
            low_quality=matched.low_quality,
            sexual=exposed.sexual,
            revealing=exposed.revealing,
            matches=matches,
            signals=tuple(signals),
            verdict=verdict,
            timings_ms=timings,
            thumbnail=_thumbnail(sample) if thumbnail else None,
        )


def _timed(timings: dict[str, float], stage: str, work: Callable[[], T]) -> T:
    start = time.perf_counter()
    try:
        return work()
    finally:
        timings[stage] = (time.perf_counter() - start) * 1000


def _thumbnail(sample: Sample) -> bytes:
    picture = Image.fromarray(sample.pixels)
    picture.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


class Likeness:
    """Enrolled people's templates and the face detector, used only on sexual/revealing images.

    A match becomes a ``likeness.enrolled`` signal naming the enrolment's reference (never its
    name, nor any descriptor) and whether it was enrolled as a minor, which the policy escalates.
    """

    def __init__(
        self,
        index: LikenessIndex,
        minors: frozenset[str],
        threshold: float,
        faces: FaceDescriber,
    ) -> None:
        self.index = index
        self.minors = minors
        self.threshold = threshold
        self.faces = faces

    @classmethod
    def from_database(
        cls, db: Database, settings: Settings, detectors: Registry
    ) -> Likeness | None:
        """None when nobody is enrolled; else the stage, with the ``faces`` detector of
        ``detectors`` (ConfigError if it is not configured, or templates are stored without their
        key)."""
        enrolments = Enrolments.open(db, settings)
        index = LikenessIndex.load(enrolments)
        if not len(index):
            return None
        minors = frozenset(e.reference for e in enrolments.list() if e.consent.minor)
        return cls(index, minors, settings.likeness_threshold, describer(detectors))

    def load(self) -> None:
        self.faces.load()

    def signals(self, sample: Sample, seen: Sequence[Signal] = ()) -> list[Signal]:
        """Face and likeness signals; ``seen`` are the nudity signals, whose face boxes spare
        the face detector its own search (it searches itself when NudeNet found no face)."""
        described = self.faces.describe(sample.pixels, face_boxes(seen) or None)
        found = [face.signal() for face in described]
        for match in self.index.match(described, self.threshold):
            details = (
                ("reference", match.reference),
                ("distance", f"{match.distance:.3f}"),
                ("minor", "true" if match.reference in self.minors else "false"),
            )
            found.append(
                Signal(
                    "likeness",
                    ENROLLED,
                    max(0.0, 1.0 - match.distance),
                    described[match.face].box,
                    details,
                )
            )
        return found

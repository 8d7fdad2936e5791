"""The analysis pipeline: decode once, fingerprint, match, detect, decide (../shared/DESIGN.md).

An :class:`Analyzer` holds what is expensive to build (the bank index, the models, the enrolled
templates) and analyses one image at a time; a scan builds one per worker process. Faces are
compared with enrolled templates **only** when the image is sexual or revealing: Bouclier is not
a general face search, so a face is not even looked for otherwise.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from PIL import Image

from bouclier.analysis.result import Analysis
from bouclier.banks.matcher import BankMatcher
from bouclier.banks.store import BankStore
from bouclier.detectors.base import Detector, Sample, Signal
from bouclier.detectors.faces import FaceDetector
from bouclier.detectors.nudity import face_boxes
from bouclier.hashing import hash_decoded
from bouclier.likeness import Enrolments, LikenessIndex
from bouclier.media import Limits, decode
from bouclier.media.files import read_file
from bouclier.policy import CaseFlags, Policy, decide
from bouclier.settings import Settings
from bouclier.storage import Database

T = TypeVar("T")
THUMBNAIL_SIDE = 192


class Analyzer:
    def __init__(
        self,
        *,
        matcher: BankMatcher,
        nudity: Detector,
        provenance: Detector,
        likeness: Likeness | None = None,
        policy: Policy | None = None,
        limits: Limits | None = None,
        min_side: int | None = 512,
    ) -> None:
        self.matcher = matcher
        self.nudity = nudity
        self.provenance = provenance
        self.likeness = likeness
        self.policy = policy or Policy()
        self.limits = limits or Limits()
        self.min_side = min_side

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        banks: list[str] | None = None,
        policy: Policy | None = None,
        threads: int = 1,
    ) -> Analyzer:
        """The whole pipeline as configured: banks from the database, the real detectors."""
        from bouclier.detectors.nudity import NudityDetector
        from bouclier.detectors.provenance import ProvenanceDetector

        db = Database.open(settings.resolved_database_url)
        try:
            store = BankStore(db, default_threshold=settings.default_threshold)
            matcher = BankMatcher.from_store(store, banks, min_quality=settings.pdq_min_quality)
            likeness = Likeness.from_database(db, settings)
        finally:
            db.dispose()
        return cls(
            matcher=matcher,
            nudity=NudityDetector(threads=threads),
            provenance=ProvenanceDetector(),
            likeness=likeness,
            policy=policy,
            limits=Limits.from_settings(settings),
            min_side=settings.pdq_min_side or None,
        )

    def load(self) -> None:
        self.nudity.load()
        self.provenance.load()
        if self.likeness is not None:
            self.likeness.load()

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
        hashes = _timed(timings, "hash", lambda: hash_decoded(data, image, kinds))
        frames, sha256, md5 = hashes.frames, hashes.sha256, hashes.md5
        matched = _timed(timings, "match", lambda: self.matcher.match_image(hashes))
        sample = Sample(data=data, image=image)
        signals: list[Signal] = _timed(timings, "nudity", lambda: self.nudity.detect(sample))
        scores = {s.label: s.score for s in signals}
        sexual = scores.get("nudity.sexual", 0.0) >= self.policy.sexual_threshold
        revealing = scores.get("nudity.revealing", 0.0) >= self.policy.revealing_threshold
        if self.likeness is not None and (sexual or revealing):
            likeness = self.likeness
            seen = list(signals)
            signals += _timed(timings, "faces", lambda: likeness.signals(sample, seen))
        else:
            timings["faces"] = 0.0
        signals += _timed(timings, "provenance", lambda: self.provenance.detect(sample))
        verdict = _timed(
            timings, "policy", lambda: decide(signals, matched.matches, case_flags, self.policy)
        )
        return Analysis(
            sha256=sha256,
            md5=md5,
            format=image.format,
            width=image.width,
            height=image.height,
            frames=frames,
            low_quality=matched.low_quality,
            sexual=sexual,
            revealing=revealing,
            matches=matched.matches,
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
        faces: FaceDetector | None = None,
    ) -> None:
        self.index = index
        self.minors = minors
        self.threshold = threshold
        self.faces = faces or FaceDetector()

    @classmethod
    def from_database(cls, db: Database, settings: Settings) -> Likeness | None:
        """None when nobody is enrolled; ConfigError when templates are stored without their key."""
        enrolments = Enrolments.open(db, settings)
        index = LikenessIndex.load(enrolments)
        if not len(index):
            return None
        minors = frozenset(e.reference for e in enrolments.list() if e.consent.minor)
        return cls(index, minors, settings.likeness_threshold)

    def load(self) -> None:
        self.faces.load()

    def signals(self, sample: Sample, seen: Sequence[Signal] = ()) -> list[Signal]:
        """Face and likeness signals; ``seen`` are the nudity signals, whose face boxes spare
        the face detector its own search (it searches itself when NudeNet found no face)."""
        faces = self.faces.describe(sample.pixels, face_boxes(seen) or None)
        found = [Signal("faces", "faces.face", face.score, face.box) for face in faces]
        for match in self.index.match(faces, self.threshold):
            details = (
                ("reference", match.reference),
                ("distance", f"{match.distance:.3f}"),
                ("minor", "true" if match.reference in self.minors else "false"),
            )
            found.append(
                Signal(
                    "likeness",
                    "likeness.enrolled",
                    max(0.0, 1.0 - match.distance),
                    faces[match.face].box,
                    details,
                )
            )
        return found

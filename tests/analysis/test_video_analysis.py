"""A video's analysis with fake detectors: flagged frames with their times, bank matches by vPDQ
and by digest, the verdict over every frame."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bouclier.analysis import Analyzer
from bouclier.analysis.video import analyze_video
from bouclier.banks.matcher import BankMatcher
from bouclier.banks.store import BankStore, NewEntry
from bouclier.cases.matched import MatchedEntries
from bouclier.detectors.base import Sample, Signal
from bouclier.detectors.registry import Registry
from bouclier.media.video import VideoLimits, read_video
from bouclier.policy import Decision
from bouclier.signals.vpdq import VPDQ
from bouclier.storage import Database
from tests.analysis.fakes import FakeDetector
from tests.conftest import photo
from tests.media.videos import pan_frames, write_video

LIMITS = VideoLimits()


@dataclass
class RedIsSexual:
    """A fake nudity detector: a frame whose red channel outweighs the others by far is
    "sexual" (the test videos' second half is a red picture; nothing here sees a body)."""

    name: str = "nudity"
    version: str = "fake-red"
    labels: frozenset[str] = frozenset({"nudity.sexual", "nudity.revealing"})
    calls: int = 0

    def load(self) -> None: ...

    def detect(self, sample: Sample) -> list[Signal]:
        self.calls += 1
        mean = sample.pixels.reshape(-1, 3).mean(axis=0)
        red = bool(mean[0] > mean[1] + 60 and mean[0] > mean[2] + 60)
        return [
            Signal("nudity", "nudity.sexual", 0.95 if red else 0.02),
            Signal("nudity", "nudity.revealing", 0.0),
        ]


def _video(path: Path, seconds_plain: int = 4, seconds_red: int = 4) -> Path:
    plain = photo(11, (960, 720))
    red = photo(12, (960, 720)).astype(np.int16)
    red[..., 0] = 230
    red[..., 1:] //= 4
    frames = [
        *pan_frames(plain, seconds_plain * 10, (320, 240)),
        *pan_frames(red.astype(np.uint8), seconds_red * 10, (320, 240)),
    ]
    return write_video(path, frames, fps=10)


def _analyzer(db: Database, detector: object) -> Analyzer:
    return Analyzer(
        matcher=BankMatcher.from_store(BankStore(db)),
        detectors=Registry([detector, FakeDetector("provenance")]),  # type: ignore[list-item]
        entries=MatchedEntries(db),
    )


def test_flagged_frames_carry_their_times(db: Database, tmp_path: Path) -> None:
    detector = RedIsSexual()
    analysis = analyze_video(
        _analyzer(db, detector),
        _video(tmp_path / "v.mp4"),
        LIMITS,
        query_percent=80,
        target_percent=0,
    )
    assert analysis.frames_scanned == detector.calls == 8  # one a second, under the cap of 32
    assert [f.timestamp for f in analysis.flagged] == [4.0, 5.0, 6.0, 7.0]
    assert all(f.sexual and not f.revealing for f in analysis.flagged)
    assert analysis.sexual
    assert analysis.verdict.decision == Decision.ALLOW  # sexual, but no bank knows it
    row = analysis.to_dict()
    assert row["media"] == "video"
    assert [f["frame"] for f in row["flagged_frames"]] == [40, 50, 60, 70]
    assert len(row["vpdq"]) == 8


def test_a_banked_video_is_blocked_when_sexual_and_reviewed_when_not(
    db: Database, tmp_path: Path
) -> None:
    path = _video(tmp_path / "v.mp4")
    store = BankStore(db)
    store.create("victims", "victim")
    video = read_video(path)
    [entry] = store.add(
        "victims", [NewEntry(value=VPDQ.from_features(video.features), signal_type="vpdq")]
    )
    sexual = analyze_video(
        _analyzer(db, RedIsSexual()), path, LIMITS, query_percent=80, target_percent=0
    )
    assert [(m.entry, m.signal_type) for m in sexual.matches] == [(entry, "vpdq")]
    assert sexual.matches[0].query_percent == 100.0
    assert sexual.verdict.decision == Decision.BLOCK
    calm = analyze_video(
        _analyzer(db, FakeDetector("nudity")), path, LIMITS, query_percent=80, target_percent=0
    )
    assert calm.flagged == ()
    assert calm.verdict.decision == Decision.REVIEW


def test_a_digest_entry_matches_the_identical_file_only(db: Database, tmp_path: Path) -> None:
    path = _video(tmp_path / "v.mp4", 3, 1)
    other = _video(tmp_path / "w.mp4", 2, 2)
    store = BankStore(db)
    store.create("victims", "victim")
    [entry] = store.add("victims", [NewEntry(value=read_video(path).md5, signal_type="md5")])
    analyzer = _analyzer(db, FakeDetector("nudity"))
    found = analyze_video(analyzer, path, LIMITS, query_percent=80, target_percent=0)
    assert [(m.entry, m.signal_type) for m in found.matches] == [(entry, "md5")]
    assert analyze_video(analyzer, other, LIMITS, query_percent=80, target_percent=0).matches == ()

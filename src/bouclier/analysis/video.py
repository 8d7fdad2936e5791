"""The analysis of a video: its fingerprints, bank matches, nudity on sampled frames, a verdict.

A video is decoded once, in the limited child process of :mod:`bouclier.media.video`: its vPDQ
features (one frame a second) and digests, and up to ``scan_frames`` reduced frames spread over
it for the detectors. The nudity detector looks at each sampled frame; a frame seen as sexual or
revealing is *flagged* with its time, so an analyst goes straight to it. The verdict is the
policy's (:func:`bouclier.policy.decide`) over the matches and every frame's signals: one sexual
frame makes the video sexual. Faces are not compared with enrolled people here (a video is not a
face search); the flagged frames say where to look.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from bouclier.analysis.result import signal_dict
from bouclier.banks.matcher import Match
from bouclier.detectors.base import Sample, Signal
from bouclier.media.decoded import DecodedImage
from bouclier.media.video import VideoHashes, VideoLimits, read_video
from bouclier.policy import CaseFlags, Verdict, decide, exposure
from bouclier.policy.config import Policy

#: sampled frames the detectors look at, at most, spread over the video
SCAN_FRAMES = 32


@dataclass(frozen=True)
class FlaggedFrame:
    """A sampled frame that the nudity detector saw as sexual or revealing."""

    frame: int
    timestamp: float
    sexual: bool
    revealing: bool
    signals: tuple[Signal, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "frame": self.frame,
            "timestamp": round(self.timestamp, 3),
            "sexual": self.sexual,
            "revealing": self.revealing,
            "signals": [signal_dict(s) for s in self.signals],
        }


@dataclass(frozen=True)
class VideoAnalysis:
    video: VideoHashes
    matches: tuple[Match, ...]
    frames_scanned: int
    flagged: tuple[FlaggedFrame, ...]
    sexual: bool
    revealing: bool
    verdict: Verdict

    def to_dict(self) -> dict[str, Any]:
        return {
            **video_dict(self.video),
            "frames_scanned": self.frames_scanned,
            "flagged_frames": [f.to_dict() for f in self.flagged],
            "sexual": self.sexual,
            "revealing": self.revealing,
            "verdict": self.verdict.decision.value,
            "priority": self.verdict.priority.value,
            "escalate": self.verdict.escalate,
            "reasons": [{"code": r.code, "message": r.message} for r in self.verdict.reasons],
            "matches": [m.to_dict() for m in self.matches],
        }


def video_dict(video: VideoHashes) -> dict[str, Any]:
    """A video's facts and fingerprints as printed and returned: vPDQ in the reference's lines."""
    return {
        "media": "video",
        "sha256": video.sha256,
        "md5": video.md5,
        "container": video.container,
        "codec": video.codec,
        "width": video.width,
        "height": video.height,
        "fps": round(video.fps, 3),
        "frames": video.frames,
        "duration": round(video.duration, 3),
        "vpdq": [f.line() for f in video.features],
    }


def scan_frames(
    video: VideoHashes, detect: Any, policy: Policy
) -> tuple[list[Signal], list[FlaggedFrame]]:
    """Runs ``detect(sample) -> list[Signal]`` on each sampled frame; the flagged ones."""
    every: list[Signal] = []
    flagged = []
    for number, pixels in sorted(video.samples.items()):
        image = DecodedImage("video", video.width, video.height, (pixels,), 1)
        signals = list(detect(Sample(data=b"", image=image)))
        every += signals
        seen = exposure(signals, policy)
        if seen.sexual or seen.revealing:
            timestamp = number / video.fps
            flagged.append(
                FlaggedFrame(number, timestamp, seen.sexual, seen.revealing, tuple(signals))
            )
    return every, flagged


def analyze_video(
    analyzer: Any,
    path: str | os.PathLike[str],
    limits: VideoLimits,
    *,
    query_percent: float,
    target_percent: float,
    case_flags: CaseFlags = CaseFlags(),  # noqa: B008 - frozen
    scan: int = SCAN_FRAMES,
) -> VideoAnalysis:
    """Analyses a video file with an :class:`~bouclier.analysis.pipeline.Analyzer`'s banks,
    nudity detector and policy; raises MediaError/FileUnreadable for bad input."""
    video = read_video(path, limits, detector_frames=scan)
    matched = analyzer.matcher.match_video(
        video, query_percent=query_percent, target_percent=target_percent
    )
    matches, case_flags = analyzer._settle(matched, case_flags)
    signals, flagged = scan_frames(video, analyzer.nudity.detect, analyzer.policy)
    seen = exposure(signals, analyzer.policy)
    verdict = decide(signals, matches, case_flags, analyzer.policy)
    return VideoAnalysis(
        video=video,
        matches=matches,
        frames_scanned=len(video.samples),
        flagged=tuple(flagged),
        sexual=seen.sexual,
        revealing=seen.revealing,
        verdict=verdict,
    )


__all__ = ["FlaggedFrame", "VideoAnalysis", "analyze_video", "video_dict"]

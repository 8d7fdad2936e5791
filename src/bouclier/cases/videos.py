"""A case's videos: the vPDQ frame hashes and file digests of a video, made on the victim's device.

The portal's ``video.js`` decodes the video in her browser (WebCodecs) and sends only what is
here: per hashed frame (one a second, the frame the server would pick) its number, PDQ quality,
PDQ hash and time, and the file's MD5 and SHA-256. :func:`parse_video_report` checks that JSON at
the door. :meth:`CaseVideos.add_video` makes it an item as a picture's hash is one (kind
``hash``, signal type ``vpdq``, the packed vPDQ value of :mod:`bouclier.signals.vpdq`): into the
victim bank at once, unreviewed, tagged with the case, its MD5 and SHA-256 kept on the bank entry
(the file's exact digests, which StopNCII exchanges for videos); matching, notices, removal and
withdrawal then treat it as any hash item. The custody log records the digests and how many
frames were hashed, not the frame hashes (the item and the bundle hold those).
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bouclier.banks.store import NewEntry
from bouclier.cases.lookup import CaseLookup
from bouclier.cases.records import VICTIM_BANK, ItemInfo, add_hash_item, item_info
from bouclier.errors import InputError, InvalidHash
from bouclier.hashing import digests, pdq, vpdq
from bouclier.hashing.vpdq import VpdqFeature
from bouclier.media.video import VideoLimits, read_video, sniff_video
from bouclier.settings import Settings
from bouclier.signals.vpdq import VPDQ
from bouclier.storage.models import CaseItem, utcnow


@dataclass(frozen=True, slots=True)
class VideoReport:
    """A video fingerprinted on the victim's device: its frames' vPDQ features, the file's
    digests and its length in seconds."""

    features: tuple[VpdqFeature, ...]
    sha256: str
    md5: str
    duration: float


def _bad(message: str) -> InputError:
    return InputError(message, code="invalid_video_hashes")


def parse_video_report(data: Any, max_seconds: float) -> VideoReport:
    """The report ``video.js`` sends: ``{"frames": [[frame, quality, pdq, seconds], ...],
    "md5": hex, "sha256": hex, "duration": seconds}``; InputError ``invalid_video_hashes``
    (or ``video_too_long``) saying what is wrong. Frame times must rise, as the frames do."""
    if not isinstance(data, dict):
        raise _bad("a video's hashes are a JSON object")
    frames, raw_duration = data.get("frames"), data.get("duration")
    if not isinstance(frames, list) or not frames:
        raise _bad("a video's hashes have at least one frame")
    if len(frames) > vpdq.MAX_FEATURES:
        raise _bad(f"a video's hashes have at most {vpdq.MAX_FEATURES} frames")
    if not _seconds(raw_duration):
        raise _bad("a video's duration is a number of seconds")
    duration = float(raw_duration)  # type: ignore[arg-type]
    if duration > max_seconds:
        raise InputError(f"a video may last {max_seconds:.0f} s at most", code="video_too_long")
    features: list[VpdqFeature] = []
    for at, frame in enumerate(frames):
        features.append(_feature(frame, at, features[-1] if features else None, duration))
    try:
        sha256 = digests.validate("sha256", data.get("sha256"))  # type: ignore[arg-type]
        md5 = digests.validate("md5", data.get("md5"))  # type: ignore[arg-type]
    except InvalidHash as error:
        raise _bad(error.message) from None
    return VideoReport(tuple(features), sha256, md5, duration)


def _seconds(value: Any) -> bool:
    """Whether a JSON value is a time in seconds: a finite number, at least 0."""
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and value >= 0
    )


def _feature(frame: Any, at: int, before: VpdqFeature | None, duration: float) -> VpdqFeature:
    where = f"frame {at}"
    if not isinstance(frame, list) or len(frame) != 4:
        raise _bad(f"{where}: expected [frame, quality, pdq, seconds]")
    number, quality, hex_value, time = frame
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (number, quality)):
        raise _bad(f"{where}: the frame number and quality are whole numbers")
    if not _seconds(time):
        raise _bad(f"{where}: the time is a number of seconds")
    if not isinstance(hex_value, str) or number > 2**31 or time > duration + 1:
        raise _bad(f"{where}: not a frame of this video")
    try:
        feature = VpdqFeature(number, quality, pdq.validate(hex_value), float(time))
    except InvalidHash as error:
        raise _bad(f"{where}: {error.message}") from None
    if before is not None and (
        feature.frame <= before.frame or feature.timestamp < before.timestamp
    ):
        raise _bad(f"{where}: frames come in the order of the video")
    return feature


@dataclass(frozen=True, slots=True)
class VideoEvidence:
    """A video evidence file as the server hashed it (the file she chose to upload)."""

    value: str  # packed vPDQ
    sha256: str
    md5: str
    media_type: str


def hash_video_evidence(data: bytes, settings: Settings) -> VideoEvidence | None:
    """The vPDQ and digests of an evidence file that is a video, decoded in the limited child
    process (:func:`bouclier.media.video.read_video`) from a private temporary file deleted at
    once; None when the bytes are not a video (MediaError when a video is refused)."""
    kind = sniff_video(data[:64])
    if kind is None:
        return None
    with tempfile.TemporaryDirectory(prefix="bouclier-evidence-") as folder:
        path = Path(folder) / "evidence"
        path.write_bytes(data)
        video = read_video(path, VideoLimits.from_settings(settings))
    return VideoEvidence(
        VPDQ.from_features(video.features), video.sha256, video.md5, f"video/{kind}"
    )


class CaseVideos(CaseLookup):
    """Videos fingerprinted on the victim's device, into the victim bank at once."""

    def add_video(
        self, number: str, report: VideoReport, *, actor: str = "victim"
    ) -> ItemInfo | None:
        """Adds a video's hashes as an item (None when the case has this file already)."""
        value = VPDQ.from_features(report.features)
        self._ensure_bank(VICTIM_BANK, "victim")
        with self.db.transaction() as session:
            row = self._row(session, number)
            known = session.scalar(
                select(CaseItem.id).where(
                    CaseItem.case_id == row.id,
                    CaseItem.signal_type == VPDQ.name,
                    CaseItem.sha256 == report.sha256,
                )
            )
        if known is not None:
            return None
        (entry_id,) = self.banks.add(
            VICTIM_BANK,
            [
                NewEntry(
                    value=value,
                    sha256=report.sha256,
                    md5=report.md5,
                    source="case",
                    case_ref=number,
                    signal_type=VPDQ.name,
                    reviewed=False,  # a stranger's claim until an analyst confirms the item
                )
            ],
        )
        now = utcnow()
        with self.db.transaction() as session:
            row = self._row(session, number)
            item = add_hash_item(
                session,
                row.id,
                signal_type=VPDQ.name,
                value=value,
                sha256=report.sha256,
                entry_id=entry_id,
                actor=actor,
                details={
                    "signal_type": VPDQ.name,
                    "frames": len(report.features),
                    "duration": round(report.duration, 3),
                    "sha256": report.sha256,
                    "md5": report.md5,
                },
                at=now,
            )
            row.updated_at = now
            return item_info(item)

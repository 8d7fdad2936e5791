"""Which frames of a platform's upload matched a case's video: recorded when ``/v1/match`` finds it.

A vPDQ match says how much of each video was found; an analyst, and the police reading the
evidence bundle, need to see *where*: each frame of the upload that matched, the banked frame
nearest to it, both times and the PDQ distance (:class:`~bouclier.hashing.vpdq.FramePair`). When
a video upload matches a bank entry that is one of a case's items, :func:`record_video_matches`
writes a :class:`~bouclier.storage.models.VideoMatch` row with the pairs (canonical JSON) and a
``video.matched`` custody event (shares and counts, not the pairs), in one transaction, before
the platform gets its answer. The same file matched again by the same platform on the same entry
is not written twice. Entries of no case (an operator's bank) are not recorded: nobody follows
them up.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bouclier.banks.matcher import Match
from bouclier.cases import custody
from bouclier.hashing.vpdq import FramePair
from bouclier.storage import Database
from bouclier.storage.models import CaseItem, VideoMatch, utc_iso, utcnow


@dataclass(frozen=True, slots=True)
class VideoMatchInfo:
    """A platform's upload that matched one of a case's videos, and which frames matched."""

    item_id: int | None
    platform: str
    sha256: str  # of the platform's uploaded file
    query_percent: float
    target_percent: float
    frames: tuple[FramePair, ...]
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item_id,
            "platform": self.platform,
            "sha256": self.sha256,
            "query_percent": round(self.query_percent, 2),
            "target_percent": round(self.target_percent, 2),
            "frames": [pair.to_dict() for pair in self.frames],
            "at": utc_iso(self.at),
        }


def _frames_json(frames: Sequence[FramePair]) -> str:
    return custody.canonical([pair.to_dict() for pair in frames]).decode("utf-8")


def _frames_of(text: str) -> tuple[FramePair, ...]:
    return tuple(
        FramePair(
            int(p["query_frame"]),
            float(p["query_time"]),
            int(p["target_frame"]),
            float(p["target_time"]),
            int(p["distance"]),
        )
        for p in json.loads(text)
    )


def _record_one(session: Session, match: Match, platform: str, sha256: str) -> bool:
    item = session.scalar(
        select(CaseItem).where(CaseItem.bank_entry_id == match.entry, CaseItem.kind == "hash")
    )
    if item is None:
        return False
    seen = session.scalar(
        select(VideoMatch.id).where(
            VideoMatch.entry_id == match.entry,
            VideoMatch.platform == platform,
            VideoMatch.sha256 == sha256,
        )
    )
    if seen is not None:
        return False
    frames = match.frames or ()
    now = utcnow()
    session.add(
        VideoMatch(
            case_id=item.case_id,
            item_id=item.id,
            entry_id=match.entry,
            platform=platform,
            sha256=sha256,
            query_percent=float(match.query_percent or 0.0),
            target_percent=float(match.target_percent or 0.0),
            frames=_frames_json(frames),
            at=now,
        )
    )
    custody.append(
        session,
        item.case_id,
        "video.matched",
        f"platform:{platform}",
        {
            "platform": platform,
            "item": item.id,
            "query_percent": round(float(match.query_percent or 0.0), 2),
            "target_percent": round(float(match.target_percent or 0.0), 2),
            "frames": len(frames),
        },
        at=now,
    )
    return True


def record_video_matches(
    db: Database, *, platform: str, sha256: str, matches: Sequence[Match]
) -> int:
    """Records the vPDQ matches of one uploaded video (``sha256``) on cases' items, each with
    its frame pairs; how many were new. Matches of other signal types, or of entries that are
    no case's item, are left out."""
    found = [m for m in matches if m.frames is not None]
    if not found:
        return 0
    try:
        with db.transaction() as session:
            return sum(_record_one(session, m, platform, sha256) for m in found)
    except IntegrityError:  # the same upload recorded meanwhile by another request
        return 0


def video_matches_in(session: Session, case_id: int) -> list[VideoMatchInfo]:
    """A case's recorded video matches, oldest first."""
    query = select(VideoMatch).where(VideoMatch.case_id == case_id)
    rows = session.scalars(query.order_by(VideoMatch.at, VideoMatch.id)).all()
    return [
        VideoMatchInfo(
            r.item_id,
            r.platform,
            r.sha256,
            r.query_percent,
            r.target_percent,
            _frames_of(r.frames),
            r.at,
        )
        for r in rows
    ]

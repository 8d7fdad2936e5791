"""Routes on images and hashes: fingerprint, match against the banks, analyse.

``/v1/match`` answers with the bank rules of the policy only (a known-false-positive match allows,
a victim match asks for review, and blocks and escalates when the case concerns a minor, once an
analyst has reviewed the hash): it does not run the detectors, so it stays fast enough to call on
every upload. Every match says whether its entry was ``reviewed``; an unreviewed one (a hash a
case reported, not yet confirmed: anyone's claim) is REVIEW, never escalated. ``/v1/analyze``
runs the whole pipeline (nudity, likeness, provenance), whose verdict can also BLOCK.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field, model_validator
from starlette.concurrency import run_in_threadpool

from bouclier.accounts.api_keys import KeyInfo
from bouclier.analysis.video import video_dict
from bouclier.api import schemas
from bouclier.api.auth import ANY_ROLE, require
from bouclier.api.media_uploads import MEDIA_UPLOAD_BODY, VideoUpload, read_media
from bouclier.api.services import Services
from bouclier.api.uploads import UPLOAD_BODY, read_image
from bouclier.banks.matcher import Match, MatchResult
from bouclier.cases.video_matches import record_video_matches
from bouclier.hashing import ImageHashes, hash_bytes
from bouclier.hashing.pdq import ORIENTATIONS
from bouclier.media.video import VideoHashes, VideoLimits, read_video
from bouclier.policy import Verdict, decide
from bouclier.policy.decide import CaseFlags
from bouclier.signals import DEFAULT, SIGNAL_TYPES
from bouclier.vocabulary import HashPurpose

router = APIRouter(prefix="/v1", tags=["images"])
Image = Annotated[bytes, Depends(read_image)]
Upload = Annotated[bytes | VideoUpload, Depends(read_media)]
_any = [Depends(require(*ANY_ROLE))]
AnyKey = Annotated[KeyInfo, Depends(require(*ANY_ROLE))]
MAX_QUERY_HASHES = 1000
#: Hash queries up to this many are matched on the event loop: a search takes well under a
#: millisecond (the index never locks, bouclier.index.hamming), less than handing it to a thread.
INLINE_QUERY_HASHES = 8


class HashQuery(schemas.RequestModel):
    signal_type: str = Field(
        default=DEFAULT,
        max_length=32,
        description=f"The signal type of the values: one of {', '.join(SIGNAL_TYPES.names)}.",
    )
    pdq: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_QUERY_HASHES,
        description="PDQ hashes, 64 hex characters each, matched as given (one orientation).",
    )
    values: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_QUERY_HASHES,
        description="Values of `signal_type` (instead of `pdq`).",
    )

    @model_validator(mode="after")
    def _one_list(self) -> HashQuery:
        schemas.pdq_or_values(self.pdq, self.values, self.signal_type)
        return self

    @property
    def queried(self) -> list[str]:
        return schemas.pdq_or_values(self.pdq, self.values, self.signal_type)


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def hashes_dict(hashes: ImageHashes) -> dict[str, Any]:
    return {
        "sha256": hashes.sha256,
        "md5": hashes.md5,
        "format": hashes.format,
        "width": hashes.width,
        "height": hashes.height,
        "pdq": hashes.pdq.pdq,
        "quality": hashes.pdq.quality,
        "orientations": dict(zip(ORIENTATIONS, hashes.pdq.hashes, strict=True)),
        "frames": len(hashes.frames),
    }


def verdict_dict(verdict: Verdict, matches: Sequence[Match]) -> dict[str, Any]:
    return {
        "verdict": verdict.decision.value,
        "priority": verdict.priority.value,
        "escalate": verdict.escalate,
        "reasons": [{"code": r.code, "message": r.message} for r in verdict.reasons],
        "matches": [m.to_dict() for m in matches],
    }


async def settle(
    services: Services, found: Sequence[Sequence[Match]]
) -> tuple[list[tuple[Match, ...]], set[int]]:
    """Each list of matches with ``reviewed`` filled in, and the reviewed entries of a minor's
    case (bouclier.cases.matched: a query, only on a hit)."""
    if services.matched is None or not any(found):
        return [tuple(matches) for matches in found], set()
    settled = services.matched.settle_cached(found)  # a reviewed entry matched a moment ago
    if settled is not None:
        return settled
    return await run_in_threadpool(services.matched.settle, found)


def case_flags(matches: Sequence[Match], minors: set[int]) -> CaseFlags:
    return CaseFlags(minor=any(m.entry in minors for m in matches if m.bank_kind == "victim"))


def _hash(services: Services, data: bytes, *, luma: bool = False) -> ImageHashes:
    analyzer = services.analyzer
    return hash_bytes(
        data,
        limits=services.limits,
        min_side=analyzer.min_side,
        framing=analyzer.framing,
        luma=luma,
    )


def _hash_and_match(
    services: Services, data: bytes, robust: int | None = None
) -> tuple[ImageHashes, MatchResult]:
    # a match only hashes: a JPEG's luma plane is enough (BOUCLIER_LUMA_DECODE, off by default
    # so that a file matched against itself is at distance 0); /v1/hash, whose
    # hashes may go into banks, keeps the RGB decode
    hashes = _hash(services, data, luma=services.settings.luma_decode)
    budget = services.settings.robust_candidates if robust is None else robust
    return hashes, services.matcher.match_image(hashes, candidates=budget)


def _video(services: Services, upload: VideoUpload, seconds_per_hash: float = 1.0) -> VideoHashes:
    limits = VideoLimits.from_settings(services.settings)
    return read_video(upload.path, limits, seconds_per_hash=seconds_per_hash)


def _match_video(services: Services, upload: VideoUpload) -> tuple[VideoHashes, tuple[Match, ...]]:
    video = _video(services, upload)
    settings = services.settings
    found = services.matcher.match_video(
        video,
        query_percent=settings.vpdq_query_match_percent,
        target_percent=settings.vpdq_target_match_percent,
    )
    return video, found


@router.post(
    "/hash",
    dependencies=_any,
    openapi_extra=MEDIA_UPLOAD_BODY,
    response_model=schemas.HashesOut | schemas.VideoHashesOut,
)
async def hash_image(
    request: Request,
    upload: Upload,
    purpose: Annotated[
        HashPurpose,
        Query(
            alias="for",
            description=(
                "A video's vPDQ for a query (`match`: one frame a second) or for a bank entry "
                "(`bank`: every BOUCLIER_VPDQ_BANK_SECONDS_PER_HASH, so that trims and speed "
                "changes off the one-second grid still match). Images are hashed the same for both."
            ),
        ),
    ] = "match",
) -> dict[str, Any]:
    """Fingerprints an image (SHA-256, MD5, PDQ in 8 orientations, quality, size) or a video
    (MP4/QuickTime, WebM/Matroska: SHA-256, MD5, vPDQ at one frame a second, or at the bank
    rate with ``?for=bank``)."""
    services = services_of(request)
    if isinstance(upload, VideoUpload):
        rate = services.settings.vpdq_bank_seconds_per_hash if purpose == "bank" else 1.0
        return video_dict(await run_in_threadpool(_video, services, upload, rate))
    return hashes_dict(await run_in_threadpool(_hash, services, upload))


@router.post(
    "/match",
    openapi_extra=MEDIA_UPLOAD_BODY,
    response_model=schemas.ImageMatchOut | schemas.VideoMatchOut,
)
async def match_image(
    request: Request,
    key: AnyKey,
    upload: Upload,
    robust: Annotated[
        int | None,
        Query(
            ge=0,
            le=1024,
            description=(
                "Bank entries the crop-robust ORB stage may verify when PDQ finds nothing "
                "(default: BOUCLIER_ROBUST_CANDIDATES; 0: PDQ and digests only)."
            ),
        ),
    ] = None,
) -> dict[str, Any]:
    """Matches an uploaded image (every frame, 8 orientations) against every bank; when that
    finds nothing, its ORB keypoints against the entries added as images (crops, captions). A
    video is matched by its SHA-256, MD5 and vPDQ (BOUCLIER_VPDQ_QUERY_MATCH_PERCENT and
    BOUCLIER_VPDQ_TARGET_MATCH_PERCENT); each vPDQ match carries both shares and which of the
    upload's frames matched which banked frame (``frames``), also recorded for the case when the
    banked video is a case's (bouclier.cases.video_matches) before the answer is sent."""
    return await match_upload(services_of(request), key, upload, robust)


async def match_upload(
    services: Services, key: KeyInfo, upload: bytes | VideoUpload, robust: int | None
) -> dict[str, Any]:
    """``/v1/match``'s answer to an upload read by :func:`read_media` (also the lean path's,
    bouclier.api.lean_match)."""
    if isinstance(upload, VideoUpload):
        video, found = await run_in_threadpool(_match_video, services, upload)
        [matches], minors = await settle(services, [found])
        if any(m.frames is not None for m in matches):
            await run_in_threadpool(
                lambda: record_video_matches(
                    services.db, platform=key.name, sha256=video.sha256, matches=matches
                )
            )
        return {
            "media": "video",
            "sha256": video.sha256,
            "md5": video.md5,
            "frames_hashed": len(video.features),
            **verdict_dict(decide([], matches, case_flags(matches, minors)), matches),
        }
    hashes, result = await run_in_threadpool(_hash_and_match, services, upload, robust)
    [matches], minors = await settle(services, [result.matches])
    return {
        "sha256": hashes.sha256,
        "pdq": hashes.pdq.pdq,
        "quality": result.quality,
        "low_quality": result.low_quality,
        **verdict_dict(decide([], matches, case_flags(matches, minors)), matches),
    }


@router.post("/match/hashes", dependencies=_any, response_model=schemas.HashMatchesOut)
async def match_hashes(request: Request, query: HashQuery) -> dict[str, Any]:
    """Matches hashes (from the client's own hashing: PDQ unless ``signal_type`` says otherwise)
    against every bank, one result each."""
    services = services_of(request)
    matcher = services.matcher
    kind = matcher.signal_types.get(query.signal_type)
    canonical = [kind.validate(value) for value in query.queried]

    def match_all() -> list[tuple[Match, ...]]:
        return [matcher.match_hash(value, kind.name) for value in canonical]

    if len(canonical) <= INLINE_QUERY_HASHES:
        found = match_all()
    else:
        found = await run_in_threadpool(match_all)
    found, minors = await settle(services, found)
    return {
        "results": [
            {
                "signal_type": kind.name,
                "value": value,
                "pdq": value if kind.name == DEFAULT else None,
                **verdict_dict(decide([], matches, case_flags(matches, minors)), matches),
            }
            for value, matches in zip(canonical, found, strict=True)
        ]
    }


@router.post(
    "/analyze", dependencies=_any, openapi_extra=UPLOAD_BODY, response_model=schemas.AnalysisOut
)
async def analyze_image(request: Request, image: Image) -> dict[str, Any]:
    """The whole analysis: fingerprints, matches, detector signals, verdict with reasons."""
    services = services_of(request)
    services.check_models()
    analysis = await run_in_threadpool(services.analyzer.analyze, image)
    return analysis.to_dict()

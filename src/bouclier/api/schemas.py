"""Request and response models of the API: what the OpenAPI schema promises, both ways.

Every request model derives from :class:`RequestModel`, which takes a stranger's JSON exactly as
written: no coercion (``"threshold": true`` is not 1, ``"minor": "yes"`` is not true, ``"5"`` is
not 5), no unknown field (a misspelt ``"treshold"`` is an error, not a bank with the default
threshold), and no control character, NUL included, nor lone surrogate in any text (they end in
logs, notices and PDFs, or fail deep in the database driver). Each refusal is a 422
``invalid_request`` that names the field (:mod:`bouclier.api.problems`).

Routes build plain dicts (fast, and the same shapes the CLI prints); FastAPI checks each answer
against its response model here, so the schema and the answers cannot drift apart (the
schemathesis walk in tests/api checks answers against the schema too).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from bouclier.signals import DEFAULT
from bouclier.text_input import refuse_control
from bouclier.vocabulary import BANK_KINDS, CHANGE_OPS, MATCH_STAGES, listed

T = TypeVar("T")


class RequestModel(BaseModel):
    """A request body taken as written: strict types, no unknown field, no control character.

    A subclass names in ``multiline`` the fields that may hold line breaks and tabs (notes).
    """

    model_config = ConfigDict(strict=True, extra="forbid")
    multiline: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        allow_lines = info.field_name in cls.multiline
        for text in _texts(value):
            refuse_control(text, multiline=allow_lines)
        return value


def _texts(value: Any) -> list[str]:
    """The strings in a field's value: itself, or those of a list (nested models check theirs)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def one_of(words: Sequence[str]) -> dict[str, Any]:
    """The ``enum`` a string shows in the OpenAPI schema: the words of its vocabulary
    (:mod:`bouclier.vocabulary`). An input's value is still checked where it always was (the
    store, whose error names the field), so a wrong one gets the same answer as before."""
    return {"enum": list(words)}


def pattern_of(words: Sequence[str]) -> str:
    """A query parameter's pattern that admits exactly the words of a vocabulary."""
    return "^(" + "|".join(re.escape(word) for word in words) + ")$"


def pdq_or_values(pdq: T | None, values: T | None, signal_type: str) -> T:
    """What a request names by ``pdq`` (PDQ hashes, the field every client wrote before signal
    types) or by ``value(s)`` with a ``signal_type``: exactly one of them, or ValueError (422)."""
    if (pdq is None) == (values is None):
        raise ValueError("give either pdq, or value(s) with their signal_type")
    if pdq is not None:
        if signal_type != DEFAULT:
            raise ValueError("pdq holds PDQ hashes: put other signal types' hashes in value(s)")
        return pdq
    assert values is not None
    return values


class HashesOut(BaseModel):
    sha256: str
    md5: str
    format: str
    width: int
    height: int
    pdq: str = Field(description="PDQ of the image as it is (64 hex).")
    quality: int = Field(description="PDQ quality, 0 to 100 (under 50: low quality).")
    orientations: dict[str, str] = Field(description="PDQ of each of the 8 orientations.")
    frames: int


class VideoHashesOut(BaseModel):
    media: str = Field(description="'video'.")
    sha256: str
    md5: str
    container: str = Field(description="mp4 (MP4/QuickTime) or webm (WebM/Matroska).")
    codec: str
    width: int
    height: int
    fps: float
    frames: int
    duration: float = Field(description="Seconds.")
    vpdq: list[str] = Field(
        description="One frame a second in ThreatExchange's vPDQ format: "
        "'frame,quality,pdq,timestamp'."
    )


class MatchedFrameOut(BaseModel):
    """A frame of the uploaded video and the banked video's frame nearest to it."""

    query_frame: int = Field(description="The upload's frame number (presentation order).")
    query_time: float = Field(description="Its time in the upload, seconds.")
    target_frame: int = Field(description="The banked video's frame number.")
    target_time: float = Field(description="Its time in the banked video, seconds.")
    distance: int = Field(description="PDQ bits between the two frames (at most 31).")


class MatchOut(BaseModel):
    bank: str
    bank_kind: str = Field(json_schema_extra=one_of(BANK_KINDS))
    entry: int = Field(description="The bank entry: feedback and removals name it.")
    signal_type: str = Field(description="The signal type that matched (pdq, sha256, md5...).")
    distance: int
    orientation: str
    frame: int
    reviewed: bool = Field(
        description="Whether the entry was reviewed: an operator's, or a case's hash an analyst "
        "confirmed. An unreviewed entry is a claim anyone could make (a hash a case reported): "
        "its match asks for review and is never escalated (see the policy)."
    )
    stage: str = Field(
        json_schema_extra=one_of(MATCH_STAGES),
        description="direct: the image as it is matched; framing: a content region of it (the "
        "picture inside a screenshot, a letterbox, a border), at `region`; robust: a geometric "
        "match of its ORB keypoints (crops, captions, stickers), with `inliers` and `corners`.",
    )
    region: list[int] | None = Field(
        default=None,
        description="[x, y, width, height] of the content region that matched, in the image's "
        "displayed pixels (stage framing); null otherwise.",
    )
    inliers: int | None = Field(
        default=None, description="ORB: keypoints that agree on one homography (the evidence)."
    )
    query_percent: float | None = Field(
        default=None,
        description="vPDQ: the share of the uploaded video's frames found in the banked video.",
    )
    target_percent: float | None = Field(
        default=None,
        description="vPDQ: the share of the banked video's frames found in the uploaded video.",
    )
    corners: list[list[float]] | None = Field(
        default=None,
        description=(
            "ORB: the corners of the uploaded image in the bank image, as fractions of its "
            "width and height (top-left, top-right, bottom-right, bottom-left)."
        ),
    )
    frames: list[MatchedFrameOut] | None = Field(
        default=None,
        description="vPDQ: which frames matched: each frame of the uploaded video found in the "
        "banked video (the first of each distinct hash of quality >= 50), with the nearest banked "
        "frame; null for other signal types.",
    )


class ReasonOut(BaseModel):
    code: str
    message: str


class VerdictOut(BaseModel):
    verdict: str = Field(description="ALLOW, REVIEW or BLOCK.")
    priority: str
    escalate: bool
    reasons: list[ReasonOut]
    matches: list[MatchOut]


class ImageMatchOut(VerdictOut):
    sha256: str
    pdq: str
    quality: int
    low_quality: bool


class VideoMatchOut(VerdictOut):
    media: str = Field(description="'video'.")
    sha256: str
    md5: str
    frames_hashed: int = Field(description="vPDQ frames of the upload (one a second).")


class HashMatchOut(VerdictOut):
    signal_type: str
    value: str = Field(description="The value queried, in its canonical form.")
    pdq: str | None = Field(description="The value, for a PDQ query; null otherwise.")


class HashMatchesOut(BaseModel):
    results: list[HashMatchOut] = Field(description="One result per hash, in order.")


class SignalOut(BaseModel):
    detector: str
    label: str
    score: float
    box: list[int] | None = Field(description="x, y, width, height in pixels, if any.")
    details: dict[str, Any]


class AnalysisOut(VerdictOut):
    """The whole analysis (see bouclier.analysis): fingerprints, matches, signals, verdict."""

    sha256: str
    md5: str
    pdq: str
    quality: int
    low_quality: bool
    format: str
    width: int
    height: int
    sexual: bool
    revealing: bool
    signals: list[SignalOut]
    timings_ms: dict[str, float]


class BankOut(BaseModel):
    name: str
    kind: str = Field(json_schema_extra=one_of(BANK_KINDS))
    threshold: int
    size: int
    created_at: str


class BanksOut(BaseModel):
    banks: list[BankOut]


class ChangeOut(BaseModel):
    cursor: int
    op: str = Field(description=listed(CHANGE_OPS), json_schema_extra=one_of(CHANGE_OPS))
    entry_id: int = Field(description="The entry, by id (as in webhook bodies).")
    entry: int = Field(
        description="Deprecated: the same as entry_id; removed in the next version.",
        json_schema_extra={"deprecated": True},
    )
    signal_type: str = Field(description="The signal type of the value (pdq, sha256, md5...).")
    value: str | None = Field(
        description="The hash; null for a removal of a withdrawn case's hash (as in webhook "
        "bodies): drop it by entry_id."
    )
    pdq: str | None = Field(
        description="The value, for a PDQ entry (what followers written before signal types "
        "read); null for other signal types."
    )
    quality: int | None = Field(description="The PDQ quality, 0-100; null if unknown or gone.")
    reviewed: bool | None = Field(
        description="False for a hash a victim reported that no analyst has confirmed yet (never "
        "blocked on alone); null once the entry is gone."
    )
    minor: bool | None = Field(
        description="The entry belongs to a case concerning a minor; null once it is gone."
    )
    created_at: str


#: The header that signs a page of changes (bouclier.banks.sharing).
SIGNATURE_HEADERS = {
    "Bouclier-Page-Signature": {
        "description": "ed25519=<base64 signature of the body's bytes>; key=<fingerprint of the "
        "instance key, GET /v1/evidence/signing-key>",
        "schema": {"type": "string"},
    }
}


class ChangesOut(BaseModel):
    bank: str = Field(description="The bank these changes are of (signed with them).")
    since: int = Field(description="The cursor asked from (signed with the changes).")
    changes: list[ChangeOut]
    next: int = Field(description="The cursor to ask from next.")
    more: bool = Field(description="More changes are waiting: ask again at once.")


class BankDeleted(BaseModel):
    deleted: str
    entries: int


class EntriesAdded(BaseModel):
    bank: str
    entries: list[int]


class EntryRemoved(BaseModel):
    bank: str
    removed: int


class ImageAdded(BaseModel):
    bank: str
    entry: int
    pdq: str
    quality: int
    signal_type: str = Field(description="The signal type of the entry added (pdq).")
    robust_entry: int | None = Field(
        default=None,
        description=(
            "The entry of the image's ORB keypoints (crop-robust, server-side only), added "
            "beside its PDQ; none when the image has too few keypoints."
        ),
    )


class GuardReasonOut(BaseModel):
    code: str
    term: str
    lang: str | None = None


class GuardOut(BaseModel):
    decision: str = Field(
        description="allow, refuse, or review (an uncovered language, or the floor under the "
        "model's overrule: an instruction to undress a person the model reads as harmless)"
    )
    score: float
    threshold: float
    reasons: list[GuardReasonOut]
    languages: list[str]
    coverage: str | None = Field(
        default=None, description="full, model or none: whether the prompt's language is covered"
    )
    explanation: str | None = Field(default=None, description="why, in one sentence")
    stages: dict[str, float] | None = Field(
        default=None,
        description="each stage's own score: lexicon, model; with a context, also context "
        "(the conversation read whole), continues (the prompt carries the previous one on) and "
        "previous (the model's harm for the previous request alone)",
    )


class GuardBatchOut(BaseModel):
    results: list[GuardOut]

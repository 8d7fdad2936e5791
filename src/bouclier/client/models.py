"""The API's answers as the client reads them: typed, and open to fields added later.

Each model mirrors a response model of :mod:`bouclier.api.schemas` (a test holds them together),
with ``extra="allow"``: a newer server may add fields (delta-sync entries gain ``quality``,
``reviewed`` and ``minor``) and an older client must keep working, with the new fields still
reachable in ``model_extra``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Hashes(Answer):
    sha256: str
    md5: str
    format: str
    width: int
    height: int
    pdq: str
    quality: int
    orientations: dict[str, str]
    frames: int


class MatchedFrame(Answer):
    """A frame of the uploaded video and the banked video's frame nearest to it (vPDQ)."""

    query_frame: int
    query_time: float
    target_frame: int
    target_time: float
    distance: int


class Match(Answer):
    bank: str
    bank_kind: str
    entry: int
    signal_type: str = "pdq"
    distance: int
    orientation: str
    frame: int = 0
    reviewed: bool = False
    stage: str = "direct"
    region: list[int] | None = None
    inliers: int | None = None
    corners: list[list[float]] | None = None
    query_percent: float | None = None  # a video's vPDQ match: share of its frames found
    target_percent: float | None = None  # and of the banked video's frames found in it
    frames: list[MatchedFrame] | None = None  # a vPDQ match: which frames matched


class Reason(Answer):
    code: str
    message: str


class Verdict(Answer):
    verdict: str
    priority: str
    escalate: bool
    reasons: list[Reason]
    matches: list[Match]

    @property
    def blocked(self) -> bool:
        return self.verdict == "BLOCK"


class ImageMatch(Verdict):
    sha256: str
    pdq: str
    quality: int
    low_quality: bool


class VideoMatch(Verdict):
    media: str
    sha256: str
    md5: str
    frames_hashed: int


class VideoHashes(Answer):
    media: str
    sha256: str
    md5: str
    container: str
    codec: str
    width: int
    height: int
    fps: float
    frames: int
    duration: float
    vpdq: list[str]  # ThreatExchange's lines: frame,quality,pdq,timestamp

    @property
    def vpdq_text(self) -> str:
        """The reference's hash file: what a bank entry's ``value`` of type ``vpdq`` takes."""
        return "".join(f"{line}\n" for line in self.vpdq)


class HashMatch(Verdict):
    signal_type: str
    value: str
    pdq: str | None = None


class HashMatches(Answer):
    results: list[HashMatch]


class Signal(Answer):
    detector: str
    label: str
    score: float
    box: list[int] | None = None
    details: dict[str, object] = {}


class Analysis(Verdict):
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
    signals: list[Signal]
    timings_ms: dict[str, float]


class GuardReason(Answer):
    code: str
    term: str
    lang: str | None = None


class GuardDecision(Answer):
    decision: str
    score: float
    threshold: float
    reasons: list[GuardReason]
    languages: list[str]
    coverage: str | None = None  # full, model or none: whether the prompt's language is covered
    explanation: str | None = None
    stages: dict[str, float] | None = None  # each stage's own score: lexicon, model

    @property
    def refused(self) -> bool:
        return self.decision == "refuse"


class Bank(Answer):
    name: str
    kind: str
    threshold: int
    size: int
    created_at: str


class Banks(Answer):
    banks: list[Bank]


class Change(Answer):
    cursor: int
    op: str
    entry: int  # deprecated alias of entry_id
    entry_id: int | None = None  # None only from a server older than the field
    signal_type: str = "pdq"
    value: str | None  # None: a removal after a victim's withdrawal (the hash is gone)
    pdq: str | None = None
    created_at: str
    quality: int | None = None
    reviewed: bool | None = None
    minor: bool | None = None


class Changes(Answer):
    bank: str | None = None
    since: int | None = None
    changes: list[Change]
    next: int
    more: bool


class EntriesAdded(Answer):
    bank: str
    entries: list[int]


class EntryRemoved(Answer):
    bank: str
    removed: int


class BankDeleted(Answer):
    deleted: str
    entries: int


class ImageAdded(Answer):
    bank: str
    entry: int
    pdq: str
    quality: int
    signal_type: str = "pdq"
    robust_entry: int | None = None


class Feedback(Answer):
    id: int
    platform: str
    bank: str | None
    entry_id: int | None
    signal_type: str
    value: str
    pdq: str | None
    action: str
    status: str
    url: str | None
    created_at: str
    reviewed_by: str | None
    reviewed_at: str | None


class Webhook(Answer):
    id: int
    name: str
    url: str
    events: list[str]
    created_at: str
    disabled_at: str | None


class WebhookCreated(Webhook):
    secret: str


class Webhooks(Answer):
    webhooks: list[Webhook]


class WebhookDeleted(Answer):
    deleted: int


class Delivery(Answer):
    id: int
    webhook_id: int
    event: str
    entry_id: int | None
    first_cursor: int | None
    last_cursor: int | None
    status: str
    attempts: int
    next_attempt_at: str
    last_status: int | None
    last_error: str | None
    created_at: str
    delivered_at: str | None


class Deliveries(Answer):
    deliveries: list[Delivery]
    next: int | None

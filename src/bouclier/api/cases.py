"""Routes on cases: a victim opens one without any key, then comes back with the case secret;
analysts work the queue with their keys.

- ``POST /v1/cases`` is public (``security: []``): the number and the secret are answered once.
  It needs a challenge (``GET /v1/cases/challenge``, public too: a small proof of work, used
  once) and is limited per client and globally, all before the secret's argon2 hash is made
  (:mod:`bouclier.api.intake`); a case opened without a solved challenge or in a burst is
  unverified and waits behind the others in the queue until an analyst looks.
- A case's own routes (``/v1/cases/{number}...``) admit its secret, sent as ``X-Case-Secret``,
  or an analyst key. Attempts count against the case number from this client, the client, and
  the case number from everyone, in the same limiter as the portal's login
  (:mod:`bouclier.cases.attempts`): growing waits, answered 429 with ``Retry-After``, never a
  lock of the owner. The gate (:mod:`bouclier.api.gate`) checks the secret before the body is
  read.
- ``GET /v1/cases`` (the queue) and reviewing items are for analysts.

Hashes come from the victim's device (the portal's pdq.js, or any client computing PDQ): images
are never sent here. Hashes enter the victim bank at once; this process's matcher catches up before
the answer, others within about a second.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from bouclier.api.auth import PUBLIC, Public, Require, bearer, require
from bouclier.api.forwarded import client_host
from bouclier.api.images import services_of
from bouclier.api.intake import CaseIntake, client_of
from bouclier.api.problems import Unauthenticated
from bouclier.api.schemas import RequestModel, one_of
from bouclier.cases import CaseInfo, Cases, HashReport, ItemInfo
from bouclier.cases.attempts import SecretLimiter, case_subject
from bouclier.cases.challenge import MAX_TOKEN
from bouclier.cases.store import MAX_ITEMS_PER_CALL
from bouclier.storage.models import utc_iso
from bouclier.vocabulary import (
    CASE_ITEM_KINDS,
    CASE_ITEM_STATUSES,
    CASE_STATUSES,
    FEEDBACK_ACTIONS,
    REVIEW_DECISIONS,
    listed,
)

router = APIRouter(prefix="/v1/cases", tags=["cases"])
CASE_SCHEME = "caseSecret"
_case_secret = APIKeyHeader(
    name="X-Case-Secret",
    auto_error=False,
    scheme_name=CASE_SCHEME,
    description="The secret given when the case was opened (for a victim's own case).",
)


class CaseAccess(Require):
    """The case's secret (``X-Case-Secret``) for its own case, or an analyst (or admin) key."""

    def __init__(self) -> None:
        super().__init__("analyst")

    async def __call__(  # type: ignore[override]
        self,
        request: Request,
        number: str,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        secret: Annotated[str | None, Depends(_case_secret)],
    ) -> CaseInfo | None:
        if secret is None:
            await super().__call__(request, credentials)
            return None
        checked = request.scope.get("state", {}).get(CHECKED)
        if checked is not None and checked[0] == (number, secret):
            case: CaseInfo = checked[1]  # the gate checked it, before reading the body
            return case
        return await self.verify(request, number, secret)

    async def verify(self, request: Request, number: str, secret: str) -> CaseInfo:
        """The case whose number and secret these are; TooManyAttempts while this client (or
        everyone, for this case) must wait, Unauthenticated when wrong (bouclier.cases.attempts)."""
        limiter: SecretLimiter = request.app.state.secret_limiter
        case = await run_in_threadpool(
            limiter.attempt,
            case_subject(number),  # as the portal counts them
            client_host(request.scope),
            lambda: cases_of(request).authenticate(number, secret),
        )
        if case is None:
            raise Unauthenticated("wrong case number or secret")
        return case


#: Where the gate leaves a case it authenticated: ``((number, secret), case)``.
CHECKED = "case_access"


def cases_of(request: Request) -> Cases:
    services = services_of(request)
    return Cases(services.db, services.settings, banks=services.store)


_case = CaseAccess()
_analyst = [Depends(require("analyst"))]


class CaseCreate(RequestModel):
    multiline = frozenset({"contact"})

    language: str = Field(default="en", description="fr, es or en: the language of the case.")
    minor: bool = Field(default=False, description="The person shown is under 18.")
    sextortion: bool = Field(default=False, description="Someone asked for money or more images.")
    contact: str | None = Field(
        default=None, max_length=500, description="Optional: how the hotline can reach you."
    )
    invitation: str | None = Field(
        default=None, max_length=60, description="Optional: a collective case's invitation code."
    )
    challenge: str | None = Field(
        default=None,
        max_length=MAX_TOKEN,
        description="A challenge from GET /v1/cases/challenge (required; each opens one case).",
    )
    answer: str | None = Field(
        default=None,
        max_length=32,
        description="Its solution: 1-32 characters of [0-9A-Za-z_-] such that SHA-256 of "
        "'challenge:answer' starts with `bits` zero bits. Without it the challenge counts once "
        "`wait_seconds` old, under a tighter limit, and the case is opened unverified.",
    )


class ChallengeOut(BaseModel):
    challenge: str = Field(description="Send it back with the case, once, before it expires.")
    bits: int = Field(description="Leading zero bits SHA-256('challenge:answer') must have.")
    algorithm: str = Field(description="Always sha256.")
    wait_seconds: int = Field(description="Without an answer, how old the challenge must be.")
    expires_at: str


class CaseOut(BaseModel):
    number: str
    status: str = Field(json_schema_extra=one_of(CASE_STATUSES))
    language: str
    minor: bool
    sextortion: bool
    collective: bool
    merged_into: str | None
    created_at: str
    updated_at: str
    verified: bool = Field(
        description="False for a case opened without a solved challenge or in a burst from one "
        "client: it waits behind the others in the queue until an analyst looks."
    )


class CaseCreated(CaseOut):
    secret: str = Field(description="Shown once: keep it to come back to the case.")


class ItemOut(BaseModel):
    id: int
    kind: str = Field(json_schema_extra=one_of(CASE_ITEM_KINDS))
    status: str = Field(json_schema_extra=one_of(CASE_ITEM_STATUSES))
    created_at: str
    pdq: str | None = None
    quality: int | None = None
    low_quality: bool = False
    sha256: str | None = None
    url: str | None = None
    platform: str | None = None


class ReuploadOut(BaseModel):
    platform: str
    action: str = Field(json_schema_extra=one_of(FEEDBACK_ACTIONS))
    at: str


class CaseDetail(CaseOut):
    items: list[ItemOut]
    reuploads: list[ReuploadOut]


class HashIn(RequestModel):
    pdq: str = Field(description="64 hex characters, computed on the victim's device.")
    quality: int | None = Field(default=None, description="PDQ quality, 0 to 100.")
    sha256: str | None = Field(default=None, description="SHA-256 of the file, 64 hex.")


class HashesIn(RequestModel):
    hashes: list[HashIn] = Field(min_length=1, max_length=MAX_ITEMS_PER_CALL)


class UrlsIn(RequestModel):
    urls: list[str] = Field(min_length=1, max_length=MAX_ITEMS_PER_CALL)


class ItemsOut(BaseModel):
    added: list[ItemOut]


class QueueItem(BaseModel):
    case: CaseOut
    items: int
    pending: int
    reuploads: int
    open_notices: int
    overdue_notices: int


class QueueOut(BaseModel):
    cases: list[QueueItem]


class Review(RequestModel):
    decision: str = Field(
        description=f"{listed(REVIEW_DECISIONS)} (a rejected hash becomes a known false positive).",
        json_schema_extra=one_of(REVIEW_DECISIONS),
    )


class Withdrawn(BaseModel):
    number: str
    items: int
    hashes: int
    evidence: int
    enrolments: int
    at: str


def case_out(case: CaseInfo) -> dict[str, Any]:
    return {
        "number": case.number,
        "status": case.status,
        "language": case.language,
        "minor": case.minor,
        "sextortion": case.sextortion,
        "collective": case.collective_id is not None,
        "merged_into": case.merged_into,
        "created_at": utc_iso(case.created_at),
        "updated_at": utc_iso(case.updated_at),
        "verified": case.verified,
    }


def item_out(item: ItemInfo) -> ItemOut:
    return ItemOut(
        id=item.id,
        kind=item.kind,
        status=item.status,
        created_at=utc_iso(item.created_at),
        pdq=item.pdq,
        quality=item.quality,
        low_quality=item.low_quality,
        sha256=item.sha256,
        url=item.url,
        platform=item.platform,
    )


@router.post("", status_code=201, dependencies=[Depends(Public())], openapi_extra=PUBLIC)
async def create_case(request: Request, body: CaseCreate) -> CaseCreated:
    """Opens a case, anonymously, with a challenge from ``GET /v1/cases/challenge`` (422
    ``challenge_*`` without a valid one; 429 past the per-client or global limit: both checked
    before any work). The answer holds the case number and its secret, once."""
    intake = intake_of(request)
    client = client_of(request)
    admitted = await run_in_threadpool(intake.admit, client, body.challenge, body.answer)
    case, secret = await run_in_threadpool(
        lambda: cases_of(request).create(
            language=body.language,
            minor=body.minor,
            sextortion=body.sextortion,
            contact=body.contact,
            invitation=body.invitation,
            verified=admitted.verified,
        )
    )
    return CaseCreated(**case_out(case), secret=secret)


@router.get("/challenge", dependencies=[Depends(Public())], openapi_extra=PUBLIC)
async def case_challenge(request: Request) -> ChallengeOut:
    """A challenge to open a case with: find an answer such that SHA-256 of
    ``challenge + ":" + answer`` starts with ``bits`` zero bits (a counter in decimal will do),
    then send both with ``POST /v1/cases``. Each challenge opens one case and expires."""
    made = await run_in_threadpool(intake_of(request).challenges.issue)
    return ChallengeOut(
        challenge=made.token,
        bits=made.bits,
        algorithm="sha256",
        wait_seconds=intake_of(request).challenges.wait_seconds,
        expires_at=utc_iso(made.expires_at),
    )


def intake_of(request: Request) -> CaseIntake:
    intake = services_of(request).intake
    assert intake is not None  # made by Services.start
    return intake


@router.get("", dependencies=_analyst)
async def case_queue(request: Request) -> QueueOut:
    """Open cases, most urgent first: a minor, then sextortion, then the oldest."""
    queue = await run_in_threadpool(cases_of(request).queue)
    return QueueOut(
        cases=[
            QueueItem(
                case=CaseOut(**case_out(q.case)),
                items=q.items,
                pending=q.pending,
                reuploads=q.reuploads,
                open_notices=q.open_notices,
                overdue_notices=q.overdue_notices,
            )
            for q in queue
        ]
    )


@router.get("/{number}", dependencies=[Depends(_case)])
async def get_case(request: Request, number: str) -> CaseDetail:
    """A case: its status, items and the re-uploads platforms blocked (never an image)."""
    cases = cases_of(request)

    def read() -> CaseDetail:
        case = cases.get(number)
        return CaseDetail(
            **case_out(case),
            items=[item_out(i) for i in cases.items(number)],
            reuploads=[
                ReuploadOut(platform=r.platform, action=r.action, at=utc_iso(r.at))
                for r in cases.reuploads(number)
            ],
        )

    return await run_in_threadpool(read)


@router.post("/{number}/hashes", status_code=201, dependencies=[Depends(_case)])
async def add_case_hashes(request: Request, number: str, body: HashesIn) -> ItemsOut:
    """Adds hashes computed on the victim's device; they are matched from now on."""
    actor = _actor(request)
    reports = [HashReport(h.pdq, h.quality, h.sha256) for h in body.hashes]
    added = await run_in_threadpool(
        lambda: cases_of(request).add_hashes(number, reports, actor=actor)
    )
    await run_in_threadpool(services_of(request).refresh_matcher)
    return ItemsOut(added=[item_out(i) for i in added])


@router.post("/{number}/urls", status_code=201, dependencies=[Depends(_case)])
async def add_case_urls(request: Request, number: str, body: UrlsIn) -> ItemsOut:
    """Adds links where an image was seen (http or https); the platform is recognised."""
    actor = _actor(request)
    added = await run_in_threadpool(
        lambda: cases_of(request).add_urls(number, body.urls, actor=actor)
    )
    return ItemsOut(added=[item_out(i) for i in added])


@router.post("/{number}/items/{item}/review", dependencies=_analyst)
async def review_case_item(request: Request, number: str, item: int, body: Review) -> ItemOut:
    """Confirms a hash, or rejects it (it leaves the victim bank for the known false positives)."""
    actor = f"analyst-key:{getattr(request.state, 'api_key_id', '?')}"
    reviewed = await run_in_threadpool(
        lambda: cases_of(request).review_item(number, item, body.decision, actor=actor)
    )
    await run_in_threadpool(services_of(request).refresh_matcher)
    return item_out(reviewed)


@router.delete("/{number}", dependencies=[Depends(_case)])
async def withdraw_case(request: Request, number: str) -> Withdrawn:
    """Withdraws a case: its hashes leave the banks and everything of it is deleted, for real."""
    done = await run_in_threadpool(cases_of(request).withdraw, number)
    await run_in_threadpool(services_of(request).refresh_matcher)
    return Withdrawn(
        number=done.case_number,
        items=done.items,
        hashes=done.hashes,
        evidence=done.evidence,
        enrolments=done.enrolments,
        at=utc_iso(done.at),
    )


def _actor(request: Request) -> str:
    key_id = getattr(request.state, "api_key_id", None)
    return "victim" if key_id is None else f"analyst-key:{key_id}"

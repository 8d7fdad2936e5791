"""Routes on feedback: platforms say what they did with a match; analysts review false positives.

``POST /v1/feedback`` (platforms): ``blocked`` or ``not_blocked`` is recorded; ``false_positive``
waits for an analyst. ``GET /v1/feedback?status=pending`` lists the queue; ``confirm`` moves the
platform's hash into the known-false-positive bank (so the next match of it is allowed), ``reject``
leaves the match standing. See :mod:`bouclier.feedback.store`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field, model_validator
from starlette.concurrency import run_in_threadpool

from bouclier.accounts.api_keys import KeyInfo
from bouclier.api import schemas
from bouclier.api.auth import require
from bouclier.api.images import services_of
from bouclier.api.schemas import one_of, pattern_of
from bouclier.banks.store import MAX_CURSOR
from bouclier.feedback.store import MAX_PAGE, VIDEO_FEEDBACK, FeedbackInfo, FeedbackStore
from bouclier.signals import DEFAULT
from bouclier.signals.vpdq import NAME as VPDQ
from bouclier.vocabulary import FEEDBACK_ACTIONS, FEEDBACK_STATUSES, FeedbackAction, listed

router = APIRouter(prefix="/v1/feedback", tags=["feedback"])
Platform = Annotated[KeyInfo, Depends(require("platform"))]
Analyst = Annotated[KeyInfo, Depends(require("analyst"))]
FeedbackId = Annotated[int, Path(ge=1, le=MAX_CURSOR, description="The feedback's id.")]


class FeedbackIn(schemas.RequestModel):
    entry_id: int = Field(ge=1, le=MAX_CURSOR, description="The bank entry the match named.")
    signal_type: str = Field(default=DEFAULT, max_length=32, description="pdq, sha256, md5...")
    pdq: str | None = Field(
        default=None, max_length=200, description="The platform's image PDQ, as matched."
    )
    value: str | None = Field(
        default=None,
        max_length=4096,
        description="Or the hash that matched, of signal_type. A video match: its sha256 "
        "(signal_type sha256), never a vPDQ value.",
    )
    action: FeedbackAction
    url: str | None = Field(default=None, max_length=2000, description="Where the image was.")

    @model_validator(mode="before")
    @classmethod
    def _no_vpdq(cls, data: Any) -> Any:
        """Before the value's length is checked: a vPDQ value is refused for what it is."""
        if isinstance(data, dict) and data.get("signal_type") == VPDQ:
            raise ValueError(VIDEO_FEEDBACK)
        return data

    @model_validator(mode="after")
    def _one_value(self) -> FeedbackIn:
        schemas.pdq_or_values(self.pdq, self.value, self.signal_type)
        return self


class FeedbackOut(BaseModel):
    id: int
    platform: str
    bank: str | None
    entry_id: int | None
    signal_type: str
    value: str
    pdq: str | None = Field(description="The value, for a PDQ hash; null otherwise.")
    action: str = Field(json_schema_extra=one_of(FEEDBACK_ACTIONS))
    status: str = Field(
        description=listed(FEEDBACK_STATUSES), json_schema_extra=one_of(FEEDBACK_STATUSES)
    )
    url: str | None
    created_at: str
    reviewed_by: str | None
    reviewed_at: str | None


class FeedbackPage(BaseModel):
    feedback: list[FeedbackOut]
    next: int | None = Field(description="Pass as `before` for the next page; null: the end.")


def _out(info: FeedbackInfo) -> FeedbackOut:
    return FeedbackOut.model_validate(info.to_dict())


def _store(request: Request) -> FeedbackStore:
    return FeedbackStore(services_of(request).store)


@router.post("", status_code=201)
async def give_feedback(request: Request, key: Platform, body: FeedbackIn) -> FeedbackOut:
    """What the platform did with a match (404 ``entry_not_found``, 422 ``invalid_hash``)."""
    store = _store(request)
    info = await run_in_threadpool(
        lambda: store.record(
            platform=key.name,
            api_key_id=key.id,
            entry_id=body.entry_id,
            pdq_hash=schemas.pdq_or_values(body.pdq, body.value, body.signal_type),
            signal_type=body.signal_type,
            action=body.action,
            url=body.url,
        )
    )
    return _out(info)


@router.get("")
async def list_feedback(
    request: Request,
    key: Analyst,
    status: Annotated[
        str | None,
        Query(
            pattern=pattern_of(FEEDBACK_STATUSES),
            description="Only these.",
            json_schema_extra=one_of(FEEDBACK_STATUSES),
        ),
    ] = None,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_CURSOR, description="Feedback older than this id.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="At most this many.")] = 100,
) -> FeedbackPage:
    """Feedback, newest first; ``status=pending`` is the analysts' queue of false positives."""
    store = _store(request)
    found = await run_in_threadpool(lambda: store.list(status=status, before=before, limit=limit))
    return FeedbackPage(
        feedback=[_out(f) for f in found], next=found[-1].id if len(found) == limit else None
    )


@router.post("/{feedback_id}/confirm")
async def confirm_feedback(request: Request, key: Analyst, feedback_id: FeedbackId) -> FeedbackOut:
    """Confirms a false positive: its hash joins the known-false-positive bank (409
    ``feedback_decided`` if it was rejected)."""
    services = services_of(request)
    store = _store(request)
    info = await run_in_threadpool(lambda: store.confirm(feedback_id, reviewer=key.name))
    await run_in_threadpool(services.refresh_matcher)
    return _out(info)


@router.post("/{feedback_id}/reject")
async def reject_feedback(request: Request, key: Analyst, feedback_id: FeedbackId) -> FeedbackOut:
    """Rejects a false positive: the match stands (409 ``feedback_decided`` if confirmed)."""
    store = _store(request)
    return _out(await run_in_threadpool(lambda: store.reject(feedback_id, reviewer=key.name)))

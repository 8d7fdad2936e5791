"""Routes on webhooks: a platform registers its endpoints, reads their delivery log, retries.

A platform key sees and manages only its own webhooks (another's answers 404); an admin key sees
all. The signing secret is in the answer to ``POST /v1/webhooks`` only. Bodies, headers and the
signature are described in :mod:`bouclier.webhooks.signing` and :mod:`bouclier.webhooks.outbox`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from bouclier.accounts.api_keys import KeyInfo
from bouclier.api.auth import require
from bouclier.api.images import services_of
from bouclier.api.schemas import RequestModel, one_of, pattern_of
from bouclier.banks.store import MAX_CURSOR
from bouclier.vocabulary import DELIVERY_STATUSES, WEBHOOK_EVENTS, listed
from bouclier.webhooks.store import MAX_PAGE, DeliveryInfo, WebhookInfo, WebhookStore

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
Platform = Annotated[KeyInfo, Depends(require("platform"))]
WebhookId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The webhook's id.")]
DeliveryId = Annotated[int, Path(ge=1, le=MAX_CURSOR, description="The delivery's id.")]


EventName = Annotated[str, Field(json_schema_extra=one_of(WEBHOOK_EVENTS))]


class WebhookIn(RequestModel):
    name: str = Field(min_length=1, max_length=100, description="A name to tell webhooks apart.")
    url: str = Field(
        min_length=1,
        max_length=2000,
        description="https:// URL without credentials, resolving to public addresses only "
        "(http:// and internal addresses only for hosts the operator allowed).",
    )
    events: list[EventName] | None = Field(
        default=None,
        max_length=len(WEBHOOK_EVENTS),
        description=f"Some of {', '.join(WEBHOOK_EVENTS)}; default: all.",
    )


class WebhookEventsIn(RequestModel):
    events: list[EventName] = Field(
        max_length=len(WEBHOOK_EVENTS),
        description=f"The events to receive from now on: some of {', '.join(WEBHOOK_EVENTS)}.",
    )


class WebhookOut(BaseModel):
    id: int
    name: str
    url: str
    events: list[EventName]
    created_at: str
    disabled_at: str | None


class WebhookCreated(WebhookOut):
    secret: str = Field(description="The signing secret (whsec_...): shown this once only.")


class WebhookList(BaseModel):
    webhooks: list[WebhookOut]


class WebhookDeleted(BaseModel):
    deleted: int


class DeliveryOut(BaseModel):
    id: int
    webhook_id: int
    event: str = Field(json_schema_extra=one_of(WEBHOOK_EVENTS))
    entry_id: int | None = Field(description="The bank entry of a takedown request, if any.")
    first_cursor: int | None = Field(
        description="A hash event's first change in the bank change log (null otherwise)."
    )
    last_cursor: int | None = Field(
        description="A hash event's last change in the bank change log (null otherwise)."
    )
    status: str = Field(
        description=listed(DELIVERY_STATUSES), json_schema_extra=one_of(DELIVERY_STATUSES)
    )
    attempts: int
    next_attempt_at: str
    last_status: int | None = Field(description="The last HTTP status answered, if any.")
    last_error: str | None
    created_at: str
    delivered_at: str | None


class DeliveryPage(BaseModel):
    deliveries: list[DeliveryOut]
    next: int | None = Field(description="Pass as `before` for the next page; null: the end.")


def _owner(key: KeyInfo) -> int | None:
    """The key whose webhooks a caller may see: its own, or every key's for an admin."""
    return None if key.role == "admin" else key.id


def _webhook(info: WebhookInfo) -> WebhookOut:
    data = info.to_dict()
    data.pop("api_key_id")
    return WebhookOut.model_validate(data)


def _delivery(info: DeliveryInfo) -> DeliveryOut:
    return DeliveryOut.model_validate(info.to_dict())


def _store(request: Request) -> WebhookStore:
    services = services_of(request)
    return WebhookStore.from_settings(services.db, services.settings)


@router.post("", status_code=201)
async def create_webhook(request: Request, key: Platform, body: WebhookIn) -> WebhookCreated:
    """Registers an endpoint for events; answers its signing secret, shown this once. 409
    ``webhook_limit_reached`` when the key has BOUCLIER_WEBHOOKS_PER_KEY webhooks already."""
    info, secret = await run_in_threadpool(
        _store(request).create, body.name, body.url, body.events, api_key_id=key.id
    )
    return WebhookCreated(**_webhook(info).model_dump(), secret=secret)


@router.get("")
async def list_webhooks(request: Request, key: Platform) -> WebhookList:
    """The caller's webhooks (every webhook for an admin)."""
    store = _store(request)
    found = await run_in_threadpool(lambda: store.webhooks(api_key_id=_owner(key)))
    return WebhookList(webhooks=[_webhook(w) for w in found])


@router.put("/{webhook_id}/events")
async def set_webhook_events(
    request: Request, key: Platform, webhook_id: WebhookId, body: WebhookEventsIn
) -> WebhookOut:
    """Replaces the events a webhook receives (a webhook made before ``hash.updated`` existed
    opts in here). Bank changes made before the call are delivered under the old list; 422
    ``invalid_webhook_events``, 404 ``webhook_not_found``."""
    store = _store(request)
    info = await run_in_threadpool(
        lambda: store.set_events(webhook_id, body.events, api_key_id=_owner(key))
    )
    return _webhook(info)


@router.delete("/{webhook_id}")
async def delete_webhook(request: Request, key: Platform, webhook_id: WebhookId) -> WebhookDeleted:
    """Deletes a webhook and its delivery log (404 ``webhook_not_found``)."""
    store = _store(request)
    await run_in_threadpool(lambda: store.delete(webhook_id, api_key_id=_owner(key)))
    return WebhookDeleted(deleted=webhook_id)


@router.get("/{webhook_id}/deliveries")
async def list_deliveries(
    request: Request,
    key: Platform,
    webhook_id: WebhookId,
    status: Annotated[
        str | None,
        Query(
            pattern=pattern_of(DELIVERY_STATUSES),
            description="Only these.",
            json_schema_extra=one_of(DELIVERY_STATUSES),
        ),
    ] = None,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_CURSOR, description="Deliveries older than this id.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="At most this many.")] = 100,
) -> DeliveryPage:
    """A webhook's delivery log, newest first: attempts, last HTTP status, last error."""
    store = _store(request)
    found = await run_in_threadpool(
        lambda: store.deliveries(
            webhook_id, api_key_id=_owner(key), status=status, before=before, limit=limit
        )
    )
    return DeliveryPage(
        deliveries=[_delivery(d) for d in found],
        next=found[-1].id if len(found) == limit else None,
    )


@router.post("/{webhook_id}/deliveries/{delivery_id}/retry")
async def retry_delivery(
    request: Request, key: Platform, webhook_id: WebhookId, delivery_id: DeliveryId
) -> DeliveryOut:
    """Sends a delivered or failed delivery again, now (409 ``delivery_pending`` if it is still
    waiting to go out)."""
    store = _store(request)
    info = await run_in_threadpool(
        lambda: store.redeliver(webhook_id, delivery_id, api_key_id=_owner(key))
    )
    return _delivery(info)

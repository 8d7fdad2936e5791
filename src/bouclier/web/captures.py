"""Captures on the pages: the analyst captures a URL now and sees every capture (previews
blurred); the victim sees where each link stands (still online, gone, changed) and may ask for a
capture of a link, at most once an hour per link. Small on purpose: the case pages include
``console/_captures.j2`` and ``portal/_captures.j2``, and this module's routes do the rest.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from bouclier.capture import CaptureInfo, Captures
from bouclier.errors import BouclierError, InputError, NotFound
from bouclier.storage.models import utcnow
from bouclier.web import common, console, portal

router = APIRouter(include_in_schema=False)
#: How often a victim may ask for a capture of one link (each costs a browser's visit).
VICTIM_EVERY = timedelta(hours=1)


def captures_of(request: Request) -> Captures:
    services = request.app.state.services
    return Captures(services.db, services.settings, banks=services.store)


def rows(request: Request, number: str) -> list[dict[str, Any]]:
    """What the partial templates show of each capture, newest first."""
    found: list[CaptureInfo] = captures_of(request).list(number)
    return [
        {
            "id": c.id,
            "item": c.item_id,
            "at": c.created_at,
            "outcome": c.outcome,
            "reason": c.reason,
            "final_url": c.final_url,
            "http_status": c.http_status,
            "matched": c.matched,
            "disputed": c.reason == "removal" and c.outcome != "gone",
        }
        for c in reversed(found)
    ]


@router.post("/console/cases/{number}/items/{item_id}/capture")
async def console_capture(
    request: Request,
    number: str,
    item_id: int,
    csrf_token: str = Form(""),
    minor_confirmed: str = Form(""),
) -> Response:
    """The analyst captures a URL item now (a minor's case only with the box ticked)."""
    found = console.checked_post(request, csrf_token)
    if isinstance(found, Response):
        return found
    if minor_confirmed not in ("", "1", "yes", "on"):
        return common.forbidden(request)
    try:
        canonical = common.cases(request).get(number).number
        await run_in_threadpool(
            captures_of(request).capture,
            canonical,
            item_id,
            actor=found[1].actor,
            allow_minor=bool(minor_confirmed),
        )
    except BouclierError as exc:
        return console.back_to_case(number, error=exc)
    return common.redirect(f"/console/cases/{quote(canonical)}#captures")


@router.get("/console/cases/{number}/captures/{capture_id}/preview")
def console_preview(request: Request, number: str, capture_id: int) -> Response:
    """A capture's screenshot, small and blurred (the package itself is for the CLI)."""
    if console.analyst_session(request) is None:
        return Response(status_code=401, headers={"cache-control": "no-store"})
    try:
        image = captures_of(request).preview(common.cases(request).get(number).number, capture_id)
    except NotFound:
        image = None
    if image is None:
        return Response(status_code=404, headers={"cache-control": "no-store"})
    return Response(image, media_type="image/png", headers={"cache-control": "no-store"})


@router.post("/case/captures")
async def portal_capture(
    request: Request, csrf_token: str = Form(""), item: str = Form("")
) -> Response:
    """The victim asks for a capture of one of the case's links (not for a minor's case)."""
    found = portal.posted(request, csrf_token)
    if isinstance(found, Response):
        return found
    case = found[1]
    if not item.isdigit():
        return common.forbidden(request)
    item_id = int(item)
    store = captures_of(request)
    recent = [
        c
        for c in store.list(case.number)
        if c.item_id == item_id and c.actor == "victim" and utcnow() - c.created_at < VICTIM_EVERY
    ]
    if recent:
        return common.redirect("/case?done=capture_soon#captures")
    try:
        await run_in_threadpool(store.capture, case.number, item_id, actor="victim")
    except InputError as exc:
        if exc.code == "capture_refused_minor":
            return common.redirect("/case?done=capture_minor#captures")
        return common.redirect("/case?done=capture_failed#captures")
    except BouclierError:
        return common.redirect("/case?done=capture_failed#captures")
    return common.redirect("/case?done=captured#captures")

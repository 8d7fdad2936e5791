"""The web pages: the victim portal (:mod:`bouclier.web.portal_entry`, :mod:`bouclier.web.portal`
and the ``portal_*`` modules beside them) and the analyst console, server-rendered, in French,
Spanish and English, on what :mod:`bouclier.web.common` and :mod:`bouclier.web.sessions` share.

:func:`install` mounts them on the API's app (``create_app`` calls it): the routers, out of the
OpenAPI schema (the roles of ``/v1`` do not apply to pages: a page checks its own session), the
static files at ``/static`` and the security headers.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from bouclier.web import (
    captures,
    console,
    console_notices,
    console_platforms,
    console_queue,
    headers,
    portal,
    portal_collective,
    portal_entry,
    portal_items,
    portal_video,
)

STATIC = Path(__file__).resolve().parent / "static"
#: Path prefixes that are not web pages: the API and its documentation keep their own headers.
_NOT_PAGES = ("/v1/", "/docs", "/redoc", "/openapi.json")

router = APIRouter(include_in_schema=False)
router.include_router(portal_entry.router)
router.include_router(portal.router)
router.include_router(portal_collective.router)
router.include_router(portal_items.router)
router.include_router(portal_video.router)
router.include_router(console_queue.router)
router.include_router(console.router)
router.include_router(console_notices.router)
router.include_router(console_platforms.router)
router.include_router(captures.router)


def install(app: FastAPI) -> None:
    """Mounts the pages, ``/static`` and the security headers (the secret-guess limiter is the
    API's: :func:`bouclier.api.ratelimit.attach`)."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(
        headers.SecurityHeaders, applies=lambda path: not path.startswith(_NOT_PAGES)
    )

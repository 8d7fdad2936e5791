"""The API's documentation page, working without internet: Swagger UI (5.x, which reads the
OpenAPI 3.1 schema FastAPI writes) comes from the files the ``fastapi-offline`` package ships,
served at ``/docs/assets`` (FastAPI's default page loads them from a CDN, and is blank offline —
on a hotline's closed network for one). ReDoc is not served: even from local files it fetches
its logo from its CDN.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(str(resources.files("fastapi_offline") / "static"))
PREFIX = "/docs/assets"


def install(app: FastAPI) -> None:
    """``/docs`` (Swagger UI), its OAuth2 redirect page and ``/docs/assets``.
    The app is made with ``docs_url=None, redoc_url=None``."""
    app.mount(PREFIX, StaticFiles(directory=ASSETS), name="docs-assets")
    title = f"{app.title} — API"
    schema = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=schema,
            title=title,
            swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{PREFIX}/favicon.png",
            oauth2_redirect_url="/docs/oauth2-redirect",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

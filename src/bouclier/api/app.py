"""The composition root of the HTTP service: :func:`create_app` wires everything, once.

Routes (``images``, ``banks``), the one error handler (``problems``), the lifespan that opens the
database, builds the bank index and loads the models (``services``), the health routes, the
request id, JSON access log and metrics of every request (``observability``, ``metrics``, served
at ``/v1/metrics``), the gate that every request passes before its body is read (``gate``: client
address, body limits, keys checked first), the rate limits (``ratelimit``, their state in the
limiter store of :mod:`bouclier.limits`), the lean lookup path ``POST /v1/lookup`` (``lookup``:
the outermost middleware, doing those checks inline), the lean upload path for plain
``POST /v1/match`` uploads (``lean_match``: the route's own steps, outside the others) and the
OpenAPI schema.
Every route under ``/v1`` declares its roles with
:func:`~bouclier.api.auth.require`; ``create_app`` refuses to build an app where one does not,
and writes each route's roles into the schema (``x-roles``).
Public routes are marked ``security: []``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from bouclier import __version__
from bouclier.api import (
    banks,
    cases,
    evidence,
    feedback,
    guard,
    images,
    lookup,
    problems,
    ratelimit,
    webhooks,
)
from bouclier.api import docs as api_docs
from bouclier.api.auth import Public, Require, require
from bouclier.api.gate import Gate
from bouclier.api.intake import CaseIntake
from bouclier.api.lean_match import LeanMatch
from bouclier.api.metrics import HttpMetrics
from bouclier.api.observability import RequestObservation
from bouclier.api.services import Services
from bouclier.detectors.catalog import CATALOG
from bouclier.detectors.registry import Registry
from bouclier.limits import open_store
from bouclier.settings import Settings, load_settings
from bouclier.web import install as install_web

_PUBLIC_ROUTE: dict[str, Any] = {"security": []}
_METRICS_ROUTE: dict[str, Any] = {
    "responses": {"200": {"description": "Prometheus text format", "content": {"text/plain": {}}}},
}


def create_app(settings: Settings, *, detectors: Registry | None = None) -> FastAPI:
    """The Bouclier HTTP service; ``detectors`` defaults to those the settings name (built from
    ``bouclier.detectors.catalog``; tests pass fakes)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        chosen = detectors if detectors is not None else CATALOG.build(settings)
        services = await run_in_threadpool(Services.start, settings, chosen)
        try:
            store = await run_in_threadpool(open_store, settings, services.db)
        except BaseException:
            await run_in_threadpool(services.close)
            raise
        ratelimit.attach(app, settings, store)  # limits shared with every process, kept on restart
        if services.intake is not None:  # public case creation counts on the same store
            services.intake = CaseIntake(services.intake.challenges, settings, store)
        app.state.services = services
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(run_in_threadpool, services.load_models)
                yield
        finally:
            await run_in_threadpool(store.close)
            await run_in_threadpool(services.close)

    app = FastAPI(
        title="Bouclier",
        version=__version__,
        summary="Find and stop non-consensual intimate images: hashes, banks, matches, verdicts.",
        lifespan=lifespan,
        docs_url=None,  # served by bouclier.api.docs from local assets (offline)
        redoc_url=None,
        # Bouclier's metrics are its own (bouclier.api.metrics): FastAPI's OpenTelemetry bridge,
        # which looks for configured providers on every request, is off
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    api_docs.install(app)
    problems.install(app)
    ratelimit.install(app, settings)
    app.add_middleware(Gate, settings=settings)  # inside the access log: its refusals are logged
    metrics = HttpMetrics(app.state)
    app.add_middleware(RequestObservation, metrics=metrics)
    # outermost: answers POST /v1/lookup itself, with the same checks inline (bouclier.api.lookup)
    lookup.install(app, settings, metrics)
    # outermost: answers plain POST /v1/match uploads itself, by the route's own steps
    # (bouclier.api.lean_match; BOUCLIER_LEAN_MATCH)
    app.add_middleware(LeanMatch, settings=settings, metrics=metrics)

    @app.get("/healthz", tags=["health"], openapi_extra=_PUBLIC_ROUTE)
    async def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], openapi_extra=_PUBLIC_ROUTE)
    async def readyz(request: Request) -> JSONResponse:
        """Ready to serve: database reachable, bank index built, models loaded (else 503)."""
        services: Services | None = getattr(request.app.state, "services", None)
        checks = {"database": False, "index": False, "models": False}
        if services is not None:
            checks["database"] = await run_in_threadpool(services.database_reachable)
            checks["index"] = True
            checks["models"] = services.models_ready.is_set()
        body: dict[str, Any] = {"ready": all(checks.values()), "checks": checks}
        if services is not None and services.models_error is not None:
            body["error"] = services.models_error.to_dict()
        return JSONResponse(body, status_code=200 if body["ready"] else 503)

    # Admin only, under /v1 like every protected route (see bouclier.api.metrics for why).
    metrics_router = APIRouter(prefix="/v1", tags=["health"])

    @metrics_router.get(
        "/metrics",
        dependencies=[Depends(require("admin"))],
        openapi_extra=_METRICS_ROUTE,
        response_class=Response,
    )
    async def prometheus_metrics() -> Response:
        """Prometheus metrics: requests by route template and status, latencies, index size."""
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    for router in (
        images.router,
        banks.router,
        guard.router,
        webhooks.router,
        feedback.router,
        cases.router,
        evidence.router,
        metrics_router,
    ):
        _declare_roles(router)
        app.include_router(router)
    install_web(app)  # the portal and console pages: out of the schema, their own sessions
    return app


def route_roles(route: APIRoute) -> tuple[str, ...] | None:
    """The roles a route admits (None when it declares none)."""
    for dependency in route.dependant.dependencies:
        if isinstance(dependency.call, Require):
            return dependency.call.roles
    return None


def _declare_roles(router: APIRouter) -> None:
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise RuntimeError(f"{route!r}: only plain API routes are expected under /v1")
        if any(isinstance(d.call, Public) for d in route.dependant.dependencies):
            if (route.openapi_extra or {}).get("security") != []:
                raise RuntimeError(f"public route {route.path} must say so: openapi_extra=PUBLIC")
            continue
        roles = route_roles(route)
        if roles is None:
            raise RuntimeError(f"route {route.path} declares no roles: add require(...)")
        route.openapi_extra = {**(route.openapi_extra or {}), "x-roles": list(roles)}


def from_environment() -> FastAPI:
    """The app as configured by BOUCLIER_* variables (``bouclier serve``'s uvicorn factory)."""
    return create_app(load_settings())

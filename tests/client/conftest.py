"""A real Bouclier API served by uvicorn on a loopback port chosen by the system, in a thread of
the test process (fake detectors, so /v1/analyze runs without loading a model), and a key per
role. Also: a tiny misbehaving server (429/503 with Retry-After) for the retry tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bouclier.api import create_app
from bouclier.detectors.registry import Registry
from bouclier.settings import load_settings
from bouclier.vocabulary import API_ROLES
from tests.analysis.fakes import FakeDetector, nudity
from tests.conftest import Templates

START_WAIT_S = 30.0


@dataclass
class Served:
    url: str
    keys: dict[str, str]


def serve(app: object) -> tuple[str, Callable[[], None]]:
    """Serves an ASGI app with uvicorn on 127.0.0.1 (port 0: the system picks a free one)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(int(START_WAIT_S / 0.05)):
        if server.started or not thread.is_alive():
            break
        started.wait(0.05)
    if not server.started:
        pytest.fail("uvicorn did not start")

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()

    return f"http://127.0.0.1:{port}", stop


@pytest.fixture
def served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_templates: Templates
) -> Iterator[Served]:
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)
    settings = load_settings(
        data_dir=tmp_path / "data",
        database_url=database_templates.sqlite_copy(tmp_path / "bouclier.db"),
        max_image_bytes=2_000_000,
        webhook_allowed_hosts="127.0.0.1",
    )
    app = create_app(settings, detectors=Registry([nudity(), FakeDetector("provenance")]))
    url, stop = serve(app)
    try:
        services = app.state.services
        keys = {role: services.keys.create(f"test {role}", role)[1] for role in API_ROLES}
        yield Served(url, keys)
    finally:
        stop()


@dataclass
class Flaky:
    """A server that answers ``failures`` errors (status, Retry-After) before a good answer."""

    url: str
    failures: list[tuple[int, str | None]]
    seen: list[str]


@pytest.fixture
def flaky() -> Iterator[Flaky]:
    state = Flaky("", [], [])

    async def answer(request: Request) -> JSONResponse:
        state.seen.append(f"{request.method} {request.url.path}")
        if state.failures:
            status, retry_after = state.failures.pop(0)
            headers = {"Retry-After": retry_after} if retry_after is not None else None
            body = {
                "error": {
                    "code": "rate_limited" if status == 429 else "unavailable",
                    "message": "try later",
                }
            }
            return JSONResponse(body, status_code=status, headers=headers)
        return JSONResponse({"banks": []})

    app = Starlette(routes=[Route("/v1/banks", answer, methods=["GET", "POST"])])
    url, stop = serve(app)
    state.url = url
    try:
        yield state
    finally:
        stop()

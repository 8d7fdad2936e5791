"""A portal app for TestClient tests, and a real uvicorn server for the browser tests: a temp
SQLite data directory and fake detectors (no model is loaded)."""

from __future__ import annotations

import re
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from bouclier.api import create_app
from bouclier.api.services import Services
from bouclier.cases import Cases
from bouclier.cases.challenge import solve
from bouclier.detectors.registry import Registry
from bouclier.settings import Settings, load_settings
from tests.analysis.fakes import FakeDetector, nudity
from tests.conftest import Templates


def settings_for(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    templates: Templates | None = None,
    **more: object,
) -> Settings:
    """The settings of a test app; its SQLite database a copy of the migrated template when
    ``templates`` is given (tests/conftest.py), else empty (the app migrates it at start)."""
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)
    monkeypatch.delenv("BOUCLIER_TEMPLATE_KEY", raising=False)
    monkeypatch.delenv("BOUCLIER_TEMPLATE_KEY_FILE", raising=False)
    path = tmp_path / "bouclier.db"
    url = templates.sqlite_copy(path) if templates is not None else f"sqlite:///{path}"
    return load_settings(data_dir=tmp_path / "data", database_url=url, **more)


#: The proof of work of the TestClient portal (challenge.js solves the default 18 in a browser).
EASY_CHALLENGE = 8
_CHALLENGE = re.compile(r'data-challenge="([^"]+)" data-bits="(\d+)"')


def solved(form_html: str) -> dict[str, str]:
    """The new-case form's challenge and its answer, as challenge.js would send them."""
    found = _CHALLENGE.search(form_html)
    assert found is not None, "a new-case form without its challenge"
    return {"challenge": found.group(1), "answer": solve(found.group(1), int(found.group(2)))}


def fake_detectors() -> Registry:
    return Registry([nudity(), FakeDetector("provenance")])


@dataclass
class Portal:
    client: TestClient
    services: Services

    @property
    def cases(self) -> Cases:
        return Cases(self.services.db, self.services.settings, banks=self.services.store)


@pytest.fixture
def portal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_templates: Templates
) -> Iterator[Portal]:
    settings = settings_for(
        tmp_path, monkeypatch, templates=database_templates, case_challenge_bits=EASY_CHALLENGE
    )
    app = create_app(settings, detectors=fake_detectors())
    with TestClient(app, base_url="http://testserver") as client:
        yield Portal(client, client.app.state.services)  # type: ignore[attr-defined]


@dataclass
class LiveServer:
    url: str
    services: Services

    @property
    def cases(self) -> Cases:
        return Cases(self.services.db, self.services.settings, banks=self.services.store)


@contextmanager
def serving(settings: Settings) -> Iterator[LiveServer]:
    """The whole app under uvicorn on 127.0.0.1 (a secure context for crypto.subtle)."""
    app = create_app(settings, detectors=fake_detectors())
    # The socket is bound here and handed to uvicorn: a port only looked up (bound, closed, bound
    # again by uvicorn) could be taken meanwhile by a test on another pytest-xdist worker.
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port: int = listening.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app.state.services)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listening.close()


@pytest.fixture
def live_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_templates: Templates
) -> Iterator[LiveServer]:
    with serving(settings_for(tmp_path, monkeypatch, templates=database_templates)) as live:
        yield live

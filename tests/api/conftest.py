"""An app on each database (SQLite and PostgreSQL) with fake detectors, and a key per role."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.exceptions import StarletteDeprecationWarning

# Starlette 1.x prefers the httpx2 fork for its test client; the locked environment has httpx,
# which still works: only that one import-time notice is silenced.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from bouclier.api import create_app
from bouclier.api.services import Services
from bouclier.cases.challenge import solve
from bouclier.detectors.registry import Registry
from bouclier.settings import load_settings
from bouclier.vocabulary import API_ROLES
from tests.analysis.fakes import FakeDetector, nudity
from tests.conftest import encode, photo


@dataclass
class Api:
    client: TestClient
    services: Services
    keys: dict[str, str]

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


#: An easy proof of work for the tests (the default, 18 bits, is for the portal's JavaScript).
CHALLENGE_BITS = 8


def solved_challenge(client: TestClient) -> dict[str, str]:
    """A challenge from ``GET /v1/cases/challenge`` and its answer, as a client sends them."""
    given = client.get("/v1/cases/challenge").json()
    return {"challenge": given["challenge"], "answer": solve(given["challenge"], given["bits"])}


def image(seed: int = 1) -> bytes:
    return encode(photo(seed), quality=92)


def upload(data: bytes, name: str = "photo.jpg", mime: str = "image/jpeg") -> dict[str, object]:
    return {"files": {"file": (name, data, mime)}}


@pytest.fixture
def detectors() -> Registry:
    return Registry([nudity(), FakeDetector("provenance")])


@pytest.fixture
def api(
    database_url: str, tmp_path: Path, detectors: Registry, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Api]:
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)
    settings = load_settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        max_image_bytes=2_000_000,
        max_video_bytes=3_000_000,
        case_challenge_bits=CHALLENGE_BITS,
        webhook_allowed_hosts="127.0.0.1",  # the webhook tests' receivers (tests/webhooks)
    )
    with TestClient(create_app(settings, detectors=detectors)) as client:
        services: Services = client.app.state.services  # type: ignore[attr-defined]
        keys = {role: services.keys.create(f"test {role}", role)[1] for role in API_ROLES}
        yield Api(client, services, keys)

"""Liveness, readiness and the docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bouclier.api import create_app
from bouclier.detectors.base import Sample, Signal
from bouclier.detectors.registry import Registry
from bouclier.errors import ModelUnavailable
from bouclier.settings import load_settings
from tests.analysis.fakes import FakeDetector
from tests.api.conftest import Api, TestClient, image, upload


def test_healthz_and_readyz(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.services.models_ready.wait(30)
    ready = api.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "ready": True,
        "checks": {"database": True, "index": True, "models": True},
    }


def test_docs_page_and_schema_are_public(api: Api) -> None:
    assert api.client.get("/docs").status_code == 200
    schema = api.client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


class BrokenModel(FakeDetector):
    def load(self) -> None:
        raise ModelUnavailable("install the nudity extra", code="model_unavailable")

    def detect(self, sample: Sample) -> list[Signal]:  # pragma: no cover - never loaded
        raise AssertionError


def test_readyz_is_503_while_a_model_cannot_load(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)
    settings = load_settings(data_dir=tmp_path, database_url=database_url)
    detectors = Registry([BrokenModel("nudity"), FakeDetector("provenance")])
    with TestClient(create_app(settings, detectors=detectors)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        key = services.keys.create("p", "platform")[1]
        assert client.get("/healthz").status_code == 200
        while services.models_error is None:  # the load runs in the background: wait for it
            services.models_ready.wait(0.01)
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["models"] is False
        assert ready.json()["error"]["code"] == "model_unavailable"
        answer = client.post(
            "/v1/analyze", headers={"Authorization": f"Bearer {key}"}, **upload(image())
        )
        assert answer.status_code == 503
        assert answer.json()["error"]["code"] == "model_unavailable"


@pytest.mark.model
def test_real_models_load_and_analyze(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)
    settings = load_settings(data_dir=tmp_path, database_url=database_url)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        key = services.keys.create("p", "platform")[1]
        while not services.models_ready.is_set():
            assert services.models_error is None, services.models_error
            services.models_ready.wait(0.1)
        assert client.get("/readyz").status_code == 200
        answer = client.post(
            "/v1/analyze", headers={"Authorization": f"Bearer {key}"}, **upload(image())
        )
        assert answer.status_code == 200
        assert answer.json()["verdict"] == "ALLOW"

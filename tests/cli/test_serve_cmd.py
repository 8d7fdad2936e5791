"""``bouclier serve`` hands uvicorn its settings, a patient worker health check among them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn

from bouclier.cli.main import run
from bouclier.cli.serve_cmd import WORKER_HEALTHCHECK_S


def test_serve_gives_workers_time_to_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BOUCLIER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append({"app": app, **kwargs}))
    assert run(["serve", "--port", "8123", "--workers", "2"]) == 0
    [call] = calls
    assert call["app"] == "bouclier.api.app:from_environment"
    assert call["workers"] == 2
    assert call["port"] == 8123
    assert call["access_log"] is False
    # uvicorn's default of 5 s killed workers still loading models on a busy machine, in a loop
    assert call["timeout_worker_healthcheck"] == WORKER_HEALTHCHECK_S >= 30

"""Captures on the pages, in the real browser behind them: the analyst captures a link from the
console (a minor's case only with the box ticked) and sees its blurred preview; the victim sees
where the link stands and may ask for a capture, once an hour per link."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from bouclier.accounts.analysts import Analysts
from bouclier.api import create_app
from bouclier.api.services import Services
from bouclier.capture import Captures
from bouclier.cases import Cases
from bouclier.settings import load_settings
from tests.capture.conftest import Site, benign_jpeg
from tests.web.server import fake_detectors

pytestmark = pytest.mark.browser
PASSWORD = "a long enough passphrase"  # noqa: S105 (a test account)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, Services]]:
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)
    settings = load_settings(
        data_dir=tmp_path / "data", database_url=database_url, capture_allowed_hosts="127.0.0.1"
    )
    with TestClient(create_app(settings, detectors=fake_detectors())) as client:
        services: Services = client.app.state.services  # type: ignore[attr-defined]
        Analysts(services.db).create("alice", PASSWORD)
        yield client, services


def _csrf(client: TestClient, path: str) -> str:
    found = CSRF.search(client.get(path).text)
    assert found is not None
    return found.group(1)


def _sharpness(data: bytes) -> float:
    gray = np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=np.float64)
    lap = -4 * gray[1:-1, 1:-1] + gray[:-2, 1:-1] + gray[2:, 1:-1] + gray[1:-1, :-2]
    return float((lap + gray[1:-1, 2:]).var())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_analyst_captures_from_the_console(
    app: tuple[TestClient, Services], site: Site
) -> None:
    client, services = app
    site.html("/p", '<html><body><h1>A post</h1><img src="/a.jpg"></body></html>')
    site.image("/a.jpg", benign_jpeg(9))
    cases = Cases(services.db, services.settings, banks=services.store)
    adult, _ = cases.create()
    minor, _ = cases.create(minor=True)
    adult_item = cases.add_urls(adult.number, [f"{site.url}/p"])[0]
    minor_item = cases.add_urls(minor.number, [f"{site.url}/p"])[0]
    token = _csrf(client, "/console/login")
    client.post(
        "/console/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token}
    )

    page = client.get(f"/console/cases/{adult.number}")
    assert "Capture link #" in page.text
    token = _csrf(client, f"/console/cases/{adult.number}")
    done = client.post(
        f"/console/cases/{adult.number}/items/{adult_item.id}/capture",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    captured = Captures(services.db, services.settings).list(adult.number)
    assert [c.outcome for c in captured] == ["online"]
    page = client.get(f"/console/cases/{adult.number}")
    assert "still online" in page.text
    preview = client.get(f"/console/cases/{adult.number}/captures/{captured[0].id}/preview")
    assert preview.status_code == 200
    assert preview.headers["cache-control"] == "no-store"
    sharp = Captures(services.db, services.settings).preview(
        adult.number, captured[0].id, blur=False
    )
    assert sharp is not None
    assert _sharpness(preview.content) < _sharpness(sharp) / 4  # blurred

    refused = client.post(
        f"/console/cases/{minor.number}/items/{minor_item.id}/capture",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert "error=capture_refused_minor" in refused.headers["location"]
    assert Captures(services.db, services.settings).list(minor.number) == []
    client.post(
        f"/console/cases/{minor.number}/items/{minor_item.id}/capture",
        data={"csrf_token": token, "minor_confirmed": "1"},
        follow_redirects=False,
    )
    assert len(Captures(services.db, services.settings).list(minor.number)) == 1

    client.cookies.clear()
    anonymous = client.get(f"/console/cases/{adult.number}/captures/{captured[0].id}/preview")
    assert anonymous.status_code == 401


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_victim_sees_where_the_link_stands_and_asks_once_an_hour(
    app: tuple[TestClient, Services], site: Site
) -> None:
    client, services = app
    site.html("/p", "<h1>A post</h1>")
    cases = Cases(services.db, services.settings, banks=services.store)
    case, secret = cases.create()
    cases.add_urls(case.number, [f"{site.url}/p"])
    token = _csrf(client, "/case/login")
    login = client.post(
        "/case/login",
        data={"csrf_token": token, "number": case.number, "secret": secret},
        follow_redirects=False,
    )
    assert login.status_code == 303
    page = client.get("/case")
    assert "No capture yet." in page.text
    item = re.search(r'name="item" value="(\d+)"', page.text)
    assert item is not None
    token = _csrf(client, "/case")

    first = client.post("/case/captures", data={"csrf_token": token, "item": item.group(1)})
    assert "The link was captured." in first.text
    assert "still online" in first.text
    second = client.post("/case/captures", data={"csrf_token": token, "item": item.group(1)})
    assert "less than an hour ago" in second.text
    assert len(Captures(services.db, services.settings).list(case.number)) == 1
    forged = client.post("/case/captures", data={"csrf_token": "wrong", "item": item.group(1)})
    assert forged.status_code == 403

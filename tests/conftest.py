"""Shared fixtures: databases (SQLite file and the real PostgreSQL), benign test images."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import psycopg
import pytest
from PIL import Image

from bouclier.storage import Database

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FACES = SHARED_DATA / "faces"
POSTGRES_ADMIN = os.environ.get(
    "BOUCLIER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bouclier.db'}"
        return
    name = f"bouclier_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + (
            f"/{name}"
        )
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.open(database_url)
    yield database
    database.dispose()


def photo(seed: int, size: tuple[int, int] = (640, 480)) -> np.ndarray:
    """A benign, detailed synthetic picture: smooth colour fields, shapes and noise."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    channels = []
    for _ in range(3):
        fx, fy, phase = rng.uniform(1, 6), rng.uniform(1, 6), rng.uniform(0, 6.3)
        channels.append(np.sin(x / w * fx * 6.3 + phase) * np.cos(y / h * fy * 6.3) * 90 + 128)
    img = np.stack(channels, axis=2)
    for _ in range(6):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(w / 20, w / 5)
        mask = (x - cx) ** 2 + (y - cy) ** 2 < r * r
        img[mask] = rng.uniform(0, 255, size=3)
    img += rng.normal(0, 4, size=img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def encode(pixels: np.ndarray, fmt: str = "JPEG", **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.fixture
def photos_dir(tmp_path: Path) -> Path:
    """A folder of benign JPEG and PNG pictures, one in a subfolder, plus a text file."""
    folder = tmp_path / "photos"
    (folder / "sub").mkdir(parents=True)
    for i in range(3):
        (folder / f"p{i}.jpg").write_bytes(encode(photo(i), quality=92))
    (folder / "sub" / "p3.png").write_bytes(encode(photo(3), "PNG"))
    (folder / "notes.jpg").write_text("this is text, not a picture")
    return folder


CliResult = tuple[int, list[str], str]


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> Callable[..., CliResult]:
    """Runs ``bouclier ARGS...`` in-process on a fresh database: (code, stdout lines, stderr)."""
    from bouclier.cli.main import run

    monkeypatch.setenv("BOUCLIER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOUCLIER_DATABASE_URL", database_url)
    monkeypatch.delenv("BOUCLIER_TEMPLATE_KEY", raising=False)
    monkeypatch.delenv("BOUCLIER_TEMPLATE_KEY_FILE", raising=False)

    def invoke(*args: str) -> CliResult:
        code = run(list(args))
        captured = capsys.readouterr()
        return code, captured.out.splitlines(), captured.err

    return invoke

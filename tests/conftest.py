"""Shared fixtures: databases (SQLite file and the real PostgreSQL), benign test images."""

from __future__ import annotations

import io
import os
import shutil
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


#: A test (or module) marked ``fresh_database`` gets an EMPTY database from ``database_url``, as a
#: first start on a new machine has; the others get a copy of one migrated at the session's start.
FRESH_DATABASE = "fresh_database"


class Templates:
    """One migrated database per backend and test process, made on first use by
    :meth:`Database.open` (the migrations, as every entry point runs them), then copied for each
    test: a SQLite file copied, a PostgreSQL ``CREATE DATABASE ... TEMPLATE``, instead of every
    migration's DDL (and Alembic's loading of each script) for each test's database."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sqlite: Path | None = None
        self.postgres: str | None = None

    def sqlite_file(self) -> Path:
        if self.sqlite is None:
            path = self.folder / "template.db"
            # closing the last connection folds the WAL into the file, the one copied
            Database.open(f"sqlite:///{path}").dispose()
            self.sqlite = path
        return self.sqlite

    def sqlite_copy(self, path: Path) -> str:
        """The URL of a copy of the migrated SQLite file at ``path`` (0600, as Database makes)."""
        shutil.copyfile(self.sqlite_file(), path)
        path.chmod(0o600)
        return f"sqlite:///{path}"

    def postgres_name(self) -> str:
        if self.postgres is None:
            name = f"bouclier_template_{uuid.uuid4().hex[:12]}"
            _create_postgres(name)
            Database.open(_postgres_url(name)).dispose()  # no connection may stay: it is copied
            self.postgres = name
        return self.postgres

    def drop(self) -> None:
        if self.postgres is not None:
            _drop_postgres(self.postgres)


def _postgres_url(name: str) -> str:
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{name}"


def _create_postgres(name: str, template: str | None = None) -> None:
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{copy}')


def _drop_postgres(name: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    templates = Templates(tmp_path_factory.mktemp("database-templates"))
    yield templates
    templates.drop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database URL, a SQLite file or a new database on the PostgreSQL server: migrated
    (a copy of the session's migrated template), or empty for a test marked ``fresh_database``."""
    fresh = request.node.get_closest_marker(FRESH_DATABASE) is not None
    templates = None if fresh else request.getfixturevalue("database_templates")
    if request.param == "sqlite":
        path = tmp_path / "bouclier.db"
        yield templates.sqlite_copy(path) if templates is not None else f"sqlite:///{path}"
        return
    name = f"bouclier_test_{uuid.uuid4().hex[:12]}"
    _create_postgres(name, templates.postgres_name() if templates is not None else None)
    try:
        yield _postgres_url(name)
    finally:
        _drop_postgres(name)


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

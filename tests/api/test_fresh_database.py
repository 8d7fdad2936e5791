"""Each entry point migrates an empty database at its first open: a fresh machine needs no set-up
step. The other tests get copies of a database migrated once (tests/conftest.py), so these are
the ones that start from nothing: the API app, the command line and the analysis pipeline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bouclier.analysis import Analyzer
from bouclier.detectors.registry import Registry
from bouclier.settings import load_settings
from bouclier.storage import Database
from bouclier.storage.db import MIGRATIONS
from tests.analysis.fakes import FakeDetector, nudity
from tests.api.conftest import Api
from tests.conftest import CliResult

pytestmark = pytest.mark.fresh_database


def _revision(url: str) -> str | None:
    """The database's Alembic revision, None when nothing was ever migrated, without migrating."""
    db = Database(url)
    try:
        with db.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        db.dispose()


def _head() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def test_the_database_is_empty_before(database_url: str) -> None:
    db = Database(database_url)
    try:
        assert inspect(db.engine).get_table_names() == []
    finally:
        db.dispose()
    assert _revision(database_url) is None


def test_the_api_app_migrates_at_start(api: Api) -> None:
    url = api.services.settings.resolved_database_url
    assert _revision(url) == _head()
    assert api.client.get("/v1/banks", headers=api.auth("analyst")).status_code == 200


def test_the_command_line_migrates_at_first_use(
    database_url: str, cli: Callable[..., CliResult]
) -> None:
    assert _revision(database_url) is None
    assert cli("bank", "create", "victims", "--kind", "victim")[0] == 0
    assert _revision(database_url) == _head()


def test_the_analysis_pipeline_migrates_at_start(database_url: str, tmp_path: Path) -> None:
    assert _revision(database_url) is None
    settings = load_settings(data_dir=tmp_path, database_url=database_url)
    Analyzer.from_settings(settings, detectors=Registry([nudity(), FakeDetector("provenance")]))
    assert _revision(database_url) == _head()

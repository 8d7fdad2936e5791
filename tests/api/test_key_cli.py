"""``bouclier key``: a key is printed once, listed by prefix, refused once revoked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bouclier.accounts.api_keys import ApiKeyStore
from bouclier.cli import exit_codes
from bouclier.cli.main import run
from bouclier.storage import Database


def test_create_list_revoke(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BOUCLIER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BOUCLIER_DATABASE_URL", database_url)
    assert run(["key", "create", "--role", "platform", "--name", "example.social"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("bk_")
    assert run(["key", "list"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["role"] == "platform"
    assert row["name"] == "example.social"
    assert key.startswith(row["prefix"])
    assert row["revoked_at"] is None
    assert key not in json.dumps(row)

    db = Database.open(database_url)
    try:
        assert ApiKeyStore(db).authenticate(key) is not None
        assert run(["key", "revoke", str(row["id"])]) == 0
        assert ApiKeyStore(db).authenticate(key) is None
    finally:
        db.dispose()
    assert run(["key", "revoke", "999"]) == exit_codes.NOT_FOUND
    assert run(["key", "create", "--role", "root", "--name", "x"]) == exit_codes.USAGE
    assert run(["key", "create", "--role", "admin", "--name", " "]) == exit_codes.INVALID_INPUT


def test_serve_refuses_a_bad_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOUCLIER_DATABASE_URL", "mysql://nowhere/db")
    assert run(["serve", "--port", "8765"]) == exit_codes.CONFIG
    assert "unsupported database" in capsys.readouterr().err

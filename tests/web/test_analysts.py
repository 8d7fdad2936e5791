"""Analysts' accounts: argon2id passwords, the password policy, disabling, the CLI."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from bouclier.accounts.analysts import Analysts
from bouclier.errors import Conflict, InputError, NotFound
from bouclier.storage import Database
from bouclier.storage.models import Analyst
from tests.conftest import CliResult

PASSWORD = "correct horse battery"  # noqa: S105 (a test account)


def stored_hash(db: Database, username: str) -> str:
    with db.transaction() as session:
        return session.scalars(
            select(Analyst.password_hash).where(Analyst.username == username)
        ).one()


def test_password_stored_as_argon2id_never_in_clear(db: Database) -> None:
    info = Analysts(db).create("Alice", PASSWORD)
    assert info.username == "alice"
    assert info.actor == "analyst:alice"
    stored = stored_hash(db, "alice")
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert "m=19456,t=2,p=1" in stored


def test_right_password_in_wrong_refused(db: Database) -> None:
    analysts = Analysts(db)
    analysts.create("alice", PASSWORD)
    assert analysts.authenticate("alice", PASSWORD) is not None
    assert analysts.authenticate("ALICE ", PASSWORD) is not None  # names are case-insensitive
    assert analysts.authenticate("alice", PASSWORD + "!") is None
    assert analysts.authenticate("alice", "") is None
    assert analysts.authenticate("bob", PASSWORD) is None
    assert analysts.authenticate("not a valid name!", PASSWORD) is None


def test_disabled_analyst_refused(db: Database) -> None:
    analysts = Analysts(db)
    analysts.create("alice", PASSWORD)
    disabled = analysts.disable("alice")
    assert disabled.disabled_at is not None
    assert analysts.authenticate("alice", PASSWORD) is None
    assert analysts.disable("alice").disabled_at == disabled.disabled_at  # idempotent
    with pytest.raises(NotFound):
        analysts.disable("nobody")


@pytest.mark.parametrize(
    ("username", "password", "code"),
    [
        ("alice", "short", "password_too_short"),
        ("alice", "x" * 11, "password_too_short"),
        ("alice", "x" * 1025, "password_too_long"),
        ("alicealicealice", "AliceAliceAlice", "password_is_username"),
        ("a", PASSWORD, "invalid_username"),
        ("al ice", PASSWORD, "invalid_username"),
        ("-alice", PASSWORD, "invalid_username"),
        ("x" * 65, PASSWORD, "invalid_username"),
    ],
)
def test_policy(db: Database, username: str, password: str, code: str) -> None:
    with pytest.raises(InputError) as caught:
        Analysts(db).create(username, password)
    assert caught.value.code == code
    assert Analysts(db).list() == []


def test_duplicate_refused(db: Database) -> None:
    Analysts(db).create("alice", PASSWORD)
    with pytest.raises(Conflict):
        Analysts(db).create("ALICE", "another long password")


def test_old_parameters_rehashed_at_login(db: Database) -> None:
    analysts = Analysts(db)
    analysts.create("alice", PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with db.transaction() as session:
        session.execute(
            update(Analyst).where(Analyst.username == "alice").values(password_hash=weak)
        )
    assert analysts.authenticate("alice", PASSWORD) is not None
    assert "m=19456,t=2,p=1" in stored_hash(db, "alice")


def test_cli_create_list_disable(
    cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, out, err = cli("analyst", "create", "alice", "--password-stdin")
    assert code == 0, err
    assert PASSWORD not in err
    assert not out
    code, out, _ = cli("analyst", "list")
    assert code == 0
    assert len(out) == 1
    assert '"username": "alice"' in out[0]
    assert '"disabled_at": null' in out[0]
    assert cli("analyst", "disable", "alice")[0] == 0
    assert '"disabled_at": null' not in cli("analyst", "list")[1][0]
    assert cli("analyst", "disable", "nobody")[0] == 3
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = cli("analyst", "create", "bob", "--password-stdin")
    assert code == 5
    assert "password_too_short" in err


def test_cli_prompts_twice_hidden(cli: Callable[..., CliResult]) -> None:
    from click.testing import CliRunner

    from bouclier.cli.main import cli as command

    cli("status")  # the cli fixture's environment: a fresh database
    runner = CliRunner()
    mismatch = runner.invoke(
        command, ["analyst", "create", "carol"], input=f"{PASSWORD}\n{PASSWORD}!\n"
    )
    assert mismatch.exit_code != 0
    made = runner.invoke(command, ["analyst", "create", "carol"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert made.exit_code == 0, made.output
    assert PASSWORD not in made.output  # hidden: not echoed
    assert '"username": "carol"' in cli("analyst", "list")[1][0]

"""Files that hold victims' data or keys are readable by their owner only (issue 14, part 7).

Each test runs under the usual umask 022, which would leave a file 0644 and a folder 0755.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from bouclier.banks import snapshot
from bouclier.banks.hashes import SignalRows
from bouclier.cases.sealing import load_case_key
from bouclier.filemodes import create_private_file, open_private_binary, private_dir
from bouclier.keyfiles import write_key_file
from bouclier.settings import load_settings
from bouclier.storage import Database
from tests.conftest import CliResult


@pytest.fixture(autouse=True)
def loose_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_and_its_wal_and_shm_are_0600_in_a_0700_folder(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data" / "deeper" / "bouclier.db"
    db = Database.open(f"sqlite:///{path}")
    try:
        with db.engine.connect() as connection:  # WAL mode: -wal and -shm exist while open
            connection.execute(text("CREATE TABLE probe (x INTEGER)"))
            connection.commit()
            wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
            assert wal.exists()
            assert shm.exists()
            assert (mode(path), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
    finally:
        db.dispose()
    assert mode(tmp_path / "data") == 0o700
    assert mode(tmp_path / "data" / "deeper") == 0o700


def test_an_existing_database_file_keeps_its_mode(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o750)
    path = folder / "bouclier.db"
    path.touch()
    path.chmod(0o640)  # an administrator's choice (a backup group, say)
    Database.open(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o640
    assert mode(folder) == 0o750  # a folder Bouclier did not make is left alone


def test_the_default_case_key_is_0600_in_a_0700_folder(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    assert load_case_key(settings, create=True) is not None
    assert mode(tmp_path / "data" / "keys" / "case.key") == 0o600
    assert mode(tmp_path / "data" / "keys") == 0o700
    assert mode(tmp_path / "data") == 0o700


def test_a_key_file_made_in_a_new_folder(tmp_path: Path) -> None:
    write_key_file(tmp_path / "secrets" / "template.key")
    assert mode(tmp_path / "secrets" / "template.key") == 0o600
    assert mode(tmp_path / "secrets") == 0o700


def test_a_snapshot_and_its_folder(tmp_path: Path) -> None:
    rows = SignalRows(np.array([1], np.int64), np.array([1], np.int32), np.zeros((1, 32), np.uint8))
    path = tmp_path / "snapshots" / "matcher.snap"
    snapshot.write(path, snapshot.MatcherSnapshot(1, b"\0" * 32, {"pdq": rows}), b"\1" * 32)
    assert mode(path) == 0o600
    assert mode(tmp_path / "snapshots") == 0o700


def test_the_helpers_set_the_mode_whatever_the_umask(tmp_path: Path) -> None:
    os.umask(0o000)
    assert create_private_file(tmp_path / "a" / "file")
    assert not create_private_file(tmp_path / "a" / "file")  # never made twice
    with open_private_binary(tmp_path / "a" / "out") as handle:
        handle.write(b"x")
    assert private_dir(tmp_path / "b" / "c") == tmp_path / "b" / "c"
    assert mode(tmp_path / "a") == 0o700
    assert mode(tmp_path / "a" / "file") == 0o600
    assert mode(tmp_path / "a" / "out") == 0o600
    assert (mode(tmp_path / "b"), mode(tmp_path / "b" / "c")) == (0o700, 0o700)


def test_an_evidence_bundle_and_a_bank_export_written_by_the_cli_are_0600(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    code, out, err = cli("case", "create")
    assert code == 0, err
    number = out[0].split('"number": "')[1].split('"')[0]
    bundle = tmp_path / "bundle.zip"
    assert cli("evidence", "export", number, "-o", str(bundle))[0] == 0
    assert mode(bundle) == 0o600
    assert cli("bank", "create", "victims", "--kind", "victim")[0] == 0
    export = tmp_path / "victims.csv"
    assert cli("bank", "export", "victims", "--out", str(export))[0] == 0
    assert mode(export) == 0o600

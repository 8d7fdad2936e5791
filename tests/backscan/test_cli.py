"""``bouclier backscan`` as a user runs it: the summary, the exit codes, Parquet, resumption, and
what is refused before any work starts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bouclier.banks.store import BankStore
from bouclier.cli import exit_codes
from bouclier.storage import Database
from tests.backscan.conftest import hits, make_archive
from tests.conftest import CliResult

Cli = Callable[..., CliResult]


def test_rows_back_scan_from_the_command_line(cli: Cli, database_url: str, tmp_path: Path) -> None:
    db = Database.open(database_url)
    try:
        archive = make_archive(db, rows=300)
    finally:
        db.dispose()
    rows = archive.write_csv(tmp_path / "rows.csv", ["2020-01-01,bad,xyz"])
    out, parquet = tmp_path / "hits.jsonl", tmp_path / "hits.parquet"
    code, stdout, stderr = cli(
        "backscan", str(rows), "--out", str(out), "--parquet", str(parquet),
        "--workers", "2", "--chunk-size", "40",
    )  # fmt: skip
    assert code == exit_codes.INPUT_FAILED, stderr  # one row refused
    assert stdout == []
    assert f"301 items, {len(archive.expected)} hits, 1 refused, 2 workers" in stderr
    assert hits(out) == archive.expected
    import pyarrow.parquet as pq

    assert pq.read_table(parquet).num_rows == len(archive.expected) + 1

    code, _, stderr = cli("backscan", str(rows), "--out", str(out), "--bank", "victims")
    assert code == exit_codes.INPUT_FAILED  # another back-scan (one bank): starts anew
    assert "resumed" not in stderr


def test_what_is_refused_before_any_work(cli: Cli, database_url: str, tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"id": 1, "pdq": "' + "0" * 64 + '"}\n', encoding="utf-8")
    out = str(tmp_path / "out.jsonl")
    code, _, stderr = cli("backscan", str(rows), "--out", out)
    assert code == exit_codes.CONFIG
    assert "no banks" in stderr
    db = Database.open(database_url)
    try:
        BankStore(db).create("victims", "victim")
    finally:
        db.dispose()
    code, _, stderr = cli("backscan", str(rows), "--out", out, "--bank", "nowhere")
    assert code == exit_codes.NOT_FOUND
    code, _, stderr = cli("backscan", str(rows), "--out", out, "--address", "127.0.0.1:1")
    assert code == exit_codes.USAGE
    code, _, stderr = cli("backscan", str(tmp_path / "missing.csv"), "--out", out)
    assert code != exit_codes.OK
    assert "no such file" in stderr
    code, _, stderr = cli("backscan", str(rows), "--out", out)
    assert code == exit_codes.OK
    assert "1 items, 0 hits, 0 refused" in stderr
    assert Path(out).read_text() == ""

"""``bouclier case`` and ``bouclier evidence``: happy paths, errors and exit codes."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from bouclier.cli import exit_codes

PDQ_A = "a5" * 32
PDQ_B = "3c" * 32


def _json(line: str) -> dict[str, Any]:
    return json.loads(line)  # type: ignore[no-any-return]


def _create(cli: Any, *args: str) -> dict[str, Any]:
    code, out, err = cli("case", "create", *args)
    assert code == exit_codes.OK, err
    [line] = out
    return _json(line)


def test_a_case_from_creation_to_evidence(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    case = _create(cli, "--sextortion", "--language", "es", "--contact", "a@example.org")
    number, secret = case["number"], case["secret"]
    assert number.startswith("BQ-")
    assert len(secret) == 29
    assert case["sextortion"] is True
    assert case["language"] == "es"
    assert case["has_contact"] is True

    code, out, err = cli(
        "case", "add-url", number, "https://x.com/a/status/1", "https://x.com/a/status/1"
    )
    assert code == exit_codes.OK
    assert [_json(line)["platform"] for line in out] == ["x"]
    assert "added 1 URLs" in err

    code, out, _ = cli("case", "add-hash", number, PDQ_A, "--quality", "90", "--sha256", "0" * 64)
    assert code == exit_codes.OK
    [item] = [_json(line) for line in out]
    assert item["kind"] == "hash"
    assert item["status"] == "pending"

    code, out, _ = cli("case", "review", number, str(item["id"]), "confirm")
    assert code == exit_codes.OK
    assert _json(out[0])["status"] == "confirmed"

    code, out, _ = cli("case", "show", number, "--format", "jsonl")
    assert code == exit_codes.OK
    shown = _json(out[0])
    assert shown["case"]["status"] == "in_progress"
    assert [i["kind"] for i in shown["items"]] == ["url", "hash"]
    assert shown["custody"]["ok"] is True
    assert secret not in "\n".join(out)
    assert "a@example.org" not in "\n".join(out)

    code, out, _ = cli("case", "show", number)
    assert code == exit_codes.OK
    text = "\n".join(out)
    assert f"number:       {number}" in text
    assert "https://x.com/a/status/1" in text
    assert "re-uploads blocked (0)" in text

    code, out, _ = cli("evidence", "export", number)
    assert code == exit_codes.OK
    bundle = tmp_path / f"{number}-evidence.zip"
    assert _json(out[0])["path"] == bundle.name
    with zipfile.ZipFile(bundle) as archive:
        assert "manifest.json" in archive.namelist()

    code, out, err = cli("evidence", "export", number)
    assert code == exit_codes.CONFLICT
    assert "--force" in err
    assert cli("evidence", "export", number, "--force")[0] == exit_codes.OK

    code, out, _ = cli("evidence", "verify", str(bundle))
    assert code == exit_codes.OK
    assert "intact" in out[0]
    head = out[0].rsplit(" ", 1)[1]
    code, out, _ = cli("evidence", "verify", str(bundle), "--format", "jsonl")
    assert code == exit_codes.OK
    assert _json(out[0])["intact"] is True
    assert _json(out[0])["problems"] == []
    code, out, _ = cli("evidence", "verify", number)
    assert code == exit_codes.OK
    assert out[0].startswith(f"case {number}: intact")
    assert out[0].endswith(head)  # nothing happened to the case since the export


def test_a_tampered_bundle_exits_with_its_own_code(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    number = _create(cli)["number"]
    cli("case", "add-url", number, "https://example.org/one")
    bundle = tmp_path / "b.zip"
    code, _, _ = cli("evidence", "export", number, "-o", str(bundle), "--without-files")
    assert code == exit_codes.OK
    with zipfile.ZipFile(bundle) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["manifest.json"] = files["manifest.json"].replace(b"example.org/one", b"example.org/two")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    bundle.write_bytes(buffer.getvalue())
    code, out, _ = cli("evidence", "verify", str(bundle))
    assert code == exit_codes.TAMPERED == 7
    assert "NOT INTACT" in out[0]
    assert any("differ from those recorded in the custody log" in line for line in out[1:])

    code, out, _ = cli("evidence", "verify", str(bundle), "--format", "jsonl")
    assert code == exit_codes.TAMPERED
    [report] = [_json(line) for line in out]
    assert report["intact"] is False
    assert report["case"] == number
    assert any("differ from those recorded" in p for p in report["problems"])
    assert len(report["custody"]["head"]) == 64

    bundle.write_bytes(b"not a zip")
    code, out, _ = cli("evidence", "verify", str(bundle))
    assert code == exit_codes.TAMPERED
    assert "not a ZIP file" in out[1]


def test_the_queue_puts_minors_first(cli) -> None:  # type: ignore[no-untyped-def]
    adult = _create(cli)["number"]
    sextortion = _create(cli, "--sextortion")["number"]
    minor = _create(cli, "--minor")["number"]
    code, out, _ = cli("case", "list", "--format", "jsonl")
    assert code == exit_codes.OK
    assert [_json(line)["number"] for line in out] == [minor, sextortion, adult]
    code, out, _ = cli("case", "list")
    assert out[0].split()[:3] == ["NUMBER", "STATUS", "MINOR"]
    assert out[1].startswith(minor)


def test_collective_cases_and_merge(cli) -> None:  # type: ignore[no-untyped-def]
    first = _create(cli)["number"]
    code, out, _ = cli("case", "invite", first)
    assert code == exit_codes.OK
    invitation = _json(out[0])["invitation"]
    assert invitation.startswith("INV-")
    second = _create(cli, "--invitation", invitation)
    assert second["collective"] is True
    code, _, err = cli("case", "create", "--invitation", "INV-NOPE")
    assert code == exit_codes.NOT_FOUND
    assert "invitation_not_found" in err

    cli("case", "add-hash", second["number"], PDQ_B)
    code, out, _ = cli("case", "merge", second["number"], first)
    assert code == exit_codes.OK
    assert _json(out[0])["number"] == first
    code, out, _ = cli("case", "show", first, "--format", "jsonl")
    assert [i["pdq"] for i in _json(out[0])["items"]] == [PDQ_B]
    code, _, err = cli("case", "merge", second["number"], first)
    assert code == exit_codes.CONFLICT


def test_withdraw_asks_then_deletes(cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    number = _create(cli)["number"]
    cli("case", "add-hash", number, PDQ_A)
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, _, _ = cli("case", "withdraw", number)
    assert code == exit_codes.INTERRUPTED  # declined: nothing deleted
    assert cli("case", "show", number)[0] == exit_codes.OK

    code, out, _ = cli("case", "withdraw", number, "--yes")
    assert code == exit_codes.OK
    done = _json(out[0])
    assert done["number"] == number
    assert done["hashes"] == 1
    code, _, err = cli("case", "show", number)
    assert code == exit_codes.NOT_FOUND
    assert "case_not_found" in err


@pytest.mark.parametrize(
    ("args", "expected", "error_code"),
    [
        (("case", "show", "BQ-0000-0000"), exit_codes.NOT_FOUND, "case_not_found"),
        (("case", "show", "not a number"), exit_codes.NOT_FOUND, "case_not_found"),
        (
            ("case", "add-url", "BQ-0000-0000", "https://x.com/a"),
            exit_codes.NOT_FOUND,
            "case_not_found",
        ),
        (("case", "withdraw", "BQ-0000-0000", "--yes"), exit_codes.NOT_FOUND, "case_not_found"),
        (("case", "invite", "BQ-0000-0000"), exit_codes.NOT_FOUND, "case_not_found"),
        (("evidence", "export", "BQ-0000-0000"), exit_codes.NOT_FOUND, "case_not_found"),
        (("evidence", "verify", "BQ-0000-0000"), exit_codes.NOT_FOUND, "case_not_found"),
        (("evidence", "verify", "/no/such/bundle.zip"), exit_codes.INVALID_INPUT, "file.not_found"),
        (("case", "create", "--language", "de"), exit_codes.USAGE, None),
        (("case", "review", "BQ-0000-0000", "1", "maybe"), exit_codes.USAGE, None),
    ],
)
def test_errors(cli, args: tuple[str, ...], expected: int, error_code: str | None) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(*args)
    assert code == expected, err
    assert out == []
    if error_code is not None:
        assert err.strip().endswith(f"[{error_code}]")


@pytest.mark.parametrize(
    ("args", "error_code"),
    [
        (("add-url", "{n}", "ftp://example.org/a"), "invalid_url"),
        (("add-url", "{n}", "https://user:pw@example.org/a"), "invalid_url"),
        (("add-url", "{n}", "not a url"), "invalid_url"),
        (("add-hash", "{n}", "xyz"), "invalid_hash"),
        (("add-hash", "{n}", PDQ_A, "--quality", "101"), "invalid_quality"),
        (("add-hash", "{n}", PDQ_A, "--sha256", "abc"), "invalid_hash"),
        (("review", "{n}", "999", "confirm"), "item_not_found"),
    ],
)
def test_invalid_input(cli, args: tuple[str, ...], error_code: str) -> None:  # type: ignore[no-untyped-def]
    number = _create(cli)["number"]
    code, out, err = cli("case", *(a.format(n=number) for a in args))
    expected = (
        exit_codes.NOT_FOUND if error_code.endswith("not_found") else exit_codes.INVALID_INPUT
    )
    assert code == expected, err
    assert out == []
    assert err.strip().endswith(f"[{error_code}]")
    code, out, _ = cli("case", "show", number, "--format", "jsonl")
    assert _json(out[0])["items"] == []  # nothing was added


def test_bouclier_match_says_whether_a_case_hash_was_reviewed(cli) -> None:  # type: ignore[no-untyped-def]
    number = _create(cli, "--minor")["number"]
    code, out, _ = cli("case", "add-hash", number, PDQ_A)
    item = _json(out[0])
    code, out, _ = cli("match", "--pdq", PDQ_A)
    assert code == exit_codes.OK
    assert [m["reviewed"] for m in _json(out[0])["matches"]] == [False]
    cli("case", "review", number, str(item["id"]), "confirm")
    code, out, _ = cli("match", "--pdq", PDQ_A)
    assert [m["reviewed"] for m in _json(out[0])["matches"]] == [True]


def test_the_case_sweeps_for_cron(cli, database_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """send-updates with nothing owed sends nothing; purge-closed deletes only the cases closed
    longer ago than the retention period."""
    from datetime import timedelta

    from sqlalchemy import update

    from bouclier.storage import Database
    from bouclier.storage.models import Case, utcnow

    old = _create(cli)["number"]
    recent = _create(cli)["number"]
    still_open = _create(cli)["number"]
    code, out, _ = cli("case", "send-updates")
    assert (code, out) == (exit_codes.OK, ['{"sent": 0}'])
    long_ago = utcnow() - timedelta(days=31)
    db = Database.open(database_url)
    try:
        with db.transaction() as session:
            session.execute(
                update(Case).where(Case.number.in_([old, recent])).values(status="closed")
            )
            session.execute(
                update(Case).where(Case.number.in_([old, still_open])).values(updated_at=long_ago)
            )
    finally:
        db.dispose()
    monkeypatch.setenv("BOUCLIER_CASE_RETENTION_DAYS", "30")
    code, out, _ = cli("case", "purge-closed", "--yes")
    assert (code, out) == (exit_codes.OK, ['{"deleted": 1}'])
    assert cli("case", "show", old)[0] != exit_codes.OK
    assert cli("case", "show", recent)[0] == exit_codes.OK
    assert cli("case", "show", still_open)[0] == exit_codes.OK  # not closed: kept

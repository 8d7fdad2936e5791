"""``bouclier notice``: create, show, send, answer, list, sweep from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bouclier.cases import Cases
from bouclier.settings import load_settings
from bouclier.storage import Database
from tests.conftest import CliResult
from tests.notices.conftest import URL, SmtpServer, open_case


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, smtp: SmtpServer) -> None:
    monkeypatch.setenv("BOUCLIER_HOTLINE_NAME", "Example Hotline")
    monkeypatch.setenv("BOUCLIER_HOTLINE_EMAIL", "notices@hotline.example")
    monkeypatch.setenv("BOUCLIER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BOUCLIER_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("BOUCLIER_SMTP_STARTTLS", "false")


def test_notice_commands(
    cli: Callable[..., CliResult],
    env: None,
    smtp: SmtpServer,
    database_url: str,
    tmp_path: Path,
) -> None:
    settings = load_settings()
    db = Database.open(database_url)
    try:
        case = open_case(Cases(db, settings))
    finally:
        db.dispose()
    code, out, err = cli(
        "notice", "create", case.number, str(case.url_item), "--law", "take_it_down",
        "--to", "ncii@platform.example", "--signer", "Marie Dupont",
    )  # fmt: skip
    assert code == 0, err
    created = json.loads(out[0])
    ref = created["reference"]
    assert created["status"] == "draft"
    assert created["signer"] == "Marie Dupont"

    code, out, _ = cli("notice", "show", ref)
    assert code == 0
    assert "/s/ Marie Dupont" in out
    assert any(URL in line for line in out)
    code, _, _ = cli("notice", "show", ref, "--format", "pdf", "-o", str(tmp_path / "n.pdf"))
    assert code == 0
    assert (tmp_path / "n.pdf").read_bytes().startswith(b"%PDF")

    code, _, err = cli("notice", "send", ref)
    assert code == 6  # the SMTP server is down: configuration/service error, notice kept
    assert "notice_not_sent" in err
    code, out, _ = cli("notice", "list", "--status", "draft")
    assert [json.loads(line)["reference"] for line in out] == [ref]
    assert json.loads(out[0])["last_error"]

    smtp.start()
    code, out, err = cli("notice", "send", ref)
    assert code == 0, err
    assert json.loads(out[0])["status"] == "sent"
    assert len(smtp.inbox.messages) == 1
    code, _, _ = cli("notice", "send", ref)
    assert code == 4

    code, out, _ = cli("notice", "sweep")
    assert (code, out) == (0, [])
    code, out, _ = cli("notice", "answer", ref, "removed", "--note", "ticket 42")
    assert code == 0
    assert json.loads(out[0])["answer"] == "ticket 42"
    code, _, _ = cli("notice", "answer", ref, "acknowledged")
    assert code == 4
    code, out, _ = cli("notice", "list", "--case", case.number)
    assert [json.loads(line)["status"] for line in out] == ["removed"]
    code, out, _ = cli("notice", "list", "--overdue")
    assert (code, out) == (0, [])
    code, _, _ = cli("notice", "show", "N-NOSUCHREF")
    assert code == 3


def test_a_form_notice_is_recorded_as_filed(
    cli: Callable[..., CliResult], env: None, database_url: str
) -> None:
    db = Database.open(database_url)
    try:
        case = open_case(Cases(db, load_settings()))
    finally:
        db.dispose()
    code, out, err = cli("notice", "create", case.number, str(case.url_item), "--law", "pharos")
    assert code == 0, err
    ref = json.loads(out[0])["reference"]
    assert json.loads(out[0])["channel"] == "form"
    code, out, _ = cli("notice", "show", ref, "--format", "html")
    assert "Type de contenu" in "\n".join(out)
    code, _, err = cli("notice", "send", ref)
    assert code == 2
    assert "--filed" in err
    code, out, _ = cli("notice", "send", ref, "--filed")
    assert code == 0
    assert json.loads(out[0])["status"] == "sent"

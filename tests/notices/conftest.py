"""Fixtures of the notice tests: a case with a URL, settings with a hotline, a local SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bouclier.cases import Cases, HashReport
from bouclier.notices import Notices
from bouclier.settings import Settings
from bouclier.storage import Database

PDQ_A = "a5" * 32
SHA_A = "5e" * 32
URL = "https://www.instagram.com/p/abc123/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Inbox:
    """What the local SMTP server received: (envelope sender, recipients, raw message)."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
        )
        return "250 OK"


class SmtpServer:
    """aiosmtpd on 127.0.0.1 at a fixed free port, which can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


def make_settings(tmp_path: Path, port: int, **more: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "hotline_name": "Example Hotline",
        "hotline_email": "notices@hotline.example",
        "hotline_address": "1 rue de l'Exemple, 75000 Paris",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        **more,
    }
    return Settings(**values)


@pytest.fixture
def settings(tmp_path: Path, smtp: SmtpServer) -> Settings:
    return make_settings(tmp_path, smtp.port)


@pytest.fixture
def cases(db: Database, settings: Settings) -> Cases:
    return Cases(db, settings)


@pytest.fixture
def notices(db: Database, settings: Settings, cases: Cases) -> Notices:
    return Notices(db, settings, cases)


@dataclass(frozen=True)
class CaseWithUrl:
    number: str
    url_item: int


def open_case(cases: Cases, *, minor: bool = False, url: str = URL) -> CaseWithUrl:
    case, _ = cases.create(minor=minor)
    cases.add_hashes(case.number, [HashReport(PDQ_A, 90, SHA_A)])
    [item] = cases.add_urls(case.number, [url])
    return CaseWithUrl(case.number, item.id)


@pytest.fixture
def case(cases: Cases) -> CaseWithUrl:
    return open_case(cases)

"""Change notices over the real NATS server at 127.0.0.1:4222: a service process announces each
move of the change log (a cursor, never a hash), and a listener hears it."""

from __future__ import annotations

import json
import queue
import socket
import uuid
from pathlib import Path

import pytest

from bouclier.banks.notices import NoticeListener, _cursor
from bouclier.banks.store import NewEntry
from bouclier.settings import load_settings
from tests.web.server import serving

NATS_URL = "nats://127.0.0.1:4222"
#: A notice is given this long to arrive (the notifier looks every 0.2 s).
NOTICE_WAIT_S = 10.0


def _nats_running() -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", 4222)) == 0


@pytest.fixture
def subject() -> str:
    if not _nats_running():
        pytest.fail("the NATS server is not running at 127.0.0.1:4222 (this machine kind has it)")
    return f"bouclier.test.{uuid.uuid4().hex}"  # one NATS server for every test run at once


def test_a_bank_write_is_announced_with_its_cursor_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, subject: str
) -> None:
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)
    settings = load_settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'publisher.db'}",
        nats_url=NATS_URL,
        nats_subject=subject,
    )
    heard: queue.Queue[int] = queue.Queue()
    listener = NoticeListener(NATS_URL, subject, heard.put)
    listener.start()
    try:
        with serving(settings) as publisher:
            assert publisher.services.notifier is not None
            store = publisher.services.store
            store.create("victims", "victim")
            [entry] = store.add("victims", [NewEntry("f8" * 32)])
            cursor = heard.get(timeout=NOTICE_WAIT_S)
            assert cursor == store.last_cursor()
            store.remove_entries("victims", [entry])
            assert heard.get(timeout=NOTICE_WAIT_S) == store.last_cursor() > cursor
    finally:
        listener.close()


@pytest.mark.parametrize(
    ("data", "cursor"),
    [
        (b'{"cursor": 12}', 12),
        (b'{"cursor": true}', None),
        (b'{"cursor": "12"}', None),
        (b"[12]", None),
        (b"\xff\xfe", None),
        (json.dumps({"cursor": 1, "pad": "x" * 200}).encode(), None),
    ],
)
def test_a_notice_is_read_strictly(data: bytes, cursor: int | None) -> None:
    assert _cursor(data) == cursor

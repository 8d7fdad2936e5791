"""Two real API processes on one PostgreSQL database stay in step through the change log: a hash
added through one is matched by the other within a few polls."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bouclier.accounts.api_keys import ApiKeyStore
from bouclier.storage import Database

Start = Callable[[], str]

#: Bounded waits: a process is given this long to start, a change this long to reach the other.
START_WAIT_S = 60.0
SYNC_WAIT_S = 5.0
_POLL_S = 0.05


#: The API process: it binds port 0 itself (the system picks a free port, held from then on),
#: writes the port to the file named by its argument (a rename: never half written), and hands
#: the bound socket to uvicorn. A port looked up by the test and bound again by the server could
#: be taken in between by a test on another pytest-xdist worker.
_SERVE = """
import os, socket, sys, uvicorn
listening = socket.socket()
listening.bind(("127.0.0.1", 0))
with open(sys.argv[1] + ".part", "w") as out:
    out.write(str(listening.getsockname()[1]))
os.replace(sys.argv[1] + ".part", sys.argv[1])
config = uvicorn.Config("bouclier.api.app:from_environment", factory=True)
uvicorn.Server(config).run(sockets=[listening])
"""


@pytest.fixture
def start_process(database_url: str, tmp_path: Path) -> Iterator[Start]:
    """Starts an API process (uvicorn with the app factory) on a loopback port it binds itself;
    every process started is killed when the test ends, whatever happened."""
    processes: list[subprocess.Popen[bytes]] = []
    env = {
        **os.environ,
        "BOUCLIER_DATABASE_URL": database_url,
        "BOUCLIER_DATA_DIR": str(tmp_path / "data"),
    }

    def start() -> str:
        number = len(processes)
        log_path, port_file = tmp_path / f"uvicorn-{number}.log", tmp_path / f"port-{number}"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-c", _SERVE, str(port_file)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        pause = threading.Event()
        for _ in range(int(START_WAIT_S / _POLL_S)):  # bounded wait for its port, then /healthz
            if process.poll() is not None:
                break
            if port_file.exists() and _healthy(f"http://127.0.0.1:{port_file.read_text()}"):
                return f"http://127.0.0.1:{port_file.read_text()}"
            pause.wait(_POLL_S)
        output = log_path.read_text(errors="replace")
        pytest.fail(f"API process {number} did not start:\n{output[-3000:]}")

    try:
        yield start
    finally:
        for process in processes:
            process.kill()
        for process in processes:
            process.wait(timeout=30)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_hash_added_through_one_process_is_matched_by_another(
    database_url: str, start_process: Start
) -> None:
    db = Database.open(database_url)
    try:
        keys = ApiKeyStore(db)
        analyst = {"Authorization": f"Bearer {keys.create('test analyst', 'analyst')[1]}"}
        platform = {"Authorization": f"Bearer {keys.create('test platform', 'platform')[1]}"}
    finally:
        db.dispose()
    a, b = start_process(), start_process()
    value = "f" * 16 + "0" * 16 + "a5" * 16

    def matched_by_b() -> list[int]:
        answer = httpx.post(f"{b}/v1/match/hashes", headers=platform, json={"pdq": [value]})
        assert answer.status_code == 200
        return [m["entry"] for m in answer.json()["results"][0]["matches"]]

    assert matched_by_b() == []
    created = httpx.post(
        f"{a}/v1/banks", headers=analyst, json={"name": "victims", "kind": "victim"}
    )
    assert created.status_code == 201
    added = httpx.post(
        f"{a}/v1/banks/victims/hashes", headers=analyst, json={"entries": [{"pdq": value}]}
    )
    assert added.status_code == 201
    [entry] = added.json()["entries"]

    pause = threading.Event()
    for _ in range(int(SYNC_WAIT_S / _POLL_S)):  # bounded wait: fail after 5 s
        if matched_by_b() == [entry]:
            break
        pause.wait(_POLL_S)
    assert matched_by_b() == [entry]

"""The Ray engine gives the local engine's report: on a Ray instance of this machine alone (what
remains of "local mode", which Ray 2.x no longer has), and on a two-node cluster started here with
``ray start --head`` and a second ``ray start --address`` on ports the system picked, stopped
after by the ids of the processes this test started (never ``ray stop``, which would end every
Ray on the machine)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bouclier.backscan.run import Options, backscan
from bouclier.backscan.sources import Source
from bouclier.storage import Database
from tests.backscan.conftest import Archive, hits, make_archive

#: Both tests on one pytest-xdist worker, one after the other: two Ray instances at once would
#: share the machine's two cores (and a plain ``ray.init()`` may join a cluster it finds).
pytestmark = pytest.mark.xdist_group("ray")

RAY = Path(sys.executable).with_name("ray")
START_WAIT_S = 180.0
NODE_TRIES = 3
#: No usage report; no token: the test cluster listens on this machine only for the test's
#: life, and a token file in ~/.ray would be shared with every other Ray on the machine.
#: Generous start-up waits: two nodes start on two cores shared with other work.
RAY_ENV = {
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_DEDUP_LOGS": "0",
    "RAY_AUTH_MODE": "disabled",
    "RAY_agent_register_timeout_ms": "180000",
    "RAY_raylet_start_wait_time_s": "180",
}


def _ports(count: int) -> list[int]:
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def _node_args(temp: str, cpus: int) -> list[str]:
    node_manager, object_manager, agent_listen, agent_grpc, runtime_env, metrics = _ports(6)
    low = _ports(1)[0]
    return [
        f"--num-cpus={cpus}",
        f"--node-manager-port={node_manager}",
        f"--object-manager-port={object_manager}",
        f"--dashboard-agent-listen-port={agent_listen}",
        f"--dashboard-agent-grpc-port={agent_grpc}",
        f"--runtime-env-agent-port={runtime_env}",
        f"--metrics-export-port={metrics}",
        f"--min-worker-port={low}",
        f"--max-worker-port={low + 40}",
        "--object-store-memory=150000000",
        "--disable-usage-stats",
        "--block",
        f"--temp-dir={temp}",
    ]


@pytest.fixture
def two_node_cluster() -> Iterator[str]:
    """A head and a second node of one CPU each; the address of the head."""
    temp = tempfile.mkdtemp(prefix="rbs", dir="/tmp")  # Ray's socket paths must stay short
    env = {**os.environ, **RAY_ENV}
    started: list[subprocess.Popen[bytes]] = []
    logs = Path(temp) / "logs-of-test"
    logs.mkdir()

    def start(name: str, args: list[str]) -> None:
        with (logs / f"{name}.log").open("wb") as log:
            started.append(
                subprocess.Popen(
                    # A raylet waits a fixed ~15 s for its agent to start: on two cores shared
                    # with other work the agent's imports can take longer, so the nodes start
                    # ahead of other processes (they run for this test only).
                    ["nice", "-n", "-5", str(RAY), "start", *args],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: stopped with all it started
                )
            )

    address = ""
    try:
        # On two busy cores a raylet sometimes gives up waiting (a fixed ~15 s) for its agent
        # to start, or the GCS answers too late (seen once on a loaded 2-core Zen 1: the head's
        # ``ray start`` gave up after 3 minutes); the node's ``ray start`` then exits, and that
        # node is started once more (the head on a fresh port).
        for attempt in range(NODE_TRIES):
            port = _ports(1)[0]
            address = f"127.0.0.1:{port}"
            head = ["--head", f"--port={port}", "--include-dashboard=false"]
            start(f"head-{attempt}", [*head, *_node_args(temp, 1)])
            if _wait_for_nodes(address, 1, started, logs, last=attempt == NODE_TRIES - 1):
                break
        for attempt in range(NODE_TRIES):
            start(f"second-{attempt}", [f"--address={address}", *_node_args(temp, 1)])
            if _wait_for_nodes(address, 2, started, logs, last=attempt == NODE_TRIES - 1):
                break
        yield address
    finally:
        for process in reversed(started):
            process.send_signal(signal.SIGTERM)
        for process in reversed(started):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
            _stop_group(process)
        shutil.rmtree(temp, ignore_errors=True)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Kills what a ``ray start`` left in its own process group (started with a new session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _wait_for_nodes(
    address: str,
    count: int,
    started: list[subprocess.Popen[bytes]],
    logs: Path,
    *,
    last: bool = True,
) -> bool:
    """Whether ``count`` nodes are alive before a ``ray start`` exits (fails the test if that
    was the ``last`` try)."""
    probe = (
        "import ray, sys; ray.init(address=sys.argv[1], log_to_driver=False); "
        "print(sum(1 for n in ray.nodes() if n['Alive']))"
    )
    pause = threading.Event()
    deadline = time.monotonic() + START_WAIT_S
    while time.monotonic() < deadline and all(p.poll() is None for p in started):
        try:
            answer = subprocess.run(
                [sys.executable, "-c", probe, address],
                env={**os.environ, **RAY_ENV},
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        except subprocess.TimeoutExpired:  # a GCS too busy to answer yet: ask again
            continue
        if answer.returncode == 0 and answer.stdout.strip().endswith(str(count)):
            return True
        pause.wait(2)
    if not last:
        failed = started.pop()
        failed.wait(timeout=60)
        _stop_group(failed)
        return False
    text = "\n".join(p.read_text(errors="replace")[-2000:] for p in logs.iterdir())
    pytest.fail(f"the Ray cluster did not reach {count} nodes:\n{text}")


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_ray_on_this_machine_gives_the_local_report(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in RAY_ENV.items():
        monkeypatch.setenv(name, value)
    rows = archive.write_csv(tmp_path / "rows.csv")
    local, ray = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    backscan(archive.store, Source.open(str(rows)), Options(local, workers=1, chunk_size=64))
    summary = backscan(
        archive.store,
        Source.open(str(rows)),
        Options(ray, engine="ray", workers=2, chunk_size=64),
    )
    assert ray.read_bytes() == local.read_bytes()
    assert hits(ray) == archive.expected
    assert (summary.workers, summary.nodes, summary.scanned) == (2, 1, 600)


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_two_node_ray_cluster_shares_the_chunks_and_gives_the_local_report(
    database_url: str, tmp_path: Path, two_node_cluster: str
) -> None:
    db = Database.open(database_url)
    try:
        archive = make_archive(db, rows=900)
        rows = archive.write_csv(tmp_path / "rows.csv")
        local = tmp_path / "local.jsonl"
        backscan(archive.store, Source.open(str(rows)), Options(local, workers=1, chunk_size=50))
    finally:
        db.dispose()
    out = tmp_path / "ray.jsonl"
    env = {
        **os.environ,
        **RAY_ENV,
        "BOUCLIER_DATABASE_URL": database_url,
        "BOUCLIER_DATA_DIR": str(tmp_path / "data"),
    }
    command = [str(RAY.with_name("bouclier")), "backscan", str(rows), "--out", str(out)]
    command += ["--engine", "ray", "--address", two_node_cluster, "--chunk-size", "50"]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "2 workers on 2 Ray nodes" in done.stderr
    assert out.read_bytes() == local.read_bytes()
    assert hits(out) == archive.expected

"""Follower lag: from a bank write on a publisher to a match on a follower, with NATS change
notices and with polling; and from an analyst's review on the publisher to the follower's new
verdict (an ``update`` of the entry), beside it.

Two real instances on loopback (uvicorn, SQLite files in a temporary folder, no models), the
follower running ``bouclier bank follow``'s loop (:class:`~bouclier.banks.follower.Follower`) in
a thread. Each ``add`` round writes one new PDQ hash on the publisher and times until the
follower's ``POST /v1/match/hashes`` (a platform key of the follower's own) matches it, asked
every 20 ms. The lag is the whole path: notice (or poll) → signed page pulled and verified →
local write → the follower's matcher refreshed right after the sync (``Follower(on_applied=...)``)
→ match. Each ``update`` round first mirrors an unreviewed hash of a minor's case (not timed),
then times an analyst's confirmation on the publisher until the follower's verdict on it
escalates (the reviewed match of a minor's case). Targets: p99 ≤ 2 s with NATS, ≤ the poll
interval without, for both. Needs the NATS server at 127.0.0.1:4222.

    .venv/bin/python benchmarks/bench_follow.py --writes 30 --runs 3 --interval 2
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
import uvicorn

from bouclier.api import create_app
from bouclier.api.services import Services
from bouclier.banks.follower import Follower
from bouclier.banks.notices import NoticeListener
from bouclier.banks.store import NewEntry
from bouclier.cases import Cases, HashReport
from bouclier.detectors.base import Sample, Signal
from bouclier.detectors.registry import Registry
from bouclier.settings import load_settings

NATS_URL = "nats://127.0.0.1:4222"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class _Provenance:
    name = "provenance"
    version = "bench-1"
    labels: frozenset[str] = frozenset()

    def load(self) -> None:
        return None

    def detect(self, sample: Sample) -> list[Signal]:
        return []


class NoNudity:
    """A stand-in nudity detector (no model: only hashes are matched here)."""

    name = "nudity"
    version = "bench-1"
    labels = frozenset({"nudity.sexual", "nudity.revealing"})

    def load(self) -> None:
        return None

    def detect(self, sample: Sample) -> list[Signal]:
        return []


@contextmanager
def serving(folder: Path, **more: object) -> Iterator[tuple[str, Services]]:
    settings = load_settings(
        data_dir=folder, database_url=f"sqlite:///{folder / 'bouclier.db'}", **more
    )
    app = create_app(settings, detectors=Registry([NoNudity(), _Provenance()]))
    port = _port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app.state.services
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _until(client: httpx.Client, url: str, key: str, value: str, done: str) -> None:
    """Asks the follower every 20 ms until its answer on ``value`` has ``done`` (a field of the
    result: ``matches`` or ``escalate``) true."""
    while True:
        answer = client.post(
            f"{url}/v1/match/hashes",
            headers={"Authorization": f"Bearer {key}"},
            json={"pdq": [value]},
        )
        answer.raise_for_status()
        if answer.json()["results"][0][done]:
            return
        time.sleep(0.02)


def run(mode: str, change: str, writes: int, interval: float, seed: int) -> list[float]:
    """Lags (seconds) of ``writes`` changes (``add``: a bank write; ``update``: an analyst's
    confirmation), with ``mode`` nats or poll."""
    subject = f"bouclier.bench.{os.getpid()}.{seed}"
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        nats = {"nats_url": NATS_URL, "nats_subject": subject} if mode == "nats" else {}
        with (
            serving(root / "publisher", **nats) as (pub_url, publisher),
            # the bench's own probes (every 20 ms) are not what is measured: no rate limit there
            serving(root / "follower", rate_limit_per_second=0) as (fol_url, follower),
        ):
            publisher.store.create("victims", "victim")
            cases = Cases(publisher.db, publisher.settings, banks=publisher.store)
            key = publisher.keys.create("follower", "platform")[1]
            local_key = follower.keys.create("local", "platform")[1]
            stop = threading.Event()
            wake = threading.Event()
            listener = NoticeListener(NATS_URL, subject, lambda _c: wake.set())
            if mode == "nats":
                listener.start()
            sync = Follower(follower.store, pub_url, key, on_applied=follower.refresh_matcher)
            sync.sync()

            worker = threading.Thread(
                target=sync.keep_following,
                args=(None, interval),
                kwargs={"wake": wake, "stop": stop},
                daemon=True,
            )
            worker.start()
            lags = []
            with httpx.Client() as client:
                for _ in range(writes):
                    value = bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex()
                    if change == "update":  # a victim's claim, mirrored first (not timed)
                        case, _ = cases.create(minor=True)
                        [item] = cases.add_hashes(case.number, [HashReport(value, 90)])
                        _until(client, fol_url, local_key, value, "matches")
                    time.sleep(float(rng.uniform(0, interval)))  # a write at any phase of a poll
                    start = time.perf_counter()
                    if change == "update":
                        cases.review_item(case.number, item.id, "confirm", actor="analyst:b")
                    else:
                        publisher.store.add("victims", [NewEntry(value)])
                    _until(
                        client,
                        fol_url,
                        local_key,
                        value,
                        "escalate" if change == "update" else "matches",
                    )
                    lags.append(time.perf_counter() - start)
            stop.set()
            wake.set()
            worker.join(timeout=30)
            if mode == "nats":
                listener.close()
            sync.close()
            return lags


def _p(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=30, help="bank writes per run and mode")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--interval", type=float, default=2.0, help="the follower's poll, s")
    parser.add_argument("--modes", default="nats,poll", help="nats, poll or both (default)")
    parser.add_argument(
        "--changes", default="add,update", help="add (a bank write), update (a review) or both"
    )
    args = parser.parse_args()
    print(
        f"Follower lag, a change on the publisher → the follower's answer: {args.writes} changes "
        f"× {args.runs} runs per mode and change, poll interval {args.interval:g} s, two uvicorn "
        "instances on SQLite. add: a bank write until it matches; update: an analyst's "
        "confirmation until the verdict escalates."
    )
    print()
    print(
        "| mode | change | n | median s | p90 s | p99 s | max s | p99 per run (spread) | target |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for mode in args.modes.split(","):
        for change in args.changes.split(","):
            per_run = [
                run(mode, change, args.writes, args.interval, seed) for seed in range(args.runs)
            ]
            lags = [lag for r in per_run for lag in r]
            p99s = ", ".join(f"{_p(r, 99):.2f}" for r in per_run)
            target = "≤ 2 s" if mode == "nats" else f"≤ {args.interval:g} s (poll)"
            print(
                f"| {mode} | {change} | {len(lags)} | {statistics.median(lags):.2f} | "
                f"{_p(lags, 90):.2f} | {_p(lags, 99):.2f} | {max(lags):.2f} | {p99s} | {target} |"
            )


if __name__ == "__main__":
    main()

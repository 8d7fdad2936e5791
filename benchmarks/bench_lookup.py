"""Server CPU of a hash lookup, in process, by path: where the web stack's time goes (issue 18).

    .venv/bin/python benchmarks/bench_lookup.py [--bank 100000] [--requests 20000] [--out FILE]

Each path is called as uvicorn calls it (the ASGI app with a request's scope, body and send), on
uvloop, without a socket: what it measures is the CPU of the framework and the route, the part
of a lookup that the HTTP server and the kernel do not own (those are in bench_load.py). CPU
time (``time.process_time``: every thread of this process, user + system), so a loaded machine
changes the wall time but barely the figures. The paths, side by side on the same app, bank and
bodies, one request after another, all of them answered 200:

- ``POST /v1/match/hashes``: the general path (gate, access log and metrics middleware, FastAPI's
  routing, the API key dependency, the body model, the response model);
- ``POST /v1/lookup``: the lean path (bouclier.api.lookup), the same checks and answer;
- a bare Starlette app, one route, no key, no limit, no log, no metrics, orjson in and out, the
  same index search: the floor of a Starlette route doing the work (the issue's reference).

The paths are measured in 7 interleaved rounds (each path in turn, then again), and each figure
is the median round's, so that the load of the machine falls on all of them alike.

Each with 1 hash per request and with batches (--batches), reported per request and per hash.
The bank is SQLite with ``--bank`` random PDQ hashes plus planted ones, written to the database
before the service starts, so that its index is built in bulk at start (one main segment, an
empty delta), as bench_load.py's servers find their imported bank and as production has it after
a merge. (Until w22-lean the rows were added after the start and replayed from the change log,
which left ~30,000 of them in the index's delta: a linear scan on every lookup that neither
bench_load.py nor production pays.) Bodies rotate through 10% planted hashes, 10% a few bits from
one, 80% random, as in bench_load.py. The per-key rate limit
is off (as in bench_load.py: one key makes every call), the access log is written to /dev/null
through the service's JSON formatter (as ``bouclier serve`` writes it to stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

if TYPE_CHECKING:
    from fastapi import FastAPI

ROUNDS = 7
App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def _bodies(planted: list[str], size: int, count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    bodies = []
    for _ in range(count):
        values = []
        for _ in range(size):
            kind = rng.randrange(10)
            if kind == 0:
                values.append(rng.choice(planted))
            elif kind == 1:
                number = int(rng.choice(planted), 16)
                for bit in rng.sample(range(256), rng.randint(1, 20)):
                    number ^= 1 << bit
                values.append(f"{number:064x}")
            else:
                values.append(f"{rng.getrandbits(256):064x}")
        bodies.append(orjson.dumps({"pdq": values}))
    return bodies


async def _call(app: App, path: str, body: bytes, headers: list[tuple[bytes, bytes]]) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [*headers, (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # a client that keeps the connection: never disconnects
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def _bare_app(matcher: Any) -> App:
    """One Starlette route doing the search with nothing around it."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from bouclier.signals import DEFAULT

    kind = matcher.signal_types.get(DEFAULT)

    async def lookup(request: Request) -> Response:
        values = [kind.validate(v) for v in orjson.loads(await request.body())["pdq"]]
        found = matcher.match_packed(DEFAULT, kind.pack(values))
        results = [
            {"pdq": value, "matches": [m.to_dict() for m in matches]}
            for value, matches in zip(values, found, strict=True)
        ]
        return Response(orjson.dumps({"results": results}), media_type="application/json")

    app: App = Starlette(routes=[Route("/v1/lookup", lookup, methods=["POST"])])
    return app


async def _measure(
    app: App, path: str, bodies: list[bytes], headers: list[tuple[bytes, bytes]], requests: int
) -> float:
    """CPU milliseconds per request over ``requests`` requests."""
    started = time.process_time()
    for i in range(requests):
        status = await _call(app, path, bodies[i % len(bodies)], headers)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
    return (time.process_time() - started) * 1000 / requests


def _bank(database_url: str, size: int, planted: list[str]) -> None:
    """The bank, written to the database before the service starts (it then builds its index
    from every row at once, as after a bulk import)."""
    from bouclier.banks.store import BankStore
    from bouclier.storage import Database

    db = Database.open(database_url)
    try:
        _fill(BankStore(db), size, planted)
    finally:
        db.dispose()


def _fill(store: Any, size: int, planted: list[str]) -> None:
    from bouclier.banks.store import NewEntry

    store.create("victims", "victim", None)
    rng = np.random.default_rng(18)
    rows = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    values = [bytes(row).hex() for row in rows] + planted
    for start in range(0, len(values), 50_000):
        chunk = values[start : start + 50_000]
        store.add("victims", [NewEntry(value=v, source="bench-lookup") for v in chunk])


def in_process_app(data: Path) -> FastAPI:
    """The service's app over SQLite in ``data``, in this process, with its configured models
    loaded, no rate limit, and its access log written (to /dev/null) as in production."""
    from bouclier.api import create_app
    from bouclier.api.observability import JsonFormatter
    from bouclier.settings import load_settings

    handler = logging.FileHandler(os.devnull)
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("bouclier.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False
    settings = load_settings(
        data_dir=data,
        database_url=f"sqlite:///{data / 'bouclier.db'}",
        rate_limit_per_second=0,
        limiter_store="memory",
    )
    app = create_app(settings)
    return app


async def _run(args: argparse.Namespace, data: Path) -> list[tuple[str, int, float]]:
    app = in_process_app(data)  # the configured models, loaded before anything is measured
    rng = random.Random(4)
    planted = [f"{rng.getrandbits(256):064x}" for _ in range(200)]
    rows: list[tuple[str, int, float]] = []
    print(f"bank: {args.bank:,} random PDQ hashes + {len(planted)} planted", flush=True)
    _bank(f"sqlite:///{data / 'bouclier.db'}", args.bank, planted)
    async with app.router.lifespan_context(app):
        services = app.state.services
        index = services.matcher.index
        print(f"index: {len(index):,} hashes, {index._delta.count} in the delta", flush=True)
        await asyncio.to_thread(services.models_ready.wait, 600)
        key = services.keys.create("bench-lookup", "platform")[1]
        headers = [
            (b"authorization", f"Bearer {key}".encode()),
            (b"content-type", b"application/json"),
        ]
        bare = _bare_app(services.matcher)
        for size in (1, *args.batches):
            bodies = _bodies(planted, size, 2000 if size < 64 else 200, seed=size)
            count = max(40, args.requests // size // ROUNDS)
            paths = (
                ("/v1/match/hashes (general path)", app, "/v1/match/hashes", headers),
                ("/v1/lookup (lean path)", app, "/v1/lookup", headers),
                ("bare Starlette route (floor)", bare, "/v1/lookup", headers[1:]),
            )
            for _, target, path, sent in paths:  # warm-up
                await _measure(target, path, bodies, sent, min(200, count))
            rounds: dict[str, list[float]] = {name: [] for name, *_ in paths}
            for _ in range(ROUNDS):  # interleaved: the machine's load falls on every path alike
                for name, target, path, sent in paths:
                    rounds[name].append(await _measure(target, path, bodies, sent, count))
            for name, cpu in rounds.items():
                rows.append((name, size, statistics.median(cpu)))
                print(f"{name}, {size} per request: {statistics.median(cpu):.3f} ms", flush=True)
    return rows


def table(rows: list[tuple[str, int, float]], bank: int) -> str:
    lines = [
        f"Server CPU per lookup request, in process (ASGI on uvloop, no socket), bank of {bank:,} "
        f"PDQ hashes, one after another; CPU = process time (user + system), {os.cpu_count()} "
        "cores, load at the start: " + " ".join(f"{x:.1f}" for x in os.getloadavg()) + ".",
        "",
        "| path | hashes / request | CPU ms / request | CPU µs / hash | × the floor |",
        "|---|---|---|---|---|",
    ]
    floor = {size: cpu for name, size, cpu in rows if name.startswith("bare")}
    for name, size, cpu in rows:
        lines.append(
            f"| {name} | {size} | {cpu:.3f} | {cpu * 1000 / size:.1f} | {cpu / floor[size]:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bank", type=int, default=100_000, help="random hashes in the bank")
    parser.add_argument("--requests", type=int, default=20_000, help="hashes per measurement")
    parser.add_argument("--batches", type=int, nargs="*", default=[16, 64, 256])
    parser.add_argument("--out", type=Path, help="also write the table here")
    args = parser.parse_args()
    import uvloop

    with tempfile.TemporaryDirectory(prefix="bench-lookup-") as data:
        rows = uvloop.run(_run(args, Path(data)))
    text = table(rows, args.bank)
    print()
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()

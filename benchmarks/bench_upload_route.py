"""What ``POST /v1/match`` spends outside decode, hashes and the index: the route's own cost.

    .venv/bin/python benchmarks/bench_upload_route.py [--bank 20000] [--uploads 160] [--profile]

The 32 benign 1 MP JPEGs of bench_load.py (c), uploaded as multipart bodies to the app as uvicorn
calls it (the ASGI app with a request's scope, body and send, on uvloop, no socket: the HTTP
server's and the kernel's share is bench_load.py's), against the work the route cannot skip,
called directly on the same service: ``hash_bytes`` as the route calls it (decode, PDQ x 8,
digests, framing), ``match_image``, the matches' standing and the verdict. The difference is
the route's own cost: the middleware (gate, access log, metrics), FastAPI's routing and
dependencies (the API key, the multipart parser), the thread hand-off and the answer's JSON.
The route is measured twice, with BOUCLIER_LUMA_DECODE on and off (RGB, the default), so that
the two decodes compare in one process under the same load. CPU time (``time.process_time``:
every thread, user + system), in 5 interleaved rounds, median.
``--profile``: cProfile's top functions of the route over one more pass (their own time).
``--only KIND``: after the set-up and a warm-up of 32, only ``--uploads`` calls of one kind
(``route``: the RGB route as configured, the lean path on; ``general``: the lean path off;
``work``: the work alone), nothing printed: for ``perf stat -e instructions`` on the whole
process, run at two counts and differenced (benchmarks/upload_instructions.sh).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np
import photos
from bench_lookup import _call, in_process_app

ROUNDS = 5
BOUNDARY = "bouclierbenchboundary"


def _multipart(data: bytes) -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{BOUNDARY}--\r\n".encode()


async def _run(args: argparse.Namespace, data_dir: Path) -> None:
    from bouclier.api.images import _hash_and_match, settle
    from bouclier.banks.store import NewEntry
    from bouclier.policy import decide

    app = in_process_app(data_dir)
    datas = [p.read_bytes() for p in photos.photos(32, seed=404, min_mp=1.0, max_mp=1.0)]
    bodies = [_multipart(d) for d in datas]
    async with app.router.lifespan_context(app):
        services = app.state.services
        services.store.create("victims", "victim", None)
        rows = np.random.default_rng(18).integers(0, 256, (args.bank, 32), dtype=np.uint8)
        values = [bytes(row).hex() for row in rows]
        services.store.add("victims", [NewEntry(value=v, source="bench") for v in values])
        services.refresh_matcher()
        await asyncio.to_thread(services.models_ready.wait, 600)
        key = services.keys.create("bench-upload", "platform")[1]
        headers = [
            (b"authorization", f"Bearer {key}".encode()),
            (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
        ]

        async def route(n: int) -> None:
            for i in range(n):
                status = await _call(app, "/v1/match", bodies[i % len(bodies)], headers)
                if status != 200:
                    raise SystemExit(f"/v1/match answered {status}")

        async def work(n: int) -> None:
            for i in range(n):
                hashes, result = _hash_and_match(services, datas[i % len(datas)])
                [matches], _minors = await settle(services, [result.matches])
                decide([], matches)
                assert hashes.sha256

        settings = services.settings
        luma = settings.model_copy(update={"luma_decode": True})
        rgb = settings.model_copy(update={"luma_decode": False})

        async def cpu(task: Any, n: int, settings: Any = luma) -> float:
            services.settings = settings
            started = time.process_time()
            await task(n)
            spent = (time.process_time() - started) * 1000 / n
            services.settings = luma
            return spent

        if args.only is not None:
            chosen = {
                "route": (route, rgb),
                "general": (route, rgb.model_copy(update={"lean_match": False})),
                "work": (work, rgb),
            }[args.only]
            await cpu(chosen[0], 32, chosen[1])
            # The background pollers (the change log's follower every 0.5 s, the snapshot
            # keeper, the webhook deliverer) do work that grows with the wall time, which
            # valgrind stretches by the machine's load: stopped, so that the count is the
            # uploads' alone (their libpython share varied from 3 to 10 M an upload before).
            await asyncio.to_thread(services.live.close)
            await asyncio.to_thread(services.deliverer.stop)
            await _step(args.handshake, "ready", "go")
            profile = cProfile.Profile(time.thread_time) if args.profile else None
            if profile is not None:
                profile.enable()
            await cpu(chosen[0], args.uploads, chosen[1])
            if profile is not None:
                profile.disable()
                out = io.StringIO()
                stats = pstats.Stats(profile, stream=out)
                stats.sort_stats("tottime").print_stats(40)
                stats.sort_stats("cumulative").print_stats(60)
                print(out.getvalue())
            await _step(args.handshake, "done", "exit")
            return
        await cpu(route, 32)
        await cpu(route, 32, rgb)
        await cpu(work, 32)
        measured: dict[str, list[float]] = {"route": [], "rgb": [], "work": []}
        for _ in range(ROUNDS):
            measured["route"].append(await cpu(route, args.uploads))
            measured["rgb"].append(await cpu(route, args.uploads, rgb))
            measured["work"].append(await cpu(work, args.uploads))
        r, c, w = (statistics.median(measured[k]) for k in ("route", "rgb", "work"))
        print(
            f"POST /v1/match in process, {args.uploads} uploads a round, {ROUNDS} rounds, bank "
            f"{args.bank:,}; load: " + " / ".join(f"{x:.1f}" for x in os.getloadavg())
        )
        print()
        print("| path | CPU ms / upload (median round) | rounds |")
        print("|---|---|---|")
        print(
            f"| POST /v1/match, RGB decode (the default) | {c:.2f} | "
            + _fmt(measured["rgb"])
            + " |"
        )
        print(
            f"| POST /v1/match (luma decode, opt-in) | {r:.2f} | " + _fmt(measured["route"]) + " |"
        )
        print(f"| the work alone, luma (hash, match, standing, verdict) | {w:.2f} | "
              + _fmt(measured["work"]) + " |")  # fmt: skip
        print(f"| the route's own cost (luma route - work) | {r - w:.2f} | |")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            await route(args.uploads)
            profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(30)
            print(out.getvalue())


async def _step(folder: Path | None, mine: str, theirs: str) -> None:
    """Says ``mine`` (a file in ``folder``) and waits for ``theirs``: the points at which
    benchmarks/upload_instructions.sh turns callgrind's counting on and off."""
    if folder is None:
        return
    (folder / mine).touch()
    while not (folder / theirs).exists():
        await asyncio.sleep(0.05)


def _fmt(values: list[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bank", type=int, default=20_000, help="random hashes in the bank")
    parser.add_argument("--uploads", type=int, default=160, help="uploads a round")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--only", choices=("route", "general", "work"))
    parser.add_argument("--handshake", type=Path, help="with --only: see upload_instructions.sh")
    args = parser.parse_args()
    import uvloop

    with tempfile.TemporaryDirectory(prefix="bench-upload-route-") as data:
        uvloop.run(_run(args, Path(data)))


if __name__ == "__main__":
    main()

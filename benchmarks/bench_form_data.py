"""The lean path's multipart parser (bouclier.api.form_data) beside the route's (Starlette's
``MultiPartParser`` over python-multipart, as ``read_media`` calls it) on the same bodies.

    .venv/bin/python benchmarks/bench_form_data.py [--rounds 7] [--reps 200] [--mp 1]

The bodies are bench_load.py's: the 32 benign 1 MP JPEGs, one ``file`` part each (``--mp 12``:
12 MP photos of the same kind, whose files pass the 1 MiB past which Starlette spools a file
to disk). Each side
turns a body into the file's bytes (ours: parse, then the slice the route hands on; theirs:
parse, then ``UploadFile.read``, as ``read_media`` does), in interleaved rounds; CPU time
(``time.process_time``) per body, the median round and every round.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import AsyncGenerator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import photos
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartParser

from bouclier.api.form_data import parse_form

BOUNDARY = "bouclierbenchboundary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}".encode()


def _body(data: bytes) -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def ours(body: bytes) -> bytes:
    parts = parse_form(CONTENT_TYPE, body)
    assert parts is not None
    file = parts[-1]
    return body[file.start : file.end]


async def theirs(body: bytes) -> bytes:
    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    headers = Headers(raw=[(b"content-type", CONTENT_TYPE)])
    form = await MultiPartParser(headers, stream(), max_files=1, max_fields=16).parse()
    upload = form.get("file")
    assert isinstance(upload, UploadFile)
    data = await upload.read()
    await form.close()
    return data


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--reps", type=int, default=200, help="bodies a round and side")
    parser.add_argument("--mp", type=float, default=1.0, help="megapixels of the photos")
    parser.add_argument("--only", choices=("ours", "theirs"))
    args = parser.parse_args()
    found = photos.photos(32, seed=404, min_mp=args.mp, max_mp=args.mp)
    datas = [p.read_bytes() for p in found]
    bodies = [_body(d) for d in datas]
    if args.only is not None:
        for i in range(args.reps):
            body = bodies[i % len(bodies)]
            ours(body) if args.only == "ours" else await theirs(body)
        return
    for body, data in zip(bodies, datas, strict=True):
        assert ours(body) == data
        assert await theirs(body) == data
    spent: dict[str, list[float]] = {"ours": [], "theirs": []}
    for _ in range(args.rounds):
        started = time.process_time()
        for i in range(args.reps):
            ours(bodies[i % len(bodies)])
        spent["ours"].append((time.process_time() - started) * 1e6 / args.reps)
        started = time.process_time()
        for i in range(args.reps):
            await theirs(bodies[i % len(bodies)])
        spent["theirs"].append((time.process_time() - started) * 1e6 / args.reps)
    size = statistics.mean(len(b) for b in bodies)
    print(f"{len(bodies)} bodies of {size / 1024:.0f} KiB on average; {args.rounds} rounds")
    print()
    print("| parser | CPU µs per body (median round) | rounds |")
    print("|---|---|---|")
    for name, label in (
        ("ours", "bouclier.api.form_data"),
        ("theirs", "Starlette + python-multipart"),
    ):
        rounds = " / ".join(f"{v:.0f}" for v in spent[name])
        print(f"| {label} | {statistics.median(spent[name]):.0f} | {rounds} |")


if __name__ == "__main__":
    asyncio.run(main())

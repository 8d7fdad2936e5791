"""Evidence captures: captures per minute and bytes per capture, beside a bare browser visit.

A local site on loopback serves a post (a page with ``--images`` benign JPEG pictures, one of
them banked). Systems, on the same site, in the same run:

- **bare visit**: Playwright drives the same Chromium (new profile, headless) to the page and
  takes a full-page screenshot, nothing else: the floor any browser capture pays;
- **Bouclier capture**: :meth:`bouclier.capture.Captures.capture`: fresh profile, every request
  fetched under the network rules and written to a WARC, WACZ, screenshot, HTML, images hashed and
  matched against the banks, manifest signed, package sealed and stored with its custody entry
  (no timestamp authority: its latency is the authority's, not Bouclier's);
- the same with ``--workers`` captures at once (threads, each its own browser), for what 2 cores
  give.

Each system runs ``--captures`` captures per run, ``--runs`` runs; the table gives captures per
minute (mean and min-max over the runs) and the ratio to the bare visit, then the bytes a capture
stores (the sealed package) and of what (WACZ, screenshot, HTML).

    .venv/bin/python benchmarks/bench_capture.py [--quick] [--captures 4] [--runs 3]
                                                 [--workers 2] [--images 4]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bouclier.capture import Captures, recorder  # noqa: E402
from bouclier.cases import Cases, HashReport  # noqa: E402
from bouclier.hashing import hash_bytes  # noqa: E402
from bouclier.settings import load_settings  # noqa: E402
from bouclier.storage import Database  # noqa: E402
from tests.capture.conftest import Site, _serve, benign_jpeg  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def bare_visit(url: str) -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=recorder.CHROMIUM_ARGS[:4],
            viewport={"width": 1280, "height": 900},
        )
        page = context.new_page()
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        shot = page.screenshot(full_page=True)
        context.close()
        return len(shot)


def timed(run: Callable[[], None], count: int, workers: int) -> float:
    """Captures per minute for ``count`` calls of ``run`` on ``workers`` threads."""
    start = time.perf_counter()
    if workers == 1:
        for _ in range(count):
            run()
    else:
        with ThreadPoolExecutor(workers) as pool:
            for future in [pool.submit(run) for _ in range(count)]:
                future.result()
    return count / (time.perf_counter() - start) * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captures", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--images", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="1 run of 1 capture per system")
    args = parser.parse_args()
    if args.quick:
        args.captures, args.runs = 1, 1

    serving = _serve(Site(""), None)  # held: the server stops when the generator is closed
    site = next(serving)
    tags = "".join(f'<img src="/{i}.jpg" width="300">' for i in range(args.images))
    site.html("/post", f"<html><head><title>post</title></head><body><h1>A post</h1>{tags}")
    for i in range(args.images):
        site.image(f"/{i}.jpg", benign_jpeg(100 + i))
    url = f"{site.url}/post"

    folder = Path(tempfile.mkdtemp(prefix="bench-capture-"))
    database_url = f"sqlite:///{folder / 'bouclier.db'}"
    settings = load_settings(
        data_dir=folder, database_url=database_url, capture_allowed_hosts="127.0.0.1"
    )
    db = Database.open(database_url)
    cases = Cases(db, settings)
    case, _ = cases.create()
    banked = hash_bytes(benign_jpeg(100))
    cases.add_hashes(case.number, [HashReport(banked.pdq.pdq, banked.pdq.quality, banked.sha256)])
    item = cases.add_urls(case.number, [url])[0]
    captures = Captures(db, settings)

    def capture() -> None:
        captures.capture(case.number, item.id, actor="bench")

    def bare() -> None:
        bare_visit(url)

    systems: list[tuple[str, Callable[[], None], int]] = [
        ("bare visit (Playwright + screenshot)", bare, 1),
        ("Bouclier capture", capture, 1),
        (f"Bouclier capture, {args.workers} at once", capture, args.workers),
    ]
    capture()  # warm: imports, the banks' matcher, the signing and case keys
    results: dict[str, list[float]] = {name: [] for name, _, _ in systems}
    for _ in range(args.runs):
        for name, run, workers in systems:  # interleaved: the machine's load hits all alike
            results[name].append(timed(run, args.captures, workers))

    base = statistics.mean(results[systems[0][0]])
    print(f"{args.captures} captures x {args.runs} runs, page with {args.images} images\n")
    print("| system | captures/min (mean) | min-max over runs | vs bare visit |")
    print("| --- | ---: | ---: | ---: |")
    for name, values in results.items():
        mean = statistics.mean(values)
        print(f"| {name} | {mean:.1f} | {min(values):.1f}-{max(values):.1f} | {mean / base:.2f}x |")
    last = captures.list(case.number)[-1]
    with zipfile.ZipFile(io.BytesIO(captures.package(case.number, last.id))) as zipped:
        sizes = {info.filename: info.file_size for info in zipped.infolist()}
    print(f"\nbytes per capture (sealed package as stored): {last.size:,}")
    for name, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"  {name}: {size:,}")
    db.dispose()
    serving.close()


if __name__ == "__main__":
    main()

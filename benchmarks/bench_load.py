"""The service under load (issues 4, 18): wrk on loopback against 2 worker processes, 1M hashes.

    .venv/bin/python benchmarks/bench_load.py [--duration 600] [--quick] [--scenarios abcdef]

Scenarios, one after the other, each with a few seconds of warm-up first, then ``--duration``
seconds of load (default 600, the issue's ten minutes; ``--quick``: 20 s):

(a) Bouclier ``POST /v1/match/hashes`` (the general path), one PDQ hash per request;
(d) Bouclier ``POST /v1/lookup`` (the lean path, bouclier.api.lookup), one PDQ hash per request;
(e) Bouclier ``POST /v1/lookup``, :data:`BATCH` hashes per request (``--batch``);
(b) one hash per request against python-threatexchange 1.2.17's PDQ index (``PDQIndex``: faiss
    ``IndexBinaryMultiHash``, 16 tables of 16 bits, nflip = 31 // 16 = 1, so exact at 31, as HMA
    runs it) behind the same kind of server (``benchmarks/load_baseline.py``: FastAPI, uvicorn,
    2 workers, same 1M hashes; no key, no access log, no metrics);
(f) the same with :data:`BATCH` hashes per request (its route answers a list, as Bouclier's);
(c) Bouclier ``POST /v1/match``, a 1 MP JPEG per request (multipart): decode, hash, match.

Bouclier's lookups carry a platform key, write an access-log line and count metrics; the servers
run with BOUCLIER_RATE_LIMIT_PER_SECOND=0 (the per-key limit off: one key makes every call).
The bank (1,000,000 random 256-bit hashes plus the hashes of the query photos, so that some
lookups hit) is built once with ``bouclier bank create`` and ``bouclier bank import`` in a SQLite
file under .cache/bench-load and reused. Lookup bodies rotate through 2,000 hashes: 10% planted
(exact hits), 10% a few bits away from a planted one, 80% random (misses); the batched bodies hold
the same hashes, 64 to a body. Upload bodies rotate through 32 benign generated photos
(benchmarks/photos.py). Memory is the sum of VmRSS of the server process and its workers (/proc),
sampled every 5 s. wrk (installed from Debian when missing) runs on the same 2 cores as the
servers, unpinned, with one thread: its cost comes out of the servers'. The fair measure on a
shared machine is the server CPU per request (all workers, user + system, from /proc).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import photos

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "bench-load"
VENV = ROOT / ".venv" / "bin"
LUA = Path(__file__).resolve().parent / "load.lua"
BANK_SIZE = 1_000_000
PHOTOS = 32
LOOKUP_BODIES = 2000
#: Hashes per request of the batched scenarios (e), (f).
BATCH = 64
BOUNDARY = "bouclierbenchloadboundary"


@dataclass
class Result:
    scenario: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    error_detail: str
    rss_start: int
    rss_end: int
    rss_max: int
    server_cpu: float  # seconds of CPU used by the server processes during the measured run
    wrk_cpu: float
    other_cpu: float  # by everything else on the machine (other people's work)
    restarts: int  # worker processes uvicorn replaced during the scenario
    batch: int = 1  # hashes per request (lookups)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms(self) -> float:
        """Server CPU per request, milliseconds."""
        return self.server_cpu * 1000 / max(1, self.requests)

    @property
    def capacity(self) -> float:
        """Requests per second the server CPU per request allows on 2 cores of its own."""
        return 2000 / self.cpu_ms if self.cpu_ms else 0.0

    @property
    def units(self) -> str:
        """``hashes/req`` column: hashes per lookup request, "-" for an upload."""
        return "-" if "upload" in self.scenario else str(self.batch)


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    samples: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def rss(self) -> int:
        return tree_rss(self.process.pid)

    def restarts(self) -> int:
        """Workers uvicorn has replaced so far (its log says "Child process [pid] died")."""
        log = CACHE / f"{self.name}.log"
        with log.open("rb") as lines:
            return sum(1 for line in lines if b"Child process [" in line and b"died" in line)

    def sample_forever(self) -> None:
        while not self._stop.wait(5.0):
            self.samples.append((time.monotonic(), self.rss()))

    def stop(self) -> None:
        self._stop.set()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def tree_rss(pid: int) -> int:
    """Bytes: VmRSS summed over ``pid`` and its descendants (shared pages counted in each)."""
    total = 0
    for current in tree(pid):
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def tree_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) used so far by ``pid`` and its descendants."""
    ticks = 0
    for current in tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """Seconds of CPU used so far on the whole machine, all cores (/proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    print("installing wrk from Debian (apt-get install wrk)", file=sys.stderr)
    install = [*prefix, "apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, check=False, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run([*prefix, "apt-get", "update", "-q"], stdout=subprocess.DEVNULL, check=True)
        subprocess.run(install, stdout=subprocess.DEVNULL, check=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed and could not be installed")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


#: Settings the servers get beyond the defaults (--pdq-min-side sets BOUCLIER_PDQ_MIN_SIDE).
EXTRA_SETTINGS: dict[str, str] = {}


def bouclier_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOUCLIER_")}
    env["BOUCLIER_DATA_DIR"] = str(CACHE / "data")
    env["BOUCLIER_RATE_LIMIT_PER_SECOND"] = "0"
    env.update(EXTRA_SETTINGS)
    return env


def cli(*args: str) -> str:
    done = subprocess.run(
        [str(VENV / "bouclier"), *args],
        env=bouclier_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bouclier {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def flip(value: str, bits: int, rng: random.Random) -> str:
    number = int(value, 16)
    for bit in rng.sample(range(256), bits):
        number ^= 1 << bit
    return f"{number:064x}"


def prepare() -> tuple[list[Path], list[str], Path]:
    """The photos, their PDQ hashes, and the hash list of the bank (built once)."""
    from bouclier.hashing import hash_bytes

    paths = photos.photos(PHOTOS, seed=404, min_mp=1.0, max_mp=1.0)
    planted = [hash_bytes(p.read_bytes()).pdq.pdq for p in paths]
    hashes_file = CACHE / "bank-hashes.txt"
    marker = CACHE / "bank-ready"
    if not marker.exists():
        print(f"bank: {BANK_SIZE:,} random hashes + {len(planted)} planted", flush=True)
        shutil.rmtree(CACHE / "data", ignore_errors=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(4)
        rows = rng.integers(0, 256, (BANK_SIZE, 32), dtype=np.uint8)
        lines = [bytes(row).hex() for row in rows] + planted
        hashes_file.write_text("\n".join(lines) + "\n")
        cli("bank", "create", "victims", "--kind", "victim")
        started = time.perf_counter()
        cli("bank", "import", "victims", str(hashes_file), "--source", "bench-load")
        print(f"imported in {time.perf_counter() - started:.0f} s", flush=True)
        marker.write_text("ok\n")
    catch_up_webhooks()
    return paths, planted, hashes_file


def catch_up_webhooks() -> None:
    """Fans the bank's change log out to the webhook outbox now: left to the servers, the
    deliverer's background rounds (5,000 changes each, every 2 s per process) would spend
    minutes of the measured runs' CPU on the 1M imported changes, billed to the requests."""
    from bouclier.storage import Database
    from bouclier.webhooks.fanout import fan_out_all

    db = Database.open(f"sqlite:///{CACHE / 'data' / 'bouclier.db'}")
    try:
        if read := fan_out_all(db):
            print(f"webhook fan-out caught up: {read:,} changes", flush=True)
    finally:
        db.dispose()


def lookup_bodies(planted: list[str], batch: int) -> Path:
    """:data:`LOOKUP_BODIES` hashes (10% planted, 10% a few bits from one, 80% random), ``batch``
    to a body, one body per line."""
    rng = random.Random(7)
    values = []
    for i in range(LOOKUP_BODIES):
        kind = i % 10
        if kind == 0:
            values.append(rng.choice(planted))
        elif kind == 1:
            values.append(flip(rng.choice(planted), rng.randint(1, 20), rng))
        else:
            values.append(f"{rng.getrandbits(256):064x}")
    if batch > 1:  # the same hashes, in bodies of ``batch`` (wrapping round)
        values = (values * batch)[: LOOKUP_BODIES * batch // math.gcd(LOOKUP_BODIES, batch)]
    bodies = [json.dumps({"pdq": values[i : i + batch]}) for i in range(0, len(values), batch)]
    lookup_list = CACHE / f"lookup-bodies-{batch}.txt"
    lookup_list.write_text("\n".join(bodies) + "\n")
    return lookup_list


def write_bodies(paths: list[Path], planted: list[str]) -> tuple[Path, Path]:
    lookup_list = lookup_bodies(planted, 1)
    upload_dir = CACHE / "upload-bodies"
    upload_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for path in paths:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{path.name}"\r\nContent-Type: image/jpeg\r\n\r\n'
        )
        body = head.encode() + path.read_bytes() + f"\r\n--{BOUNDARY}--\r\n".encode()
        out = upload_dir / (path.stem + ".multipart")
        out.write_bytes(body)
        files.append(str(out))
    upload_list = CACHE / "upload-bodies.txt"
    upload_list.write_text("\n".join(files) + "\n")
    return lookup_list, upload_list


def start(
    name: str, command: list[str], env: dict[str, str], port: int, workers: int = 2
) -> Server:
    log = (CACHE / f"{name}.log").open("wb")
    process = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT
    )
    server = Server(name, process, port)
    import httpx

    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}; see {log.name}")
        # /readyz answers from whichever worker is up first: wait for every worker's startup line
        started = (CACHE / f"{name}.log").read_bytes().count(b"Application startup complete")
        try:
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            ready = False
        if ready and started >= workers:
            break
        time.sleep(1)
    else:
        server.stop()
        raise SystemExit(f"{name} not ready after 600 s; see {log.name}")
    threading.Thread(target=server.sample_forever, daemon=True).start()
    return server


def wrk(
    wrk_bin: str,
    url: str,
    seconds: int,
    connections: int,
    bodies: Path,
    mode: str,
    content_type: str,
    authorization: str,
) -> dict[str, float]:
    command = [
        wrk_bin,
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        url,
        "--",
        str(bodies),
        mode,
        content_type,
        authorization,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH "):
            summary: dict[str, float] = json.loads(line[6:])
            return summary
    raise SystemExit(f"no summary from wrk:\n{done.stdout}\n{done.stderr}")


def measure(
    scenario: str,
    server: Server,
    wrk_bin: str,
    path: str,
    seconds: int,
    connections: int,
    bodies: tuple[Path, str, str],
    authorization: str = "",
    batch: int = 1,
) -> Result:
    url = f"http://127.0.0.1:{server.port}{path}"
    print(f"{scenario}: warm-up, then {seconds} s at {connections} connections", flush=True)
    wrk(wrk_bin, url, 3, connections, *bodies, authorization)
    rss_start = server.rss()
    restarts = server.restarts()
    started = time.monotonic()
    cpu0, wrk0, busy0 = tree_cpu(server.process.pid), children_cpu(), machine_busy()
    s = wrk(wrk_bin, url, seconds, connections, *bodies, authorization)
    server_cpu = tree_cpu(server.process.pid) - cpu0
    wrk_cpu = children_cpu() - wrk0
    other_cpu = machine_busy() - busy0 - server_cpu - wrk_cpu
    rss_end = server.rss()
    during = [rss for at, rss in server.samples if at >= started]
    kinds = ("connect", "read", "write", "status", "timeout")
    errors = int(sum(s[k] for k in kinds))
    detail = ", ".join(f"{k} {int(s[k])}" for k in kinds if s[k])
    return Result(
        scenario,
        int(s["requests"]),
        s["duration_us"] / 1e6,
        s["p50_us"] / 1000,
        s["p99_us"] / 1000,
        errors,
        detail,
        rss_start,
        rss_end,
        max([rss_start, rss_end, *during]),
        server_cpu,
        wrk_cpu,
        max(0.0, other_cpu),
        server.restarts() - restarts,
        batch,
    )


def check(port: int, body: dict[str, object], key: str = "") -> dict[str, object]:
    import httpx

    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = httpx.post(f"http://127.0.0.1:{port}/v1/match/hashes", json=body, headers=headers)
    response.raise_for_status()
    found: dict[str, object] = response.json()["results"][0]
    return found


def sanity(bouclier: Server, key: str, planted: str, photo: Path) -> None:
    """One planted hash and one photo must match before any load (else the numbers mean nothing)."""
    import httpx

    assert check(bouclier.port, {"pdq": [planted]}, key)["matches"], "planted hash not matched"
    response = httpx.post(
        f"http://127.0.0.1:{bouclier.port}/v1/match",
        files={"file": (photo.name, photo.read_bytes(), "image/jpeg")},
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    response.raise_for_status()
    assert response.json()["matches"], "the photo's hash is in the bank but did not match"


def mb(value: int) -> str:
    return f"{value / 2**20:,.0f}"


def table(results: list[Result], seconds: int, note: str) -> str:
    lines = [
        f"Load on loopback: wrk (1 thread) and the servers on the same {os.cpu_count()} cores; "
        f"{BANK_SIZE:,} + {PHOTOS} hashes; 2 worker processes each; {seconds} s per scenario "
        f"after a 3 s warm-up; {note}; load average at the end: "
        + " / ".join(f"{x:.1f}" for x in os.getloadavg())
        + ".",
        "",
        "| scenario | conns | hashes/req | req/s | hashes/s | p50 ms | p99 ms | errors | "
        "server CPU ms/req | hashes (or uploads)/s on 2 own cores | RSS MB start → end (max) | "
        "CPU s: server / wrk / others |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        name, _, conns = r.scenario.partition(" @")
        errors = f"{r.errors} ({r.error_detail})" if r.errors else "0"
        if r.restarts:
            errors += f", {r.restarts} workers restarted"
        per_second = "-" if r.units == "-" else f"{r.rps * r.batch:,.0f}"
        lines.append(
            f"| {name} | {conns} | {r.units} | {r.rps:,.0f} | {per_second} | {r.p50_ms:.1f} | "
            f"{r.p99_ms:.1f} | {errors} | {r.cpu_ms:.3f} | {r.capacity * r.batch:,.0f} | "
            f"{mb(r.rss_start)} → {mb(r.rss_end)} ({mb(r.rss_max)}) | "
            f"{r.server_cpu:.0f} / {r.wrk_cpu:.0f} / {r.other_cpu:.0f} |"
        )
    by_letter = {r.scenario[1]: r for r in results}
    for ours, theirs, what in (
        ("a", "b", "one hash a request, general path"),
        ("d", "b", "one hash a request, lean path"),
        ("e", "f", "batches, lean path"),
    ):
        if ours in by_letter and theirs in by_letter:
            a, b = by_letter[ours], by_letter[theirs]
            cpu, rate, p99 = a.cpu_ms / b.cpu_ms, a.rps / b.rps, a.p99_ms / b.p99_ms
            said = what.replace("batches", f"{a.batch} hashes a request")
            lines.append(
                f"- ({ours}) / ({theirs}), {said}: server CPU per hash {cpu:.2f}× "
                f"threatexchange's; observed rate {rate:.2f}×, p99 {p99:.2f}×"
            )
    lines += [
        "",
        "on 2 own cores = 2,000 / server CPU ms per request (× hashes per request): what the "
        "servers would answer with both cores to themselves (no load generator, no other work), "
        "an upper bound. CPU s: seconds of CPU over the measured run by the servers, by wrk, and "
        f"by every other process on the machine ({seconds} s × {os.cpu_count()} cores available).",
    ]
    return "\n".join(lines)


def run_bouclier(args: argparse.Namespace, seconds: int, wrk_bin: str) -> list[Result]:
    paths, planted, _ = prepare()
    lookup_list, upload_list = write_bodies(paths, planted)
    batches = lookup_bodies(planted, args.batch)
    key = cli("key", "create", "--role", "platform", "--name", "bench-load").strip()
    auth = f"Bearer {key}"
    port = free_port()
    serve = [str(VENV / "bouclier"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = start("bouclier", [*serve, "--workers", "2"], bouclier_env(), port)
    results = []
    lc, uc = args.lookup_connections, args.upload_connections
    scenarios = [
        ("a", f"(a) Bouclier hash lookups, /v1/match/hashes @{lc}", "/v1/match/hashes", 1),
        ("d", f"(d) Bouclier hash lookups, lean /v1/lookup @{lc}", "/v1/lookup", 1),
        ("e", f"(e) Bouclier batched lookups, lean /v1/lookup @{lc}", "/v1/lookup", args.batch),
    ]
    try:
        sanity(server, key, planted[0], paths[0])
        print(f"bouclier ready, RSS {mb(server.rss())} MB", flush=True)
        for letter, scenario, path, batch in scenarios:
            if letter in args.scenarios:
                body_list = lookup_list if batch == 1 else batches
                lookups = (body_list, "lines", "application/json")
                results.append(
                    measure(scenario, server, wrk_bin, path, seconds, lc, lookups, auth, batch)
                )
        if "c" in args.scenarios:
            uploads = (upload_list, "files", f"multipart/form-data; boundary={BOUNDARY}")
            scenario = f"(c) Bouclier 1 MP JPEG uploads @{uc}"
            results.append(
                measure(scenario, server, wrk_bin, "/v1/match", seconds, uc, uploads, auth)
            )
    finally:
        server.stop()
    return results


def run_threatexchange(args: argparse.Namespace, seconds: int, wrk_bin: str) -> list[Result]:
    paths, planted, hashes_file = prepare()
    lookup_list, _ = write_bodies(paths, planted)
    batches = lookup_bodies(planted, args.batch)
    port = free_port()
    env = {**os.environ, "BENCH_LOAD_HASHES": str(hashes_file)}
    command = [str(VENV / "python"), "-m", "uvicorn", "load_baseline:create", "--factory"]
    command += ["--app-dir", "benchmarks", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", "2", "--log-level", "info", "--no-access-log"]
    server = start("threatexchange", command, env, port)
    lc = args.lookup_connections
    results = []
    try:
        assert check(port, {"pdq": [planted[0]]})["matches"], "threatexchange missed a planted hash"
        print(f"threatexchange ready, RSS {mb(server.rss())} MB", flush=True)
        for letter, scenario, body_list, batch in (
            ("b", f"(b) threatexchange PDQIndex lookups @{lc}", lookup_list, 1),
            ("f", f"(f) threatexchange PDQIndex batched lookups @{lc}", batches, args.batch),
        ):
            if letter in args.scenarios:
                lookups = (body_list, "lines", "application/json")
                path = "/v1/match/hashes"
                results.append(
                    measure(scenario, server, wrk_bin, path, seconds, lc, lookups, "", batch)
                )
        return results
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=600, help="seconds per scenario")
    parser.add_argument("--quick", action="store_true", help="20 s per scenario")
    parser.add_argument("--scenarios", default="abcdef", help="which of a to f to run")
    parser.add_argument("--lookup-connections", type=int, default=16)
    parser.add_argument("--upload-connections", type=int, default=8)
    parser.add_argument(
        "--batch", type=int, default=BATCH, help=f"hashes a request in (e), (f) (default {BATCH})"
    )
    parser.add_argument("--out", type=Path, help="also write the table here")
    parser.add_argument(
        "--pdq-min-side",
        type=int,
        help="BOUCLIER_PDQ_MIN_SIDE of the servers (default: Bouclier's, 512)",
    )
    parser.add_argument(
        "--no-framing",
        action="store_true",
        help="BOUCLIER_FRAMING=false: uploads without the framing stage (what it costs)",
    )
    parser.add_argument(
        "--luma",
        action="store_true",
        help="BOUCLIER_LUMA_DECODE=true: uploads decoded to a JPEG's luma plane, not in RGB",
    )
    parser.add_argument(
        "--no-lean-match",
        action="store_true",
        help="BOUCLIER_LEAN_MATCH=false: every upload through the general /v1/match route",
    )
    args = parser.parse_args()
    if args.no_lean_match:
        EXTRA_SETTINGS["BOUCLIER_LEAN_MATCH"] = "false"
    if args.luma:
        EXTRA_SETTINGS["BOUCLIER_LUMA_DECODE"] = "true"
    if args.pdq_min_side is not None:
        EXTRA_SETTINGS["BOUCLIER_PDQ_MIN_SIDE"] = str(args.pdq_min_side)
    if args.no_framing:
        EXTRA_SETTINGS["BOUCLIER_FRAMING"] = "false"
    seconds = 20 if args.quick else args.duration
    wrk_bin = ensure_wrk()
    CACHE.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    if set(args.scenarios) & set("acde"):
        results += run_bouclier(args, seconds, wrk_bin)
    if set(args.scenarios) & set("bf"):
        results += run_threatexchange(args, seconds, wrk_bin)
    results.sort(key=lambda r: r.scenario)
    note = "quick mode" if args.quick else f"--duration {seconds}"
    text = table(results, seconds, note)
    print()
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()

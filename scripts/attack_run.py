#!/usr/bin/env python3
"""The attack run of issue 14: each attack category against a real service, held or broken.

Each category starts its own ``bouclier serve`` on 127.0.0.1 (uvicorn in a subprocess, a fresh
SQLite database in a temporary folder, the process's umask 022), so that no limiter or webhook of
one category changes the outcome of another, attacks it over HTTP as a stranger would (and with
keys of each role where the attack needs one), then prints one row per category: the attempts
made, ``held`` or ``broken``, and what was seen. The attacks are written against the behaviour
the issue asks for, not against today's code:

1. list poisoning: hashes added by an anonymous case (flagged as a minor's) must match as
   REVIEW with ``reviewed: false``, never BLOCK;
2. unauthenticated memory DoS: an oversized body is refused with 413 before it is read (with a
   Content-Length, and chunked without one), and floods without a valid key get 429;
3. webhook fan-out rows: one platform key's webhooks must not turn one bank write into more
   than 10 delivery rows per hash;
4. SSRF: webhooks to loopback, CGNAT (100.64.0.0/10), link-local, private and obfuscated
   loopback addresses are refused, and nothing reaches a listener on 127.0.0.1;
5. victim lockout: after an attacker's wrong secrets for a case number, its owner still gets in;
6. spoofed X-Forwarded-For: wrong secrets sent under forged client addresses still count
   against the real one (429);
7. files, coercion, unsigned bundles: the database, its -wal/-shm and keys are 0600 in 0700
   folders; ``"threshold": true``, ``"minor": "yes"`` and NUL in ``case_ref`` are refused; a
   bundle rewritten whole (unsigned, re-signed with another key, or passed off as an old
   unsigned one) fails ``bouclier evidence verify`` pinned to the key the instance publishes.

Sizes are smaller than the issue's (stated in the output) to stay within a couple of minutes on
a laptop. Run it with ``make attack-run`` (or ``.venv/bin/python scripts/attack_run.py``);
``--only 2,6`` runs some categories, ``--fail-on-broken`` exits 1 when any is broken.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import http.client
import io
import json
import os
import secrets
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
BOUCLIER = str(BIN / "bouclier")
START_TIMEOUT = 90.0

# the sizes of this run (the were larger)
POISONED_HASHES = 20
BIG_BODY = 8 * 1024 * 1024
FLOOD_BAD_KEYS = 150
FLOOD_CASES = 40
WEBHOOKS = 30
FANOUT_HASHES = 200
MAX_ROWS_PER_HASH = 10
WRONG_SECRETS = 10
FORGED_ADDRESSES = 60


@dataclass
class Outcome:
    category: str
    attempts: int
    held: bool
    details: str


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class Service:
    """``bouclier serve`` on a free loopback port, over a fresh database in ``root``."""

    root: Path
    port: int = 0
    keys: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def data_dir(self) -> Path:
        return self.root / "data"  # made by Bouclier, so that its mode is Bouclier's doing

    @property
    def database(self) -> Path:
        return self.data_dir / "bouclier.db"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOUCLIER_")}
        env.update(
            BOUCLIER_DATA_DIR=str(self.data_dir),
            BOUCLIER_DETECTORS="nudity",  # loaded lazily: matching needs no model
            BOUCLIER_HOTLINE_NAME="Attack run",
            BOUCLIER_HOTLINE_EMAIL="attack-run@example.org",
        )
        return env

    def start(self) -> None:
        for role in ("admin", "analyst", "platform"):
            code, out = self.cli("key", "create", "--role", role, "--name", f"attack run {role}")
            if code != 0:
                raise RuntimeError(f"bouclier key create failed: {out}")
            self.keys[role] = out.strip().splitlines()[0]
        self.port = free_port()
        log = (self.root / "service.log").open("wb")
        self.process = subprocess.Popen(
            [BOUCLIER, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the service stopped; see {self.root / 'service.log'}")
            with contextlib.suppress(OSError):
                if self.request("GET", "/healthz").status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError("the service did not answer /healthz in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def cli(self, *args: str) -> tuple[int, str]:
        done = subprocess.run(
            [BOUCLIER, *args], env=self.env, capture_output=True, timeout=120, check=False
        )
        return done.returncode, (done.stdout + done.stderr).decode("utf-8", "replace")

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        role: str | None = None,
        headers: dict[str, str] | None = None,
        retry_429: bool = False,
        source: str | None = None,
    ) -> Answer:
        sent = dict(headers or {})
        if role is not None:
            sent["Authorization"] = f"Bearer {self.keys[role]}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        for _ in range(5):
            connection = http.client.HTTPConnection(
                "127.0.0.1",
                self.port,
                timeout=30,
                source_address=(source, 0) if source is not None else None,
            )
            try:
                connection.request(method, path, body=data, headers=sent)
                response = connection.getresponse()
                answer = Answer(response.status, dict(response.getheaders()), response.read())
            finally:
                connection.close()
            if answer.status != 429 or not retry_429:
                return answer
            # a key's own rate limit (not an attack here): wait as told, then go on
            time.sleep(min(2.0, float(answer.headers.get("retry-after", "1") or 1)))
        return answer

    def rss_peak_kib(self) -> int | None:
        """The service process's peak resident memory (VmHWM), in KiB."""
        if self.process is None:
            return None
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def service() -> Iterator[Service]:
    previous = os.umask(0o022)  # the usual umask: what Bouclier creates is its own doing
    with tempfile.TemporaryDirectory(prefix="bouclier-attack-") as root:
        running = Service(Path(root))
        try:
            running.start()
            yield running
        finally:
            running.stop()
            os.umask(previous)


def solved_challenge(svc: Service) -> dict[str, str]:
    """What any client opening a case must send: a challenge and its proof of work, solved here
    as an attacker's script would (at the service's difficulty)."""
    from bouclier.cases.challenge import solve

    given = svc.request("GET", "/v1/cases/challenge").json()
    return {"challenge": given["challenge"], "answer": solve(given["challenge"], given["bits"])}


def open_case(svc: Service, **fields: Any) -> tuple[str, str]:
    answer = svc.request("POST", "/v1/cases", body={**fields, **solved_challenge(svc)})
    if answer.status != 201:
        raise RuntimeError(f"opening a case answered {answer.status}: {answer.body[:200]!r}")
    created = answer.json()
    return str(created["number"]), str(created["secret"])


def random_pdq() -> str:
    return secrets.token_hex(32)


# --- 1. list poisoning -------------------------------------------------------------------------


def list_poisoning(svc: Service) -> Outcome:
    number, secret = open_case(svc, minor=True)
    hashes = [random_pdq() for _ in range(POISONED_HASHES)]
    added = svc.request(
        "POST",
        f"/v1/cases/{number}/hashes",
        body={"hashes": [{"pdq": h} for h in hashes]},
        headers={"X-Case-Secret": secret},
    )
    if added.status != 201:
        return Outcome("1 list poisoning", 1, True, f"the hashes were refused ({added.status})")
    matched = svc.request("POST", "/v1/match/hashes", body={"pdq": hashes}, role="platform")
    results = matched.json()["results"] if matched.status == 200 else []
    verdicts = Counter(r["verdict"] for r in results)
    victim = [m for r in results for m in r["matches"] if m["bank_kind"] == "victim"]
    unreviewed = sum(1 for m in victim if m.get("reviewed") is False)
    held = (
        len(results) == len(hashes)
        and verdicts.get("BLOCK", 0) == 0
        and verdicts.get("REVIEW", 0) == len(hashes)
        and unreviewed == len(victim) == len(hashes)
    )
    shown = ", ".join(f"{v} {n}" for v, n in sorted(verdicts.items())) or f"HTTP {matched.status}"
    return Outcome(
        "1 list poisoning",
        len(hashes),
        held,
        f"{len(hashes)} PDQ (stand-ins for benign, widely shared pictures) added by an "
        f"anonymous case flagged minor, then matched by a platform: {shown}; "
        f"reviewed:false on {unreviewed}/{len(victim)} victim matches",
    )


# --- 2. unauthenticated memory DoS and floods --------------------------------------------------


def _raw_post(svc: Service, path: str, size: int, *, chunked: bool) -> int | None:
    """POSTs ``size`` bytes of JSON (whitespace, then ``{}``) without a key; the status, or
    None when the connection broke without one."""
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}")
    body = b" " * (size - 2) + b"{}"
    with socket.create_connection(("127.0.0.1", svc.port), timeout=30) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        step = 256 * 1024
        try:
            for start in range(0, size, step):
                part = body[start : start + step]
                sock.sendall(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the service answered and closed before the end: what a 413 does
        try:
            first = sock.recv(4096).split(b"\r\n", 1)[0]
        except OSError:
            return None
    parts = first.split()
    return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None


def memory_dos(svc: Service) -> Outcome:
    before = svc.rss_peak_kib()
    with_length = _raw_post(svc, "/v1/cases", BIG_BODY, chunked=False)
    chunked = _raw_post(svc, "/v1/cases", BIG_BODY, chunked=True)
    after = svc.rss_peak_kib()
    growth = f"{(after - before) / 1024:.1f} MiB" if before and after else "unknown"
    bad_keys = Counter(
        svc.request(
            "GET", "/v1/banks", headers={"Authorization": f"Bearer bk_{secrets.token_urlsafe(32)}"}
        ).status
        for _ in range(FLOOD_BAD_KEYS)
    )
    creations = Counter(
        svc.request("POST", "/v1/cases", body={}).status for _ in range(FLOOD_CASES)
    )
    held = (
        with_length == 413
        and chunked == 413
        and bad_keys.get(429, 0) > 0
        and creations.get(429, 0) > 0
    )
    return Outcome(
        "2 unauthenticated memory DoS / floods",
        2 + FLOOD_BAD_KEYS + FLOOD_CASES,
        held,
        f"{BIG_BODY // 1024**2} MiB JSON body to POST /v1/cases without a key: HTTP {with_length} "
        f"with Content-Length, {chunked} chunked (413 expected), peak RSS grew {growth}; "
        f"{FLOOD_BAD_KEYS} requests with wrong keys: {_statuses(bad_keys)}; {FLOOD_CASES} case "
        f"creations: {_statuses(creations)} (429 expected in each flood)",
    )


def _statuses(counts: Counter[int]) -> str:
    return ", ".join(f"{n}x{status}" for status, n in sorted(counts.items()))


# --- 3. webhook fan-out rows -------------------------------------------------------------------


def _delivery_rows(svc: Service) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{svc.database}?mode=ro", uri=True)) as db:
        return int(db.execute("SELECT count(*) FROM webhook_deliveries").fetchone()[0])


def _settled_rows(svc: Service, *, wait: float = 12.0) -> int:
    """Delivery rows once the service's fan-out (every 2 s) has stopped adding any."""
    deadline, last, steady = time.monotonic() + wait, -1, 0
    while time.monotonic() < deadline:
        rows = _delivery_rows(svc)
        steady = steady + 1 if rows == last and rows > 0 else 0
        if steady >= 2:
            break
        last = rows
        time.sleep(1.0)
    return _delivery_rows(svc)


def webhook_fanout(svc: Service) -> Outcome:
    accepted = 0
    for i in range(WEBHOOKS):
        # a public address literal: no name to resolve, nothing for an SSRF check to refuse
        made = svc.request(
            "POST",
            "/v1/webhooks",
            body={"name": f"hook {i}", "url": f"https://93.184.215.14/hook/{i}"},
            role="platform",
            retry_429=True,
        )
        accepted += made.status == 201
    svc.request("POST", "/v1/banks", body={"name": "victims", "kind": "victim"}, role="analyst")
    added = svc.request(
        "POST",
        "/v1/banks/victims/hashes",
        body={"entries": [{"pdq": random_pdq()} for _ in range(FANOUT_HASHES)]},
        role="analyst",
        retry_429=True,
    )
    rows = _settled_rows(svc) if added.status == 201 else 0
    per_hash = rows / FANOUT_HASHES
    return Outcome(
        "3 webhook fan-out rows",
        WEBHOOKS + 1,
        per_hash <= MAX_ROWS_PER_HASH,
        f"one platform key registered {accepted}/{WEBHOOKS} webhooks; one write of "
        f"{FANOUT_HASHES} hashes made {rows} delivery rows ({per_hash:.1f} per hash; held at "
        f"<= {MAX_ROWS_PER_HASH})",
    )


# --- 4. SSRF to loopback and CGNAT -------------------------------------------------------------


class _Listener(BaseHTTPRequestHandler):
    hits = 0

    def do_POST(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def ssrf(svc: Service) -> Outcome:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    targets = [
        f"http://127.0.0.1:{port}/hook",
        f"http://localhost:{port}/hook",
        f"https://127.0.0.1:{port}/hook",
        f"http://[::1]:{port}/hook",
        f"http://0x7f000001:{port}/hook",
        f"http://2130706433:{port}/hook",
        "https://100.64.0.1/hook",
        "https://100.127.255.254/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.1/hook",
        "https://192.168.1.1/hook",
    ]
    accepted = []
    try:
        for i, url in enumerate(targets):
            made = svc.request(
                "POST",
                "/v1/webhooks",
                body={"name": f"ssrf {i}", "url": url},
                role="platform",
                retry_429=True,
            )
            if made.status == 201:
                accepted.append(url.split("//", 1)[1].split("/", 1)[0])
        if accepted:  # an event for them: does anything reach the listener?
            svc.request("POST", "/v1/banks", body={"name": "v", "kind": "victim"}, role="analyst")
            svc.request(
                "POST",
                "/v1/banks/v/hashes",
                body={"entries": [{"pdq": random_pdq()}]},
                role="analyst",
            )
            deadline = time.monotonic() + 8
            while time.monotonic() < deadline and _Listener.hits == 0:
                time.sleep(0.5)
    finally:
        server.shutdown()
        server.server_close()
    return Outcome(
        "4 SSRF to loopback / CGNAT",
        len(targets),
        not accepted and _Listener.hits == 0,
        f"webhooks accepted {len(accepted)}/{len(targets)}"
        + (f" ({', '.join(accepted)})" if accepted else "")
        + f"; requests that reached a listener on 127.0.0.1: {_Listener.hits}",
    )


# --- 5. victim lockout -------------------------------------------------------------------------


def victim_lockout(svc: Service) -> Outcome:
    number, secret = open_case(svc)
    wrong = Counter(
        svc.request(
            "GET", f"/v1/cases/{number}", headers={"X-Case-Secret": secrets.token_urlsafe(20)}
        ).status
        for _ in range(WRONG_SECRETS)
    )
    # the owner on her own connection: another loopback address (127.0.0.0/8 is all loopback), as
    # her phone is another address than the attacker's
    owner = svc.request(
        "GET", f"/v1/cases/{number}", headers={"X-Case-Secret": secret}, source="127.0.0.2"
    )
    return Outcome(
        "5 victim lockout",
        WRONG_SECRETS + 1,
        owner.status == 200,
        f"{WRONG_SECRETS} wrong secrets for the owner's case number: {_statuses(wrong)}; then "
        f"the owner with the right secret from another address: HTTP {owner.status} (200 expected)",
    )


# --- 6. spoofed X-Forwarded-For ----------------------------------------------------------------


def spoofed_forwarded_for(svc: Service) -> Outcome:
    alphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
    statuses: Counter[int] = Counter()
    for i in range(FORGED_ADDRESSES):
        code = "".join(secrets.choice(alphabet) for _ in range(8))
        statuses[
            svc.request(
                "GET",
                f"/v1/cases/BQ-{code[:4]}-{code[4:]}",
                headers={
                    "X-Case-Secret": secrets.token_urlsafe(20),
                    "X-Forwarded-For": f"203.0.{i // 250}.{i % 250 + 1}",
                    "Forwarded": f"for=198.51.100.{i % 250 + 1}",
                },
            ).status
        ] += 1
    return Outcome(
        "6 spoofed X-Forwarded-For",
        FORGED_ADDRESSES,
        statuses.get(429, 0) > 0,
        f"{FORGED_ADDRESSES} wrong secrets (one per case number), each under another forged "
        f"client address: {_statuses(statuses)} (429 expected: the real address is counted)",
    )


# --- 7. file modes, coercion, unsigned bundles -------------------------------------------------


def _modes(svc: Service) -> tuple[int, list[str]]:
    wrong, checked = [], 0
    expected = {
        svc.data_dir: 0o700,
        svc.database: 0o600,
        Path(f"{svc.database}-wal"): 0o600,
        Path(f"{svc.database}-shm"): 0o600,
        svc.data_dir / "keys": 0o700,
        svc.data_dir / "keys" / "case.key": 0o600,
        svc.data_dir / "keys" / "signing.key": 0o600,
        svc.data_dir / "snapshots": 0o700,
    }
    for path, mode in expected.items():
        if not path.exists():
            continue
        checked += 1
        found = stat.S_IMODE(path.stat().st_mode)
        if found != mode:
            wrong.append(f"{path.relative_to(svc.root)} {found:o}")
    return checked, wrong


def _coercions(svc: Service) -> list[str]:
    svc.request("POST", "/v1/banks", body={"name": "plain", "kind": "victim"}, role="analyst")
    attempts = [
        ("threshold: true", "/v1/banks", {"name": "b", "kind": "victim", "threshold": True}),
        ("minor: 'yes'", "/v1/cases", {"minor": "yes", **solved_challenge(svc)}),
        (
            "NUL in case_ref",
            "/v1/banks/plain/hashes",
            {"entries": [{"pdq": random_pdq(), "case_ref": "C-1\u0000"}]},
        ),
    ]
    accepted = []
    for name, path, body in attempts:
        answer = svc.request("POST", path, body=body, role="analyst", retry_429=True)
        if answer.status != 422:
            accepted.append(f"{name} -> {answer.status}")
    return accepted


def _forge(bundle: bytes, how: str) -> bytes:
    """The bundle rewritten whole: an item's URL changed, the log's export entry and chain,
    the head and the file list recomputed; then unsigned, re-signed with a fresh key, or passed
    off as format 1 (from before bundles were signed)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from bouclier.cases import custody
    from bouclier.cases.evidence import content_digest

    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files["manifest.json"])
    manifest["items"][0]["url"] = "https://example.org/someone-else"
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    fingerprint = "SHA256:" + hashlib.sha256(raw).hexdigest()
    if how == "format 1":
        manifest["format_version"] = 1
        manifest.pop("signer", None)
    elif how == "another key" and "signer" in manifest:
        manifest["signer"] = {
            "algorithm": "Ed25519",
            "public_key": base64.b64encode(raw).decode(),
            "fingerprint": fingerprint,
        }
    log = custody.from_jsonl(files["custody.jsonl"])
    chained, prev = [], custody.GENESIS
    for e in log:
        recorded = dict(e.data)
        if e is log[-1]:  # the export entry records the manifest's content
            recorded["content_sha256"] = content_digest(manifest)
        digest = custody.entry_hash(prev, e.seq, e.at, e.kind, e.actor, recorded)
        chained.append(custody.Entry(e.seq, e.at, e.kind, e.actor, recorded, prev, digest))
        prev = digest
    files["custody.jsonl"] = custody.to_jsonl(chained)
    manifest["custody"]["head_sha256"] = prev
    manifest["files"]["custody.jsonl"] = {
        "sha256": hashlib.sha256(files["custody.jsonl"]).hexdigest(),
        "size": len(files["custody.jsonl"]),
    }
    files["manifest.json"] = json.dumps(manifest, indent=2).encode()
    files.pop("signature.json", None)
    if how == "another key":
        pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        files["signature.json"] = json.dumps(
            {
                "format": "bouclier-evidence-signature",
                "format_version": 1,
                "signed_file": "manifest.json",
                "signed_sha256": hashlib.sha256(files["manifest.json"]).hexdigest(),
                "algorithm": "Ed25519",
                "public_key": base64.b64encode(raw).decode(),
                "fingerprint": fingerprint,
                "public_key_pem": pem.decode(),
                "signature": base64.b64encode(key.sign(files["manifest.json"])).decode(),
            }
        ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _bundles(svc: Service, number: str) -> list[str]:
    published = svc.request("GET", "/v1/evidence/signing-key")
    fingerprint = published.json().get("fingerprint") if published.status == 200 else None
    original = svc.root / "bundle.zip"
    code, out = svc.cli("evidence", "export", number, "-o", str(original))
    if code != 0:
        return [f"export failed: {out.strip()[:120]}"]
    passed = []
    for how in ("unsigned", "another key", "format 1"):
        forged = svc.root / f"forged-{how.replace(' ', '-')}.zip"
        forged.write_bytes(_forge(original.read_bytes(), how))
        pin = ["--expect-key", fingerprint] if fingerprint else []
        code, _ = svc.cli("evidence", "verify", str(forged), *pin)
        if code != 7:
            passed.append(f"{how} -> exit {code}")
    if fingerprint is None:
        passed.append(
            f"and no signing key published (GET /v1/evidence/signing-key: {published.status})"
        )
    return passed


def files_coercion_bundles(svc: Service) -> Outcome:
    number, secret = open_case(svc, contact="attack-run@example.org")  # seals: the case key
    svc.request(
        "POST",
        f"/v1/cases/{number}/urls",
        body={"urls": ["https://example.org/p/1"]},
        headers={"X-Case-Secret": secret},
    )
    coerced = _coercions(svc)
    forged = _bundles(svc, number)
    checked, wrong = _modes(svc)
    problems = wrong + coerced + forged
    return Outcome(
        "7 file modes, coercion, unsigned bundles",
        checked + 3 + 3,
        not problems,
        f"{checked} files and folders checked, {len(wrong)} too open"
        + (f" ({', '.join(wrong)})" if wrong else "")
        + f"; 3 coerced bodies, {len(coerced)} accepted"
        + (f" ({'; '.join(coerced)})" if coerced else "")
        + f"; 3 rewritten bundles, {sum(not f.startswith('and ') for f in forged)} not refused "
        "by `bouclier evidence verify --expect-key` (the published key)"
        + (f" ({'; '.join(forged)})" if forged else ""),
    )


CATEGORIES: dict[int, Callable[[Service], Outcome]] = {
    1: list_poisoning,
    2: memory_dos,
    3: webhook_fanout,
    4: ssrf,
    5: victim_lockout,
    6: spoofed_forwarded_for,
    7: files_coercion_bundles,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--only", default="", help="Categories to run, e.g. 2,6 (default: all).")
    parser.add_argument("--fail-on-broken", action="store_true", help="Exit 1 if any is broken.")
    args = parser.parse_args(argv)
    chosen = [int(c) for c in args.only.split(",") if c.strip()] or list(CATEGORIES)
    print(
        f"attack run: each category on its own `bouclier serve` (127.0.0.1, fresh SQLite); "
        f"sizes: {POISONED_HASHES} poisoned hashes, {BIG_BODY // 1024**2} MiB bodies, "
        f"floods of {FLOOD_BAD_KEYS} wrong keys and {FLOOD_CASES} case creations, "
        f"{WEBHOOKS} webhooks x {FANOUT_HASHES} hashes, {WRONG_SECRETS} wrong secrets, "
        f"{FORGED_ADDRESSES} forged addresses (smaller than the issue's)\n",
        flush=True,
    )
    outcomes = []
    started = time.monotonic()
    for number in chosen:
        began = time.monotonic()
        try:
            with service() as svc:
                outcome = CATEGORIES[number](svc)
        except Exception as exc:  # a category that cannot run is reported, the others go on
            outcome = Outcome(f"{number} (did not run)", 0, False, f"{type(exc).__name__}: {exc}")
        outcomes.append(outcome)
        verdict = "held" if outcome.held else "BROKEN"
        print(f"  {outcome.category}: {verdict} ({time.monotonic() - began:.0f} s)", flush=True)
    print()
    width = max(len(o.category) for o in outcomes)
    print(f"{'category':<{width}}  {'attempts':>8}  {'outcome':<7}  details")
    print(f"{'-' * width}  {'-' * 8}  {'-' * 7}  {'-' * 40}")
    for o in outcomes:
        verdict = "held" if o.held else "broken"
        print(f"{o.category:<{width}}  {o.attempts:>8}  {verdict:<7}  {o.details}")
    broken = sum(not o.held for o in outcomes)
    print(
        f"\n{len(outcomes) - broken} held, {broken} broken, in {time.monotonic() - started:.0f} s"
    )
    return 1 if broken and args.fail_on_broken else 0


if __name__ == "__main__":
    sys.exit(main())

"""RFC 3161 timestamps, offline: a local time-stamping authority answered by ``openssl ts -reply``
with a CA and a TSA certificate made here, served over HTTP on loopback."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from bouclier.capture import package, timestamps
from bouclier.signing_key import SigningKey

OPENSSL_CONFIG = """
[ tsa ]
default_tsa = local_tsa
[ local_tsa ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass
class Authority:
    url: str
    root: x509.Certificate


def _certificate(
    name: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    signer: ec.EllipticCurvePrivateKey,
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
    )


def make_authority(folder: Path) -> x509.Certificate:
    """A root CA and a TSA certificate (timeStamping, critical) signed by it; openssl's files."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA root")])
    ca = (
        _certificate("Test TSA root", ca_key, ca_name, ca_key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa = (
        _certificate("Test TSA", tsa_key, ca_name, ca_key)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "tsa.pem").write_bytes(tsa.public_bytes(serialization.Encoding.PEM))
    (folder / "tsa.key").write_bytes(
        tsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (folder / "serial").write_text("01\n")
    (folder / "openssl.cnf").write_text(OPENSSL_CONFIG.format(dir=folder))
    return ca


@pytest.fixture
def authority(tmp_path: Path) -> Iterator[Authority]:
    folder = tmp_path / "tsa"
    folder.mkdir()
    root = make_authority(folder)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                (folder / "query.tsq").write_bytes(query)
                subprocess.run(
                    [
                        "openssl",
                        "ts",
                        "-reply",
                        "-config",
                        str(folder / "openssl.cnf"),
                        "-queryfile",
                        str(folder / "query.tsq"),
                        "-out",
                        str(folder / "reply.tsr"),
                    ],
                    check=True,
                    capture_output=True,
                )
                reply = (folder / "reply.tsr").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Authority(f"http://127.0.0.1:{server.server_address[1]}/tsa", root)
    finally:
        server.shutdown()
        server.server_close()


def test_a_token_from_the_local_authority_checks_against_its_root(authority: Authority) -> None:
    message = b'{"manifest": "of a capture"}'
    tokens, failures = timestamps.stamp(message, (authority.url,))
    assert failures == []
    assert len(tokens) == 1
    token = tokens[0]
    assert abs(token.time - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=2)

    good = timestamps.check(token.data, message, [authority.root])
    assert good.problems == ()
    assert good.pinned
    assert timestamps.check(token.data, message, []).problems == ()  # self-consistent
    assert not timestamps.check(token.data, message, []).pinned
    other = timestamps.check(token.data, message + b" ", [authority.root])
    assert other.problems == ("the timestamp is of another manifest",)
    stranger = make_authority_root()
    assert timestamps.check(token.data, message, [stranger]).problems != ()
    assert timestamps.check(b"not a token", message, []).problems != ()


def make_authority_root() -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Another root")])
    return (
        _certificate("Another root", key, name, key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def test_an_authority_that_does_not_answer_is_reported() -> None:
    tokens, failures = timestamps.stamp(b"m", ("http://127.0.0.1:9/tsa",), timeout=2.0)
    assert tokens == []
    assert len(failures) == 1
    assert failures[0].startswith("http://127.0.0.1:9/tsa: ")


def test_a_package_carries_its_timestamps_and_verify_checks_them(authority: Authority) -> None:
    key = SigningKey(b"\x01" * 32)
    data, _manifest, failures = package.build(
        {"url": "https://example.org/p"}, {"page.html": b"<p>x</p>"}, key, (authority.url,)
    )
    assert failures == []
    checked = package.verify(data, roots=[authority.root], expected_key=key.public.fingerprint)
    assert checked.ok, checked.problems
    assert checked.pinned
    assert len(checked.timestamps) == 1
    # a token moved to another package no longer matches its manifest
    other, _, _ = package.build({"url": "https://example.org/q"}, {}, key, ())
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        token = zipped.read("timestamps/1.tsr")
    moved = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(other)) as source, zipfile.ZipFile(moved, "w") as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
        target.writestr("timestamps/1.tsr", token)
    problems = package.verify(moved.getvalue(), roots=[authority.root]).problems
    assert problems == ("timestamps/1.tsr: the timestamp is of another manifest",)

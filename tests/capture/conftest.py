"""Local sites on loopback for the capture tests: pages that can disappear or change, redirects,
images, and an https server whose certificate authority is made here, in the test."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bouclier.capture import Captures
from bouclier.settings import Settings, load_settings
from bouclier.storage import Database
from tests.conftest import encode, photo

CHROMIUM = Path("/usr/bin/chromium")

Page = tuple[int, str, bytes, dict[str, str]]  # status, content type, body, extra headers


@dataclass
class Site:
    """A site whose pages the test changes as it goes (``pages[path] = ...``, ``del``)."""

    url: str
    pages: dict[str, Page] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def html(self, path: str, body: str) -> None:
        self.pages[path] = (200, "text/html; charset=utf-8", body.encode(), {})

    def image(self, path: str, data: bytes, kind: str = "image/jpeg") -> None:
        self.pages[path] = (200, kind, data, {})

    def redirect(self, path: str, to: str) -> None:
        self.pages[path] = (302, "text/plain", b"", {"Location": to})


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.hits.append(self.path)
            page = site.pages.get(self.path.split("?", 1)[0])
            if page is None:
                page = (404, "text/html", b"<h1>Not found</h1>", {})
            status, kind, body, headers = page
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Set-Cookie", "tracker=1; Path=/")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def _serve(site: Site, context: ssl.SSLContext | None) -> Iterator[Site]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    scheme = "https" if context is not None else "http"
    site.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    yield from _serve(Site(""), None)


@dataclass
class LocalCA:
    ca_pem: bytes
    server_context: ssl.SSLContext
    client_context: ssl.SSLContext
    ca_cert: x509.Certificate


def make_ca(folder: Path) -> LocalCA:
    """A certificate authority and a server certificate for 127.0.0.1, made now."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bouclier test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem = ca_cert.public_bytes(serialization.Encoding.PEM)
    (folder / "server.pem").write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(folder / "server.pem")
    client = ssl.create_default_context(cadata=ca_pem.decode("ascii"))
    return LocalCA(ca_pem, server, client, ca_cert)


@pytest.fixture
def test_ca(tmp_path: Path) -> LocalCA:
    return make_ca(tmp_path)


@pytest.fixture
def tls_site(test_ca: LocalCA) -> Iterator[Site]:
    yield from _serve(Site(""), test_ca.server_context)


def capture_settings(tmp_path: Path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "database_url": database_url,
        "capture_allowed_hosts": "127.0.0.1",
        "capture_timeout": 30.0,
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium (make test does)")
    return capture_settings(tmp_path, database_url)


@pytest.fixture
def captures(db: Database, settings: Settings, test_ca: LocalCA) -> Captures:
    return Captures(db, settings, tls=test_ca.client_context)


def benign_jpeg(seed: int) -> bytes:
    return encode(photo(seed), quality=90)

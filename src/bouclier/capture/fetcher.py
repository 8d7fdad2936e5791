"""Every byte a capture's browser receives is fetched here, under the webhooks' network rules.

The browser never opens a connection itself: each of its requests is intercepted
(:mod:`bouclier.capture.recorder`) and fetched by :class:`Fetcher`, which resolves the host once,
refuses it unless every address is public (:class:`~bouclier.webhooks.destinations.Destinations`,
with the operator's exceptions, ``BOUCLIER_CAPTURE_ALLOWED_HOSTS``), connects to those checked
addresses only (:func:`~bouclier.webhooks.transport.pinned_transport`: no DNS rebinding), follows
no redirect itself (the browser does, and each hop is checked again), keeps no cookie jar, and
stops reading a body past the bytes left to the capture. For https it keeps the certificate chain
the server presented and that was verified.
"""

from __future__ import annotations

import contextlib
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from bouclier.webhooks.destinations import (
    Destinations,
    RefusedDestination,
    UnresolvedDestination,
)
from bouclier.webhooks.transport import pinned_transport

#: Headers the browser sends that a fetch does not pass on (hop-by-hop, or set by httpx).
_DROPPED_REQUEST = frozenset(
    {"host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"}
)


class FetchRefused(Exception):
    """The URL may not be fetched: its scheme, or a host that is (or resolves to) an address
    captures may not reach, or one that does not resolve."""


class FetchFailed(Exception):
    """The fetch was tried and failed (connection, TLS, timeout, too large)."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """One HTTP exchange as it went over the wire (``body`` as received, before any decoding)."""

    url: str
    method: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes
    status: int
    reason: str
    http_version: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    #: DER certificates the server presented, leaf first (verified); empty for http
    chain: tuple[bytes, ...] = field(default=(), repr=False)
    remote_address: str | None = None

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


@dataclass
class Fetcher:
    """Fetches for one capture: a byte budget shared by all its requests, and a deadline."""

    destinations: Destinations
    context: ssl.SSLContext
    budget: int
    deadline: float  # time.monotonic() after which nothing more is fetched
    used: int = 0
    requests: int = 0

    def fetch(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None = None
    ) -> Fetched:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchRefused(f"only http and https URLs are captured, not {parts.scheme!r}")
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = self.destinations.addresses(host, port)
        except RefusedDestination:
            raise FetchRefused(
                f"{host} is, or resolves to, a private, loopback or reserved address"
            ) from None
        except UnresolvedDestination:
            raise FetchFailed(f"{host} does not resolve") from None
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise FetchFailed("the capture ran out of time")
        if self.used >= self.budget:
            raise FetchFailed("the capture reached its size limit")
        sent = [(k, v) for k, v in headers.items() if k.lower() not in _DROPPED_REQUEST]
        sent = [(k, v) for k, v in sent if k.lower() != "accept-encoding"]
        sent.append(("accept-encoding", "identity"))  # the bytes recorded are the bytes shown
        self.requests += 1
        transport = pinned_transport(addresses, self.context)
        timeout = httpx.Timeout(min(remaining, 30.0))
        try:
            with httpx.Client(
                transport=transport, timeout=timeout, follow_redirects=False, trust_env=False
            ) as client:
                request = client.build_request(method, url, headers=sent, content=body or None)
                response = client.send(request, stream=True)
                try:
                    chain, remote = _peer(response)
                    data = self._read(response)
                finally:
                    response.close()
        except httpx.HTTPError as exc:
            raise FetchFailed(f"{type(exc).__name__}: {exc}") from None
        return Fetched(
            url=url,
            method=method,
            request_headers=tuple(request.headers.multi_items()),
            request_body=body or b"",
            status=response.status_code,
            reason=response.reason_phrase or "",
            http_version=response.http_version,
            headers=tuple(response.headers.multi_items()),
            body=data,
            chain=chain,
            remote_address=remote,
        )

    def _read(self, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        for chunk in response.iter_raw():
            self.used += len(chunk)
            if self.used > self.budget:
                raise FetchFailed("the capture reached its size limit")
            if time.monotonic() > self.deadline:
                raise FetchFailed("the capture ran out of time")
            chunks.append(chunk)
        return b"".join(chunks)


def _peer(response: httpx.Response) -> tuple[tuple[bytes, ...], str | None]:
    """The verified certificate chain (DER, leaf first) and the peer's address of a response."""
    stream = response.extensions.get("network_stream")
    if stream is None:
        return (), None
    remote = None
    with contextlib.suppress(Exception):
        peer = stream.get_extra_info("server_addr")
        remote = str(peer[0]) if peer else None
    sock = stream.get_extra_info("ssl_object")
    if sock is None:
        return (), remote
    # Python 3.13 has SSLSocket.get_verified_chain(); 3.10-3.12 have it on the C object only
    inner = getattr(sock, "_sslobj", sock)
    getter = getattr(inner, "get_verified_chain", None)
    if getter is None:
        leaf = sock.getpeercert(binary_form=True)
        return ((leaf,) if leaf else ()), remote
    certificates: Sequence[object] = getter()
    return tuple(_der(c) for c in certificates), remote


def _der(certificate: object) -> bytes:
    encode = certificate.public_bytes  # type: ignore[attr-defined]
    return bytes(encode(ssl._ssl.ENCODING_DER))  # type: ignore[attr-defined]

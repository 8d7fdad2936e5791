"""The HTTP transport of one delivery: it connects to the addresses already checked, nothing else.

:meth:`~bouclier.webhooks.destinations.Destinations.addresses` resolves a webhook's host once and
checks every address; :func:`pinned_transport` then makes an httpx transport whose connections go
to those addresses only, whatever the host name would resolve to a moment later (DNS rebinding).
TLS still names the host: the certificate is verified against the URL's host name (SNI too). No
proxy from the environment is used (it would bypass the check), redirects are never followed (a
transport does not follow them), and there are no retries of the connection.

httpx (0.28) does not let its transport take a network backend, so the transport's connection
pool is replaced by one built with :class:`PinnedBackend`; the tests with a real receiver and a
rebinding resolver (tests/webhooks/test_ssrf.py) fail if that ever stops taking effect.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Sequence

import httpcore
import httpx


class PinnedBackend(httpcore.SyncBackend):
    """Opens TCP connections to the given addresses, in order, instead of resolving the host."""

    def __init__(self, addresses: Sequence[str]) -> None:
        if not addresses:
            raise ValueError("no address to connect to")
        self.addresses = tuple(addresses)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        failure: httpcore.ConnectError | None = None
        for address in self.addresses:
            try:  # a literal address: the system resolver returns it as it is, no DNS
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                failure = exc  # the next address, as a resolver's list is tried in order
        assert failure is not None
        raise failure


def tls_context() -> ssl.SSLContext:
    """The certificate authorities httpx uses (certifi), without the environment's settings."""
    return httpx.create_ssl_context(trust_env=False)


def pinned_transport(addresses: Sequence[str], context: ssl.SSLContext) -> httpx.HTTPTransport:
    """A transport for one delivery whose connections go to ``addresses`` only."""
    transport = httpx.HTTPTransport(verify=context, trust_env=False, retries=0)
    transport._pool = httpcore.ConnectionPool(  # a private attribute: see the module docstring
        ssl_context=context,
        max_connections=1,
        retries=0,
        network_backend=PinnedBackend(addresses),
    )
    return transport

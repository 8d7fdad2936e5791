"""Which address a request comes from, when reverse proxies may stand in between.

A connection's peer is the client, unless the peer is one of ``BOUCLIER_TRUSTED_PROXIES``: only
then are ``X-Forwarded-For`` / ``Forwarded`` (RFC 7239 ``for=``) and ``X-Forwarded-Proto`` read.
The list of hops is walked from the right (the hop nearest to us) past every trusted proxy; the
first address that is not one is the client (an address a client wrote itself further left is
never believed). With no trusted proxy (the default) the headers are ignored: anyone can write
them. ``bouclier serve`` turns uvicorn's own handling of these headers off, so that this is the one
place that decides.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from starlette.types import Scope

Network = IPv4Network | IPv6Network

#: Hops read from the headers at most (a longer chain is cut on the left, where clients write).
MAX_HOPS = 32


def _address(text: str) -> IPv4Address | IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("["):  # [v6]:port
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # v4:port
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(host: str | None, proxies: Sequence[Network]) -> bool:
    if not host or not proxies:
        return False
    found = _address(host)
    return found is not None and any(found in network for network in proxies)


def _hops(scope: Scope) -> list[str]:
    """The forwarded-for chain, left (first client) to right (last proxy)."""
    forwarded_for: list[str] = []
    forwarded: list[str] = []
    for name, value in scope.get("headers", []):
        if name == b"x-forwarded-for":
            forwarded_for.extend(value.decode("latin-1").split(","))
        elif name == b"forwarded":
            for element in value.decode("latin-1").split(","):
                for pair in element.split(";"):
                    key, _, found = pair.strip().partition("=")
                    if key.lower() == "for":
                        forwarded.append(found)
    hops = forwarded or forwarded_for  # the standard header wins when a proxy sends both
    return [hop.strip() for hop in hops[-MAX_HOPS:] if hop.strip()]


def resolve(scope: Scope, proxies: Sequence[Network]) -> None:
    """Rewrites ``scope["client"]`` (and ``scheme``) from the forwarding headers when the peer is
    a trusted proxy; leaves the scope alone otherwise."""
    client = scope.get("client")
    if client is None or not _trusted(client[0], proxies):
        return
    hops = _hops(scope)
    chosen: str | None = None
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # "unknown" or an obfuscated name: nothing further left can be trusted
        chosen = str(address)
        if not any(address in network for network in proxies):
            break
    if chosen is not None:
        scope["client"] = (chosen, 0)
    for name, value in scope.get("headers", []):
        if name == b"x-forwarded-proto":
            proto = value.decode("latin-1").strip().lower()
            if proto in ("http", "https"):
                scope["scheme"] = proto


def client_host(scope: Scope) -> str:
    """The client's address as :func:`resolve` left it ("unknown" without one)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"

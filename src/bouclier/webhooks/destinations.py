"""Where a webhook may be sent: the guard against server-side request forgery (SSRF).

A platform's key chooses a webhook's URL, so without this guard it could make Bouclier call what
only Bouclier can reach: its own API on the loopback interface (a case made per event), the
hotline's internal services, a cloud metadata service, and read the answers in the delivery log.
A destination is allowed only if **every** address its host resolves to is public: not loopback,
private, link-local, CGNAT (100.64.0.0/10), multicast, reserved or unspecified, in IPv4 or IPv6,
with the IPv4 address inside an IPv6 one (IPv4-mapped, 6to4, Teredo, NAT64) checked too.

The operator may allow named exceptions (``BOUCLIER_WEBHOOK_ALLOWED_HOSTS``): host names, which
then resolve anywhere, and addresses or networks (CIDR). Only those may use plain ``http://``.

The check runs when a webhook is created (a literal address, or a name that resolves inside, is
refused with 422 ``invalid_webhook_url``) and again before each delivery, where
:meth:`Destinations.addresses` resolves the name once, checks every address, and the request
connects to those checked addresses only (:mod:`bouclier.webhooks.transport`): a name that
resolves to a public address for the check and to an internal one a moment later (DNS
rebinding) gets nowhere.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
#: (host, port) -> the addresses it resolves to, as text; raises OSError when it does not.
Resolver = Callable[[str, int], Sequence[str]]

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class RefusedDestination(Exception):
    """The host is, or resolves to, an address webhooks may not reach."""


class UnresolvedDestination(Exception):
    """The host name does not resolve (now)."""


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses of ``host`` by the system's resolver, in its order, without duplicates."""
    found: list[str] = []
    for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = str(info[4][0]).split("%", 1)[0]  # an IPv6 scope (fe80::1%eth0)
        if address not in found:
            found.append(address)
    return found


def _embedded(address: Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64)."""
    if isinstance(address, ipaddress.IPv4Address):
        return []
    inner: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        inner.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        inner.append(address.sixtofour)
    if address.teredo is not None:
        inner.extend(address.teredo)
    if address in _NAT64:
        inner.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return inner


def is_public(address: Address) -> bool:
    """Whether ``address`` is a public unicast address, and so is any IPv4 address inside it."""
    if not address.is_global or any(
        (
            address.is_loopback,
            address.is_private,
            address.is_link_local,
            address.is_multicast,
            address.is_reserved,
            address.is_unspecified,
            isinstance(address, ipaddress.IPv6Address) and address.is_site_local,
        )
    ):
        return False
    return all(is_public(inner) for inner in _embedded(address))


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


@dataclass(frozen=True)
class Destinations:
    """The destination policy: public addresses, and the operator's exceptions."""

    names: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()
    resolver: Resolver = field(default=system_resolver, compare=False)

    @classmethod
    def allowing(
        cls, entries: Iterable[str] = (), resolver: Resolver = system_resolver
    ) -> Destinations:
        """The policy with these exceptions (``Settings.webhook_allowed``: names, addresses,
        networks)."""
        names: set[str] = set()
        networks: list[Network] = []
        for raw in entries:
            entry = raw.strip().lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                names.add(entry.rstrip("."))
        return cls(frozenset(names), tuple(networks), resolver)

    def listed(self, host: str) -> bool:
        """Whether the operator allowed this host as written: a listed name, or a literal address
        in a listed network. Only those may use plain ``http://``."""
        literal = _literal(host)
        if literal is None:
            return host.lower().rstrip(".") in self.names
        return any(literal in network for network in self.networks)

    def allowed(self, address: Address) -> bool:
        """Whether a webhook may connect to ``address``."""
        return is_public(address) or any(address in network for network in self.networks)

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for ``host``: resolved once, every one of them checked.
        Raises RefusedDestination if any is refused, UnresolvedDestination if there are none."""
        literal = _literal(host)
        if literal is not None:
            if not self.allowed(literal):
                raise RefusedDestination(host)
            return [str(literal)]
        try:
            found = list(self.resolver(host, port))
        except (OSError, UnicodeError):
            raise UnresolvedDestination(host) from None
        checked: list[str] = []
        for text in found:
            address = _literal(text)
            if address is None:
                raise UnresolvedDestination(host)
            checked.append(str(address))
            if not self.listed(host) and not self.allowed(address):
                raise RefusedDestination(host)
        if not checked:
            raise UnresolvedDestination(host)
        return checked

    def check(self, host: str, port: int) -> None:
        """The check at a webhook's creation: a literal address or a name resolving to a refused
        address raises RefusedDestination; a name that does not resolve (yet) passes, as it is
        checked again before each delivery."""
        with contextlib.suppress(UnresolvedDestination):
            self.addresses(host, port)

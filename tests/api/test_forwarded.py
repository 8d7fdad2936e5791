"""Which address a request comes from: proxy headers only from the trusted proxies."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from bouclier.api import forwarded
from bouclier.errors import ConfigError
from bouclier.settings import load_settings

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128"))


def resolved(peer: str, headers: dict[str, str], proxies: Any = PROXIES) -> tuple[str, str]:
    scope: dict[str, Any] = {
        "client": (peer, 1234),
        "scheme": "http",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    forwarded.resolve(scope, proxies)
    return forwarded.client_host(scope), scope["scheme"]


@pytest.mark.parametrize(
    ("peer", "headers", "expected"),
    [
        # an untrusted peer: its headers are ignored
        ("198.51.100.1", {"X-Forwarded-For": "203.0.113.9"}, ("198.51.100.1", "http")),
        ("198.51.100.1", {"Forwarded": "for=203.0.113.9"}, ("198.51.100.1", "http")),
        ("198.51.100.1", {"X-Forwarded-Proto": "https"}, ("198.51.100.1", "http")),
        # a trusted proxy names the client, and the scheme
        ("10.0.0.2", {"X-Forwarded-For": "203.0.113.9"}, ("203.0.113.9", "http")),
        ("10.0.0.2", {"X-Forwarded-Proto": "https"}, ("10.0.0.2", "https")),
        # the rightmost untrusted hop is the client; what it wrote on the left is not believed
        (
            "10.0.0.2",
            {"X-Forwarded-For": "1.1.1.1, 203.0.113.9, 10.0.0.7"},
            ("203.0.113.9", "http"),
        ),
        (
            "10.0.0.2",
            {"Forwarded": 'for="[2001:db8::7]:4711", for=10.0.0.3'},
            ("2001:db8::7", "http"),
        ),
        ("::1", {"Forwarded": "for=203.0.113.9:80;proto=https"}, ("203.0.113.9", "http")),
        # garbage or "unknown" stops the walk at the proxy
        ("10.0.0.2", {"X-Forwarded-For": "203.0.113.9, unknown"}, ("10.0.0.2", "http")),
        ("10.0.0.2", {}, ("10.0.0.2", "http")),
    ],
)
def test_the_client_address(peer: str, headers: dict[str, str], expected: tuple[str, str]) -> None:
    assert resolved(peer, headers) == expected


def test_no_trusted_proxy_by_default_and_bad_ones_fail_at_start() -> None:
    settings = load_settings()
    assert settings.proxy_networks == ()
    assert resolved("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, settings.proxy_networks) == (
        "127.0.0.1",
        "http",
    )
    assert len(load_settings(trusted_proxies="10.0.0.1, 192.168.0.0/16").proxy_networks) == 2
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        load_settings(trusted_proxies="localhost")
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load_settings(limiter_store="redis")


def test_bouclier_serve_leaves_the_proxy_headers_to_the_app(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    passed: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: passed.update(kwargs))
    code, _, _ = cli("serve")
    assert code == 0
    assert passed["proxy_headers"] is False

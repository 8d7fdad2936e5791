"""URLs where an image was seen: validated at the door, and their platform recognised.

A URL is kept only if it is an absolute ``http``/``https`` URL with a host, without credentials,
at most :data:`MAX_URL` characters; anything else is an :class:`~bouclier.errors.InputError`
saying what is wrong. The platform is recognised from the host (``m.instagram.com`` →
``instagram``); an unknown host keeps its registrable-looking part (``example.org``), which is
what a notice will be addressed to.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from bouclier.errors import InputError

MAX_URL = 2000

#: Hosts (and their subdomains) of the platforms Bouclier knows, by platform name.
PLATFORMS: dict[str, tuple[str, ...]] = {
    "instagram": ("instagram.com", "instagr.am"),
    "facebook": ("facebook.com", "fb.com", "fb.watch", "messenger.com"),
    "whatsapp": ("whatsapp.com", "wa.me"),
    "x": ("x.com", "twitter.com", "t.co"),
    "tiktok": ("tiktok.com",),
    "snapchat": ("snapchat.com",),
    "telegram": ("t.me", "telegram.org", "telegram.me"),
    "discord": ("discord.com", "discord.gg", "discordapp.com", "discordapp.net"),
    "reddit": ("reddit.com", "redd.it"),
    "youtube": ("youtube.com", "youtu.be"),
    "onlyfans": ("onlyfans.com",),
    "pornhub": ("pornhub.com",),
    "xvideos": ("xvideos.com",),
    "google": ("google.com", "googleusercontent.com", "drive.google.com"),
    "mega": ("mega.nz", "mega.io"),
    "pinterest": ("pinterest.com", "pin.it"),
    "threads": ("threads.net", "threads.com"),
    "bluesky": ("bsky.app",),
}
_BY_HOST = {host: name for name, hosts in PLATFORMS.items() for host in hosts}


def clean_url(text: str) -> str:
    """The URL in canonical form (scheme and host lower-cased, fragment dropped), or InputError."""
    if not isinstance(text, str):
        raise InputError("a URL must be text", code="invalid_url")
    value = text.strip()
    if not value:
        raise InputError("the URL is empty", code="invalid_url")
    if len(value) > MAX_URL:
        raise InputError(f"a URL is at most {MAX_URL} characters", code="invalid_url")
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise InputError("a URL cannot contain spaces or control characters", code="invalid_url")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise InputError(f"not a URL: {value[:80]!r}", code="invalid_url") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(
            "only http:// and https:// links can be reported (copy the link from the address bar)",
            code="invalid_url",
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InputError("the URL has no host name", code="invalid_url")
    if parts.username or parts.password:
        raise InputError("a URL with a user name or password is not accepted", code="invalid_url")
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, ""))


def platform_of(url: str) -> str:
    """The platform a (clean) URL belongs to: a known name, else its host without ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    labels = host.split(".")
    for start in range(len(labels) - 1):
        name = _BY_HOST.get(".".join(labels[start:]))
        if name is not None:
            return name
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host.removeprefix("www.")
    return host

"""Where a platform's notices go: a channel (email, webhook or web form) and an address.

Bouclier ships no real address: platforms publish their DSA single point of contact, their
TAKE IT DOWN Act request channel and their NCII web forms themselves, and these change. The built-in
:data:`PLACEHOLDERS` only show the shape of an entry (``dsa-notices@<platform domain>``) and are
marked unconfigured, so a notice is never sent to a guessed address. The hotline writes its own
directory in a TOML file named by ``BOUCLIER_PLATFORMS_FILE``::

    [platforms.instagram]            # a name as bouclier.cases.platforms recognises it
    channel = "email"                # email | webhook | form
    address = "notices@example.org"  # an email address, a webhook's name, or a form's URL

    [platforms."example.org"]        # an unknown host is named by its host
    channel = "webhook"
    address = "example-org"

Or the analyst gives the address for one notice (``bouclier notice create ... --to``).

Pharos is a web form (internet-signalement.gouv.fr): the text or PDF of a Pharos notice is what
the analyst copies into it, then records it as filed (``bouclier notice send REF --filed``). Only
if an address is agreed with Pharos (``BOUCLIER_PHAROS_EMAIL``) is it sent by email.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from bouclier.cases.platforms import PLATFORMS
from bouclier.errors import ConfigError, InputError
from bouclier.notices.laws import pharos
from bouclier.settings import Settings
from bouclier.vocabulary import NOTICE_CHANNELS


@dataclass(frozen=True, slots=True)
class Recipient:
    channel: str
    address: str
    configured: bool = True


#: The shape of an entry for each known platform: NOT real addresses (configured=False).
PLACEHOLDERS: dict[str, Recipient] = {
    name: Recipient("email", f"dsa-notices@{hosts[0]}", configured=False)
    for name, hosts in PLATFORMS.items()
}


def validate(channel: str, address: str) -> Recipient:
    """A recipient checked for its channel; InputError saying what is wrong."""
    if channel not in NOTICE_CHANNELS:
        raise InputError(f"channel is one of {', '.join(NOTICE_CHANNELS)}", code="invalid_channel")
    if not isinstance(address, str) or not address.strip():
        raise InputError("the recipient's address is empty", code="invalid_recipient")
    address = address.strip()
    if len(address) > 500 or any(ord(ch) < 32 for ch in address):
        raise InputError("the recipient's address is not valid", code="invalid_recipient")
    if channel == "email":
        local, _, domain = address.rpartition("@")
        if not local or "." not in domain or any(ch in address for ch in " ,;<>\"'"):
            raise InputError(f"not an email address: {address[:80]!r}", code="invalid_recipient")
    if channel == "form" and not address.startswith(("https://", "http://")):
        raise InputError("a form's address is its URL", code="invalid_recipient")
    return Recipient(channel, address)


def load(path: Path) -> dict[str, Recipient]:
    """The directory in a TOML file; ConfigError naming the entry that is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"BOUCLIER_PLATFORMS_FILE {path}: {exc}") from None
    table = data.get("platforms", {})
    if not isinstance(table, dict):
        raise ConfigError(f"BOUCLIER_PLATFORMS_FILE {path}: [platforms] is not a table")
    found = {}
    for name, entry in table.items():
        if not isinstance(entry, dict):
            raise ConfigError(f"BOUCLIER_PLATFORMS_FILE {path}: platforms.{name} is not a table")
        try:
            found[name] = validate(str(entry.get("channel", "email")), str(entry.get("address")))
        except InputError as exc:
            raise ConfigError(f"BOUCLIER_PLATFORMS_FILE {path}: {name}: {exc.message}") from None
    return found


def recipient_for(
    settings: Settings, platform: str, law: str, *, channel: str | None = None
) -> Recipient:
    """Where a notice under ``law`` about a URL of ``platform`` goes; InputError when no
    address is configured (give one for the notice, or write it in BOUCLIER_PLATFORMS_FILE)."""
    if law == pharos.LAW.name:
        if settings.pharos_email and channel in (None, "email"):
            return Recipient("email", settings.pharos_email)
        return Recipient("form", pharos.FORM)
    entries = load(settings.platforms_file) if settings.platforms_file else {}
    found = entries.get(platform)
    if found is not None and (channel is None or channel == found.channel):
        return found
    hint = PLACEHOLDERS.get(platform)
    example = f" (for example {hint.address}, to be checked)" if hint else ""
    raise InputError(
        f"no {channel or 'notice'} address configured for {platform}: give one with --to, "
        f"or add it to BOUCLIER_PLATFORMS_FILE{example}",
        code="recipient_unknown",
    )

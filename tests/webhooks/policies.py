"""The destination policies of the webhook tests (bouclier.webhooks.destinations)."""

from __future__ import annotations

from bouclier.webhooks.destinations import Destinations

#: The tests' loopback receivers (tests/webhooks/receiver.py), allowed as an operator would allow
#: a receiver on its own machine (BOUCLIER_WEBHOOK_ALLOWED_HOSTS=127.0.0.1).
LOOPBACK = Destinations.allowing(["127.0.0.1"])


def _public(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]  # a public address; a mock transport never connects to it


#: Every name resolves to a public address: for tests whose transport is an httpx.MockTransport.
PUBLIC = Destinations(resolver=_public)

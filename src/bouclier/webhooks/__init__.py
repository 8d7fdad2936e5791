"""Webhooks: Bouclier calls platforms' endpoints when a bank changes or a takedown is requested.

Events (:data:`~bouclier.vocabulary.WEBHOOK_EVENTS`) are written to an outbox
(``webhook_deliveries``, :mod:`bouclier.webhooks.outbox`) in the transaction of what they record,
so an acknowledged event is never lost; a deliverer thread in each service process
(:mod:`bouclier.webhooks.deliverer`) claims due rows, POSTs them signed with HMAC-SHA256
(:mod:`bouclier.webhooks.signing`) and retries failures with back-off. Endpoints and their delivery
log are kept by :class:`~bouclier.webhooks.store.WebhookStore`.
"""

from __future__ import annotations

from bouclier.webhooks.outbox import enqueue, forget_entries, request_takedown
from bouclier.webhooks.signing import sign, verify_signature
from bouclier.webhooks.store import DeliveryInfo, WebhookInfo, WebhookStore

__all__ = [
    "DeliveryInfo",
    "WebhookInfo",
    "WebhookStore",
    "enqueue",
    "forget_entries",
    "request_takedown",
    "sign",
    "verify_signature",
]

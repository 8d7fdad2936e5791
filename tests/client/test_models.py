"""The client's answer models and the server's response models cannot drift apart: every field
the API promises is one the client reads, and fields a newer server adds are kept, not refused."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from bouclier.api import feedback, schemas, webhooks
from bouclier.client import models

PAIRS: list[tuple[type[BaseModel], type[BaseModel]]] = [
    (schemas.HashesOut, models.Hashes),
    (schemas.MatchOut, models.Match),
    (schemas.ImageMatchOut, models.ImageMatch),
    (schemas.HashMatchOut, models.HashMatch),
    (schemas.VideoMatchOut, models.VideoMatch),
    (schemas.VideoHashesOut, models.VideoHashes),
    (schemas.MatchedFrameOut, models.MatchedFrame),
    (schemas.HashMatchesOut, models.HashMatches),
    (schemas.AnalysisOut, models.Analysis),
    (schemas.SignalOut, models.Signal),
    (schemas.GuardOut, models.GuardDecision),
    (schemas.BankOut, models.Bank),
    (schemas.ChangeOut, models.Change),
    (schemas.ChangesOut, models.Changes),
    (schemas.EntriesAdded, models.EntriesAdded),
    (schemas.EntryRemoved, models.EntryRemoved),
    (schemas.BankDeleted, models.BankDeleted),
    (schemas.ImageAdded, models.ImageAdded),
    (feedback.FeedbackOut, models.Feedback),
    (webhooks.WebhookOut, models.Webhook),
    (webhooks.WebhookCreated, models.WebhookCreated),
    (webhooks.DeliveryOut, models.Delivery),
    (webhooks.DeliveryPage, models.Deliveries),
]


@pytest.mark.parametrize(("server", "client"), PAIRS, ids=[c.__name__ for _, c in PAIRS])
def test_the_client_reads_every_field_the_server_answers(
    server: type[BaseModel], client: type[BaseModel]
) -> None:
    assert set(server.model_fields) <= set(client.model_fields)


def test_a_delta_sync_entry_with_fields_added_later_is_read_and_kept() -> None:
    change = models.Change.model_validate(
        {
            "cursor": 7,
            "op": "add",
            "entry": 3,
            "signal_type": "pdq",
            "value": "ab" * 32,
            "pdq": "ab" * 32,
            "created_at": "2026-12-01T00:00:00Z",
            "quality": 90,
            "reviewed": True,
            "minor": False,
            "provenance": "c2pa",  # a field some later server adds
        }
    )
    assert (change.entry, change.quality, change.reviewed, change.minor) == (3, 90, True, False)
    assert change.model_extra == {"provenance": "c2pa"}

"""ORB values never leave the instance (keypoints with descriptors can be inverted to a
recognisable picture): an image added to a bank brings its ORB entry, which local matching uses,
but the bank's change-log pages, webhook bodies and exports carry its PDQ only."""

from __future__ import annotations

import io
import json

from sqlalchemy import select

from bouclier.banks import transfer
from bouclier.signals.orb import PACKED_BYTES
from bouclier.storage.models import HashChange, WebhookDelivery
from bouclier.webhooks import WebhookStore
from bouclier.webhooks.fanout import fan_out_all
from bouclier.webhooks.outbox import expand
from tests.api.conftest import Api, image, upload

ORB_HEX = 2 * PACKED_BYTES


def _bank_with_image(api: Api) -> tuple[int, int]:
    headers = api.auth("analyst")
    api.client.post("/v1/banks", headers=headers, json={"name": "victims", "kind": "victim"})
    answer = api.client.post("/v1/banks/victims/images", headers=headers, **upload(image(41)))
    assert answer.status_code == 201, answer.text
    added = answer.json()
    assert added["robust_entry"] is not None
    return int(added["entry"]), int(added["robust_entry"])


def test_change_log_pages_carry_no_orb_value_and_move_past_it(api: Api) -> None:
    pdq_entry, orb_entry = _bank_with_image(api)
    removed = api.client.delete(
        f"/v1/banks/victims/hashes/{orb_entry}", headers=api.auth("analyst")
    )
    assert removed.status_code == 200
    store = api.services.store
    with api.services.db.transaction() as session:  # the log itself holds the ORB add and remove
        kinds = session.scalars(select(HashChange.signal_type)).all()
    assert kinds.count("orb") == 2
    since, seen, pages = 0, [], 0
    while True:  # a platform's delta sync, one change per page
        page = api.client.get(
            "/v1/banks/victims/changes",
            headers=api.auth("platform"),
            params={"since": since, "limit": 1},
        )
        assert page.status_code == 200
        body = page.json()
        assert body["next"] >= since
        seen += body["changes"]
        since, pages = body["next"], pages + 1
        if not body["more"]:
            break
    assert since == store.last_cursor()  # every change passed, none skipped
    assert [(c["op"], c["entry"], c["signal_type"]) for c in seen] == [("add", pdq_entry, "pdq")]
    assert all(len(c["value"] or "") != ORB_HEX for c in seen)
    assert pages == 3  # the two ORB changes' pages came back empty, the walk went on


def test_webhook_bodies_and_exports_carry_no_orb_value(api: Api) -> None:
    db = api.services.db
    WebhookStore(db).create("platform", "https://hooks.example.org/bouclier")
    pdq_entry, orb_entry = _bank_with_image(api)
    fan_out_all(db)
    with db.transaction() as session:
        rows = session.execute(
            select(
                WebhookDelivery.payload, WebhookDelivery.first_cursor, WebhookDelivery.last_cursor
            )
        ).all()
        bodies = [json.loads(expand(session, *row)) for row in rows]
    changes = [c for body in bodies for c in body["data"]["changes"]]
    assert [(c["entry_id"], c["signal_type"]) for c in changes] == [(pdq_entry, "pdq")]
    assert not any(orb_entry == c["entry_id"] for c in changes)

    out = io.StringIO()
    records = list(api.services.store.entries("victims"))
    assert {r.signal_type for r in records} == {"pdq", "orb"}  # the bank holds both...
    assert transfer.write_entries(records, "jsonl", out) == 1  # ...an export only PDQ
    assert [json.loads(line)["signal_type"] for line in out.getvalue().splitlines()] == ["pdq"]

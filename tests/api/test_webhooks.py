"""The /v1/webhooks routes: a platform's own endpoints, their delivery log, retries."""

from __future__ import annotations

import json

import pytest

from bouclier.webhooks import verify_signature
from tests.api.conftest import Api
from tests.webhooks.receiver import receiver

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


@pytest.fixture(autouse=True)
def _no_background_delivery(api: Api) -> None:
    # the tests drive deliveries themselves (deliver_due), the background thread would race them
    assert api.services.deliverer is not None
    api.services.deliverer.stop()


def test_register_receive_log_retry(api: Api) -> None:
    platform, analyst = api.auth("platform"), api.auth("analyst")
    deliverer = api.services.deliverer
    assert deliverer is not None
    with receiver() as site:
        site.statuses = [500]
        created = api.client.post(
            "/v1/webhooks", headers=platform, json={"name": "main", "url": site.url}
        )
        assert created.status_code == 201
        hook = created.json()
        secret = hook.pop("secret")
        assert secret.startswith("whsec_")
        assert hook["events"] == [
            "hash.added",
            "hash.removed",
            "hash.updated",
            "takedown.requested",
        ]
        listed = api.client.get("/v1/webhooks", headers=platform).json()["webhooks"]
        assert listed == [hook]  # no secret in the list
        assert "secret" not in json.dumps(listed)

        api.client.post("/v1/banks", headers=analyst, json={"name": "victims", "kind": "victim"})
        added = api.client.post(
            "/v1/banks/victims/hashes", headers=analyst, json={"entries": [{"pdq": PDQ}]}
        )
        (entry,) = added.json()["entries"]
        assert deliverer.deliver_due() == 1  # 500: retried later
        log = api.client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=platform).json()
        (first,) = log["deliveries"]
        assert (first["status"], first["attempts"], first["last_status"]) == ("pending", 1, 500)
        assert first["entry_id"] is None  # a bank write: its range in the change log
        assert first["first_cursor"] == first["last_cursor"] is not None
        assert log["next"] is None
        retry = api.client.post(
            f"/v1/webhooks/{hook['id']}/deliveries/{first['id']}/retry", headers=platform
        )
        assert retry.status_code == 409
        assert retry.json()["error"]["code"] == "delivery_pending"

        from datetime import datetime

        assert deliverer.deliver_due(datetime.fromisoformat(first["next_attempt_at"])) == 1
        (done,) = api.client.get(
            f"/v1/webhooks/{hook['id']}/deliveries?status=delivered", headers=platform
        ).json()["deliveries"]
        assert (done["attempts"], done["last_status"]) == (2, 200)
        again = api.client.post(
            f"/v1/webhooks/{hook['id']}/deliveries/{done['id']}/retry", headers=platform
        )
        assert again.status_code == 200
        assert (again.json()["status"], again.json()["attempts"]) == ("pending", 0)
        assert deliverer.deliver_due() == 1

    assert len(site.received) == 3
    for got in site.received:
        assert verify_signature(secret, got.headers["Bouclier-Signature"], got.body)
        (change,) = json.loads(got.body)["data"]["changes"]
        assert (change["entry_id"], change["value"]) == (entry, PDQ)


def test_platforms_see_only_their_own(api: Api) -> None:
    keys = api.services.keys
    other = {"Authorization": f"Bearer {keys.create('other.social', 'platform')[1]}"}
    mine = api.client.post(
        "/v1/webhooks",
        headers=api.auth("platform"),
        json={"name": "mine", "url": "https://example.social/h", "events": ["hash.added"]},
    ).json()
    assert api.client.get("/v1/webhooks", headers=other).json() == {"webhooks": []}
    for method, path in [
        ("GET", f"/v1/webhooks/{mine['id']}/deliveries"),
        ("DELETE", f"/v1/webhooks/{mine['id']}"),
        ("POST", f"/v1/webhooks/{mine['id']}/deliveries/1/retry"),
    ]:
        answer = api.client.request(method, path, headers=other)
        assert answer.status_code == 404, (method, path)
        assert answer.json()["error"]["code"] == "webhook_not_found"
    admin = api.auth("admin")
    assert [w["id"] for w in api.client.get("/v1/webhooks", headers=admin).json()["webhooks"]] == [
        mine["id"]
    ]
    deleted = api.client.delete(f"/v1/webhooks/{mine['id']}", headers=api.auth("platform"))
    assert deleted.json() == {"deleted": mine["id"]}
    assert api.client.get("/v1/webhooks", headers=admin).json() == {"webhooks": []}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "x", "url": "http://example.social/h"}, "invalid_webhook_url"),
        ({"name": "x", "url": "http://localhost:8000/v1/cases"}, "invalid_webhook_url"),
        ({"name": "x", "url": "https://100.64.0.1/h"}, "invalid_webhook_url"),
        ({"name": "x", "url": "https://[::ffff:127.0.0.2]/h"}, "invalid_webhook_url"),
        ({"name": "x", "url": "https://u:p@example.social/h"}, "invalid_webhook_url"),
        ({"name": "x", "url": "https://example.social", "events": ["x"]}, "invalid_webhook_events"),
        ({"name": "x", "url": "https://example.social", "events": []}, "invalid_webhook_events"),
        ({"name": "x\n", "url": "https://example.social"}, "invalid_request"),
        ({"url": "https://example.social"}, "invalid_request"),
    ],
)
def test_refused(api: Api, body: dict[str, object], code: str) -> None:
    answer = api.client.post("/v1/webhooks", headers=api.auth("platform"), json=body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, code)


def test_roles(api: Api) -> None:
    for role in ("analyst", "ai-provider"):
        answer = api.client.get("/v1/webhooks", headers=api.auth(role))
        assert answer.status_code == 403
    assert api.client.get("/v1/webhooks/1/deliveries", headers=api.auth("admin")).status_code == 404


def test_a_key_has_at_most_webhooks_per_key(api: Api) -> None:
    """Issue 14 part 3: a platform key could create any number of webhooks."""
    platform = api.auth("platform")
    cap = api.services.settings.webhooks_per_key
    made = [
        api.client.post(
            "/v1/webhooks", headers=platform, json={"name": f"h{i}", "url": "https://ex.social/h"}
        )
        for i in range(cap + 1)
    ]
    assert [m.status_code for m in made] == [201] * cap + [409]
    assert made[-1].json()["error"]["code"] == "webhook_limit_reached"
    assert str(cap) in made[-1].json()["error"]["message"]
    first = made[0].json()["id"]
    assert api.client.delete(f"/v1/webhooks/{first}", headers=platform).status_code == 200
    again = api.client.post(
        "/v1/webhooks", headers=platform, json={"name": "again", "url": "https://ex.social/h"}
    )
    assert again.status_code == 201


def test_an_old_webhook_changes_its_events_and_keeps_what_was_made_before(api: Api) -> None:
    """A webhook made before ``hash.updated`` existed opts in by changing its events: the bank
    write made before the change is announced under the old list, the next ones under the new."""
    platform, analyst = api.auth("platform"), api.auth("analyst")
    hook = api.client.post(
        "/v1/webhooks",
        headers=platform,
        json={"name": "old", "url": "https://example.social/h", "events": ["hash.added"]},
    ).json()
    hook.pop("secret")
    api.client.post("/v1/banks", headers=analyst, json={"name": "victims", "kind": "victim"})
    added = api.client.post(
        "/v1/banks/victims/hashes", headers=analyst, json={"entries": [{"pdq": PDQ}]}
    )
    (entry,) = added.json()["entries"]

    changed = api.client.put(
        f"/v1/webhooks/{hook['id']}/events",
        headers=platform,
        json={"events": ["hash.updated", "hash.removed"]},
    )
    assert changed.status_code == 200
    assert changed.json() == {**hook, "events": ["hash.removed", "hash.updated"]}
    assert api.client.get("/v1/webhooks", headers=platform).json()["webhooks"] == [changed.json()]

    removed = api.client.delete(f"/v1/banks/victims/hashes/{entry}", headers=analyst)
    assert removed.status_code == 200
    other = "0" * 64
    assert api.client.post(
        "/v1/banks/victims/hashes", headers=analyst, json={"entries": [{"pdq": other}]}
    ).is_success
    log = api.client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=platform).json()
    assert [d["event"] for d in log["deliveries"]] == ["hash.removed", "hash.added"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"events": ["hash.exploded"]}, "invalid_webhook_events"),
        ({"events": []}, "invalid_webhook_events"),
        ({"events": "hash.added"}, "invalid_request"),
        ({"events": ["hash.added"] * 5}, "invalid_request"),
        ({}, "invalid_request"),
        ({"events": ["hash.added"], "url": "https://elsewhere.social/h"}, "invalid_request"),
    ],
)
def test_changing_events_refused(api: Api, body: dict[str, object], code: str) -> None:
    platform = api.auth("platform")
    hook = api.client.post(
        "/v1/webhooks", headers=platform, json={"name": "h", "url": "https://example.social/h"}
    ).json()
    answer = api.client.put(f"/v1/webhooks/{hook['id']}/events", headers=platform, json=body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, code)
    (kept,) = api.client.get("/v1/webhooks", headers=platform).json()["webhooks"]
    assert kept["events"] == hook["events"]


def test_only_the_owner_or_an_admin_changes_a_webhook_s_events(api: Api) -> None:
    mine = api.client.post(
        "/v1/webhooks",
        headers=api.auth("platform"),
        json={"name": "mine", "url": "https://example.social/h", "events": ["hash.added"]},
    ).json()
    path, body = f"/v1/webhooks/{mine['id']}/events", {"events": ["takedown.requested"]}
    other = {"Authorization": f"Bearer {api.services.keys.create('other', 'platform')[1]}"}
    assert api.client.put(path, json=body).status_code == 401
    assert api.client.put(path, headers=api.auth("analyst"), json=body).status_code == 403
    answer = api.client.put(path, headers=other, json=body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "webhook_not_found")
    missing = api.client.put("/v1/webhooks/999/events", headers=api.auth("platform"), json=body)
    assert missing.status_code == 404
    (unchanged,) = api.client.get("/v1/webhooks", headers=api.auth("platform")).json()["webhooks"]
    assert unchanged["events"] == ["hash.added"]
    by_admin = api.client.put(path, headers=api.auth("admin"), json=body)
    assert by_admin.json()["events"] == ["takedown.requested"]

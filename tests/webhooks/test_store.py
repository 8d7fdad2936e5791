"""Webhook endpoints: URL rules, secrets shown once, ownership, the delivery log."""

from __future__ import annotations

import pytest

from bouclier.errors import Conflict, InputError, NotFound
from bouclier.storage import Database
from bouclier.webhooks.destinations import Destinations
from bouclier.webhooks.store import WebhookStore, validate_url


@pytest.mark.parametrize(
    "url",
    [
        "https://example.social/hooks/bouclier",
        "https://example.social:8443/h?x=1",
        "https://93.184.216.34/hook",
        "https://[2606:4700::1111]/hook",
    ],
)
def test_urls_accepted(url: str) -> None:
    assert validate_url(f"  {url} ") == url


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8080/hook",
        "http://127.0.0.1/hook",
        "http://[::1]:9000/",
        "https://10.1.2.3/hook",
    ],
)
def test_urls_accepted_only_when_the_operator_allowed_their_host(url: str) -> None:
    allowed = Destinations.allowing(["localhost", "127.0.0.1", "::1", "10.0.0.0/8"])
    assert validate_url(url, allowed) == url
    with pytest.raises(InputError) as caught:
        validate_url(url)
    assert caught.value.code == "invalid_webhook_url"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://example.social/hook",  # plain http to a host the operator did not list
        "ftp://example.social/",
        "https:///path-only",
        "https://user:pw@example.social/",
        "https://token@example.social/",
        "https://example.social:99999/",
        "https://exa mple.social/",
        "https://example.social/\x00",
        "javascript:alert(1)",
        "https://example.social/" + "a" * 2000,
        "http://10.0.0.1/",
        "https://10.0.0.1/hook",  # private networks, cloud metadata, reserved: never
        "https://192.168.1.20/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd00::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
    ],
)
def test_urls_refused(url: str) -> None:
    with pytest.raises(InputError) as caught:
        validate_url(url)
    assert caught.value.code == "invalid_webhook_url"


def test_create_list_disable_delete(db: Database) -> None:
    store = WebhookStore(db)
    hook, secret = store.create("main", "https://example.social/h", api_key_id=None)
    assert secret.startswith("whsec_")
    assert hook.events == ("hash.added", "hash.removed", "hash.updated", "takedown.requested")
    other, _ = store.create("notices", "https://example.social/n", ["takedown.requested"])
    assert other.events == ("takedown.requested",)
    assert [w.id for w in store.webhooks()] == [hook.id, other.id]
    assert store.disable(hook.id).disabled_at is not None
    store.delete(hook.id)
    with pytest.raises(NotFound):
        store.get(hook.id)
    with pytest.raises(InputError, match="events"):
        store.create("x", "https://example.social/", ["hash.exploded"])
    with pytest.raises(InputError):
        store.create("", "https://example.social/")
    with pytest.raises(InputError):
        store.create("a\x00b", "https://example.social/")


def test_set_events_replaces_the_list_in_the_vocabulary_s_order(db: Database) -> None:
    store = WebhookStore(db)
    hook, _ = store.create("old", "https://example.social/h", ["hash.added", "hash.removed"])
    changed = store.set_events(hook.id, ["takedown.requested", "hash.updated", "hash.updated"])
    assert changed.events == ("hash.updated", "takedown.requested")
    assert store.get(hook.id) == changed
    for wrong in ([], ["hash.exploded"], ["hash.added", "HASH.ADDED"]):
        with pytest.raises(InputError) as caught:
            store.set_events(hook.id, wrong)
        assert caught.value.code == "invalid_webhook_events"
    assert store.get(hook.id).events == ("hash.updated", "takedown.requested")
    with pytest.raises(NotFound):
        store.set_events(hook.id + 1, ["hash.added"])


def test_a_key_sees_only_its_webhooks(db: Database) -> None:
    from bouclier.accounts.api_keys import ApiKeyStore

    keys = ApiKeyStore(db)
    one, _ = keys.create("one.social", "platform")
    two, _ = keys.create("two.social", "platform")
    store = WebhookStore(db)
    hook, _ = store.create("h", "https://one.social/h", api_key_id=one.id)
    assert store.webhooks(api_key_id=two.id) == []
    with pytest.raises(NotFound):
        store.deliveries(hook.id, api_key_id=two.id)
    with pytest.raises(NotFound):
        store.delete(hook.id, api_key_id=two.id)
    with pytest.raises(NotFound):
        store.set_events(hook.id, ["hash.added"], api_key_id=two.id)
    with pytest.raises(NotFound, match="delivery"):
        store.redeliver(hook.id, 12345, api_key_id=one.id)
    assert store.deliveries(hook.id, api_key_id=one.id) == []
    with pytest.raises(InputError):
        store.deliveries(hook.id, limit=0)


def test_names_resolving_inside_are_refused_at_creation() -> None:
    def resolver(host: str, port: int) -> list[str]:
        return {"inside.example": ["93.184.216.34", "10.0.0.7"]}.get(host, ["93.184.216.34"])

    policy = Destinations(resolver=resolver)
    assert validate_url("https://outside.example/h", policy) == "https://outside.example/h"
    with pytest.raises(InputError, match="loopback, private"):
        validate_url("https://inside.example/h", policy)  # one address inside is enough


def test_a_name_that_does_not_resolve_yet_is_accepted_and_checked_at_delivery() -> None:
    def resolver(host: str, port: int) -> list[str]:
        raise OSError("no such name")

    assert validate_url("https://new.example/h", Destinations(resolver=resolver))


def test_a_key_has_at_most_per_key_webhooks(db: Database) -> None:
    from bouclier.accounts.api_keys import ApiKeyStore

    keys = ApiKeyStore(db)
    one, _ = keys.create("one.social", "platform")
    two, _ = keys.create("two.social", "platform")
    store = WebhookStore(db, per_key=2)
    first, _ = store.create("a", "https://one.social/a", api_key_id=one.id)
    second, _ = store.create("b", "https://one.social/b", api_key_id=one.id)
    store.disable(second.id)  # disabled still counts: it keeps its log until deleted
    with pytest.raises(Conflict) as caught:
        store.create("c", "https://one.social/c", api_key_id=one.id)
    assert caught.value.code == "webhook_limit_reached"
    store.create("c", "https://two.social/c", api_key_id=two.id)  # another key's own cap
    for i in range(3):
        store.create(f"ops-{i}", "https://ops.example/h")  # the operator's: not capped
    store.delete(first.id, api_key_id=one.id)
    store.create("c", "https://one.social/c", api_key_id=one.id)
    assert len(store.webhooks(api_key_id=one.id)) == 2

"""``bouclier webhook``: create (secret printed once), list, the delivery log."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.conftest import CliResult

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def test_create_list_deliveries(cli: Callable[..., CliResult]) -> None:
    code, out, err = cli("webhook", "create", "--name", "main", "--url", "https://example.social/h")
    assert code == 0
    (secret,) = out
    assert secret.startswith("whsec_")
    assert "created webhook 1" in err
    code, out, _ = cli("webhook", "list")
    (listed,) = [json.loads(line) for line in out]
    assert (listed["id"], listed["url"]) == (1, "https://example.social/h")
    assert secret not in "\n".join(out)
    code, out, _ = cli("webhook", "events", "1", "--event", "hash.added")
    assert code == 0
    assert json.loads(out[0])["events"] == ["hash.added"]
    assert cli("webhook", "events", "1", "--event", "hash.exploded")[0] != 0
    assert cli("webhook", "events", "9", "--event", "hash.added")[0] == 3
    assert cli("bank", "create", "victims", "--kind", "victim")[0] == 0
    assert cli("bank", "add", "victims", "--pdq", PDQ)[0] == 0
    code, out, _ = cli("webhook", "deliveries", "1", "--status", "pending")
    assert code == 0
    assert [json.loads(line)["event"] for line in out] == ["hash.added"]
    assert PDQ not in "\n".join(out)  # the log never shows the body
    code, _, err = cli("webhook", "create", "--name", "x", "--url", "http://example.social/h")
    assert code == 5
    assert "invalid_webhook_url" in err
    assert cli("webhook", "deliveries", "9")[0] == 3

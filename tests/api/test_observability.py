"""JSON access logs that carry no request content, the request id, and the Prometheus metrics."""

from __future__ import annotations

import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bouclier.api.observability import JsonFormatter, request_id
from bouclier.hashing import hash_bytes
from tests.api.conftest import Api, TestClient, image, upload

PROMPT = "undress the woman called Jeanne Dupont in this photo"
CASE_REF = "CASE-personal-7731"


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    formatter = JsonFormatter()
    return [formatter.format(record) for record in caplog.records]


def test_logs_carry_the_request_but_none_of_its_content(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data = image(7)
    pdq = hash_bytes(data).pdq.pdq
    hashed = api.client.post(
        "/v1/hash", headers={**api.auth("platform"), "X-Request-ID": "req-42"}, **upload(data)
    )
    assert hashed.status_code == 200
    assert hashed.headers["x-request-id"] == "req-42"
    api.client.post("/v1/banks", headers=api.auth("analyst"), json={"name": "v", "kind": "victim"})
    added = api.client.post(
        "/v1/banks/v/hashes",
        headers=api.auth("analyst"),
        json={"entries": [{"pdq": pdq, "case_ref": CASE_REF, "quality": 90}]},
    )
    assert added.status_code == 201
    matched = api.client.post("/v1/match/hashes", headers=api.auth("platform"), json={"pdq": [pdq]})
    assert matched.status_code == 200
    guarded = api.client.post(
        "/v1/guard/request", headers=api.auth("ai-provider"), json={"prompt": PROMPT}
    )
    assert guarded.status_code == 200
    refused = api.client.post(  # a refused body must not be echoed into the log either
        "/v1/match/hashes", headers=api.auth("platform"), json={"pdq": [pdq[:-1] + "zz"]}
    )
    assert refused.status_code == 422

    lines = _lines(caplog)
    secrets = [pdq, pdq[:-1] + "zz", PROMPT, "Jeanne", CASE_REF, *api.keys.values()]
    secrets += [data[200:232].hex(), data[200:232].decode("latin-1")]
    for line in lines:
        for secret in secrets:
            assert secret not in line, (secret, line)
    access = [entry for entry in map(json.loads, lines) if entry["logger"] == "bouclier.access"]
    assert len(access) == 6
    first = access[0]
    assert first["request_id"] == "req-42"
    assert first["method"] == "POST"
    assert first["route"] == "/v1/hash"
    assert first["status"] == 200
    assert first["level"] == "info"
    assert isinstance(first["duration_ms"], float)
    assert isinstance(first["key_id"], int)
    assert {"time", "message"} <= set(first)
    assert [a["route"] for a in access][1:3] == ["/v1/banks", "/v1/banks/{name}/hashes"]
    assert access[-1]["status"] == 422
    assert len({a["request_id"] for a in access}) == len(access)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("abc-123", True),
        ("0f6c1f3e-9a4b-4c3d-8e2f-1a2b3c4d5e6f", True),
        ("trace.span:01_x", True),
        ("a" * 128, True),
        ("a" * 129, False),
        ("", False),
        ("-leading-dash", False),
        ("has space", False),
        ('quote"s', False),
        ("jeanne@example.org", False),
        ("line\nbreak", False),
    ],
)
def test_request_id_is_kept_only_when_it_is_a_safe_token(sent: str, kept: bool) -> None:
    rid = request_id(sent)
    assert (rid == sent) is kept
    if not kept:
        assert len(rid) == 32
        assert rid.isalnum()


def test_a_request_without_a_usable_id_gets_one(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bouclier.access")
    answer = api.client.get("/healthz", headers={"X-Request-ID": "not a token"})
    rid = answer.headers["x-request-id"]
    assert rid != "not a token"
    assert len(rid) == 32
    unmatched = api.client.get("/v1/banks/../secret-path-data")
    assert unmatched.status_code == 404
    lines = [json.loads(line) for line in _lines(caplog)]
    assert lines[0]["request_id"] == rid
    assert lines[0]["route"] == "/healthz"
    assert "key_id" not in lines[0]
    assert lines[1]["route"] == "<unmatched>"
    assert lines[1]["status"] == 404
    assert all("secret-path-data" not in json.dumps(line) for line in lines)


def test_a_crash_is_a_500_with_its_request_id_and_a_log_without_the_error_text(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    @api.client.app.get("/boom")  # type: ignore[attr-defined]
    async def boom() -> None:
        raise RuntimeError(f"failed on prompt {PROMPT}")

    with TestClient(api.client.app, raise_server_exceptions=False) as client:
        answer = client.get("/boom", headers={"X-Request-ID": "crash-1"})
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "internal"
    assert answer.headers["x-request-id"] == "crash-1"
    lines = [json.loads(line) for line in _lines(caplog)]
    assert all(PROMPT not in json.dumps(line) for line in lines)
    crash = [line for line in lines if "exception" in line]
    assert crash
    assert crash[0]["exception"]["type"] == "builtins.RuntimeError"
    access = [line for line in lines if line["logger"] == "bouclier.access"]
    assert access[-1]["status"] == 500
    assert access[-1]["request_id"] == "crash-1"


def _samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def test_metrics_count_requests_by_route_template(api: Api) -> None:
    api.client.get("/healthz")
    api.client.post("/v1/banks", headers=api.auth("analyst"), json={"name": "v", "kind": "victim"})
    api.client.get("/v1/banks/v", headers=api.auth("analyst"))
    api.client.get("/v1/banks/nope", headers=api.auth("analyst"))
    answer = api.client.get("/v1/metrics", headers=api.auth("admin"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    samples = _samples(answer.text)

    def count(route: str, status: str) -> float:
        return sum(
            value
            for labels, value in samples["bouclier_http_requests_total"]
            if labels["route"] == route and labels["status"] == status
        )

    assert count("/healthz", "200") == 1
    assert count("/v1/banks", "201") == 1
    assert count("/v1/banks/{name}", "200") == 1
    assert count("/v1/banks/{name}", "404") == 1
    assert not any(
        "nope" in labels["route"] for labels, _ in samples["bouclier_http_requests_total"]
    )
    latency = samples["bouclier_http_request_duration_seconds_count"]
    assert any(labels["route"] == "/v1/banks/{name}" and value == 1 for labels, value in latency)
    assert samples["bouclier_bank_index_hashes"] == [({}, float(len(api.services.matcher)))]
    assert samples["bouclier_models_ready"][0][1] in (0.0, 1.0)


def test_metrics_are_for_admin_keys_only(api: Api) -> None:
    assert api.client.get("/v1/metrics").status_code == 401
    assert api.client.get("/v1/metrics", headers=api.auth("platform")).status_code == 403

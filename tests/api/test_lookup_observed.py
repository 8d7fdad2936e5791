"""What the lean lookup path (``POST /v1/lookup``) leaves behind, held to what it was before its
CPU was cut (w22-lean) and to what the general path leaves: one access-log line per request with
the same fields through the service's JSON formatter, the same Prometheus series, and the same
answers to every refusal (status, error, the headers a client reads)."""

from __future__ import annotations

import json
import logging
import math
import random
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError

from bouclier.api import observability
from bouclier.api.images import HashQuery
from bouclier.api.lookup import MAX_LOOKUP_HASHES, PATH, plain_pdq
from bouclier.api.observability import REQUEST_FIELDS, JsonFormatter, access_log
from bouclier.api.ratelimit import RateLimiter
from bouclier.errors import BouclierError
from bouclier.hashing import pdq
from tests.api.conftest import Api

NORMAL = "/v1/match/hashes"
MISS = "9d6a53c1f1b2e08e0e54f3a5c7d2b8f1a3c4e5f60718293a4b5c6d7e8f901234"  # far from HIT
HIT = f"{12345:064x}"


class _Lines(logging.Handler):
    """Keeps the JSON lines the service's formatter writes for the access log."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def written() -> Iterator[_Lines]:
    handler = _Lines()
    level = access_log.level
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        access_log.removeHandler(handler)
        access_log.setLevel(level)


def _reference_format(record: logging.LogRecord) -> str:
    """JsonFormatter.format as it was before w22-lean (the output the new one must equal)."""
    line: dict[str, Any] = {
        "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname.lower(),
        "logger": record.name,
        "message": record.getMessage(),
    }
    for name in REQUEST_FIELDS:
        value = record.__dict__.get(name)
        if value is not None:
            line[name] = value
    if record.exc_info and record.exc_info[0] is not None:
        kind, _, tb = record.exc_info
        line["exception"] = {
            "type": f"{kind.__module__}.{kind.__qualname__}",
            "stack": "".join(traceback.format_tb(tb)),
        }
    try:
        return orjson.dumps(line, default=str).decode()
    except TypeError:
        return json.dumps(line, ensure_ascii=False, default=str)


def _reference_record(
    method: str, route: str, rid: str, status: int, seconds: float, key_id: int | None
) -> logging.LogRecord:
    """The access record as ``record`` made it before w22-lean (Logger.makeRecord with extra)."""
    return access_log.makeRecord(
        access_log.name,
        logging.INFO,
        observability.__file__,
        0,
        "%s %s %d",
        (method, route, status),
        None,
        extra={
            "request_id": rid,
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "key_id": key_id,
        },
    )


_CLOCK = ("created", "msecs", "relativeCreated")


@pytest.mark.parametrize("key_id", [17, None])
def test_the_access_record_is_the_one_make_record_makes(key_id: int | None) -> None:
    made = observability.access_record("POST", PATH, "req-1", 200, 0.0001234, key_id)
    reference = _reference_record("POST", PATH, "req-1", 200, 0.0001234, key_id)
    assert set(made.__dict__) == set(reference.__dict__)
    for name, value in reference.__dict__.items():
        if name not in _CLOCK:
            assert made.__dict__[name] == value, name
    assert abs(made.created - reference.created) < 60  # the same clock, read a moment apart
    assert abs(made.relativeCreated - reference.relativeCreated) < 60_000
    made.created, made.msecs, made.relativeCreated = (getattr(reference, n) for n in _CLOCK)
    formatter = JsonFormatter()
    assert formatter.format(made) == _reference_format(reference)
    assert made.getMessage() == f"POST {PATH} 200"


def _boundaries() -> list[float]:
    """Times where rounding to the microsecond carries into the next millisecond or second."""
    found = [0.0, 1.0, 1764959999.0, 1764959999.9995, 1764959999.9999996, 1764959999.0004996]
    for second in (1764959999, 1767225599, 1709251199):  # a year's, a leap day's last second
        for fraction in (0.999, 0.9995, 0.9999994, 0.9999995, 0.9999996, 0.0005, 0.0009995):
            found.append(second + fraction)
            found.append(math.nextafter(second + fraction, math.inf))
            found.append(math.nextafter(second + fraction, -math.inf))
    rng = random.Random(18)
    found += [rng.uniform(0, 4e9) for _ in range(20_000)]
    found += [
        1764959999 + rng.randrange(1000) / 1000 + rng.choice((-5e-7, 5e-7, 0)) for _ in range(5000)
    ]
    return found


def test_the_formatters_time_is_what_datetime_writes() -> None:
    formatter = JsonFormatter()
    record = _reference_record("POST", PATH, "r", 200, 0.001, 1)
    mismatched = []
    for created in _boundaries():
        record.created = created
        expected = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
        written = json.loads(formatter.format(record))["time"]
        if written != expected:
            mismatched.append((created, written, expected))
    assert not mismatched, mismatched[:5]


def _records() -> list[logging.LogRecord]:
    found = [
        _reference_record("POST", PATH, "req-42", 200, 0.0001, 3),
        _reference_record("GET", "/healthz", "0" * 32, 503, 1.5, None),
        _reference_record("POST", PATH, "a" * 128, 413, 0.0, 2**40),
    ]
    plain = logging.LogRecord("bouclier.x", logging.WARNING, "f.py", 1, "café %s", ("naïve",), None)
    found.append(plain)
    surrogate = logging.LogRecord(
        "bouclier.x", logging.ERROR, "f.py", 1, "bad \ud800 text", (), None
    )
    found.append(surrogate)  # orjson refuses it: json writes the line
    huge = logging.LogRecord("bouclier.x", logging.INFO, "f.py", 1, "m", (), None)
    huge.__dict__["key_id"] = 2**70
    found.append(huge)
    try:
        raise RuntimeError("a message that quotes the input")
    except RuntimeError as exc:
        crashed = logging.LogRecord(
            "bouclier.x", logging.ERROR, "f.py", 1, "crash", (), (type(exc), exc, exc.__traceback__)
        )
    found.append(crashed)
    return found


def test_the_formatter_writes_what_it_wrote_before() -> None:
    formatter = JsonFormatter()
    for record in _records():
        assert formatter.format(record) == _reference_format(record)


def _post(api: Api, path: str, headers: dict[str, str], body: bytes) -> Any:
    return api.client.post(
        path, headers={"Content-Type": "application/json", **headers}, content=body
    )


def test_one_line_per_request_with_the_general_paths_fields(api: Api, written: _Lines) -> None:
    platform = api.auth("platform")
    cases = [
        ({**platform, "X-Request-ID": "lean-1"}, b'{"pdq": ["' + MISS.encode() + b'"]}', 200),
        ({"X-Request-ID": "lean-2"}, b'{"pdq": ["' + MISS.encode() + b'"]}', 401),
        ({**platform, "X-Request-ID": "lean-3"}, b'{"pdq": ["zz"]}', 422),
        ({**platform, "X-Request-ID": "lean-4"}, b"not json", 422),
    ]
    for headers, body, status in cases:
        for path in (PATH, NORMAL):
            before = len(written.lines)
            answer = _post(api, path, headers, body)
            assert answer.status_code == status, answer.text
            assert len(written.lines) == before + 1  # one line, no more
            line = written.lines[-1]
            route = PATH if path == PATH else NORMAL
            expected = {
                "level": "info",
                "logger": "bouclier.access",
                "message": f"POST {route} {status}",
                "request_id": headers["X-Request-ID"],
                "method": "POST",
                "route": route,
                "status": status,
            }
            assert {k: line[k] for k in expected} == expected
            assert isinstance(line["duration_ms"], float)
            assert line["duration_ms"] >= 0
            assert datetime.fromisoformat(line["time"]).tzinfo is not None
            if status == 401:
                assert set(line) == {"time", *expected, "duration_ms"}  # no key, no key_id
            else:
                assert line["key_id"] == api.services.keys.cached(api.keys["platform"]).id  # type: ignore[union-attr]
                assert set(line) == {"time", *expected, "duration_ms", "key_id"}
            assert MISS not in json.dumps(line)
            assert api.keys["platform"] not in json.dumps(line)


def _series(text: str) -> dict[tuple[str, str, str], float]:
    found: dict[tuple[str, str, str], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.labels.get("route") in (PATH, NORMAL):
                labels = sample.labels
                at = f"{labels['route']} {labels['status']} {labels.get('le', '')}".strip()
                found[(sample.name, labels["method"], at)] = sample.value
    return found


def test_the_same_prometheus_series_as_the_general_path(api: Api) -> None:
    platform = api.auth("platform")
    body = b'{"pdq": ["' + MISS.encode() + b'"]}'
    sent = [(platform, body)] * 3 + [({}, body), (platform, b'{"pdq": ["zz"]}')]
    for path in (PATH, NORMAL):
        for headers, content in sent:
            _post(api, path, headers, content)
    series = _series(api.client.get("/v1/metrics", headers=api.auth("admin")).text)
    for route in (PATH, NORMAL):
        for status, count in (("200", 3), ("401", 1), ("422", 1)):
            assert series[("bouclier_http_requests_total", "POST", f"{route} {status}")] == count
            duration = "bouclier_http_request_duration_seconds"
            assert series[(f"{duration}_count", "POST", f"{route} {status}")] == count
            assert series[(f"{duration}_bucket", "POST", f"{route} {status} +Inf")] == count
            assert series[(f"{duration}_sum", "POST", f"{route} {status}")] > 0
            assert ("bouclier_http_requests_created", "POST", f"{route} {status}") in series
    lean = {(name, at.replace(PATH, "R")) for name, _, at in series if at.startswith(PATH + " ")}
    normal = {(name, at.replace(NORMAL, "R")) for name, _, at in series if at.startswith(NORMAL)}
    assert lean == normal  # the same sample names, labels and buckets


def _refusals(api: Api) -> list[tuple[dict[str, str], bytes]]:
    platform = api.auth("platform")
    limit = api.services.settings.max_body_bytes
    return [
        ({}, b'{"pdq": []}'),
        ({"Authorization": "Bearer bk_not_a_key"}, b'{"pdq": []}'),
        ({"Authorization": "Basic abc"}, b'{"pdq": []}'),
        (platform, b'{"pdq": ["zz"]}'),
        (platform, b'{"pdq": ["' + b"0" * 64 + b'"]'),
        (platform, b"{}"),
        (platform, b'{"pdq": ["' + b"0" * limit + b'"]}'),
        ({**platform, "X-Request-ID": "bad id!"}, b'{"signal_type": "nope", "values": ["a"]}'),
    ]


def test_refusals_answer_as_the_general_path(api: Api) -> None:
    for headers, body in _refusals(api):
        lean = _post(api, PATH, {**headers, "X-Request-ID": "same"}, body)
        normal = _post(api, NORMAL, {**headers, "X-Request-ID": "same"}, body)
        assert lean.status_code == normal.status_code != 200, (headers, body[:40])
        assert lean.json()["error"]["code"] == normal.json()["error"]["code"]
        if body.count(b"{") == body.count(b"}"):  # JSON that parses: the same words too (the
            assert lean.json() == normal.json()  # two parsers word a broken document apart)
        for name in ("content-type", "www-authenticate", "retry-after", "x-request-id"):
            assert lean.headers.get(name) == normal.headers.get(name), name


def test_over_the_rate_answers_as_the_general_path(api: Api) -> None:
    api.client.app.state.rate_limiter = RateLimiter(0.001, 1)  # type: ignore[attr-defined]
    body = b'{"pdq": ["' + MISS.encode() + b'"]}'
    answers = []
    for role, path in (("platform", PATH), ("analyst", NORMAL)):  # a bucket each
        assert _post(api, path, api.auth(role), body).status_code == 200
        answers.append(_post(api, path, {**api.auth(role), "X-Request-ID": "r"}, body))
    lean, normal = answers
    assert lean.status_code == normal.status_code == 429
    assert lean.json()["error"]["code"] == normal.json()["error"]["code"] == "rate_limited"
    for name in ("content-type", "retry-after", "x-request-id"):
        assert lean.headers.get(name) == normal.headers.get(name), name


def test_a_hit_and_a_miss_answer_the_same_bytes_as_before(api: Api) -> None:
    """The answer's JSON is orjson's writing of ``{"results": lookup(...)}`` (pre-encoded parts
    must give the same bytes)."""
    analyst = api.auth("analyst")
    assert api.client.post("/v1/banks", headers=analyst, json={"name": "v", "kind": "victim"})
    hit = f"{12345:064x}"
    added = api.client.post("/v1/banks/v/hashes", headers=analyst, json={"entries": [{"pdq": hit}]})
    assert added.status_code == 201
    near = hit[:-1] + "4"
    body = orjson.dumps({"pdq": [MISS, hit, near.upper(), MISS]})
    lean = _post(api, PATH, api.auth("platform"), body)
    normal = _post(api, NORMAL, api.auth("platform"), body)
    assert lean.status_code == 200
    assert lean.content == orjson.dumps(lean.json())  # orjson's own writing, compact
    assert lean.json() == normal.json()
    results = lean.json()["results"]
    assert [r["value"] for r in results] == [MISS, hit, near.lower(), MISS]
    assert results[0]["matches"] == []
    assert results[1]["matches"]
    assert int(lean.headers["content-length"]) == len(lean.content)


def _bodies() -> list[bytes]:
    """Bodies near the plain one: each read by plain_pdq the way the model reads it, or left to
    the model."""
    hexes = [f"{i * 7919:064x}" for i in range(3)]
    upper = hexes[1].upper()
    found = [
        b'{"pdq": ["' + hexes[0].encode() + b'"]}',
        b' \n{ "pdq" :[ "' + upper.encode() + b'" ,"' + hexes[2].encode() + b'"\t] }\r\n',
        b'{"pdq":["' + hexes[0].encode() + b'"],"pdq":["' + hexes[1].encode() + b'"]}',
        b'{"\\u0070dq": ["' + hexes[0].encode() + b'"]}',
        b'{"pdq": ["\\u0030' + hexes[0][1:].encode() + b'"]}',
        b'{"pdq": [" ' + hexes[0].encode() + b'"]}',
        b'{"pdq": ["' + hexes[0][:-1].encode() + b'g"]}',
        b'{"pdq": ["' + hexes[0].encode() + b'0"]}',
        b'{"pdq": []}',
        b'{"pdq": ["' + hexes[0].encode() + b'"], "signal_type": "pdq"}',
        b'{"signal_type": "sha256", "pdq": ["' + hexes[0].encode() + b'"]}',
        b'{"pdq": ["' + hexes[0].encode() + b'"],}',
        b'{"pdq": ["' + hexes[0].encode() + b'"]',
        b'\xef\xbb\xbf{"pdq": ["' + hexes[0].encode() + b'"]}',
        b'{"pdq": ["' + hexes[0].encode() + b'"]}\x00',
    ]
    for count in (MAX_LOOKUP_HASHES, MAX_LOOKUP_HASHES + 1):
        found.append(orjson.dumps({"pdq": [hexes[i % 3] for i in range(count)]}))
    return found


def _model_reads(body: bytes) -> list[str] | None:
    """What the general reading makes of a body: the canonical PDQ values, or None (a 422)."""
    try:
        query = HashQuery.model_validate_json(body)
        return [pdq.validate(value) for value in query.queried] if query.pdq else None
    except (ValidationError, BouclierError):
        return None


@pytest.mark.parametrize("body", _bodies())
def test_a_plain_body_is_read_as_the_model_reads_it(body: bytes) -> None:
    fast = plain_pdq(body)
    if fast is not None:
        assert fast == _model_reads(body)


def test_the_plain_reading_takes_the_common_bodies() -> None:
    taken = [plain_pdq(body) is not None for body in _bodies()]
    assert taken[:2] == [True, True]
    assert taken[-2:] == [True, False]  # the most hashes a lookup may carry, and one more
